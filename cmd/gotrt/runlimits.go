package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/models/builtin/gpu"
	"github.com/gotrt/gotrt/runner"
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

// noBatchWait is what --batch-timeout 0 gives the scheduler: "no wait", a
// batch leaves as soon as a stream is free. The scheduler reads a zero
// BatchTimeout as "its default" (2 ms), so no wait is the shortest
// positive timeout, which every waiting sample has already waited: the
// value the runner itself uses where waiting cannot help. Where the
// scheduler gains a value of its own for no wait, it goes here.
const noBatchWait = time.Nanosecond

// checkMaxBatch refuses, before anything opens, a --max-batch above what
// the devices the run will use take, where the command line tells which
// they are: the built-in model on the CPU takes builtin.MaxBatchLimit. A
// GPU's or an engine's limit is checked as its executors open, and such an
// error is the user's too (see runError).
func checkMaxBatch(cfg runner.Config) error {
	if cfg.Sched.MaxBatch <= builtin.MaxBatchLimit || cfg.Engine != "" || cfg.SUT != "" ||
		(cfg.Model != "" && cfg.Model != runner.BuiltinModel) {
		return nil
	}
	onCPU := strings.HasPrefix(strings.ToLower(strings.TrimSpace(cfg.Devices)), "cpu")
	if !onCPU && strings.EqualFold(strings.TrimSpace(cfg.Devices), "all") {
		onCPU = runner.GPUUsable() != nil
	}
	if !onCPU {
		return nil
	}
	return usageError{fmt.Errorf("--max-batch %d: want 1 to %d: the built-in model on the CPU takes batches of at most %d",
		cfg.Sched.MaxBatch, builtin.MaxBatchLimit, builtin.MaxBatchLimit)}
}
