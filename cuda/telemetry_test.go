package cuda_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/runner/result"
)

// never is an interval long enough that only Start's and Stop's samples count.
const never = time.Hour

// sequence returns successive values, repeating the last.
func sequence[T any](vs ...T) func() T {
	i := 0
	return func() T {
		v := vs[min(i, len(vs)-1)]
		i++
		return v
	}
}

// instrument sets the telemetry calls of a mock server GPU.
func instrument(d *server.Device, power []uint32, energy []uint64) {
	p, e := sequence(power...), sequence(energy...)
	d.GetUtilizationRatesFunc = func() (nvml.Utilization, nvml.Return) {
		return nvml.Utilization{Gpu: 80, Memory: 30}, nvml.SUCCESS
	}
	d.GetPowerUsageFunc = func() (uint32, nvml.Return) { return p(), nvml.SUCCESS }
	d.GetTotalEnergyConsumptionFunc = func() (uint64, nvml.Return) { return e(), nvml.SUCCESS }
	d.GetClockInfoFunc = func(c nvml.ClockType) (uint32, nvml.Return) {
		if c != nvml.CLOCK_SM {
			return 0, nvml.ERROR_INVALID_ARGUMENT
		}
		return 1755, nvml.SUCCESS
	}
	d.GetCurrentClocksEventReasonsFunc = func() (uint64, nvml.Return) {
		return nvml.ClocksEventReasonSwPowerCap | nvml.ClocksEventReasonGpuIdle, nvml.SUCCESS
	}
	used := sequence[uint64](0, 1<<30, 3<<30) // the first call is discovery's
	d.GetMemoryInfoFunc = func() (nvml.Memory, nvml.Return) {
		return nvml.Memory{Total: 80 << 30, Used: used()}, nvml.SUCCESS
	}
}

func writeStat(t *testing.T, dir, line string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stat"), []byte(line+"\ncpu0 1 2 3 4\n"), 0o600))
}

func TestSamplerDevices(t *testing.T) {
	s := h100Server(2, nvml.GPU_VIRTUALIZATION_MODE_NONE)
	instrument(s.Devices[0].(*server.Device), []uint32{100_000, 200_000}, []uint64{1_000, 61_000})
	// GPU 1 reports neither power nor energy (as in most vGPU guests).
	d1 := s.Devices[1].(*server.Device)
	instrument(d1, []uint32{0}, []uint64{0})
	d1.GetPowerUsageFunc = func() (uint32, nvml.Return) { return 0, nvml.ERROR_NOT_SUPPORTED }
	d1.GetTotalEnergyConsumptionFunc = func() (uint64, nvml.Return) { return 0, nvml.ERROR_NOT_SUPPORTED }

	inv, err := cuda.Discover(s, cuda.WithHost(testHost), cuda.WithAllDevices())
	require.NoError(t, err)
	defer inv.Close()

	proc := t.TempDir()
	writeStat(t, proc, "cpu 100 0 100 800 0 0 0 0 0 0")
	sm, err := cuda.NewSampler(inv, never, cuda.WithProcDir(proc))
	require.NoError(t, err)
	require.NoError(t, sm.Start())
	writeStat(t, proc, "cpu 400 0 200 1300 100 0 0 0 0 0")
	tel, err := sm.Stop()
	require.NoError(t, err)

	assert.Equal(t, 2, tel.Samples)
	assert.Equal(t, never.Nanoseconds(), tel.IntervalNS)
	require.Len(t, tel.Devices, 2)
	d := tel.Devices[0]
	assert.Equal(t, "cuda:0", d.ID)
	assert.Equal(t, gpuUUID(0), d.UUID)
	assert.Equal(t, &result.Stat{Mean: 150, Max: 200}, d.PowerW)
	assert.Equal(t, &result.Stat{Mean: 80, Max: 80}, d.UtilizationPct)
	assert.Equal(t, &result.Stat{Mean: 30, Max: 30}, d.MemoryUtilizationPct)
	assert.Equal(t, &result.Stat{Mean: 1755, Max: 1755}, d.SMClockMHz)
	assert.Equal(t, &result.Stat{Mean: 2 << 30, Max: 3 << 30}, d.MemoryUsedB)
	assert.InDelta(t, 60.0, d.EnergyJ, 1e-9)
	assert.Equal(t, "counter", d.EnergySource)
	assert.Equal(t, map[string]int{"sw_power_cap": 2}, d.ThrottleReasons, "idling is not throttling")

	g1 := tel.Devices[1]
	assert.Nil(t, g1.PowerW)
	assert.Zero(t, g1.EnergyJ)
	assert.Empty(t, g1.EnergySource)
	assert.Len(t, d1.GetPowerUsageCalls(), 1, "an unsupported metric is asked once")
	assert.Zero(t, tel.EnergyJ, "no total when a device lacks energy")

	// busy 200 → 600 of total 1000 → 2000 ticks: 40 %.
	require.NotNil(t, tel.Host.SystemCPUPct)
	assert.InDelta(t, 40.0, tel.Host.SystemCPUPct.Mean, 1e-9)
	require.NotNil(t, tel.Host.ProcessCPUPct)
	assert.Positive(t, tel.Host.CPUs)

	// GPU 0 ran the work: the run's energy is its own, not GPU 1's.
	tel.SetSamples(6000, map[string]int64{"cuda:0": 6000})
	assert.InDelta(t, 100.0, tel.Devices[0].SamplesPerJoule, 1e-9)
	assert.Zero(t, tel.Devices[1].SamplesPerJoule)
	assert.True(t, tel.Devices[0].Ran)
	assert.False(t, tel.Devices[1].Ran)
	assert.InDelta(t, 60.0, tel.EnergyJ, 1e-9)
	assert.InDelta(t, 100.0, tel.SamplesPerJoule, 1e-9)

	again, err := sm.Stop()
	require.NoError(t, err)
	assert.Same(t, tel, again, "a second Stop returns the same summary")
}

