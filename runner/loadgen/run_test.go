package loadgen_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func readFile(t *testing.T, path string) loadgen.ConfigFile {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return loadgen.ConfigFile{Name: path, Data: b}
}

// delaySUTSim is a test tool, not a measurement: it completes each query a
// fixed service time after it was issued, from its own goroutine, with the
// sample index as response bytes.
type delaySUTSim struct {
	delay time.Duration
	wg    sync.WaitGroup
	mu    sync.Mutex
	order []int
}

func (s *delaySUTSim) Name() string  { return "delaySUTSim" }
func (s *delaySUTSim) FlushQueries() {}
func (s *delaySUTSim) IssueQuery(samples []loadgen.QuerySample, c loadgen.Completer) {
	rs := make([]loadgen.Response, len(samples))
	s.mu.Lock()
	for i, q := range samples {
		rs[i] = loadgen.Response{ID: q.ID, Data: []byte{byte(q.Index >> 8), byte(q.Index)}}
		s.order = append(s.order, q.Index)
	}
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		time.Sleep(s.delay)
		if err := c.Complete(rs); err != nil {
			c.Fail(err)
		}
	}()
}

// capacitySUTSim is a test tool: one worker that serves queued samples at a
// fixed cost per sample, so it sustains about 1/cost samples/s.
type capacitySUTSim struct {
	cost  time.Duration
	mu    sync.Mutex
	queue []loadgen.Response
	c     loadgen.Completer
	kick  chan struct{}
	stop  chan struct{}
	done  chan struct{}
}

func newCapacitySUTSim(cost time.Duration) *capacitySUTSim {
	s := &capacitySUTSim{cost: cost, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go s.work()
	return s
}

func (s *capacitySUTSim) Name() string  { return "capacitySUTSim" }
func (s *capacitySUTSim) FlushQueries() {}
func (s *capacitySUTSim) Close()        { close(s.stop); <-s.done }
func (s *capacitySUTSim) IssueQuery(samples []loadgen.QuerySample, c loadgen.Completer) {
	s.mu.Lock()
	s.c = c
	for _, q := range samples {
		s.queue = append(s.queue, loadgen.Response{ID: q.ID})
	}
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *capacitySUTSim) work() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
		}
		for {
			s.mu.Lock()
			batch, c := s.queue, s.c
			s.queue = nil
			s.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			time.Sleep(time.Duration(len(batch)) * s.cost)
			_ = c.Complete(batch)
		}
	}
}

// silentSUTSim is a test tool that never completes samples whose index is
// odd, and completes the others at once.
type silentSUTSim struct{}

func (silentSUTSim) Name() string  { return "silentSUTSim" }
func (silentSUTSim) FlushQueries() {}
func (silentSUTSim) IssueQuery(samples []loadgen.QuerySample, c loadgen.Completer) {
	for _, q := range samples {
		if q.Index%2 == 0 {
			_ = c.Complete([]loadgen.Response{{ID: q.ID}})
		}
	}
}

func quick(sc loadgen.Scenario) loadgen.TestSettings {
	s := loadgen.DefaultSettings(sc)
	s.MinDuration = 150 * time.Millisecond
	s.MinQueryCount = 10
	s.PerformanceSampleCount = 64
	s.ServerTargetQPS = 5000
	// Generous: the shared test machines stall threads for tens of ms.
	s.ServerTargetLatency = time.Second
	s.OfflineExpectedQPS = 20000
	s.SingleStreamExpectedLatency = time.Millisecond
	s.MultiStreamExpectedLatency = time.Millisecond
	s.StallTimeout = 2 * time.Second
	return s
}

