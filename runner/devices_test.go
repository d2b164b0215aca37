package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/dgxh100"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/gpus"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/internal/gpuerr"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/result"
)

// The tests here stand in for the GPU with go-nvml's mock (discovery and
// telemetry) and a fake device (the built-in model on two CPU cores that
// calls itself a GPU), so that device selection and the GPU path's wiring
// run on any machine.

var testHost = result.Device{ID: "cpu", Kind: result.KindCPU, Name: "Test CPU", Multiprocessors: 4}

func gpuUUID(i int) string { return fmt.Sprintf("GPU-%08d-1111-2222-3333-444444444444", i) }

// mockH100s is go-nvml's DGX H100 mock with n GPUs, fixed UUIDs, and the
// telemetry calls the sampler makes: each GPU's energy counter grows by
// (i+1) J per read.
func mockH100s(n int) *server.Server {
	s := dgxh100.NewWithGPUs(gpus.Multiple(n, gpus.H100_SXM5_80GB)...)
	for i, d := range s.Devices {
		sd := d.(*server.Device)
		sd.UUID = gpuUUID(i)
		sd.GetVirtualizationModeFunc = func() (nvml.GpuVirtualizationMode, nvml.Return) {
			return nvml.GPU_VIRTUALIZATION_MODE_NONE, nvml.SUCCESS
		}
		sd.GetUtilizationRatesFunc = func() (nvml.Utilization, nvml.Return) {
			return nvml.Utilization{Gpu: 90, Memory: 40}, nvml.SUCCESS
		}
		sd.GetPowerUsageFunc = func() (uint32, nvml.Return) { return 300_000, nvml.SUCCESS }
		var reads atomic.Uint64
		sd.GetTotalEnergyConsumptionFunc = func() (uint64, nvml.Return) {
			return 5_000_000 + reads.Add(1)*uint64(i+1)*1000, nvml.SUCCESS
		}
		sd.GetClockInfoFunc = func(nvml.ClockType) (uint32, nvml.Return) { return 1980, nvml.SUCCESS }
		sd.GetCurrentClocksEventReasonsFunc = func() (uint64, nvml.Return) { return 0, nvml.SUCCESS }
	}
	return s
}

// withMIG turns MIG on for GPU 0 of s with two instances.
func withMIG(s *server.Server) *server.Server {
	mig := func(uuid string, gi int) nvml.Device {
		a := nvml.DeviceAttributes{MultiprocessorCount: 16, GpuInstanceSliceCount: 1, ComputeInstanceSliceCount: 1, MemorySizeMB: 9856}
		return &mock.Device{
			GetUUIDFunc:              func() (string, nvml.Return) { return uuid, nvml.SUCCESS },
			GetNameFunc:              func() (string, nvml.Return) { return "NVIDIA H100 80GB HBM3 MIG 1g.10gb", nvml.SUCCESS },
			GetGpuInstanceIdFunc:     func() (int, nvml.Return) { return gi, nvml.SUCCESS },
			GetComputeInstanceIdFunc: func() (int, nvml.Return) { return 0, nvml.SUCCESS },
			GetAttributesFunc:        func() (nvml.DeviceAttributes, nvml.Return) { return a, nvml.SUCCESS },
			GetMemoryInfoFunc:        func() (nvml.Memory, nvml.Return) { return nvml.Memory{Total: 9856 << 20}, nvml.SUCCESS },
		}
	}
	migs := []nvml.Device{mig("MIG-aaaaaaaa-0000-0000-0000-000000000001", 9), mig("MIG-bbbbbbbb-0000-0000-0000-000000000002", 10)}
	sd := s.Devices[0].(*server.Device)
	sd.MigMode = nvml.DEVICE_MIG_ENABLE
	sd.GetMaxMigDeviceCountFunc = func() (int, nvml.Return) { return 7, nvml.SUCCESS }
	sd.GetMigDeviceHandleByIndexFunc = func(j int) (nvml.Device, nvml.Return) {
		if j < len(migs) {
			return migs[j], nvml.SUCCESS
		}
		return nil, nvml.ERROR_NOT_FOUND
	}
	return s
}

