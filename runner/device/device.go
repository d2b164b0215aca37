// Package device holds the seam between the scheduler and the devices that
// run batches: what a GPU stream, a share of the CPU or a simulated device
// implements. Like database/sql/driver for database/sql, it imports nothing
// of the project, so cuda, trt and models implement it without depending on
// the scheduler above them.
//
// A [Device] opens one [Executor] per stream; an Executor belongs to one
// goroutine, owns its staging buffers and is released by Close, which is
// safe to call twice. A Device that owns native resources (a CUDA context,
// weights in device memory) refuses to close while executors are open with
// an error matching the project's ErrInUse (internal/gpuerr, re-exported by
// cuda and trt): children close first.
package device

import (
	"context"
	"time"
)

// Executor runs batches on one stream of one device: the seam between the
// scheduler and a device (TensorRT on CUDA, the built-in model on the CPU or
// the GPU, a simulated device in tests). An Executor is not safe for
// concurrent use; the scheduler gives each one to a single goroutine.
//
// A batch of n samples is staged by writing sample i's bytes into Input(i)
// for i < n, run by Run(ctx, n), and read back from Output(i). Input and
// Output slices stay valid until Close and are reused by every batch.
type Executor interface {
	// MaxBatch is the largest n that Run accepts.
	MaxBatch() int
	// Input is the staging buffer of sample slot i of the next batch
	// (pinned host memory on a GPU).
	Input(slot int) []byte
	// Run runs the first n staged samples and returns when their outputs are
	// ready, with the time spent in each stage.
	Run(ctx context.Context, n int) (Timing, error)
	// Output is the result of sample slot i of the last batch.
	Output(slot int) []byte
	// Close releases the executor's resources; a second call is harmless.
	Close() error
}

// Timing says where a batch's time went inside an executor. Stages an
// executor does not have (no copies on a CPU) are zero.
type Timing struct {
	H2D     time.Duration // host-to-device copy
	Compute time.Duration // inference
	D2H     time.Duration // device-to-host copy
}

// Device is one schedulable device: a GPU, a MIG slice, a vGPU or a share of
// the CPU's cores. It opens one Executor per stream; executors of one device
// share it, so a faster device simply frees its streams sooner.
//
// A Device may also have a Kind() string method naming its kind in results
// ("gpu", "mig", "cpu", "simulated"), and may implement [Concurrent] when it
// runs more than one batch at a time.
type Device interface {
	// ID names the device in results and errors, e.g. "gpu0" or "cpu0".
	ID() string
	// NewExecutor opens the executor of the given stream with room for
	// maxBatch samples. An executor may offer less (an engine profile's
	// maximum); its MaxBatch is what counts.
	NewExecutor(stream, maxBatch int) (Executor, error)
}

// Concurrent is implemented by a device that runs several batches at once
// (a CPU device with several cores): the scheduler sizes its per-batch time
// model by it.
type Concurrent interface {
	Concurrency() int
}

// SampleSource gives the bytes of loaded QSL samples; the scheduler copies
// them into an executor's staging slots. A QSL implements it.
type SampleSource interface {
	// SampleData returns the input bytes of sample index; it is only called
	// for loaded samples and must not allocate.
	SampleData(index int) []byte
}
