package inferencepb_test

import (
	"fmt"

	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
)

// A ModelInfer request for two 32×32 UINT8 samples of the built-in model, in
// raw_input_contents as Triton's clients send them.
func Example() {
	req := &pb.ModelInferRequest{
		ModelName: "gotrt-builtin",
		Inputs: []*pb.ModelInferRequest_InferInputTensor{
			{Name: "input", Datatype: "UINT8", Shape: []int64{2, 32, 32}},
		},
		RawInputContents: [][]byte{make([]byte, 2*32*32*pb.DatatypeSize("UINT8"))},
	}
	fmt.Println(req.GetModelName(), req.GetInputs()[0].GetShape(), len(req.GetRawInputContents()[0]))
	fmt.Println(pb.DatatypeSize("FP32"), pb.DatatypeSize("BYTES"))
	// Output:
	// gotrt-builtin [2 32 32] 2048
	// 4 0
}