// noNVML is a machine without the NVML library.
func noNVML() nvml.Interface {
	return &mock.Interface{InitFunc: func() nvml.Return { return nvml.ERROR_LIBRARY_NOT_FOUND }}
}

func discover(t *testing.T, lib nvml.Interface) *cuda.Inventory {
	t.Helper()
	inv, err := cuda.Discover(lib, cuda.WithHost(testHost), cuda.WithAllDevices())
	require.NoError(t, err)
	t.Cleanup(func() { _ = inv.Close() })
	return inv
}

var errNoDevice = fmt.Errorf("cuda: cuInit: CUDA_ERROR_NO_DEVICE: %w", cuda.ErrNotSupported)

// withGPU makes the process look as if it could (usable nil) or could not
// run the built-in model on a GPU, and opens fakes for it.
func withGPU(t *testing.T, usable error, open func(int, string, *builtin.Model, int) (gpuDevice, error)) {
	t.Helper()
	u, o, c := gpuUsable, openGPU, cudaDeviceCount
	gpuUsable = func() error { return usable }
	if open != nil {
		openGPU = open
	}
	cudaDeviceCount = func() (int, error) { return 0, errNoDevice }
	t.Cleanup(func() { gpuUsable, openGPU, cudaDeviceCount = u, o, c })
}

// withCUDAGPUs makes CUDA count n devices (after withGPU).
func withCUDAGPUs(n int) {
	cudaDeviceCount = func() (int, error) { return n, nil }
}

func TestParseDevices(t *testing.T) {
	tests := []struct {
		description string
		spec        string
		kind        specKind
		split       int
		entries     []string
		wantErr     string
	}{
		{description: "empty is all", spec: "", kind: specAll},
		{description: "all", spec: "all", kind: specAll},
		{description: "all in capitals", spec: "ALL", kind: specAll},
		{description: "the whole cpu", spec: "cpu", kind: specCPU},
		{description: "the cpu split", spec: "cpu:4", kind: specCPU, split: 4},
		{description: "indices", spec: "0,2", kind: specGPUs, entries: []string{"0", "2"}},
		{description: "spaces around entries", spec: " 1 , 0 ", kind: specGPUs, entries: []string{"1", "0"}},
		{description: "uuids", spec: "GPU-1234,MIG-abcd", kind: specGPUs, entries: []string{"GPU-1234", "MIG-abcd"}},
		{description: "zero cpu split", spec: "cpu:0", wantErr: `devices "cpu:0": want cpu:N with N ≥ 1`},
		{description: "bad cpu split", spec: "cpu:x", wantErr: `want cpu:N`},
		{description: "a name cuda does not know", spec: "gpu0", wantErr: `"gpu0" is not a GPU index, a GPU-/MIG- UUID`},
		{description: "negative index", spec: "-1", wantErr: `"-1" is not a GPU index`},
		{description: "empty entry", spec: "0,,1", wantErr: "empty entry"},
		{description: "an entry twice", spec: "1,1", wantErr: "1 is named twice"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			got, err := parseDevices(tc.spec)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrConfig)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.kind, got.kind)
			assert.Equal(t, tc.split, got.split)
			assert.Equal(t, tc.entries, got.entries)
		})
	}
}

