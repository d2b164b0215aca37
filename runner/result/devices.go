package result

// Device kinds.
const (
	KindGPU       = "gpu"       // a whole GPU: bare metal, passthrough or a vGPU
	KindMIG       = "mig"       // a MIG instance (GPU instance + compute instance)
	KindCPU       = "cpu"       // the host CPU
	KindSimulated = "simulated" // a simulated device (tests and studies only)
)

// Virtualization modes, as NVML reports them for a GPU.
const (
	VirtBareMetal   = "bare-metal"  // no virtualization
	VirtPassthrough = "passthrough" // the whole GPU passed through to a VM
	VirtVGPUGuest   = "vgpu-guest"  // a vGPU seen from inside the VM
	VirtVGPUHost    = "vgpu-host"   // the hypervisor's view of a GPU hosting vGPUs
	VirtVSGAHost    = "vsga-host"   // the hypervisor's view of a GPU hosting vSGA
)

// Device describes one device a run used (or discovery found).
//
// For GPUs and MIG instances Index is the CUDA ordinal (the position in the
// devices the process can see, after CUDA_VISIBLE_DEVICES), which is what
// cuda.NewContext takes; NVMLIndex is the physical GPU's NVML index.
type Device struct {
	// Index is the CUDA ordinal for GPUs and MIG instances, 0 for the CPU.
	Index int `json:"index"`
	// ID names the device within a run, e.g. "cuda:0", "cpu", "sim:1".
	ID string `json:"id"`
	// Kind is one of KindGPU, KindMIG, KindCPU, KindSimulated.
	Kind string `json:"kind"`
	// Name is the product name, e.g. "NVIDIA H100 80GB HBM3", "GRID T4-16Q",
	// or the CPU model.
	Name string `json:"name"`
	// UUID is NVML's "GPU-..." or "MIG-..." identifier.
	UUID string `json:"uuid,omitempty"`
	// NVMLIndex is NVML's index of the (parent) GPU.
	NVMLIndex int `json:"nvml_index,omitempty"`
	// PCIBusID is the domain:bus:device.function of the (parent) GPU.
	PCIBusID string `json:"pci_bus_id,omitempty"`
	// MemoryB is the device memory in bytes (host memory for the CPU).
	MemoryB uint64 `json:"memory_bytes,omitempty"`
	// ComputeCapability is "major.minor", e.g. "9.0".
	ComputeCapability string `json:"compute_capability,omitempty"`
	// Multiprocessors is the number of SMs (CPU cores for the CPU device).
	Multiprocessors int `json:"multiprocessors,omitempty"`
	// DriverVersion is the NVIDIA driver version, e.g. "550.54.15".
	DriverVersion string `json:"driver_version,omitempty"`
	// CUDADriverVersion is the CUDA version the driver supports, e.g. "12.4".
	CUDADriverVersion string `json:"cuda_driver_version,omitempty"`
	// TensorRT is the version of the TensorRT library the device's engine
	// ran with, e.g. "10.16.0"; empty for a device that ran no engine.
	TensorRT string `json:"tensorrt_version,omitempty"`
	// Virtualization is one of the Virt* constants, empty when unknown.
	Virtualization string `json:"virtualization,omitempty"`
	// MIGEnabled is true for a GPU whose MIG mode is on (its instances are
	// then devices of their own).
	MIGEnabled bool `json:"mig_enabled,omitempty"`
	// VGPU is set for a vGPU guest when the guest driver reports licensing.
	VGPU *VGPU `json:"vgpu,omitempty"`
	// MIG is set for a MIG instance.
	MIG *MIG `json:"mig,omitempty"`
}

// VGPU is what a vGPU guest driver reports about its licence.
type VGPU struct {
	// Product is the licensed product, e.g. "NVIDIA Virtual Compute Server".
	Product string `json:"product,omitempty"`
	// Licensed is true when a licence is held for the product.
	Licensed bool `json:"licensed"`
	// LicenseInfo is the driver's licence detail string, if any.
	LicenseInfo string `json:"license_info,omitempty"`
	// LicenseExpiry is the expiry as "YYYY-MM-DDThh:mm:ssZ", if reported.
	LicenseExpiry string `json:"license_expiry,omitempty"`
}

// MIG describes a MIG instance's place on its parent GPU.
type MIG struct {
	// ParentUUID is the UUID of the physical GPU.
	ParentUUID string `json:"parent_uuid"`
	// ParentIndex is the NVML index of the physical GPU.
	ParentIndex int `json:"parent_index"`
	// Profile is the instance profile, e.g. "1g.10gb" or "1c.2g.20gb".
	Profile string `json:"profile,omitempty"`
	// GPUInstance and ComputeInstance are the instance ids on the parent.
	GPUInstance     int `json:"gpu_instance"`
	ComputeInstance int `json:"compute_instance"`
}

