package resultfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/clonebench/clonebench/rowspec"
)

// RowProfile is one profiled row's pprof sidecar: its samples' profiles
// merged, and the ops they ran, so a function's time per op is its value
// over Ops.
type RowProfile struct {
	Row     string // the profiled row's name, …/pprof=cpu
	Ops     int64
	Profile *profile.Profile
	Path    string // the sidecar it was read from
}

// The comment lines a profile sidecar carries for the reader: which row,
// and over how many ops. pprof shows them as comments.
const (
	profileRowPrefix = "row: "
	profileOpsPrefix = "ops: "
	profileExt       = ".pprof"
)

// ProfilePath is the pprof sidecar of row in the result file at result:
// UTCTIME.txt → UTCTIME.ROW.pprof, ROW the plain row's name with '/' as
// '.', '|' as '+' and anything outside [A-Za-z0-9=+._-] as '_', so every
// name is one safe file name on every system. The name is for people; the
// reader takes the row from the profile's "row:" comment.
func ProfilePath(result, row string) string {
	base := result
	if i := strings.LastIndexByte(result, '.'); i > strings.LastIndexByte(result, '/') {
		base = result[:i]
	}
	if sp, err := rowspec.Parse(row); err == nil {
		row = sp.Plain().String()
	}
	var b strings.Builder
	for _, r := range row {
		switch {
		case r == '/':
			b.WriteByte('.')
		case r == '|':
			b.WriteByte('+')
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("=+._-", r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return base + "." + b.String() + profileExt
}

// WriteProfile writes rp beside the result file with WriteNew (never over
// an existing file), adding the row and ops comments.
func WriteProfile(result string, rp RowProfile) (string, error) {
	p := rp.Profile.Copy()
	p.Comments = append([]string{profileRowPrefix + rp.Row, profileOpsPrefix + strconv.FormatInt(rp.Ops, 10)}, p.Comments...)
	path := ProfilePath(result, rp.Row)
	return path, WriteNew(path, func(w io.Writer) error { return p.Write(w) })
}

// ReadProfiles reads every pprof sidecar of the result file at result,
// sorted by row. A result file without any has none: nil, nil.
func ReadProfiles(result string) ([]RowProfile, error) {
	if result == "" {
		return nil, nil
	}
	base := strings.TrimSuffix(ProfilePath(result, "x"), "x"+profileExt)
	paths, err := filepath.Glob(globEscape(base) + "*" + profileExt)
	if err != nil {
		return nil, err
	}
	var out []RowProfile
	for _, path := range paths {
		rp, err := ReadProfile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	return out, nil
}

// ReadProfile reads one pprof sidecar.
func ReadProfile(path string) (RowProfile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return RowProfile{}, fmt.Errorf("profile sidecar: %w", err)
	}
	p, err := profile.Parse(bytes.NewReader(b))
	if err != nil {
		return RowProfile{}, fmt.Errorf("%s: %w: %w", path, ErrMalformed, err)
	}
	rp := RowProfile{Profile: p, Path: path}
	for _, c := range p.Comments {
		if v, ok := strings.CutPrefix(c, profileRowPrefix); ok && rp.Row == "" {
			rp.Row = v
		}
		if v, ok := strings.CutPrefix(c, profileOpsPrefix); ok && rp.Ops == 0 {
			if rp.Ops, err = strconv.ParseInt(v, 10, 64); err != nil || rp.Ops <= 0 {
				return RowProfile{}, fmt.Errorf("%s: %w: ops comment %q", path, ErrMalformed, c)
			}
		}
	}
	if rp.Row == "" || rp.Ops == 0 {
		return RowProfile{}, fmt.Errorf("%s: %w: no row or ops comment", path, ErrMalformed)
	}
	return rp, nil
}

// globEscape quotes the glob metacharacters in a literal path.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
