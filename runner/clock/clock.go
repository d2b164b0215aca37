// Package clock is the time source of the load generator and the scheduler.
//
// Both read time only through a [Clock], so that tests and scheduler studies
// can run the same code on a virtual clock. [Real] is the wall clock; it reads
// the monotonic clock, so its values are comparable but have no calendar
// meaning.
package clock

import "time"

// Clock tells the time and waits. Implementations are safe for concurrent use.
type Clock interface {
	// Now is the time since the clock's own epoch.
	Now() time.Duration
	// SleepUntil blocks until Now() >= t or done is closed; it reports
	// whether t was reached.
	SleepUntil(t time.Duration, done <-chan struct{}) bool
}

// Real is the wall clock. Its epoch is the time New was called.
type Real struct{ epoch time.Time }

// NewReal returns a wall clock whose epoch is now.
func NewReal() *Real { return &Real{epoch: time.Now()} }

// Now returns the monotonic time since the clock's epoch.
func (r *Real) Now() time.Duration { return time.Since(r.epoch) }

// SleepUntil sleeps until t on the wall clock or until done is closed.
func (r *Real) SleepUntil(t time.Duration, done <-chan struct{}) bool {
	d := t - r.Now()
	if d <= 0 {
		return true
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-done:
		return false
	}
}

var _ Clock = (*Real)(nil)
