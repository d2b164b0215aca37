package sched_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/sched"
	"github.com/gotrt/gotrt/runner/simdev"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t testing.TB, devs []sched.Device, src sched.SampleSource, cfg sched.Config, c clock.Clock) *sched.Scheduler {
	t.Helper()
	s, err := sched.New(devs, src, cfg, sched.WithClock(c))
	require.NoError(t, err)
	require.NoError(t, s.Start(context.Background()))
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestOfflineCompletesEverySampleOnceInOneCallPerBatch(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	src := newSamples(100)
	s := start(t, simDevices(c, 2, simdev.T4ResNet50()), src, sched.Config{MaxBatch: 64}, c)
	rec := newRecorder(c, 1000)
	_, err := offline(s, c, rec, 1000, len(src))
	require.NoError(t, err)
	require.NoError(t, s.Close())

	st := s.Stats()
	assert.Zero(t, rec.dups)
	assert.Zero(t, rec.unknown)
	assert.Zero(t, rec.badData, "responses carry their own sample's output")
	assert.Len(t, rec.done, 1000)
	var batches, n uint64
	for _, d := range st.Devices {
		batches += d.Batches
		n += d.Samples
		assert.LessOrEqual(t, d.MeanBatch, 64.0)
	}
	assert.Equal(t, uint64(1000), n)
	assert.Equal(t, uint64(rec.calls), batches, "one Complete call per batch")
	assert.Equal(t, uint64(16), batches, "1000 samples cut into max-size batches: 15×64 + 40")
	assert.True(t, st.Simulated)
	assert.Zero(t, st.Dropped)
}

// issueAt issues one single-sample query per id at virtual time t, holding
// the clock while it issues, as the load generator does.
func issueAt(c *clock.Virtual, s *sched.Scheduler, rec *recorder, t time.Duration, ids ...uint64) {
	c.SleepUntil(t, nil)
	c.Hold()
	for _, id := range ids {
		q := []loadgen.QuerySample{{ID: id}}
		rec.issue(q, t)
		s.IssueQuery(q, rec)
	}
}

func TestIdleDeviceTakesASampleAtOnce(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.T4ResNet50()
	s := start(t, simDevices(c, 1, p), nil, sched.Config{MaxBatch: 8, BatchTimeout: time.Second, NoWarmup: true}, c)
	rec := newRecorder(c, 1)
	issueAt(c, s, rec, c.Now(), 1)
	c.SleepUntil(clock.Never, orDone(rec.all, rec.failed))
	assert.Equal(t, []time.Duration{p.BatchTime(1)}, rec.latencies(), "no wait for company at an idle device")
}

func TestBatchFormsWhileTheDeviceIsBusy(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.T4ResNet50()
	s := start(t, simDevices(c, 1, p), nil, sched.Config{MaxBatch: 8, BatchTimeout: time.Second, NoWarmup: true}, c)
	rec := newRecorder(c, 4)
	t0 := c.Now()
	issueAt(c, s, rec, t0, 1)
	issueAt(c, s, rec, t0+100*time.Microsecond, 2, 3, 4)
	c.SleepUntil(clock.Never, orDone(rec.all, rec.failed))
	assert.Equal(t, 2, rec.calls, "the three that came during the first batch run as one")
	want := p.BatchTime(1) - 100*time.Microsecond + p.BatchTime(3)
	assert.Equal(t, want, rec.latencies()[3])
}

// With more streams than the device runs batches at once, a stream stages a
// partial batch ahead once its oldest sample waited the batch timeout; with
// a long timeout the samples wait for the device to free and go together.
func TestStagedBatchLeavesAfterTheTimeout(t *testing.T) {
	for _, tc := range []struct {
		description string
		timeout     time.Duration
		calls       int
	}{
		{"short timeout: [8] [3] [1]", 200 * time.Microsecond, 3},
		{"long timeout: [8] [3+1]", time.Second, 2},
	} {
		t.Run(tc.description, func(t *testing.T) {
			c := clock.NewVirtual(0)
			defer c.Stop()
			s := start(t, simDevices(c, 1, simdev.T4ResNet50()), nil,
				sched.Config{MaxBatch: 8, Streams: 3, BatchTimeout: tc.timeout, NoWarmup: true}, c)
			rec := newRecorder(c, 12)
			t0 := c.Now()
			q := make([]loadgen.QuerySample, 8) // one query: batched at once
			for i := range q {
				q[i].ID = uint64(i + 1)
			}
			c.Hold()
			rec.issue(q, t0)
			s.IssueQuery(q, rec)
			issueAt(c, s, rec, t0+100*time.Microsecond, 9, 10, 11)
			issueAt(c, s, rec, t0+500*time.Microsecond, 12)
			c.SleepUntil(clock.Never, orDone(rec.all, rec.failed))
			assert.Equal(t, tc.calls, rec.calls)
		})
	}
}

// On a device running two batches at once, the adaptive policy lets the
// free lane wait for a batch worth running (here 52 samples: f = 1 ms,
// c = 20 µs), at most as long as such a batch runs, rather than take a
// single sample beside a busy lane.
func TestAdaptiveFreeLaneWaitsForAPayingBatch(t *testing.T) {
	p := simdev.Profile{Fixed: time.Millisecond, PerSample: 20 * time.Microsecond}
	cfg := sched.Config{MaxBatch: 64, Streams: 2, LatencyBound: 100 * time.Millisecond}
	t.Run("a paying batch goes at once", func(t *testing.T) {
		c := clock.NewVirtual(0)
		defer c.Stop()
		s := start(t, simDevices(c, 1, p, simdev.WithConcurrency(2)), nil, cfg, c)
		rec := newRecorder(c, 64+52)
		t0 := c.Now()
		issueQueryAt(c, s, rec, t0, ids(1, 64)...)
		issueAt(c, s, rec, t0+100*time.Microsecond, ids(65, 52)...)
		c.SleepUntil(clock.Never, orDone(rec.all, rec.failed))
		lat := rec.latencies()
		assert.Equal(t, p.BatchTime(52), lat[0], "the 52 ran at once on the free lane")
	})
	t.Run("a partial batch waits its share", func(t *testing.T) {
		c := clock.NewVirtual(0)
		defer c.Stop()
		s := start(t, simDevices(c, 1, p, simdev.WithConcurrency(2)), nil, cfg, c)
		rec := newRecorder(c, 64+3)
		t0 := c.Now()
		issueQueryAt(c, s, rec, t0, ids(1, 64)...)
		issueAt(c, s, rec, t0+100*time.Microsecond, 65, 66, 67)
		c.SleepUntil(clock.Never, orDone(rec.all, rec.failed))
		lat := rec.latencies()
		last := lat[len(lat)-1]
		assert.Equal(t, p.BatchTime(52)+p.BatchTime(3), last, "the 3 waited a paying batch's time, then ran")
		assert.Less(t, last, p.BatchTime(64)-100*time.Microsecond+p.BatchTime(3), "sooner than waiting for the busy lane")
	})
}

// issueQueryAt issues the ids as one query at virtual time t: a query of
// several samples is batched at once.
func issueQueryAt(c *clock.Virtual, s *sched.Scheduler, rec *recorder, t time.Duration, ids ...uint64) {
	c.SleepUntil(t, nil)
	c.Hold()
	q := make([]loadgen.QuerySample, len(ids))
	for i, id := range ids {
		q[i].ID = id
	}
	rec.issue(q, t)
	s.IssueQuery(q, rec)
}

// ids returns n consecutive ids from first.
func ids(first uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = first + uint64(i)
	}
	return out
}

