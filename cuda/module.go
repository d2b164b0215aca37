//go:build cuda

package cuda

/*
#include <stdlib.h>
#include "driver.h"
*/
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// Module is a loaded module (PTX or cubin), owned by its [Context]; Close
// unloads it. Close the graphs that launch its kernels first.
type Module struct {
	c *Context
	m C.CUmodule
}

// Function is a kernel of a [Module]; it is valid while its module is open.
type Function struct {
	m    *Module
	f    C.CUfunction
	name string
}

// elfMagic and fatbinMagic start a cubin and a fat binary; anything else is
// taken for PTX text, which the driver wants NUL-terminated.
var (
	elfMagic    = []byte{0x7f, 'E', 'L', 'F'}
	fatbinMagic = []byte{0x50, 0xed, 0x55, 0xba}
)

// LoadModule loads a module image (cuModuleLoadData): PTX text, which the
// driver compiles for the device (a NUL is appended if missing), a cubin or
// a fat binary. The image is copied; the caller may reuse it.
func (c *Context) LoadModule(image []byte) (*Module, error) {
	if len(image) == 0 {
		return nil, errors.New("cuda load module: empty image")
	}
	if err := c.acquire("load module"); err != nil {
		return nil, err
	}
	n := len(image)
	if !bytes.HasPrefix(image, elfMagic) && !bytes.HasPrefix(image, fatbinMagic) && image[n-1] != 0 {
		n++ // PTX without its NUL
	}
	img := C.malloc(C.size_t(n))
	buf := unsafe.Slice((*byte)(img), n)
	copy(buf, image)
	if n > len(image) {
		buf[n-1] = 0
	}
	var m C.CUmodule
	err := c.run(func() error { return checkC("cuModuleLoadData", C.gotrt_cuModuleLoadData(&m, img)) })
	C.free(img)
	if err != nil {
		c.release()
		return nil, fmt.Errorf("cuda load module (%d bytes): %w", len(image), err)
	}
	return &Module{c: c, m: m}, nil
}

// Function looks up the kernel with this (mangled or extern "C") name.
func (m *Module) Function(name string) (*Function, error) {
	if m == nil || m.c == nil {
		return nil, fmt.Errorf("cuda module function %q: %w", name, ErrClosed)
	}
	if name == "" || bytes.IndexByte([]byte(name), 0) >= 0 {
		return nil, fmt.Errorf("cuda module function %q: bad name", name)
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var f C.CUfunction
	err := m.c.run(func() error {
		return checkC("cuModuleGetFunction", C.gotrt_cuModuleGetFunction(&f, m.m, cname))
	})
	if err != nil {
		return nil, fmt.Errorf("cuda module function %q: %w", name, err)
	}
	return &Function{m: m, f: f, name: name}, nil
}

// Close unloads the module; its Functions become unusable. Safe on nil and
// twice.
func (m *Module) Close() error {
	if m == nil || m.c == nil {
		return nil
	}
	c := m.c
	m.c = nil
	err := c.run(func() error { return checkC("cuModuleUnload", C.gotrt_cuModuleUnload(m.m)) })
	c.release()
	return err
}

// Name returns the kernel's name.
func (f *Function) Name() string {
	if f == nil {
		return ""
	}
	return f.name
}

func (f *Function) live(op string) error {
	if f == nil || f.m == nil || f.m.c == nil {
		return fmt.Errorf("cuda %s: function %q: %w", op, f.Name(), ErrClosed)
	}
	return nil
}

// SetMaxDynamicSharedMemory lets launches of f use up to n bytes of dynamic
// shared memory (cuFuncSetAttribute with
// CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES); needed above 48 KiB, up
// to the device's [AttrMaxSharedMemoryPerBlockOptin].
func (f *Function) SetMaxDynamicSharedMemory(n int) error {
	if err := f.live("set max dynamic shared memory"); err != nil {
		return err
	}
	if n < 0 || n > math.MaxInt32 {
		return fmt.Errorf("cuda function %q: %d bytes of shared memory: %w", f.name, n, ErrOutOfRange)
	}
	err := f.m.c.run(func() error {
		return checkC("cuFuncSetAttribute", C.gotrt_cuFuncSetAttribute(f.f,
			C.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, C.int(n)))
	})
	if err != nil {
		return fmt.Errorf("cuda function %q: max dynamic shared memory %d: %w", f.name, n, err)
	}
	return nil
}

// Launch enqueues f on s (cuLaunchKernel) with sharedMem bytes of dynamic
// shared memory. Each argument is one kernel parameter stored in an 8-byte
// slot: pointers such as [DeviceBuffer.Ptr], and integers (a 4-byte int
// parameter reads the low half, little-endian). A float parameter takes
// uint64(math.Float32bits(v)). Pass exactly the kernel's parameters: the
// driver reads as many slots as the kernel declares. It works inside
// [Stream.Capture] (the driver copies the values when it records the launch),
// and does not allocate: the parameters go through a C block the stream keeps.
func (s *Stream) Launch(f *Function, grid, block Dim3, sharedMem int, args ...uint64) error {
	if err := s.live(); err != nil {
		return err
	}
	if err := f.live("launch"); err != nil {
		return err
	}
	if f.m.c != s.c {
		return fmt.Errorf("cuda launch %q: the function's module belongs to another context", f.name)
	}
	if sharedMem < 0 || sharedMem > math.MaxUint32 {
		return fmt.Errorf("cuda launch %q: %d bytes of shared memory: %w", f.name, sharedMem, ErrOutOfRange)
	}
	var params *unsafe.Pointer
	if len(args) > 0 {
		if len(args) > s.nParams {
			if err := s.growParams(len(args)); err != nil {
				return fmt.Errorf("cuda launch %q: %w", f.name, err)
			}
		}
		copy(unsafe.Slice((*uint64)(unsafe.Add(s.params, s.nParams*8)), s.nParams), args)
		params = (*unsafe.Pointer)(s.params)
	}
	pushed, err := s.c.enter()
	if err != nil {
		return err
	}
	r := C.gotrt_cuLaunchKernel(f.f, C.uint(grid.X), C.uint(grid.Y), C.uint(grid.Z),
		C.uint(block.X), C.uint(block.Y), C.uint(block.Z), C.uint(sharedMem), s.s, params, nil)
	s.c.exit(pushed)
	if r != C.CUDA_SUCCESS {
		return fmt.Errorf("cuda launch %q (grid %v, block %v, %d bytes shared): %w",
			f.name, grid, block, sharedMem, checkC("cuLaunchKernel", r))
	}
	return nil
}

// growParams makes the stream's parameter block hold at least n arguments.
func (s *Stream) growParams(n int) error {
	if n > MaxLaunchArgs {
		return fmt.Errorf("%d arguments, at most %d: %w", n, MaxLaunchArgs, ErrOutOfRange)
	}
	n = max(n, 16)
	p := C.malloc(C.size_t(n * 16))
	if p == nil {
		return fmt.Errorf("%d-argument block: %w", n, ErrOutOfMemory)
	}
	// Pointer i holds the address of slot i. Written as integers: these are
	// C addresses in C memory, nothing the garbage collector should see.
	ptrs := unsafe.Slice((*uintptr)(p), n)
	for i := range ptrs {
		ptrs[i] = uintptr(p) + uintptr((n+i)*8)
	}
	if s.params != nil {
		C.free(s.params)
	}
	s.params, s.nParams = p, n
	return nil
}
