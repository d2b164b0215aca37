package sched

import (
	"fmt"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// Executor faults: the FailRun and Continue policies, and stopping a run.

// fault handles an executor error on w's batch of n samples. The batch
// stays in flight until the worker's loop counts it done, as for any batch.
func (s *Scheduler) fault(w *worker, n int, err error) error {
	d := w.d
	s.mu.Lock()
	if s.ctx.Err() != nil || s.state == stopped {
		// Cancelled under us (Close, or the caller's context): not a
		// device fault.
		s.dropped += uint64(n)
		s.mu.Unlock()
		return nil
	}
	d.failed += uint64(n)
	derr := fmt.Errorf("sched: device %s stream %d: %w: %w", d.id, w.stream, ErrDevice, err)
	if !d.lost {
		d.lost, d.lostErr, d.lostAt = true, derr, s.clk.Now()
		// Its lanes compute no more: a clock sharing the cores must see
		// the others busy when they are (else its waiters poll on).
		s.lanes.Add(-int32(d.conc))
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
		d.requeued += uint64(n)
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