func TestFullBatchFormsWithoutWaiting(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.T4ResNet50()
	// Two lanes, one busy with a first full batch: the other waits for a
	// full batch, not the 1 s timeout. (An idle device takes what waits at
	// once, so with one idle lane a descheduled test goroutine could see
	// its first sample go alone.)
	s := start(t, simDevices(c, 1, p, simdev.WithConcurrency(2)), nil,
		sched.Config{MaxBatch: 4, Streams: 2, BatchTimeout: time.Second, NoWarmup: true}, c)
	rec := newRecorder(c, 8)
	// The test drives the scheduler as the load generator does: it holds
	// the virtual clock while it issues, so all queries arrive at t0.
	c.Hold()
	t0 := c.Now()
	first := make([]loadgen.QuerySample, 4)
	for i := range first {
		first[i].ID = uint64(100 + i)
	}
	rec.issue(first, t0)
	s.IssueQuery(first, rec)
	for i := range 4 {
		q := []loadgen.QuerySample{{ID: uint64(i + 1)}}
		rec.issue(q, t0)
		s.IssueQuery(q, rec)
	}
	c.SleepUntil(clock.Never, orDone(rec.all, rec.failed))
	l := rec.latencies()
	require.Len(t, l, 8)
	assert.Equal(t, p.BatchTime(4), l[7], "both batches full at once")
}

