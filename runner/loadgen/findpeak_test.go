package loadgen_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// The find-peak tests run on the virtual clock: every trial of a search is
// decided by the simulated SUT alone, so each search repeats exactly.

// findPeakQuick: short Server trials for a SUT of about 1000 samples/s, a
// 100 ms bound that a 400 ms stall breaks for sure, early stopping off so
// that a trial of a few hundred queries can be VALID.
func findPeakQuick() loadgen.TestSettings {
	s := quick(loadgen.Server)
	s.Mode = loadgen.FindPeakPerformance
	s.MinDuration = 300 * time.Millisecond
	s.MinQueryCount = 10
	s.EarlyStopping = false
	s.ServerTargetQPS = 200
	s.ServerTargetLatency = 100 * time.Millisecond
	s.ServerFindPeakQPSDecimalsOfPrecision = 0
	s.ServerFindPeakRelativePrecision = 0.25
	return s
}

func detailLog(t *testing.T, rep *loadgen.Report) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, rep.WriteLogs(dir))
	b, err := os.ReadFile(filepath.Join(dir, loadgen.DetailFile))
	require.NoError(t, err)
	return string(b)
}

// findPeak runs a find-peak search on a virtualCapacitySUTSim of cost per
// sample whose stallTrial-th trial (0: none) stalls 400 ms.
func findPeak(t *testing.T, s loadgen.TestSettings, cost time.Duration, stallTrial int, opts ...loadgen.Option) *loadgen.Report {
	t.Helper()
	c := clock.NewVirtual(0)
	defer c.Stop()
	sut := newVirtualCapacitySUTSim(c, cost)
	sut.stallTrial, sut.stall = stallTrial, 400*time.Millisecond
	defer sut.Close()
	opts = append(opts, loadgen.WithoutHostDetection(), loadgen.WithClock(c))
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), s, opts...)
	require.NoError(t, err)
	for _, tr := range rep.Trials {
		t.Logf("%.0f QPS valid=%v confirm=%v p99=%d", tr.TargetQPS, tr.Valid, tr.Confirm, tr.TargetPctlNS)
	}
	return rep
}

// assertHonestPeak checks the rules of an honest peak: no QPS is tried again
// after an INVALID trial at it except as the INVALID bound it is; the peak
// is the QPS of the last trial, a VALID confirmation run, which is the
// report's result; every trial at the peak was VALID.
func assertHonestPeak(t *testing.T, rep *loadgen.Report) {
	t.Helper()
	failed := map[float64]bool{}
	for i, tr := range rep.Trials {
		assert.False(t, failed[tr.TargetQPS], "trial %d at %.0f QPS: a QPS INVALID once is not tried again", i+1, tr.TargetQPS)
		if !tr.Valid {
			failed[tr.TargetQPS] = true
		}
	}
	require.NotEmpty(t, rep.Trials)
	last := rep.Trials[len(rep.Trials)-1]
	assert.True(t, last.Confirm, "the search ends with a confirmation run")
	assert.True(t, last.Valid, "%v", last.Reasons)
	assert.Equal(t, last.TargetQPS, rep.PeakQPS)
	assert.False(t, failed[rep.PeakQPS], "every trial at the peak was VALID")
	assert.True(t, rep.Result.Valid, "the confirmation run is the result: %v", rep.Result.Reasons)
	assert.Equal(t, rep.PeakQPS, rep.Effective.TargetQPS)
	assert.Equal(t, rep.PeakQPS, rep.Result.Extra["peak_qps"])
}

