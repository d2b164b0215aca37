package serve

import (
	"encoding/json"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
)

// FuzzJSONElements feeds arbitrary JSON tensor data to the HTTP path's
// parser: it never panics, and what it accepts has exactly the shape's
// element count.
func FuzzJSONElements(f *testing.F) {
	for _, s := range []string{`[1,2,3,4]`, `[[1,2],[3,4]]`, `[[[[[[[[[[1]]]]]]]]]]`, `[1,2,3`, `[-1,2,3,4]`, `[1.5,2,3,4]`, `["a"]`, `{}`, `1`, `[1e400,0,0,0]`, `[]`} {
		f.Add(s, "UINT8")
		f.Add(s, "FP32")
		f.Add(s, "INT32")
	}
	f.Fuzz(func(t *testing.T, data, dt string) {
		out, err := jsonElements(json.RawMessage(data), dt, 4)
		if err == nil && len(out) != 4*DatatypeSize(dt) {
			t.Fatalf("accepted %q as %s with %d bytes", data, dt, len(out))
		}
	})
}

// FuzzPrepare feeds arbitrary gRPC request messages to the checks: they
// never panic, and what they accept fits the model exactly.
func FuzzPrepare(f *testing.F) {
	good, _ := proto.Marshal(&pb.ModelInferRequest{
		ModelName:        BuiltinName,
		Inputs:           []*pb.ModelInferRequest_InferInputTensor{{Name: "input", Datatype: "UINT8", Shape: []int64{2, 32, 32}}},
		RawInputContents: [][]byte{make([]byte, 2048)},
	})
	typed, _ := proto.Marshal(&pb.ModelInferRequest{
		ModelName: BuiltinName,
		Inputs: []*pb.ModelInferRequest_InferInputTensor{{Name: "input", Datatype: "UINT8", Shape: []int64{1, 32, 32},
			Contents: &pb.InferTensorContents{UintContents: make([]uint32, 1024)}}},
	})
	f.Add(good)
	f.Add(typed)
	f.Add([]byte{})
	m := Model{Name: BuiltinName, Input: Tensor{Name: "input", Datatype: "UINT8", Shape: []int64{32, 32}},
		Output: Tensor{Name: "output", Datatype: "INT32", Shape: []int64{1}}}
	srv := &Server{m: m, cfg: Config{MaxRequestBatch: 8}, e: &engine{inSize: 1024, outSize: 4}}
	f.Fuzz(func(t *testing.T, b []byte) {
		var r pb.ModelInferRequest
		if proto.Unmarshal(b, &r) != nil {
			return
		}
		n, in, err := srv.prepare(&r)
		if err == nil && (n < 1 || n > 8 || len(in) != n*1024) {
			t.Fatalf("accepted %d samples in %d bytes", n, len(in))
		}
	})
}
