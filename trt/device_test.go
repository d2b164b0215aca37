package trt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeviceConfigKind(t *testing.T) {
	for _, tc := range []struct {
		description string
		kind        string
		want        string
		wantErr     string
	}{
		{"default is a whole gpu", "", "gpu", ""},
		{"gpu", "gpu", "gpu", ""},
		{"mig instance", "mig", "mig", ""},
		{"cpu is not a tensorrt device", "cpu", "", `device kind "cpu"`},
		{"unknown", "tpu", "", `device kind "tpu"`},
	} {
		t.Run(tc.description, func(t *testing.T) {
			got, err := DeviceConfig{Kind: tc.kind}.kind()
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// One sample of NVIDIA's CHW4 ResNet-50 input is 200,704 bytes (C padded to
// 4), not the linear 150,528: what a data set must feed.
func TestInputLayoutsPadVectorizedInputs(t *testing.T) {
	p := Profile{Inputs: []ProfileShapes{{Name: "input_tensor_0", Min: Shape{1, 3, 224, 224}, Opt: Shape{64, 3, 224, 224}, Max: Shape{128, 3, 224, 224}}}}
	got, err := inputLayouts(rn50[:1], p)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, 224*224*4, got[0].Bytes)
	assert.Equal(t, CHW4, got[0].Tensor.Format)

	lin := rn50[0]
	lin.Format, lin.VectorizedDim, lin.Components = Linear, -1, 1
	got, err = inputLayouts([]IOTensor{lin}, p)
	require.NoError(t, err)
	assert.Equal(t, 3*224*224, got[0].Bytes)

	// BERT: the sequence is dynamic; its profile's max bounds the slot.
	ids := IOTensor{Name: "input_ids", Mode: ModeInput, DataType: Int32, Shape: Shape{-1, -1}, VectorizedDim: -1, Components: 1}
	got, err = inputLayouts([]IOTensor{ids}, Profile{Inputs: []ProfileShapes{{Name: "input_ids", Min: Shape{1, 1}, Opt: Shape{8, 384}, Max: Shape{8, 384}}}})
	require.NoError(t, err)
	assert.Equal(t, 384*4, got[0].Bytes)
}

// A host-located tensor (a shape tensor input) is given host memory; every
// tensor used to get a device pointer.
func TestNeedsDeviceBuffer(t *testing.T) {
	assert.True(t, needsDeviceBuffer(rn50[0]))
	shape := IOTensor{Name: "shape", Mode: ModeInput, DataType: Int64, Shape: Shape{2}, OnHost: true}
	assert.False(t, needsDeviceBuffer(shape))
}
