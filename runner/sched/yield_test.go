package sched_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/sched"
	"github.com/gotrt/gotrt/runner/simdev"
)

// Executors yield between batches only when they could hold every
// processor: with one to spare the yield is two thread switches for nothing.
func TestExecutorsYieldOnlyWithoutASpareProcessor(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	for _, tc := range []struct {
		procs int
		want  bool
	}{{2, true}, {1, true}, {3, false}} {
		runtime.GOMAXPROCS(tc.procs)
		dev := simdev.New("sim0", simdev.Profile{Fixed: time.Microsecond}, clock.NewReal(), simdev.WithConcurrency(2))
		s, err := sched.New([]sched.Device{dev}, nil, sched.Config{MaxBatch: 4, Streams: 2, NoWarmup: true})
		require.NoError(t, err)
		require.NoError(t, s.Start(context.Background()))
		assert.Equal(t, tc.want, s.Yields(), "2 executors, GOMAXPROCS %d", tc.procs)
		require.NoError(t, s.Close())
	}
}

// sharer is a real clock that records what the scheduler tells it.
type sharer struct {
	*clock.Real
	mu   sync.Mutex
	busy func() bool
	told int
}

func (c *sharer) ShareCoresWith(busy func() bool) {
	c.mu.Lock()
	c.busy, c.told = busy, c.told+1
	c.mu.Unlock()
	c.Real.ShareCoresWith(busy)
}

func (c *sharer) lanesBusy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.busy != nil && c.busy()
}

// A scheduler tells a clock sharing its devices' cores whether every lane
// computes, so that its waiters poll beside a free core and park beside
// busy ones; and forgets it at Close.
func TestSchedulerTellsTheClockWhenEveryLaneComputes(t *testing.T) {
	c := &sharer{Real: clock.NewRealSharingCores()}
	dev := simdev.New("sim0", simdev.Profile{Fixed: 50 * time.Millisecond}, clock.NewReal(), simdev.WithConcurrency(1))
	s, err := sched.New([]sched.Device{dev}, nil, sched.Config{MaxBatch: 4, Streams: 1, NoWarmup: true}, sched.WithClock(c))
	require.NoError(t, err)
	require.NoError(t, s.Start(context.Background()))
	assert.Equal(t, 1, c.told)
	assert.False(t, c.lanesBusy(), "idle")
	rec := newRecorder(c, 1)
	q := []loadgen.QuerySample{{ID: 1}}
	rec.issue(q, c.Now())
	s.IssueQuery(q, rec)
	assert.Eventually(t, c.lanesBusy, 5*time.Second, time.Millisecond, "the one lane computes")
	<-rec.all
	assert.Eventually(t, func() bool { return !c.lanesBusy() }, 5*time.Second, time.Millisecond, "done")
	require.NoError(t, s.Close())
	assert.Equal(t, 2, c.told)
	assert.False(t, c.lanesBusy(), "forgotten at Close")
}
