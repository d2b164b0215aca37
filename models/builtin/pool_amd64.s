//go:build amd64 && !purego

#include "textflag.h"

// func poolRequantRow(top, bot *int32, c, n int, mult, qbias *float32, out *uint8)
// For each of n output pixels and each group of 8 channels: the max of the
// 2×2 int32 sums, times mult, plus qbias, plus 0.5, truncated, clamped to
// [0, 127] and packed to bytes: the same operations, in the same order, as
// poolRequantGo.
TEXT ·poolRequantRow(SB), NOSPLIT, $0-56
	MOVQ top+0(FP), SI
	MOVQ bot+8(FP), DI
	MOVQ c+16(FP), CX
	MOVQ n+24(FP), DX
	MOVQ mult+32(FP), R8
	MOVQ qbias+40(FP), R9
	MOVQ out+48(FP), R10
	MOVL $0x3f000000, AX // 0.5
	MOVD AX, X15
	VBROADCASTSS X15, Y15
	MOVL $127, AX
	MOVD AX, X14
	VPBROADCASTD X14, Y14
	VPXOR Y13, Y13, Y13
	LEAQ (SI)(CX*4), R12 // right neighbour in the top row
	LEAQ (DI)(CX*4), R13 // right neighbour in the bottom row
	LEAQ (CX)(CX*1), R11 // input stride per output pixel, in elements

rqpixel:
	TESTQ DX, DX
	JZ    rqdone
	XORQ  BX, BX

rqchan:
	VMOVDQU      (SI)(BX*4), Y0
	VPMAXSD      (R12)(BX*4), Y0, Y0
	VPMAXSD      (DI)(BX*4), Y0, Y0
	VPMAXSD      (R13)(BX*4), Y0, Y0
	VCVTDQ2PS    Y0, Y0
	VMULPS       (R8)(BX*4), Y0, Y0
	VADDPS       (R9)(BX*4), Y0, Y0
	VADDPS       Y15, Y0, Y0
	VCVTTPS2DQ   Y0, Y0
	VPMAXSD      Y13, Y0, Y0
	VPMINSD      Y14, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKUSDW    X1, X0, X0
	VPACKUSWB    X0, X0, X0
	MOVQ         X0, (R10)(BX*1)
	ADDQ         $8, BX
	CMPQ         BX, CX
	JLT          rqchan

	LEAQ (SI)(R11*4), SI
	LEAQ (R12)(R11*4), R12
	LEAQ (DI)(R11*4), DI
	LEAQ (R13)(R11*4), R13
	ADDQ CX, R10
	DECQ DX
	JMP  rqpixel

rqdone:
	VZEROUPPER
	RET

// func poolBiasReLURow(top, bot *float32, c, n int, bias *float32, out *float32)
TEXT ·poolBiasReLURow(SB), NOSPLIT, $0-48
	MOVQ top+0(FP), SI
	MOVQ bot+8(FP), DI
	MOVQ c+16(FP), CX
	MOVQ n+24(FP), DX
	MOVQ bias+32(FP), R8
	MOVQ out+40(FP), R10
	VXORPS Y13, Y13, Y13
	LEAQ   (SI)(CX*4), R12
	LEAQ   (DI)(CX*4), R13
	LEAQ   (CX)(CX*1), R11

brpixel:
	TESTQ DX, DX
	JZ    brdone
	XORQ  BX, BX

brchan:
	VMOVUPS (SI)(BX*4), Y0
	VMAXPS  (R12)(BX*4), Y0, Y0
	VMAXPS  (DI)(BX*4), Y0, Y0
	VMAXPS  (R13)(BX*4), Y0, Y0
	VADDPS  (R8)(BX*4), Y0, Y0
	VMAXPS  Y13, Y0, Y0
	VMOVUPS Y0, (R10)(BX*4)
	ADDQ    $8, BX
	CMPQ    BX, CX
	JLT     brchan

	LEAQ (SI)(R11*4), SI
	LEAQ (R12)(R11*4), R12
	LEAQ (DI)(R11*4), DI
	LEAQ (R13)(R11*4), R13
	LEAQ (R10)(CX*4), R10
	DECQ DX
	JMP  brpixel

brdone:
	VZEROUPPER
	RET
