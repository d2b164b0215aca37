package sched

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// Scheduler is a [loadgen.SystemUnderTest] built from devices: one shared
// queue of samples, and one goroutine per executor (device × stream) that
// forms a batch when its stream is free, runs it and completes it with one
// Complete call. A faster device frees its streams sooner and so takes more
// batches, with nothing to configure.
//
// Use it as New, Start (opens the executors and warms them up), then any
// number of queries, then Close. Stats may be read at any time; it is
// consistent after Close. A Scheduler is not reused after Close.
type Scheduler struct {
	cfg     Config
	clk     clock.Clock
	src     SampleSource
	devs    []*device
	workers []*worker
	adapt   bool
	yield   bool          // executors yield between batches (see loop)
	lastEnq time.Duration // the latest enqueue time (see IssueQuery)

	// computing counts the batches taken and not yet done, against lanes
	// (the live devices' concurrency), for a clock sharing the cores with
	// them; both are read without s.mu.
	computing, lanes atomic.Int32

	mu         sync.Mutex
	q          ring
	lead       *worker
	followers  []*worker
	followWake int // the smallest wakeN of the followers (MaxInt: none)
	state      runState
	stopErr    error // why queries are refused
	lastC      loadgen.Completer
	lastCID    uint32
	lastCOK    bool // lastC is comparable, so cid can be reused

	first, last      time.Duration // first sample queued, last batch done
	haveFirst        bool
	failedSamples    uint64
	requeued         uint64
	dropped          uint64
	completionErrors uint64
	warmSpan         time.Duration
	warmSizes        []int

	cancel context.CancelFunc
	g      *errgroup.Group
	ctx    context.Context
}

type runState uint8

const (
	created runState = iota
	running
	stopped
)

// New returns a scheduler over devices (all of them, or cfg.Devices in that
// order). src gives the samples' bytes to stage; it may be nil when the
// executors need no input. The executors are opened by Start, on the
// goroutines that will run them.
func New(devices []Device, src SampleSource, cfg Config, opts ...Option) (*Scheduler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Scheduler{cfg: cfg, src: src, adapt: cfg.LatencyBound > 0}
	for _, o := range opts {
		o(s)
	}
	if s.clk == nil {
		s.clk = clock.NewReal()
	}
	byID := make(map[string]Device, len(devices))
	var order []string
	for i, d := range devices {
		if d == nil {
			return nil, fmt.Errorf("%w: device %d is nil", ErrConfig, i)
		}
		if _, dup := byID[d.ID()]; dup {
			return nil, fmt.Errorf("%w: duplicate device id %q", ErrConfig, d.ID())
		}
		byID[d.ID()] = d
		order = append(order, d.ID())
	}
	if len(cfg.Devices) > 0 {
		order = cfg.Devices
	}
	for id := range cfg.PerDevice {
		if _, ok := byID[id]; !ok {
			return nil, fmt.Errorf("%w: override for unknown device %q", ErrConfig, id)
		}
	}
	seen := map[string]bool{}
	for _, id := range order {
		d, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("%w: unknown device %q", ErrConfig, id)
		}
		if seen[id] {
			return nil, fmt.Errorf("%w: device %q selected twice", ErrConfig, id)
		}
		seen[id] = true
		o := cfg.PerDevice[id]
		dv := &device{dev: d, id: id, kind: kindOf(d),
			want:    cmp0(o.MaxBatch, cfg.MaxBatch),
			streams: cmp0(o.Streams, cfg.Streams),
			timeout: cmp0(o.BatchTimeout, cfg.BatchTimeout)}
		dv.maxBatch = dv.want
		dv.conc = min(concurrencyOf(d), dv.streams)
		dv.laneEnd = make([]time.Duration, dv.conc)
		s.devs = append(s.devs, dv)
		for st := range dv.streams {
			s.workers = append(s.workers, &worker{d: dv, stream: st, ev: clock.NewEvent(s.clk)})
		}
	}
	if len(s.devs) == 0 {
		return nil, ErrNoDevices
	}
	s.q.init(1024)
	s.followWake = math.MaxInt
	return s, nil
}

