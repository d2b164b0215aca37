package builtin

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/gotrt/gotrt/internal/kernels"
	"github.com/gotrt/gotrt/runner/device"
)

var _ device.Executor = (*Executor)(nil)

// Executor runs batches of the model on the calling goroutine, in one
// precision. It owns its staging buffers and all scratch, so Run allocates
// nothing. It is not safe for concurrent use: the scheduler gives each
// executor to one goroutine.
type Executor struct {
	m        *Model
	prec     Precision
	maxBatch int
	closed   bool
	in, out  []byte

	// Layer inputs are kept zero-padded by one pixel, so im2col is three
	// contiguous copies per output pixel and no bounds checks; only the
	// interiors are ever written.
	padU   [3][]uint8
	colU   []uint8
	accI   []int32
	fcInU  []uint8
	fcAccI []int32

	padF   [3][]float32
	colF   []float32
	accF   []float32
	fcInF  []float32
	fcOutF []float32
}

// NewExecutor opens an executor for batches of up to maxBatch samples, in
// [1, MaxBatchLimit].
func (m *Model) NewExecutor(p Precision, maxBatch int) (*Executor, error) {
	if maxBatch < 1 || maxBatch > MaxBatchLimit {
		return nil, fmt.Errorf("%w: max batch %d, want 1 to %d", ErrBatch, maxBatch, MaxBatchLimit)
	}
	if p != INT8 && p != FP32 {
		return nil, fmt.Errorf("new executor: unknown precision %v", p)
	}
	e := &Executor{m: m, prec: p, maxBatch: maxBatch,
		in: make([]byte, maxBatch*InputSize), out: make([]byte, maxBatch*OutputSize)}
	var col, acc int
	for _, l := range m.layers[:3] {
		col = max(col, l.M*l.K)
		acc = max(acc, l.M*l.N)
	}
	fc := m.layers[3]
	switch p {
	case INT8:
		for i, l := range m.layers[:3] {
			e.padU[i] = make([]uint8, (l.Side+2)*(l.Side+2)*l.Cin)
		}
		e.colU = make([]uint8, col)
		e.accI = make([]int32, acc)
		e.fcInU = make([]uint8, maxBatch*fc.K)
		e.fcAccI = make([]int32, maxBatch*fc.N)
	case FP32:
		for i, l := range m.layers[:3] {
			e.padF[i] = make([]float32, (l.Side+2)*(l.Side+2)*l.Cin)
		}
		e.colF = make([]float32, col)
		e.accF = make([]float32, acc)
		e.fcInF = make([]float32, maxBatch*fc.K)
		e.fcOutF = make([]float32, maxBatch*fc.N)
	}
	return e, nil
}

// Precision is the executor's arithmetic.
func (e *Executor) Precision() Precision { return e.prec }

// MaxBatch is the largest batch Run accepts.
func (e *Executor) MaxBatch() int { return e.maxBatch }

// Input is the staging buffer of sample slot: InputSize pixels, row-major.
// It returns nil for a slot outside [0, MaxBatch) or after Close.
func (e *Executor) Input(slot int) []byte {
	if e.closed || slot < 0 || slot >= e.maxBatch {
		return nil
	}
	return e.in[slot*InputSize : (slot+1)*InputSize : (slot+1)*InputSize]
}

// Output is the predicted class of sample slot of the last batch, as int32
// little-endian. It returns nil for a slot outside [0, MaxBatch) or after
// Close.
func (e *Executor) Output(slot int) []byte {
	if e.closed || slot < 0 || slot >= e.maxBatch {
		return nil
	}
	return e.out[slot*OutputSize : (slot+1)*OutputSize : (slot+1)*OutputSize]
}

// Class is Output(slot) decoded; -1 for a bad slot.
func (e *Executor) Class(slot int) int {
	o := e.Output(slot)
	if o == nil {
		return -1
	}
	return int(int32(binary.LittleEndian.Uint32(o)))
}

// Run classifies the first n staged samples. It returns ctx's error if ctx
// is done before or during the batch (outputs are then undefined), and an
// error wrapping [ErrBatch] unless 1 ≤ n ≤ MaxBatch.
func (e *Executor) Run(ctx context.Context, n int) (device.Timing, error) {
	if e.closed {
		return device.Timing{}, ErrClosed
	}
	if n < 1 || n > e.maxBatch {
		return device.Timing{}, fmt.Errorf("%w: batch of %d, max batch %d", ErrBatch, n, e.maxBatch)
	}
	start := time.Now()
	for s := range n {
		if ctx != nil {
			if err := ctx.Err(); err != nil {
				return device.Timing{}, fmt.Errorf("builtin executor: %w", err)
			}
		}
		if e.prec == INT8 {
			e.sampleU8(s)
		} else {
			e.loadF32(s)
			e.sampleF32(s)
		}
	}
	e.finish(n)
	return device.Timing{Compute: time.Since(start)}, nil
}

// Close releases the buffers; a second call is harmless.
func (e *Executor) Close() error {
	if e == nil || e.closed {
		return nil
	}
	e.closed = true
	*e = Executor{m: e.m, prec: e.prec, maxBatch: e.maxBatch, closed: true}
	return nil
}

