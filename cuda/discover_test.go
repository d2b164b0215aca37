package cuda_test

import (
	"errors"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/runner/result"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDiscoverGPUs(t *testing.T) {
	tests := []struct {
		description string
		lib         func() nvml.Interface
		visible     *string
		wantUUIDs   []string
		wantKinds   []string
		wantWarn    string
		check       func(t *testing.T, inv *cuda.Inventory)
	}{
		{
			description: "dgxh100 bare metal: eight H100s in NVML order",
			lib:         func() nvml.Interface { return h100Server(8, nvml.GPU_VIRTUALIZATION_MODE_NONE) },
			wantUUIDs:   []string{gpuUUID(0), gpuUUID(1), gpuUUID(2), gpuUUID(3), gpuUUID(4), gpuUUID(5), gpuUUID(6), gpuUUID(7)},
			check: func(t *testing.T, inv *cuda.Inventory) {
				d := inv.Devices[3]
				assert.Equal(t, result.Device{
					Index: 3, ID: "cuda:3", Kind: "gpu", Name: "NVIDIA H100 80GB HBM3",
					UUID: gpuUUID(3), NVMLIndex: 3, PCIBusID: "00000000:1B:00.0",
					MemoryB: 80 << 30, ComputeCapability: "9.0",
					DriverVersion: "550.54.15", CUDADriverVersion: "12.4",
					Virtualization: result.VirtBareMetal,
				}, d)
			},
		},
		{
			description: "indices reorder and restrict",
			lib:         func() nvml.Interface { return h100Server(4, nvml.GPU_VIRTUALIZATION_MODE_NONE) },
			visible:     ptr("3, 1"),
			wantUUIDs:   []string{gpuUUID(3), gpuUUID(1)},
			check: func(t *testing.T, inv *cuda.Inventory) {
				assert.Equal(t, 0, inv.Devices[0].Index, "CUDA ordinal follows the list")
				assert.Equal(t, 3, inv.Devices[0].NVMLIndex)
				assert.Equal(t, "cuda:1", inv.Devices[1].ID)
			},
		},
		{
			description: "a unique UUID prefix selects a GPU",
			lib:         func() nvml.Interface { return h100Server(4, nvml.GPU_VIRTUALIZATION_MODE_NONE) },
			visible:     ptr("GPU-00000002,GPU-00000000-1111-2222-3333-444444444444"),
			wantUUIDs:   []string{gpuUUID(2), gpuUUID(0)},
		},
		{
			description: "the first bad entry ends the list",
			lib:         func() nvml.Interface { return h100Server(4, nvml.GPU_VIRTUALIZATION_MODE_NONE) },
			visible:     ptr("0,9,1"),
			wantUUIDs:   []string{gpuUUID(0)},
			wantWarn:    `entry "9" ignored`,
		},
		{
			description: "a repeated entry ends the list",
			lib:         func() nvml.Interface { return h100Server(4, nvml.GPU_VIRTUALIZATION_MODE_NONE) },
			visible:     ptr("1,GPU-00000001,2"),
			wantUUIDs:   []string{gpuUUID(1)},
			wantWarn:    "repeats",
		},
		{
			description: "passthrough GPU without licensing",
			lib:         func() nvml.Interface { return h100Server(1, nvml.GPU_VIRTUALIZATION_MODE_PASSTHROUGH) },
			wantUUIDs:   []string{gpuUUID(0)},
			check: func(t *testing.T, inv *cuda.Inventory) {
				assert.Equal(t, result.VirtPassthrough, inv.Devices[0].Virtualization)
				assert.Nil(t, inv.Devices[0].VGPU)
			},
		},
		{
			description: "vGPU guest with a licence",
			lib:         func() nvml.Interface { return vgpuGuest(true) },
			wantUUIDs:   []string{"GPU-7e570000-0000-0000-0000-00000000t416"},
			check: func(t *testing.T, inv *cuda.Inventory) {
				d := inv.Devices[0]
				assert.Equal(t, "GRID T4-16Q", d.Name)
				assert.Equal(t, result.VirtVGPUGuest, d.Virtualization)
				assert.Equal(t, "7.5", d.ComputeCapability)
				assert.Equal(t, "12.2", d.CUDADriverVersion)
				assert.Equal(t, "00000000:02:00.0", d.PCIBusID)
				assert.False(t, d.MIGEnabled)
				assert.Equal(t, &result.VGPU{
					Product: "NVIDIA Virtual Compute Server", Licensed: true,
					LicenseInfo: "NVIDIA-vComputeServer,9.0", LicenseExpiry: "2026-03-31T12:00:00Z",
				}, d.VGPU)
			},
		},
		{
			description: "vGPU guest without a licence",
			lib:         func() nvml.Interface { return vgpuGuest(false) },
			wantUUIDs:   []string{"GPU-7e570000-0000-0000-0000-00000000t416"},
			check: func(t *testing.T, inv *cuda.Inventory) {
				require.NotNil(t, inv.Devices[0].VGPU)
				assert.False(t, inv.Devices[0].VGPU.Licensed)
				assert.Equal(t, "NVIDIA Virtual Compute Server", inv.Devices[0].VGPU.Product)
				assert.Empty(t, inv.Devices[0].VGPU.LicenseExpiry)
			},
		},
		{
			description: "MIG instances replace their GPU",
			lib: func() nvml.Interface {
				s := h100Server(2, nvml.GPU_VIRTUALIZATION_MODE_NONE)
				twoMIGs(s)
				return s
			},
			wantUUIDs: []string{"MIG-aaaaaaaa-0000-0000-0000-000000000001", "MIG-bbbbbbbb-0000-0000-0000-000000000002", gpuUUID(1)},
			wantKinds: []string{"mig", "mig", "gpu"},
			check: func(t *testing.T, inv *cuda.Inventory) {
				a, b := inv.Devices[0], inv.Devices[1]
				assert.Equal(t, "NVIDIA H100 80GB HBM3 MIG 1g.10gb", a.Name)
				assert.Equal(t, &result.MIG{ParentUUID: gpuUUID(0), ParentIndex: 0, Profile: "1g.10gb", GPUInstance: 9, ComputeInstance: 0}, a.MIG)
				assert.Equal(t, 16, a.Multiprocessors)
				assert.Equal(t, uint64(9856)<<20, a.MemoryB)
				assert.Equal(t, "NVIDIA H100 80GB HBM3 MIG 3g.40gb", b.Name, "profile named from the attributes")
				assert.Equal(t, "3g.40gb", b.MIG.Profile)
				assert.Equal(t, "9.0", b.ComputeCapability)
				assert.Equal(t, "cuda:1", b.ID)
			},
		},
		{
			description: "a MIG UUID, the legacy MIG-GPU form and an index mix",
			lib: func() nvml.Interface {
				s := h100Server(2, nvml.GPU_VIRTUALIZATION_MODE_NONE)
				twoMIGs(s)
				return s
			},
			visible:   ptr("MIG-bbbbbbbb," + "MIG-" + gpuUUID(0) + "/9/0,1"),
			wantUUIDs: []string{"MIG-bbbbbbbb-0000-0000-0000-000000000002", "MIG-aaaaaaaa-0000-0000-0000-000000000001", gpuUUID(1)},
		},
		{
			description: "the index of a MIG-enabled GPU selects its instances",
			lib: func() nvml.Interface {
				s := h100Server(2, nvml.GPU_VIRTUALIZATION_MODE_NONE)
				twoMIGs(s)
				return s
			},
			visible:   ptr("0"),
			wantUUIDs: []string{"MIG-aaaaaaaa-0000-0000-0000-000000000001", "MIG-bbbbbbbb-0000-0000-0000-000000000002"},
		},
		{
			description: "a MIG-enabled GPU without instances is left out with a warning",
			lib: func() nvml.Interface {
				s := h100Server(2, nvml.GPU_VIRTUALIZATION_MODE_NONE)
				withMIG(s, 1)
				return s
			},
			wantUUIDs: []string{gpuUUID(0)},
			wantWarn:  "no MIG instance",
		},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			opts := []cuda.Option{cuda.WithHost(testHost), cuda.WithAllDevices()}
			if tt.visible != nil {
				opts = append(opts, cuda.WithVisibleDevices(*tt.visible))
			}
			inv, err := cuda.Discover(tt.lib(), opts...)
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, inv.Close()) })
			require.NoError(t, inv.Cause)
			assert.True(t, inv.GPUs())
			assert.Empty(t, inv.Note)
			assert.Equal(t, testHost, inv.Host)
			var uuids, kinds []string
			for i, d := range inv.Devices {
				uuids = append(uuids, d.UUID)
				kinds = append(kinds, d.Kind)
				assert.Equal(t, i, d.Index)
			}
			assert.Equal(t, tt.wantUUIDs, uuids)
			if tt.wantKinds != nil {
				assert.Equal(t, tt.wantKinds, kinds)
			}
			if tt.wantWarn != "" {
				require.Len(t, inv.Warnings, 1)
				assert.Contains(t, inv.Warnings[0], tt.wantWarn)
			} else {
				assert.Empty(t, inv.Warnings)
			}
			if tt.check != nil {
				tt.check(t, inv)
			}
		})
	}
}

