package sched

import (
	"math"
	"time"
)

// The adaptive policy (Config.LatencyBound set): batch caps from the
// latency bound and a per-device batch-time model.

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
	m.c = math.Max(c, 1)
	m.f = time.Duration(math.Max(f, 0))
	m.ok = true
}

func (m *model) ready() bool { return m.ok }

func (m *model) fc() (time.Duration, float64) { return m.f, m.c }
