package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/dgxh100"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/gpus"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// These tests run `gotrt run` and `gotrt scale` against go-nvml's mock: a
// machine with GPUs that this process cannot run the built-in model on (no
// cuda tag, or no usable CUDA device), and one without NVML at all.

// mockGPUHost is a DGX H100 mock with n GPUs that answers the telemetry
// sampler too; its GPUs draw 70 W and count 0.07 J per energy read.
func mockGPUHost(n int) nvml.Interface {
	s := dgxh100.NewWithGPUs(gpus.Multiple(n, gpus.H100_SXM5_80GB)...)
	for i, d := range s.Devices {
		sd := d.(*server.Device)
		sd.UUID = fmt.Sprintf("GPU-%08d-aaaa-bbbb-cccc-dddddddddddd", i)
		sd.GetVirtualizationModeFunc = func() (nvml.GpuVirtualizationMode, nvml.Return) {
			return nvml.GPU_VIRTUALIZATION_MODE_PASSTHROUGH, nvml.SUCCESS
		}
		sd.GetGridLicensableFeaturesFunc = func() (nvml.GridLicensableFeatures, nvml.Return) {
			return nvml.GridLicensableFeatures{}, nvml.ERROR_NOT_SUPPORTED
		}
		sd.GetUtilizationRatesFunc = func() (nvml.Utilization, nvml.Return) { return nvml.Utilization{}, nvml.SUCCESS }
		sd.GetPowerUsageFunc = func() (uint32, nvml.Return) { return 70_000, nvml.SUCCESS }
		var mj uint64
		sd.GetTotalEnergyConsumptionFunc = func() (uint64, nvml.Return) { mj += 70; return mj, nvml.SUCCESS }
		sd.GetClockInfoFunc = func(nvml.ClockType) (uint32, nvml.Return) { return 345, nvml.SUCCESS }
		sd.GetCurrentClocksEventReasonsFunc = func() (uint64, nvml.Return) { return nvml.ClocksEventReasonGpuIdle, nvml.SUCCESS }
	}
	return s
}

func noNVMLHost() nvml.Interface {
	return &mock.Interface{InitFunc: func() nvml.Return { return nvml.ERROR_LIBRARY_NOT_FOUND }}
}

// onHost is runner.Run on the given NVML, seeing every GPU.
func onHost(lib func() nvml.Interface) func(context.Context, runner.Config) (*loadgen.Report, error) {
	return func(ctx context.Context, cfg runner.Config) (*loadgen.Report, error) {
		cfg.NVML = lib()
		return runner.Run(ctx, cfg)
	}
}

func TestRunOnAGPUHostItCannotUse(t *testing.T) {
	if runner.GPUUsable() == nil {
		t.Skip("this process can use a GPU: the mock's GPUs would be opened for real")
	}
	t.Setenv(cuda.VisibleDevicesEnv, "0,1")
	out := t.TempDir()
	stdout, stderr, err := execCmd(t, newRunCmd(onHost(func() nvml.Interface { return mockGPUHost(2) })),
		"run", "--out", out, "--progress", "off", "--user-conf", userConf(t, "*.Offline.min_duration = 200\n"))
	if err != nil {
		require.Equal(t, exitInvalid, exitCode(err), "only INVALID may end a short run: %v", err)
	}
	// One line on stderr says why the CPU runs the model.
	want := "this gotrt was built without -tags cuda: running the built-in model on the CPU, not on the 2 GPU(s)"
	if cuda.Built {
		want = "no GPU usable ("
	}
	assert.Contains(t, stderr, want)
	assert.Equal(t, 1, strings.Count(stderr, "running the built-in model on the CPU"), stderr)
	assert.Contains(t, stdout, "Model: builtin-cnn int8 on the CPU")
	assert.Regexp(t, `\n  cpu0 +cpu  \d+ streams`, stdout)

	r := readResult(t, out)
	require.Len(t, r.Devices, 1)
	assert.Equal(t, "cpu", r.Devices[0].Kind)
	require.NotNil(t, r.Telemetry)
	require.Len(t, r.Telemetry.Devices, 2, "the idle GPUs are sampled")
	for _, d := range r.Telemetry.Devices {
		assert.False(t, d.Ran, d.ID)
		assert.Positive(t, d.EnergyJ, d.ID)
	}
	assert.Zero(t, r.Telemetry.SamplesPerJoule, "an idle GPU's energy never divides the CPU's samples")
	b, err := os.ReadFile(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"samples_per_joule"`)
	assert.Contains(t, string(b), `"ran": false`)
}

func TestRunDevicesUsageErrors(t *testing.T) {
	gpuHost := func() nvml.Interface { return mockGPUHost(2) }
	noGPU := "no GPU usable"
	if !cuda.Built {
		noGPU = "no GPU usable: the built-in model on a GPU: not supported (this gotrt was built without -tags cuda)"
	}
	for _, tc := range []struct {
		description string
		lib         func() nvml.Interface
		devices     string
		want        string
	}{
		{"a count is not a device", noNVMLHost, "1", "`gotrt scale --counts N` runs on N devices"},
		{"GPU indices on a host without a GPU", noNVMLHost, "0,1", `devices "0,1": no GPU on this machine (no NVML library`},
		{"a GPU this build cannot use", gpuHost, "1", noGPU},
		{"an index past the GPUs", gpuHost, "2", "2: no GPU with that index"},
		{"not a device name", gpuHost, "gpu0", `"gpu0" is not a GPU index`},
	} {
		t.Run(tc.description, func(t *testing.T) {
			if _, mocked := tc.lib().(*server.Server); mocked && runner.GPUUsable() == nil {
				t.Skip("this process can use a GPU: the mock's GPUs would be opened for real")
			}
			t.Setenv(cuda.VisibleDevicesEnv, "0,1")
			_, _, err := execCmd(t, newRunCmd(onHost(tc.lib)), "run", "--out", t.TempDir(), "--progress", "off", "--devices", tc.devices)
			require.Error(t, err)
			assert.Equal(t, exitUsage, exitCode(err), "%v", err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// On a host whose GPUs the built-in model cannot use, `scale` counts CPU
// cores and runs one-core devices.
func TestScaleCountsCoresWhereTheGPUsCannotRun(t *testing.T) {
	if runner.GPUUsable() == nil {
		t.Skip("this process can use a GPU")
	}
	t.Setenv(cuda.VisibleDevicesEnv, "0,1")
	var counts []int
	run := func(ctx context.Context, cfg runner.Config) (*loadgen.Report, error) {
		counts = append(counts, cfg.Count)
		cfg.NVML = mockGPUHost(2)
		return runner.Run(ctx, cfg)
	}
	deviceCount := func(cfg runner.Config) (int, error) {
		cfg.NVML = mockGPUHost(2)
		return runner.DeviceCount(cfg)
	}
	n, err := deviceCount(runner.Config{})
	require.NoError(t, err)
	assert.Equal(t, runtime.NumCPU(), n, "a count steps CPU cores")
	out := filepath.Join(t.TempDir(), "scale")
	_, _, err = execCmd(t, newScaleCmd(run, deviceCount), "scale", "--out", out, "--counts", "1",
		"--user-conf", userConf(t, "*.Offline.min_duration = 100\n*.Offline.min_query_count = 256\n"))
	if err != nil {
		require.Equal(t, exitInvalid, exitCode(err), "only INVALID may end a short run: %v", err)
	}
	assert.Equal(t, []int{1}, counts)
}
