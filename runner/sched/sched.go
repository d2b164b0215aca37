package sched

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/result"
)

// entry is one queued sample.
type entry struct {
	id      uint64
	index   int
	enq     time.Duration // when it was queued
	c       loadgen.Completer
	cid     uint32 // completer identity, to group one batch's completions
	flushed bool   // no reason to wait for more samples behind it
}

// device is the scheduler's view of one device; fields are under
// Scheduler.mu.
type device struct {
	dev      Device
	id, kind string
	want     int // max batch asked of its executors (immutable)
	streams  int
	conc     int // batches the device runs at once (immutable)
	timeout  time.Duration

	maxBatch int // the smallest MaxBatch its executors offer
	inflight int // batches of this device inside Run
	lost     bool
	lostErr  error
	failed   uint64
	model    model
	st       devStats
}

type devStats struct {
	batches, samples uint64
	busy             time.Duration
	queueWait        time.Duration // summed over samples
	stage, devWait   time.Duration // the rest: per batch × its samples
	h2d, compute     time.Duration
	d2h, completion  time.Duration
	warmBatches      uint64
	warmSamples      uint64
}

// worker owns one executor (device × stream) and the goroutine that runs it.
type worker struct {
	d        *device
	stream   int
	exec     Executor
	maxBatch int
	ev       *clock.Event
	batch    []entry
	resp     []loadgen.Response

	// under Scheduler.mu
	role     role
	wakeN    int // the leader wants waking once this many samples wait
	signaled bool
}

type role uint8

const (
	busy role = iota
	leader
	follower
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

	mu        sync.Mutex
	q         ring
	lead      *worker
	followers []*worker
	state     runState
	stopErr   error // why queries are refused
	lastC     loadgen.Completer
	lastCID   uint32
	lastCOK   bool // lastC is comparable, so cid can be reused

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
		s.devs = append(s.devs, dv)
		for st := range dv.streams {
			s.workers = append(s.workers, &worker{d: dv, stream: st, ev: clock.NewEvent(s.clk)})
		}
	}
	if len(s.devs) == 0 {
		return nil, ErrNoDevices
	}
	s.q.init(1024)
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
	for _, w := range s.workers {
		s.g.Go(func() error { return s.work(w, ready) })
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
	cid := s.completerID(c)
	if !s.haveFirst {
		s.first, s.haveFirst = now, true
	}
	flushed := len(samples) > 1
	for _, q := range samples {
		s.q.push(entry{id: q.ID, index: q.Index, enq: now, c: c, cid: cid, flushed: flushed})
	}
	w := s.wakeable(flushed)
	s.mu.Unlock()
	if w != nil {
		w.ev.Set()
	}
}

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

// wakeable picks the waiting worker that new work should wake, if any.
func (s *Scheduler) wakeable(flushed bool) *worker {
	if l := s.lead; l != nil {
		if !l.signaled && (flushed || s.q.n >= l.wakeN) {
			l.signaled = true
			return l
		}
		return nil
	}
	if f := s.promote(); f != nil {
		return f
	}
	// Every waiting worker's device is busy: one takes a full batch, to
	// stage it while its device works.
	for _, f := range s.followers {
		if !f.signaled && s.q.n >= f.maxBatch {
			f.signaled = true
			return f
		}
	}
	return nil
}

// work is one executor goroutine.
func (s *Scheduler) work(w *worker, ready chan<- error) (err error) {
	runtime.LockOSThread() // the executor's CUDA context is current here
	defer runtime.UnlockOSThread()
	d := w.d
	exec, err := d.dev.NewExecutor(w.stream, d.want)
	if err != nil {
		err = fmt.Errorf("sched: device %s stream %d: open: %w", d.id, w.stream, err)
		ready <- err
		return err
	}
	defer func() {
		if cerr := exec.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("sched: device %s stream %d: close: %w", d.id, w.stream, cerr)
		}
	}()
	w.exec = exec
	w.maxBatch = min(exec.MaxBatch(), d.want)
	if w.maxBatch <= 0 {
		err = fmt.Errorf("%w: device %s stream %d: executor max batch %d", ErrConfig, d.id, w.stream, exec.MaxBatch())
		ready <- err
		return err
	}
	w.batch = make([]entry, w.maxBatch)
	w.resp = make([]loadgen.Response, w.maxBatch)
	s.mu.Lock()
	d.maxBatch = min(d.maxBatch, w.maxBatch)
	s.mu.Unlock()
	if !s.cfg.NoWarmup {
		if err := s.warmup(w); err != nil {
			ready <- err
			return err
		}
	}
	ready <- nil
	return s.loop(w)
}

