package sched

import (
	"math"
	"slices"
	"time"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// Batch formation: which waiting worker new work wakes, how many samples a
// free worker takes, and who watches the queue's head.
//
// Every policy shares three rules. A device with nothing in flight (idle)
// takes what waits at once: a sample that arrives at an idle device never
// waits for company, and under load batches still form, because samples
// gather while the devices are busy. A device with a free lane beside busy
// ones (a CPU device with a core free) waits a little for a batch worth
// running. A stream whose device has no free lane stages a batch ahead, so
// that the device finds it ready when a lane frees (GPU streams overlapping
// copies with another batch's kernel).

// entry is one queued sample.
type entry struct {
	id      uint64
	index   int
	enq     time.Duration // when it was queued
	c       loadgen.Completer
	cid     uint32 // completer identity, to group one batch's completions
	flushed bool   // no reason to wait for more samples behind it
}

// wakeable picks the waiting worker that new work should wake, if any: the
// leader when the queue reached what it waits for; with no leader, a
// follower on a device with a free lane, made leader; else a follower whose
// own need is met (a smaller batch on an idle device, or a batch to stage
// ahead).
func (s *Scheduler) wakeable(flushed bool) *worker {
	if l := s.lead; l != nil {
		if l.signaled {
			return nil // it hands off when it has taken its batch
		}
		if flushed || s.q.n >= l.wakeN {
			l.signaled = true
			return l
		}
	} else if f := s.promote(); f != nil {
		return f
	}
	if s.q.n < s.followWake {
		return nil // no follower wants this few (the issuer's common case)
	}
	for _, f := range s.followers {
		if !f.signaled && s.q.n >= f.wakeN {
			f.signaled = true
			return f
		}
	}
	return nil
}

// followersChanged recomputes the smallest queue length a follower wants
// waking at, so that queueing a sample need not look at each follower.
func (s *Scheduler) followersChanged() {
	s.followWake = math.MaxInt
	for _, f := range s.followers {
		s.followWake = min(s.followWake, f.wakeN)
	}
}

// decide says how many samples w takes now, or when and at what queue
// length it wants waking.
func (s *Scheduler) decide(w *worker, now time.Duration) (n int, deadline time.Duration, wakeN int) {
	q := s.q.n
	if q == 0 {
		return 0, clock.Never, 1
	}
	d := w.d
	if s.adapt && d.model.ready() {
		return s.adaptive(w, now)
	}
	maxB := w.maxBatch
	head := s.q.at(0)
	switch {
	case q >= maxB:
		return maxB, 0, 0
	case d.inflight == 0 || head.flushed:
		// An idle device takes what waits at once; so does every stream
		// when nothing more is coming (Offline's query, a flush).
		return q, 0, 0
	}
	dl := head.enq + d.timeout
	if now >= dl {
		return q, 0, 0
	}
	return 0, dl, maxB
}

// park makes w wait: as the leader (the one waiting worker that watches the
// queue's head) when its device has a free lane and there is none, as a
// follower otherwise.
func (s *Scheduler) park(w *worker, deadline time.Duration, wakeN int) {
	w.signaled = false
	if w.d.inflight < w.d.conc && (s.lead == nil || s.lead == w) {
		w.role, w.wakeN = leader, wakeN
		s.lead = w
		return
	}
	w.role, w.wakeN = follower, wakeN
	s.followers = append(s.followers, w)
	s.followWake = min(s.followWake, wakeN)
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
			s.followersChanged()
		}
	}
	w.role = busy
}

// handOff names the worker to wake after a batch was taken: the queue still
// holds samples, so someone must watch it.
func (s *Scheduler) handOff() *worker {
	if s.q.n == 0 {
		return nil
	}
	return s.wakeable(false)
}

// promote makes a follower on a device with a free lane the leader (one on
// an idle device first) and returns it to be woken, or nil.
func (s *Scheduler) promote() *worker {
	best := -1
	for i, f := range s.followers {
		if f.d.lost || f.d.inflight >= f.d.conc {
			continue
		}
		if best < 0 || f.d.inflight < s.followers[best].d.inflight {
			best = i
			if f.d.inflight == 0 {
				break
			}
		}
	}
	if best < 0 {
		return nil
	}
	f := s.followers[best]
	s.followers = slices.Delete(s.followers, best, best+1)
	s.followersChanged()
	f.role, f.wakeN, f.signaled = leader, 1, true
	s.lead = f
	return f
}

// take moves n samples from the queue into w's batch and books the batch
// on the device's earliest free lane, for the adaptive policy's plans.
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
	s.computing.Add(1)
	d.st.queueWait += wait
	w.lane, w.predEnd = d.book(now, n)
}
