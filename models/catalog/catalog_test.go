package catalog_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/catalog"
	"github.com/gotrt/gotrt/runner/sut"
)

func TestCatalogueFigures(t *testing.T) {
	tests := []struct {
		id            string
		total, perf   int
		latency       time.Duration
		target        float64
		server        bool
		inputs        int
		firstInBytes  int
		firstOutBytes int
	}{
		{"resnet50", 50000, 1024, 15 * time.Millisecond, 75.6954, true, 1, 3 * 224 * 224, 4},
		{"ssd-resnet34", 5000, 64, 100 * time.Millisecond, 0.198, true, 1, 3 * 1200 * 1200, 1401 * 4},
		{"bert-99", 10833, 10833, 130 * time.Millisecond, 89.96526, true, 3, 384 * 4, 384 * 2 * 2},
		{"bert-99.9", 10833, 10833, 130 * time.Millisecond, 90.783126, true, 3, 384 * 4, 384 * 2 * 2},
		{"3d-unet-99", 67, 16, 0, 0.84447, false, 1, 4 * 224 * 224 * 160, 4 * 224 * 224 * 160 * 2},
		{"3d-unet-99.9", 67, 16, 0, 0.852147, false, 1, 4 * 224 * 224 * 160, 4 * 224 * 224 * 160 * 2},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			e, err := catalog.Lookup(tc.id)
			require.NoError(t, err)
			assert.Equal(t, tc.total, e.TotalSampleCount)
			assert.Equal(t, tc.perf, e.PerformanceSampleCount)
			assert.Equal(t, tc.latency, e.ServerLatency)
			assert.InDelta(t, tc.target, e.Quality.Target(), 1e-9)
			assert.Equal(t, tc.server, e.HasScenario(sut.Server))
			assert.True(t, e.HasScenario(sut.Offline))
			require.Len(t, e.Inputs, tc.inputs)
			in, out := e.Inputs[0], e.Outputs[0]
			assert.Equal(t, tc.firstInBytes, in.SampleBytes(in.DType, in.Format))
			assert.Equal(t, tc.firstOutBytes, out.SampleBytes(out.DType, out.Format))
		})
	}
	assert.Equal(t, []string{"resnet50", "ssd-resnet34", "bert-99", "bert-99.9", "3d-unet-99", "3d-unet-99.9"}, catalog.IDs())
}

func TestLookupUnknown(t *testing.T) {
	_, err := catalog.Lookup("gnmt")
	require.ErrorIs(t, err, catalog.ErrUnknownModel)
	assert.Contains(t, err.Error(), "gnmt")
	e, err := catalog.Lookup("BERT-99")
	require.NoError(t, err)
	assert.Equal(t, "bert", e.Model)
}

func TestCatalogueIsACopy(t *testing.T) {
	e, _ := catalog.Lookup("resnet50")
	e.Inputs[0].Shape[0] = 99
	f, _ := catalog.Lookup("resnet50")
	assert.Equal(t, 3, f.Inputs[0].Shape[0])
}

func TestCHW4Layout(t *testing.T) {
	e, _ := catalog.Lookup("resnet50")
	in := e.Inputs[0]
	assert.Equal(t, []int{3, 224, 224}, in.NpyShape(catalog.Linear))
	assert.Equal(t, []int{224, 224, 4}, in.NpyShape(catalog.CHW4), "NVIDIA pads C to 4 and moves it last")
	assert.Equal(t, 4*224*224, in.SampleBytes(catalog.Int8, catalog.CHW4))
	assert.Equal(t, []int{1, 224, 224, 32}, in.NpyShape(catalog.CHW32))
}

func resnetEngine() []catalog.EngineTensor {
	return []catalog.EngineTensor{
		{Name: "input_tensor_0", Input: true, DType: catalog.Int8, Format: catalog.CHW4, Shape: []int64{-1, 3, 224, 224}},
		{Name: "topk_layer_output_index", DType: catalog.Int32, Format: catalog.Linear, Shape: []int64{-1, 1}},
	}
}

