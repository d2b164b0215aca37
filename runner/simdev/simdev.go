package simdev

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/sched"
)

// Kind is the kind every simulated device reports, so that results made with
// one are labelled simulated.
const Kind = "simulated"

// ErrBatchSize is returned by Run for a batch size outside 1..MaxBatch.
var ErrBatchSize = errors.New("simdev: batch size out of range")

// ErrInjected is the error the [FailAfter] fault returns.
var ErrInjected = errors.New("simdev: injected fault")

// Profile is a simulated device's batch latency: a batch of b samples
// occupies the device for b×H2DPerSample, then Fixed + b×PerSample, then
// b×D2HPerSample. The device runs one batch at a time; its streams overlap
// only the host-side work around it, unless Overlap puts the copies on
// engines of their own.
type Profile struct {
	Fixed        time.Duration // per-batch cost (launch, fixed kernels)
	PerSample    time.Duration // compute per sample
	H2DPerSample time.Duration // host-to-device copy per sample
	D2HPerSample time.Duration // device-to-host copy per sample
	// Overlap runs the copies on a copy-in and a copy-out engine beside
	// the compute, as a GPU's copy engines do: one batch's H2D overlaps
	// another's kernel, and the device's rate is that of its slowest stage.
	Overlap bool
}

// T4ResNet50 is a ResNet50-on-T4-like profile, the one of the scheduler's
// studies: 0.5 ms + b×163 µs, about 6,062 samples/s at batch 256.
func T4ResNet50() Profile {
	return Profile{Fixed: 500 * time.Microsecond, PerSample: 163 * time.Microsecond}
}

// H200Builtin is the built-in model's GPU kernel on an H200 as measured by
// tools/gpu/check.sh (README's H200 table): compute 12 µs + b×44 ns (a batch
// of 4096 in 192 µs), H2D b×20 ns (82 µs for 4096, 51 GB/s of 1 KiB
// samples), D2H b×2 ns, the copies overlapping the kernels. About 21M
// samples/s at batch 4096: the kernel's rate, not the H2D ceiling.
func H200Builtin() Profile {
	return Profile{Fixed: 12 * time.Microsecond, PerSample: 44 * time.Nanosecond,
		H2DPerSample: 20 * time.Nanosecond, D2HPerSample: 2 * time.Nanosecond, Overlap: true}
}

// Scaled returns p with every cost multiplied by f: Scaled(2) is a device
// twice as slow.
func (p Profile) Scaled(f float64) Profile {
	s := func(d time.Duration) time.Duration { return time.Duration(float64(d) * f) }
	return Profile{s(p.Fixed), s(p.PerSample), s(p.H2DPerSample), s(p.D2HPerSample), p.Overlap}
}

// BatchTime is how long a batch of b samples occupies the device.
func (p Profile) BatchTime(b int) time.Duration {
	n := time.Duration(b)
	return n*p.H2DPerSample + p.Fixed + n*p.PerSample + n*p.D2HPerSample
}

// PeakRate is the device's rate in samples/s with back-to-back batches of b
// (with Overlap, batches in a pipeline: the slowest stage's rate).
func (p Profile) PeakRate(b int) float64 {
	t := p.BatchTime(b)
	if p.Overlap {
		n := time.Duration(b)
		t = max(n*p.H2DPerSample, p.Fixed+n*p.PerSample, n*p.D2HPerSample)
	}
	if t <= 0 {
		return 0
	}
	return float64(b) / t.Seconds()
}

// Fault decides whether batch number batch (counted from 0 over the device's
// streams) of n samples fails; a nil error lets it run.
type Fault func(batch uint64, n int) error

// FailAfter is a [Fault] that lets ok batches run and fails every later one
// with [ErrInjected].
func FailAfter(ok uint64) Fault {
	return func(batch uint64, _ int) error {
		if batch >= ok {
			return fmt.Errorf("batch %d: %w", batch, ErrInjected)
		}
		return nil
	}
}

// Option configures a [Device].
type Option func(*Device)

// WithSampleSize sets the bytes per sample of the staging input and output
// slots (default 8 and 8). An executor's output echoes the first out bytes
// of the input, so tests can check which sample a response belongs to.
func WithSampleSize(in, out int) Option {
	return func(d *Device) { d.in, d.out = in, out }
}

// WithConcurrency lets the device run n batches at once, as a CPU device
// whose streams compute on their own cores does (default 1, as a GPU). The
// device reports it through Concurrency, which the scheduler reads.
func WithConcurrency(n int) Option { return func(d *Device) { d.conc = n } }

// WithMaxBatch caps the batch size the device's executors accept, as an
// engine profile would.
func WithMaxBatch(n int) Option { return func(d *Device) { d.maxBatch = n } }

// WithFault injects faults into the device's batches.
func WithFault(f Fault) Option { return func(d *Device) { d.fault = f } }

