//go:build linux

package sysinfo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// CPUModel is the CPU model name from /proc/cpuinfo ("model name" on x86,
// falling back to the fields arm64 kernels print).
func CPUModel() (string, error) {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "", err
	}
	var fallback string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "model name":
			return v, nil
		case "Hardware", "CPU part":
			if fallback == "" {
				fallback = k + " " + v
			}
		}
	}
	if fallback != "" {
		return fallback, nil
	}
	return "", fmt.Errorf("/proc/cpuinfo: no model name")
}

// KernelRelease is uname -r.
func KernelRelease() (string, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", fmt.Errorf("uname: %w", err)
	}
	return unix.ByteSliceToString(u.Release[:]), nil
}

// Virtualization names the hypervisor and any container layer, joined with
// "+": "none", "kvm", "firecracker+docker", "gvisor". It asks
// systemd-detect-virt when present and otherwise reads DMI, the cpuinfo
// hypervisor flag and cgroup hints.
func Virtualization() (string, error) {
	vm, ctr := detectVirt("--vm"), detectVirt("--container")
	if vm == "" {
		vm = guessVM()
	}
	if ctr == "" {
		ctr = guessContainer()
	}
	// Firecracker is a KVM VMM without DMI tables; systemd says "kvm".
	if vm == "kvm" && isFirecracker() {
		vm = "firecracker"
	}
	var parts []string
	for _, p := range []string{vm, ctr} {
		if p != "" && p != "none" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "none", nil
	}
	return strings.Join(parts, "+"), nil
}

// detectVirt runs systemd-detect-virt with one flag; "" if it is missing
// or fails to answer. It exits 1 and prints "none" when nothing is found.
func detectVirt(flag string) string {
	path, err := exec.LookPath("systemd-detect-virt")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, path, flag).Output()
	return strings.TrimSpace(string(out))
}

func guessVM() string {
	vendor := readTrim("/sys/class/dmi/id/sys_vendor")
	product := readTrim("/sys/class/dmi/id/product_name")
	for _, m := range []struct{ substr, name string }{
		{"QEMU", "qemu"}, {"KVM", "kvm"}, {"Amazon EC2", "amazon"},
		{"Google", "google"}, {"Xen", "xen"}, {"VMware", "vmware"},
		{"innotek", "oracle"}, {"Microsoft", "microsoft"}, {"Parallels", "parallels"},
	} {
		if strings.Contains(vendor, m.substr) || strings.Contains(product, m.substr) {
			return m.name
		}
	}
	if t := readTrim("/sys/hypervisor/type"); t != "" {
		return t
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil && bytes.Contains(b, []byte(" hypervisor")) {
		return "vm"
	}
	return "none"
}

func guessContainer() string {
	if _, err := os.Stat("/.dockerenv"); err == nil {
		return "docker"
	}
	if _, err := os.Stat("/run/.containerenv"); err == nil {
		return "podman"
	}
	b, _ := os.ReadFile("/proc/1/cgroup")
	for _, m := range []struct{ substr, name string }{
		{"kubepods", "kubernetes"}, {"docker", "docker"}, {"lxc", "lxc"}, {"containerd", "containerd"},
	} {
		if bytes.Contains(b, []byte(m.substr)) {
			return m.name
		}
	}
	return "none"
}

func isFirecracker() bool {
	b, _ := os.ReadFile("/proc/cmdline")
	return bytes.Contains(b, []byte("firecracker"))
}

// Governor is the cpufreq scaling governor of every CPU, or the distinct
// values joined with "," when they differ; "none" without cpufreq (common
// in guests, where the host decides).
func Governor() (string, error) {
	paths, err := filepath.Glob("/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor")
	if err != nil {
		return "", err
	}
	if len(paths) == 0 {
		return "none", nil
	}
	seen := map[string]bool{}
	var govs []string
	for _, p := range paths {
		g := readTrim(p)
		if g != "" && !seen[g] {
			seen[g] = true
			govs = append(govs, g)
		}
	}
	if len(govs) == 0 {
		return "", fmt.Errorf("%s: unreadable", paths[0])
	}
	sort.Strings(govs)
	return strings.Join(govs, ","), nil
}

// THP is the selected transparent huge page mode ("always", "madvise",
// "never"), or "unavailable" when the kernel has none.
func THP() (string, error) {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if errors.Is(err, os.ErrNotExist) {
		return "unavailable", nil
	}
	if err != nil {
		return "", err
	}
	return selected(string(b))
}

// selected returns the bracketed word of a sysfs choice list
// ("always [madvise] never" → "madvise").
func selected(s string) (string, error) {
	i := strings.IndexByte(s, '[')
	j := strings.IndexByte(s, ']')
	if i < 0 || j < i {
		return "", fmt.Errorf("no selected value in %q", strings.TrimSpace(s))
	}
	return s[i+1 : j], nil
}

// Mitigations summarises /sys/devices/system/cpu/vulnerabilities: the
// vulnerabilities left open, those mitigated, how many do not apply, and
// the mitigations= kernel parameter when set, e.g.
// "vulnerable=spec_store_bypass mitigated=spectre_v1,spectre_v2 unaffected=14 cmdline=auto".
func Mitigations() (string, error) {
	const dir = "/sys/devices/system/cpu/vulnerabilities"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var vuln, mitig []string
	unaffected := 0
	for _, e := range ents {
		v := readTrim(filepath.Join(dir, e.Name()))
		switch {
		case strings.HasPrefix(v, "Not affected"):
			unaffected++
		case strings.HasPrefix(v, "Vulnerable"):
			vuln = append(vuln, e.Name())
		case strings.HasPrefix(v, "Mitigation"):
			mitig = append(mitig, e.Name())
		default:
			// Unknown wording (e.g. "Unknown: …"): count it as open.
			vuln = append(vuln, e.Name())
		}
	}
	var parts []string
	if len(vuln) > 0 {
		parts = append(parts, "vulnerable="+strings.Join(vuln, ","))
	}
	if len(mitig) > 0 {
		parts = append(parts, "mitigated="+strings.Join(mitig, ","))
	}
	parts = append(parts, "unaffected="+strconv.Itoa(unaffected))
	if c := cmdlineParam("mitigations"); c != "" {
		parts = append(parts, "cmdline="+c)
	}
	return strings.Join(parts, " "), nil
}

func cmdlineParam(name string) string {
	b, _ := os.ReadFile("/proc/cmdline")
	for _, f := range strings.Fields(string(b)) {
		if f == "--" {
			break // the rest belongs to init
		}
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v
		}
	}
	return ""
}