func TestFlushQueriesSendsPartialBatch(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.T4ResNet50()
	// Two lanes: while one computes a full batch, the other waits up to the
	// batch timeout for a fuller one, unless the queries are flushed. (An
	// idle device takes what waits at once: with one lane, a test goroutine
	// descheduled between two issues saw the first sample go alone, under
	// .ci/busy-test.sh.)
	s := start(t, simDevices(c, 1, p, simdev.WithConcurrency(2)), nil,
		sched.Config{MaxBatch: 8, Streams: 2, BatchTimeout: time.Second, NoWarmup: true}, c)
	rec := newRecorder(c, 10)
	// The test drives the scheduler as the load generator does: it holds
	// the virtual clock while it issues, so all queries arrive at t0 and
	// the full batch cannot finish meanwhile.
	c.Hold()
	t0 := c.Now()
	full := make([]loadgen.QuerySample, 8)
	for i := range full {
		full[i].ID = uint64(100 + i)
	}
	rec.issue(full, t0)
	s.IssueQuery(full, rec)
	for i := range 2 {
		q := []loadgen.QuerySample{{ID: uint64(i + 1)}}
		rec.issue(q, t0)
		s.IssueQuery(q, rec)
	}
	s.FlushQueries()
	c.SleepUntil(clock.Never, orDone(rec.all, rec.failed))
	l := rec.latencies()
	require.Len(t, l, 10)
	// Sorted: the two flushed samples went together at once beside the
	// busy lane (unflushed, they would have waited the 1 s timeout).
	assert.Equal(t, []time.Duration{p.BatchTime(2), p.BatchTime(2)}, l[:2])
	assert.Equal(t, p.BatchTime(8), l[9])
}

func TestFasterDeviceTakesMoreBatches(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.T4ResNet50()
	devs := []sched.Device{simdev.New("fast", p, c), simdev.New("slow", p.Scaled(2), c)}
	s := start(t, devs, nil, sched.Config{}, c)
	rec := newRecorder(c, 50000)
	_, err := offline(s, c, rec, 50000, 1)
	require.NoError(t, err)
	st := s.Stats()
	require.Len(t, st.Devices, 2)
	share := float64(st.Devices[0].Samples) / 50000
	assert.InDelta(t, 2.0/3, share, 0.03, "the twice-faster device does about twice the work")
	assert.Greater(t, st.Devices[0].Utilisation, 0.95)
	assert.Greater(t, st.Devices[1].Utilisation, 0.9)
}

// The built-in CPU device computes one batch per core at once.
var _ sched.Concurrent = (*builtin.Device)(nil)

