//go:build cuda && tensorrt

package trt

import (
	"context"
	"errors"
	"fmt"
	"unsafe"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/internal/handle"
	"github.com/gotrt/gotrt/runner/device"
)

// Device is one GPU (or MIG slice, or vGPU) running one TensorRT engine: a
// CUDA context, the runtime and the engine deserialized on it. It opens one
// [Executor] per stream, each with its own execution context, pinned host
// buffers, device buffers and events. Close the executors before the Device.
type Device struct {
	cfg     DeviceConfig
	id      string
	kind    string
	ctx     *cuda.Context
	rt      *Runtime
	engine  *Engine
	tensors []IOTensor
	inputs  []IOTensor // in sample layout order
	outputs []IOTensor // in sample layout order
	prof    []Profile
	layout  []InputLayout // per sample, in sample order
	lib     Version       // the loaded TensorRT, whose rules on contexts apply

	// children counts the open executors under the project's one close
	// policy (internal/handle): Close refuses while any is open, and no
	// NewExecutor slips in between that check and the release.
	children handle.Parent
}

var (
	_ device.Device   = (*Device)(nil)
	_ device.Executor = (*Executor)(nil)
)

// OpenDevice creates a CUDA context on cfg.Ordinal, loads cfg.Plan on it and
// checks the engine against cfg.Expect before any run: a corrupt plan, one
// for another TensorRT or GPU, or IO tensors the model does not expect are
// errors naming the file and the tensor.
func OpenDevice(cfg DeviceConfig) (*Device, error) {
	if cfg.Plan == "" {
		return nil, errors.New("trt: open device: no plan file")
	}
	id := cfg.ID
	if id == "" {
		id = fmt.Sprintf("gpu%d", cfg.Ordinal)
	}
	kind, err := cfg.kind()
	if err != nil {
		return nil, fmt.Errorf("trt: device %s: %w", id, err)
	}
	cctx, err := cuda.NewContext(cfg.Ordinal)
	if err != nil {
		return nil, fmt.Errorf("trt: device %s: %w", id, err)
	}
	d := &Device{cfg: cfg, id: id, kind: kind, ctx: cctx}
	err = cctx.Do(func() error {
		var err error
		if d.lib, err = LibraryVersion(); err != nil {
			return err
		}
		if d.rt, err = NewRuntime(); err != nil {
			return err
		}
		if d.engine, err = d.rt.LoadEngineFile(cfg.Plan); err != nil {
			return err
		}
		if d.tensors, err = d.engine.IOTensors(); err != nil {
			return err
		}
		if d.prof, err = d.engine.Profiles(); err != nil {
			return err
		}
		return nil
	})
	if err == nil && len(cfg.Expect) > 0 {
		err = ValidateIO(cfg.Plan, d.tensors, cfg.Expect)
	}
	if err == nil {
		d.inputs, d.outputs, err = sampleLayout(cfg.Plan, d.tensors, cfg.Expect)
	}
	if err == nil && len(d.prof) == 0 {
		err = fmt.Errorf("plan %s: engine has no optimization profile", cfg.Plan)
	}
	if err == nil {
		if d.layout, err = inputLayouts(d.inputs, d.prof[0]); err != nil {
			err = fmt.Errorf("plan %s: %w", cfg.Plan, err)
		}
	}
	if err != nil {
		_ = d.closeNative()
		return nil, fmt.Errorf("trt: device %s: %w", id, err)
	}
	return d, nil
}

