//go:build linux && amd64

#include "textflag.h"

// func spinUntilSet(flag *uint32)
// Spins until *flag is non-zero. PAUSE between reads keeps an SMT
// sibling's share of the core and the memory order machine quiet; x86's
// loads are ordered, so the loop's first clock read follows the flag.
TEXT ·spinUntilSet(SB),NOSPLIT,$0-8
	MOVQ	flag+0(FP), AX
spin:
	MOVL	(AX), BX
	TESTL	BX, BX
	JNE	done
	PAUSE
	JMP	spin
done:
	RET
