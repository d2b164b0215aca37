// Package clock is the time source of the load generator and the scheduler.
//
// Both read time only through a [Clock], so that tests and scheduler studies
// can run the same code on a virtual clock. [Real] is the wall clock; it reads
// the monotonic clock, so its values are comparable but have no calendar
// meaning.
package clock

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells the time and waits. Implementations are safe for concurrent use.
type Clock interface {
	// Now is the time since the clock's own epoch.
	Now() time.Duration
	// SleepUntil blocks until Now() >= t or done is closed; it reports
	// whether t was reached.
	SleepUntil(t time.Duration, done <-chan struct{}) bool
}

// Real is the wall clock. Its epoch is the time New was called.
type Real struct {
	epoch      time.Time
	shareCores bool
	busy       atomic.Pointer[func() bool] // sharing cores: is every core computing?
}

// NewReal returns a wall clock whose epoch is now.
func NewReal() *Real { return &Real{epoch: time.Now()} }

// NewRealSharingCores returns a wall clock for a load generator that shares
// its cores with devices computing on them (the built-in model's CPU
// devices): while every core computes, its waits park on a Go timer and
// never poll; while a core is free they wait as [NewReal]'s do, to the
// microsecond, since polling a free core costs nobody. [Real.ShareCoresWith]
// says how to tell (until it is called, the cores count as busy). A polling
// waiter is always runnable: beside busy cores it takes a share of them
// from the devices, and a goroutine that yields in a loop keeps Go's
// scheduler from moving a runnable executor off another processor's queue
// (measured on 2 cores: executors runnable but not running 15 % of the
// time, lanes idle for milliseconds with samples waiting). A timer fires
// when a processor next passes through the scheduler, or within about a
// millisecond on an idle one (the poller's resolution), so under load
// issues run up to that late, and coalesce; latencies run from the
// scheduled times, so the lateness is counted, never hidden. Elsewhere
// (null SUT, GPUs, remote servers) use NewReal.
func NewRealSharingCores() *Real { return &Real{epoch: time.Now(), shareCores: true} }

// ShareCoresWith tells a clock made by NewRealSharingCores whether every
// core is computing: its waits park on a timer while busy reports true and
// wait precisely while it reports false. busy is called often, from any
// goroutine, and must be cheap (an atomic load); nil counts the cores as
// always busy. A scheduler over the devices calls it when it starts
// (sched.Scheduler.Start), and with nil when it closes. On other clocks it
// does nothing.
func (r *Real) ShareCoresWith(busy func() bool) {
	if !r.shareCores {
		return
	}
	if busy == nil {
		r.busy.Store(nil)
		return
	}
	r.busy.Store(&busy)
}

// coresBusy says whether a wait must park rather than poll: on a clock
// sharing its cores, while every core computes.
func (r *Real) coresBusy() bool {
	if !r.shareCores {
		return false
	}
	b := r.busy.Load()
	return b == nil || (*b)()
}

// Now returns the monotonic time since the clock's epoch.
func (r *Real) Now() time.Duration { return time.Since(r.epoch) }

// finalWait is how long before t SleepUntil stops sleeping on a timer: Go's
// timers wake up to about a millisecond late (the poller's resolution), so
// the last stretch is waited out precisely by shortWait.
const finalWait = 2 * time.Millisecond

// timers holds stopped timers for reuse, so a wait allocates nothing.
var timers sync.Pool

// busyWait is the stretch before t that shortWait polls the clock without
// yielding (but for a check every 64 polls, below): a yield costs a trip
// through the scheduler (and may wake another thread), which is more than
// such a wait.
const busyWait = 20 * time.Microsecond

// shortWait waits out the final stretch before t: it yields the processor
// to other goroutines, checking done in between, until t is near, then
// polls the clock; on a clock sharing its cores, once every core computes,
// it parks on a timer instead. It is a variable so that a platform file can
// put a precise OS sleep (nanosleep) in front of the yielding.
var shortWait = func(r *Real, t time.Duration, done <-chan struct{}) bool {
	for i := 0; ; i++ {
		rem := t - r.Now()
		if rem <= 0 {
			return true
		}
		if r.coresBusy() {
			return timerWait(r, t, done)
		}
		if rem <= busyWait && i&63 != 63 {
			continue
		}
		if i&15 == 15 {
			select {
			case <-done:
				return false
			default:
			}
		}
		runtime.Gosched()
	}
}

// timerWait parks on a (reused) timer until t or done.
func timerWait(r *Real, t time.Duration, done <-chan struct{}) bool {
	d := t - r.Now()
	if d <= 0 {
		return true
	}
	tm, _ := timers.Get().(*time.Timer)
	if tm == nil {
		tm = time.NewTimer(d)
	} else {
		tm.Reset(d)
	}
	select {
	case <-tm.C:
		timers.Put(tm)
		return true
	case <-done:
		tm.Stop()
		timers.Put(tm)
		return false
	}
}

// SleepUntil sleeps until t on the wall clock or until done is closed. It
// is precise to microseconds: it sleeps on a (reused) timer until shortly
// before t, then waits out the last stretch with shortWait. On a clock made
// by NewRealSharingCores it parks on the timer for the whole wait while
// every core computes.
func (r *Real) SleepUntil(t time.Duration, done <-chan struct{}) bool {
	d := t - r.Now()
	if d <= 0 {
		return true
	}
	if r.coresBusy() {
		return timerWait(r, t, done)
	}
	if d > finalWait {
		tm, _ := timers.Get().(*time.Timer)
		if tm == nil {
			tm = time.NewTimer(d - finalWait)
		} else {
			tm.Reset(d - finalWait)
		}
		select {
		case <-tm.C:
			timers.Put(tm)
		case <-done:
			// Since Go 1.23 a stopped timer delivers no stale value, so
			// it can be reused.
			tm.Stop()
			timers.Put(tm)
			return false
		}
	}
	select {
	case <-done:
		return false
	default:
	}
	return shortWait(r, t, done)
}

var _ Clock = (*Real)(nil)

// Go runs f on a new goroutine. On a [Virtual] clock the goroutine holds time
// still from this call until it first sleeps on the clock, and lets go when f
// returns, so that time cannot move past work the goroutine has yet to start;
// on any other clock Go is the go statement.
func Go(c Clock, f func()) {
	v, ok := c.(*Virtual)
	if !ok {
		go f()
		return
	}
	enter, leave := v.bind()
	go func() {
		gid := enter()
		defer leave(gid)
		f()
	}()
}

// Bind returns f wrapped with [Go]'s accounting, for code that starts its
// goroutines through something else (errgroup.Group.Go). The wrapper is to
// run exactly once, on the new goroutine; until it runs, a [Virtual] clock
// holds time still.
func Bind[T any](c Clock, f func() T) func() T {
	v, ok := c.(*Virtual)
	if !ok {
		return f
	}
	enter, leave := v.bind()
	return func() T {
		gid := enter()
		defer leave(gid)
		return f()
	}
}

// Hold makes the calling goroutine hold time still on a [Virtual] clock until
// it next sleeps on it (see [Virtual.Hold]); on any other clock it does
// nothing.
func Hold(c Clock) {
	if v, ok := c.(*Virtual); ok {
		v.Hold()
	}
}
