package sched

import (
	"fmt"
	"runtime"
	"time"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// The executor goroutines: one per device × stream, each opening, warming
// up, running and closing its executor on its own locked OS thread.

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
	lostAt   time.Duration // clock time of the first failure
	failed   uint64
	requeued uint64 // of failed, samples put back for another device
	model    model
	st       devStats

	// The adaptive policy's bookings and host-time averages (ns per batch).
	laneEnd                 []time.Duration // per lane: when its last booked batch ends
	stageEW, h2dEW, complEW float64
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
	lane     int           // the lane its batch is booked on
	predEnd  time.Duration // and when it was predicted to end

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
			// Samples this worker leaves may suit another (a worker of an
			// idle device, while this one waits for a fuller batch).
			var other *worker
			if s.q.n > 0 {
				other = s.wakeable(false)
			}
			s.mu.Unlock()
			if other != nil {
				other.ev.Set()
			}
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
		err := s.runBatch(w, n, now)
		s.computing.Add(-1)
		if err != nil {
			s.mu.Lock()
			d.inflight--
			s.mu.Unlock()
			return err
		}
		if s.yield {
			// Let a goroutine waiting for a processor run between
			// batches: the load generator's issuer (or a server's
			// handlers), whose queries are late for as long as executors
			// that never park hold every processor, since Go preempts a
			// running goroutine only after 10 ms. Measured with two such
			// executors on 2 cores: a timer's lateness p50 24 ms without
			// the yield, 0.8 ms with it. With a processor to spare the
			// yield only costs: a locked thread's yield hands its
			// processor to another thread and back, two OS switches.
			runtime.Gosched()
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
	d := w.d
	d.model.add(n, dev)
	ewma(&d.stageEW, t1-t0)
	ewma(&d.h2dEW, tm.H2D)
	ewma(&d.complEW, t3-t2)
	d.settle(w.lane, w.predEnd, t2)
	s.mu.Unlock()
	for i := range n {
		w.batch[i].c = nil // let completers go
		w.resp[i] = loadgen.Response{}
	}
	return nil
}