func TestDiscoverFallsBackToCPU(t *testing.T) {
	// Only the calls set here exist: any other NVML call panics, which
	// proves that none follows a failed Init.
	initOnly := func(ret nvml.Return) *mock.Interface {
		return &mock.Interface{InitFunc: func() nvml.Return { return ret }}
	}
	tests := []struct {
		description string
		lib         nvml.Interface
		opts        []cuda.Option
		want        error
		noteHas     string
	}{
		{
			description: "library does not load: Init is never called",
			lib:         initOnly(nvml.SUCCESS),
			opts:        []cuda.Option{cuda.WithProbe(func() error { return errors.New("libnvidia-ml.so.1: cannot open shared object file") })},
			want:        cuda.ErrNoNVML,
			noteHas:     "no NVML library (libnvidia-ml.so.1: cannot open shared object file): using the CPU only",
		},
		{
			description: "Init reports the library missing",
			lib:         initOnly(nvml.ERROR_LIBRARY_NOT_FOUND),
			want:        cuda.ErrNoNVML,
			noteHas:     "no NVML library",
		},
		{
			description: "Init fails without a kernel driver",
			lib:         initOnly(nvml.ERROR_DRIVER_NOT_LOADED),
			want:        cuda.ErrNoGPU,
			noteHas:     "no GPU (nvml init:",
		},
		{
			description: "NVML works but reports no device",
			lib: &mock.Interface{
				InitFunc:                       func() nvml.Return { return nvml.SUCCESS },
				ShutdownFunc:                   func() nvml.Return { return nvml.SUCCESS },
				SystemGetDriverVersionFunc:     func() (string, nvml.Return) { return "550.54.15", nvml.SUCCESS },
				SystemGetCudaDriverVersionFunc: func() (int, nvml.Return) { return 12040, nvml.SUCCESS },
				DeviceGetCountFunc:             func() (int, nvml.Return) { return 0, nvml.SUCCESS },
			},
			want:    cuda.ErrNoGPU,
			noteHas: "no GPU (nvml found 0 devices)",
		},
		{
			description: "an empty CUDA_VISIBLE_DEVICES hides every GPU",
			lib:         h100Server(2, nvml.GPU_VIRTUALIZATION_MODE_NONE),
			opts:        []cuda.Option{cuda.WithVisibleDevices("")},
			want:        cuda.ErrNoVisibleGPU,
			noteHas:     `no visible GPU (CUDA_VISIBLE_DEVICES="")`,
		},
		{
			description: "CUDA_VISIBLE_DEVICES=-1 hides every GPU",
			lib:         h100Server(2, nvml.GPU_VIRTUALIZATION_MODE_NONE),
			opts:        []cuda.Option{cuda.WithVisibleDevices("-1")},
			want:        cuda.ErrNoVisibleGPU,
			noteHas:     "no visible GPU",
		},
		{
			description: "an ambiguous UUID prefix names nothing",
			lib:         h100Server(2, nvml.GPU_VIRTUALIZATION_MODE_NONE),
			opts:        []cuda.Option{cuda.WithVisibleDevices("GPU-0000000")},
			want:        cuda.ErrNoVisibleGPU,
			noteHas:     "no visible GPU",
		},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			opts := append([]cuda.Option{cuda.WithHost(testHost), cuda.WithAllDevices()}, tt.opts...)
			inv, err := cuda.Discover(tt.lib, opts...)
			require.NoError(t, err)
			assert.ErrorIs(t, inv.Cause, tt.want)
			assert.ErrorIs(t, inv.Cause, cuda.ErrNotSupported)
			assert.Equal(t, []result.Device{testHost}, inv.Devices)
			assert.Contains(t, inv.Note, tt.noteHas)
			assert.NotContains(t, inv.Note, "\n")
			assert.False(t, inv.GPUs())
			assert.NoError(t, inv.Close())
			assert.NoError(t, inv.Close(), "second Close")
		})
	}
}

