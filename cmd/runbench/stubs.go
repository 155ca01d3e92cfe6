package main

import (
	"errors"
	"io"
)

func (e *env) cmdReport(stdout, stderr io.Writer, args []string) error    { return errors.New("todo") }
func (e *env) cmdVerify(stdout, stderr io.Writer, args []string) error    { return errors.New("todo") }
func (e *env) cmdCalibrate(stdout, stderr io.Writer, args []string) error { return errors.New("todo") }
func writeReport(dir string, files []string, baseline string) ([]string, error) {
	return nil, errors.New("todo")
}
func (e *env) reportBeside(path, baseline string) (string, error) { return "", errors.New("todo") }
