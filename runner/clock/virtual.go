package clock

import (
	"container/heap"
	"math"
	"runtime"
	"sync"
	"time"
)

// Never is a deadline that is never reached: [Event.Wait] with Never waits
// for the event alone.
const Never = time.Duration(math.MaxInt64)

// staleTicks is how many watchdog periods without any clock call make the
// virtual clock assume that the goroutines it woke have left the clock
// (exited, or blocked on something else) rather than still working. It is
// a fallback for goroutines the clock cannot account for (see [Go], [Bind],
// [Virtual.Hold] and [Event] for exact accounting), so it errs long: a
// goroutine still working but starved of a CPU on a busy machine must not
// have time move under it. Once it fires, time runs on from deadline to
// deadline while that goroutine is still off the CPU (a find-peak test saw
// a Server trial's p99 jump to 556 s with a 100 ms watchdog, both cores
// busy).
const (
	watchdogPeriod = 10 * time.Millisecond
	staleTicks     = 200
)

// Virtual is a simulated clock for tests and scheduler studies: time stands
// still while any goroutine it woke is running, and jumps to the next
// deadline once every such goroutine sleeps again. A study of seconds of
// simulated time therefore runs as fast as the code under test allows, and
// does the same thing on a loaded machine as on an idle one.
//
// The clock knows a goroutine once the goroutine sleeps on it (through
// SleepUntil or [Event.Wait]); a goroutine woken by the clock holds time still
// until it sleeps on the clock again. A goroutine started with [Go] or [Bind]
// holds time from the moment it is started until it first sleeps, and lets go
// when it returns, so time cannot jump ahead of a goroutine that has not yet
// reached its first wait; [Virtual.Hold] makes a running goroutine (a test's
// own, say) hold time the same way. A woken goroutine that leaves the clock
// for good (exits, or blocks elsewhere) without that accounting is noticed
// after about 2 s of real time without any clock call, and time moves on
// ([Virtual.Stalls] counts these). Channels passed to SleepUntil as done must
// be closed, not sent on (as a context's Done); to wake a sleeper from
// another goroutine use an [Event], which the clock accounts for exactly.
//
// Virtual is safe for concurrent use. Results measured on it are simulated.
type Virtual struct {
	mu       sync.Mutex
	now      time.Duration
	timers   sleeperHeap       // sleepers with a finite deadline
	foreign  map[*sleeper]bool // sleepers with a done channel
	holders  map[uint64]int    // goroutine id -> wake-ups it has not returned
	starting int               // goroutines started by Go or Bind, not yet running
	stalls   uint64            // times the watchdog moved time on
	activity uint64            // clock calls, for the watchdog
	seen     uint64            // activity at the last watchdog tick
	stale    int               // watchdog ticks without activity
	tick     <-chan time.Time  // watchdog ticks, shared by all sleepers
	ticker   *time.Ticker      //
	pool     sync.Pool         // of *sleeper
	stopOnce sync.Once         //
}

type sleeper struct {
	gid   uint64
	t     time.Duration
	done  <-chan struct{}
	ev    *Event
	wake  chan bool // true: deadline reached; false: woken by an event
	idx   int       // index in timers, -1 when not there
	fired bool
}

// NewVirtual returns a virtual clock reading start.
func NewVirtual(start time.Duration) *Virtual {
	t := time.NewTicker(watchdogPeriod)
	v := &Virtual{
		now:     start,
		foreign: make(map[*sleeper]bool),
		holders: make(map[uint64]int),
		tick:    t.C,
		ticker:  t,
	}
	v.pool.New = func() any { return &sleeper{wake: make(chan bool, 1), idx: -1} }
	return v
}

// Stop releases the clock's watchdog timer. The clock keeps working, but a
// goroutine that leaves the clock while holding time still is no longer
// noticed.
func (v *Virtual) Stop() { v.stopOnce.Do(v.ticker.Stop) }

// Now returns the simulated time.
func (v *Virtual) Now() time.Duration {
	v.mu.Lock()
	v.activity++
	t := v.now
	v.mu.Unlock()
	return t
}

