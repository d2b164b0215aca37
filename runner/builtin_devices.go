package runner

import (
	"errors"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/result"
)

// BuiltinDevices are the built-in model's devices that cfg selects, opened
// as [Run] opens them: every usable GPU in a `-tags cuda` build on a GPU
// host (cfg.Devices picks GPUs as CUDA_VISIBLE_DEVICES does), else shares of
// the CPU. A program that drives them itself (`gotrt serve`) gets the same
// placement as a run.
//
// While CPU devices are open, GOMAXPROCS is one more than their executors
// (when it equalled them), so that a load generator's issuer or a server's
// handlers have a processor beside the executors computing on every core;
// Close puts it back.
type BuiltinDevices struct {
	// Devices are the scheduler's devices; Infos describe them for results.
	Devices []device.Device
	Infos   []result.Device
	// Streams is the devices' own stream count (a GPU's default, or one
	// per core of a CPU device), for a scheduler config that leaves it 0.
	Streams int
	// OnGPU says the devices are GPUs (else shares of the CPU).
	OnGPU bool
	// Clock is the clock for a scheduler and a load generator over these
	// devices: on the CPU one whose waits park on a timer while every
	// lane computes and poll precisely while one is free
	// ([clock.NewRealSharingCores]), since the devices compute on the
	// cores they wait on; on GPUs the precise [clock.NewReal].
	Clock *clock.Real
	// Precision is the model's arithmetic; Note says, in one line, why the
	// model runs on the CPU of a machine that has GPUs ("" otherwise);
	// Description is what ran, in words.
	Precision   builtin.Precision
	Note        string
	Description string

	release func() error
}

// Close releases the GPU devices and the device inventory, and for CPU
// devices the processor they kept spare; call it after the scheduler has
// closed their executors. It is safe to call twice.
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
		Description: describe(place, prec, devs), OnGPU: len(place.gpus) > 0, Clock: clock.NewReal()}
	if s, ok := devs[0].(interface{ Streams() int }); ok {
		b.Streams = s.Streams()
	}
	freeProc := func() {}
	if !b.OnGPU {
		freeProc = spareProcessor(cpuLanes(devs, cfg.Sched.Streams))
		b.Clock = clock.NewRealSharingCores()
	}
	b.release = func() error {
		err := closeDevs()
		releaseInv()
		freeProc()
		return errors.Join(err)
	}
	return b, nil
}
