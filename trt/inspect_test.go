package trt

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// detailedEngineJSON is written by hand in the shape TensorRT 10's engine
// inspector gives for an engine built with ProfilingVerbosity::kDETAILED.
const detailedEngineJSON = `{"Layers": [{
  "Name": "input reformat",
  "LayerType": "Reformat",
  "Inputs": [{"Name": "input", "Location": "Device", "Dimensions": [8,3,224,224], "Format/Datatype": "Row major linear FP32"}],
  "Outputs": [{"Name": "input_q", "Location": "Device", "Dimensions": [8,3,224,224], "Format/Datatype": "Four wide channel vectorized row major Int8 format"}],
  "TacticValue": "0x0000000000000000"
},{
  "Name": "conv1 + relu",
  "LayerType": "CaskConvolution",
  "Inputs": [{"Name": "input_q", "Location": "Device", "Dimensions": [8,3,224,224], "Format/Datatype": "Four wide channel vectorized row major Int8 format"}],
  "Outputs": [{"Name": "c1", "Location": "Device", "Dimensions": [8,64,112,112], "Format/Datatype": "Thirty-two wide channel vectorized row major Int8 format"}],
  "TacticName": "sm80_xmma_fprop_implicit_gemm_interleaved_i8i8_i8i32_f32",
  "TacticValue": "0x1234"
},{
  "Name": "fc",
  "LayerType": "CaskGemm",
  "Inputs": [{"Name": "pool", "Location": "Device", "Dimensions": [8,2048], "Format/Datatype": "Channel major FP16 format where channel % 8 == 0"}],
  "Outputs": [{"Name": "logits", "Location": "Device", "Dimensions": [8,1000], "Format/Datatype": "Row major linear FP32"}],
  "TacticValue": "0x99"
}],
"Bindings": ["input", "logits"]}`

func TestParseEngineInformationDetailed(t *testing.T) {
	info, err := ParseEngineInformation([]byte(detailedEngineJSON))
	require.NoError(t, err)
	assert.True(t, info.Detailed)
	assert.Equal(t, []string{"input", "logits"}, info.Bindings)
	require.Len(t, info.Layers, 3)

	reformat, conv, fc := info.Layers[0], info.Layers[1], info.Layers[2]
	assert.Equal(t, "fp32", reformat.Precision, "a layer counts at its input's precision")
	assert.Equal(t, "int8", reformat.Outputs[0].Precision)
	assert.Equal(t, "int8", conv.Precision)
	assert.Equal(t, "CaskConvolution", conv.Type)
	assert.Equal(t, "sm80_xmma_fprop_implicit_gemm_interleaved_i8i8_i8i32_f32", conv.Tactic, "the tactic name wins over its value")
	assert.Equal(t, []int64{8, 64, 112, 112}, conv.Outputs[0].Dimensions)
	assert.Equal(t, "fp16", fc.Precision)
	assert.Equal(t, "0x99", fc.Tactic)

	r := &Report{File: "rn50.plan", Layers: info.Layers, DetailedLayers: info.Detailed}
	r.CountPrecisions()
	assert.Equal(t, map[string]int{"fp32": 1, "int8": 1, "fp16": 1}, r.Precisions)
}

func TestParseEngineInformationNamesOnly(t *testing.T) {
	info, err := ParseEngineInformation([]byte(`{"Layers": ["conv1", "fc"], "Bindings": ["input", "logits"]}`))
	require.NoError(t, err)
	assert.False(t, info.Detailed)
	require.Len(t, info.Layers, 2)
	assert.Equal(t, "fc", info.Layers[1].Name)
	assert.Empty(t, info.Layers[1].Precision)
}

func TestParseEngineInformationRejectsGarbage(t *testing.T) {
	_, err := ParseEngineInformation([]byte(`{"Layers": [42]}`))
	assert.ErrorContains(t, err, "layer 0")
	_, err = ParseEngineInformation([]byte(`not json`))
	assert.Error(t, err)
}

func TestPrecisionOf(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Row major linear FP32", "fp32"},
		{"Thirty-two wide channel vectorized row major Int8 format", "int8"},
		{"Channel major FP16 format where channel % 8 == 0", "fp16"},
		{"Row major linear UInt8 format", "uint8"},
		{"Row major linear BFloat16 format", "bf16"},
		{"Row major linear Int32", "int32"},
		{"Row major linear BOOL", "bool"},
		{"Unknown format", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, PrecisionOf(tt.in), tt.in)
	}
}

func TestReportWritesTextAndJSON(t *testing.T) {
	info, err := ParseEngineInformation([]byte(detailedEngineJSON))
	require.NoError(t, err)
	r := &Report{
		File:      "rn50.plan",
		TensorRT:  "10.16.0",
		IOTensors: rn50,
		Profiles: []Profile{{Index: 0, Inputs: []ProfileShapes{
			{Name: "input_tensor_0", Min: Shape{1, 3, 224, 224}, Opt: Shape{64, 3, 224, 224}, Max: Shape{128, 3, 224, 224}},
		}}},
		DeviceMemory:   3 << 20,
		Layers:         info.Layers,
		DetailedLayers: true,
	}
	r.CountPrecisions()

	var text bytes.Buffer
	require.NoError(t, r.WriteText(&text))
	out := text.String()
	assert.Contains(t, out, "device memory  3 MiB")
	assert.Regexp(t, `input_tensor_0\s+input\s+int8\s+-1x3x224x224\s+chw4`, out)
	assert.Regexp(t, `0\s+input_tensor_0\s+1x3x224x224\s+64x3x224x224\s+128x3x224x224`, out)
	assert.Contains(t, out, "3 layers: fp16 1, fp32 1, int8 1")
	assert.Regexp(t, `conv1 \+ relu\s+CaskConvolution\s+int8`, out)

	var js bytes.Buffer
	require.NoError(t, r.WriteJSON(&js))
	var back Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, r.IOTensors, back.IOTensors)
	assert.Equal(t, r.Profiles, back.Profiles)
	assert.Equal(t, r.Precisions, back.Precisions)
	assert.Equal(t, "int8", back.Layers[1].Precision)
}

// A dynamic-shape engine is inspected under a context set to profile 0's
// optimal shapes (inspect never set one, so every layer read "unknown"); a
// static engine needs none.
func TestInspectShapes(t *testing.T) {
	profiles := []Profile{
		{Index: 0, Inputs: []ProfileShapes{{Name: "input_tensor_0", Min: Shape{1, 3, 224, 224}, Opt: Shape{64, 3, 224, 224}, Max: Shape{128, 3, 224, 224}}}},
		{Index: 1, Inputs: []ProfileShapes{{Name: "input_tensor_0", Min: Shape{1, 3, 224, 224}, Opt: Shape{2, 3, 224, 224}, Max: Shape{2, 3, 224, 224}}}},
	}
	got := inspectShapes(rn50, profiles)
	require.Len(t, got, 1)
	assert.Equal(t, Shape{64, 3, 224, 224}, got[0].Opt)

	static := append([]IOTensor(nil), rn50...)
	static[0].Shape = Shape{8, 3, 224, 224}
	assert.Empty(t, inspectShapes(static, profiles))
	assert.Empty(t, inspectShapes(rn50, nil))
}
