package loadgen_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// stallingSUTSim is a test tool: capacitySUTSim's single worker serving
// queued samples at a fixed cost each, whose worker stalls once, for stall,
// at the fifth query of each of its first stallTrials trials (a new
// Completer is a new trial): a noisy spell of a shared machine, on demand.
type stallingSUTSim struct {
	cost, stall time.Duration
	stallTrials int

	mu       sync.Mutex
	queue    []loadgen.Response
	c        loadgen.Completer
	trials   int
	queries  int
	stallNow bool
	kick     chan struct{}
	stop     chan struct{}
	done     chan struct{}
}

func newStallingSUTSim(cost, stall time.Duration, stallTrials int) *stallingSUTSim {
	s := &stallingSUTSim{cost: cost, stall: stall, stallTrials: stallTrials,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go s.work()
	return s
}

func (s *stallingSUTSim) Name() string  { return "stallingSUTSim" }
func (s *stallingSUTSim) FlushQueries() {}
func (s *stallingSUTSim) Close()        { close(s.stop); <-s.done }
func (s *stallingSUTSim) IssueQuery(samples []loadgen.QuerySample, c loadgen.Completer) {
	s.mu.Lock()
	if c != s.c {
		s.c, s.trials, s.queries = c, s.trials+1, 0
	}
	s.queries++
	if s.queries == 5 && s.trials <= s.stallTrials {
		s.stallNow = true
	}
	for _, q := range samples {
		s.queue = append(s.queue, loadgen.Response{ID: q.ID})
	}
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *stallingSUTSim) work() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
		}
		for {
			s.mu.Lock()
			batch, c, stall := s.queue, s.c, s.stallNow
			s.queue, s.stallNow = nil, false
			s.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			if stall {
				time.Sleep(s.stall)
			}
			time.Sleep(time.Duration(len(batch)) * s.cost)
			_ = c.Complete(batch)
		}
	}
}

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

func TestFindPeakRetriesANoisyTrial(t *testing.T) {
	if testing.Short() {
		t.Skip("runs about ten Server trials")
	}
	sut := newStallingSUTSim(time.Millisecond, 400*time.Millisecond, 1)
	defer sut.Close()
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), findPeakQuick(), loadgen.WithoutHostDetection())
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rep.Trials), 3)
	first, retry := rep.Trials[0], rep.Trials[1]
	assert.False(t, first.Valid, "the stalled trial")
	assert.False(t, first.Retry)
	assert.Contains(t, strings.Join(first.Reasons, "\n"), "performance constraints not met")
	assert.True(t, retry.Retry, "re-run at once")
	assert.Equal(t, first.TargetQPS, retry.TargetQPS)
	assert.True(t, retry.Valid, "the re-run without the stall: %v", retry.Reasons)
	assert.Greater(t, rep.PeakQPS, 200.0, "the search went on from the re-run")
	assert.True(t, rep.Result.Valid, "%v", rep.Result.Reasons)
	assert.Equal(t, rep.PeakQPS, rep.Effective.TargetQPS)
	for i, tr := range rep.Trials {
		if tr.Valid {
			assert.LessOrEqual(t, tr.TargetQPS, rep.PeakQPS)
		}
		if tr.Retry {
			// A re-run follows an INVALID trial at the same QPS, and only one.
			require.Positive(t, i)
			assert.False(t, rep.Trials[i-1].Valid)
			assert.False(t, rep.Trials[i-1].Retry)
			assert.Equal(t, rep.Trials[i-1].TargetQPS, tr.TargetQPS)
		}
	}
	for _, tr := range rep.Trials {
		t.Logf("%.0f valid=%v retry=%v p99=%d", tr.TargetQPS, tr.Valid, tr.Retry, tr.TargetPctlNS)
	}
	assertFindPeakRetries(t, rep.Trials)
	det := detailLog(t, rep)
	assert.Contains(t, det, "FindPeakPerformance: retrying 200.000000 once")
	assert.Contains(t, det, "FindPeakPerformance: trial 2 (retry) at 200.000000: VALID")
	assert.NotContains(t, det, "stepping down")
}

