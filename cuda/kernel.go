package cuda

// Dim3 is a grid or block size for [Stream.Launch]; a zero Y or Z is not
// promoted to 1 (the driver rejects it), so write all three.
type Dim3 struct{ X, Y, Z uint32 }

// DeviceAttribute is a CUdevice_attribute number, for [Context.Attribute].
// The values are cuda.h's (the `cuda` build checks each one at compile time).
type DeviceAttribute int

// Device attributes a kernel launcher needs.
const (
	AttrMaxThreadsPerBlock               DeviceAttribute = 1
	AttrWarpSize                         DeviceAttribute = 10
	AttrClockRateKHz                     DeviceAttribute = 13
	AttrMultiprocessorCount              DeviceAttribute = 16
	AttrL2CacheSize                      DeviceAttribute = 38 // bytes
	AttrMaxThreadsPerMultiprocessor      DeviceAttribute = 39
	AttrComputeCapabilityMajor           DeviceAttribute = 75
	AttrComputeCapabilityMinor           DeviceAttribute = 76
	AttrMaxSharedMemoryPerMultiprocessor DeviceAttribute = 81 // bytes
	// AttrMaxSharedMemoryPerBlockOptin is the most dynamic shared memory a
	// block may use after [Function.SetMaxDynamicSharedMemory] (bytes).
	AttrMaxSharedMemoryPerBlockOptin DeviceAttribute = 97
)

// MaxLaunchArgs is the most arguments [Stream.Launch] takes: CUDA's 4 KiB of
// kernel parameters in 8-byte slots.
const MaxLaunchArgs = 512
