package rawclone

// rseqSig is the signature glibc registers rseq with on x86 (RSEQ_SIG):
// the kernel checks it before an abort handler, which our tasks never have,
// but a task that registers as glibc does passes the same value.
const rseqSig = 0x53053053
