package procfs

// kcmp(2) resource types (linux/kcmp.h): which structure Kcmp compares.
// golang.org/x/sys/unix does not define them.
const (
	KcmpVM      = 1 // the address space (CLONE_VM)
	KcmpFiles   = 2 // the fd table (CLONE_FILES)
	KcmpFS      = 3 // cwd, root and umask (CLONE_FS)
	KcmpSighand = 4 // the signal handler table (CLONE_SIGHAND)
	KcmpIO      = 5 // the I/O context (CLONE_IO)
	KcmpSysvsem = 6 // the System V semaphore undo list (CLONE_SYSVSEM)
)
