//go:build cuda

package cuda

// The project's own cgo for what gorgonia.org/cu lacks: pinned host memory,
// host functions, CUDA graphs and error strings. Each C function wraps one
// driver call and adds no behaviour. It compiles against the CUDA 11.8 and
// 12.x headers (cuGraphInstantiateWithFlags exists from 11.4 on).

/*
#cgo LDFLAGS: -lcuda
#include <stdint.h>
#include <cuda.h>

extern void gotrtHostFn(uintptr_t);

static void CUDA_CB gotrt_host_trampoline(void *data) { gotrtHostFn((uintptr_t)data); }

// Wraps cuMemHostAlloc (portable: usable from every context).
static CUresult gotrt_mem_host_alloc(void **p, size_t n) {
	return cuMemHostAlloc(p, n, CU_MEMHOSTALLOC_PORTABLE);
}
// Wraps cuMemFreeHost.
static CUresult gotrt_mem_free_host(void *p) { return cuMemFreeHost(p); }
// Wraps cuLaunchHostFunc with the Go trampoline.
static CUresult gotrt_launch_host_func(CUstream s, uintptr_t h) {
	return cuLaunchHostFunc(s, gotrt_host_trampoline, (void *)h);
}
// Wraps cuStreamBeginCapture in thread-local mode.
static CUresult gotrt_stream_begin_capture(CUstream s) {
	return cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
}
// Wraps cuStreamEndCapture.
static CUresult gotrt_stream_end_capture(CUstream s, CUgraph *g) { return cuStreamEndCapture(s, g); }
// Wraps cuGraphInstantiateWithFlags.
static CUresult gotrt_graph_instantiate(CUgraphExec *e, CUgraph g) {
	return cuGraphInstantiateWithFlags(e, g, 0);
}
// Wraps cuGraphLaunch.
static CUresult gotrt_graph_launch(CUgraphExec e, CUstream s) { return cuGraphLaunch(e, s); }
// Wraps cuGraphExecDestroy.
static CUresult gotrt_graph_exec_destroy(CUgraphExec e) { return cuGraphExecDestroy(e); }
// Wraps cuGraphDestroy.
static CUresult gotrt_graph_destroy(CUgraph g) { return cuGraphDestroy(g); }
// Wraps cuGraphGetNodes (count only).
static CUresult gotrt_graph_node_count(CUgraph g, size_t *n) { return cuGraphGetNodes(g, NULL, n); }
// Wraps cuGetErrorName and cuGetErrorString.
static const char *gotrt_error_name(CUresult r) {
	const char *s = NULL;
	if (cuGetErrorName(r, &s) != CUDA_SUCCESS) return NULL;
	return s;
}
static const char *gotrt_error_string(CUresult r) {
	const char *s = NULL;
	if (cuGetErrorString(r, &s) != CUDA_SUCCESS) return NULL;
	return s;
}
*/
import "C"

import (
	"reflect"
	"unsafe"
)

// checkC turns a CUresult into an *Error (nil on success); it is the one
// place a native status becomes a Go error.
func checkC(op string, r C.CUresult) error {
	if r == C.CUDA_SUCCESS {
		return nil
	}
	e := &Error{Op: op, Code: Result(r)}
	if s := C.gotrt_error_string(r); s != nil {
		e.Msg = C.GoString(s)
	}
	return e
}

// check turns an error of gorgonia.org/cu (its unexported int code type,
// possibly wrapped) into an *Error for op.
func check(op string, err error) error {
	if err == nil {
		return nil
	}
	for e := err; e != nil; {
		if v := reflect.ValueOf(e); v.Kind() == reflect.Int {
			return checkC(op, C.CUresult(v.Int()))
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	return &Error{Op: op, Code: ErrUnknown, Msg: err.Error()}
}

func memHostAlloc(n int) (unsafe.Pointer, error) {
	var p unsafe.Pointer
	if err := checkC("cuMemHostAlloc", C.gotrt_mem_host_alloc(&p, C.size_t(n))); err != nil {
		return nil, err
	}
	return p, nil
}

func memFreeHost(p unsafe.Pointer) error {
	return checkC("cuMemFreeHost", C.gotrt_mem_free_host(p))
}

func cstream(p unsafe.Pointer) C.CUstream { return C.CUstream(p) }

func launchHostFunc(s unsafe.Pointer, h uintptr) error {
	return checkC("cuLaunchHostFunc", C.gotrt_launch_host_func(cstream(s), C.uintptr_t(h)))
}

func beginCapture(s unsafe.Pointer) error {
	return checkC("cuStreamBeginCapture", C.gotrt_stream_begin_capture(cstream(s)))
}

func endCapture(s unsafe.Pointer) (C.CUgraph, error) {
	var g C.CUgraph
	err := checkC("cuStreamEndCapture", C.gotrt_stream_end_capture(cstream(s), &g))
	return g, err
}

func graphNodes(g C.CUgraph) (int, error) {
	var n C.size_t
	err := checkC("cuGraphGetNodes", C.gotrt_graph_node_count(g, &n))
	return int(n), err
}

func graphInstantiate(g C.CUgraph) (C.CUgraphExec, error) {
	var e C.CUgraphExec
	err := checkC("cuGraphInstantiateWithFlags", C.gotrt_graph_instantiate(&e, g))
	return e, err
}

func graphLaunch(e C.CUgraphExec, s unsafe.Pointer) error {
	return checkC("cuGraphLaunch", C.gotrt_graph_launch(e, cstream(s)))
}

func graphExecDestroy(e C.CUgraphExec) error {
	return checkC("cuGraphExecDestroy", C.gotrt_graph_exec_destroy(e))
}

func graphDestroy(g C.CUgraph) error {
	return checkC("cuGraphDestroy", C.gotrt_graph_destroy(g))
}