func TestScenariosWithFixedServiceTime(t *testing.T) {
	// On the virtual clock every query takes exactly delay: what the load
	// generator measures and decides is exact, however busy the machine.
	const delay = 500 * time.Microsecond
	for _, sc := range loadgen.Scenarios {
		t.Run(string(sc), func(t *testing.T) {
			c := clock.NewVirtual(0)
			defer c.Stop()
			var sut loadgen.SystemUnderTest
			d := &virtualDelaySUTSim{c: c, delay: delay}
			sut = d
			qsl := loadgen.NewNullQSL(500, 64)
			s := quick(sc)
			s.ServerTargetLatency = 2 * delay
			switch sc {
			case loadgen.SingleStream:
				s.MinQueryCount = 100 // early stopping at p90 needs 64
			case loadgen.MultiStream:
				s.MultiStreamSamplesPerQuery = 4
				s.MinQueryCount = 700 // early stopping at p99 needs 662
			case loadgen.Offline:
				// A fixed cost per sample, so the query outlasts min duration.
				c := newVirtualCapacitySUTSim(c, 50*time.Microsecond)
				defer c.Close()
				sut = c
			}
			rep, err := loadgen.Run(context.Background(), sut, qsl, s, loadgen.WithoutHostDetection(), loadgen.WithClock(c))
			d.wg.Wait()
			require.NoError(t, err)
			res := rep.Result
			assert.Equal(t, string(sc), res.Scenario)
			assert.True(t, res.Valid, "%v", res.Reasons)
			assert.Empty(t, res.Reasons)
			l := res.LatencyNS
			if sc != loadgen.Offline {
				// Every query takes exactly the service time.
				assert.Equal(t, int64(delay), l.Min)
				assert.Equal(t, int64(delay), l.Max)
			} else {
				// Samples complete in batches over the 150 ms minimum.
				assert.GreaterOrEqual(t, l.Max, int64(150*time.Millisecond))
			}
			assert.LessOrEqual(t, l.Min, l.P50)
			assert.LessOrEqual(t, l.P50, l.P90)
			assert.LessOrEqual(t, l.P90, l.P99)
			assert.LessOrEqual(t, l.P99, l.P999)
			assert.LessOrEqual(t, l.P999, l.Max)
			assert.Greater(t, res.Throughput.Value, 0.0)
			assert.Equal(t, 0, qsl.Loaded(), "every loaded sample is unloaded")
			assert.Equal(t, 1, qsl.Loads)
			switch sc {
			case loadgen.SingleStream:
				// One query at a time, back to back: 1/delay queries per second.
				assert.InDelta(t, float64(time.Second/delay), res.Throughput.Value, 1)
			case loadgen.Offline:
				assert.InDelta(t, 20000, res.Throughput.Value, 20, "one sample per 50 µs")
			}
			assert.Zero(t, c.Stalls(), "the clock accounted for every goroutine")
		})
	}
}

func TestServerTooSlowIsInvalidForLatency(t *testing.T) {
	sut := newCapacitySUTSim(time.Millisecond) // about 1000 samples/s
	defer sut.Close()
	s := quick(loadgen.Server)
	s.ServerTargetQPS = 3000
	s.ServerTargetLatency = 10 * time.Millisecond
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
	require.NoError(t, err)
	assert.False(t, rep.Result.Valid)
	require.NotEmpty(t, rep.Result.Reasons)
	assert.Contains(t, rep.Result.Reasons[0], "performance constraints not met")
	assert.Greater(t, rep.Result.LatencyNS.P99, int64(10*time.Millisecond))
}

func TestSingleStreamGoesOnPastExpectedLatency(t *testing.T) {
	// The expected latency is 10x too pessimistic: LoadGen would generate
	// 2 × 150 ms / 20 ms = 15 queries and run out of them before the
	// minimum duration. gotrt generates queries as it issues them, so the
	// run goes on until min duration and min query count are met: the
	// query issued at 150 ms is the 76th (queries of exactly 2 ms on the
	// virtual clock).
	c := clock.NewVirtual(0)
	defer c.Stop()
	sut := &virtualDelaySUTSim{c: c, delay: 2 * time.Millisecond}
	s := quick(loadgen.SingleStream)
	s.SingleStreamExpectedLatency = 20 * time.Millisecond
	s.MinQueryCount = 64 // early stopping at p90 needs 64
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection(), loadgen.WithClock(c))
	sut.wg.Wait()
	require.NoError(t, err)
	assert.True(t, rep.Result.Valid, "%v", rep.Result.Reasons)
	assert.Equal(t, 76, rep.Result.Extra["query_count"], "until 150 ms: more queries than LoadGen would have generated")
	var detail strings.Builder
	require.NoError(t, rep.WriteDetail(&detail))
	assert.NotContains(t, detail.String(), "Ran out of generated queries")
}

func TestStreamsStopAtMinDurationAndMinQueries(t *testing.T) {
	for _, sc := range []loadgen.Scenario{loadgen.SingleStream, loadgen.MultiStream} {
		t.Run(string(sc), func(t *testing.T) {
			s := quick(sc)
			s.MinDuration = time.Millisecond
			s.MinQueryCount = 100_000 // takes longer than min duration
			s.MultiStreamSamplesPerQuery = 8
			rep, err := loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
			require.NoError(t, err)
			assert.True(t, rep.Result.Valid, "%v", rep.Result.Reasons)
			assert.Equal(t, 100_000, rep.Result.Extra["query_count"], "issuing stops once both minimums are met")

			// A maximum ends it first.
			s.MaxQueryCount = 40_000
			rep, err = loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
			require.NoError(t, err)
			assert.Equal(t, 40_000, rep.Result.Extra["query_count"])
			assert.False(t, rep.Result.Valid)
			assert.Contains(t, strings.Join(rep.Result.Reasons, "\n"), "min queries not met")
		})
	}
}

