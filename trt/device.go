package trt

import (
	"fmt"

	"github.com/gotrt/gotrt/runner/result"
)

// DeviceConfig says how [OpenDevice] sets up one GPU.
type DeviceConfig struct {
	// ID names the device in results and errors; default "gpu<ordinal>".
	ID string
	// Kind is the device's kind in results, as discovery reports it:
	// [result.KindGPU] (the default) or [result.KindMIG] for a MIG instance.
	Kind string
	// Ordinal is the CUDA device index (as CUDA_VISIBLE_DEVICES numbers them).
	Ordinal int
	// Plan is the path of the serialized engine; it must have been built
	// for this GPU model and the TensorRT version linked in.
	Plan string
	// Expect lists the IO tensors the model needs; when given, the engine is
	// checked against it before any run ([ValidateIO]) and a sample's bytes
	// are laid out in its order. Empty trusts the engine and uses its order.
	Expect []TensorSpec
	// GraphBatches lists batch sizes to capture as CUDA graphs per stream
	// (small Server batches gain most); other sizes run a plain enqueue.
	GraphBatches []int
}

// kind returns the device's kind, defaulting to [result.KindGPU], or an
// error naming an unknown one.
func (c DeviceConfig) kind() (string, error) {
	switch c.Kind {
	case "":
		return result.KindGPU, nil
	case result.KindGPU, result.KindMIG:
		return c.Kind, nil
	}
	return "", fmt.Errorf("device kind %q: want %q or %q", c.Kind, result.KindGPU, result.KindMIG)
}
