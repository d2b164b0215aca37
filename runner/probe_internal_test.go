package runner

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/sched"
)

func TestOfflineExpectedLeavesAMargin(t *testing.T) {
	// A probe reading 1000/s sizes the query for 2000/s: a run that goes
	// 1.8x faster than the probe (the issue's 9.0 s of 10) still lasts
	// 1.1 × 10 s × 2000 / 1800 = 12.2 s.
	assert.Equal(t, 2000.0, offlineExpected(1000, 1))
	assert.Equal(t, 5000.0, offlineExpected(1000, 5000), "a higher configured value stands")
	q := offlineExpected(1000, 1)
	assert.Greater(t, 1.1*10*q/1800, 10.0)
}

// probeSUT is a test tool: the null SUT, counting the queries' samples.
type probeSUT struct {
	loadgen.NullSUT
	sizes []int
}

func (s *probeSUT) IssueQuery(q []loadgen.QuerySample, c loadgen.Completer) {
	s.sizes = append(s.sizes, len(q))
	s.NullSUT.IssueQuery(q, c)
}

func TestProbeStopsWithinThreeBoundedQueries(t *testing.T) {
	sut := &probeSUT{}
	qsl := loadgen.NewNullQSL(1024, 1024)
	ts := loadgen.DefaultSettings(loadgen.Offline)
	r, err := probe(context.Background(), sut, qsl, ts)
	require.NoError(t, err)
	assert.Positive(t, r)
	assert.LessOrEqual(t, len(sut.sizes), 3)
	for _, n := range sut.sizes {
		assert.LessOrEqual(t, n, probeMax, "a fast SUT does not make a huge query")
	}
}

func TestCapExpectedFitsTheOfflineBound(t *testing.T) {
	// A GPU probed at 19.5M samples/s with the margin asks for 39M; a 10 s
	// query of that would pass the load generator's bound and fail the run.
	q := capExpected(offlineExpected(19.5e6, 1), 10*time.Second)
	assert.Less(t, 1.1*10*q, float64(loadgen.MaxOfflineSamples))
	assert.Greater(t, q, 19.5e6, "still above the measured rate")
	assert.Equal(t, 2000.0, capExpected(2000, 10*time.Second), "a small figure is left alone")
	assert.Equal(t, 5e9, capExpected(5e9, 0), "no minimum duration: nothing to size")
}

func TestFindPeakStartsFromTheOfflineRate(t *testing.T) {
	ts := loadgen.DefaultSettings(loadgen.Server)
	ts.Mode = loadgen.FindPeakPerformance
	peakSettings(&ts, 100000)
	assert.Equal(t, 90000.0, ts.ServerTargetQPS, "0.9 of Offline")
	assert.Equal(t, 0.1, ts.ServerFindPeakQPSBoundaryStepSize, "next 0.99 of Offline")
	assert.Equal(t, 0.02, ts.ServerFindPeakRelativePrecision)
	ts.ServerFindPeakRelativePrecision = 0.05 // asked for (--peak-precision)
	peakSettings(&ts, 100000)
	assert.Equal(t, 0.05, ts.ServerFindPeakRelativePrecision, "an asked-for precision stands")
	require.NoError(t, ts.Validate())
}

func TestServerPlansFromTheBoundUnlessATimeoutIsGiven(t *testing.T) {
	ts := loadgen.DefaultSettings(loadgen.Server)
	ts.ServerTargetLatency = 15 * time.Millisecond
	c := schedConfig(sched.Config{}, ts, 64)
	assert.Equal(t, 15*time.Millisecond, c.LatencyBound, "adaptive, planned against the bound")
	c = schedConfig(sched.Config{BatchTimeout: 2 * time.Millisecond, MaxBatch: 26}, ts, 64)
	assert.Zero(t, c.LatencyBound, "a hand-set timeout keeps the fixed policy")
	assert.Equal(t, 26, c.MaxBatch)
	c = schedConfig(sched.Config{MaxBatch: 32}, ts, 64)
	assert.Equal(t, 15*time.Millisecond, c.LatencyBound, "a max batch alone caps the adaptive batches")
}
