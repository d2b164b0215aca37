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
	"unsafe"

	"github.com/gotrt/gotrt/internal/bounded"
)

// Runtime is a TensorRT runtime (nvinfer1::IRuntime) that deserializes
// engines. Close it after every engine it loaded.
type Runtime struct {
	mu   sync.Mutex
	h    *C.gotrt_runtime
	live int // engines not yet closed
}

// NewRuntime creates a runtime, loading TensorRT first ([Load]): without it
// the error matches [ErrNotSupported] and names the library and [EnvLibrary].
func NewRuntime() (*Runtime, error) {
	if _, err := Load(); err != nil {
		return nil, err
	}
	var h *C.gotrt_runtime
	if err := call("createInferRuntime", func(m **C.char) C.int { return C.gotrt_runtime_create(&h, m) }); err != nil {
		return nil, err
	}
	return &Runtime{h: h}, nil
}

// Close releases the runtime. It refuses, with an error matching
// [ErrInUse], while engines it loaded are open; it is safe on nil and on a
// second call.
func (r *Runtime) Close() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.h == nil {
		return nil
	}
	if r.live > 0 {
		return fmt.Errorf("trt: runtime: %d engines still open: %w", r.live, ErrInUse)
	}
	err := call("delete IRuntime", func(m **C.char) C.int { return C.gotrt_runtime_destroy(r.h, m) })
	r.h = nil
	return err
}

// DeserializeEngine loads an engine from plan bytes; errors name the plan
// "<memory>". The plan must come from the same TensorRT version and GPU model.
func (r *Runtime) DeserializeEngine(plan []byte) (*Engine, error) {
	return r.deserialize("<memory>", plan)
}

// LoadEngineFile loads an engine from a plan file. A truncated or corrupt
// plan, or one built by another TensorRT version or for another GPU, returns
// an error naming the file and matching [ErrPlanCorrupt], [ErrPlanVersion] or
// [ErrPlanDevice] as TensorRT's message says; a plan that needs a plugin no
// loaded library registers, a [*PluginError] naming it ([LoadPlugins]).
func (r *Runtime) LoadEngineFile(path string) (*Engine, error) {
	// A pipe or device named as a plan would block or never end.
	plan, err := bounded.ReadFile(path, "plan", bounded.PlanLimit)
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", path, err)
	}
	return r.deserialize(path, plan)
}

func (r *Runtime) deserialize(source string, plan []byte) (*Engine, error) {
	if r == nil {
		return nil, closedError("runtime")
	}
	if len(plan) == 0 {
		return nil, fmt.Errorf("plan %s: empty: %w", source, ErrPlanCorrupt)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.h == nil {
		return nil, closedError("runtime")
	}
	var h *C.gotrt_engine
	var msg *C.char
	// TensorRT copies what it needs from the plan during the call; cgo pins
	// the slice's memory for its duration.
	rc := C.gotrt_runtime_deserialize(r.h, unsafe.Pointer(&plan[0]), C.size_t(len(plan)), &h, &msg)
	if err := status("deserializeCudaEngine", rc, msg); err != nil {
		return nil, planError(source, planEnvironment(), err)
	}
	r.live++
	return &Engine{h: h, rt: r, source: source}, nil
}

func (r *Runtime) release() {
	r.mu.Lock()
	r.live--
	r.mu.Unlock()
}
