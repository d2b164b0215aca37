package runner

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/sched"
	"github.com/gotrt/gotrt/runner/simdev"
)

// The scheduler's per-sample footprint in the memory estimate covers what
// it allocates (measured, not guessed): an Offline query of n samples
// through the scheduler on a simulated device (a test tool, slow enough
// that the whole query waits in the queue, the worst case), less what the
// load generator itself allocates, per sample, between two sizes.
func TestSchedFootprintCoversMeasuredAllocation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 3 Offline queries of up to 400k samples through the scheduler")
	}
	dev := simdev.New("sim0", simdev.Profile{Fixed: 20 * time.Microsecond, PerSample: 50 * time.Nanosecond}, clock.NewReal(), simdev.WithConcurrency(1))
	s, err := sched.New([]sched.Device{dev}, nil, sched.Config{MaxBatch: 4096, Streams: 1})
	require.NoError(t, err)
	require.NoError(t, s.Start(context.Background()))
	defer s.Close()
	run := func(n int) (alloc uint64, own float64) {
		ts := loadgen.DefaultSettings(loadgen.Offline)
		ts.MinDuration, ts.MinQueryCount = 0, uint64(n)
		need, err := loadgen.EstimateMemory(ts, 1024, 1024, loadgen.Footprint{})
		require.NoError(t, err)
		runtime.GC()
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		rep, err := loadgen.Run(context.Background(), s, loadgen.NewNullQSL(1024, 1024), ts, loadgen.WithoutHostDetection())
		runtime.ReadMemStats(&b)
		require.NoError(t, err)
		require.Equal(t, n, rep.Result.Extra["sample_count"])
		return b.TotalAlloc - a.TotalAlloc, need.Bytes
	}
	const n1, n2 = 50_000, 400_000
	run(n1)
	a1, o1 := run(n1)
	a2, o2 := run(n2)
	perSample := (float64(a2-a1) - (o2 - o1)) / (n2 - n1)
	t.Logf("the scheduler allocates %.1f bytes per queued sample; the estimate counts %d", perSample, schedBytesPerSample)
	assert.LessOrEqual(t, perSample, float64(schedBytesPerSample))
}

// The Offline probe may raise the expected QPS past what the budget holds
// (a fast device): the query is then sized to fit, not refused.
func TestFitBudgetLowersTheOfflineQPS(t *testing.T) {
	ts := loadgen.DefaultSettings(loadgen.Offline)
	ts.MinDuration, ts.OfflineExpectedQPS = 10*time.Second, 1e8 // 1.1e9 samples
	qsl := loadgen.NewNullQSL(1024, 1024)
	var log strings.Builder
	cfg := Config{MemoryBudget: 1 << 30, Log: &log}
	q := fitBudget(cfg, ts, qsl)
	require.Less(t, q, ts.OfflineExpectedQPS)
	ts.OfflineExpectedQPS = q
	need, err := loadgen.EstimateMemory(ts, 1024, 1024, cfg.footprint())
	require.NoError(t, err)
	assert.NoError(t, need.Check(1<<30), "the lowered query fits")
	assert.Greater(t, need.Bytes, 0.9*(1<<30), "and uses most of the budget")
	assert.Contains(t, log.String(), "lowered from 1e+08")
	ts.OfflineExpectedQPS = 1e3
	assert.Equal(t, 1e3, fitBudget(cfg, ts, qsl), "a query that fits is left alone")
}
