package ab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Knob is a runtime kernel setting compared at two values: side A runs
// with Values[0], side B with Values[1].
type Knob struct {
	Path   string // as given, under /proc/sys or /sys
	Values [2]string
}

// String is the knob as -knob takes it.
func (k Knob) String() string { return k.Path + "=" + k.Values[0] + "," + k.Values[1] }

// knobDirs are where a setting may live: runtime kernel settings, not
// files of the system (a mistyped path must not write /etc).
var knobDirs = []string{"/proc/sys", "/sys"}

// Test hooks: the file system root knob paths resolve under, where the
// journal lives, and who we are.
var (
	knobRoot   = "/"
	journalDir = "/var/lib/clonebench"
	geteuid    = os.Geteuid
)

const journalName = "ab-knob.json"

// ParseKnob reads -knob's PATH=V1,V2 and refuses a path outside /proc/sys
// and /sys.
func ParseKnob(s string) (Knob, error) {
	path, vals, ok := strings.Cut(s, "=")
	vs := strings.Split(vals, ",")
	if !ok || len(vs) != 2 || strings.TrimSpace(vs[0]) == "" || strings.TrimSpace(vs[1]) == "" || strings.ContainsAny(vals, "\n") {
		return Knob{}, badInput("-knob %q: want PATH=V1,V2 (e.g. /sys/kernel/mm/transparent_hugepage/enabled=always,never)", s)
	}
	k := Knob{Path: filepath.Clean(path), Values: [2]string{strings.TrimSpace(vs[0]), strings.TrimSpace(vs[1])}}
	if !filepath.IsAbs(path) || !underKnobDirs(k.Path) {
		return Knob{}, badInput("-knob %s: not under /proc/sys or /sys: ab changes runtime kernel settings only", path)
	}
	return k, nil
}

func underKnobDirs(p string) bool {
	for _, d := range knobDirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// setting is a knob in use: its file, the value to restore, and the
// journal that restores it should we be killed.
type setting struct {
	knob    Knob
	file    string
	orig    string
	journal *os.File
}

// openSetting checks the knob can be used (root, a readable file whose
// original state can be told, both values accepted), and journals the
// original value before the first write. On error nothing is left changed.
func openSetting(k Knob) (_ *setting, err error) {
	if err := knobSupported(); err != nil {
		return nil, badInput("-knob: %w", err)
	}
	if uid := geteuid(); uid != 0 {
		return nil, badInput("-knob %s: writing a kernel setting needs root (running as uid %d)", k.Path, uid)
	}
	file := filepath.Join(knobRoot, k.Path)
	if err := checkResolved(file); err != nil {
		return nil, badInput("-knob %s: %v", k.Path, err)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, badInput("-knob %s: %v", k.Path, unwrapPath(err))
	}
	orig, err := original(string(raw), k.Values)
	if err != nil {
		return nil, badInput("-knob %s: %v", k.Path, err)
	}
	s := &setting{knob: k, file: file, orig: orig}
	if s.journal, err = writeJournal(file, orig); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			if rerr := s.restore(); rerr != nil {
				err = fmt.Errorf("%w; %w", err, rerr)
			}
		}
	}()
	for _, v := range k.Values {
		if err := s.set(v); err != nil {
			return nil, badInput("-knob %s: %w", k.Path, err)
		}
	}
	return s, nil
}

// checkResolved refuses a path whose symbolic links lead out of /proc/sys
// and /sys.
func checkResolved(file string) error {
	root, err := filepath.EvalSymlinks(knobRoot)
	if err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(file)
	if err != nil {
		return unwrapPath(err)
	}
	rel, err := filepath.Rel(root, real)
	if err != nil || !underKnobDirs("/"+filepath.ToSlash(rel)) {
		return fmt.Errorf("resolves to %s, outside /proc/sys and /sys", real)
	}
	return nil
}

// set writes v and reads it back: a value the kernel rounds, refuses
// silently or overrides is an error, not a sample under the wrong setting.
func (s *setting) set(v string) error {
	f, err := os.OpenFile(s.file, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("writing %q: %w", v, unwrapPath(err))
	}
	_, err = io.WriteString(f, v+"\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %q: %w", v, unwrapPath(err))
	}
	raw, err := os.ReadFile(s.file)
	if err != nil {
		return fmt.Errorf("reading back: %w", unwrapPath(err))
	}
	if !took(string(raw), v) {
		return fmt.Errorf("wrote %q, reads back %q", v, strings.TrimSpace(string(raw)))
	}
	return nil
}

// restore writes the original value back and removes the journal; if it
// cannot, the journal stays for the next session to try.
func (s *setting) restore() error {
	if s.journal == nil {
		return nil
	}
	if err := s.set(s.orig); err != nil {
		return fmt.Errorf("restoring %s to %q: %w (the journal %s is kept: the next runbench ab retries)", s.knob.Path, s.orig, err, journalPath())
	}
	os.Remove(journalPath())
	s.journal.Close()
	s.journal = nil
	return nil
}