// sampleLayout orders the IO tensors as a sample's bytes are laid out: the
// order of expect when given, else the engine's.
func sampleLayout(file string, tensors []IOTensor, expect []TensorSpec) (in, out []IOTensor, err error) {
	if len(expect) == 0 {
		for _, t := range tensors {
			if t.Mode == ModeInput {
				in = append(in, t)
			} else if t.Mode == ModeOutput {
				out = append(out, t)
			}
		}
	} else {
		byName := map[string]IOTensor{}
		for _, t := range tensors {
			byName[t.Name] = t
		}
		for _, s := range expect {
			t := byName[s.Name]
			if t.Mode == ModeInput {
				in = append(in, t)
			} else {
				out = append(out, t)
			}
		}
		// Outputs the model ignores still need a buffer; they go last.
		for _, t := range tensors {
			if t.Mode == ModeOutput && !containsTensor(out, t.Name) {
				out = append(out, t)
			}
		}
	}
	if len(in) == 0 || len(out) == 0 {
		return nil, nil, fmt.Errorf("plan %s: engine needs at least one input and one output: %w", file, ErrIOMismatch)
	}
	return in, out, nil
}

func containsTensor(ts []IOTensor, name string) bool {
	for _, t := range ts {
		if t.Name == name {
			return true
		}
	}
	return false
}

// ID names the device in results and errors.
func (d *Device) ID() string { return d.id }

// Kind is the device's kind in results: "gpu", or "mig" for a MIG instance
// ([DeviceConfig.Kind]). The scheduler reads it.
func (d *Device) Kind() string { return d.kind }

// Inputs describes one sample of each engine input, in the order a
// sample's bytes are laid out (that of DeviceConfig.Expect when given): the
// engine's data type and format, and the bytes an executor's Input slot
// holds for it. The data fed must already be in that format.
func (d *Device) Inputs() []InputLayout { return append([]InputLayout(nil), d.layout...) }

// Engine is the device's engine (for inspection; the Device owns it).
func (d *Device) Engine() *Engine { return d.engine }

// NewExecutor opens the executor of stream with room for maxBatch samples,
// or fewer where the engine's profile allows fewer. Stream i runs profile
// i mod the number of profiles, as NVIDIA's harness assigns them; TensorRT
// 8.x, where a profile serves one execution context, refuses more streams
// than profiles, and CUDA graphs (see [profileFor]).
func (d *Device) NewExecutor(stream, maxBatch int) (device.Executor, error) {
	if d == nil {
		return nil, closedError("device")
	}
	if err := d.children.Acquire("trt: device " + d.id); err != nil {
		return nil, err
	}
	x, err := d.newExecutor(stream, maxBatch)
	if err != nil {
		d.children.Release()
		return nil, err
	}
	return x, nil
}

func (d *Device) newExecutor(stream, maxBatch int) (device.Executor, error) {
	pi, err := profileFor(d.lib, stream, len(d.prof), len(d.cfg.GraphBatches))
	if err != nil {
		return nil, fmt.Errorf("trt: device %s: plan %s: %w", d.id, d.cfg.Plan, err)
	}
	prof := d.prof[pi]
	_, hi := prof.BatchRange()
	n := min(maxBatch, hi)
	if err := CheckBatch(d.cfg.Plan, prof, n); err != nil {
		return nil, fmt.Errorf("trt: device %s: stream %d: %w", d.id, stream, err)
	}
	x := &Executor{dev: d, prof: prof, maxBatch: n, shapeN: -1}
	if err := d.ctx.Do(x.open); err != nil {
		_ = x.closeNative()
		return nil, fmt.Errorf("trt: device %s: stream %d: %w", d.id, stream, err)
	}
	return x, nil
}

// Close releases the engine, the runtime and the CUDA context. It refuses,
// with an error matching [ErrInUse], while executors are open; it is safe on
// nil and on a second call.
func (d *Device) Close() error {
	if d == nil {
		return nil
	}
	return d.children.Close("trt: device "+d.id, d.closeNative)
}

func (d *Device) closeNative() error {
	if d.ctx == nil {
		return nil
	}
	err := d.ctx.Do(func() error {
		e1 := d.engine.Close()
		e2 := d.rt.Close()
		return errors.Join(e1, e2)
	})
	d.engine, d.rt = nil, nil
	err = errors.Join(err, d.ctx.Close())
	d.ctx = nil
	return err
}

