package loadgen

import (
	"runtime"
	"syscall"
)

// shortSleep waits about ns nanoseconds on the wall clock, giving the CPU
// away: a nanosleep is accurate to the timer slack (~50 µs), where Go's
// timers are accurate to about a millisecond, and a sleeping thread is
// favoured by the kernel's scheduler over one that spins. Shorter waits
// yield instead.
func shortSleep(ns int64) {
	const slack = 60_000
	if ns <= slack {
		runtime.Gosched()
		return
	}
	ts := syscall.NsecToTimespec(ns - slack)
	_ = syscall.Nanosleep(&ts, nil)
}
