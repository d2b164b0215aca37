package trt

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rn50 is an engine as NVIDIA's MLPerf ResNet50 INT8 plans look: a dynamic
// batch, an INT8 CHW4 input and an int32 top-1 output.
var rn50 = []IOTensor{
	{Name: "input_tensor_0", Mode: ModeInput, DataType: Int8, Shape: Shape{-1, 3, 224, 224}, Format: CHW4, VectorizedDim: 1, Components: 4},
	{Name: "topk_layer_output_index", Mode: ModeOutput, DataType: Int32, Shape: Shape{-1, 1, 1, 1}, Format: Linear, VectorizedDim: -1, Components: 1},
}

var rn50Spec = []TensorSpec{
	{Name: "input_tensor_0", Mode: ModeInput, DataType: Int8, Shape: Shape{3, 224, 224}, Formats: []Format{Linear, CHW4}},
	{Name: "topk_layer_output_index", Mode: ModeOutput, DataType: Int32, Shape: Shape{-1, -1, -1}},
}

func TestValidateIO(t *testing.T) {
	tests := []struct {
		description string
		mutate      func(got []IOTensor, want []TensorSpec) ([]IOTensor, []TensorSpec)
		wantIn      []string // substrings of the error; none means valid
	}{
		{"matching engine", nil, nil},
		{"renamed input", func(g []IOTensor, w []TensorSpec) ([]IOTensor, []TensorSpec) {
			g[0].Name = "input"
			return g, w
		}, []string{`tensor "input_tensor_0"`, "no such tensor", `"input"`, `tensor "input": the engine has an input the model does not feed`}},
		{"fp32 input", func(g []IOTensor, w []TensorSpec) ([]IOTensor, []TensorSpec) {
			g[0].DataType = Float
			return g, w
		}, []string{"data type fp32 in the engine, the model expects int8"}},
		{"other image size", func(g []IOTensor, w []TensorSpec) ([]IOTensor, []TensorSpec) {
			g[0].Shape = Shape{-1, 3, 300, 300}
			return g, w
		}, []string{"dimension 2"}},
		{"no batch dimension", func(g []IOTensor, w []TensorSpec) ([]IOTensor, []TensorSpec) {
			g[0].Shape = Shape{3, 224, 224}
			return g, w
		}, []string{"rank 3"}},
		{"format not accepted", func(g []IOTensor, w []TensorSpec) ([]IOTensor, []TensorSpec) {
			g[0].Format = CHW32
			return g, w
		}, []string{"format chw32"}},
		{"output expected as input", func(g []IOTensor, w []TensorSpec) ([]IOTensor, []TensorSpec) {
			w[1].Mode = ModeInput
			return g, w
		}, []string{"is an output in the engine, the model expects an input"}},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			got := append([]IOTensor(nil), rn50...)
			want := append([]TensorSpec(nil), rn50Spec...)
			if tt.mutate != nil {
				got, want = tt.mutate(got, want)
			}
			err := ValidateIO("rn50.plan", got, want)
			if tt.wantIn == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrIOMismatch)
			assert.Contains(t, err.Error(), "plan rn50.plan")
			for _, s := range tt.wantIn {
				assert.Contains(t, err.Error(), s)
			}
		})
	}
}

// NVIDIA's INT8 ResNet-50 ends in a TopK whose output is (N,1,1,1); the
// catalogue says batch x [1]. Both are one element per sample.
func TestValidateIOAllowsTrailingOnes(t *testing.T) {
	want := append([]TensorSpec(nil), rn50Spec...)
	want[1].Shape = Shape{1} // as runner.EngineSpecs gives the catalogue's output
	assert.NoError(t, ValidateIO("rn50.plan", rn50, want))

	got := append([]IOTensor(nil), rn50...)
	got[1].Shape = Shape{-1, 1}
	assert.NoError(t, ValidateIO("rn50.plan", got, want))
	got[1].Shape = Shape{-1, 5, 1, 1}
	err := ValidateIO("rn50.plan", got, want)
	require.ErrorIs(t, err, ErrIOMismatch)
	assert.Contains(t, err.Error(), "has rank 4, the model expects batch x 1")

	// BERT's logits keep their inner shape; only trailing 1s are ignored.
	bert := []IOTensor{{Name: "logits", Mode: ModeOutput, DataType: Half, Shape: Shape{-1, 384, 2, 1, 1}}}
	assert.NoError(t, ValidateIO("bert.plan", bert, []TensorSpec{{Name: "logits", Mode: ModeOutput, DataType: Half, Shape: Shape{384, 2}}}))
	err = ValidateIO("bert.plan", bert, []TensorSpec{{Name: "logits", Mode: ModeOutput, DataType: Half, Shape: Shape{2, 384}}})
	require.ErrorIs(t, err, ErrIOMismatch)
	assert.Contains(t, err.Error(), "dimension 1")
}

func TestCheckBatchNamesTensorAndLimit(t *testing.T) {
	p := Profile{Index: 1, Inputs: []ProfileShapes{
		{Name: "input_tensor_0", Min: Shape{1, 3, 224, 224}, Opt: Shape{64, 3, 224, 224}, Max: Shape{128, 3, 224, 224}},
	}}
	assert.NoError(t, CheckBatch("rn50.plan", p, 128))
	assert.NoError(t, CheckBatch("rn50.plan", p, 1))

	err := CheckBatch("rn50.plan", p, 129)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrBatchTooLarge)
	assert.Equal(t, `plan rn50.plan: tensor "input_tensor_0": batch 129 above the maximum 128 of profile 1: batch size outside the engine profile`, err.Error())

	assert.True(t, errors.Is(CheckBatch("rn50.plan", p, 0), ErrBatchTooLarge))
}
