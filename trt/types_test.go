package trt

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDataTypeNamesRoundTrip(t *testing.T) {
	for d := Float; d <= E8M0; d++ {
		got, err := ParseDataType(d.String())
		require.NoError(t, err)
		assert.Equal(t, d, got)
		assert.NotZero(t, d.Bits(), d.String())
	}
	got, err := ParseDataType("float32")
	require.NoError(t, err)
	assert.Equal(t, Float, got)
	_, err = ParseDataType("complex64")
	assert.ErrorContains(t, err, "complex64")
	assert.Equal(t, "datatype(99)", DataType(99).String())
	assert.Zero(t, DataType(99).Bits())
}

func TestFormatNamesRoundTrip(t *testing.T) {
	for f := Linear; f <= DHWC; f++ {
		got, err := ParseFormat(f.String())
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	assert.Equal(t, "chw4", CHW4.String())
	_, err := ParseFormat("nchw")
	assert.Error(t, err)
}

func TestShapeParseAndVolume(t *testing.T) {
	s, err := ParseShape("-1x3x224x224")
	require.NoError(t, err)
	assert.Equal(t, Shape{-1, 3, 224, 224}, s)
	assert.True(t, s.Dynamic())
	_, err = s.Volume()
	assert.Error(t, err)
	v, err := s.WithBatch(8).Volume()
	require.NoError(t, err)
	assert.EqualValues(t, 8*3*224*224, v)
	assert.Equal(t, Shape{-1, 3, 224, 224}, s, "WithBatch copies")
	assert.Equal(t, "-1x3x224x224", s.String())

	for _, bad := range []string{"1xax3", "1x-2"} {
		_, err := ParseShape(bad)
		assert.Error(t, err, bad)
	}
}

func TestIOTensorBytesPadsVectorizedDimension(t *testing.T) {
	// An INT8 CHW4 input with 3 channels is stored with 4.
	in := IOTensor{Name: "input", DataType: Int8, Format: CHW4, VectorizedDim: 1, Components: 4}
	n, err := in.Bytes(Shape{2, 3, 224, 224})
	require.NoError(t, err)
	assert.EqualValues(t, 2*4*224*224, n)

	lin := IOTensor{Name: "logits", DataType: Float, Format: Linear, VectorizedDim: -1, Components: 1}
	n, err = lin.Bytes(Shape{2, 1000})
	require.NoError(t, err)
	assert.EqualValues(t, 2*1000*4, n)

	_, err = lin.Bytes(Shape{-1, 1000})
	assert.ErrorContains(t, err, "logits")
}

func TestProfileBatchRangeIsTheTightestInput(t *testing.T) {
	p := Profile{Inputs: []ProfileShapes{
		{Name: "input_ids", Min: Shape{1, 384}, Opt: Shape{64, 384}, Max: Shape{128, 384}},
		{Name: "segment_ids", Min: Shape{2, 384}, Opt: Shape{64, 384}, Max: Shape{96, 384}},
	}}
	lo, hi := p.BatchRange()
	assert.Equal(t, 2, lo)
	assert.Equal(t, 96, hi)
}

func TestDecodeLibVersion(t *testing.T) {
	assert.Equal(t, Version{8, 6, 1}, decodeLibVersion(8601))
	assert.Equal(t, Version{10, 16, 0}, decodeLibVersion(101600))
	assert.Equal(t, "10.3.0", decodeLibVersion(100300).String())
}

func TestIOTensorJSONUsesNames(t *testing.T) {
	b, err := json.Marshal(IOTensor{Name: "x", Mode: ModeInput, DataType: Int8, Shape: Shape{-1, 3}, Format: CHW32})
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"x","mode":"input","dtype":"int8","shape":[-1,3],"format":"chw32","vectorized_dim":0,"components":0}`, string(b))
	var back IOTensor
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, CHW32, back.Format)
	assert.Equal(t, ModeInput, back.Mode)
}

// TensorRT 10 and 11 return -1 components for a linear tensor
// (NvInferRuntime.h); the shim used to take it for a failure, so no engine
// opened. A linear tensor holds 1 component.
func TestComponentsPerElement(t *testing.T) {
	n, err := componentsPerElement(-1, -1) // linear, TensorRT 10/11
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = componentsPerElement(-1, 1) // linear, TensorRT 8.6
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = componentsPerElement(1, 4) // CHW4
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	_, err = componentsPerElement(1, -1)
	require.ErrorIs(t, err, ErrFailed)
	assert.Contains(t, err.Error(), "vectorized dimension 1 but -1 components")
}
