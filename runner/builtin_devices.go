package runner

import (
	"errors"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/result"
)

// BuiltinDevices are the built-in model's devices that cfg selects, opened
// as [Run] opens them: every usable GPU in a `-tags cuda` build on a GPU
// host (cfg.Devices picks GPUs as CUDA_VISIBLE_DEVICES does), else shares of
// the CPU. A program that drives them itself (`gotrt serve`) gets the same
// placement as a run.
type BuiltinDevices struct {
	// Devices are the scheduler's devices; Infos describe them for results.
	Devices []device.Device
	Infos   []result.Device
	// Streams is the devices' own stream count (a GPU's default, or one
	// per core of a CPU device), for a scheduler config that leaves it 0.
	Streams int
	// OnGPU says the devices are GPUs (else shares of the CPU).
	OnGPU bool
	// Precision is the model's arithmetic; Note says, in one line, why the
	// model runs on the CPU of a machine that has GPUs ("" otherwise);
	// Description is what ran, in words.
	Precision   builtin.Precision
	Note        string
	Description string

	release func() error
}

// Close releases the GPU devices and the device inventory; call it after
// the scheduler has closed their executors. It is safe to call twice.
func (b *BuiltinDevices) Close() error {
	if b == nil || b.release == nil {
		return nil
	}
	err := b.release()
	b.release = nil
	return err
}

// OpenBuiltinDevices opens the built-in model on the devices cfg selects
// (cfg.Devices, cfg.Count, cfg.Precision, cfg.Sched.Streams, cfg.NVML or
// cfg.Inventory). Bad selections wrap [ErrConfig].
func OpenBuiltinDevices(cfg Config) (*BuiltinDevices, error) {
	inv, releaseInv, err := cfg.inventory()
	if err != nil {
		return nil, err
	}
	prec, err := cfg.precision()
	if err != nil {
		releaseInv()
		return nil, err
	}
	m, err := builtin.Default()
	if err != nil {
		releaseInv()
		return nil, err
	}
	place, err := placeBuiltin(&cfg, inv, prec)
	if err != nil {
		releaseInv()
		return nil, err
	}
	devs, infos, closeDevs, err := builtinDevices(place, m, prec, cfg.Sched.Streams)
	if err != nil {
		releaseInv()
		return nil, err
	}
	b := &BuiltinDevices{Devices: devs, Infos: infos, Precision: prec, Note: place.note,
		Description: describe(place, prec, devs), OnGPU: len(place.gpus) > 0}
	if s, ok := devs[0].(interface{ Streams() int }); ok {
		b.Streams = s.Streams()
	}
	b.release = func() error {
		err := closeDevs()
		releaseInv()
		return errors.Join(err)
	}
	return b, nil
}
