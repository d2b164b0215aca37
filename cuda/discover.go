package cuda

import (
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/gotrt/gotrt/runner/result"
)

// LibraryName is the NVML library the real go-nvml binding loads.
const LibraryName = "libnvidia-ml.so.1"

// VisibleDevicesEnv is the variable CUDA reads to restrict the devices a
// process sees; Discover honours it the same way.
const VisibleDevicesEnv = "CUDA_VISIBLE_DEVICES"

// Option configures [Discover].
type Option func(*options)

type options struct {
	visible    string
	visibleSet bool // visible was given (or read from the environment)
	allVisible bool // ignore CUDA_VISIBLE_DEVICES
	probe      func() error
	probeSet   bool
	host       *result.Device
}

// WithVisibleDevices makes Discover behave as if CUDA_VISIBLE_DEVICES were
// spec, whatever the environment holds. An empty spec hides every GPU.
func WithVisibleDevices(spec string) Option {
	return func(o *options) { o.visible, o.visibleSet, o.allVisible = spec, true, false }
}

// WithAllDevices makes Discover ignore CUDA_VISIBLE_DEVICES.
func WithAllDevices() Option {
	return func(o *options) { o.visible, o.visibleSet, o.allVisible = "", false, true }
}

// WithProbe replaces the check, made before nvml Init, that the NVML library
// loads. probe returning an error makes Discover report [ErrNoNVML] without
// calling NVML at all. The default probe dlopens [LibraryName] when lib is
// go-nvml's real binding, and accepts any other implementation (a mock).
func WithProbe(probe func() error) Option {
	return func(o *options) { o.probe, o.probeSet = probe, true }
}

// WithHost replaces the description of the host CPU (the default reads
// /proc); tests use it for a deterministic CPU device.
func WithHost(host result.Device) Option {
	return func(o *options) { h := host; o.host = &h }
}

// Inventory is what [Discover] found: the GPUs and MIG instances this process
// can use, or the CPU alone with the reason. An Inventory whose NVML Init
// succeeded holds the library until Close; the [Sampler] reads through it.
type Inventory struct {
	// Devices are the visible GPUs and MIG instances in CUDA ordinal order,
	// or the CPU device alone when there is none.
	Devices []result.Device
	// Host describes the host CPU.
	Host result.Device
	// Note is one line for the user when Devices is the CPU alone, e.g.
	// "no NVML library (libnvidia-ml.so.1: ...): using the CPU only".
	Note string
	// Cause is why Devices is the CPU alone: it matches ErrNoNVML, ErrNoGPU
	// or ErrNoVisibleGPU, and ErrNotSupported. Nil when GPUs were found.
	Cause error
	// Warnings are lines about devices skipped or entries of
	// CUDA_VISIBLE_DEVICES ignored.
	Warnings []string

	lib         nvml.Interface
	handles     []nvml.Device // parallel to Devices when GPUs were found
	initialized bool
}

// GPUs reports whether the inventory holds GPUs or MIG instances.
func (inv *Inventory) GPUs() bool { return inv != nil && inv.Cause == nil && len(inv.handles) > 0 }

// Close shuts NVML down if Discover initialised it. It is safe on nil and
// on a second call. Close the [Sampler] first.
func (inv *Inventory) Close() error {
	if inv == nil || !inv.initialized {
		return nil
	}
	inv.initialized = false
	inv.handles = nil
	if ret := inv.lib.Shutdown(); ret != nvml.SUCCESS {
		return fmt.Errorf("nvml shutdown: %w", ret)
	}
	return nil
}