// Device is a simulated device: a test tool for the scheduler, never a
// measurement. It reads time from the clock it is given, so on a
// [clock.Virtual] a study of many seconds runs in a moment.
type Device struct {
	id       string
	p        Profile
	c        clock.Clock
	in, out  int
	maxBatch int
	conc     int
	fault    Fault

	mu      sync.Mutex
	freeAt  []time.Duration // per lane: when the batch last queued on it ends
	h2dFree time.Duration   // with Overlap: when the copy-in engine frees
	d2hFree time.Duration   // and the copy-out engine
	batches uint64          // batches started, for faults
}

// New returns a simulated device named id with latency profile p.
func New(id string, p Profile, c clock.Clock, opts ...Option) *Device {
	d := &Device{id: id, p: p, c: c, in: 8, out: 8, conc: 1}
	for _, o := range opts {
		o(d)
	}
	d.conc = max(d.conc, 1)
	d.freeAt = make([]time.Duration, d.conc)
	return d
}

// ID returns the device's id.
func (d *Device) ID() string { return d.id }

// Kind returns [Kind].
func (d *Device) Kind() string { return Kind }

// Concurrency is how many batches the device runs at once (see
// [WithConcurrency]).
func (d *Device) Concurrency() int { return d.conc }

// Name describes the profile, e.g. "simulated 500µs + b×163µs".
func (d *Device) Name() string {
	return fmt.Sprintf("simulated %v + b×%v", d.p.Fixed, d.p.PerSample)
}

// Profile returns the device's latency profile.
func (d *Device) Profile() Profile { return d.p }

// NewExecutor opens a stream's executor with maxBatch staging slots, fewer
// if the device has a smaller cap.
func (d *Device) NewExecutor(stream, maxBatch int) (sched.Executor, error) {
	if maxBatch <= 0 {
		return nil, fmt.Errorf("simdev: %s stream %d: max batch %d: %w", d.id, stream, maxBatch, ErrBatchSize)
	}
	if d.maxBatch > 0 && maxBatch > d.maxBatch {
		maxBatch = d.maxBatch
	}
	e := &Executor{d: d, inputs: make([][]byte, maxBatch), outputs: make([][]byte, maxBatch)}
	in := make([]byte, maxBatch*d.in)
	out := make([]byte, maxBatch*d.out)
	for i := range maxBatch {
		e.inputs[i] = in[i*d.in : (i+1)*d.in : (i+1)*d.in]
		e.outputs[i] = out[i*d.out : (i+1)*d.out : (i+1)*d.out]
	}
	return e, nil
}

// Executor is one stream of a simulated [Device].
type Executor struct {
	d       *Device
	inputs  [][]byte
	outputs [][]byte
	closed  bool
}

// MaxBatch returns the number of staging slots.
func (e *Executor) MaxBatch() int { return len(e.inputs) }

// Input returns staging slot i.
func (e *Executor) Input(i int) []byte { return e.inputs[i] }

// Output returns output slot i of the last batch.
func (e *Executor) Output(i int) []byte { return e.outputs[i] }

// Run occupies the device (the lane that frees first, when it runs several
// batches at once) for the profile's time of n samples, after any batch
// already queued there, and echoes the inputs into the outputs.
func (e *Executor) Run(ctx context.Context, n int) (sched.Timing, error) {
	if e.closed {
		return sched.Timing{}, errors.New("simdev: run on a closed executor")
	}
	if n < 1 || n > len(e.inputs) {
		return sched.Timing{}, fmt.Errorf("simdev: %s: batch of %d, max %d: %w", e.d.id, n, len(e.inputs), ErrBatchSize)
	}
	d := e.d
	p := d.p
	b := time.Duration(n)
	t := sched.Timing{H2D: b * p.H2DPerSample, Compute: p.Fixed + b*p.PerSample, D2H: b * p.D2HPerSample}
	now := d.c.Now()
	d.mu.Lock()
	batch := d.batches
	d.batches++
	var err error
	if d.fault != nil {
		err = d.fault(batch, n)
	}
	lane := 0
	for i, f := range d.freeAt {
		if f < d.freeAt[lane] {
			lane = i
		}
	}
	var end time.Duration
	switch {
	case err != nil:
	case p.Overlap:
		in := max(now, d.h2dFree) + t.H2D
		d.h2dFree = in
		done := max(in, d.freeAt[lane]) + t.Compute
		d.freeAt[lane] = done
		end = max(done, d.d2hFree) + t.D2H
		d.d2hFree = end
	default:
		end = max(now, d.freeAt[lane]) + t.H2D + t.Compute + t.D2H
		d.freeAt[lane] = end
	}
	d.mu.Unlock()
	if err != nil {
		return sched.Timing{}, fmt.Errorf("simdev: %s: %w", d.id, err)
	}
	if !d.c.SleepUntil(end, ctx.Done()) {
		return sched.Timing{}, ctx.Err()
	}
	for i := range n {
		copy(e.outputs[i], e.inputs[i])
	}
	return t, nil
}

// Close marks the executor closed; a second call is harmless.
func (e *Executor) Close() error {
	e.closed = true
	return nil
}

var (
	_ sched.Device     = (*Device)(nil)
	_ sched.Concurrent = (*Device)(nil)
	_ sched.Executor   = (*Executor)(nil)
)