func TestPlaceBuiltin(t *testing.T) {
	type want struct {
		gpus           []string // device IDs
		split, oneCore int
		note, err      string
	}
	eight := func() nvml.Interface { return mockH100s(8) }
	tests := []struct {
		description string
		lib         func() nvml.Interface
		usable      error
		cudaGPUs    int // devices CUDA counts (without NVML)
		devices     string
		count       int
		prec        builtin.Precision
		want        want
	}{
		{description: "all: every GPU", lib: eight, devices: "all",
			want: want{gpus: []string{"cuda:0", "cuda:1", "cuda:2", "cuda:3", "cuda:4", "cuda:5", "cuda:6", "cuda:7"}}},
		{description: "empty is all", lib: eight,
			want: want{gpus: []string{"cuda:0", "cuda:1", "cuda:2", "cuda:3", "cuda:4", "cuda:5", "cuda:6", "cuda:7"}}},
		{description: "all with a count: the first GPUs", lib: eight, count: 2, want: want{gpus: []string{"cuda:0", "cuda:1"}}},
		{description: "a count beyond the GPUs", lib: eight, count: 9, want: want{err: "9 devices asked for"}},
		{description: "MIG instances replace their GPU", lib: func() nvml.Interface { return withMIG(mockH100s(2)) },
			want: want{gpus: []string{"cuda:0", "cuda:1", "cuda:2"}}},
		{description: "no cuda tag on a GPU host: the CPU, saying why", lib: eight, usable: errNoCUDATag,
			want: want{note: "this gotrt was built without -tags cuda: running the built-in model on the CPU, not on the 8 GPU(s)"}},
		{description: "no cuda tag and no GPU: the CPU, quietly", lib: noNVML, usable: errNoCUDATag},
		{description: "driver loads but no GPU is usable: the CPU, saying why", lib: noNVML, usable: errNoDevice,
			want: want{note: "no GPU usable (cuda: cuInit: CUDA_ERROR_NO_DEVICE: not supported): running the built-in model on the CPU"}},
		{description: "CUDA without NVML: the GPUs CUDA counts, saying so", lib: noNVML, cudaGPUs: 2,
			want: want{gpus: []string{"cuda:0", "cuda:1"}, note: "NVML lists no GPU (no NVML library (libnvidia-ml.so.1: ERROR_LIBRARY_NOT_FOUND)): running on the 2 GPU(s) CUDA reports, without GPU telemetry"}},
		{description: "CUDA without NVML: an index", lib: noNVML, cudaGPUs: 2, devices: "1", want: want{gpus: []string{"cuda:1"},
			note: "NVML lists no GPU (no NVML library (libnvidia-ml.so.1: ERROR_LIBRARY_NOT_FOUND)): running on the 2 GPU(s) CUDA reports, without GPU telemetry"}},
		{description: "CUDA without NVML: no UUIDs", lib: noNVML, cudaGPUs: 2, devices: gpuUUID(0), want: want{err: "no visible GPU with that UUID"}},
		{description: "CUDA without NVML and no device: the CPU", lib: noNVML,
			want: want{note: "CUDA works but lists no GPU (no NVML library (libnvidia-ml.so.1: ERROR_LIBRARY_NOT_FOUND)): running the built-in model on the CPU"}},
		{description: "fp32 on a GPU host: the CPU, saying why", lib: eight, prec: builtin.FP32,
			want: want{note: "the GPU kernels are INT8 only: running fp32 on the CPU"}},
		{description: "a count on the CPU: one-core devices", lib: noNVML, usable: errNoCUDATag, count: 2, want: want{oneCore: 2}},
		{description: "a count beyond the cores", lib: noNVML, usable: errNoCUDATag, count: runtime.NumCPU() + 1,
			want: want{err: fmt.Sprintf("this machine has %d cores", runtime.NumCPU())}},
		{description: "cpu on a GPU host", lib: eight, devices: "cpu"},
		{description: "cpu split", lib: eight, devices: "cpu:2", want: want{split: 2}},
		{description: "cpu with a count", lib: eight, devices: "cpu", count: 1, want: want{oneCore: 1}},
		{description: "cpu split with a count", lib: eight, devices: "cpu:2", count: 1, want: want{err: "give cpu or all, and the count"}},
		{description: "indices in the order given", lib: eight, devices: "5,2", want: want{gpus: []string{"cuda:5", "cuda:2"}}},
		{description: "indices with a count", lib: eight, devices: "5,2,7", count: 2, want: want{gpus: []string{"cuda:5", "cuda:2"}}},
		{description: "a GPU by UUID", lib: eight, devices: gpuUUID(3), want: want{gpus: []string{"cuda:3"}}},
		{description: "a GPU by a unique UUID prefix", lib: eight, devices: "GPU-00000006", want: want{gpus: []string{"cuda:6"}}},
		{description: "an ambiguous UUID prefix", lib: eight, devices: "GPU-0000", want: want{err: "the prefix matches 8 GPUs"}},
		{description: "an unknown UUID", lib: eight, devices: "GPU-ffff", want: want{err: "GPU-ffff: no visible GPU with that UUID"}},
		{description: "a MIG instance by UUID", lib: func() nvml.Interface { return withMIG(mockH100s(2)) },
			devices: "MIG-bbbbbbbb", want: want{gpus: []string{"cuda:1"}}},
		{description: "a MIG instance in the old form", lib: func() nvml.Interface { return withMIG(mockH100s(2)) },
			devices: "MIG-" + gpuUUID(0) + "/9/0", want: want{gpus: []string{"cuda:0"}}},
		{description: "a MIG-enabled GPU's UUID stands for its instances", lib: func() nvml.Interface { return withMIG(mockH100s(2)) },
			devices: gpuUUID(1) + "," + gpuUUID(0), want: want{gpus: []string{"cuda:2", "cuda:0", "cuda:1"}}},
		{description: "one GPU named twice", lib: eight, devices: "3," + gpuUUID(3), want: want{err: "both name cuda:3"}},
		{description: "an index past the GPUs points to scale --counts", lib: eight, devices: "8",
			want: want{err: "8: no GPU with that index; visible: 0 " + gpuUUID(0)}},
		{description: "a lone number is not a count", lib: eight, devices: "8", want: want{err: "`gotrt scale --counts N` runs on N devices"}},
		{description: "GPU indices on a GPU-less host", lib: noNVML, usable: errNoCUDATag, devices: "0,1",
			want: want{err: `devices "0,1": no GPU on this machine (no NVML library`}},
		{description: "a GPU index without the cuda tag", lib: eight, usable: errNoCUDATag, devices: "0",
			want: want{err: `devices "0": no GPU usable: the built-in model on a GPU: not supported (this gotrt was built without -tags cuda)`}},
		{description: "a GPU index when CUDA finds none", lib: eight, usable: errNoDevice, devices: "0",
			want: want{err: "no GPU usable: cuda: cuInit: CUDA_ERROR_NO_DEVICE"}},
		{description: "fp32 on named GPUs", lib: eight, devices: "0", prec: builtin.FP32, want: want{err: "the GPU kernels are INT8 only, not fp32"}},
		{description: "a negative count", lib: eight, count: -1, want: want{err: "count -1"}},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			withGPU(t, tc.usable, nil)
			if tc.cudaGPUs > 0 {
				withCUDAGPUs(tc.cudaGPUs)
			}
			cfg := Config{Devices: tc.devices, Count: tc.count}
			p, err := placeBuiltin(&cfg, discover(t, tc.lib()), tc.prec)
			if tc.want.err != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrConfig)
				assert.Contains(t, err.Error(), tc.want.err)
				return
			}
			require.NoError(t, err)
			var ids []string
			for _, g := range p.gpus {
				ids = append(ids, g.ID)
			}
			assert.Equal(t, tc.want.gpus, ids)
			assert.Equal(t, tc.want.split, p.split)
			assert.Equal(t, tc.want.oneCore, p.oneCore)
			assert.Equal(t, tc.want.note, p.note)
		})
	}
}