// warmup runs WarmupBatches batches of each warm-up size; their timings seed
// the device's batch-time model.
func (s *Scheduler) warmup(w *worker) error {
	for _, b := range s.warmSizes {
		b = min(b, w.maxBatch)
		for range s.cfg.WarmupBatches {
			t, err := w.exec.Run(s.ctx, b)
			if err != nil {
				return fmt.Errorf("sched: warm-up: device %s stream %d: %w: %w", w.d.id, w.stream, ErrDevice, err)
			}
			s.mu.Lock()
			w.d.model.add(b, t.H2D+t.Compute+t.D2H)
			w.d.st.warmBatches++
			w.d.st.warmSamples += uint64(b)
			s.mu.Unlock()
		}
	}
	return nil
}

// loop forms, runs and completes batches until the run stops.
func (s *Scheduler) loop(w *worker) error {
	d := w.d
	s.mu.Lock()
	for {
		if s.ctx.Err() != nil || d.lost || s.state == stopped {
			fail := s.exit()
			s.mu.Unlock()
			failAll(fail)
			return nil
		}
		now := s.clk.Now()
		n, deadline, wakeN := s.decide(w, now)
		if n == 0 {
			s.park(w, deadline, wakeN)
			s.mu.Unlock()
			w.ev.Wait(deadline)
			s.mu.Lock()
			s.unpark(w)
			continue
		}
		s.take(w, n, now)
		next := s.handOff()
		s.mu.Unlock()
		if next != nil {
			next.ev.Set()
		}
		if err := s.runBatch(w, n, now); err != nil {
			return err
		}
		s.mu.Lock()
		d.inflight--
	}
}

// exit is called under s.mu by a worker leaving its loop. When the caller's
// context ended the run (not Close, not a fault), the run stops and the
// queries still waiting are failed.
func (s *Scheduler) exit() failure {
	if s.state == stopped {
		return failure{}
	}
	if err := s.ctx.Err(); err != nil {
		return s.stop(fmt.Errorf("sched: run stopped: %w", err), nil)
	}
	return failure{}
}

// decide says how many samples w takes now, or when and at what queue
// length it wants waking.
func (s *Scheduler) decide(w *worker, now time.Duration) (n int, deadline time.Duration, wakeN int) {
	q := s.q.n
	if q == 0 {
		return 0, clock.Never, 1
	}
	maxB := w.maxBatch
	if w.d.inflight > 0 {
		// The device is busy with another stream's batch: only a full
		// batch is worth staging now; a partial one would only grow.
		if q >= maxB {
			return maxB, 0, 0
		}
		return 0, clock.Never, maxB
	}
	head := s.q.at(0)
	if head.flushed || q >= maxB {
		return min(q, maxB), 0, 0
	}
	if s.adapt && w.d.model.ready() {
		return s.adaptive(w, q), 0, 0
	}
	dl := head.enq + w.d.timeout
	if now >= dl {
		return q, 0, 0
	}
	return 0, dl, maxB
}

// adaptive sizes a batch for a latency bound. A free device takes what
// waits at once, up to a cap; the cap follows from the bound, the number of
// live devices N and the device's batch time, modelled as f + c·b (fitted
// from warm-up and every batch since). In the worst case a sample just
// misses a device, waits for the next one to free (about T/N with N devices
// staggered) and then runs in a batch of T: so T·(1 + 1/N) ≤ LatencyTarget ×
// LatencyBound, and the rest of the bound absorbs bursts. A constant cap
// suits only one device count and one model; a cap from the bound alone
// ignores that one device makes samples wait a whole batch. Under load the
// batches grow with the queue up to the cap; with several free devices each
// takes its share of the queue, so a burst spreads instead of landing in
// one long batch.
func (s *Scheduler) adaptive(w *worker, q int) int {
	f, c := w.d.model.fc()
	budget := float64(s.cfg.LatencyBound) * s.cfg.LatencyTarget
	live := float64(s.liveDevices())
	bCap := max(1, min(int((budget/(1+1/live)-float64(f))/c), w.maxBatch))
	n := min(q, bCap)
	if idle := s.idleDevices(); idle > 1 {
		n = min(n, (q+idle-1)/idle)
	}
	return n
}

func (s *Scheduler) liveDevices() int {
	n := 0
	for _, d := range s.devs {
		if !d.lost {
			n++
		}
	}
	return n
}

func (s *Scheduler) idleDevices() int {
	n := 0
	for _, d := range s.devs {
		if !d.lost && d.inflight == 0 {
			n++
		}
	}
	return n
}

