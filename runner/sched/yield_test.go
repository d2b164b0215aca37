package sched_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/clock"
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
