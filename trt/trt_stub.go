//go:build !tensorrt

package trt

import "unsafe"

// This file gives a build without the tensorrt tag the same API as the cgo
// bindings; every entry point returns an error matching ErrNotSupported.

// LibraryVersion reports the version of the loaded TensorRT library.
func LibraryVersion() (Version, error) { return Version{}, unsupported("tensorrt library") }

// SetLogSeverity sets the most verbose TensorRT log severity printed to stderr.
func SetLogSeverity(s Severity) error { return unsupported("tensorrt logger") }

// Runtime is a TensorRT runtime (nvinfer1::IRuntime) that deserializes engines.
type Runtime struct{}

// NewRuntime creates a runtime.
func NewRuntime() (*Runtime, error) { return nil, unsupported("tensorrt runtime") }

// Close releases the runtime; it is safe on nil and on a second call.
func (r *Runtime) Close() error { return nil }

// DeserializeEngine loads an engine from plan bytes.
func (r *Runtime) DeserializeEngine(plan []byte) (*Engine, error) {
	return nil, unsupported("tensorrt engine")
}

// LoadEngineFile loads an engine from a plan file.
func (r *Runtime) LoadEngineFile(path string) (*Engine, error) {
	return nil, unsupported("tensorrt engine")
}

// Engine is a deserialized TensorRT engine (nvinfer1::ICudaEngine).
type Engine struct{}

// Close releases the engine; it is safe on nil and on a second call.
func (e *Engine) Close() error { return nil }

// Source names the plan the engine came from.
func (e *Engine) Source() string { return "" }

// IOTensors describes the engine's inputs and outputs.
func (e *Engine) IOTensors() ([]IOTensor, error) { return nil, unsupported("tensorrt engine") }

// Profiles describes the engine's optimization profiles.
func (e *Engine) Profiles() ([]Profile, error) { return nil, unsupported("tensorrt engine") }

// DeviceMemorySize is the activation memory a context of the engine needs.
func (e *Engine) DeviceMemorySize() (int64, error) { return 0, unsupported("tensorrt engine") }

// LayerInformation is the engine inspector's per-layer report.
func (e *Engine) LayerInformation() (*EngineInformation, error) {
	return nil, unsupported("tensorrt engine inspector")
}

// Inspect gathers IO tensors, profiles and layers into a Report.
func (e *Engine) Inspect() (*Report, error) { return nil, unsupported("tensorrt engine inspector") }

// Validate checks the engine's IO tensors against what a model expects.
func (e *Engine) Validate(want []TensorSpec) error { return unsupported("tensorrt engine") }

// NewExecutionContext creates an execution context.
func (e *Engine) NewExecutionContext() (*ExecutionContext, error) {
	return nil, unsupported("tensorrt execution context")
}

// ExecutionContext runs an engine on one CUDA stream (nvinfer1::IExecutionContext).
type ExecutionContext struct{}

// Close releases the context; it is safe on nil and on a second call.
func (c *ExecutionContext) Close() error { return nil }

// SetOptimizationProfile selects the profile the context runs with.
func (c *ExecutionContext) SetOptimizationProfile(index int, stream unsafe.Pointer) error {
	return unsupported("tensorrt execution context")
}

// SetInputShape sets the run-time shape of an input.
func (c *ExecutionContext) SetInputShape(name string, shape Shape) error {
	return unsupported("tensorrt execution context")
}

// TensorShape is a tensor's shape under the input shapes set so far.
func (c *ExecutionContext) TensorShape(name string) (Shape, error) {
	return nil, unsupported("tensorrt execution context")
}

// SetTensorAddress binds a tensor to a device address.
func (c *ExecutionContext) SetTensorAddress(name string, ptr uintptr) error {
	return unsupported("tensorrt execution context")
}

// EnqueueV3 enqueues the engine on a CUDA stream.
func (c *ExecutionContext) EnqueueV3(stream unsafe.Pointer) error {
	return unsupported("tensorrt execution context")
}

// CaptureGraph records one enqueue into a CUDA graph.
func (c *ExecutionContext) CaptureGraph(stream unsafe.Pointer) (*Graph, error) {
	return nil, unsupported("cuda graph")
}

// Graph is an instantiated CUDA graph of one enqueue.
type Graph struct{}

// Launch replays the graph on a stream.
func (g *Graph) Launch(stream unsafe.Pointer) error { return unsupported("cuda graph") }

// Close releases the graph; it is safe on nil and on a second call.
func (g *Graph) Close() error { return nil }

// Builder builds plans from ONNX models (nvinfer1::IBuilder with the ONNX parser).
type Builder struct{}

// NewBuilder creates a builder.
func NewBuilder() (*Builder, error) { return nil, unsupported("tensorrt builder") }

// Close releases the builder; it is safe on nil and on a second call.
func (b *Builder) Close() error { return nil }

// BuildONNX builds a serialized plan from an ONNX model file.
func (b *Builder) BuildONNX(onnxPath string, opts BuildOptions) ([]byte, error) {
	return nil, unsupported("tensorrt builder")
}
