package sched

import (
	"errors"
	"fmt"
	"time"

	"github.com/gotrt/gotrt/runner/clock"
)

// Sentinel errors callers branch on.
var (
	// ErrConfig wraps every invalid knob or device selection.
	ErrConfig = errors.New("sched: bad config")
	// ErrNoDevices is returned when no device is left to run on.
	ErrNoDevices = errors.New("sched: no devices")
	// ErrNotStarted is reported for a query issued before Start.
	ErrNotStarted = errors.New("sched: not started")
	// ErrClosed is reported for a query issued after Close or after the run
	// ended on a fault.
	ErrClosed = errors.New("sched: closed")
	// ErrDevice wraps an executor's error: the run names the device and
	// stream, and errors.Is still finds the executor's own error.
	ErrDevice = errors.New("sched: device failed")
)

// FaultPolicy says what an executor error does to the run.
type FaultPolicy int

const (
	// FailRun ends the run on the first executor error: the load generator
	// is told through Completer.Fail and every goroutine exits.
	FailRun FaultPolicy = iota
	// Continue drops the failed device and goes on with the others; the
	// samples of its failed batch go back to the queue.
	Continue
)

// Defaults of [Config].
const (
	DefaultMaxBatch      = 256
	DefaultStreams       = 1
	DefaultBatchTimeout  = 2 * time.Millisecond
	DefaultWarmupBatches = 2
	DefaultLatencyTarget = 0.7
)

// NoWait is a BatchTimeout that waits for nothing: a stream with a free
// lane takes what waits (`--batch-timeout 0`).
const NoWait = time.Nanosecond

// DeviceConfig overrides the run's knobs for one device; zero fields keep
// the run's value.
type DeviceConfig struct {
	MaxBatch     int
	Streams      int
	BatchTimeout time.Duration
}

// Config holds a run's knobs. The zero value is valid: every device, batches
// of up to 256, one stream per device, a 2 ms batch timeout.
type Config struct {
	// MaxBatch is the largest batch per executor (an executor may offer
	// less; its own MaxBatch wins).
	MaxBatch int
	// Streams is the number of executors per device. A device runs one
	// batch at a time; more streams overlap staging and completion with
	// the device's work.
	Streams int
	// BatchTimeout is how long the oldest waiting sample may wait for a
	// fuller batch before a free stream takes what waits (fixed policy;
	// 0 is the default, NoWait none). It applies beside a busy device: an
	// idle device takes what waits at once, under every policy.
	BatchTimeout time.Duration
	// LatencyBound, when set (Server's target latency), switches to the
	// adaptive policy: batches planned per device against this bound from
	// the device's measured batch time (see the package doc); BatchTimeout
	// is then unused.
	LatencyBound time.Duration
	// LatencyTarget is the fraction of LatencyBound that a batch's worst
	// case (waiting for a free device, then running) may use, leaving the
	// rest for bursts (default 0.7, the best of the scheduler's Server
	// study on simulated devices).
	LatencyTarget float64
	// Devices are the ids of the devices to use, in order; empty uses all.
	Devices []string
	// PerDevice overrides knobs by device id.
	PerDevice map[string]DeviceConfig
	// OnFault is what an executor error does (default FailRun).
	OnFault FaultPolicy
	// WarmupBatches is how many batches of each size every stream runs in
	// Start (default 2); NoWarmup skips warm-up.
	WarmupBatches int
	NoWarmup      bool
}

// Option configures a [Scheduler] beyond its [Config].
type Option func(*Scheduler)

// WithClock makes the scheduler read time from c (default a [clock.Real]).
// With a [clock.Virtual] and simulated devices a study runs in simulated
// time.
func WithClock(c clock.Clock) Option { return func(s *Scheduler) { s.clk = c } }

func (c *Config) validate() error {
	switch {
	case c.MaxBatch < 0:
		return fmt.Errorf("%w: max batch %d", ErrConfig, c.MaxBatch)
	case c.Streams < 0:
		return fmt.Errorf("%w: streams %d", ErrConfig, c.Streams)
	case c.BatchTimeout < 0:
		return fmt.Errorf("%w: batch timeout %v", ErrConfig, c.BatchTimeout)
	case c.LatencyBound < 0:
		return fmt.Errorf("%w: latency bound %v", ErrConfig, c.LatencyBound)
	case c.LatencyTarget < 0 || c.LatencyTarget > 1:
		return fmt.Errorf("%w: latency target %v not in (0, 1]", ErrConfig, c.LatencyTarget)
	case c.WarmupBatches < 0:
		return fmt.Errorf("%w: warm-up batches %d", ErrConfig, c.WarmupBatches)
	case c.OnFault != FailRun && c.OnFault != Continue:
		return fmt.Errorf("%w: fault policy %d", ErrConfig, c.OnFault)
	}
	for id, o := range c.PerDevice {
		if o.MaxBatch < 0 || o.Streams < 0 || o.BatchTimeout < 0 {
			return fmt.Errorf("%w: device %s: negative override %+v", ErrConfig, id, o)
		}
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.Streams == 0 {
		c.Streams = DefaultStreams
	}
	if c.BatchTimeout == 0 {
		c.BatchTimeout = DefaultBatchTimeout
	}
	if c.LatencyTarget == 0 {
		c.LatencyTarget = DefaultLatencyTarget
	}
	if c.WarmupBatches == 0 {
		c.WarmupBatches = DefaultWarmupBatches
	}
	return nil
}
