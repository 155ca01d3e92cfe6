package rawclone

// userTops are the tops of user space munmap may accept on arm64
// (TASK_SIZE, 1<<VA_BITS for the kernel's page size and levels), highest
// first.
var userTops = []uint64{1 << 52, 1 << 48, 1 << 47, 1 << 42, 1 << 39}
