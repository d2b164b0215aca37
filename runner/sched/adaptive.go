package sched

import (
	"math"
	"slices"
	"time"

	"github.com/gotrt/gotrt/runner/clock"
)

// The adaptive policy (Config.LatencyBound set, Server): batches planned
// against the latency bound from a per-device batch-time model.
//
// Each device's batch time is modelled as f + c·b, fitted from warm-up (every
// size from 1 to the max batch, on every stream) and refined by every batch
// since. From it and the bound the policy draws, per device:
//
//   - the cap: the largest batch whose worst case fits the bound's share. A
//     sample that just misses a lane waits for the next one to free (about
//     T/L with L live lanes staggered) and then runs in a batch of T, so
//     T·(1 + 1/L) ≤ LatencyTarget × LatencyBound; the rest of the bound
//     absorbs bursts;
//   - the paying size: the smallest batch that reaches PayFraction of the
//     rate of the largest, past which larger batches stop paying (a CPU
//     core pays from 1 or 2 samples, a GPU from thousands);
//   - the wait: how long a partial batch may wait for the paying size, at
//     most the run time of a paying batch (in that time the lane could have
//     run one) and never more than the slack the cap leaves in the bound.
//
// An idle device takes what waits at once, up to the cap (with several
// idle devices each takes its share, so a burst spreads). A device with a
// free lane beside busy ones takes a paying batch, or what waits once the
// oldest sample has waited its share. A stream of a device with no free
// lane (streams beyond the device's concurrency) stages a paying batch
// ahead, or what waits just in time for the device's next free lane; how
// many batches go ahead is sized from the measured host time around a batch
// (staging and completion) over the device's batch time, as NVIDIA's
// harness sizes its copy streams.

// PayFraction is the share of its largest batch's rate a batch must reach
// to be worth waiting for (the adaptive policy's paying size).
const PayFraction = 0.9

// plan is the adaptive policy's numbers for one device at one moment.
type plan struct {
	cap, pay int           // samples
	wait     time.Duration // the longest a partial batch waits for pay
	depth    int           // batches in flight the device may have
}

// plan computes d's plan for batches of at most maxB.
func (s *Scheduler) plan(d *device, maxB int) plan {
	f, c := d.model.fc()
	budget := float64(s.cfg.LatencyBound) * s.cfg.LatencyTarget
	lanes := float64(s.liveLanes())
	share := budget / (1 + 1/lanes)
	p := plan{cap: max(1, min(int((share-float64(f))/c), maxB))}
	p.pay = min(payingBatch(f, c, maxB, PayFraction), p.cap)
	tCap := float64(f) + c*float64(p.cap)
	tPay := time.Duration(float64(f) + c*float64(p.pay))
	p.wait = max(0, min(tPay, time.Duration(share-tCap)))
	p.depth = d.conc + d.ahead(tPay)
	return p
}

// payingBatch is the smallest b whose rate b/(f+c·b) reaches frac of that
// of maxB: b ≥ frac·M·f / (f + c·M·(1−frac)).
func payingBatch(f time.Duration, c float64, maxB int, frac float64) int {
	m := float64(maxB)
	den := float64(f) + c*m*(1-frac)
	if den <= 0 {
		return 1
	}
	return max(1, min(maxB, int(math.Ceil(frac*m*float64(f)/den))))
}

// adaptive is decide under the adaptive policy; the queue is not empty.
func (s *Scheduler) adaptive(w *worker, now time.Duration) (n int, deadline time.Duration, wakeN int) {
	d := w.d
	q := s.q.n
	p := s.plan(d, w.maxBatch)
	take := min(q, p.cap)
	head := s.q.at(0)
	switch {
	case d.inflight == 0:
		// Idle: at once. Several idle devices share a burst.
		if idle := s.idleDevices(); idle > 1 {
			take = min(take, (q+idle-1)/idle)
		}
		return take, 0, 0
	case head.flushed || q >= p.pay && d.inflight < p.depth:
		return take, 0, 0
	case d.inflight < d.conc:
		// A free lane beside busy ones: wait for a paying batch, or until
		// the oldest sample has waited its share.
		if dl := head.enq + p.wait; now < dl {
			return 0, dl, p.pay
		}
		return take, 0, 0
	case d.inflight < p.depth:
		// No free lane: stage what waits just in time for the next one.
		if dl := d.nextFree() - d.lead(); now < dl {
			return 0, dl, p.pay
		}
		return take, 0, 0
	}
	// As many batches ahead as pay: the next to complete decides.
	return 0, clock.Never, math.MaxInt
}

