package sched

import (
	"slices"
	"time"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// Batch formation: which waiting worker new work wakes, how many samples a
// free worker takes, and who watches the queue's head.

// entry is one queued sample.
type entry struct {
	id      uint64
	index   int
	enq     time.Duration // when it was queued
	c       loadgen.Completer
	cid     uint32 // completer identity, to group one batch's completions
	flushed bool   // no reason to wait for more samples behind it
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
