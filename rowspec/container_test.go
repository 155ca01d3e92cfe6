package rowspec

import "testing"

// TestContainerNames: the clone3, namespace, cgroup and pidfd families
// read back what they print, carry cpu= like every creation family, and
// refuse what they do not define.
func TestContainerNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"Clone3/style=fork/cpu=same", true},
		{"Clone3/style=thread/cpu=any", true},
		{"Clone3/style=vfork/cpu=same", false},
		{"Clone3/style=fork/cpu=cross", false},
		{"CreateNS/ns=net/cpu=same", true},
		{"CreateNS/ns=all/cpu=any", true},
		{"CreateNS/ns=time/cpu=same", false},
		{"CreateCgroup/how=into/cpu=same", true},
		{"CreateCgroup/how=migrate/cpu=any", true},
		{"CreateCgroup/how=write/cpu=any", false},
		{"CreatePidfd/wait=pidfd/cpu=same", true},
		{"CreatePidfd/wait=wait4/cpu=any", true},
		{"CreatePidfd/wait=waitpid/cpu=any", false},
	} {
		sp, err := Parse(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("Parse(%q) = %v, want ok %v", tc.name, err, tc.ok)
			continue
		}
		if err != nil {
			continue
		}
		if sp.String() != tc.name || !sp.Family.Creation() || sp.Family.Simulated() {
			t.Errorf("%q: prints %q, creation %v, simulated %v", tc.name, sp, sp.Family.Creation(), sp.Family.Simulated())
		}
	}
}
