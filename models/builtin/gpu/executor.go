//go:build cuda

package gpu

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/internal/gpuerr"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/device"
)

var _ device.Executor = (*Executor)(nil)

// Executor runs batches on one CUDA stream of a [Device]. Its staging
// buffers are pinned host memory; Run copies the batch in, runs the kernel,
// copies the classes out and waits on an event. It belongs to one goroutine.
type Executor struct {
	d        *Device
	maxBatch int
	closed   bool

	stream    *cuda.Stream
	hin, hout *cuda.HostBuffer
	in, out   []byte
	din, dout *cuda.DeviceBuffer
	// ev marks the batch's start, the end of H2D, of the kernel and of D2H.
	ev [4]*cuda.Event
	// graphs[n] is the instantiated graph of a batch of n, captured the first
	// time n is run (with WithGraphs), for at most maxGraphs sizes; other
	// sizes take the stream path.
	graphs  []*cuda.GraphExec
	nGraphs int
}

// maxGraphs bounds the graphs one executor captures: a Server run sees
// batches of every size, and a capture costs more than it saves for a size
// seen once. The common sizes (the max batch above all) come first.
const maxGraphs = 32

func newExecutor(d *Device, maxBatch int) (e *Executor, err error) {
	e = &Executor{d: d, maxBatch: maxBatch}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.free())
			e = nil
		}
	}()
	c := d.ctx
	if e.stream, err = c.NewStream(); err != nil {
		return nil, err
	}
	if e.hin, err = c.AllocHost(maxBatch * builtin.InputSize); err != nil {
		return nil, err
	}
	if e.hout, err = c.AllocHost(maxBatch * builtin.OutputSize); err != nil {
		return nil, err
	}
	if e.din, err = c.AllocDevice(maxBatch * builtin.InputSize); err != nil {
		return nil, err
	}
	if e.dout, err = c.AllocDevice(maxBatch * builtin.OutputSize); err != nil {
		return nil, err
	}
	for i := range e.ev {
		if e.ev[i], err = c.NewEvent(); err != nil {
			return nil, err
		}
	}
	e.in, e.out = e.hin.Bytes(), e.hout.Bytes()
	if d.opts.graphs {
		e.graphs = make([]*cuda.GraphExec, maxBatch+1)
	}
	return e, nil
}

// MaxBatch is the largest batch Run accepts.
func (e *Executor) MaxBatch() int { return e.maxBatch }

// Input is the pinned staging buffer of sample slot: InputSize pixels. It
// returns nil for a slot outside [0, MaxBatch) or after Close.
func (e *Executor) Input(slot int) []byte {
	if e.closed || slot < 0 || slot >= e.maxBatch {
		return nil
	}
	return e.in[slot*builtin.InputSize : (slot+1)*builtin.InputSize : (slot+1)*builtin.InputSize]
}

// Output is the class of sample slot of the last batch as int32 little-endian,
// as the CPU executor's. It returns nil for a slot outside [0, MaxBatch) or
// after Close.
func (e *Executor) Output(slot int) []byte {
	if e.closed || slot < 0 || slot >= e.maxBatch {
		return nil
	}
	return e.out[slot*builtin.OutputSize : (slot+1)*builtin.OutputSize : (slot+1)*builtin.OutputSize]
}

// Class is Output(slot) decoded; -1 for a bad slot.
func (e *Executor) Class(slot int) int {
	o := e.Output(slot)
	if o == nil {
		return -1
	}
	return int(int32(binary.LittleEndian.Uint32(o)))
}

// Run classifies the first n staged samples and returns when their classes
// are in Output. The Timing's stages come from the stream's events; with
// graphs the copies run inside the graph and the whole batch's GPU time is
// Compute. Errors: [ErrBatch] unless 1 ≤ n ≤ MaxBatch, ctx's error if it is
// done before the batch starts, [ErrCUDA] (naming the device) when a CUDA
// call fails, [gpuerr.ErrClosed] after Close.
func (e *Executor) Run(ctx context.Context, n int) (device.Timing, error) {
	if e.closed {
		return device.Timing{}, fmt.Errorf("gpu device %s: run: %w", e.d.id, gpuerr.ErrClosed)
	}
	if n < 1 || n > e.maxBatch {
		return device.Timing{}, fmt.Errorf("gpu device %s: %w: batch of %d, max batch %d", e.d.id, ErrBatch, n, e.maxBatch)
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return device.Timing{}, fmt.Errorf("gpu device %s: %w", e.d.id, err)
		}
	}
	var t device.Timing
	var err error
	if e.graphs != nil && (e.graphs[n] != nil || e.nGraphs < maxGraphs) {
		t, err = e.runGraph(n)
	} else {
		t, err = e.runStream(n)
	}
	if err != nil {
		return device.Timing{}, fmt.Errorf("gpu device %s: batch of %d: %w: %w", e.d.id, n, ErrCUDA, err)
	}
	return t, nil
}

