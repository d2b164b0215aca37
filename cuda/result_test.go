package cuda_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gotrt/gotrt/cuda"
)

func TestErrorMatchesSentinels(t *testing.T) {
	err := error(&cuda.Error{Op: "cuMemAlloc", Code: cuda.ErrOutOfMemory, Msg: "out of memory"})
	assert.ErrorIs(t, err, cuda.ErrOutOfMemory)
	assert.NotErrorIs(t, err, cuda.ErrNotSupported)
	assert.Equal(t, "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY: out of memory", err.Error())
	noDev := error(&cuda.Error{Op: "cuInit", Code: cuda.ErrNoDevice})
	assert.ErrorIs(t, noDev, cuda.ErrNotSupported)
	assert.Equal(t, "cuInit: CUDA_ERROR_NO_DEVICE", noDev.Error())
	assert.Equal(t, "CUDA error 12345", cuda.Result(12345).Error())
}
