package runner_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/sched"
)

// hookDevice wraps a real device (the built-in model on the CPU): before
// each of its batches, warm-up included, it calls hook with the device's
// batch count so far (1 for the first); an error from hook fails the batch
// as a broken device would.
type hookDevice struct {
	device.Device
	n    atomic.Int64
	hook func(n int64) error
}

func (d *hookDevice) Kind() string {
	if k, ok := d.Device.(interface{ Kind() string }); ok {
		return k.Kind()
	}
	return ""
}

func (d *hookDevice) Concurrency() int {
	if c, ok := d.Device.(device.Concurrent); ok {
		return c.Concurrency()
	}
	return 1
}

func (d *hookDevice) NewExecutor(stream, maxBatch int) (device.Executor, error) {
	e, err := d.Device.NewExecutor(stream, maxBatch)
	if err != nil {
		return nil, err
	}
	return &hookExec{Executor: e, d: d}, nil
}

type hookExec struct {
	device.Executor
	d *hookDevice
}

func (e *hookExec) Run(ctx context.Context, n int) (device.Timing, error) {
	if err := e.d.hook(e.d.n.Add(1)); err != nil {
		return device.Timing{}, err
	}
	return e.Executor.Run(ctx, n)
}

// wrapOne wraps the device at index i with hook.
func wrapOne(t *testing.T, i int, hook func(n int64) error) {
	t.Cleanup(runner.SetDeviceWrapper(func(devs []sched.Device) []sched.Device {
		out := append([]sched.Device(nil), devs...)
		out[i] = &hookDevice{Device: devs[i], hook: hook}
		return out
	}))
}

// warmBatches is how many batches a one-stream device runs in warm-up:
// two of each size 1, 2, 4 … 64.
const warmBatches = 2 * 7

var errBusFell = errors.New("test: the device fell off the bus")

// failAfter fails every batch after the first n.
func failAfter(n int64) func(int64) error {
	return func(k int64) error {
		if k > n {
			return errBusFell
		}
		return nil
	}
}

// faultRun runs the built-in model Offline on two one-core CPU devices, the
// second failing from its second batch of the timed run on, under policy.
func faultRun(t *testing.T, policy string) *loadgen.Report {
	t.Helper()
	wrapOne(t, 1, failAfter(warmBatches+1))
	p, err := runner.ParseDeviceErrorPolicy(policy)
	require.NoError(t, err)
	cfg := runner.Config{
		Devices: "cpu:2", NoProbe: true, TelemetryInterval: -1,
		UserConf: &loadgen.ConfigFile{Name: "user.conf", Data: []byte("*.Offline.target_qps = 30000\n*.*.min_duration = 200\n")},
	}
	cfg.Sched.OnFault = p
	cfg.Sched.Streams = 1
	rep, err := runner.Run(context.Background(), cfg)
	require.NoError(t, err)
	return rep
}

// samples reads result.json's sample counts: completed and never completed.
func samples(t *testing.T, rep *loadgen.Report) (done, missing int) {
	t.Helper()
	x := rep.Result.Extra
	return x["sample_count"].(int), x["missing_samples"].(int)
}

func writeLogs(t *testing.T, rep *loadgen.Report) (summary, detail string) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, rep.WriteLogs(dir))
	for _, f := range []string{loadgen.SummaryFile, loadgen.DetailFile, loadgen.AccuracyFile, loadgen.ResultFile} {
		require.FileExists(t, filepath.Join(dir, f))
	}
	s, err := os.ReadFile(filepath.Join(dir, loadgen.SummaryFile))
	require.NoError(t, err)
	d, err := os.ReadFile(filepath.Join(dir, loadgen.DetailFile))
	require.NoError(t, err)
	return string(s), string(d)
}

// Under continue, the lost device's failed batch re-runs on the other: every
// issued sample completes exactly once, and the run says which device left,
// when, and how many samples moved, and is not a clean VALID.
func TestDeviceLostUnderContinueEverySampleOnce(t *testing.T) {
	rep := faultRun(t, "continue")
	r := rep.Result
	issued := int(rep.Effective.SamplesPerQuery)
	done, missing := samples(t, rep)
	assert.Equal(t, issued, done, "every issued sample completed")
	assert.Zero(t, missing)

	st := r.Scheduler
	require.NotNil(t, st)
	var byDevices uint64
	for _, d := range st.Devices {
		byDevices += d.Samples
	}
	assert.Equal(t, uint64(issued), byDevices, "each sample ran on exactly one device")
	assert.Zero(t, st.CompletionErrors, "no sample completed twice")
	assert.Zero(t, st.FailedSamples)
	require.Len(t, st.Lost, 1)
	lost := st.Lost[0]
	assert.Equal(t, "cpu1", lost.ID)
	assert.Contains(t, lost.Error, errBusFell.Error())
	assert.Positive(t, lost.FailedSamples)
	assert.Equal(t, lost.FailedSamples, lost.RequeuedSamples, "its failed batch re-ran elsewhere")
	assert.Equal(t, lost.RequeuedSamples, st.RequeuedSamples)
	assert.Positive(t, lost.AtNS)
	assert.True(t, st.Devices[1].Lost)

	assert.False(t, r.Valid, "not a clean VALID on 2 devices")
	assert.Contains(t, strings.Join(r.Reasons, "\n"), "cpu1 lost during the run")
	sum, detail := writeLogs(t, rep)
	assert.Contains(t, sum, "Result is : INVALID")
	assert.Contains(t, sum, "cpu1 lost during the run")
	assert.Contains(t, sum, "warning")
	assert.Contains(t, detail, "device cpu1 lost")
	assert.Contains(t, detail, "re-ran on other devices")
}

