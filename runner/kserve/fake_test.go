package kserve_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
)

// fakeKServe is a test fake of a foreign KServe v2 server that answers as
// KServe's Python ModelServer does by default: outputs in typed contents
// over gRPC and as JSON data over HTTP, no ModelStreamInfer (Unimplemented),
// binary tensors over HTTP only when they are asked for. Its "model" is a
// stand-in: each sample's class is class(sample bytes), never a
// measurement.
type fakeKServe struct {
	pb.UnimplementedGRPCInferenceServiceServer
	model            string
	inDT             string
	inShape          []int64 // with the batch dimension, -1
	outName, outDT   string
	outShape         []int64 // with the batch dimension, -1
	notReady         bool
	raw              bool // answer in raw_output_contents (gRPC)
	binary           bool // HTTP: take binary tensors and answer them when asked
	huge             bool // HTTP: answer a body far over any bound
	scores           bool // a first output of 12 FP32 scores a sample, answered whatever was asked
	class            func(sample []byte) int64
	requests, conns  atomic.Int64
	binaryAnswers    atomic.Int64
	jsonInputAnswers atomic.Int64
}

// newFake is a fake of the built-in model's shape (UINT8 32x32 in), whose
// output is one outDT a sample and class the sum of the sample's bytes mod 12.
func newFake(outDT string) *fakeKServe {
	return &fakeKServe{
		model: "gotrt-builtin", inDT: "UINT8", inShape: []int64{-1, 32, 32},
		outName: "output-0", outDT: outDT, outShape: []int64{-1, 1},
		class: func(b []byte) int64 {
			var s int64
			for _, x := range b {
				s += int64(x)
			}
			return s % 12
		},
	}
}

// fakeClass is what newFake's model answers for sample bytes b.
func fakeClass(b []byte) int32 {
	var s int64
	for _, x := range b {
		s += int64(x)
	}
	return int32(s % 12)
}

func (f *fakeKServe) per(shape []int64) int {
	n := 1
	for _, d := range shape[1:] {
		n *= int(d)
	}
	return n
}

func (f *fakeKServe) sampleBytes() int { return f.per(f.inShape) * pb.DatatypeSize(f.inDT) }

// classes answers n samples of input in.
func (f *fakeKServe) classes(in []byte, n int) []int64 {
	sz := f.sampleBytes()
	out := make([]int64, 0, n*f.per(f.outShape))
	for i := range n {
		v := f.class(in[i*sz : (i+1)*sz])
		for range f.per(f.outShape) {
			out = append(out, v)
		}
	}
	return out
}

func (f *fakeKServe) meta() *pb.ModelMetadataResponse {
	md := &pb.ModelMetadataResponse{Name: f.model, Platform: "test-fake",
		Inputs:  []*pb.ModelMetadataResponse_TensorMetadata{{Name: "input-0", Datatype: f.inDT, Shape: f.inShape}},
		Outputs: []*pb.ModelMetadataResponse_TensorMetadata{{Name: f.outName, Datatype: f.outDT, Shape: f.outShape}}}
	if f.scores {
		md.Outputs = append([]*pb.ModelMetadataResponse_TensorMetadata{{Name: "scores", Datatype: "FP32", Shape: []int64{-1, 12}}}, md.Outputs...)
	}
	return md
}

// gRPC side.

func (f *fakeKServe) ServerLive(context.Context, *pb.ServerLiveRequest) (*pb.ServerLiveResponse, error) {
	return &pb.ServerLiveResponse{Live: true}, nil
}

func (f *fakeKServe) ServerReady(context.Context, *pb.ServerReadyRequest) (*pb.ServerReadyResponse, error) {
	return &pb.ServerReadyResponse{Ready: !f.notReady}, nil
}

func (f *fakeKServe) ModelReady(_ context.Context, r *pb.ModelReadyRequest) (*pb.ModelReadyResponse, error) {
	if r.GetName() != f.model {
		return nil, status.Errorf(codes.NotFound, "model %s not found", r.GetName())
	}
	return &pb.ModelReadyResponse{Ready: !f.notReady}, nil
}

func (f *fakeKServe) ModelMetadata(_ context.Context, r *pb.ModelMetadataRequest) (*pb.ModelMetadataResponse, error) {
	if r.GetName() != f.model {
		return nil, status.Errorf(codes.NotFound, "model %s not found", r.GetName())
	}
	return f.meta(), nil
}