// park makes w wait: as the leader (the one idle worker that watches the
// queue's head) when its device is free and there is none, as a follower
// otherwise.
func (s *Scheduler) park(w *worker, deadline time.Duration, wakeN int) {
	w.signaled = false
	if w.d.inflight == 0 && (s.lead == nil || s.lead == w) {
		w.role, w.wakeN = leader, wakeN
		s.lead = w
		return
	}
	w.role, w.wakeN = follower, wakeN
	s.followers = append(s.followers, w)
}

func (s *Scheduler) unpark(w *worker) {
	switch w.role {
	case leader:
		if s.lead == w {
			s.lead = nil
		}
	case follower:
		if i := slices.Index(s.followers, w); i >= 0 {
			s.followers = slices.Delete(s.followers, i, i+1)
		}
	}
	w.role = busy
}

// handOff names the follower to wake after a batch was taken: the queue
// still holds samples, so someone must watch it.
func (s *Scheduler) handOff() *worker {
	if s.lead != nil || s.q.n == 0 {
		return nil
	}
	if f := s.promote(); f != nil {
		return f
	}
	return s.wakeable(false)
}

// promote makes a follower on a free device the leader and returns it to be
// woken, or nil.
func (s *Scheduler) promote() *worker {
	for i, f := range s.followers {
		if f.d.inflight == 0 && !f.d.lost {
			s.followers = slices.Delete(s.followers, i, i+1)
			f.role, f.wakeN, f.signaled = leader, 1, true
			s.lead = f
			return f
		}
	}
	return nil
}

// take moves n samples from the queue into w's batch.
func (s *Scheduler) take(w *worker, n int, now time.Duration) {
	d := w.d
	var wait time.Duration
	for i := range n {
		e := s.q.at(i)
		w.batch[i] = *e
		*e = entry{} // drop the completer reference
		wait += now - w.batch[i].enq
	}
	s.q.drop(n)
	d.inflight++
	d.st.queueWait += wait
}

// runBatch stages, runs and completes w's batch of n samples taken at t0.
func (s *Scheduler) runBatch(w *worker, n int, t0 time.Duration) error {
	exec := w.exec
	if s.src != nil {
		for i := range n {
			copy(exec.Input(i), s.src.SampleData(w.batch[i].index))
		}
	}
	t1 := s.clk.Now()
	tm, err := exec.Run(s.ctx, n)
	t2 := s.clk.Now()
	if err != nil {
		return s.fault(w, n, err)
	}
	for i := range n {
		w.resp[i] = loadgen.Response{ID: w.batch[i].id, Data: exec.Output(i)}
	}
	var refused uint64
	for a := 0; a < n; {
		b := a + 1
		for b < n && w.batch[b].cid == w.batch[a].cid {
			b++
		}
		if err := w.batch[a].c.Complete(w.resp[a:b]); err != nil {
			refused++
		}
		a = b
	}
	t3 := s.clk.Now()
	dev := tm.H2D + tm.Compute + tm.D2H
	ns := time.Duration(n)
	s.mu.Lock()
	st := &w.d.st
	st.batches++
	st.samples += uint64(n)
	st.busy += dev
	st.stage += (t1 - t0) * ns
	st.devWait += max(0, t2-t1-dev) * ns
	st.h2d += tm.H2D * ns
	st.compute += tm.Compute * ns
	st.d2h += tm.D2H * ns
	st.completion += (t3 - t2) * ns
	s.completionErrors += refused
	s.last = max(s.last, t3)
	w.d.model.add(n, dev)
	s.mu.Unlock()
	for i := range n {
		w.batch[i].c = nil // let completers go
		w.resp[i] = loadgen.Response{}
	}
	return nil
}

