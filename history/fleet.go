package history

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/perf/storage"

	"github.com/clonebench/clonebench/resultfile"
)

// Upload sends result files to an x/perf storage server (the perfdata
// app, or localperfdata with SQLite) as one upload, one part per file
// named by its base name, so the UTCTIME survives the round trip. It
// returns the upload's ID and each part's file ID.
func Upload(ctx context.Context, server string, paths []string) (*storage.UploadStatus, error) {
	c := &storage.Client{BaseURL: strings.TrimSuffix(server, "/")}
	u := c.NewUpload(ctx)
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			u.Abort()
			return nil, err
		}
		data, err := resultfile.ForStorage(raw, p)
		if err != nil {
			u.Abort()
			return nil, err
		}
		w, err := u.CreateFile(filepath.Base(p))
		if err != nil {
			u.Abort()
			return nil, fmt.Errorf("upload %s to %s: %w", p, server, err)
		}
		if _, err := w.Write(data); err != nil {
			// The server stopped reading: its answer says why.
			if _, cerr := u.Commit(); cerr != nil {
				err = cerr
			}
			return nil, fmt.Errorf("upload %s to %s: %w", p, server, err)
		}
	}
	st, err := u.Commit()
	if err != nil {
		return nil, fmt.Errorf("upload to %s: %w", server, err)
	}
	return st, nil
}

// serverLabels are the labels the storage server adds to every result;
// they are not the file's config.
var serverLabels = map[string]bool{"upload": true, "upload-part": true, "upload-time": true, "upload-file": true, "by": true}

// Query reads the results a storage query matches back into result files,
// one per uploaded part: the server keeps each result's file-level labels
// (the config lines) and its line, and resultfile parses the rebuilt text
// as it would the file. Each file's Path is SERVER/upload-part/UPLOADFILE,
// so its base name is the uploaded file's and orders by time.
func Query(ctx context.Context, server, q string) ([]*resultfile.File, error) {
	c := &storage.Client{BaseURL: strings.TrimSuffix(server, "/")}
	res := c.Query(ctx, q)
	defer res.Close()
	type part struct {
		name string
		text strings.Builder
		cur  map[string]string
	}
	parts := map[string]*part{}
	var order []string
	for res.Next() {
		r := res.Result()
		id := r.Labels["upload-part"]
		p := parts[id]
		if p == nil {
			file := r.Labels["upload-file"]
			if file == "" {
				file = "unnamed.txt"
			}
			p = &part{name: strings.TrimSuffix(server, "/") + "/" + id + "/" + file, cur: map[string]string{}}
			parts[id] = p
			order = append(order, id)
		}
		// Config lines where the labels change, as the file had them.
		var keys []string
		for k := range r.Labels {
			if !serverLabels[k] {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v := r.Labels[k]; p.cur[k] != v {
				fmt.Fprintf(&p.text, "%s: %s\n", resultfile.FromStorage(k), v)
				p.cur[k] = v
			}
		}
		var gone []string
		for k := range p.cur {
			if _, ok := r.Labels[k]; !ok {
				gone = append(gone, k)
			}
		}
		sort.Strings(gone)
		for _, k := range gone {
			fmt.Fprintf(&p.text, "%s:\n", resultfile.FromStorage(k))
			delete(p.cur, k)
		}
		fmt.Fprintf(&p.text, "%s\n", r.Content)
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("query %q on %s: %w", q, server, err)
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("query %q on %s: %w", q, server, resultfile.ErrNoResults)
	}
	var files []*resultfile.File
	for _, id := range order {
		p := parts[id]
		f, err := resultfile.Parse(strings.NewReader(p.text.String()), p.name)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}
