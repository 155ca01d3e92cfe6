// Package reportdir places a report's directory: complete or absent,
// never half-drawn, never over another report, and never removing a
// directory the user made for it.
package reportdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/clonebench/clonebench/resultfile"
)

// Draw draws a report into the directory dir, which exists and is empty.
type Draw func(dir string) error

// Beside draws into the directory named as the result file at path
// without its extension, or name-2 … if that is taken, and returns it.
func Beside(path string, draw Draw) (string, error) {
	base := strings.TrimSuffix(path, filepath.Ext(path))
	for i := 1; i < 1000; i++ {
		dir := base
		if i > 1 {
			dir = fmt.Sprintf("%s-%d", base, i)
		}
		if _, err := os.Lstat(dir); err == nil {
			continue
		}
		d, err := Into(dir, draw)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return d, err
	}
	return "", fmt.Errorf("%s: no free report directory name", base)
}

// Into draws into a temporary directory beside dir and renames it into
// place, so a report is complete or absent, never half-drawn. An existing
// dir is an error wrapping os.ErrExist.
func Into(dir string, draw Draw) (string, error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	removeStale(parent, time.Now().Add(-staleAge))
	tmp, err := os.MkdirTemp(parent, ".report-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // gone after a successful rename
	if err := draw(tmp); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	// rename(2) replaces only an empty directory; a report with files in
	// it stays as it was.
	if err := os.Rename(tmp, dir); err != nil {
		if errors.Is(err, os.ErrExist) || errors.Is(err, errNotEmpty) {
			return "", fmt.Errorf("%s: %w", dir, os.ErrExist)
		}
		return "", err
	}
	return dir, nil
}

// IntoEmpty draws into an existing empty directory, which it never
// removes: into a temporary directory inside it (the same file system, so
// a mount point works, and the parent need not be writable), whose files
// are then moved up. A failed draw leaves dir as it was, empty; so does a
// failed move, which takes back the files it moved.
func IntoEmpty(dir string, draw Draw) (string, error) {
	removeStale(filepath.Dir(dir), time.Now().Add(-staleAge))
	tmp, err := os.MkdirTemp(dir, ".report-*")
	if err != nil {
		return "", fmt.Errorf("-o %s: %w", dir, resultfile.UnwrapPath(err))
	}
	defer os.RemoveAll(tmp)
	if err := draw(tmp); err != nil {
		return "", err
	}
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return "", err
	}
	var moved []string
	for _, ent := range ents {
		from, to := filepath.Join(tmp, ent.Name()), filepath.Join(dir, ent.Name())
		if _, err = os.Lstat(to); err == nil {
			err = fmt.Errorf("%s: %w (written meanwhile)", to, os.ErrExist)
		} else {
			err = os.Rename(from, to)
		}
		if err != nil {
			for _, m := range moved {
				os.RemoveAll(m)
			}
			return "", fmt.Errorf("-o %s: %w", dir, err)
		}
		moved = append(moved, to)
	}
	return dir, nil
}

// staleAge: a .report-* directory older than this belongs to a report
// that was killed; none takes minutes to draw.
const staleAge = 10 * time.Minute

// removeStale removes temporary report directories left in parent by
// killed runs, last modified before cutoff; a younger one may be a report
// being drawn now.
func removeStale(parent string, cutoff time.Time) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, ent := range ents {
		if !ent.IsDir() || !strings.HasPrefix(ent.Name(), ".report-") {
			continue
		}
		if fi, err := ent.Info(); err == nil && fi.ModTime().Before(cutoff) {
			os.RemoveAll(filepath.Join(parent, ent.Name()))
		}
	}
}
