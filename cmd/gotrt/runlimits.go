package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/models/builtin/gpu"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/sched"
)

// Ranges of the scheduler flags, checked as the flags are parsed.
const (
	// maxBatchLimit is the largest batch any executor of gotrt takes (the
	// built-in model's GPU executor; the CPU's is builtin.MaxBatchLimit).
	maxBatchLimit = max(builtin.MaxBatchLimit, gpu.MaxBatchLimit)
	// maxStreams bounds --streams: each stream is a goroutine with its own
	// staging buffers (a GPU runs well on 4 to 24, a CPU device on one per
	// core).
	maxStreams = 1024
	// maxBatchTimeout bounds --batch-timeout: a sample waiting longer for
	// company than a minute measures nothing useful.
	maxBatchTimeout = time.Minute
)

// noBatchWait is what --batch-timeout 0 gives the scheduler: no wait, a
// batch leaves as soon as a stream is free (the scheduler reads a zero
// BatchTimeout as its default).
const noBatchWait = sched.NoWait

// checkDeviceLimits refuses, before anything opens, a --max-batch or
// --streams above what the devices the run will use take, where the command
// line tells which they are: the built-in model on the CPU takes batches of
// at most builtin.MaxBatchLimit and a stream per core. A GPU's or an
// engine's limits are checked as its executors open; a CPU split in
// devices (cpu:N) by the runner, which names each device's cores.
func checkDeviceLimits(cfg runner.Config) error {
	if (cfg.Sched.MaxBatch <= builtin.MaxBatchLimit && cfg.Sched.Streams <= runtime.NumCPU()) ||
		cfg.Engine != "" || cfg.SUT != "" || (cfg.Model != "" && cfg.Model != runner.BuiltinModel) {
		return nil
	}
	dev := strings.ToLower(strings.TrimSpace(cfg.Devices))
	onCPU := strings.HasPrefix(dev, "cpu")
	if dev == "all" {
		onCPU = runner.GPUUsable() != nil
	}
	switch {
	case !onCPU:
		return nil
	case cfg.Sched.MaxBatch > builtin.MaxBatchLimit:
		return usageError{fmt.Errorf("--max-batch %d: want 1 to %d: the built-in model on the CPU takes batches of at most %d",
			cfg.Sched.MaxBatch, builtin.MaxBatchLimit, builtin.MaxBatchLimit)}
	default:
		return usageError{fmt.Errorf("--streams %d: want 1 to %d on this CPU: each stream computes on a core of its own",
			cfg.Sched.Streams, runtime.NumCPU())}
	}
}