// SleepUntil blocks until the simulated time reaches t or done is closed, and
// reports whether t was reached.
func (v *Virtual) SleepUntil(t time.Duration, done <-chan struct{}) bool {
	gid := goid()
	v.mu.Lock()
	v.activity++
	if t <= v.now {
		v.mu.Unlock()
		return true
	}
	if isClosed(done) {
		v.mu.Unlock()
		return false
	}
	s := v.newSleeper(gid, t)
	s.done = done
	if done != nil {
		v.foreign[s] = true
	}
	return v.sleep(s)
}

// sleep parks the calling goroutine on s; v.mu is held on entry.
func (v *Virtual) sleep(s *sleeper) bool {
	if s.t != Never {
		heap.Push(&v.timers, s)
	}
	v.release(s.gid)
	v.tryAdvance()
	v.mu.Unlock()
	for {
		select {
		case r := <-s.wake:
			v.pool.Put(s)
			return r
		case <-s.done: // nil for events: never selected
			v.mu.Lock()
			if s.fired { // a wake-up raced the close and holds time for us
				v.mu.Unlock()
				r := <-s.wake
				v.pool.Put(s)
				return r
			}
			v.remove(s)
			v.holders[s.gid]++
			v.mu.Unlock()
			v.pool.Put(s)
			return false
		case <-v.tick:
			v.watchdog()
		}
	}
}

func (v *Virtual) newSleeper(gid uint64, t time.Duration) *sleeper {
	s := v.pool.Get().(*sleeper)
	s.gid, s.t, s.done, s.ev, s.idx, s.fired = gid, t, nil, nil, -1, false
	return s
}

// release drops one wake-up held by goroutine gid, if it holds any.
func (v *Virtual) release(gid uint64) {
	if n, ok := v.holders[gid]; ok {
		if n <= 1 {
			delete(v.holders, gid)
		} else {
			v.holders[gid] = n - 1
		}
	}
}

// remove takes s out of every wait structure.
func (v *Virtual) remove(s *sleeper) {
	if s.idx >= 0 {
		heap.Remove(&v.timers, s.idx)
	}
	if s.done != nil {
		delete(v.foreign, s)
	}
	if s.ev != nil && s.ev.waiter == s {
		s.ev.waiter = nil
	}
}

// wakeUp hands s a wake-up; the woken goroutine holds time still until it
// sleeps on the clock again.
func (v *Virtual) wakeUp(s *sleeper, reached bool) {
	v.remove(s)
	s.fired = true
	v.holders[s.gid]++
	s.wake <- reached
}

// Hold makes the calling goroutine hold time still until it next sleeps on
// the clock, as if the clock had just woken it. A test calls it before
// starting work that must happen at one instant (issuing several queries,
// starting goroutines that sleep on the clock).
func (v *Virtual) Hold() {
	gid := goid()
	v.mu.Lock()
	v.activity++
	v.holders[gid] = max(v.holders[gid], 1)
	v.mu.Unlock()
}

// Stalls reports how many times the watchdog moved time on because the
// goroutines holding it made no clock call for about 2 s. A simulation
// whose goroutines the clock accounts for exactly reports 0.
func (v *Virtual) Stalls() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.stalls
}

// bind accounts for a goroutine about to start: time stands still from now
// until the goroutine's first sleep. enter runs first on the new goroutine,
// leave when it returns.
func (v *Virtual) bind() (enter func() uint64, leave func(gid uint64)) {
	v.mu.Lock()
	v.starting++
	v.mu.Unlock()
	var once sync.Once
	enter = func() uint64 {
		gid := goid()
		once.Do(func() {
			v.mu.Lock()
			v.activity++
			if v.starting > 0 { // the watchdog may have given up on it
				v.starting--
			}
			v.holders[gid] = max(v.holders[gid], 1)
			v.mu.Unlock()
		})
		return gid
	}
	leave = func(gid uint64) {
		v.mu.Lock()
		v.activity++
		delete(v.holders, gid)
		v.tryAdvance()
		v.mu.Unlock()
	}
	return enter, leave
}

