package clock

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The clock for a load generator beside CPU devices never polls: every wait
// parks on a timer (a polling waiter is always runnable and keeps Go from
// moving an executor to a free processor). The plain clock polls the last
// stretch for its microsecond precision.
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
		{"sharing cores: parks on a timer", NewRealSharingCores(), 0},
		{"plain: polls the last stretch", NewReal(), 3},
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
