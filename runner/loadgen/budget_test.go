package loadgen_test

import (
	"context"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// The cases (issue 19): settings whose schedule or tables would not
// fit are refused before anything is loaded or allocated, naming the
// setting and the figure.
func TestMemoryBudgetRefusesBeforeRunning(t *testing.T) {
	const budget = 1 << 30
	for _, tc := range []struct {
		description string
		settings    func(*loadgen.TestSettings)
		qslTotal    int
		want        []string // in the message
	}{
		{"server at 1e12 QPS for 1 s (grew to 24 GB)", func(s *loadgen.TestSettings) {
			s.Scenario, s.ServerTargetQPS, s.MinDuration = loadgen.Server, 1e12, time.Second
		}, 1024, []string{"target_qps 1e+12", "min_duration 1s", "Server schedule of 1e+12 queries", "TiB", "1 GiB"}},
		{"server for 1000000h (150 MB/s)", func(s *loadgen.TestSettings) {
			s.Scenario, s.ServerTargetQPS, s.MinDuration = loadgen.Server, 1000, 1000000*time.Hour
		}, 1024, []string{"target_qps 1000", "min_duration 1000000h0m0s"}},
		{"multistream of 1e11 samples per query (runtime out of memory)", func(s *loadgen.TestSettings) {
			s.Scenario, s.MultiStreamSamplesPerQuery = loadgen.MultiStream, 100000000000
		}, 1024, []string{"samples_per_query 100000000000"}},
		{"singlestream for 1000000h", func(s *loadgen.TestSettings) {
			s.Scenario, s.MinDuration = loadgen.SingleStream, 1000000*time.Hour
		}, 1024, []string{"min_duration 1000000h0m0s", "target_latency 1ms"}},
		{"offline query of 2e9 samples", func(s *loadgen.TestSettings) {
			s.MinQueryCount = 2e9
		}, 1024, []string{"Offline query of 2000000000 samples"}},
		{"a performance set of 1e9 samples", func(s *loadgen.TestSettings) {
			s.PerformanceSampleCount = 1e9
		}, 1e9, []string{"needs"}},
		{"an accuracy run over 1e9 samples", func(s *loadgen.TestSettings) {
			s.Mode = loadgen.AccuracyOnly
		}, 1e9, []string{"needs"}},
	} {
		t.Run(tc.description, func(t *testing.T) {
			s := loadgen.DefaultSettings(loadgen.Offline)
			s.MinDuration = 10 * time.Millisecond
			tc.settings(&s)
			qsl := loadgen.NewNullQSL(tc.qslTotal, 0)
			_, err := loadgen.Run(context.Background(), &loadgen.NullSUT{}, qsl, s,
				loadgen.WithMemoryBudget(budget, loadgen.Footprint{}), loadgen.WithoutHostDetection())
			require.ErrorIs(t, err, loadgen.ErrMemoryBudget)
			require.ErrorIs(t, err, loadgen.ErrBadSettings, "the CLI's exit 2")
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Contains(t, err.Error(), "more than the budget of 1 GiB")
			assert.Zero(t, qsl.Loads, "refused before loading")

			need, err := loadgen.EstimateMemory(s, qsl.PerformanceSampleCount(), tc.qslTotal, loadgen.Footprint{})
			require.NoError(t, err)
			assert.Greater(t, need.Bytes, float64(budget))
		})
	}
}

// Inf and NaN never reach a run (nor result.json's encoder).
func TestSettingsRefuseNonFiniteNumbers(t *testing.T) {
	for _, tc := range []struct {
		description string
		scenario    loadgen.Scenario
		set         func(*loadgen.TestSettings)
		field       string
	}{
		{"server qps +Inf", loadgen.Server, func(s *loadgen.TestSettings) { s.ServerTargetQPS = math.Inf(1) }, "ServerTargetQPS"},
		{"server qps NaN", loadgen.Server, func(s *loadgen.TestSettings) { s.ServerTargetQPS = math.NaN() }, "ServerTargetQPS"},
		{"offline qps +Inf", loadgen.Offline, func(s *loadgen.TestSettings) { s.OfflineExpectedQPS = math.Inf(1) }, "OfflineExpectedQPS"},
		{"offline qps NaN", loadgen.Offline, func(s *loadgen.TestSettings) { s.OfflineExpectedQPS = math.NaN() }, "OfflineExpectedQPS"},
		{"accuracy log probability NaN", loadgen.Offline, func(s *loadgen.TestSettings) { s.AccuracyLogProbability = math.NaN() }, "AccuracyLogProbability"},
		{"find-peak step NaN", loadgen.Server, func(s *loadgen.TestSettings) {
			s.Mode, s.ServerFindPeakQPSBoundaryStepSize = loadgen.FindPeakPerformance, math.NaN()
		}, "ServerFindPeakQPSBoundaryStepSize"},
		{"find-peak step 1e300 (widens to +Inf)", loadgen.Server, func(s *loadgen.TestSettings) {
			s.Mode, s.ServerFindPeakQPSBoundaryStepSize = loadgen.FindPeakPerformance, 1e300
		}, "ServerFindPeakQPSBoundaryStepSize"},
		{"find-peak precision NaN", loadgen.Server, func(s *loadgen.TestSettings) {
			s.Mode, s.ServerFindPeakRelativePrecision = loadgen.FindPeakPerformance, math.NaN()
		}, "ServerFindPeakRelativePrecision"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			s := loadgen.DefaultSettings(tc.scenario)
			tc.set(&s)
			err := s.Validate()
			require.ErrorIs(t, err, loadgen.ErrBadSettings)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
}

// allocPerSample measures the bytes a null-SUT run allocates per sample
// between runs of n1 and n2 samples: the slope, free of fixed costs.
func allocPerSample(t *testing.T, s loadgen.TestSettings, set func(*loadgen.TestSettings, int), n1, n2 int) (measured, estimated float64) {
	t.Helper()
	run := func(n int) (uint64, float64) {
		ts := s
		set(&ts, n)
		qsl := loadgen.NewNullQSL(1024, 0)
		need, err := loadgen.EstimateMemory(ts, 1024, 1024, loadgen.Footprint{})
		require.NoError(t, err)
		runtime.GC()
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		rep, err := loadgen.Run(context.Background(), &loadgen.NullSUT{}, qsl, ts, loadgen.WithoutHostDetection())
		runtime.ReadMemStats(&b)
		require.NoError(t, err)
		require.Equal(t, n, rep.Result.Extra["sample_count"], "the run made the samples asked for")
		return b.TotalAlloc - a.TotalAlloc, need.Bytes
	}
	run(n1) // warm
	a1, e1 := run(n1)
	a2, e2 := run(n2)
	d := float64(n2 - n1)
	return float64(a2-a1) / d, (e2 - e1) / d
}

// The estimate follows what a run allocates (measured, not guessed): it
// never counts less per sample than a run allocates in all (garbage
// included), and not absurdly more.
func TestMemoryEstimateMatchesMeasuredAllocation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 8 null-SUT runs of up to 600k samples")
	}
	if raceEnabled {
		t.Skip("the race detector allocates on the measured paths")
	}
	const n1, n2 = 100_000, 600_000
	for _, tc := range []struct {
		description string
		scenario    loadgen.Scenario
		set         func(*loadgen.TestSettings, int)
	}{
		{"offline", loadgen.Offline, func(s *loadgen.TestSettings, n int) { s.MinQueryCount = uint64(n) }},
		{"server", loadgen.Server, func(s *loadgen.TestSettings, n int) {
			// Scheduled faster than issued: the run is as fast as the
			// issuer, and its schedule has exactly min_query_count queries.
			s.ServerTargetQPS, s.MinQueryCount = 1e12, uint64(n)
			s.ServerTargetLatency = time.Hour
		}},
		{"singlestream", loadgen.SingleStream, func(s *loadgen.TestSettings, n int) { s.MinQueryCount = uint64(n) }},
		{"multistream", loadgen.MultiStream, func(s *loadgen.TestSettings, n int) { s.MinQueryCount = uint64(n / 8) }},
	} {
		t.Run(tc.description, func(t *testing.T) {
			s := loadgen.DefaultSettings(tc.scenario)
			s.MinDuration = 0
			s.EarlyStopping = false
			measured, estimated := allocPerSample(t, s, tc.set, n1, n2)
			t.Logf("%s: %.1f bytes allocated per sample, %.1f estimated", tc.description, measured, estimated)
			assert.GreaterOrEqual(t, estimated, measured, "the estimate undercounts")
			assert.Less(t, estimated, 3*measured+8, "the estimate is far above what a run allocates")
		})
	}
}

// A stream that a fast SUT would run for an hour stops at the budget's
// cap: INVALID with a reason naming the budget, never more memory.
func TestMemoryBudgetCapsAnUnboundedStream(t *testing.T) {
	s := loadgen.DefaultSettings(loadgen.SingleStream)
	s.MinDuration = time.Hour
	s.SingleStreamExpectedLatency = time.Hour // expects one query: fits
	s.MinQueryCount = 1
	const budget = 40 << 20 // 32 MiB of it the process's base
	rep, err := loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(1024, 0), s,
		loadgen.WithMemoryBudget(budget, loadgen.Footprint{}), loadgen.WithoutHostDetection())
	require.NoError(t, err)
	res := rep.Result
	assert.False(t, res.Valid)
	assert.Contains(t, strings.Join(res.Reasons, "\n"), "the memory budget of 40 MiB holds")
	n := res.Extra["query_count"].(int)
	assert.Greater(t, n, 100000, "the cap leaves the budget's room")
	assert.LessOrEqual(t, float64(n)*20, float64(8<<20), "and holds to it (20.5 bytes a query)")
}

