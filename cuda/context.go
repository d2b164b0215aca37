//go:build cuda

package cuda

/*
#include <stdlib.h>
#include "driver.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/cgo"
	"time"
	"unsafe"

	"github.com/gotrt/gotrt/internal/handle"
)

// Built reports whether this binary has the CUDA layer (the `cuda` tag).
const Built = true

// DeviceCount returns the number of CUDA devices this process can see. The
// first call loads the driver; without one it returns an error matching
// [ErrNotSupported] that says why.
func DeviceCount() (int, error) {
	if err := load(); err != nil {
		return 0, err
	}
	var n C.int
	if err := checkC("cuDeviceGetCount", C.gotrt_cuDeviceGetCount(&n)); err != nil {
		return 0, err
	}
	return int(n), nil
}

// Context is a device's primary CUDA context, retained by [NewContext] and
// released by Close. Its methods may be called from any goroutine: each makes
// the context current on a locked OS thread for the duration of the call.
type Context struct {
	ordinal int
	dev     C.CUdevice
	ctx     C.CUcontext

	// parent counts the open streams, buffers, events, graphs and modules,
	// and Do calls in progress; Close releases only when there are none,
	// under the same lock, so no child is made between check and release.
	parent handle.Parent
}

// NewContext retains the primary context of the device with this CUDA
// ordinal (its Index in [Discover]'s inventory).
func NewContext(ordinal int) (*Context, error) {
	n, err := DeviceCount()
	if err != nil {
		return nil, fmt.Errorf("cuda context %d: %w", ordinal, err)
	}
	if ordinal < 0 || ordinal >= n {
		return nil, fmt.Errorf("cuda context %d: %d devices visible: %w", ordinal, n,
			&Error{Op: "cuDeviceGet", Code: ErrInvalidDevice})
	}
	var dev C.CUdevice
	if err := checkC("cuDeviceGet", C.gotrt_cuDeviceGet(&dev, C.int(ordinal))); err != nil {
		return nil, fmt.Errorf("cuda context %d: %w", ordinal, err)
	}
	var ctx C.CUcontext
	if err := checkC("cuDevicePrimaryCtxRetain", C.gotrt_cuDevicePrimaryCtxRetain(&ctx, dev)); err != nil {
		return nil, fmt.Errorf("cuda context %d: %w", ordinal, err)
	}
	return &Context{ordinal: ordinal, dev: dev, ctx: ctx}, nil
}

// Ordinal returns the CUDA ordinal of the context's device.
func (c *Context) Ordinal() int {
	if c == nil {
		return -1
	}
	return c.ordinal
}

// Close releases the primary context. It refuses, with an error wrapping
// [ErrInUse] that says how many handles are open, while a stream, buffer,
// event, graph or module made from it is open (or a [Context.Do] runs); the
// context then stays usable, and Close succeeds once they are closed. It is
// safe on nil and on a second call.
func (c *Context) Close() error {
	if c == nil {
		return nil
	}
	return c.parent.Close(fmt.Sprintf("cuda context %d", c.ordinal), func() error {
		if err := checkC("cuDevicePrimaryCtxRelease", C.gotrt_cuDevicePrimaryCtxRelease(c.dev)); err != nil {
			return fmt.Errorf("cuda context %d: %w", c.ordinal, err)
		}
		return nil
	})
}

// acquire counts a child about to be made (or a Do in progress), so that
// Close refuses until the matching release; it fails once c is closed.
func (c *Context) acquire(op string) error {
	if c == nil {
		return fmt.Errorf("cuda %s: context: %w", op, ErrClosed)
	}
	if c.parent.Acquire("cuda context") != nil { // its only error: closed
		return fmt.Errorf("cuda %s: context %d: %w", op, c.ordinal, ErrClosed)
	}
	return nil
}

// release undoes acquire: a child closed (or failed to be made), a Do ended.
func (c *Context) release() { c.parent.Release() }

// enter makes c current on this goroutine's locked OS thread; exit undoes it.
// Neither allocates (see driver.go's noescape lines): they wrap every call.
// Callers hold a child of c or a Do call, so c cannot be released meanwhile.
func (c *Context) enter() (pushed bool, err error) {
	runtime.LockOSThread()
	var cur C.CUcontext
	if C.gotrt_cuCtxGetCurrent(&cur) == C.CUDA_SUCCESS && cur == c.ctx {
		return false, nil
	}
	if err := checkC("cuCtxPushCurrent", C.gotrt_cuCtxPushCurrent(c.ctx)); err != nil {
		runtime.UnlockOSThread()
		return false, err
	}
	return true, nil
}

func (c *Context) exit(pushed bool) {
	if pushed {
		var old C.CUcontext
		C.gotrt_cuCtxPopCurrent(&old)
	}
	runtime.UnlockOSThread()
}

// run runs f with c current; the caller holds a child of c.
func (c *Context) run(f func() error) error {
	pushed, err := c.enter()
	if err != nil {
		return err
	}
	defer c.exit(pushed)
	return f()
}

// Do runs f with the context current on a locked OS thread, and returns f's
// error. Calls to this package inside f stay on that thread. Close refuses
// while a Do runs.
func (c *Context) Do(f func() error) error {
	if err := c.acquire("do"); err != nil {
		return err
	}
	defer c.release()
	return c.run(f)
}

// Synchronize waits for all work of the context to finish.
func (c *Context) Synchronize() error {
	return c.Do(func() error { return checkC("cuCtxSynchronize", C.gotrt_cuCtxSynchronize()) })
}

// Attribute returns one of the device's attributes.
func (c *Context) Attribute(a DeviceAttribute) (int, error) {
	var v C.int
	err := c.Do(func() error {
		return checkC("cuDeviceGetAttribute", C.gotrt_cuDeviceGetAttribute(&v, C.CUdevice_attribute(a), c.dev))
	})
	if err != nil {
		return 0, fmt.Errorf("cuda context %d: attribute %d: %w", c.Ordinal(), int(a), err)
	}
	return int(v), nil
}

// ComputeCapability returns the device's compute capability (9, 0 on an
// H100 or H200).
func (c *Context) ComputeCapability() (major, minor int, err error) {
	if major, err = c.Attribute(AttrComputeCapabilityMajor); err != nil {
		return 0, 0, err
	}
	if minor, err = c.Attribute(AttrComputeCapabilityMinor); err != nil {
		return 0, 0, err
	}
	return major, minor, nil
}

// MultiprocessorCount returns the number of SMs of the device (or of the MIG
// instance).
func (c *Context) MultiprocessorCount() (int, error) {
	return c.Attribute(AttrMultiprocessorCount)
}

// Name returns the device's name as CUDA reports it.
func (c *Context) Name() (string, error) {
	var buf [256]C.char
	err := c.Do(func() error {
		return checkC("cuDeviceGetName", C.gotrt_cuDeviceGetName(&buf[0], C.int(len(buf)), c.dev))
	})
	if err != nil {
		return "", fmt.Errorf("cuda context %d: name: %w", c.Ordinal(), err)
	}
	return C.GoString(&buf[0]), nil
}

// Stream is a non-blocking CUDA stream, owned by one goroutine.
type Stream struct {
	c *Context
	s C.CUstream

	// params is C memory for Launch's kernel parameters: nParams pointers,
	// each to its own 8-byte slot in the nParams slots that follow. C memory
	// so that the driver gets no Go pointer to Go pointers; reused by every
	// launch (the driver copies the values before cuLaunchKernel returns,
	// also while capturing a graph).
	params  unsafe.Pointer
	nParams int
}

// NewStream creates a stream that does not synchronise with the legacy
// default stream.
func (c *Context) NewStream() (*Stream, error) {
	if err := c.acquire("new stream"); err != nil {
		return nil, err
	}
	var s C.CUstream
	err := c.run(func() error {
		return checkC("cuStreamCreate", C.gotrt_cuStreamCreate(&s, C.CU_STREAM_NON_BLOCKING))
	})
	if err != nil {
		c.release()
		return nil, fmt.Errorf("cuda new stream: %w", err)
	}
	return &Stream{c: c, s: s}, nil
}

// Handle returns the CUstream, which is also the runtime API's cudaStream_t
// (what TensorRT's enqueueV3 takes); nil after Close.
func (s *Stream) Handle() unsafe.Pointer {
	if s == nil || s.c == nil {
		return nil
	}
	return unsafe.Pointer(s.s)
}

func (s *Stream) live() error {
	if s == nil || s.c == nil {
		return fmt.Errorf("cuda stream: %w", ErrClosed)
	}
	return nil
}

// Synchronize waits for the stream's work to finish.
func (s *Stream) Synchronize() error {
	if err := s.live(); err != nil {
		return err
	}
	return s.c.run(func() error { return checkC("cuStreamSynchronize", C.gotrt_cuStreamSynchronize(s.s)) })
}

// Close waits for the stream's work and destroys it. Safe on nil and twice.
func (s *Stream) Close() error {
	if s == nil || s.c == nil {
		return nil
	}
	c := s.c
	err := c.run(func() error { return checkC("cuStreamDestroy", C.gotrt_cuStreamDestroy(s.s)) })
	s.c = nil
	if s.params != nil {
		C.free(s.params)
		s.params, s.nParams = nil, 0
	}
	c.release()
	return err
}

// CopyHtoD queues a copy of src into dst at dstOff. It is asynchronous when
// src lies in a [HostBuffer]; from other memory the driver stages the copy
// before returning.
func (s *Stream) CopyHtoD(dst *DeviceBuffer, dstOff int, src []byte) error {
	if err := s.live(); err != nil {
		return err
	}
	if err := dst.span("copy to device", dstOff, len(src)); err != nil || len(src) == 0 {
		return err
	}
	pushed, err := s.c.enter()
	if err != nil {
		return err
	}
	r := C.gotrt_cuMemcpyHtoDAsync(dst.ptr+C.CUdeviceptr(dstOff), unsafe.Pointer(&src[0]), C.size_t(len(src)), s.s)
	s.c.exit(pushed)
	return checkC("cuMemcpyHtoDAsync", r)
}

// CopyDtoH queues a copy of len(dst) bytes of src from srcOff into dst. It is
// asynchronous when dst lies in a [HostBuffer]; into other memory it returns
// when the copy is done.
func (s *Stream) CopyDtoH(dst []byte, src *DeviceBuffer, srcOff int) error {
	if err := s.live(); err != nil {
		return err
	}
	if err := src.span("copy from device", srcOff, len(dst)); err != nil || len(dst) == 0 {
		return err
	}
	pushed, err := s.c.enter()
	if err != nil {
		return err
	}
	r := C.gotrt_cuMemcpyDtoHAsync(unsafe.Pointer(&dst[0]), src.ptr+C.CUdeviceptr(srcOff), C.size_t(len(dst)), s.s)
	s.c.exit(pushed)
	return checkC("cuMemcpyDtoHAsync", r)
}

// CopyDtoD queues a copy of n bytes between device buffers.
func (s *Stream) CopyDtoD(dst *DeviceBuffer, dstOff int, src *DeviceBuffer, srcOff, n int) error {
	if err := s.live(); err != nil {
		return err
	}
	if err := dst.span("copy within device", dstOff, n); err != nil {
		return err
	}
	if err := src.span("copy within device", srcOff, n); err != nil || n == 0 {
		return err
	}
	pushed, err := s.c.enter()
	if err != nil {
		return err
	}
	r := C.gotrt_cuMemcpyDtoDAsync(dst.ptr+C.CUdeviceptr(dstOff), src.ptr+C.CUdeviceptr(srcOff), C.size_t(n), s.s)
	s.c.exit(pushed)
	return checkC("cuMemcpyDtoDAsync", r)
}

// Memset queues setting n bytes of dst from off to value.
func (s *Stream) Memset(dst *DeviceBuffer, off, n int, value byte) error {
	if err := s.live(); err != nil {
		return err
	}
	if err := dst.span("memset", off, n); err != nil || n == 0 {
		return err
	}
	pushed, err := s.c.enter()
	if err != nil {
		return err
	}
	r := C.gotrt_cuMemsetD8Async(dst.ptr+C.CUdeviceptr(off), C.uchar(value), C.size_t(n), s.s)
	s.c.exit(pushed)
	return checkC("cuMemsetD8Async", r)
}

// WaitEvent makes later work on the stream wait for e's last recorded work.
func (s *Stream) WaitEvent(e *Event) error {
	if err := s.live(); err != nil {
		return err
	}
	if e == nil || e.c == nil {
		return fmt.Errorf("cuda stream wait: event: %w", ErrClosed)
	}
	return s.c.run(func() error { return checkC("cuStreamWaitEvent", C.gotrt_cuStreamWaitEvent(s.s, e.ev, 0)) })
}

// LaunchHostFunc queues f to run on a driver thread once the stream's earlier
// work is done; later work waits for it. f must not call CUDA. If the context
// fails before f's turn, f never runs.
func (s *Stream) LaunchHostFunc(f func()) error {
	if err := s.live(); err != nil {
		return err
	}
	if f == nil {
		return errors.New("cuda launch host func: nil function")
	}
	h := cgo.NewHandle(f)
	err := s.c.run(func() error {
		return checkC("cuLaunchHostFunc", C.gotrt_cuLaunchHostFunc(s.s, C.uintptr_t(h)))
	})
	if err != nil {
		h.Delete()
	}
	return err
}

// HostBuffer is page-locked (pinned) host memory, from cuMemHostAlloc, so
// that copies from and to it are truly asynchronous. Not Go memory: Close
// frees it, no finalizer does.
type HostBuffer struct {
	c *Context
	p unsafe.Pointer
	n int
}

// AllocHost allocates n bytes of pinned host memory, usable by every context.
func (c *Context) AllocHost(n int) (*HostBuffer, error) {
	if n <= 0 {
		return nil, fmt.Errorf("cuda alloc host: %d bytes: size must be positive", n)
	}
	if err := c.acquire("alloc host"); err != nil {
		return nil, err
	}
	var p unsafe.Pointer
	err := c.run(func() error {
		return checkC("cuMemHostAlloc", C.gotrt_cuMemHostAlloc(&p, C.size_t(n), C.CU_MEMHOSTALLOC_PORTABLE))
	})
	if err != nil {
		c.release()
		return nil, fmt.Errorf("cuda alloc host %d bytes: %w", n, err)
	}
	return &HostBuffer{c: c, p: p, n: n}, nil
}

// Bytes returns the buffer's memory; nil after Close.
func (b *HostBuffer) Bytes() []byte {
	if b == nil || b.p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(b.p), b.n)
}

// Len returns the buffer's size in bytes; 0 after Close.
func (b *HostBuffer) Len() int {
	if b == nil || b.p == nil {
		return 0
	}
	return b.n
}

// Close frees the memory; slices from Bytes must not be used after. Safe on
// nil and twice.
func (b *HostBuffer) Close() error {
	if b == nil || b.p == nil {
		return nil
	}
	p, c := b.p, b.c
	b.p, b.n = nil, 0
	err := c.run(func() error { return checkC("cuMemFreeHost", C.gotrt_cuMemFreeHost(p)) })
	c.release()
	return err
}

// DeviceBuffer is device memory from cuMemAlloc.
type DeviceBuffer struct {
	c   *Context
	ptr C.CUdeviceptr
	n   int
}

// AllocDevice allocates n bytes of device memory.
func (c *Context) AllocDevice(n int) (*DeviceBuffer, error) {
	if n <= 0 {
		return nil, fmt.Errorf("cuda alloc device: %d bytes: size must be positive", n)
	}
	if err := c.acquire("alloc device"); err != nil {
		return nil, err
	}
	var p C.CUdeviceptr
	err := c.run(func() error { return checkC("cuMemAlloc", C.gotrt_cuMemAlloc(&p, C.size_t(n))) })
	if err != nil {
		c.release()
		return nil, fmt.Errorf("cuda alloc device %d bytes: %w", n, err)
	}
	return &DeviceBuffer{c: c, ptr: p, n: n}, nil
}

// Ptr returns the CUdeviceptr (a kernel argument for [Stream.Launch]); 0
// after Close.
func (b *DeviceBuffer) Ptr() uintptr {
	if b == nil || b.c == nil {
		return 0
	}
	return uintptr(b.ptr)
}

// Len returns the buffer's size in bytes; 0 after Close.
func (b *DeviceBuffer) Len() int {
	if b == nil || b.c == nil {
		return 0
	}
	return b.n
}

func (b *DeviceBuffer) span(op string, off, n int) error {
	if b == nil || b.c == nil {
		return fmt.Errorf("cuda %s: device buffer: %w", op, ErrClosed)
	}
	if off < 0 || n < 0 || off > b.n || n > b.n-off {
		return fmt.Errorf("cuda %s: offset %d + %d bytes in a %d-byte buffer: %w", op, off, n, b.n, ErrOutOfRange)
	}
	return nil
}

// Close frees the memory. Safe on nil and twice.
func (b *DeviceBuffer) Close() error {
	if b == nil || b.c == nil {
		return nil
	}
	c, p := b.c, b.ptr
	b.c, b.ptr, b.n = nil, 0, 0
	err := c.run(func() error { return checkC("cuMemFree", C.gotrt_cuMemFree(p)) })
	c.release()
	return err
}

// Event is a CUDA event with timing enabled.
type Event struct {
	c  *Context
	ev C.CUevent
}

// NewEvent creates an event that records time.
func (c *Context) NewEvent() (*Event, error) {
	if err := c.acquire("new event"); err != nil {
		return nil, err
	}
	var ev C.CUevent
	err := c.run(func() error { return checkC("cuEventCreate", C.gotrt_cuEventCreate(&ev, C.CU_EVENT_DEFAULT)) })
	if err != nil {
		c.release()
		return nil, fmt.Errorf("cuda new event: %w", err)
	}
	return &Event{c: c, ev: ev}, nil
}

func (e *Event) live() error {
	if e == nil || e.c == nil {
		return fmt.Errorf("cuda event: %w", ErrClosed)
	}
	return nil
}

// Record captures the work queued on s so far.
func (e *Event) Record(s *Stream) error {
	if err := e.live(); err != nil {
		return err
	}
	if err := s.live(); err != nil {
		return err
	}
	return e.c.run(func() error { return checkC("cuEventRecord", C.gotrt_cuEventRecord(e.ev, s.s)) })
}

// Synchronize waits for the recorded work to finish.
func (e *Event) Synchronize() error {
	if err := e.live(); err != nil {
		return err
	}
	return e.c.run(func() error { return checkC("cuEventSynchronize", C.gotrt_cuEventSynchronize(e.ev)) })
}

// Query reports whether the recorded work has finished, without waiting.
func (e *Event) Query() (bool, error) {
	if err := e.live(); err != nil {
		return false, err
	}
	err := e.c.run(func() error { return checkC("cuEventQuery", C.gotrt_cuEventQuery(e.ev)) })
	if errors.Is(err, ErrNotReady) {
		return false, nil
	}
	return err == nil, err
}

// Elapsed returns the GPU time from from's recorded work to e's (both must
// have completed), with the driver's resolution of about half a microsecond.
func (e *Event) Elapsed(from *Event) (time.Duration, error) {
	if err := e.live(); err != nil {
		return 0, err
	}
	if err := from.live(); err != nil {
		return 0, err
	}
	var ms C.float
	err := e.c.run(func() error {
		return checkC("cuEventElapsedTime", C.gotrt_cuEventElapsedTime(&ms, from.ev, e.ev))
	})
	if err != nil {
		return 0, err
	}
	return time.Duration(math.Round(float64(ms) * 1e6)), nil
}

// Close destroys the event. Safe on nil and twice.
func (e *Event) Close() error {
	if e == nil || e.c == nil {
		return nil
	}
	c := e.c
	e.c = nil
	err := c.run(func() error { return checkC("cuEventDestroy", C.gotrt_cuEventDestroy(e.ev)) })
	c.release()
	return err
}

// Capture records the work f queues on s into a [Graph] instead of running
// it. f runs on the calling goroutine's locked OS thread with the context
// current, and must queue work on s only (copies, memsets, [Stream.Launch],
// host functions, events). Copies in a graph must use [HostBuffer] memory:
// the graph keeps the host address.
func (s *Stream) Capture(f func() error) (*Graph, error) {
	if err := s.live(); err != nil {
		return nil, err
	}
	c := s.c
	if err := c.acquire("stream capture"); err != nil {
		return nil, err
	}
	var g C.CUgraph
	err := c.run(func() error {
		if err := checkC("cuStreamBeginCapture",
			C.gotrt_cuStreamBeginCapture(s.s, C.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL)); err != nil {
			return err
		}
		ferr := f()
		err := checkC("cuStreamEndCapture", C.gotrt_cuStreamEndCapture(s.s, &g))
		if ferr != nil || err != nil {
			if g != nil {
				_ = checkC("cuGraphDestroy", C.gotrt_cuGraphDestroy(g))
			}
			return errors.Join(ferr, err)
		}
		return nil
	})
	if err != nil {
		c.release()
		return nil, fmt.Errorf("cuda stream capture: %w", err)
	}
	return &Graph{c: c, g: g}, nil
}