// ioBuffer is one IO tensor's pinned host and device memory, sized for the
// executor's max batch. A tensor TensorRT keeps on the host (IOTensor.OnHost,
// a shape tensor) has no device memory: its address is the host buffer's.
type ioBuffer struct {
	t      IOTensor
	sample int // bytes per sample
	host   *cuda.HostBuffer
	dev    *cuda.DeviceBuffer
}

// addr is the address TensorRT is given for the tensor.
func (b ioBuffer) addr() uintptr {
	if b.dev == nil {
		return uintptr(unsafe.Pointer(&b.host.Bytes()[0])) // pinned memory CUDA allocated, not Go's
	}
	return b.dev.Ptr()
}

// Executor runs batches of one engine on one CUDA stream; it implements
// [device.Executor] and belongs to one goroutine.
//
// With one input tensor, Input(i) is sample i's slice of the pinned input
// buffer itself; with several, Input(i) is a staging slot holding the
// sample's tensors back to back (in the Expect order), which Run scatters
// into the pinned buffers. Outputs are the same way round. Outputs are in the
// engine's formats (CHW4 and kin are not converted).
type Executor struct {
	dev                 *Device
	prof                Profile
	maxBatch            int
	stream              *cuda.Stream
	ectx                *ExecutionContext
	in, out             []ioBuffer
	inStage             []byte // sample-major staging when there are several inputs
	outStage            []byte
	inSample, outSample int
	ev                  [4]*cuda.Event // start, after H2D, after compute, after D2H
	shapeN              int            // batch the input shapes are set for, -1 none
	graphs              map[int]capturedGraph
}

func (x *Executor) open() error {
	d := x.dev
	var err error
	if x.stream, err = d.ctx.NewStream(); err != nil {
		return err
	}
	if x.ectx, err = d.engine.NewExecutionContext(); err != nil {
		return err
	}
	if err = x.ectx.SetOptimizationProfile(x.prof.Index, x.stream.Handle()); err != nil {
		return err
	}
	for i := range x.ev {
		if x.ev[i], err = d.ctx.NewEvent(); err != nil {
			return err
		}
	}
	// Input buffers at the profile's largest shape for the max batch.
	if err = x.setShapes(x.maxBatch); err != nil {
		return err
	}
	alloc := func(t IOTensor, shape Shape) (ioBuffer, error) {
		size, err := t.Bytes(shape)
		if err != nil {
			return ioBuffer{}, fmt.Errorf("plan %s: %w", d.cfg.Plan, err)
		}
		b := ioBuffer{t: t, sample: int(size) / x.maxBatch}
		if b.host, err = d.ctx.AllocHost(int(size)); err != nil {
			return b, err
		}
		if !needsDeviceBuffer(t) {
			return b, x.ectx.SetTensorAddress(t.Name, b.addr())
		}
		if b.dev, err = d.ctx.AllocDevice(int(size)); err != nil {
			return b, err
		}
		return b, x.ectx.SetTensorAddress(t.Name, b.addr())
	}
	for i, t := range d.inputs {
		b, err := alloc(t, x.maxShape(t))
		x.in = append(x.in, b)
		if err != nil {
			return err
		}
		// Every stream's slots must hold what Device.Inputs promised the
		// data set (profile 0's sample), or samples would be cut or padded.
		if b.sample != d.layout[i].Bytes {
			return fmt.Errorf("plan %s: tensor %q: profile %d takes %d bytes a sample, profile 0 %d: %w",
				d.cfg.Plan, t.Name, x.prof.Index, b.sample, d.layout[i].Bytes, ErrIOMismatch)
		}
		x.inSample += b.sample
	}
	for _, t := range d.outputs {
		shape, err := x.ectx.TensorShape(t.Name)
		if err != nil {
			return err
		}
		b, err := alloc(t, shape)
		x.out = append(x.out, b)
		if err != nil {
			return err
		}
		x.outSample += b.sample
	}
	if len(x.in) > 1 {
		x.inStage = make([]byte, x.inSample*x.maxBatch)
	}
	if len(x.out) > 1 {
		x.outStage = make([]byte, x.outSample*x.maxBatch)
	}
	return x.captureGraphs()
}

