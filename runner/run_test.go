package runner_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/result"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// short keeps the built-in runs of these tests to about a second.
func short(ms string) *loadgen.ConfigFile {
	return &loadgen.ConfigFile{Name: "user.conf", Data: []byte("*.*.min_duration = " + ms + "\n")}
}

// The probe sizes the Offline query: twice its measured rate (or the
// configured QPS if higher) for the minimum duration. Whether that query
// then outlasts the minimum duration depends on the machine staying as fast
// as the probe saw it, which a busy spell breaks (the probe can read under
// half the timed rate); so the test asserts the sizing, and that a run that
// ends INVALID does so for the minimum duration alone.
func TestRunBuiltinOfflineProbeSizesTheQuery(t *testing.T) {
	rep, err := runner.Run(context.Background(), runner.Config{UserConf: short("500"), TelemetryInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	r := rep.Result
	if !r.Valid {
		require.Len(t, r.Reasons, 1, "reasons: %v", r.Reasons)
		assert.Contains(t, r.Reasons[0], "min duration not met")
	}
	assert.Equal(t, "Offline", r.Scenario)
	assert.Equal(t, runner.BuiltinModel, r.Model)
	assert.Greater(t, r.Throughput.Value, 100.0)
	require.Len(t, r.Devices, 1)
	assert.Equal(t, "cpu", r.Devices[0].Kind)
	require.NotNil(t, r.Scheduler)
	require.NotNil(t, r.Telemetry, "the host is sampled even without a GPU")
	require.Contains(t, r.Extra, "offline_probe_samples_per_second")
	probed, ok := r.Extra["offline_probe_samples_per_second"].(float64)
	require.True(t, ok, "%T", r.Extra["offline_probe_samples_per_second"])
	require.Positive(t, probed)
	// The probe sized the query: 1.1 × 0.5 s × the expected QPS, at least
	// twice the probe's rate.
	assert.GreaterOrEqual(t, rep.Effective.TargetQPS, 2*probed*0.999)
	assert.InDelta(t, 1.1*0.5*rep.Effective.TargetQPS, float64(rep.Effective.SamplesPerQuery), 0.01*float64(rep.Effective.SamplesPerQuery)+1)
	assert.GreaterOrEqual(t, rep.Effective.SamplesPerQuery, uint64(1024))
}

func TestRunBuiltinAccuracyPasses(t *testing.T) {
	rep, err := runner.Run(context.Background(), runner.Config{Mode: loadgen.AccuracyOnly, TelemetryInterval: -1})
	require.NoError(t, err)
	acc := rep.Result.Accuracy
	require.NotNil(t, acc)
	assert.True(t, acc.Passed(), "%+v", *acc)
	assert.Greater(t, acc.Value, 0.95)
	m, err := builtin.Default()
	require.NoError(t, err)
	assert.InDelta(t, 0.99*m.FP32Top1(), acc.Target, 1e-9, "the target is 99 %% of the FP32 model's top-1")
}

func TestRunBuiltinFP32OnTwoDevices(t *testing.T) {
	rep, err := runner.Run(context.Background(), runner.Config{
		UserConf: short("300"), Devices: "cpu:2", Precision: "fp32", TelemetryInterval: -1,
	})
	require.NoError(t, err)
	require.Len(t, rep.Result.Devices, 2)
	assert.NotEqual(t, rep.Result.Devices[0].ID, rep.Result.Devices[1].ID)
}

func TestRunNullSUT(t *testing.T) {
	rep, err := runner.Run(context.Background(), runner.Config{SUT: "null", UserConf: short("100")})
	require.NoError(t, err)
	assert.Positive(t, rep.Result.Throughput.Value) // speed is the benchmarks' (BenchmarkNullServerFindPeak)
}

// noNVML is a machine without the NVML library, whatever this one has.
var noNVML = &mock.Interface{InitFunc: func() nvml.Return { return nvml.ERROR_LIBRARY_NOT_FOUND }}

func TestRunBadConfig(t *testing.T) {
	for _, tc := range []struct {
		description string
		cfg         runner.Config
		want        string
	}{
		{"unknown sut", runner.Config{SUT: "remote"}, `sut "remote"`},
		{"catalogue model without an engine", runner.Config{Model: "resnet50"}, "needs --engine"},
		{"catalogue model without data", runner.Config{Model: "resnet50", Engine: "r.plan"}, "needs --data"},
		{"unknown model", runner.Config{Model: "resnet51"}, "resnet51"},
		{"scenario the benchmark lacks", runner.Config{Model: "3d-unet-99", Scenario: loadgen.Server}, "no Server scenario"},
		{"GPU indices without a GPU", runner.Config{Devices: "0,1", NVML: noNVML}, `devices "0,1": no GPU on this machine`},
		{"zero cpu split", runner.Config{Devices: "cpu:0"}, `devices "cpu:0"`},
		{"a count is not a device name", runner.Config{Devices: "4096", NVML: noNVML}, "`gotrt scale --counts N` runs on N devices"},
		{"too many one-core devices", runner.Config{Count: 4096, NVML: noNVML}, "4096 devices asked for"},
		{"bad precision", runner.Config{Precision: "int4"}, "precision"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, err := runner.Run(context.Background(), tc.cfg)
			require.Error(t, err)
			assert.ErrorIs(t, err, runner.ErrConfig)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestRunCancelledEndsInvalidQuickly(t *testing.T) {
	// Whenever the cancel lands (start-up, warm-up, the probe or the timed
	// run: it depends on the machine's speed), the run ends at it,
	// INVALID and interrupted, instead of running its 60 s. How fast it
	// ends is not asserted (a busy machine is slow); that it ended because
	// of the cancel is, and a hang would trip the test timeout.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	rep, err := runner.Run(ctx, runner.Config{UserConf: short("60000"), TelemetryInterval: -1})
	require.NoError(t, err)
	r := rep.Result
	assert.False(t, r.Valid)
	assert.True(t, r.Interrupted, "%v", r.Reasons)
	require.NotEmpty(t, r.Reasons)
	assert.True(t, strings.HasPrefix(r.Reasons[0], loadgen.ReasonInterrupted), "%v", r.Reasons)
}

func TestRunReportsProgress(t *testing.T) {
	var calls, samples uint64
	_, err := runner.Run(context.Background(), runner.Config{
		UserConf: short("600"), TelemetryInterval: -1, ProgressInterval: 50 * time.Millisecond,
		Progress: func(_ time.Duration, s result.Scheduler) {
			calls++
			for _, d := range s.Devices {
				samples = max(samples, d.Samples)
			}
		},
	})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, calls, uint64(3))
	assert.Positive(t, samples, "progress saw samples done")
}
