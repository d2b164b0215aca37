//go:build amd64 && !purego

package builtin

import "golang.org/x/sys/cpu"

// useSIMD selects the AVX2 epilogues.
var useSIMD = cpu.X86.HasAVX2

// poolRequantRow pools and requantises n output pixels of c channels (c a
// multiple of 8): top and bot point at the two input rows.
//
//go:noescape
func poolRequantRow(top, bot *int32, c, n int, mult, qbias *float32, out *uint8)

// poolBiasReLURow is poolRequantRow's FP32 twin.
//
//go:noescape
func poolBiasReLURow(top, bot *float32, c, n int, bias *float32, out *float32)