func TestFindPeakPerformance(t *testing.T) {
	s := quick(loadgen.Server)
	s.Mode = loadgen.FindPeakPerformance
	s.MinDuration = 100 * time.Millisecond
	s.MinQueryCount = 500 // Server early stopping needs 459 queries
	s.ServerTargetQPS = 500
	s.ServerTargetLatency = 100 * time.Millisecond
	s.ServerFindPeakQPSDecimalsOfPrecision = 0
	rep := findPeak(t, s, 200*time.Microsecond, 0) // 5000 samples/s
	require.GreaterOrEqual(t, len(rep.Trials), 4)
	assert.True(t, rep.Trials[0].Valid, "the starting QPS: %v", rep.Trials[0].Reasons)
	assert.Greater(t, rep.PeakQPS, 4000.0)
	// A trial of 500 queries lasts about 60 ms at 8000 QPS: too short for
	// the 5000 samples/s SUT's backlog to pass the 100 ms bound below about
	// 7900 QPS.
	assert.Less(t, rep.PeakQPS, 8000.0)
	assertHonestPeak(t, rep)
	confirms := 0
	for _, tr := range rep.Trials {
		if tr.Confirm {
			confirms++
		}
	}
	assert.Equal(t, 1, confirms, "the peak held its confirmation")
	assert.Contains(t, detailLog(t, rep), "(confirmation) at ")
}

// A search that starts near the peak (gotrt's run starts at 0.9 of the
// measured Offline rate) with a fine boundary step converges in a few
// trials, and an INVALID start steps down by the same fine step, not by half.
func TestFindPeakFromNearThePeakTakesFewTrials(t *testing.T) {
	s := quick(loadgen.Server)
	s.Mode = loadgen.FindPeakPerformance
	s.MinDuration = time.Second // long enough for an overload to show
	s.MinQueryCount = 500
	s.ServerTargetLatency = 20 * time.Millisecond
	s.ServerFindPeakQPSDecimalsOfPrecision = 0
	s.ServerFindPeakQPSBoundaryStepSize = 0.1
	s.ServerFindPeakRelativePrecision = 0.02
	t.Run("valid start", func(t *testing.T) {
		s := s
		s.ServerTargetQPS = 4500 // 0.9 of the 5000 samples/s SUT
		rep := findPeak(t, s, 200*time.Microsecond, 0)
		assert.LessOrEqual(t, len(rep.Trials), 7, "start, bound, bisection, confirmation")
		assert.Equal(t, 4950.0, rep.Trials[1].TargetQPS, "the bound widens by 10 %")
		assert.GreaterOrEqual(t, rep.PeakQPS, 4500.0)
		assert.Less(t, rep.PeakQPS, 5000.0)
		assertHonestPeak(t, rep)
	})
	t.Run("invalid start", func(t *testing.T) {
		s := s
		s.ServerTargetQPS = 12000
		rep := findPeak(t, s, 200*time.Microsecond, 0)
		require.GreaterOrEqual(t, len(rep.Trials), 2)
		assert.False(t, rep.Trials[0].Valid)
		assert.InDelta(t, 12000/1.1, rep.Trials[1].TargetQPS, 0.01, "stepped down by the boundary step")
		assert.Contains(t, detailLog(t, rep), "of at most 8;")
	})
	t.Run("a step down and back up runs no QPS twice", func(t *testing.T) {
		s := s
		s.ServerTargetQPS = 5500
		rep := findPeak(t, s, 200*time.Microsecond, 0)
		seen := map[float64]bool{}
		for _, tr := range rep.Trials {
			if !tr.Confirm {
				assert.False(t, seen[tr.TargetQPS], "%.0f QPS ran twice", tr.TargetQPS)
			}
			seen[tr.TargetQPS] = true
		}
		assert.Greater(t, rep.PeakQPS, 4500.0)
		assertHonestPeak(t, rep)
	})
}