func TestUtilisationCountsBatchesADeviceRunsAtOnce(t *testing.T) {
	p := simdev.T4ResNet50()
	for _, tc := range []struct {
		description string
		conc        int // batches the device runs at once
		streams     int
		wantConc    int // as reported: min(conc, streams)
	}{
		{"one at a time, as a gpu", 1, 2, 1},
		{"one per stream, as a cpu", 2, 2, 2},
		{"more streams than it runs at once", 2, 4, 2},
		{"fewer streams than it could run", 4, 2, 2},
	} {
		t.Run(tc.description, func(t *testing.T) {
			c := clock.NewVirtual(0)
			defer c.Stop()
			d := simdev.New("dev0", p, c, simdev.WithConcurrency(tc.conc))
			s := start(t, []sched.Device{d}, nil, sched.Config{Streams: tc.streams}, c)
			rec := newRecorder(c, 20000)
			_, err := offline(s, c, rec, 20000, 1)
			require.NoError(t, err)
			require.NoError(t, s.Close())
			got := s.Stats().Devices[0]
			assert.Equal(t, tc.wantConc, got.Concurrency)
			assert.Greater(t, got.Utilisation, 0.9)
			assert.LessOrEqual(t, got.Utilisation, 1.0, "busy time over span × concurrency")
		})
	}
}

func TestWarmupRunsEverySizeOnEveryStreamAndIsReportedApart(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	s := start(t, simDevices(c, 2, simdev.T4ResNet50()), nil, sched.Config{MaxBatch: 16, Streams: 2, WarmupBatches: 3}, c)
	st := s.Stats()
	assert.Equal(t, []int{1, 2, 4, 8, 16}, st.Warmup.Sizes)
	assert.Equal(t, uint64(2*2*3*5), st.Warmup.Batches)
	assert.Equal(t, uint64(2*2*3*31), st.Warmup.Samples)
	assert.Positive(t, st.Warmup.DurationNS)
	for _, d := range st.Devices {
		assert.Zero(t, d.Batches, "warm-up is not part of the run")
	}
}

func TestWarmupOfEveryDeviceStartsAtOnce(t *testing.T) {
	// Eight devices warm up in parallel from time 0: the warm-up lasts one
	// device's warm-up, however late the Go scheduler starts a worker.
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.T4ResNet50()
	s := start(t, simDevices(c, 8, p), nil, sched.Config{MaxBatch: 4, WarmupBatches: 1}, c)
	st := s.Stats()
	want := p.BatchTime(1) + p.BatchTime(2) + p.BatchTime(4)
	assert.Equal(t, want, time.Duration(st.Warmup.DurationNS))
	assert.Zero(t, c.Stalls())
}

func TestPerDeviceOverrides(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	devs := simDevices(c, 2, simdev.T4ResNet50())
	cfg := sched.Config{MaxBatch: 32, PerDevice: map[string]sched.DeviceConfig{"sim1": {MaxBatch: 8, Streams: 2}}}
	s := start(t, devs, nil, cfg, c)
	rec := newRecorder(c, 1000)
	_, err := offline(s, c, rec, 1000, 1)
	require.NoError(t, err)
	st := s.Stats()
	assert.Equal(t, 32, st.Devices[0].MaxBatch)
	assert.Equal(t, 8, st.Devices[1].MaxBatch)
	assert.Equal(t, 2, st.Devices[1].Streams)
	assert.InDelta(t, 8, st.Devices[1].MeanBatch, 0.5)
}

func TestDeviceSelection(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	s := start(t, simDevices(c, 3, simdev.T4ResNet50()), nil, sched.Config{Devices: []string{"sim2", "sim0"}, NoWarmup: true}, c)
	st := s.Stats()
	require.Len(t, st.Devices, 2)
	assert.Equal(t, "sim2", st.Devices[0].ID)
	assert.Equal(t, "sim0", st.Devices[1].ID)
}

