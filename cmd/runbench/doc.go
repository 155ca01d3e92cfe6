// Runbench runs the clonebench suite, stores results with the facts of the
// machine they came from, and compares runs with benchstat's statistics.
//
// Usage:
//
//	runbench                          # the quick suite, results + report under results/HOST/
//	runbench run [flags]
//	runbench compare [flags] OLD NEW
//	runbench ab [flags] A B
//	runbench ab -knob PATH=V1,V2 [flags] A
//	runbench report [-o DIR] [-baseline FILE] FILE...
//	runbench info [-kernel real|sim] | -runpath DIR
//	runbench verify
//	runbench calibrate FILE -o PROFILE
//	runbench history [-o DIR] [-by time|commit] FILES|DIR...
//	runbench history [-o DIR] [-timeout D] -server URL -q QUERY
//	runbench upload [-timeout D] -server URL FILE...
//
// Flags may come before or after the file arguments. `go run ./cmd/runbench`
// and `go install ./cmd/runbench` give the same tool.
//
// # No arguments
//
// With no arguments runbench runs the rows of the quick suite
// (workloads.Quick) on this machine and writes
//
//	results/HOST/UTCTIME.txt   the samples, in the Go benchmark format
//	results/HOST/UTCTIME/      report.md and the PNG charts (package report)
//
// relative to the current directory (HOST is the short host name, UTCTIME
// like 20261125T170400Z), printing both paths on stdout. Progress goes to
// stderr:
//
//	[runbench] 7/27 Switch/mech=pipe/mode=thread/cpu=same/ws=0  sample 3/10  12s elapsed, ~40s left
//
// It is "runbench run -suite quick" with an automatic sample count: the
// most samples in [6, 30] (benchstat needs 6 for a 95% confidence interval,
// and its interval narrows with more) that fit a 90 s measuring budget, so
// the whole command finishes in under two minutes on a 2-core machine.
//
// Sampling policy: the pilot is the warm-up and is never written; samples
// are short and interleaved; no sample is dropped. Each creation sample
// records its measuring thread's involuntary switches and migrations, and
// one that moved CPU or was preempted more than once per 10 ms counts as
// disturbed (resultfile.Sample.Disturbed): report and compare show how
// many, and the median is robust to a few.
//
// compare's exit codes: 0 no significant regression, 1 a regression over
// the threshold, 2 bad input or different machines, 4 a machine shift:
// every row of both the creation and the switch families moved
// significantly the same way, which on one kernel and configuration is the
// machine's state (its host, its memory), not the code; run again.
//
// # run
//
// run measures the suite's rows. Each row first gets a short pilot that
// grows n until one call's timed part lasts about 20 ms, which gives a
// model of the call's wall time (setup + n·op). The budget is then divided
// across rows and samples to pick each row's n, and the samples are taken
// round-robin — sample 1 of every row, then sample 2 … — so drift on a
// shared machine hits every row alike. If the rounds run slower than the
// pilot predicted, later rounds use a smaller n to keep to the budget,
// never one whose sample is shorter than 5 ms. A -count (or -benchtime)
// whose samples cannot fit the budget even so is warned about, with the
// time the run will take, before measuring.
//
// The two rows of every ratio report.md states (rowspec.RatioPairs:
// fork/thread, libc-fork/pthread, vfork/thread, process/thread per switch
// mechanism, fork/fork-minimal, each creation style's cpu=any/cpu=same,
// the clone-flag steps) are measured back to back in every round, the
// numerator first in odd rounds and second in even ones; a row in several
// ratios is measured once per ratio (the headline ratios, fork/thread and
// pipe and futex process/thread, six and three times). Before a pair's
// later sample, when
// the earlier one is a creation row under 100 µs an op (one that churns
// through tasks), and before the first sample after a -pprof worker's, the
// run waits, untimed, until the RCU softirq count (/proc/softirqs) has
// held for 10 ms, at most 200 ms: the deferred freeing of the earlier
// sample's exited tasks made fork after thread ~10% dearer than fork after
// fork.
// The rounds sidecar UTCTIME.pairs beside the result file records each
// round's samples, its pairs, the host's steal time (/proc/stat) and the
// round's washout wait, so report.md gives each ratio as the
// median of its pairs' ratios with a distribution-free 95% interval, and
// a Noise section: steal time and any change point in the run's per-round
// host factor. -target P makes the run adaptive: after 6 rounds it stops
// as soon as every stated ratio's interval is within ±P of its median,
// else when the next round would overrun the budget; each round's
// progress line then gives the widest half-width, and the end says which
// ratios did not reach P.
//
// Before measuring, run samples /proc/stat for 200 ms and warns on stderr
// if other tasks used more than 10% of a CPU meanwhile.
//
//	-suite quick|full   which rows (default quick)
//	-run REGEXP         only rows whose name (Create/style=thread …) matches
//	-count N            samples per row (default 10)
//	-o FILE             the result file (default results/HOST/UTCTIME.txt)
//	-baseline FILE      compare with FILE after the run, as compare does
//	-threshold P, -alpha A, -history DIR   for -baseline, as for compare
//	-kernel real|sim    measure the real kernel or the simulated one (simkernel)
//	-profile FILE       with -kernel sim: a calibration profile (see calibrate)
//	-benchtime D        aim each sample at D instead of dividing the budget
//	-budget D           the measuring budget (default 90s quick, 10m full)
//	-target P           add rounds until every stated ratio's 95% CI is within ±P (e.g. 2%)
//	-report=false       do not draw the report
//	-wait               wait for another run to finish instead of refusing
//	-probe              also run each raw row's probe=sched twin (BPF phases; root)
//	-pprof              also run each raw row's pprof=cpu twin, each sample in
//	                    a fresh worker process (runbench pprof-worker, not for
//	                    users) beside a plain sample, the overhead's reference
//
// One run at a time per machine, since two would measure each other,
// whoever and wherever the caller is: on Linux run holds the abstract unix
// socket @clonebench-run-lock while measuring (no file: no owner, mode,
// $TMPDIR or mount namespace to differ; one per network namespace), on
// other unix an flock on /tmp/clonebench-run.lock. A second run refuses
// naming the holder's pid (and uid, if not ours), or with -wait waits; a
// run that cannot take the lock does not measure. The kernel drops the
// lock with the process, however it ends.
//
// A row that cannot run here (Row.Skip: no cgo, too few CPUs, too little
// memory …) is skipped with its reason; a row whose Run fails is dropped
// from later rounds and the command exits 1 after writing the rest. On
// hosts without raw clone, Linux-only rows with a simulated version run
// on the simulated kernel and the file says "kernel: sim".
//
// For example, six samples of the cheapest rows (goroutine creation), then
// their comparison with the file itself:
//
//	$ runbench run -run ^Create/style=goroutine -count 6 -budget 5s -report=false -o goroutine.txt
//	…
//	$ runbench compare goroutine.txt goroutine.txt -threshold 5%
//	…
//
// # Result files
//
// A result file is what go test -bench prints, written with
// golang.org/x/perf/benchfmt: config lines, then one line per sample with
// the name go test uses (BenchmarkCreate/style=thread-2, with the
// -GOMAXPROCS suffix), the ops in the sample, ns/op and the row's metrics
// (p50-ns, ns/switch, ctxsw/op …). Simulated rows carry sim-ns/op instead of
// ns/op, so no tool ever compares a simulated figure with a real one. The
// config lines are
//
//	goos, goarch, pkg, cpu       as go test prints them
//	kernel                       uname -r, or "sim" for a simulated run
//	nproc, gomaxprocs            CPUs online, and GOMAXPROCS
//	virtualization               none, kvm, xen, firecracker, gvisor, …, "+docker" etc. for a container
//	governor                     cpufreq governor, "none" without cpufreq
//	thp                          transparent huge pages: always, madvise or never
//	mitigations                  vulnerable=… mitigated=… unaffected=N cmdline=…
//	loadavg                      /proc/loadavg at the start
//	go, commit, host             toolchain, clonebench commit (-dirty if modified), short host name
//	profile                      simulated runs only: the calibration profile
//	partial: true                only in a run cut short by a signal
//
// "runbench info" prints them for this machine. Rows that did not run are
// listed after the samples as
//
//	# skip: Create/style=pthread: needs cgo (built with CGO_ENABLED=0)
//
// which benchfmt readers (benchstat included) pass over, because a config
// key cannot start with '#'; package report reads them back (as it reads go
// test's "--- SKIP:" lines). A skip cannot be a config line: keys are
// lower case, and a config line after the first result would start a new
// configuration and split benchstat's tables.
//
// go test -bench output and runbench output of the same rows are
// interchangeable: benchstat reads either, and compare accepts a mix
// (it checks only the machine keys both files carry). benchstat puts runs
// with different config values in different tables; to compare two runs of
// one machine with benchstat itself, ignore the keys that change between
// runs:
//
//	benchstat -ignore loadavg,commit,go base.txt head.txt
//
// Results are written to a temporary file and linked into place, so a
// reader never sees half a file, and a new run never replaces an existing
// file: the default name gets -2, -3 … if taken, and an explicit -o that
// exists is refused before anything is measured, as is a result
// directory that cannot be created or written. If the file still cannot be
// written at the end (the disk filled, -o appeared meanwhile), the samples
// are kept in a runbench-rescued-*.txt file in the temporary directory,
// named on stderr (on stdout if even that fails), with the latency
// histograms beside it (runbench-rescued-*.hist), and runbench exits 1.
// If only the histograms cannot be written, they are kept in a
// runbench-rescued-* directory of the temporary directory under the
// sidecar's own name (UTCTIME.hist), to be moved beside the result file.
//
// # compare
//
// compare OLD NEW compares runs with the comparison package (the same
// comparison run -baseline prints and report.md shows). The verdict and
// the rows that decide it come first, then what differs between the sides
// (configuration, state), the method, and a table of every row's per-op
// time: each side's median ± its 95% interval, the change and its
// interval, p, the Benjamini–Hochberg q and the minimum detectable change
// (MDC). Other units are listed only where a row moved beyond its noise.
// compare exits
//
//	0  no significant regression larger than the threshold
//	1  a slowdown in ns/op or sim-ns/op larger than -threshold and significant after FDR control at -alpha
//	2  bad input: unreadable or malformed files, different machines, real against simulated
//	4  a machine shift (see above)
//
// The unit of replication is the run: the samples of one run share its
// host's state, which drifts 5–15% between runs here, so they are not
// independent and pooling them makes p-values far too small. OLD and NEW
// are each a result file, a comma-separated list of runs, or a directory
// of runs.
//
//   - Several runs a side (runs from different boots, say): each run's
//     median is one replicate; Welch's t-test on the log run medians, and
//     no change is called where the two sides' ranges overlap (LKP's rule).
//   - One run on a side: each row's run median is tested against the
//     between-run spread of earlier runs of the machine — -history DIR, or
//     by default results/HOST of the new run, which run keeps — with
//     Student's t on their count less one degrees of freedom. A row with
//     fewer than 3 earlier runs uses a stated default spread of 10%, and its
//     MDC (about 32%) says how little one run a side can tell.
//
// Each unit's rows are tested together with Benjamini–Hochberg false
// discovery rate control at -alpha; only per-op times decide the exit code.
// A row whose samples split into two placement modes (a gap of more than
// 2x with at least two samples each side: an unpinned switch row whose
// tasks sometimes share a CPU) is marked "(mixture)" and never decides the
// verdict alone.
//
// The machine is its hardware and host (goos, goarch, cpu, nproc,
// virtualization, host); the kernel, thp, mitigations and governor are the
// configuration under test. Runs of one machine under two configurations
// compare, and say what differs ("configuration: kernel 6.18.44 → 6.19.0");
// runs of different machines need -force. Real and simulated runs are
// never compared, even with -force. A partial file (an interrupted run,
// "partial: true") is compared with a warning on stderr.
//
// Rows are named, and matched between the files, as -run selects them:
// without go test's -GOMAXPROCS suffix. Files written before the verdict
// was paired and run-based compare as they are: only the statistics
// changed, not the format.
//
//	$ runbench compare -history hist base.txt head.txt
//	verdict: 1 significant regression(s) over 5% (FDR 0.05)
//	regression: Create/style=goroutine/cpu=any sec/op +20.00% [+8.7%, +32.5%] (p=0.005 q=0.010) exceeds 5%
//
//	goos: linux
//	goarch: amd64
//	pkg: github.com/clonebench/clonebench/bench
//	cpu: AMD EPYC
//	kernel: 6.18.44-fc-v669
//	virtualization: firecracker+docker
//	method: one run a side, so the run is the unit: a run's samples share its host's state and are not independent; each row's log run median is tested against the between-run spread, estimated per row from 6 earlier runs of this machine (hist), with Student's t; Benjamini–Hochberg false discovery rate control at α=0.05 across each unit's rows; only per-op times decide the verdict
//	interval: 95% interval from the between-run spread (not from the samples of one run)
//
//	                                            base.txt         head.txt
//	                                              sec/op           sec/op          change             CI      p      q    MDC
//	Create/style=goroutine/cpu=any                432.0n  ± 8%     518.4n  ± 8%   +20.00%  +8.7%, +32.5%  0.005  0.010  10.4%  regression
//	Switch/mech=pipe/mode=thread/cpu=same/ws=0    4.762µ  ± 14%    4.762µ  ± 14%   +0.00%   -5.2%, +5.4%  1.000  1.000   5.4%  ~
//	geomean                                       1.434µ           1.571µ          +9.54%
//	exit status 1
//
//	$ runbench compare -history hist -threshold 25% base.txt head.txt
//	…
//	exit status 0
//
// Without earlier runs the same pair is not called a regression: the
// default spread cannot see 20% from one run a side, and the method line
// says so.
//
//	$ runbench compare base.txt head.txt
//	…
//	exit status 0
//
//	$ runbench compare base.txt lab.txt
//	runbench compare: base.txt and lab.txt come from different machines: cpu ("AMD EPYC" vs "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz"), host ("vm" vs "lab-xeon") differ; use -force to compare anyway
//	exit status 2
//
//	$ runbench compare base.txt missing.txt
//	runbench compare: stat missing.txt: no such file or directory
//	exit status 2
//
// # ab
//
// ab compares two executables in one session, paired: each is a bench
// binary (go test -c -o a.test ./bench/ at two commits) or anything that
// takes go test's -test.* flags and prints the benchmark format, such as
// a wrapper script that changes the environment and execs one. Every
// round runs each row once on each side, back to back, in a random order
// within the pair, the rows shuffled per round (RMIT). Each sample is one
// exec selecting exactly one sub-benchmark:
//
//	A -test.run '^$' -test.bench '^BenchmarkCreate$/^style=fork$/^cpu=same$' -test.benchtime Nx -test.count 1
//
// N comes from a pilot of the row on side A and makes a sample's timed
// part about -sampletime; both sides keep it all session. The statistics
// are the pairs' (package comparison, ComparePaired): per row the ratio
// B/A of each pair, its median with a distribution-free 95% interval,
// Wilcoxon's signed-rank test, Benjamini–Hochberg across the rows; a row
// is a regression when significant after that control and slower by more
// than -threshold. The output leads with the verdict, then a line per row
// (change, CI, p, q) and the two sides' result files; exit codes are
// compare's: 0, 1 (a regression), 2 (bad input).
//
//	-run REGEXP, -suite quick|full   compare these rows (default: the headline
//	                    rows, creation ones at cpu=same where the row has it)
//	-knob PATH=V1,V2    one executable A under two values of a kernel setting
//	-sampletime D       aim of a sample's timed part (default 50ms)
//	-budget D           stop adding rounds after about D (default 60s)
//	-rounds N           at most N rounds (≥ 6; default: the budget decides)
//	-target P           stop once every row's CI lies within ±P of its change
//	-threshold P, -alpha A   as for compare
//	-o DIR              write a.txt and b.txt there (default results/HOST/ab-UTCTIME/)
//	-seed N             the order of pairs and rows (default random; printed)
//
// A session takes at least 6 rounds (fewer pairs have no 95% interval),
// then stops at -rounds or -budget, whichever comes first, or with
// -target once every row's interval is within ±P. Progress lines on
// stderr give each round's widest CI half-width; with -target the output
// says which rows reached it. A row whose sample fails (the executable
// exits non-zero, skips the row, prints no ns/op) is not compared, with
// its reason; the others are. Each side's samples are a result file, one
// line per sample, with config lines ab-side, ab-binary and ab-knob, and
// its rounds sidecar (a.pairs, b.pairs: which sample each round took, as
// runbench run records its rounds), so benchstat a.txt b.txt reads them
// as two columns.
//
// -knob takes one executable and a runtime kernel setting under /proc/sys
// or /sys: THP's /sys/kernel/mm/transparent_hugepage/enabled, a sysctl, a
// sched feature (/sys/kernel/debug/sched/features=TTWU_QUEUE,NO_TTWU_QUEUE).
// Side A runs with V1, side B with V2. The setting is written before each
// sample and read back to check it took (a choice list like THP's by its
// [bracketed] value). It needs root. The original value is journalled in
// /var/lib/clonebench/ab-knob.json (0600) before the first write and put
// back on every way out: an error, SIGINT, SIGTERM, SIGHUP; after a
// SIGKILL the next runbench ab restores it, says so, and removes the
// journal.
//
// For example, two fake bench executables (testdata/ab: every row
// 10000 ns/op, the fork row 11000 on side B):
//
//	$ runbench ab -run Create/style=(fork|thread)/cpu=same$ -rounds 8 -o ab ab/a.sh ab/b.sh
//	…
//	exit status 1
//
// # report
//
// report FILE... draws the charts and report.md of package report into -o
// DIR (default: the first file's name without .txt), with compare.png when
// -baseline FILE is given. The report is drawn in a temporary directory and
// renamed into place; an existing empty DIR (a mount point too) is drawn
// into, never removed, keeping its owner and mode, and left empty if the
// draw fails; a non-empty one or a file is refused. Temporary .report-* directories older than 10 minutes
// beside DIR, left by killed reports, are removed.
//
//	$ runbench report -o report base.txt
//	report
//
// # info
//
// info prints the config lines a result file of this machine would start
// with; -kernel sim shows those of a simulated run. info -runpath DIR
// prints the path in DIR a run starting now would get (DIR/UTCTIME.txt,
// or UTCTIME-2.txt … if taken): scripts that keep a run under the name
// history orders by ask for it rather than building it.
//
//	$ runbench info
//	…
//
// # verify
//
// verify checks the task-model claims the suite rests on, on this kernel,
// and prints each as "claim → PASS (evidence)" or "→ FAIL"; it exits 1 if
// any fails. The claims: getpid returns the thread group id and gettid the
// task's own id on a thread other than the main one; /proc/self/task/TID/
// status shows that Tgid; a listing of /proc shows thread group ids, not
// the ids of other threads, yet /proc/TID opens; and for each of CLONE_VM,
// CLONE_FS, CLONE_FILES and CLONE_SIGHAND, a raw clone child (package
// rawclone, blocked reading a pipe) shares that resource with its parent
// with the flag and has its own copy without it, as seen in
// /proc/CHILD/{maps,cwd,fd,status}; CLONE_THREAD puts the child in
// our thread group, out of the /proc listing; and a child cloned with
// every CLONE_NEW* flag beside VM and FILES is in namespaces of its own
// (/proc/CHILD/ns/*) yet shares our mm and fd table.
//
//	$ runbench verify
//	…
//
// # calibrate
//
// calibrate FILE -o PROFILE fits the simulated kernel's cost model
// (simkernel.Fit) to a real Linux result file and writes the profile as
// JSON, then prints each row's measured figure beside the model's. Use the
// profile with "run -kernel sim -profile PROFILE".
//
// # history
//
// history follows every row of every machine across runs and reports the
// runs where a row's figure changed (package history: E-divisive means
// with Hunter's t-test on the per-run medians, α = -alpha, default 1e-4
// per test; segments of at least -min runs, default 3). A directory
// argument stands for every *.txt under it; ordered by time (-by time, the
// default), a file there not named as runbench names runs
// (UTCTIME[-partial][-N].txt; results/reference/) is left out with a note,
// and UTCTIME-2.txt comes after UTCTIME.txt. A file given twice, and a
// file whose benchmark lines are those of another (a copy), is read once,
// with a line on stderr naming what was left out: one run counted twice
// would make change points of nothing. -by commit orders by the files'
// commit line in the history of the git repository -repo (default ".").
//
// Each change is printed LKP-style: the row and unit, the change in % of
// the mean of per-run medians, the run where it starts (its file, commit
// and kernel), the p-value, and the mean and %stddev on both sides; a
// change whose neighbouring runs drift its way is marked as a ramp. A
// machine's runs across kernels are one series; where the configuration
// (kernel, thp, mitigations, governor) changed at a change point's run,
// the change says so ("kernel 6.18.44 → 6.19.0"), and a regression ends
// with the last good and the first bad run and their kernels, the line a
// bisect starts from. -o DIR writes (or rewrites) history.md and one chart per machine and family,
// history-HOST-FAMILY.png: each row relative to its first segment, median
// and 95% CI per run, a ring where a change point starts.
//
// history's exit codes: 0, 1 when the newest segment of a headline row
// (rowspec.Spec.IsHeadline) is a significant regression over -threshold
// (default 2%), 2 for bad input (a file that cannot be read or ordered,
// an unknown -by, a store that returns nothing for -q).
//
// # upload
//
// upload sends result files, checked first, as one upload to the x/perf
// storage server at -server (golang.org/x/perf/storage: the perfdata app,
// or localperfdata backed by SQLite), and prints the upload ID and file
// IDs. "history -server URL -q QUERY" reads them back: QUERY is the
// server's (label:value words, e.g. "host:lab1", "upload-time>2026-12-01");
// config keys that are also name keys are stored as config-KEY
// ("config-cpu:…"). The files under results/ stay the default: history
// needs no server.
//
// Every call to a server has a deadline, -timeout (default 30s); while
// waiting, a line on stderr every 5 s says so. A failure names its cause:
// the connection refused, the server's HTTP status and the start of its
// body, a reply that is not the storage protocol's, too many redirects,
// or the timeout. Either command then exits 1.
//
// # Signals
//
// SIGINT, SIGTERM or SIGHUP during a run stops it: the sample in flight
// is given 1.2 s to finish (rows clean up their own children when Run
// returns), then the finished samples are written to NAME-partial.txt with
// the config line "partial: true", no report is drawn, and runbench exits
// with status 130 — within 2 s of the signal. If a row's Run has not
// returned by then, runbench kills (SIGKILL) and reaps every process whose
// parent it is, and exits; thread-style children (CLONE_THREAD) end with
// the process. SIGPIPE is ignored: when stderr's reader goes away
// ("runbench run 2>&1 | head"), progress output stops and the run goes on.
//
// A SIGKILL to runbench itself gives no chance to clean up, but a
// process-style raw clone child that blocks or loops has asked the kernel
// (PR_SET_PDEATHSIG) for SIGKILL when the thread that cloned it ends, so it
// dies with runbench rather than being reparented to init; a child that
// only exits is not given one and needs none.
//
// Any other exit status: 2 for bad input (unknown command or flag, missing,
// unreadable, empty or malformed file — one line on stderr naming the
// input, nothing written), 1 for failures.
package main
