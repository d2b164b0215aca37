package sched

import seam "github.com/gotrt/gotrt/runner/device"

// The seam types live in the leaf package [device], so that devices (cuda,
// trt, models) need not import the scheduler; these aliases keep the
// scheduler's API whole.
type (
	// Executor is [device.Executor].
	Executor = seam.Executor
	// Timing is [device.Timing].
	Timing = seam.Timing
	// Device is [device.Device].
	Device = seam.Device
	// SampleSource is [device.SampleSource].
	SampleSource = seam.SampleSource
	// Concurrent is [device.Concurrent].
	Concurrent = seam.Concurrent
)
