package rowspec

import (
	"slices"
	"testing"
)

func TestRatioPairs(t *testing.T) {
	names := []string{
		"Create/style=fork/cpu=same", "Create/style=fork/cpu=any", "Create/style=fork-minimal/cpu=same",
		"Create/style=thread/cpu=same", "Create/style=thread/cpu=any", "Create/style=vfork/cpu=same",
		"Create/style=goroutine/cpu=any", "Create/style=spawn/cpu=any",
		"Create/style=fork/cpu=same/probe=sched", "Create/style=pthread",
		"CloneFlags/flags=SIGCHLD/cpu=same", "CloneFlags/flags=VM|SIGCHLD/cpu=same", "CloneFlags/flags=VM|FILES|SIGCHLD/cpu=same",
		"Switch/mech=pipe/mode=process/cpu=same/ws=0", "Switch/mech=pipe/mode=thread/cpu=same/ws=0",
		"Switch/mech=pipe/mode=thread/cpu=any/ws=0", "Switch/mech=futex/mode=process/cpu=same/ws=0",
	}
	var specs []Spec
	for _, n := range names {
		specs = append(specs, MustParse(n))
	}
	var got []string
	for _, p := range RatioPairs(specs) {
		got = append(got, p.Num.String()+" / "+p.Den.String())
	}
	want := []string{
		"Create/style=fork/cpu=same / Create/style=thread/cpu=same",
		"Create/style=vfork/cpu=same / Create/style=thread/cpu=same",
		"Create/style=thread/cpu=any / Create/style=goroutine/cpu=any",
		"Create/style=fork/cpu=same / Create/style=fork-minimal/cpu=same",
		"Create/style=fork/cpu=any / Create/style=fork/cpu=same",
		"Create/style=thread/cpu=any / Create/style=thread/cpu=same",
		"Switch/mech=pipe/mode=process/cpu=same/ws=0 / Switch/mech=pipe/mode=thread/cpu=same/ws=0",
		"CloneFlags/flags=VM|SIGCHLD/cpu=same / CloneFlags/flags=SIGCHLD/cpu=same",
		"CloneFlags/flags=VM|FILES|SIGCHLD/cpu=same / CloneFlags/flags=VM|SIGCHLD/cpu=same",
	}
	if !slices.Equal(got, want) {
		t.Errorf("RatioPairs:\n got %q\nwant %q", got, want)
	}
}

// The headline ratios are fork/thread creation and the pipe and futex
// process/thread switch, pinned, and no other.
func TestRatioPairHeadline(t *testing.T) {
	for _, tc := range []struct {
		num, den string
		want     bool
	}{
		{"Create/style=fork/cpu=same", "Create/style=thread/cpu=same", true},
		{"Switch/mech=pipe/mode=process/cpu=same/ws=0", "Switch/mech=pipe/mode=thread/cpu=same/ws=0", true},
		{"Switch/mech=futex/mode=process/cpu=same/ws=0", "Switch/mech=futex/mode=thread/cpu=same/ws=0", true},
		{"Create/style=fork/cpu=any", "Create/style=thread/cpu=any", false},
		{"Create/style=vfork/cpu=same", "Create/style=thread/cpu=same", false},
		{"Switch/mech=pipe/mode=process/cpu=same/ws=16KiB", "Switch/mech=pipe/mode=thread/cpu=same/ws=16KiB", false},
		{"Switch/mech=eventfd/mode=process/cpu=same/ws=0", "Switch/mech=eventfd/mode=thread/cpu=same/ws=0", false},
		{"Switch/mech=pipe/mode=process/cpu=same/ws=0", "Switch/mech=futex/mode=thread/cpu=same/ws=0", false},
	} {
		if got := (RatioPair{MustParse(tc.num), MustParse(tc.den)}).Headline(); got != tc.want {
			t.Errorf("%s / %s: headline %v, want %v", tc.num, tc.den, got, tc.want)
		}
	}
}
