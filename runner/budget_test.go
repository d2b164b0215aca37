package runner_test

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// failingNVML fails the test if device discovery starts: a run refused for
// its memory budget is refused before any device opens.
type failingNVML struct {
	nvml.Interface
	t *testing.T
}

func (f failingNVML) Init() nvml.Return {
	f.t.Error("device discovery started for settings over the memory budget")
	return nvml.ERROR_LIBRARY_NOT_FOUND
}

// Settings over the budget are refused by runner.Run before any device, data
// set or QSL opens, with the figure, for every kind of SUT (issue 19).
func TestRunRefusesSettingsOverTheMemoryBudget(t *testing.T) {
	for _, tc := range []struct {
		description string
		cfg         runner.Config
		want        string
	}{
		{"devices, server at 1e12 QPS", runner.Config{Scenario: loadgen.Server, Overrides: runner.Overrides{TargetQPS: 1e12, MinDuration: time.Second}}, "target_qps 1e+12"},
		{"null SUT, server for 1000000h", runner.Config{SUT: "null", Scenario: loadgen.Server, Overrides: runner.Overrides{MinDuration: 1000000 * time.Hour}}, "min_duration 1000000h0m0s"},
		{"devices, multistream of 1e11 samples a query", runner.Config{Scenario: loadgen.MultiStream, Overrides: runner.Overrides{SamplesPerQuery: 1e11}}, "samples_per_query 100000000000"},
		{"remote, offline of 1e10 samples", runner.Config{SUT: "kserve://127.0.0.1:1", Overrides: runner.Overrides{MinQueryCount: 1e10}}, "Offline query of 10000000000 samples"},
		{"resnet50: a performance set of all 50000 images (7.5 GB of inputs) in 1 GiB", runner.Config{Model: "resnet50", Engine: "x.plan", Data: "d", MemoryBudget: 1 << 30,
			UserConf: &loadgen.ConfigFile{Name: "user.conf", Data: []byte("*.*.performance_sample_count_override = 50000\n")}}, "needs"},
		{"a budget of 64 MiB", runner.Config{SUT: "null", Scenario: loadgen.Server, MemoryBudget: 64 << 20, Overrides: runner.Overrides{TargetQPS: 1e7, MinDuration: 10 * time.Second}}, "more than the budget of 64 MiB"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			cfg := tc.cfg
			cfg.NVML = failingNVML{t: t}
			_, err := runner.Run(context.Background(), cfg)
			require.ErrorIs(t, err, loadgen.ErrMemoryBudget)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// A plan that is not a regular file (a named pipe blocks TensorRT's
// loader) is a config error before anything opens (issue 19).
func TestRunRefusesAPlanThatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "resnet50.plan")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	for _, plan := range []string{fifo, dir} {
		_, err := runner.Run(context.Background(), runner.Config{Model: "resnet50", Engine: plan, Data: dir, NVML: &mock.Interface{InitFunc: func() nvml.Return { return nvml.ERROR_LIBRARY_NOT_FOUND }}})
		require.ErrorIs(t, err, runner.ErrConfig)
		require.ErrorIs(t, err, bounded.ErrNotRegular)
		assert.Contains(t, err.Error(), plan+": not a regular file")
	}
}