func (f *fakeKServe) ModelInfer(_ context.Context, r *pb.ModelInferRequest) (*pb.ModelInferResponse, error) {
	f.requests.Add(1)
	in := r.GetInputs()[0]
	n := int(in.GetShape()[0])
	raw := r.GetRawInputContents()
	if len(raw) != 1 || len(raw[0]) != n*f.sampleBytes() {
		return nil, status.Error(codes.InvalidArgument, "want raw input contents")
	}
	vals := f.classes(raw[0], n)
	o := &pb.ModelInferResponse_InferOutputTensor{Name: f.outName, Datatype: f.outDT, Shape: append([]int64{int64(n)}, f.outShape[1:]...)}
	resp := &pb.ModelInferResponse{ModelName: f.model, Id: r.GetId(), Outputs: []*pb.ModelInferResponse_InferOutputTensor{o}}
	if f.raw {
		resp.RawOutputContents = [][]byte{rawOf(f.outDT, vals)}
	} else {
		o.Contents = typedOf(f.outDT, vals)
	}
	if f.scores {
		sc := &pb.ModelInferResponse_InferOutputTensor{Name: "scores", Datatype: "FP32", Shape: []int64{int64(n), 12},
			Contents: typedOf("FP32", make([]int64, 12*n))}
		resp.Outputs = append([]*pb.ModelInferResponse_InferOutputTensor{sc}, resp.Outputs...)
		if f.raw {
			resp.RawOutputContents = append([][]byte{make([]byte, 48*n)}, resp.RawOutputContents...)
		}
	}
	return resp, nil
}

// typedOf puts vals in the typed contents field of dt.
func typedOf(dt string, vals []int64) *pb.InferTensorContents {
	c := &pb.InferTensorContents{}
	for _, v := range vals {
		switch dt {
		case "BOOL":
			c.BoolContents = append(c.BoolContents, v != 0)
		case "INT8", "INT16", "INT32":
			c.IntContents = append(c.IntContents, int32(v))
		case "INT64":
			c.Int64Contents = append(c.Int64Contents, v)
		case "UINT8", "UINT16", "UINT32":
			c.UintContents = append(c.UintContents, uint32(v))
		case "UINT64":
			c.Uint64Contents = append(c.Uint64Contents, uint64(v))
		case "FP32":
			c.Fp32Contents = append(c.Fp32Contents, float32(v))
		case "FP64":
			c.Fp64Contents = append(c.Fp64Contents, float64(v))
		case "BYTES":
			c.BytesContents = append(c.BytesContents, []byte(strconv.FormatInt(v, 10)))
		}
	}
	return c
}

// rawOf is vals as little-endian elements of dt.
func rawOf(dt string, vals []int64) []byte {
	var b []byte
	size := pb.DatatypeSize(dt)
	for _, v := range vals {
		switch dt {
		case "FP32":
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
		case "FP64":
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(v)))
		default:
			for i := range size {
				b = append(b, byte(uint64(v)>>(8*i)))
			}
		}
	}
	return b
}

// serveGRPC serves f over gRPC on loopback and returns the address.
func (f *fakeKServe) serveGRPC(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := grpc.NewServer()
	pb.RegisterGRPCInferenceServiceServer(s, f)
	go func() { _ = s.Serve(l) }()
	t.Cleanup(s.Stop)
	return l.Addr().String()
}