// Discover finds the GPUs, vGPUs and MIG instances behind lib (go-nvml's
// nvml.New() in production, a mock in tests) that CUDA_VISIBLE_DEVICES lets
// this process use.
//
// It checks that the library loads before calling Init, and makes no NVML
// call after a failed Init (go-nvml ends the process on one). Without the
// library, or without a GPU, it returns the CPU device alone, a one-line Note
// and a Cause, and a nil error. The error is non-nil only when NVML fails
// after a successful Init in a way that leaves nothing to report.
func Discover(lib nvml.Interface, opts ...Option) (*Inventory, error) {
	if lib == nil {
		return nil, errors.New("cuda discover: nil nvml library")
	}
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if !o.visibleSet && !o.allVisible {
		o.visible, o.visibleSet = os.LookupEnv(VisibleDevicesEnv)
	}
	inv := &Inventory{lib: lib}
	if o.host != nil {
		inv.Host = *o.host
	} else {
		inv.Host = HostCPU()
	}

	probe := o.probe
	if !o.probeSet {
		probe = defaultProbe(lib)
	}
	if probe != nil {
		if err := probe(); err != nil {
			return inv.cpuOnly(fmt.Errorf("%w (%w)", ErrNoNVML, err)), nil
		}
	}
	switch ret := lib.Init(); ret {
	case nvml.SUCCESS:
	case nvml.ERROR_LIBRARY_NOT_FOUND:
		return inv.cpuOnly(fmt.Errorf("%w (%s: %w)", ErrNoNVML, LibraryName, ret)), nil
	default:
		// No NVML call may follow a failed Init.
		return inv.cpuOnly(fmt.Errorf("%w (nvml init: %w)", ErrNoGPU, ret)), nil
	}
	inv.initialized = true

	sys := systemInfo(lib)
	n, ret := lib.DeviceGetCount()
	if ret != nvml.SUCCESS {
		_ = inv.Close()
		return nil, fmt.Errorf("cuda discover: nvml device count: %w", ret)
	}
	var gpus []candidate
	for i := range n {
		h, ret := lib.DeviceGetHandleByIndex(i)
		if ret != nvml.SUCCESS {
			inv.warnf("GPU %d skipped: nvml handle: %v", i, ret)
			continue
		}
		c, err := describeGPU(h, i, sys)
		if err != nil {
			inv.warnf("GPU %d skipped: %v", i, err)
			continue
		}
		if c.dev.MIGEnabled {
			c.migs = inv.describeMIGs(h, c.dev)
			if len(c.migs) == 0 {
				inv.warnf("GPU %d (%s) has MIG enabled but no MIG instance: CUDA cannot use it", i, c.dev.UUID)
			}
		}
		gpus = append(gpus, c)
	}
	if len(gpus) == 0 {
		_ = inv.Close()
		return inv.cpuOnly(fmt.Errorf("%w (nvml found %d devices)", ErrNoGPU, n)), nil
	}

	var visible []candidate
	if o.visibleSet {
		var warn []string
		visible, warn = selectVisible(gpus, o.visible)
		inv.Warnings = append(inv.Warnings, warn...)
	} else {
		visible = allVisible(gpus)
	}
	if len(visible) == 0 {
		_ = inv.Close()
		return inv.cpuOnly(fmt.Errorf("%w (%s=%q)", ErrNoVisibleGPU, VisibleDevicesEnv, o.visible)), nil
	}
	for ord, c := range visible {
		d := c.dev
		d.Index = ord
		d.ID = fmt.Sprintf("cuda:%d", ord)
		inv.Devices = append(inv.Devices, d)
		inv.handles = append(inv.handles, c.h)
	}
	return inv, nil
}

func (inv *Inventory) cpuOnly(cause error) *Inventory {
	inv.Cause = cause
	inv.Note = cause.Error() + ": using the CPU only"
	inv.Devices = []result.Device{inv.Host}
	inv.handles = nil
	return inv
}

func (inv *Inventory) warnf(format string, args ...any) {
	inv.Warnings = append(inv.Warnings, fmt.Sprintf(format, args...))
}

// defaultProbe dlopens the library when lib is go-nvml's real binding (whose
// Init would otherwise be the first touch of the library).
func defaultProbe(lib nvml.Interface) func() error {
	t := reflect.TypeOf(lib)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() != reflect.TypeOf(nvml.SUCCESS).PkgPath() {
		return nil
	}
	return func() error { return probeLibrary(LibraryName) }
}

type sysInfo struct{ driver, cuda string }

func systemInfo(lib nvml.Interface) sysInfo {
	var s sysInfo
	if v, ret := lib.SystemGetDriverVersion(); ret == nvml.SUCCESS {
		s.driver = v
	}
	if v, ret := lib.SystemGetCudaDriverVersion(); ret == nvml.SUCCESS && v > 0 {
		s.cuda = fmt.Sprintf("%d.%d", v/1000, v%1000/10)
	}
	return s
}