// LoadAvg is the 1, 5 and 15 minute load average from /proc/loadavg.
func LoadAvg() ([3]float64, error) {
	var l [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l, err
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return l, fmt.Errorf("/proc/loadavg: %q: too few fields", strings.TrimSpace(string(b)))
	}
	for i := range l {
		if l[i], err = strconv.ParseFloat(f[i], 64); err != nil {
			return l, fmt.Errorf("/proc/loadavg: %w", err)
		}
	}
	return l, nil
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// MemState is the memory state creation rows depend on, which drifts on
// one machine from run to run: available and free memory, the page cache,
// and anonymous memory in huge pages, in MiB ("avail=20480 free=18000
// cached=1500 anonhuge=0"). fork copies page tables and a machine short of
// free memory reclaims inside the op, so a shift here can move fork
// without any change to the kernel's fork.
func MemState() (string, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "", err
	}
	want := []struct{ key, name string }{
		{"MemAvailable", "avail"}, {"MemFree", "free"}, {"Cached", "cached"}, {"AnonHugePages", "anonhuge"},
	}
	got := map[string]int64{}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err == nil {
			got[k] = kb
		}
	}
	var parts []string
	for _, w := range want {
		if kb, ok := got[w.key]; ok {
			parts = append(parts, fmt.Sprintf("%s=%d", w.name, kb>>10))
		}
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("/proc/meminfo: none of MemAvailable, MemFree, Cached, AnonHugePages")
	}
	return strings.Join(parts, " "), nil
}

// Reclaim names the background memory work that can run beside a
// benchmark and change what fork finds: DAMON's kdamonds and their state
// (a pageout scheme pages out memory the parent then faults back), and
// THP's defrag mode and khugepaged's ("damon=0 thp-defrag=madvise
// khugepaged-defrag=1").
func Reclaim() (string, error) {
	var parts []string
	const damon = "/sys/kernel/mm/damon/admin/kdamonds"
	if b, err := os.ReadFile(damon + "/nr_kdamonds"); err == nil {
		n := strings.TrimSpace(string(b))
		d := "damon=" + n
		if k, _ := strconv.Atoi(n); k > 0 {
			var states []string
			for i := range k {
				if s, err := os.ReadFile(fmt.Sprintf("%s/%d/state", damon, i)); err == nil {
					states = append(states, strings.TrimSpace(string(s)))
				}
			}
			d += "(" + strings.Join(states, ",") + ")"
		}
		parts = append(parts, d)
	} else {
		parts = append(parts, "damon=none")
	}
	if b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/defrag"); err == nil {
		if s, err := selected(string(b)); err == nil {
			parts = append(parts, "thp-defrag="+s)
		}
	}
	if b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/khugepaged/defrag"); err == nil {
		parts = append(parts, "khugepaged-defrag="+strings.TrimSpace(string(b)))
	}
	return strings.Join(parts, " "), nil
}
