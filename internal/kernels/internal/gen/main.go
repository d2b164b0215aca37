// Command gen writes the amd64 micro-kernels of package kernels
// (gemm_amd64.s) and their Go declarations and dispatch switches
// (gemm_decl_amd64.go).
//
// Every kernel computes one register tile C[R rows × W panels] over the whole
// k range with the k loop innermost, so the tile never leaves registers. One
// function per tile shape keeps the accumulators in fixed registers; Go picks
// the shape. Run it with `go generate` in internal/kernels.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"strings"
)

// isa describes one family of kernels.
type isa struct {
	name   string // symbol prefix, e.g. "s8z"
	int8   bool
	avx512 bool
	rmax   [5]int // rows per tile for W = 1..4 panels of 16 columns (0: none)
}

// unrollFull is how many k steps a full tile does per loop iteration.
var unrollFull = 2

var families = []isa{
	// 24 zmm accumulators + W registers of B + 2 broadcast temps ≤ 32.
	{name: "s8z", int8: true, avx512: true, rmax: [5]int{0, 24, 12, 8, 6}},
	{name: "f32z", int8: false, avx512: true, rmax: [5]int{0, 24, 12, 8, 6}},
	// 12 ymm accumulators + ones/broadcast/temps ≤ 16.
	{name: "s8y", int8: true, avx512: false, rmax: [5]int{0, 6, 3}},
	{name: "f32y", int8: false, avx512: false, rmax: [5]int{0, 6, 3}},
}

type writer struct{ bytes.Buffer }

func (w *writer) p(format string, args ...any) { fmt.Fprintf(&w.Buffer, format+"\n", args...) }

// Row base registers: each covers four rows via (base), (base)(lda*1),
// (base)(lda*2), (base)(lda3*1).
var rowBases = []string{"AX", "R9", "R10", "R11", "R12", "R13"}

const (
	regLda  = "BX"
	regLda3 = "R8"
	regK    = "CX"
	regB    = "SI"
	regBS   = "DX"
	regB2   = "DI"
)

func rowAddr(r, disp int) string {
	base := rowBases[r/4]
	d := ""
	if disp != 0 {
		d = fmt.Sprint(disp)
	}
	switch r % 4 {
	case 0:
		return fmt.Sprintf("%s(%s)", d, base)
	case 1:
		return fmt.Sprintf("%s(%s)(%s*1)", d, base, regLda)
	case 2:
		return fmt.Sprintf("%s(%s)(%s*2)", d, base, regLda)
	default:
		return fmt.Sprintf("%s(%s)(%s*1)", d, base, regLda3)
	}
}

// panelAddr addresses panel w of B (panels are regBS bytes apart) plus disp.
func panelAddr(w, disp int) string {
	d := ""
	if disp != 0 {
		d = fmt.Sprint(disp)
	}
	switch w {
	case 0:
		return fmt.Sprintf("%s(%s)", d, regB)
	case 1:
		return fmt.Sprintf("%s(%s)(%s*1)", d, regB, regBS)
	case 2:
		return fmt.Sprintf("%s(%s)", d, regB2)
	default:
		return fmt.Sprintf("%s(%s)(%s*1)", d, regB2, regBS)
	}
}

func symbol(f isa, r, w int) string { return fmt.Sprintf("%s%dx%d", f.name, r, w) }