// candidate is a GPU (with its MIG instances) or a MIG instance.
type candidate struct {
	dev  result.Device
	h    nvml.Device
	migs []candidate
}

func describeGPU(h nvml.Device, index int, sys sysInfo) (candidate, error) {
	d := result.Device{
		Kind:              result.KindGPU,
		NVMLIndex:         index,
		DriverVersion:     sys.driver,
		CUDADriverVersion: sys.cuda,
	}
	var ret nvml.Return
	if d.UUID, ret = h.GetUUID(); ret != nvml.SUCCESS {
		return candidate{}, fmt.Errorf("nvml uuid: %w", ret)
	}
	if d.Name, ret = h.GetName(); ret != nvml.SUCCESS {
		return candidate{}, fmt.Errorf("nvml name: %w", ret)
	}
	if p, ret := h.GetPciInfo(); ret == nvml.SUCCESS {
		d.PCIBusID = pciBusID(p)
	}
	if m, ret := h.GetMemoryInfo(); ret == nvml.SUCCESS {
		d.MemoryB = m.Total
	}
	if major, minor, ret := h.GetCudaComputeCapability(); ret == nvml.SUCCESS {
		d.ComputeCapability = fmt.Sprintf("%d.%d", major, minor)
	}
	if mode, ret := h.GetVirtualizationMode(); ret == nvml.SUCCESS {
		d.Virtualization = virtualization(mode)
	}
	if d.Virtualization == result.VirtVGPUGuest || d.Virtualization == result.VirtPassthrough {
		if f, ret := h.GetGridLicensableFeatures(); ret == nvml.SUCCESS {
			d.VGPU = vgpuLicence(f)
		}
	}
	if cur, _, ret := h.GetMigMode(); ret == nvml.SUCCESS && cur == nvml.DEVICE_MIG_ENABLE {
		d.MIGEnabled = true
	}
	return candidate{dev: d, h: h}, nil
}

func (inv *Inventory) describeMIGs(h nvml.Device, parent result.Device) []candidate {
	max, ret := h.GetMaxMigDeviceCount()
	if ret != nvml.SUCCESS {
		inv.warnf("GPU %d: nvml max MIG device count: %v", parent.NVMLIndex, ret)
		return nil
	}
	var out []candidate
	for j := range max {
		mh, ret := h.GetMigDeviceHandleByIndex(j)
		if ret == nvml.ERROR_NOT_FOUND || ret == nvml.ERROR_INVALID_ARGUMENT {
			continue // an empty slot
		}
		if ret != nvml.SUCCESS {
			inv.warnf("GPU %d: MIG device %d skipped: %v", parent.NVMLIndex, j, ret)
			continue
		}
		c, err := describeMIG(mh, parent)
		if err != nil {
			inv.warnf("GPU %d: MIG device %d skipped: %v", parent.NVMLIndex, j, err)
			continue
		}
		out = append(out, c)
	}
	return out
}

func describeMIG(h nvml.Device, parent result.Device) (candidate, error) {
	d := parent
	d.Kind = result.KindMIG
	d.MIGEnabled = false
	d.VGPU = parent.VGPU
	mig := &result.MIG{ParentUUID: parent.UUID, ParentIndex: parent.NVMLIndex}
	var ret nvml.Return
	if d.UUID, ret = h.GetUUID(); ret != nvml.SUCCESS {
		return candidate{}, fmt.Errorf("nvml uuid: %w", ret)
	}
	if mig.GPUInstance, ret = h.GetGpuInstanceId(); ret != nvml.SUCCESS {
		return candidate{}, fmt.Errorf("nvml gpu instance id: %w", ret)
	}
	if mig.ComputeInstance, ret = h.GetComputeInstanceId(); ret != nvml.SUCCESS {
		return candidate{}, fmt.Errorf("nvml compute instance id: %w", ret)
	}
	d.MemoryB = 0
	if m, ret := h.GetMemoryInfo(); ret == nvml.SUCCESS {
		d.MemoryB = m.Total
	}
	name, ret := h.GetName()
	if ret != nvml.SUCCESS {
		name = ""
	}
	if i := strings.LastIndex(name, " MIG "); i >= 0 {
		mig.Profile = strings.TrimSpace(name[i+len(" MIG "):])
	}
	if a, ret := h.GetAttributes(); ret == nvml.SUCCESS {
		d.Multiprocessors = int(a.MultiprocessorCount)
		if mig.Profile == "" {
			mig.Profile = migProfile(a, parent.MemoryB)
		}
		if d.MemoryB == 0 {
			d.MemoryB = a.MemorySizeMB << 20
		}
	}
	switch {
	case strings.Contains(name, "MIG"):
		d.Name = name
	case mig.Profile != "":
		d.Name = parent.Name + " MIG " + mig.Profile
	default:
		d.Name = parent.Name + " MIG"
	}
	d.MIG = mig
	return candidate{dev: d, h: h}, nil
}

