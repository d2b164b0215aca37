//go:build cuda

package cuda

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/cgo"
	"sync/atomic"
	"time"
	"unsafe"

	"gorgonia.org/cu"
)

// Built reports whether this binary has the CUDA layer (the `cuda` tag).
const Built = true

// DeviceCount returns the number of CUDA devices this process can see.
func DeviceCount() (int, error) {
	n, err := cu.NumDevices()
	return n, check("cuDeviceGetCount", err)
}

// Context is a device's primary CUDA context, retained by [NewContext] and
// released by Close. Its methods may be called from any goroutine: each makes
// the context current on a locked OS thread for the duration of the call.
type Context struct {
	ordinal int
	dev     cu.Device
	ctx     cu.CUContext
	closed  atomic.Bool
	open    atomic.Int64 // streams, buffers, events and graphs not yet closed
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
	dev, err := cu.GetDevice(ordinal)
	if err != nil {
		return nil, fmt.Errorf("cuda context %d: %w", ordinal, check("cuDeviceGet", err))
	}
	ctx, err := dev.RetainPrimaryCtx()
	if err != nil {
		return nil, fmt.Errorf("cuda context %d: %w", ordinal, check("cuDevicePrimaryCtxRetain", err))
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

// Close releases the primary context. Close every stream, buffer, event and
// graph made from it first: Close reports how many are still open (and still
// releases the context). It is safe on nil and on a second call.
func (c *Context) Close() error {
	if c == nil || !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	err := check("cuDevicePrimaryCtxRelease", c.dev.ReleasePrimaryCtx())
	if n := c.open.Load(); n > 0 {
		err = errors.Join(err, fmt.Errorf("cuda context %d: closed with %d handles open", c.ordinal, n))
	}
	return err
}

// enter makes c current on this goroutine's locked OS thread; exit undoes it.
func (c *Context) enter() (pushed bool, err error) {
	if c == nil || c.closed.Load() {
		return false, fmt.Errorf("cuda context: %w", ErrClosed)
	}
	runtime.LockOSThread()
	if cur, err := cu.CurrentContext(); err == nil && cur == c.ctx {
		return false, nil
	}
	if err := cu.PushCurrentCtx(c.ctx); err != nil {
		runtime.UnlockOSThread()
		return false, check("cuCtxPushCurrent", err)
	}
	return true, nil
}

func (c *Context) exit(pushed bool) {
	if pushed {
		_, _ = cu.PopCurrentCtx()
	}
	runtime.UnlockOSThread()
}

// Do runs f with the context current on a locked OS thread, and returns f's
// error. Calls to this package inside f stay on that thread.
func (c *Context) Do(f func() error) error {
	pushed, err := c.enter()
	if err != nil {
		return err
	}
	defer c.exit(pushed)
	return f()
}

// Synchronize waits for all work of the context to finish.
func (c *Context) Synchronize() error {
	return c.Do(func() error { return check("cuCtxSynchronize", cu.Synchronize()) })
}

// Stream is a non-blocking CUDA stream, owned by one goroutine.
type Stream struct {
	c *Context
	s cu.Stream
}

// NewStream creates a stream that does not synchronise with the legacy
// default stream.
func (c *Context) NewStream() (*Stream, error) {
	var s cu.Stream
	err := c.Do(func() (err error) {
		s, err = cu.MakeStream(cu.NonBlocking)
		return check("cuStreamCreate", err)
	})
	if err != nil {
		return nil, fmt.Errorf("cuda new stream: %w", err)
	}
	c.open.Add(1)
	return &Stream{c: c, s: s}, nil
}

// Handle returns the CUstream, which is also the runtime API's cudaStream_t
// (what TensorRT's enqueueV3 takes); nil after Close.
func (s *Stream) Handle() unsafe.Pointer {
	if s == nil || s.c == nil {
		return nil
	}
	return unsafe.Pointer(s.s.C())
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
	return s.c.Do(func() error { return check("cuStreamSynchronize", s.s.Synchronize()) })
}

// Close waits for the stream's work and destroys it. Safe on nil and twice.
func (s *Stream) Close() error {
	if s == nil || s.c == nil {
		return nil
	}
	c := s.c
	err := c.Do(func() error { return check("cuStreamDestroy", s.s.Destroy()) })
	s.c = nil
	c.open.Add(-1)
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
	return s.c.Do(func() error {
		return check("cuMemcpyHtoDAsync", cu.MemcpyHtoDAsync(dst.ptr+cu.DevicePtr(dstOff),
			unsafe.Pointer(&src[0]), int64(len(src)), s.s))
	})
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
	return s.c.Do(func() error {
		return check("cuMemcpyDtoHAsync", cu.MemcpyDtoHAsync(unsafe.Pointer(&dst[0]),
			src.ptr+cu.DevicePtr(srcOff), int64(len(dst)), s.s))
	})
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
	return s.c.Do(func() error {
		return check("cuMemcpyDtoDAsync", cu.MemcpyDtoDAsync(dst.ptr+cu.DevicePtr(dstOff),
			src.ptr+cu.DevicePtr(srcOff), int64(n), s.s))
	})
}

// Memset queues setting n bytes of dst from off to value.
func (s *Stream) Memset(dst *DeviceBuffer, off, n int, value byte) error {
	if err := s.live(); err != nil {
		return err
	}
	if err := dst.span("memset", off, n); err != nil || n == 0 {
		return err
	}
	return s.c.Do(func() error {
		return check("cuMemsetD8Async", cu.MemsetD8Async(dst.ptr+cu.DevicePtr(off), value, int64(n), s.s))
	})
}

// WaitEvent makes later work on the stream wait for e's last recorded work.
func (s *Stream) WaitEvent(e *Event) error {
	if err := s.live(); err != nil {
		return err
	}
	if e == nil || e.c == nil {
		return fmt.Errorf("cuda stream wait: event: %w", ErrClosed)
	}
	return s.c.Do(func() error { return check("cuStreamWaitEvent", s.s.Wait(e.ev, 0)) })
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
	err := s.c.Do(func() error { return launchHostFunc(s.Handle(), uintptr(h)) })
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
	var p unsafe.Pointer
	err := c.Do(func() (err error) {
		p, err = memHostAlloc(n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cuda alloc host %d bytes: %w", n, err)
	}
	c.open.Add(1)
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
	c.open.Add(-1)
	return c.Do(func() error { return memFreeHost(p) })
}

// DeviceBuffer is device memory from cuMemAlloc.
type DeviceBuffer struct {
	c   *Context
	ptr cu.DevicePtr
	n   int
}

// AllocDevice allocates n bytes of device memory.
func (c *Context) AllocDevice(n int) (*DeviceBuffer, error) {
	if n <= 0 {
		return nil, fmt.Errorf("cuda alloc device: %d bytes: size must be positive", n)
	}
	var p cu.DevicePtr
	err := c.Do(func() (err error) {
		p, err = cu.MemAlloc(int64(n))
		return check("cuMemAlloc", err)
	})
	if err != nil {
		return nil, fmt.Errorf("cuda alloc device %d bytes: %w", n, err)
	}
	c.open.Add(1)
	return &DeviceBuffer{c: c, ptr: p, n: n}, nil
}

// Ptr returns the CUdeviceptr; 0 after Close.
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
	c.open.Add(-1)
	return c.Do(func() error { return check("cuMemFree", cu.MemFree(p)) })
}

// Event is a CUDA event with timing enabled.
type Event struct {
	c  *Context
	ev cu.Event
}

// NewEvent creates an event that records time.
func (c *Context) NewEvent() (*Event, error) {
	var ev cu.Event
	err := c.Do(func() (err error) {
		ev, err = cu.MakeEvent(cu.DefaultEvent)
		return check("cuEventCreate", err)
	})
	if err != nil {
		return nil, fmt.Errorf("cuda new event: %w", err)
	}
	c.open.Add(1)
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
	return e.c.Do(func() error { return check("cuEventRecord", e.ev.Record(s.s)) })
}

// Synchronize waits for the recorded work to finish.
func (e *Event) Synchronize() error {
	if err := e.live(); err != nil {
		return err
	}
	return e.c.Do(func() error { return check("cuEventSynchronize", e.ev.Synchronize()) })
}

// Query reports whether the recorded work has finished, without waiting.
func (e *Event) Query() (bool, error) {
	if err := e.live(); err != nil {
		return false, err
	}
	err := e.c.Do(func() error { return check("cuEventQuery", e.ev.Query()) })
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
	var ms float64
	err := e.c.Do(func() (err error) {
		ms, err = from.ev.Elapsed(e.ev)
		return check("cuEventElapsedTime", err)
	})
	if err != nil {
		return 0, err
	}
	return time.Duration(math.Round(ms * 1e6)), nil
}

// Close destroys the event. Safe on nil and twice.
func (e *Event) Close() error {
	if e == nil || e.c == nil {
		return nil
	}
	c := e.c
	e.c = nil
	c.open.Add(-1)
	return c.Do(func() error { return check("cuEventDestroy", cu.DestroyEvent(&e.ev)) })
}

// Capture records the work f queues on s into a [Graph] instead of running
// it. f runs on the calling goroutine's locked OS thread with the context
// current, and must queue work on s only.
func (s *Stream) Capture(f func() error) (*Graph, error) {
	if err := s.live(); err != nil {
		return nil, err
	}
	var g *Graph
	err := s.c.Do(func() error {
		if err := beginCapture(s.Handle()); err != nil {
			return err
		}
		ferr := f()
		cg, err := endCapture(s.Handle())
		if ferr != nil || err != nil {
			if cg != nil {
				_ = graphDestroy(cg)
			}
			return errors.Join(ferr, err)
		}
		g = &Graph{c: s.c, g: cg}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cuda stream capture: %w", err)
	}
	s.c.open.Add(1)
	return g, nil
}