// kernel writes one tile function. Arguments (ABI0, 8 bytes each):
// a, lda (elements), steps (k groups of 4 for int8, k for fp32), b, bs
// (bytes between panels), c, ldc (elements), mask (uint16 lane mask of the
// last panel for AVX-512; *int32 of 16 lane masks for AVX2).
func kernel(s *writer, f isa, r, w int) {
	// Full tiles unroll the k loop; the loop overhead is a few scalar ops
	// beside R·W vector ones, so edge tiles skip it to keep the code small.
	unroll := 1
	if r == f.rmax[w] {
		unroll = unrollFull
	}
	vec := "Y"
	if f.avx512 {
		vec = "Z"
	}
	nv := w // vectors per row
	if !f.avx512 {
		nv = 2 * w
	}
	acc := func(row, v int) string { return fmt.Sprintf("%s%d", vec, row*nv+v) }
	sym := symbol(f, r, w)
	s.p("// func %s(a *%s, lda, steps int, b *%s, bs int, c *%s, ldc int, mask %s)", sym,
		map[bool]string{true: "uint8", false: "float32"}[f.int8],
		map[bool]string{true: "int8", false: "float32"}[f.int8],
		map[bool]string{true: "int32", false: "float32"}[f.int8],
		map[bool]string{true: "uint16", false: "*int32"}[f.avx512])
	frame := 64
	if f.avx512 {
		frame = 58 // mask is a uint16
	}
	s.p("TEXT ·%s(SB), NOSPLIT, $0-%d", sym, frame)
	s.p("\tMOVQ a+0(FP), AX")
	s.p("\tMOVQ lda+8(FP), %s", regLda)
	if !f.int8 {
		s.p("\tSHLQ $2, %s", regLda)
	}
	if r > 3 {
		s.p("\tLEAQ (%s)(%s*2), %s", regLda, regLda, regLda3)
	}
	for i := 1; i*4 < r; i++ {
		s.p("\tLEAQ (%s)(%s*4), %s", rowBases[i-1], regLda, rowBases[i])
	}
	s.p("\tMOVQ steps+16(FP), %s", regK)
	s.p("\tMOVQ b+24(FP), %s", regB)
	if w > 1 {
		s.p("\tMOVQ bs+32(FP), %s", regBS)
	}
	if w > 2 {
		s.p("\tLEAQ (%s)(%s*2), %s", regB, regBS, regB2)
	}
	for row := 0; row < r; row++ {
		for v := 0; v < nv; v++ {
			if f.avx512 {
				s.p("\tVPXORD %s, %s, %s", acc(row, v), acc(row, v), acc(row, v))
			} else {
				s.p("\tVPXOR %s, %s, %s", acc(row, v), acc(row, v), acc(row, v))
			}
		}
	}
	if f.int8 && !f.avx512 {
		// Y12 = int16 ones, for VPMADDWD to widen pair sums to int32.
		s.p("\tVPCMPEQW Y12, Y12, Y12")
		s.p("\tVPSRLW $15, Y12, Y12")
	}
	aStep := 4 // bytes of A per step: 4 int8 or 1 float32
	bStep := 64
	step := func(u int) {
		ad, bd := u*aStep, u*bStep
		switch {
		case f.avx512 && f.int8:
			// B panels in Z24..Z27, A broadcasts alternate Z30/Z31.
			for v := 0; v < w; v++ {
				s.p("\tVMOVDQU32 %s, Z%d", panelAddr(v, bd), 24+v)
			}
			for row := 0; row < r; row++ {
				t := 30 + row%2
				s.p("\tVPBROADCASTD %s, Z%d", rowAddr(row, ad), t)
				for v := 0; v < w; v++ {
					s.p("\tVPDPBUSD Z%d, Z%d, %s", 24+v, t, acc(row, v))
				}
			}
		case f.avx512:
			for v := 0; v < w; v++ {
				s.p("\tVMOVUPS %s, Z%d", panelAddr(v, bd), 24+v)
			}
			for row := 0; row < r; row++ {
				if w == 1 {
					s.p("\tVFMADD231PS.BCST %s, Z24, %s", rowAddr(row, ad), acc(row, 0))
					continue
				}
				t := 30 + row%2
				s.p("\tVBROADCASTSS %s, Z%d", rowAddr(row, ad), t)
				for v := 0; v < w; v++ {
					s.p("\tVFMADD231PS Z%d, Z%d, %s", 24+v, t, acc(row, v))
				}
			}
		case f.int8:
			for row := 0; row < r; row++ {
				s.p("\tVPBROADCASTD %s, Y13", rowAddr(row, ad))
				for v := 0; v < nv; v++ {
					t := 14 + v%2
					s.p("\tVPMADDUBSW %s, Y13, Y%d", panelAddr(v/2, bd+32*(v%2)), t)
					s.p("\tVPMADDWD Y12, Y%d, Y%d", t, t)
					s.p("\tVPADDD Y%d, %s, %s", t, acc(row, v), acc(row, v))
				}
			}
		default:
			if w == 1 {
				s.p("\tVMOVUPS %s, Y14", panelAddr(0, bd))
				s.p("\tVMOVUPS %s, Y15", panelAddr(0, bd+32))
			}
			for row := 0; row < r; row++ {
				s.p("\tVBROADCASTSS %s, Y13", rowAddr(row, ad))
				for v := 0; v < nv; v++ {
					if w == 1 {
						s.p("\tVFMADD231PS Y%d, Y13, %s", 14+v, acc(row, v))
					} else {
						s.p("\tVFMADD231PS %s, Y13, %s", panelAddr(v/2, bd+32*(v%2)), acc(row, v))
					}
				}
			}
		}
	}
	advance := func(u int) {
		for i := 0; i*4 < r; i++ {
			s.p("\tADDQ $%d, %s", u*aStep, rowBases[i])
		}
		s.p("\tADDQ $%d, %s", u*bStep, regB)
		if w > 2 {
			s.p("\tADDQ $%d, %s", u*bStep, regB2)
		}
	}
	if unroll > 1 {
		s.p("\tCMPQ %s, $%d", regK, unroll)
		s.p("\tJLT tail")
		s.p("loop:")
		for u := 0; u < unroll; u++ {
			step(u)
		}
		advance(unroll)
		s.p("\tSUBQ $%d, %s", unroll, regK)
		s.p("\tCMPQ %s, $%d", regK, unroll)
		s.p("\tJGE loop")
	}
	s.p("tail:")
	s.p("\tTESTQ %s, %s", regK, regK)
	s.p("\tJEQ store")
	s.p("tailloop:")
	step(0)
	advance(1)
	s.p("\tDECQ %s", regK)
	s.p("\tJNE tailloop")
	s.p("store:")
	s.p("\tMOVQ c+40(FP), DI")
	s.p("\tMOVQ ldc+48(FP), SI")
	s.p("\tSHLQ $2, SI")
	if f.avx512 {
		s.p("\tKMOVW mask+56(FP), K1")
	} else {
		s.p("\tMOVQ mask+56(FP), DX")
		s.p("\tVMOVDQU (DX), Y12")
		s.p("\tVMOVDQU 32(DX), Y13")
	}
	for row := 0; row < r; row++ {
		if row > 0 {
			s.p("\tADDQ SI, DI")
		}
		for v := 0; v < nv; v++ {
			d := v * 64
			if !f.avx512 {
				d = v * 32
			}
			addr := fmt.Sprintf("%d(DI)", d)
			last := v >= nv-1 && f.avx512 || v >= nv-2 && !f.avx512
			switch {
			case f.avx512 && last:
				s.p("\tVMOVDQU32 %s, K1, %s", acc(row, v), addr)
			case f.avx512:
				s.p("\tVMOVDQU32 %s, %s", acc(row, v), addr)
			case last:
				s.p("\tVPMASKMOVD %s, Y%d, %s", acc(row, v), 12+v%2, addr)
			default:
				s.p("\tVMOVDQU %s, %s", acc(row, v), addr)
			}
		}
	}
	s.p("\tVZEROUPPER")
	s.p("\tRET")
	s.p("")
}

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if v := os.Getenv("GEN_UNROLL"); v != "" { // for tuning experiments
		fmt.Sscan(v, &unrollFull)
	}
	const header = "// Code generated by internal/gen; DO NOT EDIT.\n\n"
	var s writer
	s.WriteString(header)
	s.p("//go:build amd64 && !purego")
	s.p("")
	s.p("#include \"textflag.h\"")
	s.p("")
	var g writer
	g.WriteString(header)
	g.p("//go:build amd64 && !purego")
	g.p("")
	g.p("package kernels")
	g.p("")
	for _, f := range families {
		at := map[bool]string{true: "uint8", false: "float32"}[f.int8]
		bt := map[bool]string{true: "int8", false: "float32"}[f.int8]
		ct := map[bool]string{true: "int32", false: "float32"}[f.int8]
		mt := map[bool]string{true: "uint16", false: "*int32"}[f.avx512]
		sig := fmt.Sprintf("(a *%s, lda, steps int, b *%s, bs int, c *%s, ldc int, mask %s)", at, bt, ct, mt)
		for w := 1; w < len(f.rmax); w++ {
			for r := 1; r <= f.rmax[w]; r++ {
				kernel(&s, f, r, w)
				g.p("//go:noescape")
				g.p("func %s%s", symbol(f, r, w), sig)
				g.p("")
			}
		}
		// Dispatch by switch, not a table of func values: calls through func
		// values would make every pointer argument escape.
		g.p("// %sTile runs the %s tile of r rows × w panels; it reports false", f.name, f.name)
		g.p("// when no such tile exists.")
		g.p("func %sTile(r, w int, a *%s, lda, steps int, b *%s, bs int, c *%s, ldc int, mask %s) bool {", f.name, at, bt, ct, mt)
		g.p("switch w<<5 | r {")
		for w := 1; w < len(f.rmax); w++ {
			for r := 1; r <= f.rmax[w]; r++ {
				g.p("case %d<<5 | %d:", w, r)
				g.p("%s(a, lda, steps, b, bs, c, ldc, mask)", symbol(f, r, w))
			}
		}
		g.p("default:\nreturn false\n}\nreturn true\n}\n")
		g.p("// %sRows is the tile height of %s for w panels.", f.name, f.name)
		var rs []string
		for _, r := range f.rmax {
			rs = append(rs, fmt.Sprint(r))
		}
		g.p("var %sRows = [...]int{%s}", f.name, strings.Join(rs, ", "))
		g.p("")
	}
	src, err := format.Source(g.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gemm_amd64.s"), s.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gemm_decl_amd64.go"), src, 0o644); err != nil {
		log.Fatal(err)
	}
}
