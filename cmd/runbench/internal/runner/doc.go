// Package runner is runbench's run engine: it selects the rows of a suite,
// takes the machine's run lock, pilots every row, schedules interleaved
// samples to fit a budget, stops cleanly on a signal (reaping what an
// abandoned row left), and writes the result file and its sidecar with
// resultfile.
//
// Run takes an Options value and the writers for results and progress, so
// it is tested without the command line; runbench's run command is its
// flags and one call of Run.
package runner
