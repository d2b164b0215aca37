//go:build tensorrt

package trt

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/gotrt/gotrt/cuda"
)

// ExecutionContext runs an engine on CUDA streams
// (nvinfer1::IExecutionContext). It belongs to one goroutine; calls that
// enqueue work need the engine's CUDA context current on the thread. Close
// it, and its graphs, before the engine.
type ExecutionContext struct {
	h      *C.gotrt_context
	engine *Engine
	graphs int // graphs captured and not yet closed
}

// Close releases the context. It refuses, with an error matching
// [ErrInUse], while graphs captured from it are open; it is safe on nil and
// on a second call.
func (c *ExecutionContext) Close() error {
	if c == nil || c.h == nil {
		return nil
	}
	if c.graphs > 0 {
		return fmt.Errorf("trt: execution context: %d cuda graphs still open: %w", c.graphs, ErrInUse)
	}
	err := call("delete IExecutionContext", func(m **C.char) C.int { return C.gotrt_context_destroy(c.h, m) })
	c.h = nil
	c.engine.release()
	return err
}

func (c *ExecutionContext) check() error {
	if c == nil || c.h == nil {
		return closedError("execution context")
	}
	return nil
}

// SetOptimizationProfile selects the profile the context runs with; TensorRT
// may copy on stream, which later work on the stream is ordered after.
func (c *ExecutionContext) SetOptimizationProfile(index int, stream unsafe.Pointer) error {
	if err := c.check(); err != nil {
		return err
	}
	return call("setOptimizationProfileAsync", func(m **C.char) C.int {
		return C.gotrt_context_set_profile(c.h, C.int32_t(index), stream, m)
	})
}

// SetInputShape sets the run-time shape of input name (the batch in
// dimension 0 for gotrt's engines); it must lie within the profile.
func (c *ExecutionContext) SetInputShape(name string, shape Shape) error {
	if err := c.check(); err != nil {
		return err
	}
	d, err := toDims(shape)
	if err != nil {
		return err
	}
	cname, free := cstring(name)
	defer free()
	err = call("setInputShape", func(m **C.char) C.int {
		return C.gotrt_context_set_input_shape(c.h, cname, &d.d[0], d.rank, m)
	})
	if err != nil {
		return fmt.Errorf("plan %s: tensor %q: shape %v: %w", c.engine.Source(), name, shape, err)
	}
	return nil
}

// TensorShape is a tensor's shape under the input shapes set so far (an
// output's shape once every input's is set).
func (c *ExecutionContext) TensorShape(name string) (Shape, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	cname, free := cstring(name)
	defer free()
	var d dims
	err := call("getTensorShape", func(m **C.char) C.int {
		return C.gotrt_context_tensor_shape(c.h, cname, &d.d[0], &d.rank, m)
	})
	if err != nil {
		return nil, fmt.Errorf("plan %s: tensor %q: %w", c.engine.Source(), name, err)
	}
	return d.shape(), nil
}

// SetTensorAddress binds tensor name to device address ptr (a CUdeviceptr);
// the buffer must hold the tensor at the largest shape it will run with.
func (c *ExecutionContext) SetTensorAddress(name string, ptr uintptr) error {
	if err := c.check(); err != nil {
		return err
	}
	cname, free := cstring(name)
	defer free()
	err := call("setTensorAddress", func(m **C.char) C.int {
		return C.gotrt_context_set_tensor_address(c.h, cname, C.uint64_t(ptr), m)
	})
	if err != nil {
		return fmt.Errorf("plan %s: tensor %q: %w", c.engine.Source(), name, err)
	}
	return nil
}

// EnqueueV3 enqueues one inference on stream (a CUstream, the same as a
// cudaStream_t) and returns without waiting for it.
func (c *ExecutionContext) EnqueueV3(stream unsafe.Pointer) error {
	if err := c.check(); err != nil {
		return err
	}
	return call("enqueueV3", func(m **C.char) C.int { return C.gotrt_context_enqueue_v3(c.h, stream, m) })
}

// CaptureGraph records one EnqueueV3 on stream into a CUDA graph and
// instantiates it. Set the input shapes and tensor addresses first, and run
// one plain EnqueueV3 with them beforehand, so that TensorRT's lazy setup is
// not captured. The graph replays exactly those shapes and addresses. The
// capture goes through package cuda's driver binding (no CUDA runtime).
func (c *ExecutionContext) CaptureGraph(stream unsafe.Pointer) (*Graph, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if stream == nil {
		return nil, newError("cuStreamBeginCapture", CodeInvalidArgument, "cannot capture the legacy default stream")
	}
	g, err := cuda.CaptureHandle(stream, func() error { return c.EnqueueV3(stream) })
	if err != nil {
		return nil, err
	}
	c.graphs++
	return &Graph{g: g, ctx: c}, nil
}

// Graph is an instantiated CUDA graph of one enqueue of an execution context.
type Graph struct {
	g   *cuda.HandleGraph
	ctx *ExecutionContext
}

// Launch replays the graph on stream.
func (g *Graph) Launch(stream unsafe.Pointer) error {
	if g == nil || g.g == nil {
		return closedError("cuda graph")
	}
	return g.g.Launch(stream)
}

// Close releases the graph; it is safe on nil and on a second call.
func (g *Graph) Close() error {
	if g == nil || g.g == nil {
		return nil
	}
	err := g.g.Close()
	g.g = nil
	g.ctx.graphs--
	return err
}
