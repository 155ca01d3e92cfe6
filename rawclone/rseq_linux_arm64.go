package rawclone

// rseqSig is the signature glibc registers rseq with on arm64 (RSEQ_SIG,
// the encoding of "brk #0x45e0"): the kernel checks it before an abort
// handler, which our tasks never have, but a task that registers as glibc
// does passes the same value.
const rseqSig = 0xd428bc00