// tryAdvance moves time to the next deadline when nothing the clock knows of
// is running.
func (v *Virtual) tryAdvance() {
	if len(v.holders) > 0 || v.starting > 0 || len(v.timers) == 0 {
		return
	}
	for s := range v.foreign {
		if isClosed(s.done) {
			return // that sleeper is about to run
		}
	}
	if next := v.timers[0].t; next > v.now {
		v.now = next
	}
	// One sleeper at a time, even among equal deadlines: the others wait
	// until it sleeps again, so their order is the heap's, not the Go
	// scheduler's, and a study repeats exactly.
	v.wakeUp(v.timers[0], true)
}

// watchdog lets time move on when the goroutines holding it have made no
// clock call for staleTicks periods: they have left the clock.
func (v *Virtual) watchdog() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.activity != v.seen || (len(v.holders) == 0 && v.starting == 0) {
		v.seen, v.stale = v.activity, 0
		return
	}
	v.stale++
	if v.stale >= staleTicks {
		clear(v.holders)
		v.starting = 0
		v.stale = 0
		v.stalls++
		v.tryAdvance()
	}
}

// Event is a wake-up signal between goroutines that sleep on a [Clock]: Set
// wakes the goroutine in Wait, or the next call of Wait if none waits. On a
// [Virtual] clock, time does not move between Set and the woken goroutine
// running, which a plain channel cannot promise. An Event has one waiter at a
// time; Set may be called from any goroutine.
type Event struct {
	c  Clock
	v  *Virtual
	ch chan struct{}
	// virtual clock state, under v.mu
	pending bool
	waiter  *sleeper
}

// NewEvent returns an unset event for goroutines sleeping on c.
func NewEvent(c Clock) *Event {
	e := &Event{c: c}
	if v, ok := c.(*Virtual); ok {
		e.v = v
	} else {
		e.ch = make(chan struct{}, 1)
	}
	return e
}

// Set wakes the waiter, or makes the next Wait return at once. It never
// blocks.
func (e *Event) Set() {
	if e.v == nil {
		select {
		case e.ch <- struct{}{}:
		default:
		}
		return
	}
	v := e.v
	v.mu.Lock()
	v.activity++
	if s := e.waiter; s != nil && !s.fired {
		v.wakeUp(s, false)
	} else {
		e.pending = true
	}
	v.mu.Unlock()
}

// Wait blocks until the event is set or the clock reaches t ([Never] waits
// for the event alone), and reports whether t was reached. It consumes the
// event.
func (e *Event) Wait(t time.Duration) bool {
	if e.v == nil {
		if t == Never {
			<-e.ch // no timer: waiting for work allocates nothing
			return false
		}
		return e.c.SleepUntil(t, e.ch)
	}
	v := e.v
	gid := goid()
	v.mu.Lock()
	v.activity++
	if e.pending {
		e.pending = false
		v.mu.Unlock()
		return false
	}
	if t <= v.now {
		v.mu.Unlock()
		return true
	}
	s := v.newSleeper(gid, t)
	s.ev = e
	e.waiter = s
	return v.sleep(s)
}

func isClosed(done <-chan struct{}) bool {
	if done == nil {
		return false
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// goid returns the calling goroutine's id, parsed from its stack header
// ("goroutine 18 [running]:"). The virtual clock needs it to know which
// goroutine returns a wake-up; it is slow (about a microsecond) but only
// simulations pay it.
func goid() uint64 {
	var buf [32]byte
	n := runtime.Stack(buf[:], false)
	var id uint64
	for _, b := range buf[len("goroutine "):n] {
		if b < '0' || b > '9' {
			break
		}
		id = id*10 + uint64(b-'0')
	}
	return id
}

type sleeperHeap []*sleeper

func (h sleeperHeap) Len() int { return len(h) }
func (h sleeperHeap) Less(i, j int) bool {
	if h[i].t != h[j].t {
		return h[i].t < h[j].t
	}
	return h[i].gid < h[j].gid // deterministic order among equal deadlines
}
func (h sleeperHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}
func (h *sleeperHeap) Push(x any) {
	s := x.(*sleeper)
	s.idx = len(*h)
	*h = append(*h, s)
}
func (h *sleeperHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	s.idx = -1
	*h = old[:len(old)-1]
	return s
}

var _ Clock = (*Virtual)(nil)
