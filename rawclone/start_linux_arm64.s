//go:build linux && arm64

#include "textflag.h"

// func spinUntilSet(flag *uint32)
// Spins until *flag is non-zero. LDARW is a load-acquire, so nothing of
// the loop is read or timed before the flag is seen; YIELD hints the core
// between reads.
TEXT ·spinUntilSet(SB),NOSPLIT,$0-8
	MOVD	flag+0(FP), R0
spin:
	LDARW	(R0), R1
	CBNZW	R1, done
	YIELD
	B	spin
done:
	RET
