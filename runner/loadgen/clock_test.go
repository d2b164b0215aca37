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

func TestRealSleepUntilIsPrecise(t *testing.T) {
	c := clock.NewReal()
	var late []time.Duration
	for i := 0; i < 40; i++ {
		d := time.Duration(100+i*70) * time.Microsecond // 0.1 to 2.8 ms
		due := c.Now() + d
		require.True(t, c.SleepUntil(due, nil))
		late = append(late, c.Now()-due)
	}
	slices.Sort(late)
	assert.GreaterOrEqual(t, late[0], time.Duration(0), "never early")
	// A plain timer wakes about 1 ms late; allow for a loaded machine.
	assert.Less(t, late[len(late)/2], 300*time.Microsecond, "median lateness %v", late)
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
	c := clock.NewReal()
	done := make(chan struct{})
	c.SleepUntil(c.Now()+3*time.Millisecond, done) // warm the pool
	allocs := testing.AllocsPerRun(50, func() { c.SleepUntil(c.Now()+3*time.Millisecond, done) })
	assert.Less(t, allocs, 0.5)
}
