package ab

import (
	"path/filepath"

	"github.com/clonebench/clonebench/resultfile"
	"github.com/clonebench/clonebench/rowspec"
	"github.com/clonebench/clonebench/workloads"

	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The test binary is also the fake bench executable the tests compare:
// run with CLONEBENCH_AB_FAKE=1 it reads go test's -test.bench and
// -test.benchtime and prints one benchmark line with a planted figure.
//
//	CLONEBENCH_AB_FAKE_SIDE   a or b (a wrapper script sets it), or
//	CLONEBENCH_AB_FAKE_KNOB   a knob file: side b when it reads FAKE_KNOB_B
//	CLONEBENCH_AB_FAKE_SLOW   rows (regexp) 10% slower on side b
//	CLONEBENCH_AB_FAKE_NOISE  relative noise of every figure (default 0.001)
//	CLONEBENCH_AB_FAKE_FAIL   rows (regexp) that exit 1 on side b
//	CLONEBENCH_AB_FAKE_SKIP   rows (regexp) skipped on side b
//	CLONEBENCH_AB_FAKE_LOG    a file each exec appends "side row" to
//	CLONEBENCH_AB_FAKE_BLOCK  a file: the first round sample writes its pid there and hangs
//
// Under CLONEBENCH_PPROF=cpu a pprof=cpu row also writes a real fork
// profile (report's testdata) into CLONEBENCH_PPROF_DIR, as bench does,
// over half the ops on side b: every function's time per op doubles.
const fakeEnv = "CLONEBENCH_AB_FAKE"

func fakeBench() int {
	var pattern, benchtime string
	for i, a := range os.Args {
		if i+1 < len(os.Args) {
			switch a {
			case "-test.bench":
				pattern = os.Args[i+1]
			case "-test.benchtime":
				benchtime = os.Args[i+1]
			}
		}
	}
	levels := strings.Split(pattern, "/")
	for i, l := range levels {
		levels[i] = strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(l, "^"), "$"), `\`, "")
	}
	name := strings.TrimPrefix(strings.Join(levels, "/"), "Benchmark")
	side := os.Getenv(fakeEnv + "_SIDE")
	if k := os.Getenv(fakeEnv + "_KNOB"); k != "" {
		raw, _ := os.ReadFile(k)
		side = "a"
		if took(string(raw), os.Getenv(fakeEnv+"_KNOB_B")) {
			side = "b"
		}
	}
	if log := os.Getenv(fakeEnv + "_LOG"); log != "" {
		f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%s %s %s\n", side, name, benchtime)
			f.Close()
		}
	}
	match := func(env string) bool {
		re := os.Getenv(fakeEnv + env)
		return re != "" && side == "b" && regexp.MustCompile(re).MatchString(name)
	}
	if block := os.Getenv(fakeEnv + "_BLOCK"); block != "" && strings.HasSuffix(benchtime, "x") {
		if f, err := os.OpenFile(block, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			time.Sleep(time.Minute)
		}
	}
	if match("_FAIL") {
		fmt.Println("goos: linux")
		fmt.Fprintf(os.Stderr, "fake: %s broke on purpose\n", name)
		return 1
	}
	if match("_SKIP") {
		fmt.Printf("--- SKIP: Benchmark%s\n    bench_test.go:19: needs a planted reason\nPASS\n", name)
		return 0
	}
	n := 1000
	if v, ok := strings.CutSuffix(benchtime, "x"); ok {
		n, _ = strconv.Atoi(v)
	}
	noise := 0.001
	if v := os.Getenv(fakeEnv + "_NOISE"); v != "" {
		noise, _ = strconv.ParseFloat(v, 64)
	}
	ns := 10000 * (1 + noise*(2*rand.Float64()-1))
	if match("_SLOW") {
		ns *= 1.10
	}
	if os.Getenv(workloads.PprofEnv) == rowspec.PprofCPU && strings.HasSuffix(name, "/pprof="+rowspec.PprofCPU) {
		if err := fakeProfile(name, n, side); err != nil {
			fmt.Fprintln(os.Stderr, "fake:", err)
			return 1
		}
	}
	fmt.Printf("goos: linux\ngoarch: amd64\npkg: fake\nBenchmark%s-2\t%d\t%.1f ns/op\nPASS\n", name, n, ns)
	return 0
}

func fakeProfile(name string, n int, side string) error {
	rp, err := resultfile.ReadProfile("../../../../report/testdata/pprof/20261203T000000Z.Create.style=fork.cpu=same.pprof")
	if err != nil {
		return err
	}
	ops := int64(n)
	if side == "b" {
		ops = max(1, ops/2)
	}
	_, err = resultfile.WriteProfile(filepath.Join(os.Getenv(workloads.PprofDirEnv), "20261203T000000Z.txt"),
		resultfile.RowProfile{Row: name, Ops: ops, Profile: rp.Profile})
	return err
}