func TestFindPeakCountsANoisyTrialAsInvalid(t *testing.T) {
	// The first trial (200 QPS) stalls 400 ms: it is INVALID, and 200 QPS
	// never counts again; the search steps down to 100 and bisects below
	// 200, although the SUT could hold 200 without the stall.
	rep := findPeak(t, findPeakQuick(), time.Millisecond, 1)
	require.GreaterOrEqual(t, len(rep.Trials), 3)
	assert.Equal(t, 200.0, rep.Trials[0].TargetQPS)
	assert.False(t, rep.Trials[0].Valid)
	assert.Contains(t, strings.Join(rep.Trials[0].Reasons, "\n"), "performance constraints not met")
	assert.Equal(t, 100.0, rep.Trials[1].TargetQPS, "stepped down")
	assert.True(t, rep.Trials[1].Valid)
	assert.Less(t, rep.PeakQPS, 200.0, "no re-run lets 200 QPS pass")
	assert.Greater(t, rep.PeakQPS, 100.0)
	assertHonestPeak(t, rep)
	det := detailLog(t, rep)
	assert.Contains(t, det, "FindPeakPerformance: lower bound 200.000000 is INVALID, stepping down to 100.000000 (1 of at most 3")
	assert.Contains(t, det, "FindPeakPerformance: 200.000000 is INVALID: a trial at it was")
	assert.NotContains(t, det, "retry")
}

func TestFindPeakFallsBackWhenTheConfirmationFails(t *testing.T) {
	// The same search twice; the second time the confirmation run stalls.
	// The peak it found no longer counts, and the next lower QPS at which
	// every trial was VALID is confirmed instead.
	clean := findPeak(t, findPeakQuick(), time.Millisecond, 0)
	assertHonestPeak(t, clean)
	n := len(clean.Trials)
	rep := findPeak(t, findPeakQuick(), time.Millisecond, n)
	require.Len(t, rep.Trials, n+1)
	assert.Equal(t, clean.Trials[:n-1], rep.Trials[:n-1], "the same search")
	failed := rep.Trials[n-1]
	assert.True(t, failed.Confirm)
	assert.False(t, failed.Valid)
	assert.Equal(t, clean.PeakQPS, failed.TargetQPS)
	assert.Less(t, rep.PeakQPS, clean.PeakQPS)
	assertHonestPeak(t, rep)
	// The fallback is the highest QPS below the failed one that was VALID.
	want := 0.0
	for _, tr := range rep.Trials[:n-1] {
		if tr.Valid && tr.TargetQPS < failed.TargetQPS {
			want = max(want, tr.TargetQPS)
		}
	}
	assert.Equal(t, want, rep.PeakQPS)
	assert.Contains(t, detailLog(t, rep), "was INVALID on its confirmation run, falling back to")
}

func TestFindPeakWithNoConfirmedPeakIsInvalid(t *testing.T) {
	// Every confirmation run stalls: no QPS the search found holds a plain
	// run, so the search has no peak and its result is INVALID (it said
	// VALID with a peak of 0 on an H200 whose confirmations all failed).
	clean := findPeak(t, findPeakQuick(), time.Millisecond, 0)
	n := len(clean.Trials)
	c := clock.NewVirtual(0)
	defer c.Stop()
	sut := newVirtualCapacitySUTSim(c, time.Millisecond)
	sut.stallTrial, sut.stallAll, sut.stall = n, true, 400*time.Millisecond
	defer sut.Close()
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), findPeakQuick(), loadgen.WithoutHostDetection(), loadgen.WithClock(c))
	require.NoError(t, err)
	confirms := 0
	for _, tr := range rep.Trials {
		if tr.Confirm {
			confirms++
			assert.False(t, tr.Valid)
		}
	}
	require.Positive(t, confirms)
	assert.Zero(t, rep.PeakQPS)
	assert.False(t, rep.Result.Valid, "no confirmed peak is no VALID result")
	require.NotEmpty(t, rep.Result.Reasons)
	assert.Contains(t, rep.Result.Reasons[0], "found no confirmed peak")
	dir := t.TempDir()
	require.NoError(t, rep.WriteLogs(dir))
	sum, err := os.ReadFile(filepath.Join(dir, loadgen.SummaryFile))
	require.NoError(t, err)
	assert.Contains(t, string(sum), "Result is : INVALID")
}