func TestPlaceEngine(t *testing.T) {
	tests := []struct {
		description string
		lib         nvml.Interface
		devices     string
		count       int
		want        []string
		wantErr     string
		config      bool // the error is ErrConfig
	}{
		{description: "every GPU", lib: mockH100s(4), want: []string{"cuda:0", "cuda:1", "cuda:2", "cuda:3"}},
		{description: "a count", lib: mockH100s(4), count: 3, want: []string{"cuda:0", "cuda:1", "cuda:2"}},
		{description: "indices", lib: mockH100s(4), devices: "3,1", want: []string{"cuda:3", "cuda:1"}},
		{description: "the cpu", lib: mockH100s(4), devices: "cpu", wantErr: "runs a TensorRT engine, on GPUs only", config: true},
		{description: "no GPU", lib: noNVML(), wantErr: "no GPU for a TensorRT engine: no NVML library"},
		{description: "an unknown index", lib: mockH100s(4), devices: "4", wantErr: "no GPU with that index", config: true},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			cfg := Config{Model: "resnet50", Devices: tc.devices, Count: tc.count}
			gpus, err := placeEngine(&cfg, discover(t, tc.lib))
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Equal(t, tc.config, errors.Is(err, ErrConfig))
				return
			}
			require.NoError(t, err)
			var ids []string
			for _, g := range gpus {
				ids = append(ids, g.ID)
			}
			assert.Equal(t, tc.want, ids)
		})
	}
}

