package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/clonebench/clonebench/cmd/runbench/internal/ab"
	"github.com/clonebench/clonebench/cmd/runbench/internal/cmdflag"
	"github.com/clonebench/clonebench/cmd/runbench/internal/runner"
	"github.com/clonebench/clonebench/comparison"
	"github.com/clonebench/clonebench/resultfile"
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

// env is everything the commands depend on that tests replace: the run
// engine's rows, clock, results directory, lock and signals, and how
// reports are drawn.
type env struct {
	run runner.Options
	ab  ab.Options // what runbench ab's flags leave alone (tests: rows, results directory)
	// writeReport draws the report for result files into dir.
	writeReport func(dir string, files []*resultfile.File, cmp *comparison.Comparison) ([]string, error)
}

func defaultEnv() *env { return &env{writeReport: writeReport} }

// run is the whole command: main only turns its result into an exit code.
func run(stdout, stderr io.Writer, args []string) int {
	// A reader of stderr that goes away ("runbench run 2>&1 | head") must
	// cost the progress lines, not the run: with SIGPIPE ignored, writes
	// fail with EPIPE and the runner's progress falls silent.
	ignoreSIGPIPE()
	return defaultEnv().main(stdout, stderr, args)
}

var subcommands = map[string]func(e *env, stdout, stderr io.Writer, args []string) error{
	"run":       (*env).cmdRun,
	"compare":   (*env).cmdCompare,
	"ab":        (*env).cmdAB,
	"report":    (*env).cmdReport,
	"info":      (*env).cmdInfo,
	"verify":    (*env).cmdVerify,
	"calibrate": (*env).cmdCalibrate,
	"history":   (*env).cmdHistory,
	"upload":    (*env).cmdUpload,
	// Not for users (not in the usage): a profiled twin's sample in a
	// process of its own, which run -pprof starts.
	runner.WorkerCommand: (*env).cmdWorker,
}

const usage = `usage: runbench [command] [flags] [args]

With no command, runbench runs the quick suite (same as "runbench run -suite quick"
with an automatic sample count) and writes results/HOST/UTCTIME.txt and its report.

commands:
  run        run the suite and write a result file (and report)
  compare    compare two result files: benchstat table and exit code 0/1/2
  ab         compare two bench executables (or one under two kernel settings), paired, in one session
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
		fmt.Fprintf(stderr, "runbench: unknown command %q (want run, compare, ab, report, info, verify, calibrate, history or upload)\n", cmd)
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

// newFlags is the flag set of a command; see cmdflag.
func newFlags(name string, stderr io.Writer, synopsis string) *cmdflag.FlagSet {
	return cmdflag.New(name, stderr, synopsis)
}

// parseFlags parses args and turns a flag error into bad input naming the
// flag.
func parseFlags(fs *cmdflag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return badInput("%v", err)
	}
	return err
}
