//go:build cuda

package gpu

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/internal/handle"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/result"
)

//go:embed kernels/builtin.ptx
var ptx []byte

var _ device.Device = (*Device)(nil)

// Built reports whether this binary can run the model on a GPU (the `cuda`
// build tag).
const Built = true

// Device is one GPU (or MIG instance) running the built-in model: its
// retained primary context, the loaded kernels and the parameters in device
// memory, shared by the executors of its streams.
type Device struct {
	id, name, kind string
	ordinal        int
	opts           options

	ctx    *cuda.Context
	mod    *cuda.Module
	fn     *cuda.Function
	params *cuda.DeviceBuffer

	perBlock  int // samples per thread block (the kernel variant)
	maxBlocks int // resident blocks: SMs × blocks per SM
	smem      int // dynamic shared memory per block

	// executors counts the open executors: Close refuses while any is.
	executors handle.Parent
}

// Open opens the GPU of CUDA ordinal ordinal as device id: it retains the
// context, loads the kernels (the driver compiles the embedded PTX for the
// GPU) and uploads m's INT8 parameters once. Errors name the device; without
// a usable GPU they match [gpuerr.ErrNotSupported].
func Open(ordinal int, id string, m *builtin.Model, opts ...Option) (*Device, error) {
	if m == nil {
		return nil, fmt.Errorf("gpu device %s: nil model", id)
	}
	o := defaults()
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.check(); err != nil {
		return nil, fmt.Errorf("gpu device %s: %w", id, err)
	}
	blob, err := packParams(m.Int8())
	if err != nil {
		return nil, fmt.Errorf("gpu device %s: %w", id, err)
	}
	ctx, err := cuda.NewContext(ordinal)
	if err != nil {
		return nil, fmt.Errorf("gpu device %s: %w: %w", id, ErrCUDA, err)
	}
	d := &Device{id: id, ordinal: ordinal, opts: o, ctx: ctx, kind: result.KindGPU}
	if err := d.init(blob); err != nil {
		d.release()
		return nil, fmt.Errorf("gpu device %s: %w", id, err)
	}
	return d, nil
}

// init picks the kernel variant for the GPU's shared memory, loads it and
// uploads the parameters.
func (d *Device) init(blob []byte) error {
	name, err := d.ctx.Name()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCUDA, err)
	}
	d.name = name
	if strings.Contains(name, "MIG") {
		d.kind = result.KindMIG
	}
	sms, err := d.ctx.MultiprocessorCount()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCUDA, err)
	}
	perBlockMax, err := d.ctx.Attribute(cuda.AttrMaxSharedMemoryPerBlockOptin)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCUDA, err)
	}
	perSM, err := d.ctx.Attribute(cuda.AttrMaxSharedMemoryPerMultiprocessor)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCUDA, err)
	}
	d.perBlock, d.maxBlocks = launchShape(d.opts.perBlock, sms, perBlockMax, perSM)
	if d.perBlock == 0 {
		return fmt.Errorf("%s has %d bytes of shared memory per block, the kernel needs %d", name, perBlockMax, sharedBytes(2))
	}
	d.smem = sharedBytes(d.perBlock)
	if d.mod, err = d.ctx.LoadModule(ptx); err != nil {
		return fmt.Errorf("%w: %w", ErrCUDA, err)
	}
	if d.fn, err = d.mod.Function(fmt.Sprintf("builtin_int8_s%d", d.perBlock)); err != nil {
		return fmt.Errorf("%w: %w", ErrCUDA, err)
	}
	if err := d.fn.SetMaxDynamicSharedMemory(d.smem); err != nil {
		return fmt.Errorf("%w: %w", ErrCUDA, err)
	}
	if d.params, err = d.ctx.AllocDevice(len(blob)); err != nil {
		return fmt.Errorf("%w: %w", ErrCUDA, err)
	}
	s, err := d.ctx.NewStream()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCUDA, err)
	}
	err = s.CopyHtoD(d.params, 0, blob)
	if err == nil {
		err = s.Synchronize()
	}
	err = errors.Join(err, s.Close())
	if err != nil {
		return fmt.Errorf("%w: upload parameters: %w", ErrCUDA, err)
	}
	return nil
}

// ID names the device, e.g. "gpu0".
func (d *Device) ID() string { return d.id }

// Kind is "gpu" for a whole GPU (or vGPU) and "mig" for a MIG instance.
func (d *Device) Kind() string { return d.kind }

// Name is the GPU's product name.
func (d *Device) Name() string { return d.name }

// Streams is the number of executors the device offers (WithStreams).
func (d *Device) Streams() int { return d.opts.streams }

// Info describes the device for result.json.
func (d *Device) Info() result.Device {
	return result.Device{Index: d.ordinal, ID: d.id, Kind: d.kind, Name: d.name}
}

// Launch describes the kernel configuration: samples per thread block and
// the most blocks a batch launches (SMs × resident blocks per SM).
func (d *Device) Launch() (samplesPerBlock, maxBlocks int) { return d.perBlock, d.maxBlocks }

// Close releases the parameters, the kernels and the context. It refuses
// with an error wrapping gpuerr.ErrInUse while executors are open, and is
// harmless twice or on nil.
func (d *Device) Close() error {
	if d == nil {
		return nil
	}
	return d.executors.Close("gpu device "+d.id, func() error {
		if err := d.release(); err != nil {
			return fmt.Errorf("gpu device %s: close: %w", d.id, err)
		}
		return nil
	})
}

// release frees what init made, children first.
func (d *Device) release() error {
	err := errors.Join(d.params.Close(), d.mod.Close())
	d.params, d.mod, d.fn = nil, nil, nil
	err = errors.Join(err, d.ctx.Close())
	d.ctx = nil
	return err
}

// NewExecutor opens the executor of stream (0 ≤ stream < Streams) with room
// for maxBatch samples (1 to MaxBatchLimit): its own CUDA stream, pinned
// staging buffers, device buffers and events.
func (d *Device) NewExecutor(stream, maxBatch int) (device.Executor, error) {
	if stream < 0 || stream >= d.opts.streams {
		return nil, fmt.Errorf("gpu device %s: stream %d, want 0 to %d", d.id, stream, d.opts.streams-1)
	}
	if maxBatch < 1 || maxBatch > MaxBatchLimit {
		return nil, fmt.Errorf("gpu device %s: %w: max batch %d, want 1 to %d", d.id, ErrBatch, maxBatch, MaxBatchLimit)
	}
	if err := d.executors.Acquire("gpu device " + d.id + ": new executor"); err != nil {
		return nil, err
	}
	e, err := newExecutor(d, maxBatch)
	if err != nil {
		d.executors.Release()
		return nil, fmt.Errorf("gpu device %s: stream %d: %w: %w", d.id, stream, ErrCUDA, err)
	}
	return e, nil
}