func TestDeviceCount(t *testing.T) {
	tests := []struct {
		description string
		cfg         Config
		usable      error
		want        int
		wantErr     string
	}{
		{description: "built-in model, no cuda tag: the cores", cfg: Config{NVML: mockH100s(4)}, usable: errNoCUDATag, want: runtime.NumCPU()},
		{description: "built-in model on usable GPUs: the GPUs", cfg: Config{NVML: mockH100s(4)}, want: 4},
		{description: "built-in model on named GPUs", cfg: Config{NVML: mockH100s(4), Devices: "1,3"}, want: 2},
		{description: "built-in model forced onto the cpu", cfg: Config{NVML: mockH100s(4), Devices: "cpu"}, want: runtime.NumCPU()},
		{description: "a cpu split does not step", cfg: Config{NVML: mockH100s(4), Devices: "cpu:2"}, wantErr: "a count runs on one-core devices"},
		{description: "catalogue model: the GPUs", cfg: Config{NVML: mockH100s(4), Model: "resnet50"}, want: 4},
		{description: "catalogue model without a GPU", cfg: Config{NVML: noNVML(), Model: "resnet50"}, wantErr: "no GPU for a TensorRT engine"},
		{description: "the null SUT: the cores", cfg: Config{NVML: noNVML(), SUT: "null"}, want: runtime.NumCPU()},
		{description: "a discovered inventory is used as given", cfg: Config{Inventory: &cuda.Inventory{Devices: []result.Device{testHost}, Cause: cuda.ErrNoGPU}, Model: "resnet50"},
			wantErr: "no GPU for a TensorRT engine"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			t.Setenv(cuda.VisibleDevicesEnv, "0,1,2,3")
			withGPU(t, tc.usable, nil)
			n, err := DeviceCount(tc.cfg)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, n)
		})
	}
}

// fakeGPU is the built-in model on two CPU cores calling itself a GPU. Like
// a real one it refuses to close while an executor is open.
type fakeGPU struct {
	*builtin.Device
	mu           sync.Mutex
	open, opened int
	closed       bool
}

func (f *fakeGPU) Kind() string { return result.KindGPU }

func (f *fakeGPU) Info() result.Device {
	return result.Device{ID: f.ID(), Kind: result.KindGPU, Name: "Fake GPU"}
}

func (f *fakeGPU) NewExecutor(stream, maxBatch int) (device.Executor, error) {
	e, err := f.Device.NewExecutor(stream, maxBatch)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, gpuerr.ErrClosed
	}
	f.open++
	f.opened++
	return &fakeExec{Executor: e, dev: f}, nil
}

func (f *fakeGPU) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.open > 0 {
		return fmt.Errorf("close %s: %d executors open: %w", f.ID(), f.open, gpuerr.ErrInUse)
	}
	f.closed = true
	return nil
}

type fakeExec struct {
	device.Executor
	dev  *fakeGPU
	once sync.Once
}

func (e *fakeExec) Close() error {
	e.once.Do(func() {
		e.dev.mu.Lock()
		e.dev.open--
		e.dev.mu.Unlock()
	})
	return e.Executor.Close()
}

// fakeGPUs records the fakes it opens; failAt makes that ordinal fail.
type fakeGPUs struct {
	mu     sync.Mutex
	devs   []*fakeGPU
	failAt int
}

func (g *fakeGPUs) open(ordinal int, id string, m *builtin.Model, streams int) (gpuDevice, error) {
	if streams == 0 {
		streams = 2
	}
	if ordinal == g.failAt {
		return nil, fmt.Errorf("cuda: out of memory: %w", errors.ErrUnsupported)
	}
	d, err := builtin.NewDevice(id, streams, m, builtin.INT8)
	if err != nil {
		return nil, err
	}
	f := &fakeGPU{Device: d}
	g.mu.Lock()
	g.devs = append(g.devs, f)
	g.mu.Unlock()
	return f, nil
}