func TestIssueUniqueRunsOutOfGeneratedQueries(t *testing.T) {
	// performance_issue_unique issues each loaded sample once, as LoadGen:
	// 64 queries of 2 ms (virtual clock) end at 128 ms, before the 150 ms
	// minimum duration.
	c := clock.NewVirtual(0)
	defer c.Stop()
	sut := &virtualDelaySUTSim{c: c, delay: 2 * time.Millisecond}
	s := quick(loadgen.SingleStream)
	s.PerformanceIssueUnique = true
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection(), loadgen.WithClock(c))
	sut.wg.Wait()
	require.NoError(t, err)
	assert.False(t, rep.Result.Valid)
	assert.Equal(t, 64, rep.Result.Extra["query_count"])
	assert.Contains(t, strings.Join(rep.Result.Reasons, "\n"), "min duration not met")
	var detail strings.Builder
	require.NoError(t, rep.WriteDetail(&detail))
	assert.Contains(t, detail.String(), "Ran out of generated queries")
}

func TestOfflineTooFewSamplesIsInvalidForDuration(t *testing.T) {
	s := quick(loadgen.Offline)
	s.OfflineExpectedQPS = 10 // the query is done long before min duration
	rep, err := loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
	require.NoError(t, err)
	assert.False(t, rep.Result.Valid)
	require.Len(t, rep.Result.Reasons, 1)
	assert.Contains(t, rep.Result.Reasons[0], "min duration not met")
}

func TestEarlyStoppingNeedsEnoughQueries(t *testing.T) {
	s := quick(loadgen.SingleStream)
	s.MinDuration = 0
	s.MinQueryCount = 20 // LoadGen needs 44+ for the 90th percentile
	s.MaxQueryCount = 20
	rep, err := loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
	require.NoError(t, err)
	assert.False(t, rep.Result.Valid)
	assert.Contains(t, strings.Join(rep.Result.Reasons, "\n"), "Need to process at least 64 queries")

	s.EarlyStopping = false
	rep, err = loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
	require.NoError(t, err)
	assert.True(t, rep.Result.Valid, "%v", rep.Result.Reasons)
}

// recordingSUT is a test tool that records the sample index sequence and
// completes at once.
type recordingSUT struct {
	loadgen.NullSUT
	idx []int
}

func (r *recordingSUT) IssueQuery(samples []loadgen.QuerySample, c loadgen.Completer) {
	for _, s := range samples {
		r.idx = append(r.idx, s.Index)
	}
	r.NullSUT.IssueQuery(samples, c)
}

func TestSeedsReproduceSampleSequence(t *testing.T) {
	run := func(sc loadgen.Scenario, sampleSeed, qslSeed uint64) []int {
		s := quick(sc)
		s.MinDuration = 0
		s.MinQueryCount = 300
		s.MaxQueryCount = 300
		s.SampleIndexRNGSeed = sampleSeed
		s.QSLRNGSeed = qslSeed
		s.ServerTargetQPS = 1e6
		sut := &recordingSUT{}
		_, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(1000, 64), s, loadgen.WithoutHostDetection())
		require.NoError(t, err)
		return sut.idx
	}
	for _, sc := range []loadgen.Scenario{loadgen.SingleStream, loadgen.Server, loadgen.MultiStream} {
		a := run(sc, 1, 2)
		require.NotEmpty(t, a)
		assert.Equal(t, a, run(sc, 1, 2), "%s: same seeds, same sequence", sc)
		assert.NotEqual(t, a, run(sc, 3, 2), "%s: another sample seed", sc)
		assert.NotEqual(t, a, run(sc, 1, 4), "%s: another QSL seed", sc)
	}
}

func TestSeedsReproduceServerSchedule(t *testing.T) {
	a := loadgen.ServerSchedule(7, 1000, 2000)
	assert.Equal(t, a, loadgen.ServerSchedule(7, 1000, 2000))
	assert.NotEqual(t, a, loadgen.ServerSchedule(8, 1000, 2000))
	require.Len(t, a, 2000)
	assert.Equal(t, time.Duration(0), a[0])
	// Poisson at 1000 QPS: 2000 arrivals take about 2 s.
	assert.InDelta(t, 2.0, a[len(a)-1].Seconds(), 0.25)
}

