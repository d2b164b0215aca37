package trt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuildOptionsValidate(t *testing.T) {
	assert.NoError(t, BuildOptions{INT8: true, CalibrationCache: "rn50.cache", FP16: true}.Validate())
	assert.ErrorContains(t, BuildOptions{INT8: true}.Validate(), "calibration cache")
	assert.ErrorContains(t, BuildOptions{Workspace: -1}.Validate(), "negative")
	assert.ErrorContains(t, BuildOptions{Shapes: []ProfileShapes{
		{Name: "x", Min: Shape{4, 3}, Opt: Shape{2, 3}, Max: Shape{8, 3}},
	}}.Validate(), "min <= opt <= max")
	assert.ErrorContains(t, BuildOptions{Shapes: []ProfileShapes{
		{Name: "x", Min: Shape{1, 3}, Opt: Shape{2}, Max: Shape{8, 3}},
	}}.Validate(), "rank")
}

func TestResolveProfile(t *testing.T) {
	image := NetworkInput{Name: "input", DataType: Float, Shape: Shape{-1, 3, 224, 224}}
	static := NetworkInput{Name: "scale", DataType: Float, Shape: Shape{1}}
	seq := NetworkInput{Name: "input_ids", DataType: Int32, Shape: Shape{-1, -1}}

	got, err := ResolveProfile([]NetworkInput{image, static}, BuildOptions{MaxBatch: 64})
	require.NoError(t, err)
	assert.Equal(t, []ProfileShapes{{Name: "input", Min: Shape{1, 3, 224, 224}, Opt: Shape{64, 3, 224, 224}, Max: Shape{64, 3, 224, 224}}}, got)

	_, err = ResolveProfile([]NetworkInput{image}, BuildOptions{})
	assert.ErrorContains(t, err, `input "input" has dynamic shape -1x3x224x224: give its min/opt/max shapes or a max batch`)

	_, err = ResolveProfile([]NetworkInput{seq}, BuildOptions{MaxBatch: 8})
	assert.ErrorContains(t, err, `input "input_ids"`, "a dynamic sequence length needs explicit shapes")

	explicit := ProfileShapes{Name: "input_ids", Min: Shape{1, 128}, Opt: Shape{8, 384}, Max: Shape{8, 384}}
	got, err = ResolveProfile([]NetworkInput{seq}, BuildOptions{Shapes: []ProfileShapes{explicit}})
	require.NoError(t, err)
	assert.Equal(t, []ProfileShapes{explicit}, got)

	_, err = ResolveProfile([]NetworkInput{image}, BuildOptions{MaxBatch: 8, Shapes: []ProfileShapes{explicit}})
	assert.ErrorContains(t, err, `"input_ids", which is not an input`)

	_, err = ResolveProfile([]NetworkInput{image}, BuildOptions{Shapes: []ProfileShapes{
		{Name: "input", Min: Shape{1, 3, 200, 200}, Opt: Shape{1, 3, 200, 200}, Max: Shape{1, 3, 200, 200}},
	}})
	assert.ErrorContains(t, err, "static dimension 2 = 224")
}

func TestShapeSpecs(t *testing.T) {
	minS, err := ParseShapeSpecs("input_tensor:0:1x3x224x224")
	require.NoError(t, err)
	assert.Equal(t, Shape{1, 3, 224, 224}, minS["input_tensor:0"], "the shape follows the last ':'")
	maxS, err := ParseShapeSpecs("input_tensor:0:32x3x224x224")
	require.NoError(t, err)
	optS, err := ParseShapeSpecs("input_tensor:0:16x3x224x224,mask:16x384")
	require.NoError(t, err)

	ps, err := CombineShapeSpecs(minS, optS, maxS)
	require.NoError(t, err)
	assert.Equal(t, []ProfileShapes{
		{Name: "input_tensor:0", Min: Shape{1, 3, 224, 224}, Opt: Shape{16, 3, 224, 224}, Max: Shape{32, 3, 224, 224}},
		{Name: "mask", Min: Shape{16, 384}, Opt: Shape{16, 384}, Max: Shape{16, 384}},
	}, ps, "sorted by name; opt alone serves for min and max")

	_, err = CombineShapeSpecs(minS, optS, nil)
	assert.ErrorContains(t, err, "input_tensor:0")
	_, err = ParseShapeSpecs("1x3x224x224")
	assert.Error(t, err)
	_, err = ParseShapeSpecs("a:1x3,a:2x3")
	assert.ErrorContains(t, err, "twice")
}
