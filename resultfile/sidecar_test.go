package resultfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clonebench/clonebench/hist"
)

func TestReadSidecar(t *testing.T) {
	dir := t.TempDir()
	res := filepath.Join(dir, "20260101T000000Z.txt")
	if got, err := ReadSidecar(res); got != nil || err != nil {
		t.Errorf("no sidecar: %v, %v; want nil, nil", got, err)
	}
	var h hist.Histogram
	for v := uint64(1000); v < 2000; v++ {
		h.Record(v)
	}
	var b strings.Builder
	name := "BenchmarkSwitch/mech=pipe/mode=thread/cpu=same/ws=0-2"
	if err := hist.Write(&b, []hist.Entry{{Name: name, Kind: hist.KindRoundTrip, Samples: 1, Hist: &h}}); err != nil {
		t.Fatal(err)
	}
	side := filepath.Join(dir, "20260101T000000Z.hist")
	if err := os.WriteFile(side, []byte(b.String()+b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSidecar(res)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != name || got[0].Hist.Count() != 2*h.Count() || got[0].Samples != 2 {
		t.Fatalf("read %+v, want one merged entry of %d values", got, 2*h.Count())
	}
	if err := os.WriteFile(side, []byte(hist.Header+"\nH x roundtrip 1 7=x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSidecar(res); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), ".hist:2") {
		t.Errorf("bad sidecar: %v, want ErrMalformed naming the file and line 2", err)
	}
}
