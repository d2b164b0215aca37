package clock

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The clock for a load generator beside CPU devices never polls while every
// core computes: its waits park on a timer (a polling waiter is always
// runnable and keeps Go from moving an executor to a free processor). While
// a core is free, and on the plain clock, the last stretch is polled for
// microsecond precision.
func TestOnlyThePlainClockPollsTheFinalStretch(t *testing.T) {
	polled := 0
	orig := shortWait
	shortWait = func(r *Real, t time.Duration, done <-chan struct{}) bool {
		polled++
		return orig(r, t, done)
	}
	defer func() { shortWait = orig }()

	for _, tc := range []struct {
		name string
		clk  *Real
		want int
	}{
		{"sharing cores, not told how busy: parks on a timer", NewRealSharingCores(), 0},
		{"sharing cores, all computing: parks on a timer", sharing(true), 0},
		{"sharing cores, one free: polls the last stretch", sharing(false), 3},
		{"sharing cores, told nil: parks again", sharingNil(), 0},
		{"plain: polls the last stretch", NewReal(), 3},
		{"plain: told nothing", plainTold(), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			polled = 0
			for range 3 {
				due := tc.clk.Now() + 300*time.Microsecond
				assert.True(t, tc.clk.SleepUntil(due, nil))
				assert.GreaterOrEqual(t, tc.clk.Now(), due, "never wakes early")
			}
			assert.Equal(t, tc.want, polled)
		})
	}
	t.Run("sharing cores: done ends a wait", func(t *testing.T) {
		done := make(chan struct{})
		close(done)
		c := NewRealSharingCores()
		assert.False(t, c.SleepUntil(c.Now()+time.Hour, done))
	})
}

func sharing(busy bool) *Real {
	c := NewRealSharingCores()
	c.ShareCoresWith(func() bool { return busy })
	return c
}

func sharingNil() *Real {
	c := sharing(false)
	c.ShareCoresWith(nil)
	return c
}

func plainTold() *Real {
	c := NewReal()
	c.ShareCoresWith(func() bool { return true })
	return c
}

// A wait that starts polling beside a free core parks once every core
// computes.
func TestSharingClockParksOnceTheCoresFill(t *testing.T) {
	var polls int
	orig := shortWait
	shortWait = func(r *Real, t time.Duration, done <-chan struct{}) bool {
		polls++
		return orig(r, t, done)
	}
	defer func() { shortWait = orig }()
	c := NewRealSharingCores()
	var calls int
	c.ShareCoresWith(func() bool { calls++; return calls > 2 })
	due := c.Now() + 10*time.Millisecond
	assert.True(t, c.SleepUntil(due, nil))
	assert.GreaterOrEqual(t, c.Now(), due)
	assert.Equal(t, 1, polls, "started polling")
	assert.Equal(t, 3, calls, "asked until the cores were busy, then parked")
}
