package serve

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// The HTTP path's JSON before the hand-written reader and writer, kept
// here as the benchmarks' baseline: encoding/json into structs, the
// tensor's data through json.Decoder tokens, the output through a []int32
// and json.Encoder.
type (
	baselineInput struct {
		Name       string          `json:"name"`
		Datatype   string          `json:"datatype"`
		Shape      []int64         `json:"shape"`
		Parameters map[string]any  `json:"parameters,omitempty"`
		Data       json.RawMessage `json:"data"`
	}
	baselineRequest struct {
		ID         string          `json:"id,omitempty"`
		Parameters map[string]any  `json:"parameters,omitempty"`
		Inputs     []baselineInput `json:"inputs"`
	}
	baselineOutput struct {
		Name     string  `json:"name"`
		Datatype string  `json:"datatype"`
		Shape    []int64 `json:"shape"`
		Data     any     `json:"data"`
	}
	baselineResponse struct {
		ModelName    string           `json:"model_name"`
		ModelVersion string           `json:"model_version"`
		ID           string           `json:"id,omitempty"`
		Outputs      []baselineOutput `json:"outputs"`
	}
)

func baselineElements(raw json.RawMessage, count int) ([]byte, error) {
	out := make([]byte, 0, count)
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch v := tok.(type) {
		case json.Delim:
		case float64:
			if v < 0 || v > 255 || v != math.Trunc(v) {
				return nil, errors.New("not a UINT8")
			}
			out = append(out, byte(v))
		default:
			return nil, fmt.Errorf("%v is not a number", tok)
		}
	}
	if len(out) != count {
		return nil, errors.New("count")
	}
	return out, nil
}

func baselineDecode(body []byte, count int) ([]byte, error) {
	var req baselineRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, err
	}
	return baselineElements(req.Inputs[0].Data, count)
}

func baselineEncode(w io.Writer, out []byte, n int) error {
	v := make([]int32, len(out)/4)
	for i := range v {
		v[i] = int32(binary.LittleEndian.Uint32(out[4*i:]))
	}
	return json.NewEncoder(w).Encode(baselineResponse{ModelName: BuiltinName, ModelVersion: "1", ID: "r1",
		Outputs: []baselineOutput{{Name: "output", Datatype: "INT32", Shape: []int64{int64(n), 1}, Data: v}}})
}

// benchRequest is a JSON request of n samples of 1024 UINT8 pixels,
// written as Python's json.dumps writes it.
func benchRequest(n int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"id": "r1", "inputs": [{"name": "input", "datatype": "UINT8", "shape": [` + strconv.Itoa(n) + `, 32, 32], "data": [`)
	for i := range n * 1024 {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(i * 7 % 256))
	}
	sb.WriteString(`]}]}`)
	return []byte(sb.String())
}

func benchServer() *Server {
	m := Model{Name: BuiltinName, Input: Tensor{Name: "input", Datatype: "UINT8", Shape: []int64{32, 32}},
		Output: Tensor{Name: "output", Datatype: "INT32", Shape: []int64{1}}}
	return &Server{m: m, cfg: Config{MaxRequestBatch: 256}, e: &engine{inSize: 1024, outSize: 4}}
}

// BenchmarkHTTPDecode reads a 64-sample JSON inference request into the
// input's bytes: "encoding_json" is the reader before (the baseline),
// "fast" the hand-written one the server uses.
func BenchmarkHTTPDecode(b *testing.B) {
	body := benchRequest(64)
	srv := benchServer()
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		LoopCPU(b, func() {
			if _, err := baselineDecode(body, 64*1024); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		LoopCPU(b, func() {
			p, err := srv.planHTTP(body, -1)
			if err != nil || p.n != 64 {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkHTTPDecodeBinary reads a 64-sample request whose input is
// binary tensor data: only the JSON header is parsed, the input stays in
// the body.
func BenchmarkHTTPDecodeBinary(b *testing.B) {
	js := `{"id":"r1","inputs":[{"name":"input","datatype":"UINT8","shape":[64,32,32],"parameters":{"binary_data_size":65536}}],"outputs":[{"name":"output","parameters":{"binary_data":true}}]}`
	body := append([]byte(js), make([]byte, 65536)...)
	srv := benchServer()
	LoopCPU(b, func() {
		p, err := srv.planHTTP(body, len(js))
		if err != nil || p.n != 64 {
			b.Fatal(err)
		}
	})
}

// BenchmarkHTTPEncode writes the JSON answer to a 64-sample request:
// "encoding_json" as before (the baseline), "fast" as the server does.
func BenchmarkHTTPEncode(b *testing.B) {
	srv := benchServer()
	j := &job{n: 64, out: make([]byte, 64*4)}
	for i := range 64 {
		binary.LittleEndian.PutUint32(j.out[4*i:], uint32(i*37%1000))
	}
	b.Run("encoding_json", func(b *testing.B) {
		LoopCPU(b, func() {
			if err := baselineEncode(io.Discard, j.out, 64); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("fast", func(b *testing.B) {
		p := &httpPlan{id: "r1"}
		buf := make([]byte, 0, 4096)
		LoopCPU(b, func() {
			out, _, err := srv.appendResponse(buf[:0], p, j)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Discard.Write(out)
		})
	})
}

// The fast reader and the baseline read the same bytes.
func TestFastDecodeMatchesEncodingJSON(t *testing.T) {
	body := benchRequest(3)
	want, err := baselineDecode(body, 3*1024)
	if err != nil {
		t.Fatal(err)
	}
	p, err := benchServer().planHTTP(body, -1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.in, want) {
		t.Fatal("the fast reader read other bytes than encoding/json")
	}
	var out bytes.Buffer
	j := &job{n: 3, out: []byte{1, 0, 0, 0, 255, 255, 255, 255, 7, 1, 0, 0}}
	if err := baselineEncode(&out, j.out, 3); err != nil {
		t.Fatal(err)
	}
	fast, _, err := benchServer().appendResponse(nil, &httpPlan{id: "r1"}, j)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out.String()) != string(fast) {
		t.Fatalf("the fast writer wrote\n%s\nencoding/json\n%s", fast, out.String())
	}
}