// enqueue queues the batch's copies and kernel on the stream; marks records
// the events between them (not inside a graph capture, where a plain event
// record makes no node).
func (e *Executor) enqueue(n int, marks bool) error {
	d := e.d
	if marks {
		if err := e.ev[0].Record(e.stream); err != nil {
			return err
		}
	}
	if err := e.stream.CopyHtoD(e.din, 0, e.in[:n*builtin.InputSize]); err != nil {
		return err
	}
	if marks {
		if err := e.ev[1].Record(e.stream); err != nil {
			return err
		}
	}
	groups := (n + d.perBlock - 1) / d.perBlock
	grid := uint32(min(groups, d.maxBlocks))
	if err := e.stream.Launch(d.fn, cuda.Dim3{X: grid, Y: 1, Z: 1}, cuda.Dim3{X: threads, Y: 1, Z: 1}, d.smem,
		uint64(e.din.Ptr()), uint64(n), uint64(e.dout.Ptr()), uint64(d.params.Ptr())); err != nil {
		return err
	}
	if marks {
		if err := e.ev[2].Record(e.stream); err != nil {
			return err
		}
	}
	return e.stream.CopyDtoH(e.out[:n*builtin.OutputSize], e.dout, 0)
}

func (e *Executor) runStream(n int) (device.Timing, error) {
	if err := e.enqueue(n, true); err != nil {
		return device.Timing{}, err
	}
	if err := e.ev[3].Record(e.stream); err != nil {
		return device.Timing{}, err
	}
	if err := e.ev[3].Synchronize(); err != nil {
		return device.Timing{}, err
	}
	var t device.Timing
	var err error
	if t.H2D, err = e.ev[1].Elapsed(e.ev[0]); err != nil {
		return t, err
	}
	if t.Compute, err = e.ev[2].Elapsed(e.ev[1]); err != nil {
		return t, err
	}
	t.D2H, err = e.ev[3].Elapsed(e.ev[2])
	return t, err
}

func (e *Executor) runGraph(n int) (device.Timing, error) {
	g := e.graphs[n]
	if g == nil {
		captured, err := e.stream.Capture(func() error { return e.enqueue(n, false) })
		if err != nil {
			return device.Timing{}, err
		}
		g, err = captured.Instantiate()
		err = errors.Join(err, captured.Close())
		if err != nil {
			_ = g.Close()
			return device.Timing{}, err
		}
		e.graphs[n] = g
		e.nGraphs++
	}
	if err := e.ev[0].Record(e.stream); err != nil {
		return device.Timing{}, err
	}
	if err := g.Launch(e.stream); err != nil {
		return device.Timing{}, err
	}
	if err := e.ev[3].Record(e.stream); err != nil {
		return device.Timing{}, err
	}
	if err := e.ev[3].Synchronize(); err != nil {
		return device.Timing{}, err
	}
	c, err := e.ev[3].Elapsed(e.ev[0])
	return device.Timing{Compute: c}, err
}

// Close releases the executor's graphs, events, buffers and stream, then
// lets its device close. A second call is harmless.
func (e *Executor) Close() error {
	if e == nil || e.closed {
		return nil
	}
	e.closed = true
	err := e.free()
	e.d.executors.Release()
	if err != nil {
		return fmt.Errorf("gpu device %s: close executor: %w", e.d.id, err)
	}
	return nil
}

// free releases every handle, children before the stream (nil-safe: Close
// of each cuda handle is).
func (e *Executor) free() error {
	var err error
	// Work still queued must finish before its buffers go.
	if e.stream != nil {
		err = e.stream.Synchronize()
	}
	for i, g := range e.graphs {
		if g != nil {
			err = errors.Join(err, g.Close())
			e.graphs[i] = nil
		}
	}
	for i := range e.ev {
		err = errors.Join(err, e.ev[i].Close())
		e.ev[i] = nil
	}
	err = errors.Join(err, e.din.Close(), e.dout.Close(), e.hin.Close(), e.hout.Close(), e.stream.Close())
	e.din, e.dout, e.hin, e.hout, e.stream = nil, nil, nil, nil, nil
	e.in, e.out = nil, nil
	return err
}
