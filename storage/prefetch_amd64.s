#include "textflag.h"

// func prefetchW(p unsafe.Pointer)
TEXT ·prefetchW(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ p+0(FP), AX
	// PREFETCHW (AX) and PREFETCHW 64(AX), which the Go assembler has no
	// mnemonic for. CPUs without it (before Broadwell) run it as a NOP.
	BYTE $0x0F; BYTE $0x0D; BYTE $0x08
	BYTE $0x0F; BYTE $0x0D; BYTE $0x48; BYTE $0x40
	RET