func TestAccuracyModeIssuesEverySampleOnce(t *testing.T) {
	for _, sc := range []loadgen.Scenario{loadgen.Offline, loadgen.SingleStream, loadgen.Server} {
		t.Run(string(sc), func(t *testing.T) {
			sut := &delaySUTSim{}
			qsl := loadgen.NewNullQSL(150, 64)
			s := quick(sc)
			s.Mode = loadgen.AccuracyOnly
			s.ServerTargetQPS = 20000
			rep, err := loadgen.Run(context.Background(), sut, qsl, s, loadgen.WithoutHostDetection())
			sut.wg.Wait()
			require.NoError(t, err)
			assert.True(t, rep.Result.Valid, "%v", rep.Result.Reasons)
			assert.Equal(t, 3, qsl.Loads, "150 samples in sets of 64")
			assert.Equal(t, 0, qsl.Loaded())

			dir := t.TempDir()
			require.NoError(t, rep.WriteLogs(dir))
			b, err := os.ReadFile(filepath.Join(dir, loadgen.AccuracyFile))
			require.NoError(t, err)
			var recs []struct {
				SeqID  uint64 `json:"seq_id"`
				QSLIdx int    `json:"qsl_idx"`
				Data   string `json:"data"`
			}
			require.NoError(t, json.Unmarshal(b, &recs))
			require.Len(t, recs, 150)
			seen := map[int]bool{}
			for _, r := range recs {
				assert.False(t, seen[r.QSLIdx], "sample %d twice", r.QSLIdx)
				seen[r.QSLIdx] = true
				assert.Equal(t, strings.ToUpper(r.Data), r.Data, "upper-case hex")
				d, err := hex.DecodeString(r.Data)
				require.NoError(t, err)
				assert.Equal(t, []byte{byte(r.QSLIdx >> 8), byte(r.QSLIdx)}, d)
			}
		})
	}
}

