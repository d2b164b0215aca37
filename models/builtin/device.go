package builtin

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/result"
)

var _ device.Device = (*Device)(nil)

// Device is a share of the CPU's cores running the model in one precision.
// It offers one stream per core: the scheduler runs each stream's executor
// on its own goroutine, so a device with c cores computes c batches at once.
// Go does not pin goroutines to cores, so the split is a share of the
// machine, not an affinity.
type Device struct {
	id    string
	cores int
	m     *Model
	prec  Precision
}

// NewDevice returns device id with the given number of cores (streams).
func NewDevice(id string, cores int, m *Model, p Precision) (*Device, error) {
	if m == nil {
		return nil, errors.New("new cpu device: nil model")
	}
	if cores < 1 {
		return nil, fmt.Errorf("new cpu device %s: %d cores, want at least 1", id, cores)
	}
	if p != INT8 && p != FP32 {
		return nil, fmt.Errorf("new cpu device %s: unknown precision %v", id, p)
	}
	return &Device{id: id, cores: cores, m: m, prec: p}, nil
}

// ErrSplit is wrapped by SplitCPU and SplitCores when the cores cannot be
// split as asked (more devices than cores): the caller's request is wrong.
var ErrSplit = errors.New("bad cpu split")

// SplitCPU splits the machine's cores (runtime.NumCPU) into n devices
// "cpu0"… of equal cores, as `--devices cpu:N`; cores that do not divide
// evenly are left idle so that the devices stay equal.
func SplitCPU(n int, m *Model, p Precision) ([]*Device, error) {
	return SplitCores(runtime.NumCPU(), n, m, p)
}

// SplitCores is [SplitCPU] for a given core count.
func SplitCores(total, n int, m *Model, p Precision) ([]*Device, error) {
	if n < 1 || n > total {
		return nil, fmt.Errorf("%w: split %d cpu cores into %d devices: want 1 to %d devices", ErrSplit, total, n, total)
	}
	devs := make([]*Device, n)
	for i := range devs {
		d, err := NewDevice(fmt.Sprintf("cpu%d", i), total/n, m, p)
		if err != nil {
			return nil, err
		}
		devs[i] = d
	}
	return devs, nil
}

// ID names the device, e.g. "cpu0".
func (d *Device) ID() string { return d.id }

// Streams is the number of streams the device offers: its cores.
func (d *Device) Streams() int { return d.cores }

// Concurrency is how many batches the device runs at once: one per core.
func (d *Device) Concurrency() int { return d.cores }

// Precision is the arithmetic of the device's executors.
func (d *Device) Precision() Precision { return d.prec }

// Info describes the device for result.json.
func (d *Device) Info() result.Device {
	return result.Device{ID: d.id, Kind: "cpu", Name: fmt.Sprintf("%s %s on %d CPU cores", Name, d.prec, d.cores)}
}

// NewExecutor opens the executor of stream (0 ≤ stream < Streams) for
// batches of up to maxBatch samples.
func (d *Device) NewExecutor(stream, maxBatch int) (device.Executor, error) {
	if stream < 0 || stream >= d.cores {
		return nil, fmt.Errorf("device %s: stream %d, want 0 to %d", d.id, stream, d.cores-1)
	}
	e, err := d.m.NewExecutor(d.prec, maxBatch)
	if err != nil {
		return nil, fmt.Errorf("device %s: %w", d.id, err)
	}
	return e, nil
}
