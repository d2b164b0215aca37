//go:build !(cuda && tensorrt)

package trt

import (
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/result"
)

// Device is one GPU running one TensorRT engine; this build has none.
type Device struct{}

var _ device.Device = (*Device)(nil)

// OpenDevice opens a GPU with an engine; this build returns an error
// matching ErrNotSupported.
func OpenDevice(cfg DeviceConfig) (*Device, error) { return nil, unsupported("tensorrt gpu executor") }

// ID names the device.
func (d *Device) ID() string { return "" }

// Kind is the device's kind in results: "gpu" (or "mig", from
// [DeviceConfig.Kind]).
func (d *Device) Kind() string { return result.KindGPU }

// Inputs describes one sample of each engine input; this build has none.
func (d *Device) Inputs() []InputLayout { return nil }

// Engine is the device's engine.
func (d *Device) Engine() *Engine { return nil }

// NewExecutor opens an executor; this build returns an error matching ErrNotSupported.
func (d *Device) NewExecutor(stream, maxBatch int) (device.Executor, error) {
	return nil, unsupported("tensorrt gpu executor")
}

// Close is harmless.
func (d *Device) Close() error { return nil }