func TestSUTThatNeverCompletesEndsAtDeadline(t *testing.T) {
	s := quick(loadgen.Server)
	s.StallTimeout = 100 * time.Millisecond
	rep, err := loadgen.Run(context.Background(), silentSUTSim{}, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
	require.NoError(t, err)
	assert.False(t, rep.Result.Valid)
	all := strings.Join(rep.Result.Reasons, "\n")
	assert.Contains(t, all, "stall timeout")
	assert.Regexp(t, `\d+ of \d+ issued samples never completed`, all)
	assert.Positive(t, rep.Result.Extra["missing_samples"])
}

func TestSingleStreamSUTThatStopsEndsAtDeadline(t *testing.T) {
	s := quick(loadgen.SingleStream)
	s.StallTimeout = 100 * time.Millisecond
	rep, err := loadgen.Run(context.Background(), silentSUTSim{}, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
	require.NoError(t, err)
	assert.False(t, rep.Result.Valid)
	assert.Contains(t, strings.Join(rep.Result.Reasons, "\n"), "1 of ")
}

// badSUT is a test tool that completes each sample twice and an unknown id.
type badSUT struct {
	loadgen.NullSUT
	errs []error
}

func (b *badSUT) IssueQuery(samples []loadgen.QuerySample, c loadgen.Completer) {
	for _, s := range samples {
		rs := []loadgen.Response{{ID: s.ID}}
		b.errs = append(b.errs, c.Complete(rs), c.Complete(rs), c.Complete([]loadgen.Response{{ID: s.ID + 1<<40}}))
	}
}

func TestCompletingUnknownOrCompletedSampleIsAnError(t *testing.T) {
	s := quick(loadgen.SingleStream)
	s.MinDuration = 0
	s.MinQueryCount, s.MaxQueryCount = 50, 50
	sut := &badSUT{}
	rep, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
	require.NoError(t, err)
	require.Len(t, sut.errs, 150)
	for i := 0; i < len(sut.errs); i += 3 {
		assert.NoError(t, sut.errs[i])
		assert.ErrorIs(t, sut.errs[i+1], loadgen.ErrDuplicateCompletion)
		assert.ErrorIs(t, sut.errs[i+2], loadgen.ErrUnknownSample)
	}
	assert.False(t, rep.Result.Valid)
	assert.Contains(t, strings.Join(rep.Result.Reasons, "\n"), "100 completions of unknown or already completed samples")
}

func TestCancelEndsRunInvalidWithLogs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := quick(loadgen.Server)
	s.MinDuration = time.Hour
	s.ServerTargetQPS = 1000
	go func() {
		time.Sleep(100 * time.Millisecond)
		cancel()
	}()
	sut := &delaySUTSim{delay: time.Millisecond}
	rep, err := loadgen.Run(ctx, sut, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
	sut.wg.Wait()
	require.NoError(t, err)
	assert.False(t, rep.Result.Valid)
	// Interrupted alone: what the run did not reach is no advice to
	// raise the QPS (issue 12).
	require.NotEmpty(t, rep.Result.Reasons)
	assert.Equal(t, loadgen.ReasonInterrupted, rep.Result.Reasons[0])
	for _, r := range rep.Result.Reasons[1:] {
		assert.Contains(t, r, "never completed", "only what the interruption left undone")
	}
	assert.True(t, rep.Result.Interrupted)
	dir := t.TempDir()
	require.NoError(t, rep.WriteLogs(dir))
	sum, err := os.ReadFile(filepath.Join(dir, loadgen.SummaryFile))
	require.NoError(t, err)
	assert.Contains(t, string(sum), "Result is : INVALID")
	assert.Contains(t, string(sum), " * interrupted")
	assert.NotContains(t, string(sum), "Increase the target QPS")
}

func TestCompleteAfterRunEndedIsAnError(t *testing.T) {
	var saved loadgen.Completer
	var ids []loadgen.Response
	sut := &captureSUT{f: func(s []loadgen.QuerySample, c loadgen.Completer) {
		saved = c
		ids = append(ids, loadgen.Response{ID: s[0].ID})
		require.NoError(t, c.Complete(ids[len(ids)-1:]))
	}}
	s := quick(loadgen.SingleStream)
	s.MinDuration, s.MaxQueryCount = 0, 5
	_, err := loadgen.Run(context.Background(), sut, loadgen.NewNullQSL(10, 10), s, loadgen.WithoutHostDetection())
	require.NoError(t, err)
	assert.ErrorIs(t, saved.Complete(ids), loadgen.ErrRunEnded)
}

type captureSUT struct {
	f func([]loadgen.QuerySample, loadgen.Completer)
}

func (c *captureSUT) Name() string  { return "captureSUT" }
func (c *captureSUT) FlushQueries() {}
func (c *captureSUT) IssueQuery(s []loadgen.QuerySample, comp loadgen.Completer) {
	c.f(s, comp)
}

func TestLogsLayout(t *testing.T) {
	s := quick(loadgen.Server)
	rep, err := loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(100, 64), s, loadgen.WithModel("resnet50"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, rep.WriteLogs(dir))
	sum, err := os.ReadFile(filepath.Join(dir, loadgen.SummaryFile))
	require.NoError(t, err)
	for _, label := range []string{
		"MLPerf Results Summary", "SUT name : NullSUT", "Scenario : Server", "Mode     : PerformanceOnly",
		"Completed samples per second    : ", "Result is : VALID", "  Performance constraints satisfied : Yes",
		"  Min duration satisfied : Yes", "  Min queries satisfied : Yes", "  Early stopping satisfied: Yes",
		"Early Stopping Result:", "Additional Stats", "Scheduled samples per second : ",
		"99.90 percentile latency (ns)   : ", "Test Parameters Used", "target_latency (ns): 100000000",
		"No warnings encountered during test.", "No errors encountered during test.",
	} {
		assert.Contains(t, string(sum), label)
	}
	det, err := os.ReadFile(filepath.Join(dir, loadgen.DetailFile))
	require.NoError(t, err)
	keys := map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(string(det)), "\n") {
		require.True(t, strings.HasPrefix(line, ":::MLLOG "), line)
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, ":::MLLOG ")), &m), line)
		keys[m["key"].(string)] = m["value"]
	}
	assert.Equal(t, "VALID", keys["result_validity"])
	assert.Equal(t, "Server", keys["effective_scenario"])
	assert.Contains(t, keys, "result_99.00_percentile_latency_ns")
	assert.Contains(t, keys, "result_completed_samples_per_sec")
	var res map[string]any
	b, err := os.ReadFile(filepath.Join(dir, loadgen.ResultFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &res))
	for _, k := range []string{"schema_version", "scenario", "mode", "valid", "reasons", "throughput", "latency_ns", "settings", "devices", "host"} {
		assert.Contains(t, res, k)
	}
	assert.Equal(t, "resnet50", res["model"])
	assert.Equal(t, true, res["valid"])
}

func TestRunRejectsBadInput(t *testing.T) {
	s := quick(loadgen.Server)
	_, err := loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(0, 0), s)
	assert.ErrorIs(t, err, loadgen.ErrQSL)
	s.ServerTargetQPS = -1
	_, err = loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(10, 10), s)
	assert.ErrorIs(t, err, loadgen.ErrBadSettings)
	assert.Contains(t, err.Error(), "ServerTargetQPS")
}
