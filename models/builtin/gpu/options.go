package gpu

import (
	"errors"
	"fmt"

	"github.com/gotrt/gotrt/models/builtin"
)

// MaxBatchLimit bounds the max batch of an executor: 64 MiB of pinned input.
const MaxBatchLimit = 1 << 16

// Errors callers can branch on.
var (
	// ErrCUDA is wrapped by every error a CUDA call returned, with the
	// device's id and the cuda package's error (its code) in the message.
	ErrCUDA = errors.New("cuda error")
	// ErrBatch is [builtin.ErrBatch]: a batch size out of range.
	ErrBatch = builtin.ErrBatch
)

// Option configures [Open].
type Option func(*options)

type options struct {
	graphs   bool
	perBlock int
	streams  int
}

func defaults() options { return options{graphs: true, streams: DefaultStreams} }

// DefaultStreams is the number of executors a device offers by default.
// Each stream's goroutine stages its batch (1 KiB a sample into pinned
// memory) while the others' batches copy and compute; on an H200 with 16
// host cores, 24 streams of 16384-sample batches ran gotrt's Offline at
// 19.5M samples/s, against 10.6M with 16 × 8192 and 6.3M with 8 × 4096.
const DefaultStreams = 24

func (o options) check() error {
	switch o.perBlock {
	case 0, 2, 4, 8:
	default:
		return fmt.Errorf("%d samples per block, want 2, 4 or 8 (0 picks)", o.perBlock)
	}
	if o.streams < 1 || o.streams > 64 {
		return fmt.Errorf("%d streams, want 1 to 64", o.streams)
	}
	return nil
}

// WithGraphs sets whether executors launch each batch (copies, kernel,
// events) as one CUDA graph, captured the first time a batch size is seen
// (default true), or as separate stream calls.
func WithGraphs(on bool) Option { return func(o *options) { o.graphs = on } }

// WithSamplesPerBlock picks the kernel variant: 2, 4 or 8 samples per
// thread block; 0 (the default) takes the largest whose shared memory fits.
func WithSamplesPerBlock(s int) Option { return func(o *options) { o.perBlock = s } }

// WithStreams sets how many executors (CUDA streams) the device offers, 1 to
// 64 (default [DefaultStreams]).
func WithStreams(n int) Option { return func(o *options) { o.streams = n } }
