// Package comparison is the one place clonebench compares results. It
// takes two sets of result files and options, and computes one value,
// a Comparison: the configuration both sides agree on and what differs
// (machine, configuration under test, state), one table per unit with
// each row's summaries, change, interval, p-value and class, and the
// verdict. The text runbench prints, report.md's comparison section, the
// comparison chart and every exit code read that value and never compute
// their own, as benchstat's text and CSV writers only format the table
// benchtab builds.
package comparison
