package trt

import (
	"errors"
	"fmt"
	"slices"
	"unsafe"
)

// graphContext is what capturing a CUDA graph needs of an execution
// context. *ExecutionContext has it; tests use a stand-in.
type graphContext interface {
	SetOptimizationProfile(index int, stream unsafe.Pointer) error
	SetInputShape(name string, shape Shape) error
	SetTensorAddress(name string, ptr uintptr) error
	EnqueueV3(stream unsafe.Pointer) error
	CaptureGraph(stream unsafe.Pointer) (*Graph, error)
	Close() error
}

// capturedGraph is a CUDA graph and the execution context it was captured
// from. The context serves this graph alone: a graph replays the context's
// state at capture time, so a context whose shapes changed after the capture
// (for another batch size) would replay a stale graph. TensorRT's guide asks
// for one context per captured graph.
type capturedGraph struct {
	ctx   graphContext
	graph *Graph
}

// close releases the graph, then its context.
func (c capturedGraph) close() error {
	var err error
	if c.graph != nil {
		err = c.graph.Close()
	}
	if c.ctx != nil {
		err = errors.Join(err, c.ctx.Close())
	}
	return err
}

// graphSizes is the batch sizes to capture: those asked for within
// 1..maxBatch, sorted, each once.
func graphSizes(asked []int, maxBatch int) []int {
	var out []int
	for _, n := range asked {
		if n >= 1 && n <= maxBatch && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// graphCapture says how an executor captures its graphs: on its stream,
// with its profile, each in a new context that bind gives the shapes of
// batch n and the executor's buffers.
type graphCapture struct {
	stream     unsafe.Pointer
	profile    int
	newContext func() (graphContext, error)
	bind       func(c graphContext, n int) error
	sync       func() error
}

// captureGraphs captures one graph per size, each from a context of its
// own, after one warm-up enqueue of that context (so that TensorRT's lazy
// setup is not captured). On error it returns the graphs captured so far,
// for the caller to close, with the error naming the batch size.
func captureGraphs(sizes []int, gc graphCapture) (map[int]capturedGraph, error) {
	out := make(map[int]capturedGraph, len(sizes))
	for _, n := range sizes {
		c, err := gc.newContext()
		if err != nil {
			return out, fmt.Errorf("cuda graph for batch %d: %w", n, err)
		}
		cg := capturedGraph{ctx: c}
		if err = c.SetOptimizationProfile(gc.profile, gc.stream); err == nil {
			if err = gc.bind(c, n); err == nil {
				if err = c.EnqueueV3(gc.stream); err == nil {
					if err = gc.sync(); err == nil {
						cg.graph, err = c.CaptureGraph(gc.stream)
					}
				}
			}
		}
		if err != nil {
			return out, errors.Join(fmt.Errorf("cuda graph for batch %d: %w", n, err), cg.close())
		}
		out[n] = cg
	}
	return out, nil
}

// profileFor picks the optimization profile of an executor's stream, as
// NVIDIA's harness does (stream i runs profile i mod the number of
// profiles), and refuses what the loaded TensorRT does not allow. Before
// TensorRT 9 an optimization profile serves one execution context at a time
// (sharing came as the kPROFILE_SHARING_0806 preview in 8.6 and became the
// rule in 9), so on 8.x a stream needs a profile of its own, and CUDA
// graphs, which need a context per captured batch size, cannot be had.
func profileFor(lib Version, stream, profiles, graphs int) (int, error) {
	if profiles < 1 {
		return 0, fmt.Errorf("engine has no optimization profile: %w", ErrIOMismatch)
	}
	if stream < 0 {
		return 0, fmt.Errorf("stream %d is negative", stream)
	}
	if lib.Major > 0 && lib.Major < 9 {
		if stream >= profiles {
			return 0, fmt.Errorf("tensorrt %s lets an optimization profile serve one execution context, and stream %d would share "+
				"one of the plan's %d profiles: run at most %d streams, or build the plan with a profile per stream: %w",
				lib, stream, profiles, profiles, ErrNotSupported)
		}
		if graphs > 0 {
			return 0, fmt.Errorf("tensorrt %s: cuda graphs need an execution context per captured batch size, and a profile "+
				"serves one context before tensorrt 9: capture no graphs (GraphBatches) on this version: %w", lib, ErrNotSupported)
		}
	}
	return stream % profiles, nil
}
