package sysinfo

// The config keys a result file carries. They are a contract: stored
// results and nightly baselines are compared on them, so a key is added,
// never renamed. Every package names them through these constants.
const (
	KeyGOOS           = "goos"
	KeyGOARCH         = "goarch"
	KeyPkg            = "pkg"
	KeyCPU            = "cpu"
	KeyKernel         = "kernel"
	KeyNproc          = "nproc"
	KeyVirtualization = "virtualization"
	KeyGovernor       = "governor"
	KeyTHP            = "thp"
	KeyMitigations    = "mitigations"
	KeyLoadavg        = "loadavg"
	KeyMem            = "mem"
	KeyReclaim        = "reclaim"
	KeyGOMAXPROCS     = "gomaxprocs"
	// KeyCPULimit is the tightest cgroup CPU quota ("none", or "0.50 cpus
	// (cpu.max at DIR)"), KeyCPUThrottled how often it throttled the run
	// ("94 of 98 periods", written after measuring), KeyTracingBPF how
	// many tracing BPF programs were loaded ("0", "unknown" without root):
	// each distorts every row.
	KeyCPULimit     = "cpu-limit"
	KeyCPUThrottled = "cpu-throttled"
	KeyTracingBPF   = "bpf-tracing"
	KeyGo           = "go"
	KeyHost         = "host"
	// KeyCommit is the suite's own commit, KeyPartial "true" in an
	// interrupted run's file, KeySim "true" in simkernel's own files.
	KeyCommit  = "commit"
	KeyPartial = "partial"
	KeySim     = "sim"
	// KeyProfile names the calibration profile of a simulated run,
	// KeyLatencyRecording says whether per-op latencies were recorded
	// ("on", or "off: why").
	KeyProfile          = "profile"
	KeyLatencyRecording = "latency-recording"
	// runbench ab's files: the side (A or B), the executable it ran, the
	// kernel setting it ran with (PATH=VALUE).
	KeyABSide   = "ab-side"
	KeyABBinary = "ab-binary"
	KeyABKnob   = "ab-knob"
)

// KernelSim is KeyKernel's value in a simulated run.
const KernelSim = "sim"

// MachineKeys are the facts that identify a machine: its hardware and its
// host. Results that differ in any of them are not comparable (without
// -force). The kernel and its settings are not among them: they are what
// this suite's users change on one machine; ConfigKeys are those.
var MachineKeys = []string{
	KeyGOOS, KeyGOARCH, KeyCPU, KeyNproc, KeyVirtualization, KeyHost,
}

// ConfigKeys are the configuration under test: the kernel and the settings
// a kernel engineer changes between two runs on one machine. Runs that
// differ in them are comparable, and a comparison names what differs.
var ConfigKeys = []string{
	KeyKernel, KeyGovernor, KeyTHP, KeyMitigations,
}

// StateKeys are the facts that describe the machine's state at the start
// of a run: the load and the memory state creation rows depend on.
var StateKeys = []string{KeyLoadavg, KeyMem, KeyReclaim, KeyCPULimit, KeyCPUThrottled, KeyTracingBPF}