func (s *Scheduler) liveLanes() int {
	n := 0
	for _, d := range s.devs {
		if !d.lost {
			n += d.conc
		}
	}
	return max(n, 1)
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

// book puts a batch of n samples taken at now on d's lane that frees first
// and returns the lane and the batch's predicted end.
func (d *device) book(now time.Duration, n int) (lane int, end time.Duration) {
	for i, e := range d.laneEnd {
		if e < d.laneEnd[lane] {
			lane = i
		}
	}
	start := max(now+time.Duration(d.stageEW), d.laneEnd[lane])
	end = start + d.model.at(n)
	d.laneEnd[lane] = end
	return lane, end
}

// settle corrects the booking of a batch that ended at t on lane, predicted
// for end: batches booked behind it move by the error.
func (d *device) settle(lane int, end, t time.Duration) {
	d.laneEnd[lane] = max(d.laneEnd[lane]+(t-end), t)
}

// nextFree is when d's first lane frees, as booked.
func (d *device) nextFree() time.Duration { return slices.Min(d.laneEnd) }

// lead is how long before a lane frees a batch to stage there must be
// taken: its staging and its copy in, as measured.
func (d *device) lead() time.Duration { return time.Duration(d.stageEW + d.h2dEW) }

// ahead is how many batches d may have in flight beyond its lanes: enough
// to cover the host's time around a batch (staging, completion) with
// batches of tPay on the device, plus one ready to go, and no more than its
// extra streams.
func (d *device) ahead(tPay time.Duration) int {
	extra := d.streams - d.conc
	if extra <= 0 {
		return 0
	}
	host := d.stageEW + d.complEW
	return min(extra, 1+int(math.Ceil(host/math.Max(float64(tPay), 1))))
}

// ewmaWeight is the weight of the newest batch in the host-time averages.
const ewmaWeight = 1.0 / 16

func ewma(avg *float64, x time.Duration) { *avg += ewmaWeight * (float64(x) - *avg) }

// model fits a device's batch time as f + c·b by least squares over every
// batch it ran (warm-up included), so the adaptive policy knows the device
// without being told.
type model struct {
	n, sx, sy, sxx, sxy float64
	f                   time.Duration
	c                   float64 // ns per sample
	ok                  bool
}

func (m *model) add(b int, t time.Duration) {
	if t <= 0 {
		return
	}
	x, y := float64(b), float64(t)
	m.n++
	m.sx += x
	m.sy += y
	m.sxx += x * x
	m.sxy += x * y
	den := m.n*m.sxx - m.sx*m.sx
	if m.n < 2 || den <= 1e-9*m.n*m.sxx {
		return // one batch size so far: no slope yet
	}
	c := (m.n*m.sxy - m.sx*m.sy) / den
	f := (m.sy - c*m.sx) / m.n
	m.c = math.Max(c, 1e-3)
	m.f = time.Duration(math.Max(f, 0))
	m.ok = true
}

func (m *model) ready() bool { return m.ok }

func (m *model) fc() (time.Duration, float64) { return m.f, m.c }

// at is the modelled time of a batch of b (0 before the model is ready).
func (m *model) at(b int) time.Duration {
	if !m.ok {
		return 0
	}
	return m.f + time.Duration(m.c*float64(b))
}

// Plan is the adaptive policy's plan for one device as it stands, for
// results and diagnosis: the fitted batch time (FixedNS + PerSampleNS × b)
// and what the policy draws from it.
type Plan struct {
	Device      string  `json:"device"`
	FixedNS     int64   `json:"fixed_ns"`
	PerSampleNS float64 `json:"per_sample_ns"`
	Cap         int     `json:"cap"`
	Pay         int     `json:"paying_batch"`
	WaitNS      int64   `json:"wait_ns"`
	Depth       int     `json:"batches_in_flight"`
}

// Plans returns the adaptive policy's plan per device (nil under the fixed
// policy, and for a device whose batch time is not yet known).
func (s *Scheduler) Plans() []Plan {
	if !s.adapt {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Plan
	for _, d := range s.devs {
		if !d.model.ready() {
			continue
		}
		p := s.plan(d, d.maxBatch)
		f, c := d.model.fc()
		out = append(out, Plan{Device: d.id, FixedNS: int64(f), PerSampleNS: c, Cap: p.cap, Pay: p.pay, WaitNS: int64(p.wait), Depth: p.depth})
	}
	return out
}