func TestDiscoverProbesBeforeInit(t *testing.T) {
	lib := &mock.Interface{InitFunc: func() nvml.Return { return nvml.SUCCESS }}
	_, err := cuda.Discover(lib, cuda.WithHost(testHost), cuda.WithProbe(func() error { return errors.New("absent") }))
	require.NoError(t, err)
	assert.Empty(t, lib.InitCalls(), "Init must not run when the probe fails")
}

func TestDiscoverShutsDownOnClose(t *testing.T) {
	s := h100Server(1, nvml.GPU_VIRTUALIZATION_MODE_NONE)
	inv, err := cuda.Discover(s, cuda.WithHost(testHost), cuda.WithAllDevices())
	require.NoError(t, err)
	assert.Empty(t, s.ShutdownCalls())
	require.NoError(t, inv.Close())
	require.NoError(t, inv.Close())
	assert.Len(t, s.ShutdownCalls(), 1, "one Shutdown per successful Init")
	var nilInv *cuda.Inventory
	assert.NoError(t, nilInv.Close())
}

func TestDiscoverErrors(t *testing.T) {
	_, err := cuda.Discover(nil)
	assert.ErrorContains(t, err, "nil nvml library")

	lib := &mock.Interface{
		InitFunc:                       func() nvml.Return { return nvml.SUCCESS },
		ShutdownFunc:                   func() nvml.Return { return nvml.SUCCESS },
		SystemGetDriverVersionFunc:     func() (string, nvml.Return) { return "", nvml.ERROR_UNKNOWN },
		SystemGetCudaDriverVersionFunc: func() (int, nvml.Return) { return 0, nvml.ERROR_UNKNOWN },
		DeviceGetCountFunc:             func() (int, nvml.Return) { return 0, nvml.ERROR_GPU_IS_LOST },
	}
	_, err = cuda.Discover(lib, cuda.WithHost(testHost))
	assert.ErrorIs(t, err, nvml.ERROR_GPU_IS_LOST)
	assert.Len(t, lib.ShutdownCalls(), 1, "a failed discovery after Init shuts NVML down")
}

