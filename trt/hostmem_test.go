package trt

import (
	"math"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The plan copy used C.GoBytes(p, C.int(size)), which wraps to a negative
// length, and panics, for plans of 2 GiB or more. goBytes takes the size as
// IHostMemory::size gives it (size_t).
func TestGoBytes(t *testing.T) {
	src := []byte("serialized plan")
	got, err := goBytes(unsafe.Pointer(&src[0]), uint64(len(src)))
	require.NoError(t, err)
	assert.Equal(t, src, got)
	got[0] = 'S'
	assert.Equal(t, byte('s'), src[0], "a copy, not a view of TensorRT's memory")

	got, err = goBytes(nil, 0)
	require.NoError(t, err)
	assert.Empty(t, got)
	_, err = goBytes(nil, 10)
	assert.ErrorIs(t, err, ErrFailed)
	_, err = goBytes(unsafe.Pointer(&src[0]), math.MaxUint64)
	assert.ErrorIs(t, err, ErrOutOfMemory)

	// The C int conversion the old code made: 2 GiB is negative there.
	size := uint64(1 << 31)
	assert.Negative(t, int32(size), "what C.int(size) made of a 2 GiB plan")
}

func TestInputOptions(t *testing.T) {
	net := []NetworkInput{{Name: "input_tensor:0", DataType: Float, Shape: Shape{-1, 3, 224, 224}}}
	spec := []TensorSpec{
		{Name: "input_tensor:0", Mode: ModeInput, DataType: Int8, Shape: Shape{3, 224, 224}, Formats: []Format{Linear, CHW4}},
		{Name: "topk", Mode: ModeOutput, DataType: Int32, Shape: Shape{1}},
	}
	opts := InputsFor(spec)
	require.Equal(t, []InputOptions{{Name: "input_tensor:0", DataType: Int8, Formats: []Format{Linear, CHW4}}}, opts)
	assert.Equal(t, uint32(1<<0|1<<3), formatMask(opts[0].Formats), "TensorFormats bits of linear and chw4")
	require.NoError(t, checkInputOptions(net, opts))

	err := checkInputOptions(net, []InputOptions{{Name: "input", DataType: Int8}})
	assert.ErrorContains(t, err, `input "input": not an input of the network (it has input_tensor:0)`)
	err = checkInputOptions(net, append(opts, opts[0]))
	assert.ErrorContains(t, err, "given twice")
	err = checkInputOptions(net, []InputOptions{{Name: "input_tensor:0", DataType: 99}})
	assert.ErrorContains(t, err, "unknown data type")
	assert.ErrorContains(t, BuildOptions{Inputs: []InputOptions{{}}}.Validate(), "without a name")
}
