// Package cmdflag parses a runbench command's flags the way its users
// type them: flags before or after the file arguments ("compare OLD NEW
// -threshold 10%", "calibrate FILE -o PROFILE"), "--" ending the flags,
// errors returned for the caller to report in one line rather than printed
// with the usage, and -h listing the flags on stderr.
package cmdflag

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// FlagSet is a flag.FlagSet that returns errors instead of printing usage
// and exiting.
type FlagSet struct {
	*flag.FlagSet
	stderr   io.Writer
	synopsis string
}

// New is the flag set of runbench command name; synopsis follows the name
// in -h's usage line.
func New(name string, stderr io.Writer, synopsis string) *FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // the caller reports errors in one line
	return &FlagSet{fs, stderr, synopsis}
}

// Parse parses args, flags and arguments in any order, and leaves the
// arguments where Args finds them. After -h it prints the usage and the
// flags to stderr and returns flag.ErrHelp; other errors are the flag
// package's, naming the flag.
func (fs *FlagSet) Parse(args []string) error {
	var pos []string
	for len(args) > 0 {
		if err := fs.FlagSet.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(fs.stderr, "usage: runbench %s %s\n", fs.Name(), fs.synopsis)
				fs.SetOutput(fs.stderr)
				fs.PrintDefaults()
			}
			return err
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
	return fs.FlagSet.Parse(append([]string{"--"}, pos...))
}

// Percent is a flag value such as "5%" or "5".
type Percent float64

func (p *Percent) String() string { return strconv.FormatFloat(float64(*p), 'g', -1, 64) + "%" }
func (p *Percent) Set(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("want a percentage such as 5%%, not %q", s)
	}
	*p = Percent(v)
	return nil
}
