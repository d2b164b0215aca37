package serve

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"strings"
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
		size := DatatypeSize(dt)
		out := make([]byte, 4*size)
		err := elements([]byte(data), dt, out)
		if err != nil {
			return
		}
		// What the fast reader accepts, encoding/json reads as the same
		// numbers.
		var want any
		if json.Unmarshal([]byte(data), &want) != nil {
			t.Fatalf("accepted %q, which is not JSON", data)
		}
		var flat []float64
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case []any:
				for _, e := range v {
					walk(e)
				}
			case float64:
				flat = append(flat, v)
			default:
				t.Fatalf("accepted %q holding %T", data, v)
			}
		}
		walk(want)
		if len(flat) != 4 {
			t.Fatalf("accepted %q: %d numbers, want 4", data, len(flat))
		}
		for i, f := range flat {
			o := out[i*size:]
			var got float64
			switch dt {
			case "UINT8":
				got = float64(o[0])
			case "INT32":
				got = float64(int32(binary.LittleEndian.Uint32(o)))
			case "FP32":
				got, f = float64(math.Float32frombits(binary.LittleEndian.Uint32(o))), float64(float32(f))
			default:
				return
			}
			if got != f {
				t.Fatalf("accepted %q: element %d is %v, encoding/json reads %v", data, i, got, f)
			}
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
		req, err := srv.prepare(&r)
		if err == nil && (req.n < 1 || req.n > 8 || len(req.in) != req.n*1024) {
			t.Fatalf("accepted %d samples in %d bytes", req.n, len(req.in))
		}
	})
}

// FuzzHTTPRequest feeds arbitrary bodies and header lengths to the HTTP
// inference path's reader and checks: it never panics, and what it
// accepts fits the model exactly.
func FuzzHTTPRequest(f *testing.F) {
	bin := `{"inputs":[{"name":"input","datatype":"UINT8","shape":[1,32,32],"parameters":{"binary_data_size":1024}}],"outputs":[{"name":"output","parameters":{"binary_data":true}}]}`
	for _, s := range []struct {
		body string
		hdr  int
	}{
		{`{"inputs":[{"name":"input","datatype":"UINT8","shape":[1,32,32],"data":[` + strings.Repeat("1,", 1023) + `1]}]}`, -1},
		{bin + strings.Repeat("\x00", 1024), len(bin)},
		{bin, len(bin)},
		{`{"id":"a\"b","parameters":{"binary_data_output":true},"inputs":[{"name":"input","datatype":"UINT8","shape":[1,32,32],"parameters":{"shared_memory_region":"r","shared_memory_byte_size":1024}}]}`, -1},
		{`{"inputs":[{"name":"input","datatype":"UINT8","shape":[1,32,32],"parameters":{"binary_data_size":-1}}]}`, -1},
		{`{"inputs":[{"name":"input","parameters":{"binary_data_size":"x"}}]}`, -1},
		{`{"inputs":[{"x":{"y":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}]}`, -1},
		{strings.Repeat("\x00", 1024), 0},
		{`{}`, -1},
	} {
		f.Add([]byte(s.body), s.hdr)
	}
	m := Model{Name: BuiltinName, Input: Tensor{Name: "input", Datatype: "UINT8", Shape: []int64{32, 32}},
		Output: Tensor{Name: "output", Datatype: "INT32", Shape: []int64{1}}}
	srv := &Server{m: m, cfg: Config{MaxRequestBatch: 8}, e: &engine{inSize: 1024, outSize: 4}}
	f.Fuzz(func(t *testing.T, body []byte, hdr int) {
		if hdr > len(body) || hdr < -1 {
			return
		}
		p, err := srv.planHTTP(body, hdr)
		if err == nil && (p.n < 1 || p.n > 8 || len(p.in) != p.n*1024) {
			t.Fatalf("accepted %d samples in %d bytes", p.n, len(p.in))
		}
	})
}