// migProfile names a MIG instance from its attributes as NVIDIA's tools do:
// "<gi>g.<mem>gb", or "<ci>c.<gi>g.<mem>gb" when the compute instance uses
// fewer slices than its GPU instance. The memory is the instance's share of
// the parent, rounded up to eighths, times the parent's memory in whole GiB.
func migProfile(a nvml.DeviceAttributes, parentBytes uint64) string {
	gb := (a.MemorySizeMB + 1023) / 1024
	if parentBytes > 0 {
		const gib = 1 << 30
		frac := float64(a.MemorySizeMB<<20) / float64(parentBytes)
		frac = math.Ceil(frac*8) / 8
		gb = uint64(math.Round(frac * float64((parentBytes+gib-1)/gib)))
	}
	if a.ComputeInstanceSliceCount > 0 && a.ComputeInstanceSliceCount != a.GpuInstanceSliceCount {
		return fmt.Sprintf("%dc.%dg.%dgb", a.ComputeInstanceSliceCount, a.GpuInstanceSliceCount, gb)
	}
	return fmt.Sprintf("%dg.%dgb", a.GpuInstanceSliceCount, gb)
}

func virtualization(m nvml.GpuVirtualizationMode) string {
	switch m {
	case nvml.GPU_VIRTUALIZATION_MODE_NONE:
		return result.VirtBareMetal
	case nvml.GPU_VIRTUALIZATION_MODE_PASSTHROUGH:
		return result.VirtPassthrough
	case nvml.GPU_VIRTUALIZATION_MODE_VGPU:
		return result.VirtVGPUGuest
	case nvml.GPU_VIRTUALIZATION_MODE_HOST_VGPU:
		return result.VirtVGPUHost
	case nvml.GPU_VIRTUALIZATION_MODE_HOST_VSGA:
		return result.VirtVSGAHost
	}
	return fmt.Sprintf("unknown(%d)", m)
}

// vgpuLicence picks the enabled licensable feature (else the first) of a
// guest driver's report; nil when licensing is not supported.
func vgpuLicence(f nvml.GridLicensableFeatures) *result.VGPU {
	n := int(f.LicensableFeaturesCount)
	if f.IsGridLicenseSupported == 0 || n == 0 {
		return nil
	}
	n = min(n, len(f.GridLicensableFeatures))
	pick := f.GridLicensableFeatures[0]
	for _, g := range f.GridLicensableFeatures[:n] {
		if g.FeatureEnabled != 0 {
			pick = g
			break
		}
	}
	v := &result.VGPU{
		Product:     cString(pick.ProductName[:]),
		Licensed:    pick.FeatureState != 0,
		LicenseInfo: cString(pick.LicenseInfo[:]),
	}
	if e := pick.LicenseExpiry; e.Year > 0 && e.Month > 0 {
		v.LicenseExpiry = time.Date(int(e.Year), time.Month(e.Month), int(e.Day),
			int(e.Hour), int(e.Min), int(e.Sec), 0, time.UTC).Format(time.RFC3339)
	}
	return v
}

func pciBusID(p nvml.PciInfo) string {
	if s := cString(p.BusId[:]); s != "" {
		return s
	}
	return cString(p.BusIdLegacy[:])
}

// cString converts a NUL-terminated C char array.
func cString(b []int8) string {
	var sb strings.Builder
	for _, c := range b {
		if c == 0 {
			break
		}
		sb.WriteByte(byte(c))
	}
	return sb.String()
}
