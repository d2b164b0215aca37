//go:build !cuda

package cuda

import (
	"fmt"
	"time"
	"unsafe"
)

// Built reports whether this binary has the CUDA layer (the `cuda` tag).
const Built = false

// errNoCUDA is what every CUDA call of a build without the `cuda` tag returns.
var errNoCUDA = &UnsupportedError{Feature: "cuda", Hint: "build with -tags cuda"}

// DeviceCount returns the number of CUDA devices this process can see.
// Without the `cuda` build tag it returns an error matching ErrNotSupported.
func DeviceCount() (int, error) { return 0, errNoCUDA }

// Available reports whether this process can use a CUDA device. Without the
// `cuda` build tag it returns an error matching ErrNotSupported.
func Available() error { return errNoCUDA }

// DriverVersion returns the CUDA version the driver supports.
func DriverVersion() (int, error) { return 0, errNoCUDA }

// Context is a device's primary CUDA context. Without the `cuda` build tag
// none can be made.
type Context struct{ _ [0]func() }

// NewContext retains the primary context of the device with this CUDA
// ordinal. Without the `cuda` build tag it returns an error matching
// ErrNotSupported.
func NewContext(ordinal int) (*Context, error) {
	return nil, fmt.Errorf("cuda context %d: %w", ordinal, errNoCUDA)
}

// Ordinal returns the CUDA ordinal of the context's device.
func (c *Context) Ordinal() int { return -1 }

// Close releases the context; safe on nil.
func (c *Context) Close() error { return nil }

// Do runs f with the context current on a locked OS thread.
func (c *Context) Do(f func() error) error { return errNoCUDA }

// Synchronize waits for all work of the context to finish.
func (c *Context) Synchronize() error { return errNoCUDA }

// NewStream creates a stream.
func (c *Context) NewStream() (*Stream, error) { return nil, errNoCUDA }

// AllocHost allocates pinned host memory.
func (c *Context) AllocHost(n int) (*HostBuffer, error) { return nil, errNoCUDA }

// AllocDevice allocates device memory.
func (c *Context) AllocDevice(n int) (*DeviceBuffer, error) { return nil, errNoCUDA }

// NewEvent creates an event that records time.
func (c *Context) NewEvent() (*Event, error) { return nil, errNoCUDA }

// LoadModule loads a PTX, cubin or fat binary module.
func (c *Context) LoadModule(image []byte) (*Module, error) { return nil, errNoCUDA }

// Attribute returns one of the device's attributes.
func (c *Context) Attribute(a DeviceAttribute) (int, error) { return 0, errNoCUDA }

// ComputeCapability returns the device's compute capability.
func (c *Context) ComputeCapability() (major, minor int, err error) { return 0, 0, errNoCUDA }

// MultiprocessorCount returns the number of SMs of the device.
func (c *Context) MultiprocessorCount() (int, error) { return 0, errNoCUDA }

// Name returns the device's name.
func (c *Context) Name() (string, error) { return "", errNoCUDA }

// Module is a loaded module.
type Module struct{ _ [0]func() }

// Function looks up a kernel.
func (m *Module) Function(name string) (*Function, error) { return nil, errNoCUDA }

// Close unloads the module; safe on nil.
func (m *Module) Close() error { return nil }

// Function is a kernel of a Module.
type Function struct{ _ [0]func() }

// Name returns the kernel's name.
func (f *Function) Name() string { return "" }

// SetMaxDynamicSharedMemory raises the kernel's dynamic shared memory limit.
func (f *Function) SetMaxDynamicSharedMemory(n int) error { return errNoCUDA }

// Stream is a CUDA stream.
type Stream struct{ _ [0]func() }

// Handle returns the CUstream (cudaStream_t); nil without the `cuda` tag.
func (s *Stream) Handle() unsafe.Pointer { return nil }

// Synchronize waits for the stream's work to finish.
func (s *Stream) Synchronize() error { return errNoCUDA }

// Close destroys the stream; safe on nil.
func (s *Stream) Close() error { return nil }

// CopyHtoD queues a host-to-device copy.
func (s *Stream) CopyHtoD(dst *DeviceBuffer, dstOff int, src []byte) error { return errNoCUDA }

// CopyDtoH queues a device-to-host copy.
func (s *Stream) CopyDtoH(dst []byte, src *DeviceBuffer, srcOff int) error { return errNoCUDA }

// CopyDtoD queues a copy between device buffers.
func (s *Stream) CopyDtoD(dst *DeviceBuffer, dstOff int, src *DeviceBuffer, srcOff, n int) error {
	return errNoCUDA
}

// Memset queues setting device memory to a byte value.
func (s *Stream) Memset(dst *DeviceBuffer, off, n int, value byte) error { return errNoCUDA }

// WaitEvent makes later work on the stream wait for an event.
func (s *Stream) WaitEvent(e *Event) error { return errNoCUDA }

// LaunchHostFunc queues a Go function after the stream's work.
func (s *Stream) LaunchHostFunc(f func()) error { return errNoCUDA }

// Launch enqueues a kernel on the stream.
func (s *Stream) Launch(f *Function, grid, block Dim3, sharedMem int, args ...uint64) error {
	return errNoCUDA
}

// Capture records stream work into a graph.
func (s *Stream) Capture(f func() error) (*Graph, error) { return nil, errNoCUDA }

// HostBuffer is pinned host memory.
type HostBuffer struct{ _ [0]func() }

// Bytes returns the buffer's memory; nil without the `cuda` tag.
func (b *HostBuffer) Bytes() []byte { return nil }

// Len returns the buffer's size in bytes.
func (b *HostBuffer) Len() int { return 0 }

// Close frees the memory; safe on nil.
func (b *HostBuffer) Close() error { return nil }

// DeviceBuffer is device memory.
type DeviceBuffer struct{ _ [0]func() }

// Ptr returns the CUdeviceptr; 0 without the `cuda` tag.
func (b *DeviceBuffer) Ptr() uintptr { return 0 }

// Len returns the buffer's size in bytes.
func (b *DeviceBuffer) Len() int { return 0 }

// Close frees the memory; safe on nil.
func (b *DeviceBuffer) Close() error { return nil }

// Event is a CUDA event.
type Event struct{ _ [0]func() }

// Record captures the work queued on s so far.
func (e *Event) Record(s *Stream) error { return errNoCUDA }

// Synchronize waits for the recorded work to finish.
func (e *Event) Synchronize() error { return errNoCUDA }

// Query reports whether the recorded work has finished.
func (e *Event) Query() (bool, error) { return false, errNoCUDA }

// Elapsed returns the GPU time between two recorded events.
func (e *Event) Elapsed(from *Event) (time.Duration, error) { return 0, errNoCUDA }

// Close destroys the event; safe on nil.
func (e *Event) Close() error { return nil }

// Graph is a captured sequence of stream work.
type Graph struct{ _ [0]func() }

// Nodes returns the number of operations in the graph.
func (g *Graph) Nodes() (int, error) { return 0, errNoCUDA }

// Instantiate makes an executable graph.
func (g *Graph) Instantiate() (*GraphExec, error) { return nil, errNoCUDA }

// Close destroys the graph; safe on nil.
func (g *Graph) Close() error { return nil }

// GraphExec is an instantiated graph.
type GraphExec struct{ _ [0]func() }

// Launch queues the graph on s.
func (x *GraphExec) Launch(s *Stream) error { return errNoCUDA }

// Close destroys the executable graph; safe on nil.
func (x *GraphExec) Close() error { return nil }
