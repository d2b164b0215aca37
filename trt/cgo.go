//go:build tensorrt

package trt

// The include paths come from the environment (CGO_CXXFLAGS, CGO_CFLAGS):
// the NGC TensorRT image has TensorRT's headers on the default paths and
// CUDA's under /usr/local/cuda; see third_party/tensorrt/README.md. No
// TensorRT or CUDA library is linked: dl.c opens TensorRT at run time
// (load.go), and CUDA graphs go through package cuda's driver binding.

/*
#cgo CXXFLAGS: -std=c++17
#cgo LDFLAGS: -lstdc++
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"unsafe"
)

// The Go status codes are the shim's (an out-of-range index fails the build).
var (
	_ = [1]struct{}{}[CodeInvalidArgument-C.GOTRT_ERR_INVALID_ARGUMENT]
	_ = [1]struct{}{}[CodeFailed-C.GOTRT_ERR_FAILED]
	_ = [1]struct{}{}[CodeOutOfMemory-C.GOTRT_ERR_OUT_OF_MEMORY]
	_ = [1]struct{}{}[CodeException-C.GOTRT_ERR_EXCEPTION]
	_ = [1]struct{}{}[CodeNotSupported-C.GOTRT_ERR_NOT_SUPPORTED]
	_ = [1]struct{}{}[CodeCUDA-C.GOTRT_ERR_CUDA]
	_ = [1]struct{}{}[ModeInput-C.GOTRT_IO_INPUT]
	_ = [1]struct{}{}[ModeOutput-C.GOTRT_IO_OUTPUT]
	_ = [1]struct{}{}[CalibEntropy2-C.GOTRT_CALIB_ENTROPY2]
	_ = [1]struct{}{}[CalibMinMax-C.GOTRT_CALIB_MINMAX]
)

// status is the one helper that turns a shim status into a Go error: it reads
// the code and the message, frees the message and returns an *Error (nil on
// GOTRT_OK).
func status(op string, rc C.int, msg *C.char) error {
	var m string
	if msg != nil {
		m = C.GoString(msg)
		C.free(unsafe.Pointer(msg))
	}
	return newError(op, Code(rc), m)
}

// call runs one shim function, which reports through its err argument, and
// returns status's error. It keeps the read of the message after the call.
func call(op string, f func(msg **C.char) C.int) error {
	var msg *C.char
	rc := f(&msg)
	return status(op, rc, msg)
}

// cstring returns a C copy of s and its release.
func cstring(s string) (*C.char, func()) {
	p := C.CString(s)
	return p, func() { C.free(unsafe.Pointer(p)) }
}

// dims is the shim's in/out form of a shape.
type dims struct {
	d    [C.GOTRT_MAX_DIMS]C.int64_t
	rank C.int32_t
}

func (d *dims) shape() Shape {
	s := make(Shape, int(d.rank))
	for i := range s {
		s[i] = int64(d.d[i])
	}
	return s
}

func toDims(s Shape) (*dims, error) {
	if len(s) > C.GOTRT_MAX_DIMS {
		return nil, newError("dims", CodeInvalidArgument, "shape "+s.String()+" has more than 8 dimensions")
	}
	d := &dims{rank: C.int32_t(len(s))}
	for i, v := range s {
		d.d[i] = C.int64_t(v)
	}
	return d, nil
}

// LibraryVersion reports the version of the TensorRT library, loading it
// first ([Load]).
func LibraryVersion() (Version, error) {
	lib, err := Load()
	if err != nil {
		return Version{}, err
	}
	return lib.Version, nil
}

// headerVersion reports the TensorRT headers the shim was compiled with.
func headerVersion() Version {
	var ma, mi, pa C.int32_t
	C.gotrt_header_version(&ma, &mi, &pa, nil)
	return Version{Major: int(ma), Minor: int(mi), Patch: int(pa)}
}

// SetLogSeverity sets the most verbose TensorRT log severity printed to
// stderr (SeverityWarning by default). Errors are recorded for the failing
// call's *Error whatever the level.
func SetLogSeverity(s Severity) error {
	return call("setLogSeverity", func(m **C.char) C.int { return C.gotrt_logger_set_severity(C.int32_t(s), m) })
}