func TestDiscoverReadsVisibleDevicesFromEnvironment(t *testing.T) {
	t.Setenv(cuda.VisibleDevicesEnv, "1")
	inv, err := cuda.Discover(h100Server(2, nvml.GPU_VIRTUALIZATION_MODE_NONE), cuda.WithHost(testHost))
	require.NoError(t, err)
	defer inv.Close()
	require.Len(t, inv.Devices, 1)
	assert.Equal(t, gpuUUID(1), inv.Devices[0].UUID)
}

func TestDiscoverRealLibrary(t *testing.T) {
	// On a machine without the driver this is the CPU fallback; with one, GPUs.
	inv, err := cuda.Discover(nvml.New())
	require.NoError(t, err)
	defer inv.Close()
	require.NotEmpty(t, inv.Devices)
	if inv.GPUs() {
		assert.Equal(t, "cuda:0", inv.Devices[0].ID)
		return
	}
	assert.ErrorIs(t, inv.Cause, cuda.ErrNotSupported)
	assert.Equal(t, "cpu", inv.Devices[0].Kind)
	assert.NotEmpty(t, inv.Devices[0].Name)
	assert.Positive(t, inv.Devices[0].Multiprocessors)
}

func TestHostCPU(t *testing.T) {
	d := cuda.HostCPU()
	assert.Equal(t, "cpu", d.Kind)
	assert.Equal(t, "cpu", d.ID)
	assert.NotEmpty(t, d.Name)
	assert.Positive(t, d.Multiprocessors)
}

func ptr(s string) *string { return &s }
