package history

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/perf/storage"
	"golang.org/x/perf/storage/benchfmt"

	"github.com/clonebench/clonebench/resultfile"
)

// Upload sends result files to an x/perf storage server (the perfdata
// app, or localperfdata with SQLite) as one upload, one part per file
// named by its base name, so the UTCTIME survives the round trip. It
// returns the upload's ID and each part's file ID.
//
// The request is built whole before it is sent (result files are small),
// rather than streamed through storage.Client's pipe: a failed stream
// ends in "io: read/write on closed pipe" and the server's real answer is
// lost. ctx's deadline bounds the whole exchange.
func Upload(ctx context.Context, server string, paths []string) (*storage.UploadStatus, error) {
	var body bytes.Buffer
	mpw := multipart.NewWriter(&body)
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		data, err := resultfile.ForStorage(raw, p)
		if err != nil {
			return nil, err
		}
		w, err := mpw.CreateFormFile("file", filepath.Base(p))
		if err != nil {
			return nil, err
		}
		w.Write(data)
	}
	mpw.WriteField("commit", "1")
	mpw.Close()
	endpoint := strings.TrimSuffix(server, "/") + "/upload"
	req, err := http.NewRequestWithContext(ctx, "POST", endpoint, bytes.NewReader(body.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("upload to %s: %w", server, err)
	}
	req.Header.Set("Content-Type", mpw.FormDataContentType())
	req.Header.Set("User-Agent", "golang.org/x/perf/storage")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("upload to %s: %w", server, err)
	}
	defer resp.Body.Close()
	if err := replyError(resp); err != nil {
		return nil, fmt.Errorf("upload to %s: %w", server, err)
	}
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("upload to %s: reading the reply: %w", server, err)
	}
	st := &storage.UploadStatus{}
	if err := json.Unmarshal(reply, st); err != nil || st.UploadID == "" {
		return nil, fmt.Errorf("upload to %s: %w: not a storage server's upload status (%s): %q", server, ErrBadReply, resp.Header.Get("Content-Type"), snippet(reply))
	}
	return st, nil
}

// ErrBadReply: the server answered 200 with something else than its
// protocol's reply (a login page, a proxy's error page).
var ErrBadReply = errors.New("bad reply")

// replyError is the error a non-200 answer stands for: the status, and
// the start of the body, which is where servers say why.
func replyError(resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if s := snippet(b); s != "" {
		return fmt.Errorf("HTTP %s: %s", resp.Status, s)
	}
	return fmt.Errorf("HTTP %s", resp.Status)
}

// snippet is the start of a reply body, on one line.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
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
	u := strings.TrimSuffix(server, "/") + "/search?" + url.Values{"q": {q}}.Encode()
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, fmt.Errorf("query %q on %s: %w", q, server, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("query %q on %s: %w", q, server, err)
	}
	defer resp.Body.Close()
	if err := replyError(resp); err != nil {
		return nil, fmt.Errorf("query %q on %s: %w", q, server, err)
	}
	res := benchfmt.NewReader(resp.Body)
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
