//go:build tensorrt

package trt

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"sync"
)

// Engine is a deserialized TensorRT engine (nvinfer1::ICudaEngine). Close it
// after every context created from it and before its Runtime.
type Engine struct {
	mu     sync.Mutex
	h      *C.gotrt_engine
	rt     *Runtime
	source string
	live   int // contexts not yet closed
}

// Close releases the engine. It refuses, with an error matching [ErrInUse],
// while contexts created from it are open; it is safe on nil and on a second
// call.
func (e *Engine) Close() error {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.h == nil {
		return nil
	}
	if e.live > 0 {
		return fmt.Errorf("trt: engine %s: %d execution contexts still open: %w", e.source, e.live, ErrInUse)
	}
	err := call("delete ICudaEngine", func(m **C.char) C.int { return C.gotrt_engine_destroy(e.h, m) })
	e.h = nil
	e.rt.release()
	return err
}

// Source names the plan the engine came from: its path, or "<memory>".
func (e *Engine) Source() string {
	if e == nil {
		return ""
	}
	return e.source
}

// handle returns the engine's handle under its lock, or ErrClosed.
func (e *Engine) handle() (*C.gotrt_engine, func(), error) {
	if e == nil {
		return nil, nil, closedError("engine")
	}
	e.mu.Lock()
	if e.h == nil {
		e.mu.Unlock()
		return nil, nil, closedError("engine " + e.source)
	}
	return e.h, e.mu.Unlock, nil
}

// IOTensors describes the engine's inputs and outputs in the engine's order.
func (e *Engine) IOTensors() ([]IOTensor, error) {
	h, unlock, err := e.handle()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return ioTensors(h, e.source)
}

