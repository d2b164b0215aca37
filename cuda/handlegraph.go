//go:build cuda

package cuda

// #include "driver.h"
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// HandleGraph is an executable CUDA graph captured from a raw stream handle
// with [CaptureHandle]: the graph path for a library such as TensorRT that
// queues its work itself on a CUstream it was handed ([Stream.Handle]). It
// goes through this package's dlopen()ed driver binding, so such a library's
// caller needs no CUDA runtime (libcudart).
type HandleGraph struct {
	e C.CUgraphExec
}

// CaptureHandle records the work f queues on the stream h (a CUstream, the
// same as a cudaStream_t; not the legacy default stream) into a graph, in
// thread-local capture mode, and instantiates it. The stream's context must
// be current on the calling thread, as it is inside [Context.Do], and f must
// run on that thread.
func CaptureHandle(h unsafe.Pointer, f func() error) (*HandleGraph, error) {
	if h == nil {
		return nil, fmt.Errorf("cuda stream capture: cannot capture the legacy default stream: %w", errInvalidHandle)
	}
	if err := load(); err != nil {
		return nil, err
	}
	s := C.CUstream(h)
	if err := checkC("cuStreamBeginCapture", C.gotrt_cuStreamBeginCapture(s, C.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL)); err != nil {
		return nil, fmt.Errorf("cuda stream capture: %w", err)
	}
	ferr := f()
	var g C.CUgraph
	err := checkC("cuStreamEndCapture", C.gotrt_cuStreamEndCapture(s, &g))
	if ferr != nil || err != nil {
		if g != nil {
			_ = checkC("cuGraphDestroy", C.gotrt_cuGraphDestroy(g))
		}
		return nil, fmt.Errorf("cuda stream capture: %w", errors.Join(ferr, err))
	}
	var e C.CUgraphExec
	err = checkC("cuGraphInstantiateWithFlags", C.gotrt_cuGraphInstantiateWithFlags(&e, g, 0))
	// The executable graph does not need the graph it was made from.
	derr := checkC("cuGraphDestroy", C.gotrt_cuGraphDestroy(g))
	if err != nil {
		return nil, fmt.Errorf("cuda graph instantiate: %w", err)
	}
	if derr != nil {
		_ = checkC("cuGraphExecDestroy", C.gotrt_cuGraphExecDestroy(e))
		return nil, fmt.Errorf("cuda graph: %w", derr)
	}
	return &HandleGraph{e: e}, nil
}

// Launch replays the graph on the stream h; the stream's context must be
// current.
func (g *HandleGraph) Launch(h unsafe.Pointer) error {
	if g == nil || g.e == nil {
		return fmt.Errorf("cuda graph launch: %w", ErrClosed)
	}
	return checkC("cuGraphLaunch", C.gotrt_cuGraphLaunch(g.e, C.CUstream(h)))
}

// Close destroys the graph; the context it was captured in must be current.
// Safe on nil and twice.
func (g *HandleGraph) Close() error {
	if g == nil || g.e == nil {
		return nil
	}
	e := g.e
	g.e = nil
	return checkC("cuGraphExecDestroy", C.gotrt_cuGraphExecDestroy(e))
}

// errInvalidHandle is the driver's CUDA_ERROR_INVALID_HANDLE, for a nil stream.
var errInvalidHandle = &Error{Op: "cuStreamBeginCapture", Code: ErrInvalidHandle}