func cmp0[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func kindOf(d Device) string {
	if k, ok := d.(interface{ Kind() string }); ok {
		return k.Kind()
	}
	return ""
}

func concurrencyOf(d Device) int {
	if c, ok := d.(Concurrent); ok && c.Concurrency() > 1 {
		return c.Concurrency()
	}
	return 1
}

// coreSharer is a clock whose waits need to know whether every core
// computes ([clock.Real.ShareCoresWith]).
type coreSharer interface{ ShareCoresWith(busy func() bool) }

// lanesBusy reports whether every lane of every device is computing a
// batch. (A worker woken for work is not counted: it may only re-park, as
// a leader promoted to watch the queue does.)
func (s *Scheduler) lanesBusy() bool { return s.computing.Load() >= s.lanes.Load() }

// Name names the system under test.
func (s *Scheduler) Name() string { return fmt.Sprintf("gotrt-sched(%d devices)", len(s.devs)) }

// Start opens every executor on its own goroutine, warms each stream up with
// a few batches of every size (reported apart in Stats), and returns when all
// are ready to take queries, or with the first error. ctx bounds the whole
// run: cancelling it stops the scheduler as Close does, and fails the
// queries still waiting.
//
// Each executor goroutine locks its OS thread for its whole life: a CUDA
// executor's context is current on one thread, and the executor is opened,
// run and closed there.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.state != created {
		s.mu.Unlock()
		return fmt.Errorf("sched: start: %w", ErrClosed)
	}
	s.state = running
	s.mu.Unlock()
	ctx, s.cancel = context.WithCancel(ctx)
	s.g, s.ctx = errgroup.WithContext(ctx)
	ready := make(chan error, len(s.workers))
	t0 := s.clk.Now()
	s.warmSizes = warmSizes(s.maxOfMax())
	// Executors that could hold every processor yield between batches;
	// with one to spare, the issuer and handlers run there.
	s.yield = len(s.workers) >= runtime.GOMAXPROCS(0)
	for _, d := range s.devs {
		s.lanes.Add(int32(d.conc))
	}
	if c, ok := s.clk.(coreSharer); ok {
		// The clock's waiters (the issuer, the workers) poll precisely
		// while a lane is free and park while every lane computes.
		c.ShareCoresWith(s.lanesBusy)
	}
	for _, w := range s.workers {
		// Bound to the clock: a virtual clock holds time still until the
		// goroutine parks, so time cannot pass a worker still starting.
		s.g.Go(clock.Bind(s.clk, func() error { return s.work(w, ready) }))
	}
	var err error
	for range s.workers {
		if e := <-ready; e != nil && err == nil {
			err = e
		}
	}
	s.mu.Lock()
	s.warmSpan = s.clk.Now() - t0
	s.mu.Unlock()
	if err != nil {
		_ = s.Close()
		return err
	}
	return nil
}

func (s *Scheduler) maxOfMax() int {
	m := 0
	for _, d := range s.devs {
		m = max(m, d.want)
	}
	return m
}

// warmSizes are 1, 2, 4, … up to max, and max itself: the sizes a TensorRT
// profile is tuned around, and enough points to fit a batch-time model.
func warmSizes(maxB int) []int {
	var sz []int
	for b := 1; b < maxB; b *= 2 {
		sz = append(sz, b)
	}
	return append(sz, maxB)
}

// Close stops the scheduler: it cancels the executors' work, waits for every
// goroutine and closes the executors. It returns the error that ended the
// run, if an executor failed. Queries still queued are counted as dropped.
// Close is safe to call more than once.
func (s *Scheduler) Close() error {
	s.mu.Lock()
	st := s.state
	s.state = stopped
	if s.stopErr == nil {
		s.stopErr = ErrClosed
	}
	s.mu.Unlock()
	if st == created || s.g == nil {
		return nil
	}
	s.cancel()
	for _, w := range s.workers {
		w.ev.Set()
	}
	err := s.g.Wait()
	if c, ok := s.clk.(coreSharer); ok {
		c.ShareCoresWith(nil)
	}
	s.mu.Lock()
	s.dropped += uint64(s.q.n)
	s.q.n = 0
	s.mu.Unlock()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// IssueQuery queues the samples; a free stream picks them up. The samples
// slice is copied, never kept. A query of several samples (Offline's one big
// query, MultiStream's) is batched at once without waiting for more.
func (s *Scheduler) IssueQuery(samples []loadgen.QuerySample, c loadgen.Completer) {
	now := s.clk.Now()
	flushed := len(samples) > 1
	var cid uint32
	// A large query (Offline's one query of millions of samples) is queued
	// in chunks, releasing the lock between them, so the devices start on
	// the first batches while the rest is queued rather than waiting for
	// the whole query to be copied in.
	for start := 0; start == 0 || start < len(samples); start += issueChunk {
		chunk := samples[start:min(start+issueChunk, len(samples))]
		s.mu.Lock()
		if s.state != running {
			err := s.stopErr
			if s.state == created {
				err = ErrNotStarted
			}
			s.mu.Unlock()
			c.Fail(fmt.Errorf("sched: issue query: %w", err))
			return
		}
		if start == 0 {
			// Several issuers read the clock before taking the lock:
			// keep the queue's enqueue times in order, as the batching
			// deadlines read them from its head.
			now = max(now, s.lastEnq)
			s.lastEnq = now
			cid = s.completerID(c)
			if !s.haveFirst {
				s.first, s.haveFirst = now, true
			}
		}
		s.q.reserve(len(chunk))
		for _, q := range chunk {
			s.q.push(entry{id: q.ID, index: q.Index, enq: now, c: c, cid: cid, flushed: flushed})
		}
		w := s.wakeable(flushed)
		s.mu.Unlock()
		if w != nil {
			w.ev.Set()
		}
	}
}

// issueChunk is how many samples of one query IssueQuery queues per hold of
// the scheduler's lock.
const issueChunk = 1 << 16

// completerID gives equal completers one id, so a batch completes with one
// call per completer (one in practice); comparing is skipped for completer
// types that cannot be compared.
func (s *Scheduler) completerID(c loadgen.Completer) uint32 {
	ok := reflect.TypeOf(c).Comparable()
	if ok && s.lastCOK && s.lastC == c {
		return s.lastCID
	}
	s.lastC, s.lastCOK = c, ok
	s.lastCID++
	return s.lastCID
}

// FlushQueries lets every queued sample go in the next batch without
// waiting for a fuller one.
func (s *Scheduler) FlushQueries() {
	s.mu.Lock()
	for i := range s.q.n {
		s.q.at(i).flushed = true
	}
	w := s.wakeable(true)
	s.mu.Unlock()
	if w != nil {
		w.ev.Set()
	}
}

var _ loadgen.SystemUnderTest = (*Scheduler)(nil)