// maxShape is input t's shape at the executor's max batch: the profile's
// max with dimension 0 set to the batch.
func (x *Executor) maxShape(t IOTensor) Shape {
	for _, p := range x.prof.Inputs {
		if p.Name == t.Name {
			return p.Max.WithBatch(x.maxBatch)
		}
	}
	return t.Shape.WithBatch(x.maxBatch)
}

// setShapes sets every dynamic input's shape for a batch of n on the
// executor's own context (not on the graphs' contexts).
func (x *Executor) setShapes(n int) error {
	if x.shapeN == n {
		return nil
	}
	if err := x.setInputShapes(x.ectx, n); err != nil {
		return err
	}
	x.shapeN = n
	return nil
}

// setInputShapes sets every dynamic input's shape for a batch of n on c.
func (x *Executor) setInputShapes(c graphContext, n int) error {
	for _, t := range x.dev.inputs {
		if !t.Shape.Dynamic() {
			continue
		}
		if err := c.SetInputShape(t.Name, x.maxShape(t).WithBatch(n)); err != nil {
			return err
		}
	}
	return nil
}

// captureGraphs records a CUDA graph for each batch size the config asks
// for, each from an execution context of its own bound to the executor's
// buffers. Each such context holds its own activation memory
// (Engine.DeviceMemorySize).
func (x *Executor) captureGraphs() error {
	sizes := graphSizes(x.dev.cfg.GraphBatches, x.maxBatch)
	if len(sizes) == 0 {
		return nil
	}
	var err error
	x.graphs, err = captureGraphs(sizes, graphCapture{
		stream:  x.stream.Handle(),
		profile: x.prof.Index,
		newContext: func() (graphContext, error) {
			c, err := x.dev.engine.NewExecutionContext()
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		bind: func(c graphContext, n int) error {
			if err := x.setInputShapes(c, n); err != nil {
				return err
			}
			for _, b := range append(append([]ioBuffer(nil), x.in...), x.out...) {
				if err := c.SetTensorAddress(b.t.Name, b.addr()); err != nil {
					return err
				}
			}
			return nil
		},
		sync: x.stream.Synchronize,
	})
	return err
}

// MaxBatch is the largest batch Run accepts.
func (x *Executor) MaxBatch() int { return x.maxBatch }

// Input is sample slot i's staging bytes.
func (x *Executor) Input(slot int) []byte {
	if x.inStage != nil {
		return x.inStage[slot*x.inSample : (slot+1)*x.inSample]
	}
	return x.in[0].host.Bytes()[slot*x.inSample : (slot+1)*x.inSample]
}

// Output is sample slot i's result bytes of the last batch.
func (x *Executor) Output(slot int) []byte {
	if x.outStage != nil {
		return x.outStage[slot*x.outSample : (slot+1)*x.outSample]
	}
	return x.out[0].host.Bytes()[slot*x.outSample : (slot+1)*x.outSample]
}

// Run copies the first n staged samples to the GPU, runs the engine (from a
// captured graph when one exists for n) and copies the outputs back, then
// waits for the stream. A cancelled ctx stops a batch before it is queued;
// a queued batch runs to the end.
func (x *Executor) Run(ctx context.Context, n int) (device.Timing, error) {
	if x.ectx == nil {
		return device.Timing{}, closedError("executor")
	}
	if n < 1 || n > x.maxBatch {
		return device.Timing{}, fmt.Errorf("trt: device %s: plan %s: batch %d outside 1..%d: %w",
			x.dev.id, x.dev.cfg.Plan, n, x.maxBatch, ErrBatchTooLarge)
	}
	if err := ctx.Err(); err != nil {
		return device.Timing{}, err
	}
	var tm device.Timing
	err := x.dev.ctx.Do(func() error {
		if x.inStage != nil {
			scatter(x.in, x.inStage, x.inSample, n)
		}
		s := x.stream
		if err := x.ev[0].Record(s); err != nil {
			return err
		}
		for _, b := range x.in {
			if b.dev == nil {
				continue // TensorRT reads it from the host buffer
			}
			if err := s.CopyHtoD(b.dev, 0, b.host.Bytes()[:n*b.sample]); err != nil {
				return fmt.Errorf("tensor %q: %w", b.t.Name, err)
			}
		}
		if err := x.ev[1].Record(s); err != nil {
			return err
		}
		if g, ok := x.graphs[n]; ok {
			if err := g.graph.Launch(s.Handle()); err != nil {
				return err
			}
		} else {
			if err := x.setShapes(n); err != nil {
				return err
			}
			if err := x.ectx.EnqueueV3(s.Handle()); err != nil {
				return fmt.Errorf("plan %s: %w", x.dev.cfg.Plan, err)
			}
		}
		if err := x.ev[2].Record(s); err != nil {
			return err
		}
		for _, b := range x.out {
			if b.dev == nil {
				continue // TensorRT wrote it to the host buffer
			}
			if err := s.CopyDtoH(b.host.Bytes()[:n*b.sample], b.dev, 0); err != nil {
				return fmt.Errorf("tensor %q: %w", b.t.Name, err)
			}
		}
		if err := x.ev[3].Record(s); err != nil {
			return err
		}
		if err := x.ev[3].Synchronize(); err != nil {
			return err
		}
		var err error
		if tm.H2D, err = x.ev[1].Elapsed(x.ev[0]); err != nil {
			return err
		}
		if tm.Compute, err = x.ev[2].Elapsed(x.ev[1]); err != nil {
			return err
		}
		if tm.D2H, err = x.ev[3].Elapsed(x.ev[2]); err != nil {
			return err
		}
		if x.outStage != nil {
			gather(x.outStage, x.out, x.outSample, n)
		}
		return nil
	})
	if err != nil {
		return device.Timing{}, fmt.Errorf("trt: device %s: %w", x.dev.id, err)
	}
	return tm, nil
}

// scatter copies n sample-major staged samples into per-tensor buffers.
func scatter(bufs []ioBuffer, stage []byte, sample, n int) {
	for i := 0; i < n; i++ {
		off := i * sample
		for _, b := range bufs {
			copy(b.host.Bytes()[i*b.sample:(i+1)*b.sample], stage[off:off+b.sample])
			off += b.sample
		}
	}
}

// gather copies n samples from per-tensor buffers into sample-major staging.
func gather(stage []byte, bufs []ioBuffer, sample, n int) {
	for i := 0; i < n; i++ {
		off := i * sample
		for _, b := range bufs {
			copy(stage[off:off+b.sample], b.host.Bytes()[i*b.sample:(i+1)*b.sample])
			off += b.sample
		}
	}
}

// Close releases the executor's graphs, context, buffers, events and
// stream; a second call is harmless.
func (x *Executor) Close() error {
	if x == nil || x.dev == nil {
		return nil
	}
	err := x.closeNative()
	x.dev.children.Release()
	x.dev = nil
	return err
}

func (x *Executor) closeNative() error {
	var errs []error
	errs = append(errs, x.dev.ctx.Do(func() error {
		var errs []error
		if x.stream != nil {
			errs = append(errs, x.stream.Synchronize())
		}
		for n, g := range x.graphs {
			errs = append(errs, g.close())
			delete(x.graphs, n)
		}
		errs = append(errs, x.ectx.Close())
		x.ectx = nil
		for _, b := range append(x.in, x.out...) {
			errs = append(errs, b.host.Close(), b.dev.Close())
		}
		x.in, x.out = nil, nil
		for i := range x.ev {
			errs = append(errs, x.ev[i].Close())
			x.ev[i] = nil
		}
		errs = append(errs, x.stream.Close())
		x.stream = nil
		return errors.Join(errs...)
	}))
	return errors.Join(errs...)
}
