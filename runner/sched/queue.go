package sched

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

// reserve grows the ring at once to hold k more entries, rather than
// doubling several times while they are pushed.
func (r *ring) reserve(k int) {
	if r.n+k <= len(r.buf) {
		return
	}
	size := max(len(r.buf), 1)
	for size < r.n+k {
		size *= 2
	}
	nb := make([]entry, size)
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