// HTTP side.

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// serveHTTP serves f over HTTP/REST on loopback and returns the address.
func (f *fakeKServe) serveHTTP(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/health/live", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, map[string]bool{"live": true}) })
	mux.HandleFunc("GET /v2/health/ready", func(w http.ResponseWriter, _ *http.Request) {
		if f.notReady {
			writeJSON(w, 503, map[string]string{"error": "not ready"})
			return
		}
		writeJSON(w, 200, map[string]bool{"ready": true})
	})
	mux.HandleFunc("GET /v2", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{"name": "fake", "version": "0", "extensions": []string{"model_repository_extension"}})
	})
	model := func(w http.ResponseWriter, r *http.Request) bool {
		if r.PathValue("m") != f.model {
			writeJSON(w, 404, map[string]string{"error": "Model with name " + r.PathValue("m") + " does not exist."})
			return false
		}
		return true
	}
	mux.HandleFunc("GET /v2/models/{m}/ready", func(w http.ResponseWriter, r *http.Request) {
		if !model(w, r) {
			return
		}
		if f.notReady {
			writeJSON(w, 503, map[string]string{"error": "Model with name " + f.model + " is not ready."})
			return
		}
		writeJSON(w, 200, map[string]any{"name": f.model, "ready": true})
	})
	mux.HandleFunc("GET /v2/models/{m}", func(w http.ResponseWriter, r *http.Request) {
		if !model(w, r) {
			return
		}
		md := f.meta()
		type tm struct {
			Name     string  `json:"name"`
			Datatype string  `json:"datatype"`
			Shape    []int64 `json:"shape"`
		}
		var outs []tm
		for _, o := range md.Outputs {
			outs = append(outs, tm{o.Name, o.Datatype, o.Shape})
		}
		writeJSON(w, 200, map[string]any{"name": md.Name, "platform": md.Platform,
			"inputs":  []tm{{md.Inputs[0].Name, md.Inputs[0].Datatype, md.Inputs[0].Shape}},
			"outputs": outs})
	})
	mux.HandleFunc("POST /v2/models/{m}/infer", func(w http.ResponseWriter, r *http.Request) {
		if !model(w, r) {
			return
		}
		f.httpInfer(w, r)
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func (f *fakeKServe) httpInfer(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		writeJSON(w, 400, map[string]string{"error": err.Error()})
		return
	}
	js, bin := body, []byte(nil)
	if h := r.Header.Get("Inference-Header-Content-Length"); h != "" {
		n, err := strconv.Atoi(h)
		if !f.binary || err != nil || n > len(body) {
			// What KServe v0.12's ModelServer (FastAPI) says of a binary body.
			writeJSON(w, 422, map[string]any{"detail": []map[string]any{{"loc": []string{"body"}, "msg": "value is not a valid dict", "type": "type_error.dict"}}})
			return
		}
		js, bin = body[:n], body[n:]
	}
	var req struct {
		Inputs []struct {
			Shape      []int64        `json:"shape"`
			Datatype   string         `json:"datatype"`
			Parameters map[string]any `json:"parameters"`
			Data       []float64      `json:"data"`
		} `json:"inputs"`
		Outputs []struct {
			Name       string         `json:"name"`
			Parameters map[string]any `json:"parameters"`
		} `json:"outputs"`
		Parameters map[string]any `json:"parameters"`
	}
	if err := json.Unmarshal(js, &req); err != nil || len(req.Inputs) != 1 {
		writeJSON(w, 400, map[string]string{"error": fmt.Sprintf("bad request: %v", err)})
		return
	}
	in := req.Inputs[0]
	n := int(in.Shape[0])
	var raw []byte
	if _, ok := in.Parameters["binary_data_size"]; ok {
		raw = bin
	} else {
		f.jsonInputAnswers.Add(1)
		for _, v := range in.Data {
			raw = append(raw, byte(v))
		}
	}
	if len(raw) != n*f.sampleBytes() {
		writeJSON(w, 400, map[string]string{"error": "input size"})
		return
	}
	vals := f.classes(raw, n)
	wantBinary := req.Parameters["binary_data_output"] == true
	for _, o := range req.Outputs {
		if b, ok := o.Parameters["binary_data"].(bool); ok {
			wantBinary = b
		}
	}
	shape := append([]int64{int64(n)}, f.outShape[1:]...)
	out := map[string]any{"name": f.outName, "datatype": f.outDT, "shape": shape}
	if f.huge {
		// 4 MiB of an answer that never ends, sent chunked: no
		// Content-Length to refuse it by.
		_, _ = w.Write([]byte(`{"outputs":[{"name":"` + f.outName + `","datatype":"INT32","shape":[1,1],"data":[`))
		_, _ = w.Write(bytes.Repeat([]byte("0,"), 2<<20))
		return
	}
	if wantBinary && f.binary {
		b := rawOf(f.outDT, vals)
		out["parameters"] = map[string]any{"binary_data_size": len(b)}
		hdr, _ := json.Marshal(map[string]any{"model_name": f.model, "outputs": []any{out}})
		f.binaryAnswers.Add(1)
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Inference-Header-Content-Length", strconv.Itoa(len(hdr)))
		_, _ = w.Write(append(hdr, b...))
		return
	} else {
		switch f.outDT {
		case "BOOL":
			d := make([]bool, len(vals))
			for i, v := range vals {
				d[i] = v != 0
			}
			out["data"] = d
		case "FP32", "FP64":
			d := make([]float64, len(vals))
			for i, v := range vals {
				d[i] = float64(v)
			}
			out["data"] = d
		default:
			out["data"] = vals
		}
	}
	outs := []any{out}
	if f.scores {
		outs = append([]any{map[string]any{"name": "scores", "datatype": "FP32", "shape": []int{n, 12}, "data": make([]float64, 12*n)}}, outs...)
	}
	writeJSON(w, 200, map[string]any{"model_name": f.model, "outputs": outs})
}