// Telemetry is what was sampled from the devices and the host during a run.
type Telemetry struct {
	// IntervalNS is the sampling interval, DurationNS the span sampled.
	IntervalNS int64 `json:"interval_ns"`
	DurationNS int64 `json:"duration_ns"`
	// Samples is the number of sampling rounds.
	Samples int `json:"samples"`
	// Devices holds one entry per sampled GPU or MIG instance.
	Devices []DeviceTelemetry `json:"devices,omitempty"`
	// Host is the CPU utilisation of this process and of the system.
	Host HostTelemetry `json:"host"`
	// EnergyJ is the energy of the devices that ran the work (Ran), when
	// each of them reported it; zero for a run on the CPU, whose energy is
	// not measured (an idle GPU's energy is never counted). Until
	// SetSamples says which devices ran, it sums every sampled device.
	EnergyJ float64 `json:"energy_j,omitempty"`
	// SamplesPerJoule is the run's samples over EnergyJ, set by SetSamples.
	SamplesPerJoule float64 `json:"samples_per_joule,omitempty"`
}

// Stat is the mean and maximum of a sampled quantity.
type Stat struct {
	Mean float64 `json:"mean"`
	Max  float64 `json:"max"`
}

// DeviceTelemetry is one device's summary. A nil field was not reported by
// the device (e.g. power inside most vGPU guests and for MIG instances).
type DeviceTelemetry struct {
	// ID and UUID are those of the Device sampled.
	ID   string `json:"id"`
	UUID string `json:"uuid,omitempty"`
	// Ran is true for a device that ran the run's work; the others were
	// sampled while idle or busy with other processes, and count toward no
	// energy figure of the run.
	Ran bool `json:"ran"`
	// UtilizationPct is the percentage of time a kernel was running.
	UtilizationPct *Stat `json:"utilization_pct,omitempty"`
	// MemoryUtilizationPct is the percentage of time memory was read or written.
	MemoryUtilizationPct *Stat `json:"memory_utilization_pct,omitempty"`
	// PowerW is the board power draw in watts.
	PowerW *Stat `json:"power_w,omitempty"`
	// SMClockMHz is the SM clock.
	SMClockMHz *Stat `json:"sm_clock_mhz,omitempty"`
	// MemoryUsedB is the device memory in use, in bytes.
	MemoryUsedB *Stat `json:"memory_used_bytes,omitempty"`
	// EnergyJ is the energy used over the span: from the device's energy
	// counter when it has one ("counter"), else power integrated over time
	// ("power").
	EnergyJ      float64 `json:"energy_j,omitempty"`
	EnergySource string  `json:"energy_source,omitempty"`
	// ThrottleReasons counts, by name, the samples in which the clocks were
	// held down for a reason other than idling.
	ThrottleReasons map[string]int `json:"throttle_reasons,omitempty"`
	// Samples is this device's samples processed in the run, and
	// SamplesPerJoule that over EnergyJ; set by SetSamples.
	Samples         int64   `json:"samples,omitempty"`
	SamplesPerJoule float64 `json:"samples_per_joule,omitempty"`
}

// HostTelemetry is the host's CPU use. Percentages are of the whole machine
// (all CPUs), so 100 means every CPU was busy.
type HostTelemetry struct {
	CPUs          int   `json:"cpus"`
	ProcessCPUPct *Stat `json:"process_cpu_pct,omitempty"`
	SystemCPUPct  *Stat `json:"system_cpu_pct,omitempty"`
}

// SetSamples records how many samples the run processed, in total and per
// device ID. The sampled devices named in perDevice are the ones that ran
// (Ran); the run's EnergyJ becomes their energy, and samples per joule is
// derived wherever energy is known. A run whose devices were not sampled
// (the CPU) gets no energy figure, so an idle GPU's energy never divides
// the CPU's samples.
func (t *Telemetry) SetSamples(total int64, perDevice map[string]int64) {
	if t == nil {
		return
	}
	t.EnergyJ, t.SamplesPerJoule = 0, 0
	ran, measured := 0, 0
	var energy float64
	for i := range t.Devices {
		d := &t.Devices[i]
		n, ok := perDevice[d.ID]
		d.Ran, d.Samples, d.SamplesPerJoule = ok, 0, 0
		if !ok {
			continue
		}
		ran++
		d.Samples = n
		if d.EnergySource != "" || d.EnergyJ > 0 {
			measured++
			energy += d.EnergyJ
		}
		if d.EnergyJ > 0 {
			d.SamplesPerJoule = float64(n) / d.EnergyJ
		}
	}
	// Only a run whose every device was sampled and measured has a whole
	// energy figure: devices that ran unsampled (the CPU) leave it unknown.
	if ran == 0 || ran != measured || ran != len(perDevice) {
		return
	}
	t.EnergyJ = energy
	if energy > 0 {
		t.SamplesPerJoule = float64(total) / energy
	}
}