func shortConf(ms string) *loadgen.ConfigFile {
	return &loadgen.ConfigFile{Name: "user.conf", Data: []byte("*.*.min_duration = " + ms + "\n")}
}

func TestRunBuiltinOnGPUs(t *testing.T) {
	fakes := &fakeGPUs{failAt: -1}
	withGPU(t, nil, fakes.open)
	t.Setenv(cuda.VisibleDevicesEnv, "")
	lib := mockH100s(4)
	inv, err := cuda.Discover(lib, cuda.WithHost(testHost), cuda.WithAllDevices())
	require.NoError(t, err)
	defer inv.Close()

	// An expected QPS far above what the fakes do on the CPU, without the
	// probe: the one query (27500 samples) outlasts the minimum duration on
	// any machine, so a busy one only runs longer, never INVALID.
	cfg := Config{
		Inventory: inv, Devices: "2,1", NoProbe: true, TelemetryInterval: 20 * time.Millisecond,
		UserConf: &loadgen.ConfigFile{Name: "user.conf", Data: []byte("*.Offline.target_qps = 5000000\n*.*.min_duration = 5\n")},
	}
	cfg.Sched.MaxBatch = 64 // the fakes compute on the CPU
	rep, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	r := rep.Result
	assert.True(t, r.Valid, "reasons: %v", r.Reasons)

	// The devices are the GPUs named, as discovery describes them.
	require.Len(t, r.Devices, 2)
	for i, id := range []string{"cuda:2", "cuda:1"} {
		assert.Equal(t, id, r.Devices[i].ID)
		assert.Equal(t, result.KindGPU, r.Devices[i].Kind)
		assert.Equal(t, "NVIDIA H100 80GB HBM3", r.Devices[i].Name)
		assert.Equal(t, gpuUUID(2-i), r.Devices[i].UUID)
	}
	assert.Equal(t, "builtin-cnn int8 on GPU (2× NVIDIA H100 80GB HBM3, gotrt's CUDA kernels)", r.Extra["model_description"])
	require.NotNil(t, r.Scheduler)
	for _, d := range r.Scheduler.Devices {
		assert.Equal(t, result.KindGPU, d.Kind, d.ID)
		assert.Equal(t, 2, d.Streams, d.ID, "the device's own stream count")
	}

	// Every fake was opened once, its executors were closed by the
	// scheduler, and then it was closed.
	require.Len(t, fakes.devs, 2)
	for _, f := range fakes.devs {
		assert.True(t, f.closed, f.ID())
		assert.Zero(t, f.open, f.ID())
		assert.Positive(t, f.opened, f.ID())
	}

	// Telemetry: every GPU is sampled, only those that ran count.
	tel := r.Telemetry
	require.NotNil(t, tel)
	require.Len(t, tel.Devices, 4)
	var energy float64
	for _, d := range tel.Devices {
		ran := d.ID == "cuda:1" || d.ID == "cuda:2"
		assert.Equal(t, ran, d.Ran, d.ID)
		require.NotNil(t, d.UtilizationPct, d.ID)
		require.NotNil(t, d.PowerW, d.ID)
		require.NotNil(t, d.SMClockMHz, d.ID)
		assert.InDelta(t, 1980, d.SMClockMHz.Mean, 1e-9)
		assert.Equal(t, "counter", d.EnergySource, d.ID)
		if ran {
			energy += d.EnergyJ
			assert.Positive(t, d.Samples, d.ID)
			assert.Positive(t, d.SamplesPerJoule, d.ID)
		} else {
			assert.Zero(t, d.Samples, d.ID)
		}
	}
	assert.InDelta(t, energy, tel.EnergyJ, 1e-9, "the run's energy is that of the GPUs that ran")
	var samples int64
	for _, d := range r.Scheduler.Devices {
		samples += int64(d.Samples)
	}
	assert.InDelta(t, float64(samples)/energy, tel.SamplesPerJoule, 1e-6)
}

