package serve

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// LoopCPU runs f b.N times and reports, beside ns/op, the CPU time per op
// (cpu-ns/op): on a machine other work keeps busy, wall time per op grows
// with the load, CPU time far less.
func LoopCPU(b *testing.B, f func()) {
	b.ReportAllocs()
	t0 := cpuTime()
	for b.Loop() {
		f()
	}
	b.ReportMetric(float64(cpuTime()-t0)/float64(b.N), "cpu-ns/op")
}