// Under fail, the run ends on the device's error: every issued sample
// either completed once or is counted failed, never both, never lost
// silently, and the logs are written.
func TestDeviceLostUnderFailEverySampleOnce(t *testing.T) {
	rep := faultRun(t, "fail")
	r := rep.Result
	issued := int(rep.Effective.SamplesPerQuery)
	done, missing := samples(t, rep)
	assert.Equal(t, issued, done+missing)
	assert.Positive(t, missing, "the failed batch never completed")

	st := r.Scheduler
	require.NotNil(t, st)
	var byDevices uint64
	for _, d := range st.Devices {
		byDevices += d.Samples
	}
	assert.Equal(t, uint64(done), byDevices, "each completed sample ran on exactly one device")
	assert.Zero(t, st.CompletionErrors, "no sample completed twice")
	assert.Zero(t, st.RequeuedSamples)
	assert.Equal(t, uint64(missing), st.FailedSamples+st.Dropped, "the rest were failed or dropped")
	require.Len(t, st.Lost, 1)
	assert.Equal(t, "cpu1", st.Lost[0].ID)

	assert.False(t, r.Valid)
	assert.Contains(t, strings.Join(r.Reasons, "\n"), errBusFell.Error())
	sum, detail := writeLogs(t, rep)
	assert.Contains(t, sum, "Result is : INVALID")
	assert.Contains(t, detail, "device cpu1 lost")
}

func TestParseDeviceErrorPolicy(t *testing.T) {
	p, err := runner.ParseDeviceErrorPolicy("")
	require.NoError(t, err)
	assert.Equal(t, sched.FailRun, p)
	p, err = runner.ParseDeviceErrorPolicy("Continue")
	require.NoError(t, err)
	assert.Equal(t, sched.Continue, p)
	_, err = runner.ParseDeviceErrorPolicy(strings.Repeat("x", 10000))
	require.ErrorIs(t, err, runner.ErrConfig)
	assert.Less(t, len(err.Error()), 400, "a long value is quoted short")
}

// cancelAt returns a hook that cancels the run at the device's batch n,
// then lets the batch run.
func cancelAt(n int64, cancel context.CancelFunc) func(int64) error {
	return func(k int64) error {
		if k == n {
			cancel()
		}
		return nil
	}
}

// An interrupt at any stage ends in a report: INVALID, interrupted, with
// logs, never an error.
func TestInterruptAtEveryStageEndsInALoggedInvalidRun(t *testing.T) {
	for _, tc := range []struct {
		stage string
		at    int64 // the device's batch that cancels (0: before the run)
		want  string
	}{
		{"start-up", 0, "interrupted during start-up"},
		{"warm-up", 3, "interrupted during warm-up"},
		{"probe", warmBatches + 2, "interrupted during the Offline probe"},
	} {
		t.Run(tc.stage, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.at == 0 {
				cancel()
			} else {
				wrapOne(t, 0, cancelAt(tc.at, cancel))
			}
			cfg := runner.Config{Devices: "cpu:1", UserConf: short("60000"), TelemetryInterval: -1}
			cfg.Sched.Streams = 1
			start := time.Now()
			rep, err := runner.Run(ctx, cfg)
			require.NoError(t, err, "an interrupt is a result, not an error")
			t.Logf("ended in %v", time.Since(start))
			r := rep.Result
			assert.False(t, r.Valid)
			assert.True(t, r.Interrupted)
			require.NotEmpty(t, r.Reasons)
			assert.Contains(t, r.Reasons[0], tc.want)
			assert.Equal(t, runner.BuiltinModel, r.Model)
			sum, detail := writeLogs(t, rep)
			assert.Contains(t, sum, "Result is : INVALID")
			assert.Contains(t, sum, tc.want)
			assert.NotContains(t, sum, "Increase")
			assert.Contains(t, detail, tc.want)
		})
	}
}

// An interrupt during the timed run: the same, from the load generator.
func TestInterruptDuringTheRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wrapOne(t, 0, cancelAt(warmBatches+20, cancel))
	// One query of 200000 samples: the interrupt comes at its 20th batch.
	cfg := runner.Config{Devices: "cpu:1", NoProbe: true, TelemetryInterval: -1,
		UserConf: &loadgen.ConfigFile{Name: "user.conf", Data: []byte("*.Offline.target_qps = 100000\n*.*.min_duration = 2000\n")}}
	cfg.Sched.Streams = 1
	rep, err := runner.Run(ctx, cfg)
	require.NoError(t, err)
	r := rep.Result
	assert.False(t, r.Valid)
	assert.True(t, r.Interrupted)
	assert.Equal(t, loadgen.ReasonInterrupted, r.Reasons[0])
	done, _ := samples(t, rep)
	assert.Positive(t, done, "what ran before the interrupt is kept")
	sum, _ := writeLogs(t, rep)
	assert.NotContains(t, sum, "Increase expected QPS")
}

// More streams than a CPU device has cores is the user's config, said once
// before the run.
func TestTooManyStreamsIsAConfigError(t *testing.T) {
	cfg := runner.Config{Devices: "cpu:1", TelemetryInterval: -1}
	cfg.Sched.Streams = 100000
	_, err := runner.Run(context.Background(), cfg)
	require.ErrorIs(t, err, runner.ErrConfig)
	assert.Contains(t, err.Error(), "streams 100000")
	assert.Equal(t, 1, strings.Count(err.Error(), "streams 100000"), "said once: %v", err)
}
