package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/clonebench/clonebench/history"
)

func (e *env) cmdUpload(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("upload", stderr, "-server URL FILE...")
	server := fs.String("server", "", "x/perf storage server `URL` (perfdata, or localperfdata)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *server == "" {
		return badInput("-server is required")
	}
	if fs.NArg() == 0 {
		return badInput("want result files to upload")
	}
	// Every file is checked before any is sent: a bad file is bad input,
	// and the store gets all or nothing.
	if _, err := readResults(fs.Args()...); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), serverTimeout)
	defer cancel()
	st, err := history.Upload(ctx, *server, fs.Args())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "upload %s: %s\n", st.UploadID, strings.Join(st.FileIDs, " "))
	if st.ViewURL != "" {
		fmt.Fprintln(stdout, st.ViewURL)
	}
	return nil
}
