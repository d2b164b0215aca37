package serve_test

import (
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/result"
	"github.com/gotrt/gotrt/runner/serve"
)

func TestNVMLReadingsFeedTheGPUMetrics(t *testing.T) {
	dev := &mock.Device{
		GetUtilizationRatesFunc: func() (nvml.Utilization, nvml.Return) { return nvml.Utilization{Gpu: 87}, nvml.SUCCESS },
		GetPowerUsageFunc:       func() (uint32, nvml.Return) { return 61500, nvml.SUCCESS },
		GetMemoryInfoFunc: func() (nvml.Memory, nvml.Return) {
			return nvml.Memory{Total: 16 << 30, Used: 3 << 30}, nvml.SUCCESS
		},
	}
	lib := &mock.Interface{DeviceGetHandleByUUIDFunc: func(u string) (nvml.Device, nvml.Return) {
		if u == "GPU-gone" {
			return nil, nvml.ERROR_NOT_FOUND
		}
		return dev, nvml.SUCCESS
	}}
	read := serve.NVMLReadings(lib, []result.Device{{ID: "gpu0", UUID: "GPU-1"}, {ID: "gpu1", UUID: "GPU-gone"}, {ID: "cpu"}})
	got := read()
	require.Len(t, got, 1, "a GPU NVML cannot find is left out")
	assert.Equal(t, serve.GPUReading{UUID: "GPU-1", UtilizationPct: 87, PowerW: 61.5, MemoryUsedB: 3 << 30, MemoryTotalB: 16 << 30}, got[0])

	model, _ := builtinModel(t)
	srv := start(t, model, serve.Config{GPU: read})
	code, body := httpDo(t, "GET", "http://"+srv.Addr("metrics")+"/metrics", "")
	require.Equal(t, 200, code)
	for _, line := range []string{
		`nv_gpu_utilization{gpu_uuid="GPU-1"} 0.87`,
		`nv_gpu_power_usage{gpu_uuid="GPU-1"} 61.5`,
		`nv_gpu_memory_used_bytes{gpu_uuid="GPU-1"} 3.221225472e+09`,
	} {
		assert.Contains(t, body, line)
	}
}