func TestFindPeakTooSlowSUTStaysInvalid(t *testing.T) {
	// Every sample takes 150 ms against a 50 ms bound: no QPS is VALID.
	c := clock.NewVirtual(0)
	defer c.Stop()
	sut := &virtualDelaySUTSim{c: c, delay: 150 * time.Millisecond}
	s := findPeakQuick()
	s.MinDuration = 100 * time.Millisecond
	s.ServerTargetLatency = 50 * time.Millisecond
	s.EarlyStopping = true
	s.ServerTargetQPS = 400
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection(), loadgen.WithClock(c))
	sut.wg.Wait()
	require.NoError(t, err)
	var qps []float64
	for _, tr := range rep.Trials {
		qps = append(qps, tr.TargetQPS)
		assert.False(t, tr.Valid)
		assert.False(t, tr.Confirm)
	}
	assert.Equal(t, []float64{400, 200, 100, 50}, qps, "each QPS once, three step-downs")
	assert.Zero(t, rep.PeakQPS)
	assert.False(t, rep.Result.Valid)
	require.NotEmpty(t, rep.Result.Reasons)
	assert.Equal(t, "FindPeakPerformance found no VALID target QPS: 400, 200, 100 and 50 QPS were each INVALID (3 step-downs, the most allowed); lower target_qps",
		rep.Result.Reasons[0])
	all := strings.Join(rep.Result.Reasons, "\n")
	assert.Contains(t, all, "performance constraints not met")
	assert.Contains(t, all, "early stopping not met")
	assert.Equal(t, 50.0, rep.Effective.TargetQPS, "the summary is the last trial's")
	dir := t.TempDir()
	require.NoError(t, rep.WriteLogs(dir))
	sum, err := os.ReadFile(filepath.Join(dir, loadgen.SummaryFile))
	require.NoError(t, err)
	assert.Contains(t, string(sum), "Result is : INVALID")
	assert.Contains(t, string(sum), " * FindPeakPerformance found no VALID target QPS")
}

func TestFindPeakDoesNotStepDownForWhatALowerQPSCannotCure(t *testing.T) {
	// Too many outstanding queries ends the trial early: min duration is
	// not met, which a lower QPS does not cure.
	c := clock.NewVirtual(0)
	defer c.Stop()
	sut := &virtualDelaySUTSim{c: c, delay: 50 * time.Millisecond}
	s := findPeakQuick()
	s.ServerMaxAsyncQueries = 2
	s.ServerTargetQPS = 1000
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection(), loadgen.WithClock(c))
	sut.wg.Wait()
	require.NoError(t, err)
	require.Len(t, rep.Trials, 1)
	assert.False(t, rep.Trials[0].Valid)
	assert.Zero(t, rep.PeakQPS)
	assert.False(t, rep.Result.Valid)
	require.NotEmpty(t, rep.Result.Reasons)
	assert.Equal(t, "FindPeakPerformance found no VALID target QPS: the starting 1000 QPS is INVALID for a reason a lower QPS cannot cure", rep.Result.Reasons[0])
	assert.Contains(t, strings.Join(rep.Result.Reasons, "\n"), "min duration not met")
}

func TestFindPeakCallsTheTrialFunc(t *testing.T) {
	var evs []loadgen.TrialEvent
	rep := findPeak(t, findPeakQuick(), time.Millisecond, 0,
		loadgen.WithTrialFunc(func(e loadgen.TrialEvent) { evs = append(evs, e) }),
		loadgen.WithNotes("command line: min_duration = 300 ms (--duration 300ms)"))
	require.Len(t, evs, len(rep.Trials), "one call per trial")
	assert.Equal(t, rep.Trials[0], evs[0].Trial)
	assert.Equal(t, 200.0, evs[0].Lower)
	assert.Zero(t, evs[0].Upper, "still widening")
	last := evs[len(evs)-1]
	assert.True(t, last.Trial.Confirm)
	assert.Equal(t, rep.PeakQPS, last.Lower)
	assert.Contains(t, detailLog(t, rep), `"value": "command line: min_duration = 300 ms (--duration 300ms)"`)
}

