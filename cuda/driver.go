//go:build cuda

package cuda

// The Go half of gotrt's CUDA driver binding: driver.c dlopen()s
// libcuda.so.1 on the first CUDA call, so a `cuda` binary links no libcuda
// and starts anywhere; this file loads it once and turns CUresults into
// errors.
//
// The noescape and nocallback lines (cgo merges them across the package's
// files) let Go pass pointers to its stack variables for the driver's
// out-parameters, and Go memory to copy from, without moving them to the
// heap, so the hot path does not allocate. Both hold for these calls: the
// driver reads or writes the memory before returning and keeps no pointer,
// and never calls back into Go from them (host functions run on the driver's
// own thread, not inside the call that queued or waits for them).

/*
#cgo LDFLAGS: -ldl
#cgo noescape gotrt_cuDriverGetVersion
#cgo nocallback gotrt_cuDriverGetVersion
#cgo noescape gotrt_cuGetErrorString
#cgo nocallback gotrt_cuGetErrorString
#cgo noescape gotrt_cuDeviceGetCount
#cgo nocallback gotrt_cuDeviceGetCount
#cgo noescape gotrt_cuDeviceGet
#cgo nocallback gotrt_cuDeviceGet
#cgo noescape gotrt_cuDeviceGetAttribute
#cgo nocallback gotrt_cuDeviceGetAttribute
#cgo noescape gotrt_cuCtxGetCurrent
#cgo nocallback gotrt_cuCtxGetCurrent
#cgo noescape gotrt_cuCtxPopCurrent
#cgo nocallback gotrt_cuCtxPopCurrent
#cgo noescape gotrt_cuMemcpyHtoDAsync
#cgo nocallback gotrt_cuMemcpyHtoDAsync
#cgo noescape gotrt_cuMemcpyDtoHAsync
#cgo nocallback gotrt_cuMemcpyDtoHAsync
#cgo noescape gotrt_cuEventElapsedTime
#cgo nocallback gotrt_cuEventElapsedTime
#cgo noescape gotrt_cuGraphGetNodes
#cgo nocallback gotrt_cuGraphGetNodes
#include "driver.h"
*/
import "C"

import (
	"errors"
	"sync"

	"github.com/gotrt/gotrt/internal/gpuerr"
)

// driver is the process's one load of libcuda.so.1 and cuInit. A failure is
// kept: a process that found no usable driver does not find one later.
var driver struct {
	once sync.Once
	err  error
}

// load opens libcuda.so.1 and calls cuInit, once; every call that reaches the
// driver without a Context goes through it first.
func load() error {
	driver.once.Do(func() {
		if why := C.gotrt_cuda_load(); why != nil {
			driver.err = &unavailableError{err: errors.New(C.GoString(why))}
			return
		}
		if err := checkC("cuInit", C.gotrt_cuInit(0)); err != nil {
			driver.err = &unavailableError{err: err}
		}
	})
	return driver.err
}

// unavailableError says why this process cannot use CUDA: the driver library
// did not load or cuInit failed. It matches ErrNotSupported and unwraps to
// the cause (an *Error for cuInit, so errors.Is(err, ErrNoDevice) works).
type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return "no usable CUDA device: " + e.err.Error() }

func (e *unavailableError) Unwrap() error { return e.err }

// Is makes the error match ErrNotSupported whatever the cause.
func (e *unavailableError) Is(target error) bool { return target == gpuerr.ErrNotSupported }

// Available reports whether this process can use a CUDA device: nil when the
// driver loads, initialises and reports at least one device, else an error
// matching [ErrNotSupported] whose one line says why (for example "no usable
// CUDA device: libcuda.so.1: cannot open shared object file: No such file or
// directory", or "...: cuInit: CUDA_ERROR_NO_DEVICE: ..."). Callers use it to
// fall back to the CPU. A device can still fail later, in [NewContext].
func Available() error {
	n, err := DeviceCount()
	if err != nil {
		return err
	}
	if n == 0 {
		return &unavailableError{err: errors.New("the CUDA driver reports no device")}
	}
	return nil
}

// DriverVersion returns the CUDA version the driver supports, as major*1000 +
// minor*10 (13000 for CUDA 13.0).
func DriverVersion() (int, error) {
	if err := load(); err != nil {
		return 0, err
	}
	var v C.int
	if err := checkC("cuDriverGetVersion", C.gotrt_cuDriverGetVersion(&v)); err != nil {
		return 0, err
	}
	return int(v), nil
}

