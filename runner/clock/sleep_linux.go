package clock

import (
	"time"

	"golang.org/x/sys/unix"
)

// On Linux the final stretch sleeps in nanosleep, which wakes within tens of
// microseconds, instead of yielding in a loop: a loop keeps a core busy for
// the last 2 ms of every wait, a core a CPU model serving Server queries
// needs. The last 50 µs are still polled.
func init() {
	yield := shortWait
	shortWait = func(r *Real, t time.Duration, done <-chan struct{}) bool {
		const poll = 50 * time.Microsecond
		for {
			rem := t - r.Now() - poll
			if rem <= 0 {
				return yield(r, t, done)
			}
			if r.coresBusy() {
				return timerWait(r, t, done)
			}
			// Sleep in slices so that done is seen within 200 µs.
			ts := unix.NsecToTimespec(int64(min(rem, 200*time.Microsecond)))
			_ = unix.Nanosleep(&ts, nil) // EINTR only shortens a slice
			select {
			case <-done:
				return false
			default:
			}
		}
	}
}