func TestFindPeakStepsDownFromANoisyStart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs about ten Server trials")
	}
	// The stall hits the starting QPS's trial and its re-run.
	sut := newStallingSUTSim(time.Millisecond, 400*time.Millisecond, 2)
	defer sut.Close()
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), findPeakQuick(), loadgen.WithoutHostDetection())
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rep.Trials), 4)
	assert.Equal(t, []float64{200, 200, 100}, []float64{rep.Trials[0].TargetQPS, rep.Trials[1].TargetQPS, rep.Trials[2].TargetQPS})
	assert.False(t, rep.Trials[0].Valid)
	assert.False(t, rep.Trials[1].Valid)
	assert.True(t, rep.Trials[1].Retry)
	assert.True(t, rep.Trials[2].Valid, "the halved QPS: %v", rep.Trials[2].Reasons)
	assert.False(t, rep.Trials[2].Retry)
	// The search widens again from the stepped-down bound, so a spell that
	// has passed costs no peak.
	assert.Equal(t, 200.0, rep.Trials[3].TargetQPS)
	assert.GreaterOrEqual(t, rep.PeakQPS, 200.0)
	assert.True(t, rep.Result.Valid, "%v", rep.Result.Reasons)
	for _, tr := range rep.Trials {
		t.Logf("%.0f valid=%v retry=%v p99=%d", tr.TargetQPS, tr.Valid, tr.Retry, tr.TargetPctlNS)
	}
	assertFindPeakRetries(t, rep.Trials)
	det := detailLog(t, rep)
	assert.Contains(t, det, "FindPeakPerformance: lower bound 200.000000 is INVALID twice, stepping down to 100.000000 (1 of at most 3")
}

func TestFindPeakTooSlowSUTStaysInvalid(t *testing.T) {
	// Every sample takes 150 ms against a 50 ms bound: no QPS is VALID.
	sut := &delaySUTSim{delay: 150 * time.Millisecond}
	s := findPeakQuick()
	s.MinDuration = 100 * time.Millisecond
	s.ServerTargetLatency = 50 * time.Millisecond
	s.EarlyStopping = true
	s.ServerTargetQPS = 400
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
	sut.wg.Wait()
	require.NoError(t, err)
	var qps []float64
	for i, tr := range rep.Trials {
		qps = append(qps, tr.TargetQPS)
		assert.False(t, tr.Valid)
		assert.Equal(t, i%2 == 1, tr.Retry, "trial %d", i)
	}
	assert.Equal(t, []float64{400, 400, 200, 200, 100, 100, 50, 50}, qps, "each QPS twice, three step-downs")
	assert.Zero(t, rep.PeakQPS)
	assert.False(t, rep.Result.Valid)
	require.NotEmpty(t, rep.Result.Reasons)
	assert.Equal(t, "FindPeakPerformance found no VALID target QPS: 400, 200, 100 and 50 QPS were each INVALID twice (3 step-downs, the most allowed); lower target_qps",
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

func TestFindPeakDoesNotRetryWhatNoiseCannotCause(t *testing.T) {
	// Too many outstanding queries ends the trial early: min duration is
	// not met, which neither a re-run nor a lower QPS cures.
	sut := &delaySUTSim{delay: 50 * time.Millisecond}
	s := findPeakQuick()
	s.ServerMaxAsyncQueries = 2
	s.ServerTargetQPS = 1000
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
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
	sut := &delaySUTSim{delay: 50 * time.Millisecond}
	s := findPeakQuick()
	s.ServerMaxAsyncQueries = 2
	s.ServerTargetQPS = 1000
	var evs []loadgen.TrialEvent
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection(),
		loadgen.WithTrialFunc(func(e loadgen.TrialEvent) { evs = append(evs, e) }),
		loadgen.WithNotes("command line: min_duration = 300 ms (--duration 300ms)"))
	sut.wg.Wait()
	require.NoError(t, err)
	require.Len(t, evs, len(rep.Trials), "one call per trial")
	assert.Equal(t, rep.Trials[0], evs[0].Trial)
	assert.Equal(t, 1000.0, evs[0].Upper)
	assert.Zero(t, evs[0].Lower)
	assert.Contains(t, detailLog(t, rep), `"value": "command line: min_duration = 300 ms (--duration 300ms)"`)
}
