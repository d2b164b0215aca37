//go:build !cuda

package cuda

import "unsafe"

// HandleGraph is an executable CUDA graph captured from a raw stream handle.
type HandleGraph struct{ _ [0]func() }

// CaptureHandle records the work queued on a raw stream handle into a graph.
// Without the `cuda` build tag it returns an error matching ErrNotSupported.
func CaptureHandle(h unsafe.Pointer, f func() error) (*HandleGraph, error) { return nil, errNoCUDA }

// Launch replays the graph on a raw stream handle.
func (g *HandleGraph) Launch(h unsafe.Pointer) error { return errNoCUDA }

// Close destroys the graph; safe on nil and twice.
func (g *HandleGraph) Close() error { return nil }
