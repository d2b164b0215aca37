package clock

import (
	"sync"
	"sync/atomic"
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
		name  string
		clk   *Real
		polls bool
	}{
		{"sharing cores, not told how busy: parks on a timer", NewRealSharingCores(), false},
		{"sharing cores, all computing: parks on a timer", sharing(true), false},
		{"sharing cores, one free: polls the last stretch", sharing(false), true},
		{"sharing cores, told nil: parks again", sharingNil(), false},
		{"plain: polls the last stretch", NewReal(), true},
		{"plain: told nothing", plainTold(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			polled = 0
			for range 3 {
				// Within finalWait, so no timer stage; a test held up
				// past due skips a poll, hence "at least once".
				due := tc.clk.Now() + 1500*time.Microsecond
				assert.True(t, tc.clk.SleepUntil(due, nil))
				assert.GreaterOrEqual(t, tc.clk.Now(), due, "never wakes early")
			}
			if tc.polls {
				assert.Positive(t, polled)
			} else {
				assert.Zero(t, polled, "a parked wait never polls")
			}
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
// computes: it asks how busy the cores are as it polls, and stops polling
// at the first "busy" (done ends the parked wait, so the test needs no
// timing).
func TestSharingClockParksOnceTheCoresFill(t *testing.T) {
	c := NewRealSharingCores()
	done := make(chan struct{})
	stop := sync.OnceFunc(func() { close(done) })
	defer time.AfterFunc(5*time.Second, stop).Stop() // a regression must not hang for an hour
	var calls atomic.Int32
	c.ShareCoresWith(func() bool {
		if calls.Add(1) < 2 {
			return false
		}
		stop()
		return true
	})
	assert.False(t, shortWait(c, c.Now()+time.Hour, done))
	assert.EqualValues(t, 2, calls.Load(), "asked until the cores were busy, then parked")
}