func TestNewRejectsBadConfig(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	devs := simDevices(c, 2, simdev.T4ResNet50())
	for _, tc := range []struct {
		description string
		devs        []sched.Device
		cfg         sched.Config
		want        error
	}{
		{"negative max batch", devs, sched.Config{MaxBatch: -1}, sched.ErrConfig},
		{"negative streams", devs, sched.Config{Streams: -2}, sched.ErrConfig},
		{"negative timeout", devs, sched.Config{BatchTimeout: -time.Millisecond}, sched.ErrConfig},
		{"latency target above one", devs, sched.Config{LatencyTarget: 1.5}, sched.ErrConfig},
		{"unknown device", devs, sched.Config{Devices: []string{"gpu9"}}, sched.ErrConfig},
		{"device twice", devs, sched.Config{Devices: []string{"sim0", "sim0"}}, sched.ErrConfig},
		{"override for unknown device", devs, sched.Config{PerDevice: map[string]sched.DeviceConfig{"x": {}}}, sched.ErrConfig},
		{"negative override", devs, sched.Config{PerDevice: map[string]sched.DeviceConfig{"sim0": {Streams: -1}}}, sched.ErrConfig},
		{"unknown fault policy", devs, sched.Config{OnFault: 7}, sched.ErrConfig},
		{"duplicate ids", []sched.Device{devs[0], devs[0]}, sched.Config{}, sched.ErrConfig},
		{"nil device", []sched.Device{nil}, sched.Config{}, sched.ErrConfig},
		{"no devices", nil, sched.Config{}, sched.ErrNoDevices},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, err := sched.New(tc.devs, nil, tc.cfg)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestQueryBeforeStartOrAfterCloseIsFailed(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	s, err := sched.New(simDevices(c, 1, simdev.T4ResNet50()), nil, sched.Config{}, sched.WithClock(c))
	require.NoError(t, err)
	rec := newRecorder(c, 1)
	s.IssueQuery([]loadgen.QuerySample{{ID: 1}}, rec)
	assert.ErrorIs(t, rec.failErr, sched.ErrNotStarted)

	require.NoError(t, s.Start(context.Background()))
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "a second Close is harmless")
	rec = newRecorder(c, 1)
	s.IssueQuery([]loadgen.QuerySample{{ID: 1}}, rec)
	assert.ErrorIs(t, rec.failErr, sched.ErrClosed)
	assert.Error(t, s.Start(context.Background()), "a scheduler is not reused")
}

func TestStartFailsWhenAnExecutorCannotOpen(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	s, err := sched.New([]sched.Device{badDevice{}}, nil, sched.Config{}, sched.WithClock(c))
	require.NoError(t, err)
	err = s.Start(context.Background())
	assert.ErrorIs(t, err, errOpen)
	assert.ErrorContains(t, err, "bad0")
}

var errOpen = errors.New("cannot open")

type badDevice struct{}

func (badDevice) ID() string { return "bad0" }
func (badDevice) NewExecutor(int, int) (sched.Executor, error) {
	return nil, errOpen
}

func TestExecutorErrorEndsRunAtTheFault(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.Profile{Fixed: 200 * time.Microsecond, PerSample: 10 * time.Microsecond}
	devs := []sched.Device{
		simdev.New("sim0", p, c),
		simdev.New("sim1", p, c, simdev.WithFault(simdev.FailAfter(5))),
	}
	s := start(t, devs, nil, sched.Config{MaxBatch: 16, Streams: 2, NoWarmup: true}, c)
	rec := newRecorder(c, 100000)
	q := make([]loadgen.QuerySample, 100000)
	for i := range q {
		q[i] = loadgen.QuerySample{ID: uint64(i + 1)}
	}
	rec.issue(q, 0)
	s.IssueQuery(q, rec)
	c.SleepUntil(clock.Never, rec.failed)
	err := s.Close()
	// sim1 fails as its sixth batch starts, after five batch times at
	// most (it runs one batch at a time); the 100,000 samples would take
	// some 3,000 batch times.
	assert.LessOrEqual(t, c.Now(), 6*p.BatchTime(16), "the run ends at the fault")
	require.ErrorIs(t, rec.failErr, simdev.ErrInjected)
	assert.ErrorIs(t, rec.failErr, sched.ErrDevice)
	assert.ErrorContains(t, rec.failErr, "sim1")
	assert.ErrorIs(t, err, simdev.ErrInjected, "Close returns the error that ended the run")
	st := s.Stats()
	assert.Zero(t, rec.dups)
	// Every sample is accounted for exactly once.
	assert.Equal(t, uint64(100000), uint64(len(rec.done))+st.FailedSamples+st.Dropped)
	inflight, computing := s.InFlight()
	assert.Equal(t, []int{0, 0}, inflight, "every batch counted done once, the failed one included")
	assert.Zero(t, computing)
}

func TestContinuePolicyFinishesOnTheOtherDevices(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.T4ResNet50()
	devs := []sched.Device{
		simdev.New("sim0", p, c),
		simdev.New("sim1", p, c, simdev.WithFault(simdev.FailAfter(3))),
		simdev.New("sim2", p, c),
	}
	s := start(t, devs, newSamples(10), sched.Config{MaxBatch: 32, Streams: 2, OnFault: sched.Continue, NoWarmup: true}, c)
	rec := newRecorder(c, 5000)
	_, err := offline(s, c, rec, 5000, 10)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	st := s.Stats()
	assert.Len(t, rec.done, 5000, "every sample completed")
	assert.Zero(t, rec.dups, "none twice")
	assert.Zero(t, rec.badData)
	require.Len(t, st.Lost, 1)
	assert.Equal(t, "sim1", st.Lost[0].ID)
	assert.Contains(t, st.Lost[0].Error, "injected fault")
	assert.Equal(t, uint64(32), st.Lost[0].FailedSamples, "its one failed batch")
	assert.Equal(t, uint64(32), st.RequeuedSamples)
	assert.True(t, st.Devices[1].Lost)
	assert.Zero(t, st.FailedSamples)
	inflight, computing := s.InFlight()
	assert.Equal(t, []int{0, 0, 0}, inflight, "every batch counted done once, the failed one included")
	assert.Zero(t, computing)
	assert.Equal(t, 2, s.Lanes(), "the lost device's lane no longer counts")
}

func TestContinuePolicyFailsWhenNoDeviceIsLeft(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	devs := simDevices(c, 2, simdev.T4ResNet50(), simdev.WithFault(simdev.FailAfter(2)))
	s := start(t, devs, nil, sched.Config{MaxBatch: 32, OnFault: sched.Continue, NoWarmup: true}, c)
	rec := newRecorder(c, 5000)
	_, err := offline(s, c, rec, 5000, 1)
	require.ErrorIs(t, err, sched.ErrNoDevices)
	assert.ErrorIs(t, err, simdev.ErrInjected)
	assert.Error(t, s.Close())
	st := s.Stats()
	assert.Len(t, st.Lost, 2)
	assert.Equal(t, uint64(5000), uint64(len(rec.done))+st.FailedSamples)
}

func TestCancelledContextFailsWaitingQueries(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	s, err := sched.New(simDevices(c, 1, simdev.T4ResNet50()), nil, sched.Config{BatchTimeout: time.Hour, NoWarmup: true}, sched.WithClock(c))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, s.Start(ctx))
	defer s.Close()
	rec := newRecorder(c, 1)
	s.IssueQuery([]loadgen.QuerySample{{ID: 1}}, rec)
	cancel()
	select {
	case <-rec.failed:
	case <-time.After(5 * time.Second):
		t.Fatal("queries not failed")
	}
	assert.ErrorIs(t, rec.failErr, context.Canceled)
}
