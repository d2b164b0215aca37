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

// InputLayout is what one sample of an engine input holds: the engine's
// tensor (its type and format, CHW4 and kin included) and the bytes one
// sample of it takes in the executor's staging buffer. A data set must feed
// exactly that many bytes a sample, already in the tensor's format.
type InputLayout struct {
	Tensor IOTensor
	Bytes  int
}

// sampleBytes is the size of one sample of tensor t under profile p: the
// buffer for p's largest shape at batch 1 (dimension 0 is the batch), with
// the vectorized dimension padded. The executor's buffers hold maxBatch of
// these.
func sampleBytes(t IOTensor, p Profile) (int, error) {
	shape := t.Shape
	for _, in := range p.Inputs {
		if in.Name == t.Name {
			shape = in.Max
		}
	}
	n, err := t.Bytes(shape.WithBatch(1))
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// inputLayouts describes the inputs, in sample order, under profile p.
func inputLayouts(inputs []IOTensor, p Profile) ([]InputLayout, error) {
	out := make([]InputLayout, 0, len(inputs))
	for _, t := range inputs {
		n, err := sampleBytes(t, p)
		if err != nil {
			return nil, err
		}
		out = append(out, InputLayout{Tensor: t, Bytes: n})
	}
	return out, nil
}

// needsDeviceBuffer reports whether an executor gives tensor t device
// memory: every tensor but one TensorRT keeps on the host (a shape tensor),
// whose address must be host memory.
func needsDeviceBuffer(t IOTensor) bool { return !t.OnHost }
