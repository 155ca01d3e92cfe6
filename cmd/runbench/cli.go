package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/resultfile"

	"github.com/clonebench/clonebench/workloads"
)

// Exit codes. compare adds its own meaning to 1 (a significant regression).
const (
	exitOK       = 0
	exitFail     = 1
	exitBadInput = 2
	// exitMachineShift: compare found every row moved together, the
	// machine's doing rather than the code's (see machineShift).
	exitMachineShift = 4
	exitInterrupted  = 130
)

// codeError carries the exit code an error should end the command with.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

// badInput is an error in what the user gave (flags, files): exit 2.
func badInput(format string, a ...any) error {
	return &codeError{exitBadInput, fmt.Errorf(format, a...)}
}

// withCode sets the exit code of err.
func withCode(code int, err error) error { return &codeError{code, err} }

// env is everything run depends on that tests replace: the rows, the clock,
// where results go, how signals arrive, and how reports are drawn.
type env struct {
	rows       func() []workloads.Row
	now        func() time.Time
	resultsDir string // default parent of results/HOST/TIME.txt
	lockPath   string // the machine's run lock (unix)
	// notify returns a context cancelled by SIGINT/SIGTERM/SIGHUP.
	notify func(context.Context) (context.Context, context.CancelFunc)
	// grace is how long an interrupted run waits for the row in flight.
	grace time.Duration
	// beforeSample, if set, is called before each sample is taken (tests
	// use it to deliver a signal at a known point).
	beforeSample func(name string, sample int)
	// writeReport draws the report for result files into dir.
	writeReport func(dir string, files []*resultfile.File, cmp *comparison.Comparison) ([]string, error)
}

func defaultEnv() *env {
	return &env{
		rows:       workloads.Catalogue,
		now:        time.Now,
		resultsDir: "results",
		lockPath:   filepath.Join(os.TempDir(), "clonebench-run.lock"),
		notify: func(ctx context.Context) (context.Context, context.CancelFunc) {
			return signal.NotifyContext(ctx, stopSignals...)
		},
		grace:       1200 * time.Millisecond,
		writeReport: writeReport,
	}
}

// stopSignals end a run with a partial file. SIGHUP is among them: a
// closed terminal or ssh session should keep the finished samples, as
// Ctrl-C does.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// run is the whole command: main only turns its result into an exit code.
func run(stdout, stderr io.Writer, args []string) int {
	// A reader of stderr that goes away ("runbench run 2>&1 | head") must
	// cost the progress lines, not the run: with SIGPIPE ignored, writes
	// fail with EPIPE and progressWriter falls silent.
	ignoreSIGPIPE()
	return defaultEnv().main(stdout, stderr, args)
}

// progressWriter is stderr for progress lines: once a write fails with
// EPIPE, later ones are dropped, so a closed pipe never stops a run.
type progressWriter struct {
	w      io.Writer
	broken bool
}

func (p *progressWriter) Write(b []byte) (int, error) {
	if p.broken {
		return len(b), nil
	}
	n, err := p.w.Write(b)
	if err != nil && errors.Is(err, syscall.EPIPE) {
		p.broken = true
		return len(b), nil
	}
	return n, err
}

var subcommands = map[string]func(e *env, stdout, stderr io.Writer, args []string) error{
	"run":       (*env).cmdRun,
	"compare":   (*env).cmdCompare,
	"report":    (*env).cmdReport,
	"info":      (*env).cmdInfo,
	"verify":    (*env).cmdVerify,
	"calibrate": (*env).cmdCalibrate,
	"history":   (*env).cmdHistory,
	"upload":    (*env).cmdUpload,
}

const usage = `usage: runbench [command] [flags] [args]

With no command, runbench runs the quick suite (same as "runbench run -suite quick"
with an automatic sample count) and writes results/HOST/UTCTIME.txt and its report.

commands:
  run        run the suite and write a result file (and report)
  compare    compare two result files: benchstat table and exit code 0/1/2
  report     draw charts and report.md from result files
  info       print the config lines a result file would carry
  verify     check the task-model claims on this kernel
  calibrate  fit a simulated-kernel profile to a result file
  history    change points across runs (files, a directory, or a storage server)
  upload     send result files to an x/perf storage server

"runbench COMMAND -h" lists a command's flags. See "go doc ./cmd/runbench".
`

func (e *env) main(stdout, stderr io.Writer, args []string) int {
	cmd, rest := "run", args
	auto := len(args) == 0
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help", "help":
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		cmd, rest = args[0], args[1:]
	}
	f, ok := subcommands[cmd]
	if !ok {
		fmt.Fprintf(stderr, "runbench: unknown command %q (want run, compare, report, info, verify, calibrate, history or upload)\n", cmd)
		return exitBadInput
	}
	if auto {
		rest = []string{"-auto"}
	}
	err := f(e, stdout, stderr, rest)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	code := exitFail
	var ce *codeError
	if errors.As(err, &ce) {
		code = ce.code
		if ce.err == nil {
			return code // already reported (compare's verdict)
		}
	}
	// One line: flag errors and wrapped file errors never span lines.
	fmt.Fprintf(stderr, "runbench %s: %s\n", cmd, strings.ReplaceAll(err.Error(), "\n", "; "))
	return code
}

// flagSet is a FlagSet that reports errors instead of printing usage and
// exiting; -h prints the flags to stderr.
type flagSet struct {
	*flag.FlagSet
	stderr   io.Writer
	synopsis string
}

func newFlags(name string, stderr io.Writer, synopsis string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // errors are reported in one line by main
	return &flagSet{fs, stderr, synopsis}
}

// parseFlags parses args and turns a flag error into bad input naming the
// flag.
// Flags may come before or after the arguments ("compare OLD NEW
// -threshold 10%", "calibrate FILE -o PROFILE"); "--" ends the flags.
func parseFlags(fs *flagSet, args []string) error {
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(fs.stderr, "usage: runbench %s %s\n", fs.Name(), fs.synopsis)
				fs.SetOutput(fs.stderr)
				fs.PrintDefaults()
				return err
			}
			return badInput("%v", err)
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	// Leave the arguments where fs.Args finds them.
	return fs.Parse(append([]string{"--"}, pos...))
}
