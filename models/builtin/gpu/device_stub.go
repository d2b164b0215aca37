//go:build !cuda

package gpu

import (
	"context"

	"github.com/gotrt/gotrt/internal/gpuerr"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/result"
)

// Built reports whether this binary can run the model on a GPU (the `cuda`
// build tag).
const Built = false

var errNoCUDA = &gpuerr.UnsupportedError{Feature: "builtin model on the gpu", Hint: "build with -tags cuda"}

var (
	_ device.Device   = (*Device)(nil)
	_ device.Executor = (*Executor)(nil)
)

// Device is one GPU running the built-in model; this build has no CUDA, so
// [Open] always fails.
type Device struct{ _ [0]func() }

// Open fails with an error matching [gpuerr.ErrNotSupported]: this binary
// was built without the `cuda` tag.
func Open(ordinal int, id string, m *builtin.Model, opts ...Option) (*Device, error) {
	return nil, errNoCUDA
}

// ID is "".
func (d *Device) ID() string { return "" }

// Kind is "gpu".
func (d *Device) Kind() string { return result.KindGPU }

// Name is "".
func (d *Device) Name() string { return "" }

// Streams is 0.
func (d *Device) Streams() int { return 0 }

// Info is empty.
func (d *Device) Info() result.Device { return result.Device{} }

// Launch is 0, 0.
func (d *Device) Launch() (samplesPerBlock, maxBlocks int) { return 0, 0 }

// Close does nothing.
func (d *Device) Close() error { return nil }

// NewExecutor fails with an error matching [gpuerr.ErrNotSupported].
func (d *Device) NewExecutor(stream, maxBatch int) (device.Executor, error) { return nil, errNoCUDA }

// Executor runs batches on one stream of a [Device]; never made in this build.
type Executor struct{ _ [0]func() }

// MaxBatch is 0.
func (e *Executor) MaxBatch() int { return 0 }

// Input is nil.
func (e *Executor) Input(slot int) []byte { return nil }

// Output is nil.
func (e *Executor) Output(slot int) []byte { return nil }

// Class is -1.
func (e *Executor) Class(slot int) int { return -1 }

// Run fails with an error matching [gpuerr.ErrNotSupported].
func (e *Executor) Run(ctx context.Context, n int) (device.Timing, error) {
	return device.Timing{}, errNoCUDA
}

// Close does nothing.
func (e *Executor) Close() error { return nil }
