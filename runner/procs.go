package runner

import (
	"os"
	"runtime"
	"sync"

	"github.com/gotrt/gotrt/runner/device"
)

// The built-in model's CPU devices compute on every core, one executor per
// core, and never park under load. With exactly as many Go processors
// (GOMAXPROCS) as executors, the load generator's issuer and a server's
// handlers get a processor only when an executor yields one between
// batches, and a yield on an executor's locked thread is two OS thread
// switches. So while CPU devices are open the process keeps one processor
// more than their executors: the issuer and handlers run there and the OS
// shares the cores, as it does at microsecond granularity (Go's own
// preemption waits 10 ms). Measured on the 2-core VM: lanes idle with
// samples waiting 70-86 ms/s before, 0.2-1.5 ms/s after.

var spare struct {
	sync.Mutex
	users      int
	prev, ours int // GOMAXPROCS before the first user, and as set (0: unchanged)
}

// spareProcessor raises GOMAXPROCS by one when lanes executors would hold
// every processor, and returns the function that puts it back once the
// last user is done (unless someone else changed it meanwhile). With fewer
// lanes than processors there is a spare already; with more (a CPU quota
// below the cores), or with GOMAXPROCS set in the environment (the user's
// choice), it is left alone and the executors yield instead, as the
// scheduler decides. Go's automatic updates of GOMAXPROCS from a cgroup
// limit stay off after a raise, as after any runtime.GOMAXPROCS call.
func spareProcessor(lanes int) (release func()) {
	spare.Lock()
	defer spare.Unlock()
	cur := runtime.GOMAXPROCS(0)
	if spare.users == 0 {
		spare.prev, spare.ours = cur, 0
	}
	spare.users++
	if lanes == cur && os.Getenv("GOMAXPROCS") == "" {
		spare.ours = cur + 1
		runtime.GOMAXPROCS(spare.ours)
	}
	return sync.OnceFunc(func() {
		spare.Lock()
		defer spare.Unlock()
		spare.users--
		if spare.users == 0 && spare.ours != 0 && runtime.GOMAXPROCS(0) == spare.ours {
			runtime.GOMAXPROCS(spare.prev)
		}
	})
}

// cpuLanes is how many executors the CPU devices run at once: each
// device's concurrency, or streams where fewer are asked for.
func cpuLanes(devs []device.Device, streams int) int {
	n := 0
	for _, d := range devs {
		c := 1
		if cc, ok := d.(device.Concurrent); ok {
			c = max(1, cc.Concurrency())
		}
		if streams > 0 {
			c = min(c, streams)
		}
		n += c
	}
	return n
}
