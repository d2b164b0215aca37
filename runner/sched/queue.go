package sched

import (
	"math"
	"time"
)

// ring is the shared sample queue: a growable ring buffer, so that queueing
// and taking samples allocate nothing once it has grown to the run's depth.
type ring struct {
	buf  []entry
	head int
	n    int
}

func (r *ring) init(capacity int) { r.buf = make([]entry, capacity) } // capacity: a power of two

func (r *ring) mask() int { return len(r.buf) - 1 }

func (r *ring) grow() {
	nb := make([]entry, 2*len(r.buf))
	for i := range r.n {
		nb[i] = *r.at(i)
	}
	r.buf, r.head = nb, 0
}

func (r *ring) push(e entry) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)&r.mask()] = e
	r.n++
}

func (r *ring) pushFront(e entry) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.head = (r.head - 1) & r.mask()
	r.buf[r.head] = e
	r.n++
}

func (r *ring) at(i int) *entry { return &r.buf[(r.head+i)&r.mask()] }

func (r *ring) drop(k int) {
	r.head = (r.head + k) & r.mask()
	r.n -= k
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