// A setting's state, as a read of its file says:
//   - a sysfs choice list ("always [madvise] never"): the bracketed word;
//   - a list of flags (sched features: several words, each a name like
//     NO_TTWU_QUEUE, none a number): a value is in effect when it is one
//     of the words;
//   - anything else (a sysctl): the text, white space normalised.
var flagWord = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

func choice(raw string) (string, bool) {
	i, j := strings.IndexByte(raw, '['), strings.IndexByte(raw, ']')
	if i < 0 || j < i {
		return "", false
	}
	return raw[i+1 : j], true
}

func flagList(raw string) bool {
	if _, ok := choice(raw); ok {
		return false
	}
	ws := strings.Fields(raw)
	if len(ws) < 2 {
		return false
	}
	for _, w := range ws {
		if !flagWord.MatchString(w) {
			return false
		}
	}
	return true
}

func normal(s string) string { return strings.Join(strings.Fields(s), " ") }

// took reports whether a read raw of the setting shows v in effect.
func took(raw, v string) bool {
	if c, ok := choice(raw); ok {
		return c == normal(v)
	}
	if flagList(raw) && len(strings.Fields(v)) == 1 {
		return slices.Contains(strings.Fields(raw), v)
	}
	return normal(raw) == normal(v)
}

// original is the value that puts the setting back as raw reads: the
// choice, the one of vals a flag list holds, or the text.
func original(raw string, vals [2]string) (string, error) {
	if c, ok := choice(raw); ok {
		return c, nil
	}
	if flagList(raw) {
		ws := strings.Fields(raw)
		a, b := slices.Contains(ws, vals[0]), slices.Contains(ws, vals[1])
		if a == b {
			return "", fmt.Errorf("a list of flags that holds %s of %s and %s: cannot tell which to restore (give a flag and its NO_ form)",
				map[bool]string{true: "both", false: "neither"}[a], vals[0], vals[1])
		}
		if a {
			return vals[0], nil
		}
		return vals[1], nil
	}
	if strings.TrimSpace(raw) == "" {
		return "", errors.New("reads empty: no value to restore")
	}
	return normal(raw), nil
}

// journalEntry is what a killed session leaves for the next to restore.
type journalEntry struct {
	Path  string `json:"path"`
	Value string `json:"value"`
	PID   int    `json:"pid"`
}

func journalPath() string { return filepath.Join(journalDir, journalName) }

// writeJournal records file's original value before the first write. The
// journal appears already locked (written aside, locked, then linked into
// place), so a lock that can be taken means its session is gone.
func writeJournal(file, orig string) (*os.File, error) {
	if err := os.MkdirAll(journalDir, 0o700); err != nil {
		return nil, fmt.Errorf("-knob: the journal of the original value: %w", err)
	}
	f, err := os.CreateTemp(journalDir, ".ab-knob-*")
	if err != nil {
		return nil, fmt.Errorf("-knob: the journal of the original value: %w", err)
	}
	defer os.Remove(f.Name())
	b, _ := json.Marshal(journalEntry{Path: file, Value: orig, PID: os.Getpid()})
	if err := lockFile(f, true); err == nil {
		_, err = f.Write(append(b, '\n'))
		if err == nil {
			err = f.Sync()
		}
	}
	if err == nil {
		err = os.Link(f.Name(), journalPath())
	}
	if err != nil {
		f.Close()
		if errors.Is(err, os.ErrExist) {
			return nil, badInput("-knob: %s exists: another runbench ab -knob is running", journalPath())
		}
		return nil, fmt.Errorf("-knob: writing the journal %s: %w", journalPath(), err)
	}
	return f, nil
}

// recoverJournal restores a setting a killed session left changed, says
// so, and removes the journal. A journal whose session still runs (its
// lock held) is left alone.
func recoverJournal(stderr io.Writer) error {
	path := journalPath()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the knob journal: %w", err)
	}
	defer f.Close()
	if err := lockFile(f, false); err != nil {
		return nil // its session is alive (or locks are unsupported here)
	}
	// Removed and replaced between our open and our lock: not ours to
	// restore.
	fi, err1 := f.Stat()
	pi, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(fi, pi) {
		return nil
	}
	var j journalEntry
	b, err := io.ReadAll(f)
	if err == nil {
		err = json.Unmarshal(b, &j)
	}
	if err != nil || j.Path == "" {
		os.Remove(path)
		return fmt.Errorf("removed the unreadable knob journal %s: %v", path, err)
	}
	if uid := geteuid(); uid != 0 {
		return fmt.Errorf("a runbench ab -knob (pid %d) was killed leaving %s changed; run runbench ab as root to restore it to %q", j.PID, j.Path, j.Value)
	}
	s := &setting{file: j.Path}
	if err := s.set(j.Value); err != nil {
		return fmt.Errorf("restoring %s, left changed by a killed runbench ab -knob (pid %d): %w", j.Path, j.PID, err)
	}
	os.Remove(path)
	fmt.Fprintf(stderr, "[runbench] ab: restored %s to %q, left changed by runbench ab -knob (pid %d), which was killed\n", j.Path, j.Value, j.PID)
	return nil
}