// checkC turns a CUresult into an *Error (nil on success); it is the one
// place a native status becomes a Go error.
func checkC(op string, r C.CUresult) error {
	if r == C.CUDA_SUCCESS {
		return nil
	}
	e := &Error{Op: op, Code: Result(r)}
	var s *C.char
	if C.gotrt_cuGetErrorString(r, &s) == C.CUDA_SUCCESS && s != nil {
		e.Msg = C.GoString(s)
	}
	return e
}

// The numbers this package declares are cuda.h's: each line below stops the
// build if one differs.
var (
	_ = [1]struct{}{}[ErrInvalidValue-C.CUDA_ERROR_INVALID_VALUE]
	_ = [1]struct{}{}[ErrOutOfMemory-C.CUDA_ERROR_OUT_OF_MEMORY]
	_ = [1]struct{}{}[ErrNotInitialized-C.CUDA_ERROR_NOT_INITIALIZED]
	_ = [1]struct{}{}[ErrStubLibrary-C.CUDA_ERROR_STUB_LIBRARY]
	_ = [1]struct{}{}[ErrNoDevice-C.CUDA_ERROR_NO_DEVICE]
	_ = [1]struct{}{}[ErrInvalidDevice-C.CUDA_ERROR_INVALID_DEVICE]
	_ = [1]struct{}{}[ErrInvalidImage-C.CUDA_ERROR_INVALID_IMAGE]
	_ = [1]struct{}{}[ErrInvalidContext-C.CUDA_ERROR_INVALID_CONTEXT]
	_ = [1]struct{}{}[ErrNoBinaryForGPU-C.CUDA_ERROR_NO_BINARY_FOR_GPU]
	_ = [1]struct{}{}[ErrInvalidPTX-C.CUDA_ERROR_INVALID_PTX]
	_ = [1]struct{}{}[ErrUnsupportedPTXVersion-C.CUDA_ERROR_UNSUPPORTED_PTX_VERSION]
	_ = [1]struct{}{}[ErrInvalidHandle-C.CUDA_ERROR_INVALID_HANDLE]
	_ = [1]struct{}{}[ErrNotFound-C.CUDA_ERROR_NOT_FOUND]
	_ = [1]struct{}{}[ErrNotReady-C.CUDA_ERROR_NOT_READY]
	_ = [1]struct{}{}[ErrIllegalAddress-C.CUDA_ERROR_ILLEGAL_ADDRESS]
	_ = [1]struct{}{}[ErrLaunchOutOfResources-C.CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES]
	_ = [1]struct{}{}[ErrLaunchFailed-C.CUDA_ERROR_LAUNCH_FAILED]
	_ = [1]struct{}{}[ErrNotPermitted-C.CUDA_ERROR_NOT_PERMITTED]
	_ = [1]struct{}{}[ErrCUDANotSupported-C.CUDA_ERROR_NOT_SUPPORTED]
	_ = [1]struct{}{}[ErrStreamCapture-C.CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED]
	_ = [1]struct{}{}[ErrUnknown-C.CUDA_ERROR_UNKNOWN]

	_ = [1]struct{}{}[AttrMaxThreadsPerBlock-C.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK]
	_ = [1]struct{}{}[AttrWarpSize-C.CU_DEVICE_ATTRIBUTE_WARP_SIZE]
	_ = [1]struct{}{}[AttrClockRateKHz-C.CU_DEVICE_ATTRIBUTE_CLOCK_RATE]
	_ = [1]struct{}{}[AttrMultiprocessorCount-C.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT]
	_ = [1]struct{}{}[AttrL2CacheSize-C.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE]
	_ = [1]struct{}{}[AttrMaxThreadsPerMultiprocessor-C.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR]
	_ = [1]struct{}{}[AttrComputeCapabilityMajor-C.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR]
	_ = [1]struct{}{}[AttrComputeCapabilityMinor-C.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR]
	_ = [1]struct{}{}[AttrMaxSharedMemoryPerMultiprocessor-C.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR]
	_ = [1]struct{}{}[AttrMaxSharedMemoryPerBlockOptin-C.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN]
)
