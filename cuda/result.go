package cuda

import (
	"fmt"

	"github.com/gotrt/gotrt/internal/gpuerr"
)

// Result is a CUDA driver API status code (CUresult). It is an error whose
// text comes from a small built-in table, so it reads the same in every build.
type Result int

// Sentinel results callers branch on: errors.Is(err, cuda.ErrOutOfMemory).
const (
	ErrInvalidValue       Result = 1   // CUDA_ERROR_INVALID_VALUE
	ErrOutOfMemory        Result = 2   // CUDA_ERROR_OUT_OF_MEMORY
	ErrNotInitialized     Result = 3   // CUDA_ERROR_NOT_INITIALIZED
	ErrStubLibrary        Result = 34  // CUDA_ERROR_STUB_LIBRARY: the link stub was loaded, not the driver
	ErrInsufficientDriver Result = 35  // the runtime API's cudaErrorInsufficientDriver (TensorRT's CUDA runtime)
	ErrNoDevice           Result = 100 // CUDA_ERROR_NO_DEVICE
	ErrInvalidDevice      Result = 101 // CUDA_ERROR_INVALID_DEVICE
	ErrInvalidImage       Result = 200 // CUDA_ERROR_INVALID_IMAGE
	ErrInvalidContext     Result = 201 // CUDA_ERROR_INVALID_CONTEXT
	ErrNoBinaryForGPU     Result = 209 // CUDA_ERROR_NO_BINARY_FOR_GPU
	ErrInvalidPTX         Result = 218 // CUDA_ERROR_INVALID_PTX
	// ErrUnsupportedPTXVersion: the PTX is newer than the driver's JIT.
	ErrUnsupportedPTXVersion Result = 222 // CUDA_ERROR_UNSUPPORTED_PTX_VERSION
	ErrInvalidHandle         Result = 400 // CUDA_ERROR_INVALID_HANDLE
	ErrNotFound              Result = 500 // CUDA_ERROR_NOT_FOUND (e.g. no such kernel)
	ErrNotReady              Result = 600 // CUDA_ERROR_NOT_READY
	ErrIllegalAddress        Result = 700 // CUDA_ERROR_ILLEGAL_ADDRESS
	ErrLaunchOutOfResources  Result = 701 // CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES
	ErrLaunchFailed          Result = 719 // CUDA_ERROR_LAUNCH_FAILED
	ErrNotPermitted          Result = 800 // CUDA_ERROR_NOT_PERMITTED
	ErrCUDANotSupported      Result = 801 // CUDA_ERROR_NOT_SUPPORTED
	ErrStreamCapture         Result = 900 // CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED
	ErrUnknown               Result = 999 // CUDA_ERROR_UNKNOWN
)

var resultNames = map[Result]string{
	0:                        "CUDA_SUCCESS",
	ErrInvalidValue:          "CUDA_ERROR_INVALID_VALUE",
	ErrOutOfMemory:           "CUDA_ERROR_OUT_OF_MEMORY",
	ErrNotInitialized:        "CUDA_ERROR_NOT_INITIALIZED",
	4:                        "CUDA_ERROR_DEINITIALIZED",
	ErrStubLibrary:           "CUDA_ERROR_STUB_LIBRARY",
	ErrInsufficientDriver:    "cudaErrorInsufficientDriver",
	46:                       "CUDA_ERROR_DEVICE_UNAVAILABLE",
	ErrNoDevice:              "CUDA_ERROR_NO_DEVICE",
	ErrInvalidDevice:         "CUDA_ERROR_INVALID_DEVICE",
	ErrInvalidImage:          "CUDA_ERROR_INVALID_IMAGE",
	ErrInvalidContext:        "CUDA_ERROR_INVALID_CONTEXT",
	ErrNoBinaryForGPU:        "CUDA_ERROR_NO_BINARY_FOR_GPU",
	ErrInvalidPTX:            "CUDA_ERROR_INVALID_PTX",
	221:                      "CUDA_ERROR_JIT_COMPILER_NOT_FOUND",
	ErrUnsupportedPTXVersion: "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
	304:                      "CUDA_ERROR_OPERATING_SYSTEM",
	ErrInvalidHandle:         "CUDA_ERROR_INVALID_HANDLE",
	ErrNotFound:              "CUDA_ERROR_NOT_FOUND",
	ErrNotReady:              "CUDA_ERROR_NOT_READY",
	ErrIllegalAddress:        "CUDA_ERROR_ILLEGAL_ADDRESS",
	ErrLaunchOutOfResources:  "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
	ErrLaunchFailed:          "CUDA_ERROR_LAUNCH_FAILED",
	ErrNotPermitted:          "CUDA_ERROR_NOT_PERMITTED",
	ErrCUDANotSupported:      "CUDA_ERROR_NOT_SUPPORTED",
	ErrStreamCapture:         "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED",
	901:                      "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED",
	803:                      "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH",
	804:                      "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE",
	ErrUnknown:               "CUDA_ERROR_UNKNOWN",
}

// Error returns the code's name, e.g. "CUDA_ERROR_OUT_OF_MEMORY".
func (r Result) Error() string {
	if n, ok := resultNames[r]; ok {
		return n
	}
	return fmt.Sprintf("CUDA error %d", int(r))
}

// Error is a failed CUDA driver call: the operation, the code and the
// driver's message. It unwraps to its [Result], and matches ErrNotSupported
// when the code means the machine cannot run CUDA (no device, a driver too
// old for the call or for the PTX, no code for this GPU, an unsupported
// operation).
type Error struct {
	Op   string // the driver call, e.g. "cuMemAlloc"
	Code Result
	Msg  string // cuGetErrorString's text, empty when unknown
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("%s: %v", e.Op, e.Code)
	}
	return fmt.Sprintf("%s: %v: %s", e.Op, e.Code, e.Msg)
}

// Unwrap returns the code, so errors.Is(err, cuda.ErrOutOfMemory) works.
func (e *Error) Unwrap() error { return e.Code }

// Is makes codes that mean "this machine cannot do it" match ErrNotSupported.
func (e *Error) Is(target error) bool {
	if target != gpuerr.ErrNotSupported {
		return false
	}
	switch e.Code {
	case ErrNoDevice, ErrStubLibrary, ErrInsufficientDriver, ErrCUDANotSupported, ErrNotInitialized,
		ErrUnsupportedPTXVersion, ErrNoBinaryForGPU:
		return true
	}
	return false
}