func ioTensors(h *C.gotrt_engine, source string) ([]IOTensor, error) {
	var n C.int32_t
	if err := call("getNbIOTensors", func(m **C.char) C.int { return C.gotrt_engine_num_io_tensors(h, &n, m) }); err != nil {
		return nil, fmt.Errorf("plan %s: %w", source, err)
	}
	out := make([]IOTensor, 0, int(n))
	for i := 0; i < int(n); i++ {
		var cname *C.char
		if err := call("getIOTensorName", func(m **C.char) C.int { return C.gotrt_engine_io_tensor_name(h, C.int32_t(i), &cname, m) }); err != nil {
			return nil, fmt.Errorf("plan %s: tensor %d: %w", source, i, err)
		}
		t := IOTensor{Name: C.GoString(cname)}
		var mode, dtype, format, vdim, comps, loc C.int32_t
		var d dims
		err := firstError(
			call("getTensorIOMode", func(m **C.char) C.int { return C.gotrt_engine_tensor_io_mode(h, cname, &mode, m) }),
			call("getTensorDataType", func(m **C.char) C.int { return C.gotrt_engine_tensor_data_type(h, cname, &dtype, m) }),
			call("getTensorShape", func(m **C.char) C.int { return C.gotrt_engine_tensor_shape(h, cname, &d.d[0], &d.rank, m) }),
			call("getTensorFormat", func(m **C.char) C.int { return C.gotrt_engine_tensor_format(h, cname, &format, m) }),
			call("getTensorVectorizedDim", func(m **C.char) C.int { return C.gotrt_engine_tensor_vectorized_dim(h, cname, &vdim, m) }),
			call("getTensorComponentsPerElement", func(m **C.char) C.int { return C.gotrt_engine_tensor_components(h, cname, &comps, m) }),
			call("getTensorLocation", func(m **C.char) C.int { return C.gotrt_engine_tensor_location(h, cname, &loc, m) }),
		)
		if err != nil {
			return nil, fmt.Errorf("plan %s: tensor %q: %w", source, t.Name, err)
		}
		t.Mode, t.DataType, t.Shape, t.Format = IOMode(mode), DataType(dtype), d.shape(), Format(format)
		t.VectorizedDim, t.OnHost = int(vdim), loc == C.GOTRT_LOCATION_HOST
		if t.Components, err = componentsPerElement(int32(vdim), int32(comps)); err != nil {
			return nil, fmt.Errorf("plan %s: tensor %q: %w", source, t.Name, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// firstError returns the first non-nil error. Go evaluates all arguments, so
// callers only pass calls that are harmless after an earlier failure.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Profiles describes the engine's optimization profiles: for each, the
// min/opt/max shape of every input.
func (e *Engine) Profiles() ([]Profile, error) {
	h, unlock, err := e.handle()
	if err != nil {
		return nil, err
	}
	defer unlock()
	tensors, err := ioTensors(h, e.source)
	if err != nil {
		return nil, err
	}
	var n C.int32_t
	if err := call("getNbOptimizationProfiles", func(m **C.char) C.int { return C.gotrt_engine_num_profiles(h, &n, m) }); err != nil {
		return nil, fmt.Errorf("plan %s: %w", e.source, err)
	}
	out := make([]Profile, 0, int(n))
	for p := 0; p < int(n); p++ {
		prof := Profile{Index: p}
		for _, t := range tensors {
			if t.Mode != ModeInput {
				continue
			}
			ps := ProfileShapes{Name: t.Name}
			if !t.Shape.Dynamic() {
				// A static input's only shape is its range.
				ps.Min, ps.Opt, ps.Max = t.Shape, t.Shape, t.Shape
				prof.Inputs = append(prof.Inputs, ps)
				continue
			}
			cname, free := cstring(t.Name)
			for sel, dst := range []*Shape{&ps.Min, &ps.Opt, &ps.Max} {
				var d dims
				err := call("getProfileShape", func(m **C.char) C.int {
					return C.gotrt_engine_profile_shape(h, cname, C.int32_t(p), C.int32_t(sel), &d.d[0], &d.rank, m)
				})
				if err != nil {
					free()
					return nil, fmt.Errorf("plan %s: tensor %q: profile %d: %w", e.source, t.Name, p, err)
				}
				*dst = d.shape()
			}
			free()
			prof.Inputs = append(prof.Inputs, ps)
		}
		out = append(out, prof)
	}
	return out, nil
}

// DeviceMemorySize is the activation (scratch) memory a context of the
// engine allocates, in bytes.
func (e *Engine) DeviceMemorySize() (int64, error) {
	h, unlock, err := e.handle()
	if err != nil {
		return 0, err
	}
	defer unlock()
	var n C.int64_t
	if err := call("getDeviceMemorySize", func(m **C.char) C.int { return C.gotrt_engine_device_memory_size(h, &n, m) }); err != nil {
		return 0, fmt.Errorf("plan %s: %w", e.source, err)
	}
	return int64(n), nil
}

// LayerInformation is the engine inspector's per-layer report (kJSON). How
// much it says depends on the profiling verbosity the engine was built with.
// An engine with dynamic input shapes is inspected under an execution
// context set to profile 0's optimal shapes: without one TensorRT cannot
// say a layer's formats, and every precision reads "unknown". That context
// allocates the engine's activation memory on the current GPU for the call.
func (e *Engine) LayerInformation() (*EngineInformation, error) {
	tensors, err := e.IOTensors()
	if err != nil {
		return nil, err
	}
	profiles, err := e.Profiles()
	if err != nil {
		return nil, err
	}
	var ctx *ExecutionContext
	if shapes := inspectShapes(tensors, profiles); len(shapes) > 0 {
		if ctx, err = e.NewExecutionContext(); err != nil {
			return nil, err
		}
		defer ctx.Close()
		if err := ctx.SetOptimizationProfile(0, nil); err != nil {
			return nil, fmt.Errorf("plan %s: %w", e.source, err)
		}
		for _, s := range shapes {
			if err := ctx.SetInputShape(s.Name, s.Opt); err != nil {
				return nil, err
			}
		}
	}
	h, unlock, err := e.handle()
	if err != nil {
		return nil, err
	}
	defer unlock()
	var in *C.gotrt_inspector
	if err := call("createEngineInspector", func(m **C.char) C.int { return C.gotrt_engine_create_inspector(h, &in, m) }); err != nil {
		return nil, fmt.Errorf("plan %s: %w", e.source, err)
	}
	defer C.gotrt_inspector_destroy(in, nil)
	if ctx != nil {
		if err := call("IEngineInspector::setExecutionContext", func(m **C.char) C.int { return C.gotrt_inspector_set_context(in, ctx.h, m) }); err != nil {
			return nil, fmt.Errorf("plan %s: %w", e.source, err)
		}
	}
	var js *C.char
	if err := call("getEngineInformation", func(m **C.char) C.int { return C.gotrt_inspector_engine_info(in, C.GOTRT_LAYER_INFO_JSON, &js, m) }); err != nil {
		return nil, fmt.Errorf("plan %s: %w", e.source, err)
	}
	info, err := ParseEngineInformation([]byte(C.GoString(js)))
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", e.source, err)
	}
	return info, nil
}

// Inspect gathers the engine's IO tensors, profiles, memory and layers into
// a Report.
func (e *Engine) Inspect() (*Report, error) {
	r := &Report{File: e.Source(), TensorRT: headerVersion().String()}
	if v, err := LibraryVersion(); err == nil {
		r.TensorRT = v.String()
	}
	var err error
	if r.IOTensors, err = e.IOTensors(); err != nil {
		return nil, err
	}
	if r.Profiles, err = e.Profiles(); err != nil {
		return nil, err
	}
	if r.DeviceMemory, err = e.DeviceMemorySize(); err != nil {
		return nil, err
	}
	info, err := e.LayerInformation()
	if err != nil {
		return nil, err
	}
	r.Layers, r.DetailedLayers = info.Layers, info.Detailed
	r.CountPrecisions()
	return r, nil
}

// Validate checks the engine's IO tensors against what a model expects (see
// [ValidateIO]); the error names the plan file and the tensor.
func (e *Engine) Validate(want []TensorSpec) error {
	got, err := e.IOTensors()
	if err != nil {
		return err
	}
	return ValidateIO(e.Source(), got, want)
}

// NewExecutionContext creates an execution context, which allocates the
// engine's activation memory on the current CUDA context's device. Close it
// before the engine.
func (e *Engine) NewExecutionContext() (*ExecutionContext, error) {
	h, unlock, err := e.handle()
	if err != nil {
		return nil, err
	}
	defer unlock()
	var c *C.gotrt_context
	if err := call("createExecutionContext", func(m **C.char) C.int { return C.gotrt_engine_create_context(h, &c, m) }); err != nil {
		return nil, fmt.Errorf("plan %s: %w", e.source, err)
	}
	e.live++
	return &ExecutionContext{h: c, engine: e}, nil
}

func (e *Engine) release() {
	e.mu.Lock()
	e.live--
	e.mu.Unlock()
}