// A find-peak trial whose schedule would pass the budget is INVALID
// without running: the search's upper bound, not a crash.
func TestFindPeakTrialOverTheBudgetIsInvalidNotRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs find-peak trials of 100 ms on the real clock")
	}
	s := loadgen.DefaultSettings(loadgen.Server)
	s.Mode = loadgen.FindPeakPerformance
	s.MinDuration = 100 * time.Millisecond
	s.MinQueryCount = 1
	s.ServerTargetQPS = 1e5
	s.ServerTargetLatency = time.Second
	s.ServerFindPeakRelativePrecision = 0.3
	s.EarlyStopping = false
	need, err := loadgen.EstimateMemory(s, 1024, 1024, loadgen.Footprint{})
	require.NoError(t, err)
	s2 := s
	s2.ServerTargetQPS *= 2
	need2, err := loadgen.EstimateMemory(s2, 1024, 1024, loadgen.Footprint{})
	require.NoError(t, err)
	budget := int64(need.Bytes+need2.Bytes) / 2 // holds 1e5 QPS, not 2e5
	rep, err := loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(1024, 0), s,
		loadgen.WithMemoryBudget(budget, loadgen.Footprint{}), loadgen.WithoutHostDetection())
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rep.Trials), 2)
	over := rep.Trials[1]
	assert.Equal(t, 2e5, over.TargetQPS)
	assert.False(t, over.Valid)
	assert.Contains(t, strings.Join(over.Reasons, " "), "trial not run")
	assert.Contains(t, strings.Join(over.Reasons, " "), "over the memory budget")
	for _, tr := range rep.Trials {
		assert.Less(t, tr.TargetQPS, 2e5+1, "no trial above the first over the budget")
	}
}

func TestParseMemoryBudget(t *testing.T) {
	total, _, err := loadgen.SystemMemory()
	require.NoError(t, err)
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"4GiB", 4 << 30}, {"512MiB", 512 << 20}, {"8GB", 8e9}, {"1.5GiB", 3 << 29}, {"1048576", 1 << 20},
		{"50%", total / 2}, {"100%", total},
	} {
		got, err := loadgen.ParseMemoryBudget(tc.in)
		require.NoError(t, err, tc.in)
		assert.InDelta(t, tc.want, got, 1, tc.in)
	}
	for _, bad := range []string{"", "0", "-1GiB", "NaN", "Inf", "+InfGiB", "0%", "101%", "NaN%", "4 parsecs", "12", strings.Repeat("9", 100)} {
		_, err := loadgen.ParseMemoryBudget(bad)
		require.ErrorIs(t, err, loadgen.ErrBadSettings, "%q", bad)
	}
}
