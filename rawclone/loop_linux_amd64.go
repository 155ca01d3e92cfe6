package rawclone

// userTops are the tops of user space munmap may accept on amd64
// (TASK_SIZE_MAX: 56-bit with five-level paging, else 47-bit, less a
// page), highest first.
var userTops = []uint64{1<<56 - 4096, 1<<47 - 4096}
