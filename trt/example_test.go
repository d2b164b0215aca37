package trt_test

import (
	"errors"
	"fmt"

	"github.com/gotrt/gotrt/trt"
)

// ExampleValidateIO checks an engine's IO tensors against what a model
// expects before any run; LoadEngineFile and Engine.IOTensors give the
// engine's side on a GPU.
func ExampleValidateIO() {
	engine := []trt.IOTensor{
		{Name: "input_tensor_0", Mode: trt.ModeInput, DataType: trt.Float, Shape: trt.Shape{-1, 3, 224, 224}},
		{Name: "topk_layer_output_index", Mode: trt.ModeOutput, DataType: trt.Int32, Shape: trt.Shape{-1, 1}},
	}
	want := []trt.TensorSpec{
		{Name: "input_tensor_0", Mode: trt.ModeInput, DataType: trt.Int8, Shape: trt.Shape{3, 224, 224}},
		{Name: "topk_layer_output_index", Mode: trt.ModeOutput, DataType: trt.Int32, Shape: trt.Shape{1}},
	}
	err := trt.ValidateIO("rn50.plan", engine, want)
	fmt.Println(errors.Is(err, trt.ErrIOMismatch))
	fmt.Println(err)
	// Output:
	// true
	// plan rn50.plan: tensor "input_tensor_0": data type fp32 in the engine, the model expects int8: engine io does not match the model
}

// ExampleRuntime_LoadEngineFile loads a plan and prints its report. It needs
// a GPU and a build with -tags cuda,tensorrt, so it is compiled, not run.
func ExampleRuntime_LoadEngineFile() {
	rt, err := trt.NewRuntime()
	if err != nil {
		fmt.Println(err) // errors.Is(err, trt.ErrNotSupported) without the tags
		return
	}
	defer rt.Close()
	engine, err := rt.LoadEngineFile("resnet50-int8.plan")
	if err != nil {
		fmt.Println(err) // names the file; matches trt.ErrPlanVersion etc.
		return
	}
	defer engine.Close() // before rt.Close: deferred calls run last-in first-out
	report, err := engine.Inspect()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(report.Precisions["int8"], "int8 layers")
}
