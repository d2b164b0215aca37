package loadgen_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/clock"
)

// The load generator's Server schedule relies on clock.Real waiting
// precisely; these tests live here because the clock package is shared.

func TestRealSleepUntilIsNeverEarly(t *testing.T) {
	// How late it wakes is a speed, measured by BenchmarkRealSleepUntil;
	// that it never wakes early is behaviour.
	c := clock.NewReal()
	for i := 0; i < 40; i++ {
		d := time.Duration(100+i*70) * time.Microsecond // 0.1 to 2.8 ms
		due := c.Now() + d
		require.True(t, c.SleepUntil(due, nil))
		assert.GreaterOrEqual(t, c.Now(), due, "woke before %v", due)
	}
}

// BenchmarkRealSleepUntil reports how late clock.Real wakes from waits of
// 0.1 to 2.8 ms: the median and the 90th percentile (a plain timer is about
// 1 ms late; the Server schedule needs tens of microseconds).
func BenchmarkRealSleepUntil(b *testing.B) {
	c := clock.NewReal()
	var late []time.Duration
	i := 0
	for b.Loop() {
		d := time.Duration(100+(i%40)*70) * time.Microsecond
		i++
		due := c.Now() + d
		c.SleepUntil(due, nil)
		late = append(late, c.Now()-due)
	}
	slices.Sort(late)
	b.ReportMetric(float64(late[len(late)/2].Microseconds()), "median-late-µs")
	b.ReportMetric(float64(late[len(late)*9/10].Microseconds()), "p90-late-µs")
}

func TestRealSleepUntilHonoursDone(t *testing.T) {
	c := clock.NewReal()
	done := make(chan struct{})
	close(done)
	t0 := time.Now()
	assert.False(t, c.SleepUntil(c.Now()+time.Hour, done))
	assert.False(t, c.SleepUntil(c.Now()+time.Millisecond, done), "inside the final stretch too")
	assert.Less(t, time.Since(t0), 100*time.Millisecond)
	assert.True(t, c.SleepUntil(c.Now()-time.Second, done), "a past time is reached at once")

	open := make(chan struct{})
	go func() {
		time.Sleep(20 * time.Millisecond)
		close(open)
	}()
	t0 = time.Now()
	assert.False(t, c.SleepUntil(c.Now()+time.Hour, open))
	assert.Less(t, time.Since(t0), time.Second)
}

func TestRealSleepUntilReusesTimers(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps 50 × 3 ms")
	}
	if raceEnabled {
		// Under the race detector sync.Pool drops a share of its Puts on
		// purpose (failed once in .ci/busy-test.sh: 1 alloc a wait).
		t.Skip("the race detector makes sync.Pool drop items")
	}
	c := clock.NewReal()
	done := make(chan struct{})
	c.SleepUntil(c.Now()+3*time.Millisecond, done) // warm the pool
	allocs := testing.AllocsPerRun(50, func() { c.SleepUntil(c.Now()+3*time.Millisecond, done) })
	assert.Less(t, allocs, 0.5)
}
