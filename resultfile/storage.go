package resultfile

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/clonebench/clonebench/rowspec"
)

// StoragePrefix starts the storage label of a config key that is also a
// label the server takes from a benchmark name. x/perf's storage server
// keeps a result's file config and the labels of its name in one set per
// record, and refuses an upload where both have a key (SQLite: UNIQUE
// constraint failed: RecordLabels…). From a name it takes "name" (the base
// name), "gomaxprocs" (go test's -N suffix) and each key=value part; so
// runbench's "cpu: <model>", "thp: madvise" and "gomaxprocs: 2" lines meet
// the rows' cpu=, thp= and -2. Such a line is stored as "config-cpu: …".
const StoragePrefix = "config-"

// nameKeys are the labels the server takes from a name: its own two, and
// the keys row names use, from rowspec (their one owner).
func nameKeys() map[string]bool {
	keys := map[string]bool{"name": true, "gomaxprocs": true}
	for _, f := range rowspec.Families() {
		for _, k := range f.Keys() {
			keys[string(k)] = true
		}
	}
	return keys
}

// ForStorage rewrites a result file for the storage server: the same
// results, config keys that are row-name keys renamed StoragePrefix+key.
// Skip lines are not results and are dropped, as the server would.
func ForStorage(raw []byte, name string) ([]byte, error) {
	keys := nameKeys()
	var out bytes.Buffer
	w := benchfmt.NewWriter(&out)
	br := benchfmt.NewReader(bytes.NewReader(raw), name)
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			continue
		case *benchfmt.Result:
			for i, c := range rec.Config {
				if c.File && keys[c.Key] {
					rec.Config[i].Key = StoragePrefix + c.Key
				}
			}
			if err := w.Write(rec); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		default:
			if err := w.Write(rec); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	if err := br.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out.Bytes(), nil
}

// FromStorage is the config key of a storage label: ForStorage's renaming
// undone.
func FromStorage(label string) string {
	if k, ok := strings.CutPrefix(label, StoragePrefix); ok && nameKeys()[k] {
		return k
	}
	return label
}