// sampleU8 runs the three conv blocks of sample s in INT8 and leaves its
// 4×4×C3 feature map in row s of fcInU.
func (e *Executor) sampleU8(s int) {
	m := e.m
	pad := e.padU[0]
	img := e.in[s*InputSize : (s+1)*InputSize]
	for y := range Side {
		row := pad[(y+1)*(Side+2)+1:][:Side]
		src := img[y*Side:][:Side]
		for x, p := range src {
			row[x] = m.inQ[p]
		}
	}
	for i := range 3 {
		l := m.layers[i]
		im2colPadded(e.padU[i], l.Side, l.Cin, e.colU)
		kernels.GemmU8S8(l.M, e.colU, l.K, m.s8[i], e.accI, l.N)
		h := l.Side / 2
		var out []uint8
		stride := h
		if i < 2 {
			out = e.padU[i+1][(h+2+1)*l.N:] // interior of the next padded input
			stride = h + 2
		} else {
			out = e.fcInU[s*m.layers[3].K:]
		}
		poolRequant(e.accI, l.Side, l.N, m.mult[i], m.qbias[i], out, stride)
	}
}

// loadF32 converts sample s's pixels into the padded FP32 input.
func (e *Executor) loadF32(s int) {
	pad := e.padF[0]
	img := e.in[s*InputSize : (s+1)*InputSize]
	for y := range Side {
		row := pad[(y+1)*(Side+2)+1:][:Side]
		src := img[y*Side:][:Side]
		for x, p := range src {
			row[x] = e.m.inF[p]
		}
	}
}

// sampleF32 runs the three conv blocks of the FP32 input already in padF[0].
func (e *Executor) sampleF32(s int) {
	m := e.m
	for i := range 3 {
		l := m.layers[i]
		im2colPadded(e.padF[i], l.Side, l.Cin, e.colF)
		kernels.GemmF32(l.M, e.colF, l.K, m.f32[i], e.accF, l.N)
		h := l.Side / 2
		var out []float32
		stride := h
		if i < 2 {
			out = e.padF[i+1][(h+2+1)*l.N:]
			stride = h + 2
		} else {
			out = e.fcInF[s*m.layers[3].K:]
		}
		poolBiasReLU(e.accF, l.Side, l.N, m.bias[i], out, stride)
	}
}

// runF32 runs one FP32 image given as floats into slot s.
func (e *Executor) runF32(s int, img []float32) {
	pad := e.padF[0]
	for y := range Side {
		copy(pad[(y+1)*(Side+2)+1:][:Side], img[y*Side:][:Side])
	}
	e.sampleF32(s)
}

// finish runs the FC layer on the batch's feature maps and writes the
// classes.
func (e *Executor) finish(n int) {
	m := e.m
	fc := m.layers[3]
	if e.prec == INT8 {
		kernels.GemmU8S8(n, e.fcInU, fc.K, m.s8[3], e.fcAccI, fc.N)
		for s := range n {
			acc := e.fcAccI[s*fc.N:][:fc.N]
			best, bv := 0, float32(0)
			for c, a := range acc {
				v := float32(a)*m.fcScale[c] + m.bias[3][c]
				if c == 0 || v > bv {
					best, bv = c, v
				}
			}
			binary.LittleEndian.PutUint32(e.out[s*OutputSize:], uint32(best))
		}
		return
	}
	kernels.GemmF32(n, e.fcInF, fc.K, m.f32[3], e.fcOutF, fc.N)
	for s := range n {
		out := e.fcOutF[s*fc.N:][:fc.N]
		best, bv := 0, float32(0)
		for c, a := range out {
			v := a + m.bias[3][c]
			if c == 0 || v > bv {
				best, bv = c, v
			}
		}
		binary.LittleEndian.PutUint32(e.out[s*OutputSize:], uint32(best))
	}
}

// im2colPadded writes the 3×3 patches of the (side+2)²×c zero-padded HWC
// tensor p into col, one row of 9c values per output pixel: three copies of
// 3c contiguous values (one per kernel row).
func im2colPadded[T uint8 | float32](p []T, side, c int, col []T) {
	ps := side + 2
	k := 9 * c
	if c == 1 {
		for y := range side {
			r0 := p[y*ps:][:ps]
			r1 := p[(y+1)*ps:][:ps]
			r2 := p[(y+2)*ps:][:ps]
			for x := range side {
				row := col[(y*side+x)*9:][:9]
				row[0], row[1], row[2] = r0[x], r0[x+1], r0[x+2]
				row[3], row[4], row[5] = r1[x], r1[x+1], r1[x+2]
				row[6], row[7], row[8] = r2[x], r2[x+1], r2[x+2]
			}
		}
		return
	}
	w := 3 * c
	for y := range side {
		for x := range side {
			row := col[(y*side+x)*k:][:k]
			copy(row[:w], p[(y*ps+x)*c:][:w])
			copy(row[w:2*w], p[((y+1)*ps+x)*c:][:w])
			copy(row[2*w:], p[((y+2)*ps+x)*c:][:w])
		}
	}
}
