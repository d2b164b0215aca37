package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/catalog"
	"github.com/gotrt/gotrt/models/dataset"
	"github.com/gotrt/gotrt/models/npy"
	"github.com/gotrt/gotrt/trt"
)

// chw4Input is the input of NVIDIA's INT8 ResNet-50 plans for datacenter
// GPUs, as trt.Device.Inputs describes it (a stand-in for an opened engine).
func chw4Input() []trt.InputLayout {
	return []trt.InputLayout{{Tensor: trt.IOTensor{Name: "input_tensor_0", Mode: trt.ModeInput, DataType: trt.Int8,
		Shape: trt.Shape{-1, 3, 224, 224}, Format: trt.CHW4, VectorizedDim: 1, Components: 4}, Bytes: 224 * 224 * 4}}
}

func writeLinearResNet(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	var lines string
	for i := range n {
		name := fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", i+1)
		data := make([]byte, 3*224*224)
		for k := range data {
			data[k] = byte(i + k + k/(224*224)*50) // channels differ at every pixel
		}
		require.NoError(t, npy.WriteFile(filepath.Join(dir, name+".npy"), npy.Int8Type, []int{3, 224, 224}, data))
		lines += name + " 0\n"
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "val_map.txt"), []byte(lines), 0o644))
	return dir
}

// Linear data for a CHW4 engine used to be copied as is into 200,704-byte
// slots (150,528 bytes of it, misaligned); now the QSL converts it once and
// the sizes are checked.
func TestLinearDataFeedsCHW4Engine(t *testing.T) {
	e, err := catalog.Lookup("resnet50")
	require.NoError(t, err)
	dir := writeLinearResNet(t, 2)
	srcs, err := DataSources(e, dir)
	require.NoError(t, err)
	assert.Equal(t, catalog.Linear, srcs[0].Format, "told from the files' shape")

	// As before this fix: no feed layout, and the sizes differ.
	q, err := dataset.New(dataset.Config{Entry: e, Inputs: srcs, TotalSampleCount: 2})
	require.NoError(t, err)
	err = checkSampleBytes(e, "rn50.plan", chw4Input(), q)
	require.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), `plan rn50.plan: input "input_tensor_0" takes 200704 bytes a sample (int8 chw4, shape -1x3x224x224), the data gives 150528`)
	require.NoError(t, q.Close())

	require.NoError(t, feedSources(e, "rn50.plan", chw4Input(), srcs))
	assert.Equal(t, catalog.CHW4, srcs[0].Feed)
	q, err = dataset.New(dataset.Config{Entry: e, Inputs: srcs, TotalSampleCount: 2})
	require.NoError(t, err)
	defer q.Close()
	require.NoError(t, checkSampleBytes(e, "rn50.plan", chw4Input(), q))
	require.NoError(t, q.LoadSamplesToRAM([]int{0, 1}))
	got := q.SampleData(1)
	require.Len(t, got, 224*224*4)
	// Pixels (0,0) and (0,1) of sample 1: channel c's bytes are
	// 1 + k + c*50 (mod 256) at linear offset k, then the zero pad.
	lin := func(k, c int) byte { return byte(1 + k + c*224*224 + c*50) }
	assert.Equal(t, []byte{lin(0, 0), lin(0, 1), lin(0, 2), 0, lin(1, 0), lin(1, 1), lin(1, 2), 0}, got[:8])
	assert.NotEqual(t, got[0], got[1])
}

// Data already in CHW4 ((H, W, 4) per sample, as NVIDIA writes it) is
// recognized and fed as is.
func TestCHW4DataIsRecognized(t *testing.T) {
	e, err := catalog.Lookup("resnet50")
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, npy.WriteFile(filepath.Join(dir, "input_tensor_0.npy"), npy.Int8Type, []int{2, 224, 224, 4}, make([]byte, 2*224*224*4)))
	srcs, err := DataSources(e, dir)
	require.NoError(t, err)
	assert.Equal(t, catalog.CHW4, srcs[0].Format)
	require.NoError(t, feedSources(e, "rn50.plan", chw4Input(), srcs))
	q, err := dataset.New(dataset.Config{Entry: e, Inputs: srcs, TotalSampleCount: 2})
	require.NoError(t, err)
	defer q.Close()
	require.NoError(t, checkSampleBytes(e, "rn50.plan", chw4Input(), q))
}

func TestFeedSourcesRefusesWhatTheCatalogueCannotFeed(t *testing.T) {
	e, err := catalog.Lookup("resnet50")
	require.NoError(t, err)
	in := chw4Input()
	in[0].Tensor.DataType = trt.Float // a plan built from resnet50_v1.onnx without an INT8 input
	err = feedSources(e, "rn50.plan", in, []dataset.Source{{}})
	require.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), `plan rn50.plan: input "input_tensor_0" is fp32 in chw4, which resnet50 cannot feed`)

	err = feedSources(e, "rn50.plan", nil, []dataset.Source{{}})
	assert.ErrorContains(t, err, `plan rn50.plan has no input "input_tensor_0"`)
}
