package runner

import (
	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/models/builtin/gpu"
)

// usableGPU is nil when this binary has the cuda tag and CUDA can use a
// device, else the reason (matching cuda.ErrNotSupported).
func usableGPU() error {
	if !cuda.Built || !gpu.Built {
		return errNoCUDATag
	}
	return cuda.Available()
}

// openBuiltinGPU opens the built-in model on the GPU of CUDA ordinal
// ordinal, offering streams executors (0: the device's default).
func openBuiltinGPU(ordinal int, id string, m *builtin.Model, streams int) (gpuDevice, error) {
	var opts []gpu.Option
	if streams > 0 {
		opts = append(opts, gpu.WithStreams(streams))
	}
	d, err := gpu.Open(ordinal, id, m, opts...)
	if err != nil {
		return nil, err
	}
	return d, nil
}
