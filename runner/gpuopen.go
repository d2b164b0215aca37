package runner

import (
	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/internal/gpuerr"
	"github.com/gotrt/gotrt/models/builtin"
)

// errGPUNotWired stands until models/builtin/gpu builds without the cuda
// tag and cuda.Available lands; then these two functions call them.
var errGPUNotWired error = &gpuerr.UnsupportedError{Feature: "the built-in model on a GPU", Hint: "not wired into the runner yet"}

// usableGPU is nil when this binary has the cuda tag and CUDA can use a
// device, else the reason (matching cuda.ErrNotSupported).
func usableGPU() error {
	if !cuda.Built {
		return errNoCUDATag
	}
	return errGPUNotWired
}

// openBuiltinGPU opens the built-in model on the GPU of CUDA ordinal ordinal.
func openBuiltinGPU(int, string, *builtin.Model) (gpuDevice, error) {
	return nil, errGPUNotWired
}