// On a GPU host, a binary that cannot use the GPU runs on the CPU, says why
// in one line, and never divides the idle GPUs' energy into its samples.
func TestRunBuiltinCPUFallbackOnGPUHost(t *testing.T) {
	for _, tc := range []struct {
		description string
		usable      error
		wantNote    string
	}{
		{"no cuda tag", errNoCUDATag, "this gotrt was built without -tags cuda: running the built-in model on the CPU, not on the 2 GPU(s)\n"},
		{"no usable GPU", errNoDevice, "no GPU usable (cuda: cuInit: CUDA_ERROR_NO_DEVICE: not supported): running the built-in model on the CPU\n"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			withGPU(t, tc.usable, func(int, string, *builtin.Model, int) (gpuDevice, error) {
				t.Error("a GPU was opened")
				return nil, errors.ErrUnsupported
			})
			t.Setenv(cuda.VisibleDevicesEnv, "0,1")
			var log bytes.Buffer
			rep, err := Run(context.Background(), Config{
				NVML: mockH100s(2), UserConf: shortConf("200"), TelemetryInterval: 20 * time.Millisecond, Log: &log,
			})
			require.NoError(t, err)
			r := rep.Result
			assert.Equal(t, tc.wantNote, log.String())
			assert.Equal(t, strings.TrimSuffix(tc.wantNote, "\n"), r.Extra["devices_note"])
			require.Len(t, r.Devices, 1)
			assert.Equal(t, result.KindCPU, r.Devices[0].Kind)
			assert.Contains(t, r.Extra["model_description"], "builtin-cnn int8 on the CPU (1 device(s), ")
			tel := r.Telemetry
			require.NotNil(t, tel)
			require.Len(t, tel.Devices, 2, "the idle GPUs are still sampled")
			for _, d := range tel.Devices {
				assert.False(t, d.Ran, d.ID)
				assert.Positive(t, d.EnergyJ, d.ID)
			}
			assert.Zero(t, tel.EnergyJ)
			assert.Zero(t, tel.SamplesPerJoule, "no samples/J from idle GPUs")
		})
	}
}

func TestRunBuiltinGPUOpenFailureClosesTheOpened(t *testing.T) {
	fakes := &fakeGPUs{failAt: 1}
	withGPU(t, nil, fakes.open)
	inv := discover(t, mockH100s(3))
	_, err := Run(context.Background(), Config{Inventory: inv, UserConf: shortConf("100"), TelemetryInterval: -1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "open cuda:1 (NVIDIA H100 80GB HBM3): cuda: out of memory")
	require.Len(t, fakes.devs, 1)
	assert.True(t, fakes.devs[0].closed, "the GPU opened before the failure is closed")
}

func TestRunGPUIndicesWithoutAGPU(t *testing.T) {
	_, err := Run(context.Background(), Config{NVML: noNVML(), Devices: "0,1", TelemetryInterval: -1})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), `devices "0,1": no GPU on this machine`)
}

// Where CUDA works without NVML, the run uses the GPUs CUDA counts, named
// by the devices themselves, with no GPU telemetry and no samples/J.
func TestRunBuiltinOnGPUsWithoutNVML(t *testing.T) {
	fakes := &fakeGPUs{failAt: -1}
	withGPU(t, nil, fakes.open)
	withCUDAGPUs(1)
	var log bytes.Buffer
	cfg := Config{NVML: noNVML(), UserConf: shortConf("200"), TelemetryInterval: 20 * time.Millisecond, Log: &log}
	cfg.Sched.MaxBatch = 64
	rep, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	r := rep.Result
	assert.Contains(t, log.String(), "running on the 1 GPU(s) CUDA reports, without GPU telemetry")
	require.Len(t, r.Devices, 1)
	assert.Equal(t, result.Device{Index: 0, ID: "cuda:0", Kind: result.KindGPU, Name: "Fake GPU"}, r.Devices[0])
	require.NotNil(t, r.Telemetry)
	assert.Empty(t, r.Telemetry.Devices)
	assert.Zero(t, r.Telemetry.SamplesPerJoule)
	require.Len(t, fakes.devs, 1)
	assert.True(t, fakes.devs[0].closed)
}
