package serve

import (
	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/gotrt/gotrt/runner/result"
)

// NVMLReadings returns a Config.GPU that reads each GPU's utilisation, power
// and memory from NVML at every scrape, for the nv_gpu_* metrics. lib must
// stay initialised while the server runs (a cuda.Inventory that found the
// GPUs holds it so until Close); devs are the inventory's devices. A GPU or
// reading NVML cannot give is left out, never an error: the scrape goes on.
func NVMLReadings(lib nvml.Interface, devs []result.Device) func() []GPUReading {
	var uuids []string
	for _, d := range devs {
		if d.UUID != "" {
			uuids = append(uuids, d.UUID)
		}
	}
	return func() []GPUReading {
		var out []GPUReading
		for _, u := range uuids {
			h, ret := lib.DeviceGetHandleByUUID(u)
			if ret != nvml.SUCCESS {
				continue
			}
			g := GPUReading{UUID: u}
			if ut, ret := h.GetUtilizationRates(); ret == nvml.SUCCESS {
				g.UtilizationPct = float64(ut.Gpu)
			}
			if mw, ret := h.GetPowerUsage(); ret == nvml.SUCCESS {
				g.PowerW = float64(mw) / 1000
			}
			if m, ret := h.GetMemoryInfo(); ret == nvml.SUCCESS {
				g.MemoryUsedB, g.MemoryTotalB = float64(m.Used), float64(m.Total)
			}
			out = append(out, g)
		}
		return out
	}
}
