package cuda_test

import (
	"fmt"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/dgxh100"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/gpus"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/server"

	"github.com/gotrt/gotrt/runner/result"
)

// testHost is a fixed CPU device, so results do not depend on the machine.
var testHost = result.Device{ID: "cpu", Kind: "cpu", Name: "Test CPU", Multiprocessors: 4}

func gpuUUID(i int) string { return fmt.Sprintf("GPU-%08d-1111-2222-3333-444444444444", i) }

// h100Server is go-nvml's DGX H100 mock with n GPUs, fixed UUIDs and PCI bus
// ids, and the calls discovery makes that the mock leaves unset.
func h100Server(n int, mode nvml.GpuVirtualizationMode) *server.Server {
	s := dgxh100.NewWithGPUs(gpus.Multiple(n, gpus.H100_SXM5_80GB)...)
	for i, d := range s.Devices {
		sd := d.(*server.Device)
		sd.UUID = gpuUUID(i)
		sd.GetPciInfoFunc = func() (nvml.PciInfo, nvml.Return) {
			var p nvml.PciInfo
			for j, c := range fmt.Sprintf("00000000:%02X:00.0", 0x18+i) {
				p.BusId[j] = int8(c)
			}
			return p, nvml.SUCCESS
		}
		sd.GetVirtualizationModeFunc = func() (nvml.GpuVirtualizationMode, nvml.Return) {
			return mode, nvml.SUCCESS
		}
		sd.GetGridLicensableFeaturesFunc = func() (nvml.GridLicensableFeatures, nvml.Return) {
			return nvml.GridLicensableFeatures{}, nvml.ERROR_NOT_SUPPORTED
		}
	}
	return s
}

// migDevice is a hand-built MIG device handle.
func migDevice(uuid, name string, gi, ci int, attrs nvml.DeviceAttributes) *mock.Device {
	return &mock.Device{
		GetUUIDFunc:              func() (string, nvml.Return) { return uuid, nvml.SUCCESS },
		GetNameFunc:              func() (string, nvml.Return) { return name, nvml.SUCCESS },
		GetGpuInstanceIdFunc:     func() (int, nvml.Return) { return gi, nvml.SUCCESS },
		GetComputeInstanceIdFunc: func() (int, nvml.Return) { return ci, nvml.SUCCESS },
		GetAttributesFunc:        func() (nvml.DeviceAttributes, nvml.Return) { return attrs, nvml.SUCCESS },
		GetMemoryInfoFunc: func() (nvml.Memory, nvml.Return) {
			return nvml.Memory{Total: attrs.MemorySizeMB << 20}, nvml.SUCCESS
		},
	}
}

// withMIG turns on MIG on GPU i of s with the given instances in slots 0..n-1
// of 7.
func withMIG(s *server.Server, i int, migs ...nvml.Device) {
	sd := s.Devices[i].(*server.Device)
	sd.MigMode = nvml.DEVICE_MIG_ENABLE
	sd.GetMaxMigDeviceCountFunc = func() (int, nvml.Return) { return 7, nvml.SUCCESS }
	sd.GetMigDeviceHandleByIndexFunc = func(j int) (nvml.Device, nvml.Return) {
		if j < len(migs) {
			return migs[j], nvml.SUCCESS
		}
		return nil, nvml.ERROR_NOT_FOUND
	}
}

// twoMIGs puts a 1g.10gb (named by the driver) and a 3g.40gb (named from
// its attributes only) on GPU 0.
func twoMIGs(s *server.Server) {
	withMIG(s, 0,
		migDevice("MIG-aaaaaaaa-0000-0000-0000-000000000001", "NVIDIA H100 80GB HBM3 MIG 1g.10gb", 9, 0,
			nvml.DeviceAttributes{MultiprocessorCount: 16, GpuInstanceSliceCount: 1, ComputeInstanceSliceCount: 1, MemorySizeMB: 9856}),
		migDevice("MIG-bbbbbbbb-0000-0000-0000-000000000002", "", 2, 0,
			nvml.DeviceAttributes{MultiprocessorCount: 60, GpuInstanceSliceCount: 3, ComputeInstanceSliceCount: 3, MemorySizeMB: 40448}),
	)
}

// vgpuGuest is a hand-built VM with one vGPU (GRID T4-16Q) whose guest
// driver reports the given licence.
func vgpuGuest(licensed bool) *mock.Interface {
	var f nvml.GridLicensableFeatures
	f.IsGridLicenseSupported = 1
	f.LicensableFeaturesCount = 1
	g := &f.GridLicensableFeatures[0]
	g.FeatureCode = 4 // compute
	g.FeatureEnabled = 1
	copyC(g.ProductName[:], "NVIDIA Virtual Compute Server")
	if licensed {
		g.FeatureState = 1
		copyC(g.LicenseInfo[:], "NVIDIA-vComputeServer,9.0")
		g.LicenseExpiry = nvml.GridLicenseExpiry{Year: 2026, Month: 3, Day: 31, Hour: 12}
	}
	dev := &mock.Device{
		GetUUIDFunc: func() (string, nvml.Return) { return "GPU-7e570000-0000-0000-0000-00000000t416", nvml.SUCCESS },
		GetNameFunc: func() (string, nvml.Return) { return "GRID T4-16Q", nvml.SUCCESS },
		GetPciInfoFunc: func() (nvml.PciInfo, nvml.Return) {
			var p nvml.PciInfo
			copyC(p.BusId[:], "00000000:02:00.0")
			return p, nvml.SUCCESS
		},
		GetMemoryInfoFunc:            func() (nvml.Memory, nvml.Return) { return nvml.Memory{Total: 16 << 30}, nvml.SUCCESS },
		GetCudaComputeCapabilityFunc: func() (int, int, nvml.Return) { return 7, 5, nvml.SUCCESS },
		GetVirtualizationModeFunc: func() (nvml.GpuVirtualizationMode, nvml.Return) {
			return nvml.GPU_VIRTUALIZATION_MODE_VGPU, nvml.SUCCESS
		},
		GetGridLicensableFeaturesFunc: func() (nvml.GridLicensableFeatures, nvml.Return) { return f, nvml.SUCCESS },
		GetMigModeFunc:                func() (int, int, nvml.Return) { return 0, 0, nvml.ERROR_NOT_SUPPORTED },
	}
	return &mock.Interface{
		InitFunc:                       func() nvml.Return { return nvml.SUCCESS },
		ShutdownFunc:                   func() nvml.Return { return nvml.SUCCESS },
		SystemGetDriverVersionFunc:     func() (string, nvml.Return) { return "535.161.08", nvml.SUCCESS },
		SystemGetCudaDriverVersionFunc: func() (int, nvml.Return) { return 12020, nvml.SUCCESS },
		DeviceGetCountFunc:             func() (int, nvml.Return) { return 1, nvml.SUCCESS },
		DeviceGetHandleByIndexFunc: func(i int) (nvml.Device, nvml.Return) {
			if i != 0 {
				return nil, nvml.ERROR_INVALID_ARGUMENT
			}
			return dev, nvml.SUCCESS
		},
	}
}

func copyC(dst []int8, s string) {
	for i := range min(len(s), len(dst)-1) {
		dst[i] = int8(s[i])
	}
}

// cpuOnlyLib is a library whose every call panics: used where the probe fails.
var cpuOnlyLib mock.Interface
