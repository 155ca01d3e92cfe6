package workloads

import (
	"errors"
	"github.com/clonebench/clonebench/rowspec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The names are what benchstat slices on: every Switch row has the same
// keys in the same order, and each meaningful combination exists once.
func TestSwitchRowNames(t *testing.T) {
	pat := map[rowspec.Family]*regexp.Regexp{
		"Switch":         regexp.MustCompile(`^Switch/mech=(pipe|futex|eventfd|unix|yield|chan)/mode=(process|thread|goroutine)/cpu=(same|cross|any|smt|llc|xllc|xnode)/ws=(0|16KiB|256KiB|1MiB)$`),
		"SwitchOverhead": regexp.MustCompile(`^SwitchOverhead/mech=(pipe|futex|eventfd|unix|yield|chan)$`),
		"SwitchPairs":    regexp.MustCompile(`^SwitchPairs/mode=(process|thread)/pairs=[1-9][0-9]*/cpu=(same|any)$`),
	}
	seen := map[string]bool{}
	for fam, re := range pat {
		rows := Family(fam)
		if len(rows) == 0 {
			t.Errorf("family %s has no rows", fam)
		}
		for _, r := range rows {
			if !re.MatchString(r.Name) {
				t.Errorf("%s: name does not match %s", r.Name, re)
			}
			if seen[r.Name] {
				t.Errorf("%s registered twice", r.Name)
			}
			seen[r.Name] = true
			if r.Doc == "" || r.Run == nil || r.Suites&Full == 0 {
				t.Errorf("%s: missing doc, run or Full suite", r.Name)
			}
		}
	}
	for _, want := range []string{
		"Switch/mech=pipe/mode=process/cpu=same/ws=0",
		"Switch/mech=pipe/mode=thread/cpu=cross/ws=1MiB",
		"Switch/mech=futex/mode=process/cpu=same/ws=256KiB",
		"Switch/mech=yield/mode=thread/cpu=same/ws=16KiB",
		"Switch/mech=unix/mode=process/cpu=any/ws=0",
		"Switch/mech=eventfd/mode=thread/cpu=cross/ws=0",
		"Switch/mech=pipe/mode=goroutine/cpu=same/ws=0",
		"Switch/mech=chan/mode=goroutine/cpu=any/ws=0",
		"SwitchPairs/mode=thread/pairs=1/cpu=same",
		"SwitchPairs/mode=thread/pairs=1/cpu=any",
	} {
		if !seen[want] {
			t.Errorf("row %s missing", want)
		}
	}
	for _, absent := range []string{
		"Switch/mech=yield/mode=process/cpu=cross/ws=0", // yield hands over on one CPU only
		"Switch/mech=chan/mode=process/cpu=same/ws=0",
		"Switch/mech=futex/mode=goroutine/cpu=any/ws=0",
	} {
		if seen[absent] {
			t.Errorf("row %s should not exist", absent)
		}
	}
}

// Quick is what runbench runs by default: small, with the rows the issue
// names.
func TestSwitchQuickSuite(t *testing.T) {
	var quick []string
	for _, fam := range []rowspec.Family{rowspec.Switch, rowspec.SwitchOverhead, rowspec.SwitchPairs} {
		for _, r := range Family(fam) {
			if r.Suites&Quick != 0 {
				quick = append(quick, r.Name)
			}
		}
	}
	if len(quick) > 12 {
		t.Errorf("%d switch rows in Quick, want at most 12: %s", len(quick), strings.Join(quick, " "))
	}
	for _, want := range []string{
		"Switch/mech=pipe/mode=process/cpu=same/ws=0",
		"Switch/mech=pipe/mode=thread/cpu=same/ws=0",
		"Switch/mech=pipe/mode=process/cpu=any/ws=0",
		"Switch/mech=pipe/mode=thread/cpu=any/ws=0",
		"Switch/mech=futex/mode=process/cpu=same/ws=0",
		"Switch/mech=futex/mode=thread/cpu=same/ws=0",
		"Switch/mech=chan/mode=goroutine/cpu=any/ws=0",
	} {
		found := false
		for _, q := range quick {
			found = found || q == want
		}
		if !found {
			t.Errorf("%s not in Quick", want)
		}
	}
}

func TestSwitchNeeds(t *testing.T) {
	for _, r := range Family(rowspec.Switch) {
		cross := r.Spec.CPU.TwoCPUs()
		if cross != (r.Needs.CPUs == 2) {
			t.Errorf("%s: Needs.CPUs = %d", r.Name, r.Needs.CPUs)
		}
		topo := slices.Contains(topologyCPUs, r.Spec.CPU)
		if topo != (r.SkipReason != nil) {
			t.Errorf("%s: a topology placement must ask the topology whether it can run (SkipReason set: %v)", r.Name, r.SkipReason != nil)
		}
		chanRow := strings.Contains(r.Name, "/mech=chan/")
		if r.Needs.Linux == chanRow {
			t.Errorf("%s: Needs.Linux = %v", r.Name, r.Needs.Linux)
		}
	}
}

func metricOf(res Result, unit string) (float64, bool) {
	for _, m := range res.Metrics {
		if m.Unit == unit {
			return m.Value, true
		}
	}
	return 0, false
}

func TestSwitchResultArithmetic(t *testing.T) {
	res, err := switchResult(switchSides{
		n: 100, elapsed: 1000 * time.Microsecond, nvcsw: 200, nivcsw: 3,
		overheadPerOp: 1 * time.Microsecond, overheadMeasure: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for unit, want := range map[string]float64{
		"ns/switch": 5000, "ns/switch-net": 4000, "ctxsw/op": 2.03, "ictxsw/op": 0.03,
	} {
		if got, ok := metricOf(res, unit); !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", unit, got, ok, want)
		}
	}
	if res.PerOp() != 10000 {
		t.Errorf("ns/op = %v, want 10000", res.PerOp())
	}
	if _, err := switchResult(switchSides{n: 10}); err == nil {
		t.Error("zero elapsed accepted")
	}
}

// The channel row runs on every platform.
func TestSwitchChan(t *testing.T) {
	res, err := runSwitch(switchSpec{mechChan, modeGoroutine, cpuAny, 0}, 500, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.N != 500 || res.Elapsed <= 0 {
		t.Fatalf("result %+v", res)
	}
	if _, ok := metricOf(res, "ns/switch-net"); !ok {
		t.Error("no ns/switch-net")
	}
}

func TestSwitchUnsupportedWraps(t *testing.T) {
	if !errors.Is(errSwitchUnsupported, errors.ErrUnsupported) {
		t.Fatal("errSwitchUnsupported does not wrap errors.ErrUnsupported")
	}
}
