package rawclone

// Word is a 32-bit futex word in its own page of MAP_SHARED anonymous memory,
// so that it is the same word in a fork-style child (which runs in a copy of
// our address space) and FUTEX_WAIT/FUTEX_WAKE without FUTEX_PRIVATE_FLAG
// pair up between processes. Create it with NewWord before the clone and
// Free it after every task using it has ended.
type Word struct {
	mem []byte
}
