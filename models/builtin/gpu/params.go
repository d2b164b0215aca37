package gpu

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gotrt/gotrt/models/builtin"
)

// The parameter blob's layout, as kernels/builtin.cu reads it (OFF_* there).
const (
	offW1      = 0
	offM1      = 512
	offB1      = 576
	offW2      = 640
	offM2      = 5248
	offB2      = 5376
	offW3      = 5504
	offM3      = 23936
	offB3      = 24192
	smemParams = 24448
	offWFC     = 24448
	offFCS     = 36736
	offFCB     = 36784
	paramsSize = 36832

	// slotSize is one sample's shared memory (SLOT in builtin.cu); a block
	// of S samples needs smemParams + S·slotSize bytes.
	slotSize = 10576
	// threads is the kernel's block size (THREADS).
	threads = 256
)

// The architecture the kernel is written for.
const (
	c1, c2, c3, classes = 16, 32, 64, 12
)

// packParams lays the model's INT8 parameters out for the kernel: conv
// weights as dp4a words of 4 input channels of one tap, [word][channel];
// block 1's as per-channel words of one kernel row, shifted by the output
// column; the FC's as [word][class].
func packParams(p builtin.Int8Params) ([]byte, error) {
	if p.C1 != c1 || p.C2 != c2 || p.C3 != c3 || p.Classes != classes {
		return nil, fmt.Errorf("gpu kernels are built for %d/%d/%d channels and %d classes, the model has %d/%d/%d and %d",
			c1, c2, c3, classes, p.C1, p.C2, p.C3, p.Classes)
	}
	for i := range 256 {
		if want := uint8((i*127 + 127) / 255); p.InQ[i] != want {
			return nil, fmt.Errorf("gpu kernels quantise pixel %d to %d, the model to %d", i, want, p.InQ[i])
		}
	}
	b := make([]byte, paramsSize)
	word := func(off int, v [4]int8) {
		for j, x := range v {
			b[off+j] = byte(x)
		}
	}
	floats := func(off int, v []float32) {
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[off+4*i:], math.Float32bits(x))
		}
	}
	// Block 1: K = 9 taps (ky, kx) of one input channel.
	w := p.W[0]
	for c := range c1 {
		for ky := range 3 {
			t := func(kx int) int8 { return w[(ky*3+kx)*c1+c] }
			word(offW1+(c*8+ky*2)*4, [4]int8{t(0), t(1), t(2), 0})
			word(offW1+(c*8+ky*2+1)*4, [4]int8{0, t(0), t(1), t(2)})
		}
	}
	// Blocks 2 and 3 (K = 9 taps × cin, word k = tap·cin/4 + cin/4) and the
	// FC (K = 16 pixels × c3).
	conv := func(off int, w []int8, kn, cout int) {
		for k := range kn / 4 {
			for c := range cout {
				var v [4]int8
				for j := range 4 {
					v[j] = w[(4*k+j)*cout+c]
				}
				word(off+(k*cout+c)*4, v)
			}
		}
	}
	conv(offW2, p.W[1], 9*c1, c2)
	conv(offW3, p.W[2], 9*c2, c3)
	conv(offWFC, p.W[3], 16*c3, classes)
	floats(offM1, p.Mult[0])
	floats(offB1, p.QBias[0])
	floats(offM2, p.Mult[1])
	floats(offB2, p.QBias[1])
	floats(offM3, p.Mult[2])
	floats(offB3, p.QBias[2])
	floats(offFCS, p.FCScale)
	floats(offFCB, p.FCBias)
	return b, nil
}

// sharedBytes is the dynamic shared memory of the kernel with s samples per
// block.
func sharedBytes(s int) int { return smemParams + s*slotSize }

// launchShape picks the samples per block (want, or else the variant that
// keeps the most samples resident per SM, preferring more blocks on a tie)
// and the number of resident blocks of the whole device. The kernel uses 109
// registers per thread (ptxas for sm_75 and sm_90), so at most two
// 256-thread blocks fit an SM's 64 K registers; the driver reserves 1 KiB of
// shared memory per block.
func launchShape(want, sms, perBlockMax, perSM int) (perBlock, maxBlocks int) {
	best := 0
	for _, s := range []int{2, 4, 8} {
		if (want != 0 && want != s) || sharedBytes(s) > perBlockMax {
			continue
		}
		blocks := max(1, min(2, perSM/(sharedBytes(s)+1024)))
		if blocks*s > best {
			best, perBlock, maxBlocks = blocks*s, s, max(1, sms)*blocks
		}
	}
	return perBlock, maxBlocks
}