func TestSamplerEnergyFromPower(t *testing.T) {
	s := h100Server(1, nvml.GPU_VIRTUALIZATION_MODE_NONE)
	d := s.Devices[0].(*server.Device)
	instrument(d, []uint32{100_000}, nil)
	d.GetTotalEnergyConsumptionFunc = func() (uint64, nvml.Return) { return 0, nvml.ERROR_NOT_SUPPORTED }
	inv, err := cuda.Discover(s, cuda.WithHost(testHost), cuda.WithAllDevices())
	require.NoError(t, err)
	defer inv.Close()

	sm, err := cuda.NewSampler(inv, never)
	require.NoError(t, err)
	require.NoError(t, sm.Start())
	time.Sleep(20 * time.Millisecond)
	tel, err := sm.Stop()
	require.NoError(t, err)
	require.Len(t, tel.Devices, 1)
	assert.Equal(t, "power", tel.Devices[0].EnergySource)
	want := 100 * time.Duration(tel.DurationNS).Seconds()
	assert.InDelta(t, want, tel.Devices[0].EnergyJ, want*1e-6)
	assert.Equal(t, tel.Devices[0].EnergyJ, tel.EnergyJ)
	tel.SetSamples(1000, map[string]int64{"cuda:0": 1000})
	assert.InDelta(t, 1000/tel.EnergyJ, tel.SamplesPerJoule, 1e-9)
}

// A run on the CPU of a GPU host: the idle GPU is sampled, but its energy
// never divides the CPU's samples.
func TestSamplerCPURunOnGPUHost(t *testing.T) {
	s := h100Server(1, nvml.GPU_VIRTUALIZATION_MODE_PASSTHROUGH)
	instrument(s.Devices[0].(*server.Device), []uint32{75_000, 76_000}, []uint64{0, 1_528_000})
	inv, err := cuda.Discover(s, cuda.WithHost(testHost), cuda.WithAllDevices())
	require.NoError(t, err)
	defer inv.Close()
	sm, err := cuda.NewSampler(inv, never)
	require.NoError(t, err)
	require.NoError(t, sm.Start())
	tel, err := sm.Stop()
	require.NoError(t, err)

	tel.SetSamples(7_000_000, map[string]int64{"cpu0": 7_000_000})
	require.Len(t, tel.Devices, 1)
	gpu := tel.Devices[0]
	assert.False(t, gpu.Ran, "the GPU did not run the work")
	assert.InDelta(t, 1528.0, gpu.EnergyJ, 1e-9, "its energy is still reported")
	assert.Zero(t, gpu.Samples)
	assert.Zero(t, gpu.SamplesPerJoule)
	assert.Zero(t, tel.EnergyJ, "the CPU's energy is not measured")
	assert.Zero(t, tel.SamplesPerJoule, "no samples/J from an idle GPU's energy")
}

func TestSamplerHostOnly(t *testing.T) {
	inv, err := cuda.Discover(&cpuOnlyLib, cuda.WithHost(testHost), cuda.WithProbe(func() error { return os.ErrNotExist }))
	require.NoError(t, err)
	sm, err := cuda.NewSampler(inv, 2*time.Millisecond)
	require.NoError(t, err)
	require.NoError(t, sm.Start())
	deadline := time.Now().Add(30 * time.Millisecond)
	x := 0
	for time.Now().Before(deadline) {
		x++ // keep a CPU busy
	}
	tel, err := sm.Stop()
	require.NoError(t, err)
	assert.NotZero(t, x)
	assert.Empty(t, tel.Devices)
	assert.GreaterOrEqual(t, tel.Samples, 3, "the goroutine samples between Start and Stop")
	require.NotNil(t, tel.Host.ProcessCPUPct)
	assert.Positive(t, tel.Host.ProcessCPUPct.Max)
	assert.LessOrEqual(t, tel.Host.ProcessCPUPct.Max, 100.0)
	if _, err := os.Stat("/proc/stat"); err == nil {
		require.NotNil(t, tel.Host.SystemCPUPct)
		assert.Positive(t, tel.Host.SystemCPUPct.Max)
	}
}

func TestSamplerMisuse(t *testing.T) {
	_, err := cuda.NewSampler(nil, 0)
	assert.ErrorContains(t, err, "must be positive")

	sm, err := cuda.NewSampler(nil, never)
	require.NoError(t, err)
	_, err = sm.Stop()
	assert.ErrorIs(t, err, cuda.ErrSamplerState)
	require.NoError(t, sm.Start())
	assert.ErrorIs(t, sm.Start(), cuda.ErrSamplerState)
	_, err = sm.Stop()
	require.NoError(t, err)
	assert.ErrorIs(t, sm.Start(), cuda.ErrSamplerState, "a sampler is not restarted")
}