func TestInterruptedFindPeakHasNoPeakAndNoAdvice(t *testing.T) {
	// Cancelled after its second trial, the search ends INVALID and
	// interrupted, reports no peak, and advises nothing: what it did not
	// reach says nothing of the target QPS.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := clock.NewVirtual(0)
	defer c.Stop()
	sut := newVirtualCapacitySUTSim(c, time.Millisecond)
	defer sut.Close()
	rep, err := loadgen.Run(ctx, sut, loadgen.NewNullQSL(100, 64), findPeakQuick(), loadgen.WithoutHostDetection(), loadgen.WithClock(c),
		loadgen.WithTrialFunc(func(e loadgen.TrialEvent) {
			if e.N == 2 {
				cancel()
			}
		}))
	require.NoError(t, err)
	assert.Zero(t, rep.PeakQPS, "an interrupted search has no peak")
	assert.False(t, rep.Result.Valid)
	assert.True(t, rep.Result.Interrupted)
	require.NotEmpty(t, rep.Result.Reasons)
	assert.True(t, strings.HasPrefix(rep.Result.Reasons[0], loadgen.ReasonInterrupted), "%v", rep.Result.Reasons)
	for _, tr := range rep.Trials {
		assert.False(t, tr.Confirm, "no confirmation after the interrupt")
	}
	dir := t.TempDir()
	require.NoError(t, rep.WriteLogs(dir))
	sum, err := os.ReadFile(filepath.Join(dir, loadgen.SummaryFile))
	require.NoError(t, err)
	assert.Contains(t, string(sum), "Result is : INVALID")
	assert.NotContains(t, string(sum), "Increase the target QPS")
	assert.NotContains(t, string(sum), "Reduce target QPS")
}

func TestResultRecordsTheStartTime(t *testing.T) {
	s := quick(loadgen.SingleStream)
	before := time.Now().Add(-time.Second)
	rep, err := loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(16, 16), s, loadgen.WithoutHostDetection())
	require.NoError(t, err)
	st, err := time.Parse(time.RFC3339, rep.Result.StartTime)
	require.NoError(t, err)
	assert.False(t, st.Before(before.Truncate(time.Second)), "start_time %s", rep.Result.StartTime)
}

// A search that started at its peak has nothing lower to fall back to when
// the confirmation fails: it steps down as from an INVALID start, and
// confirms that (it ended with no peak on a 2-core VM whose first trial,
// 0.9 of Offline, was the highest VALID one).
func TestFindPeakStepsDownWhenTheStartFailsItsConfirmation(t *testing.T) {
	s := quick(loadgen.Server)
	s.Mode = loadgen.FindPeakPerformance
	s.MinDuration = time.Second
	s.MinQueryCount = 500
	s.ServerTargetLatency = 20 * time.Millisecond
	s.ServerFindPeakQPSDecimalsOfPrecision = 0
	s.ServerFindPeakQPSBoundaryStepSize = 0.1
	s.ServerFindPeakRelativePrecision = 0.25 // no bisection: the start is the peak
	s.ServerTargetQPS = 4500
	clean := findPeak(t, s, 200*time.Microsecond, 0)
	assertHonestPeak(t, clean)
	require.Equal(t, 4500.0, clean.PeakQPS, "the start is the peak")
	n := len(clean.Trials)
	rep := findPeak(t, s, 200*time.Microsecond, n) // the confirmation stalls
	assertHonestPeak(t, rep)
	require.Len(t, rep.Trials, n+2, "the failed confirmation, a step down, its confirmation")
	assert.True(t, rep.Trials[n-1].Confirm)
	assert.False(t, rep.Trials[n-1].Valid)
	assert.False(t, rep.Trials[n].Confirm, "a search trial first")
	assert.InDelta(t, 4500/1.1, rep.PeakQPS, 1e-6)
	assert.Contains(t, detailLog(t, rep), "no lower QPS was tried, stepping down to")
}