func TestCheckEngine(t *testing.T) {
	e, _ := catalog.Lookup("resnet50")
	require.NoError(t, e.CheckEngine(resnetEngine()))
	// NVIDIA's INT8 graph ends in a TopK whose output is (N,1,1,1).
	topk := resnetEngine()
	topk[1].Shape = []int64{-1, 1, 1, 1}
	require.NoError(t, e.CheckEngine(topk))

	tests := []struct {
		description string
		edit        func([]catalog.EngineTensor) []catalog.EngineTensor
		names       string
	}{
		{"fp32 input", func(ts []catalog.EngineTensor) []catalog.EngineTensor { ts[0].DType = catalog.Float32; return ts }, "input_tensor_0"},
		{"chw32 input", func(ts []catalog.EngineTensor) []catalog.EngineTensor { ts[0].Format = catalog.CHW32; return ts }, "input_tensor_0"},
		{"wrong shape", func(ts []catalog.EngineTensor) []catalog.EngineTensor {
			ts[0].Shape = []int64{-1, 3, 299, 299}
			return ts
		}, "input_tensor_0"},
		{"output of five", func(ts []catalog.EngineTensor) []catalog.EngineTensor {
			ts[1].Shape = []int64{-1, 5, 1, 1}
			return ts
		}, "topk_layer_output_index"},
		{"zero batch", func(ts []catalog.EngineTensor) []catalog.EngineTensor {
			ts[0].Shape = []int64{0, 3, 224, 224}
			return ts
		}, "input_tensor_0"},
		{"missing output", func(ts []catalog.EngineTensor) []catalog.EngineTensor { return ts[:1] }, "topk_layer_output_index"},
		{"output marked input", func(ts []catalog.EngineTensor) []catalog.EngineTensor { ts[1].Input = true; return ts }, "topk_layer_output_index"},
		{"extra tensor", func(ts []catalog.EngineTensor) []catalog.EngineTensor {
			return append(ts, catalog.EngineTensor{Name: "topk_layer_output_value", DType: catalog.Float32, Shape: []int64{1}})
		}, "topk_layer_output_value"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			err := e.CheckEngine(tc.edit(resnetEngine()))
			require.ErrorIs(t, err, catalog.ErrTensorMismatch)
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", tc.names))
		})
	}
}

func TestCheckEngineBERTDynamic(t *testing.T) {
	e, _ := catalog.Lookup("bert-99.9")
	ts := []catalog.EngineTensor{
		{Name: "input_ids", Input: true, DType: catalog.Int32, Format: catalog.Linear, Shape: []int64{-1, -1}},
		{Name: "segment_ids", Input: true, DType: catalog.Int32, Format: catalog.Linear, Shape: []int64{-1, 384}},
		{Name: "input_mask", Input: true, DType: catalog.Int32, Format: catalog.Linear, Shape: []int64{384}},
		{Name: "cls_squad_logits", DType: catalog.Float32, Format: catalog.Linear, Shape: []int64{-1, 384, 2}},
	}
	require.NoError(t, e.CheckEngine(ts), "dynamic dimensions and an FP32 output are accepted")
}

func ExampleLookup() {
	e, err := catalog.Lookup("resnet50")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: %d samples (%d loaded), server bound %v, target %.4f %s\n",
		e.ID, e.TotalSampleCount, e.PerformanceSampleCount, e.ServerLatency, e.Quality.Target(), e.Quality.Metric)
	err = e.CheckEngine([]catalog.EngineTensor{
		{Name: "input_tensor_0", Input: true, DType: catalog.Int8, Format: catalog.Linear, Shape: []int64{-1, 3, 224, 224}},
	})
	fmt.Println(err)
	// Output:
	// resnet50: 50000 samples (1024 loaded), server bound 15ms, target 75.6954 top-1 accuracy (%)
	// resnet50: tensor "topk_layer_output_index": engine tensor does not match the catalogue: missing from the engine
}