// fault handles an executor error on w's batch of n samples.
func (s *Scheduler) fault(w *worker, n int, err error) error {
	d := w.d
	s.mu.Lock()
	if s.ctx.Err() != nil || s.state == stopped {
		// Cancelled under us (Close, or the caller's context): not a
		// device fault.
		d.inflight--
		s.dropped += uint64(n)
		s.mu.Unlock()
		return nil
	}
	d.inflight--
	d.failed += uint64(n)
	derr := fmt.Errorf("sched: device %s stream %d: %w: %w", d.id, w.stream, ErrDevice, err)
	if !d.lost {
		d.lost, d.lostErr = true, derr
	}
	live := 0
	for _, o := range s.devs {
		if !o.lost {
			live++
		}
	}
	if s.cfg.OnFault == Continue && live > 0 {
		// Put the batch back at the head, oldest first, so it goes out next
		// with its original arrival times.
		for i := n - 1; i >= 0; i-- {
			s.q.pushFront(w.batch[i])
			w.batch[i] = entry{}
		}
		s.requeued += uint64(n)
		// The device's other streams leave; another device takes over.
		var wake []*worker
		for _, o := range s.workers {
			if o.d == d && o.role != busy {
				wake = append(wake, o)
			}
		}
		if s.lead != nil && s.lead.d == d {
			s.lead = nil
		}
		if s.lead == nil {
			s.promote()
		}
		if s.lead != nil {
			s.lead.signaled = true
			wake = append(wake, s.lead)
		}
		s.mu.Unlock()
		for _, o := range wake {
			o.ev.Set()
		}
		return nil
	}
	if live == 0 && s.cfg.OnFault == Continue {
		derr = fmt.Errorf("%w: all lost, last: %w", ErrNoDevices, derr)
	}
	s.failedSamples += uint64(n)
	fail := s.stop(derr, w.batch[:n])
	s.mu.Unlock()
	failAll(fail)
	return derr
}

// failure is who must hear Fail, and why; Fail is called after s.mu is
// released, so the load generator may call back into the scheduler.
type failure struct {
	err error
	cs  []loadgen.Completer
}

func failAll(f failure) {
	for _, c := range f.cs {
		c.Fail(f.err)
	}
}

// stop ends the run on err, under s.mu: queries are refused from now on,
// every goroutine is told to leave, and every completer with samples in
// flight or queued is returned to hear Fail once.
func (s *Scheduler) stop(err error, batch []entry) failure {
	if s.state == stopped {
		return failure{}
	}
	s.state, s.stopErr = stopped, err
	var cs []loadgen.Completer
	seen := map[uint32]bool{}
	add := func(e *entry) {
		if e.c != nil && !seen[e.cid] {
			seen[e.cid] = true
			cs = append(cs, e.c)
		}
	}
	for i := range batch {
		add(&batch[i])
	}
	for i := range s.q.n {
		add(s.q.at(i))
	}
	if len(cs) == 0 && s.lastC != nil {
		cs = append(cs, s.lastC)
	}
	s.failedSamples += uint64(s.q.n)
	s.q.n = 0
	if s.cancel != nil {
		s.cancel()
	}
	for _, w := range s.workers {
		w.ev.Set()
	}
	return failure{err: err, cs: cs}
}

// Stats returns the run's statistics so far; after Close they are final.
func (s *Scheduler) Stats() result.Scheduler {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := result.Scheduler{
		Policy:           "fixed",
		FailedSamples:    s.failedSamples,
		RequeuedSamples:  s.requeued,
		Dropped:          s.dropped,
		CompletionErrors: s.completionErrors,
		Warmup:           result.SchedulerWarmup{DurationNS: int64(s.warmSpan), Sizes: slices.Clone(s.warmSizes)},
	}
	if s.adapt {
		r.Policy = "adaptive"
	}
	if s.haveFirst && s.last > s.first {
		r.SpanNS = int64(s.last - s.first)
	}
	for _, d := range s.devs {
		st := d.st
		sd := result.SchedulerDevice{
			ID: d.id, Kind: d.kind, Streams: d.streams, Concurrency: d.conc, MaxBatch: d.maxBatch,
			Batches: st.batches, Samples: st.samples, BusyNS: int64(st.busy), Lost: d.lost,
		}
		if d.kind == "simulated" {
			r.Simulated = true
		}
		if st.batches > 0 {
			sd.MeanBatch = float64(st.samples) / float64(st.batches)
		}
		if r.SpanNS > 0 {
			sd.Utilisation = float64(st.busy) / (float64(r.SpanNS) * float64(d.conc))
		}
		if st.samples > 0 {
			per := func(t time.Duration) int64 { return int64(t) / int64(st.samples) }
			sd.LatencyNS = result.StageLatency{
				QueueWait: per(st.queueWait), Stage: per(st.stage), DeviceWait: per(st.devWait),
				H2D: per(st.h2d), Compute: per(st.compute), D2H: per(st.d2h), Completion: per(st.completion),
			}
		}
		r.Devices = append(r.Devices, sd)
		r.Warmup.Batches += st.warmBatches
		r.Warmup.Samples += st.warmSamples
		if d.lostErr != nil {
			r.Lost = append(r.Lost, result.LostDevice{ID: d.id, Error: d.lostErr.Error(), FailedSamples: d.failed})
		}
	}
	return r
}

var _ loadgen.SystemUnderTest = (*Scheduler)(nil)
