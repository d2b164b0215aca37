package serve_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gotrt/gotrt/runner/device"
	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
	"github.com/gotrt/gotrt/runner/result"
	"github.com/gotrt/gotrt/runner/serve"
)

// httpSend sends body with the given headers and returns the status, the
// headers and the body of the answer.
func httpSend(t *testing.T, method, url string, body []byte, hdr map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, b
}

func int32s(b []byte) []int {
	out := make([]int, len(b)/4)
	for i := range out {
		out[i] = int(int32(binary.LittleEndian.Uint32(b[4*i:])))
	}
	return out
}

func TestServerMetadataListsTheExtensions(t *testing.T) {
	model, _ := builtinModel(t)
	srv := start(t, model, serve.Config{})
	want := []string{"binary_tensor_data", "model_configuration", "statistics", "model_repository", "system_shared_memory"}
	sm, err := dial(t, srv).ServerMetadata(context.Background(), &pb.ServerMetadataRequest{})
	require.NoError(t, err)
	assert.Equal(t, want, sm.GetExtensions())
	code, body := httpDo(t, "GET", "http://"+srv.Addr("http")+"/v2", "")
	require.Equal(t, 200, code)
	var meta struct{ Extensions []string }
	require.NoError(t, json.Unmarshal([]byte(body), &meta))
	assert.Equal(t, want, meta.Extensions)
}

func TestModelConfigOverGRPCAndHTTP(t *testing.T) {
	model, _ := builtinModel(t)
	cfg := serve.Config{MaxRequestBatch: 128}
	cfg.Sched.MaxBatch, cfg.Sched.Streams, cfg.Sched.BatchTimeout = 8, 2, 500_000 // 500 µs
	srv := start(t, model, cfg)
	cl := dial(t, srv)
	ctx := context.Background()

	for _, v := range []string{"", "1"} {
		r, err := cl.ModelConfig(ctx, &pb.ModelConfigRequest{Name: serve.BuiltinName, Version: v})
		require.NoError(t, err)
		c := r.GetConfig()
		assert.Equal(t, serve.BuiltinName, c.GetName())
		assert.Equal(t, "gotrt_builtin_int8", c.GetPlatform())
		assert.Equal(t, int32(128), c.GetMaxBatchSize())
		require.Len(t, c.GetInput(), 1)
		assert.Equal(t, pb.DataType_TYPE_UINT8, c.GetInput()[0].GetDataType())
		assert.Equal(t, []int64{32, 32}, c.GetInput()[0].GetDims())
		require.Len(t, c.GetOutput(), 1)
		assert.Equal(t, pb.DataType_TYPE_INT32, c.GetOutput()[0].GetDataType())
		assert.Equal(t, []int64{1}, c.GetOutput()[0].GetDims())
		assert.Equal(t, []int32{8}, c.GetDynamicBatching().GetPreferredBatchSize())
		assert.Equal(t, uint64(500), c.GetDynamicBatching().GetMaxQueueDelayMicroseconds())
		require.Len(t, c.GetInstanceGroup(), 1)
		assert.Equal(t, pb.ModelInstanceGroup_KIND_CPU, c.GetInstanceGroup()[0].GetKind())
		assert.Equal(t, int32(2), c.GetInstanceGroup()[0].GetCount())
	}
	for _, r := range []*pb.ModelConfigRequest{{Name: "resnet50"}, {Name: serve.BuiltinName, Version: "2"}} {
		_, err := cl.ModelConfig(ctx, r)
		assert.Equal(t, codes.NotFound, status.Code(err), "%v", r)
	}

	base := "http://" + srv.Addr("http") + "/v2/models/"
	for _, p := range []string{"gotrt-builtin/config", "gotrt-builtin/versions/1/config"} {
		code, body := httpDo(t, "GET", base+p, "")
		require.Equal(t, 200, code, body)
		// Triton's JSON: snake_case names, enums by name, int64 as numbers.
		var c map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &c))
		assert.Equal(t, serve.BuiltinName, c["name"])
		assert.EqualValues(t, 128, c["max_batch_size"])
		in := c["input"].([]any)[0].(map[string]any)
		assert.Equal(t, "TYPE_UINT8", in["data_type"])
		assert.Equal(t, []any{32.0, 32.0}, in["dims"])
		out := c["output"].([]any)[0].(map[string]any)
		assert.Equal(t, "TYPE_INT32", out["data_type"])
		db := c["dynamic_batching"].(map[string]any)
		assert.Equal(t, []any{8.0}, db["preferred_batch_size"])
		assert.EqualValues(t, 500, db["max_queue_delay_microseconds"])
		ig := c["instance_group"].([]any)[0].(map[string]any)
		assert.Equal(t, "KIND_CPU", ig["kind"])
		assert.EqualValues(t, 2, ig["count"])
		assert.Equal(t, false, c["model_transaction_policy"].(map[string]any)["decoupled"])
	}
	code, body := httpDo(t, "GET", base+"resnet50/config", "")
	assert.Equal(t, 404, code, body)
	assert.Contains(t, body, `"error"`)
}

func TestStatisticsCountRequestsAndBatches(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{})
	cl := dial(t, srv)
	ctx := context.Background()
	data, _ := images(t, m, 2)
	for range 3 {
		_, err := cl.ModelInfer(ctx, inferRequest(2, data))
		require.NoError(t, err)
	}
	_, err := cl.ModelInfer(ctx, inferRequest(2, data[:10]))
	require.Error(t, err)

	for _, r := range []*pb.ModelStatisticsRequest{{}, {Name: serve.BuiltinName}, {Name: serve.BuiltinName, Version: "1"}} {
		res, err := cl.ModelStatistics(ctx, r)
		require.NoError(t, err)
		require.Len(t, res.GetModelStats(), 1)
		s := res.GetModelStats()[0]
		assert.Equal(t, serve.BuiltinName, s.GetName())
		assert.Equal(t, "1", s.GetVersion())
		assert.Equal(t, uint64(6), s.GetInferenceCount())
		assert.Positive(t, s.GetLastInference())
		is := s.GetInferenceStats()
		assert.Equal(t, uint64(3), is.GetSuccess().GetCount())
		assert.Positive(t, is.GetSuccess().GetNs())
		assert.Equal(t, uint64(1), is.GetFail().GetCount())
		assert.Equal(t, uint64(3), is.GetQueue().GetCount())
		assert.Equal(t, uint64(3), is.GetComputeInfer().GetCount())
		assert.Positive(t, is.GetComputeInfer().GetNs())
		var execs, samples uint64
		for _, b := range s.GetBatchStats() {
			execs += b.GetComputeInfer().GetCount()
			samples += b.GetBatchSize() * b.GetComputeInfer().GetCount()
		}
		assert.Equal(t, s.GetExecutionCount(), execs, "batch_stats add up to execution_count (warm-up left out)")
		assert.Equal(t, uint64(6), samples)
	}
	_, err = cl.ModelStatistics(ctx, &pb.ModelStatisticsRequest{Name: "resnet50"})
	assert.Equal(t, codes.NotFound, status.Code(err))

	base := "http://" + srv.Addr("http") + "/v2/models"
	for _, p := range []string{"/stats", "/gotrt-builtin/stats", "/gotrt-builtin/versions/1/stats"} {
		code, body := httpDo(t, "GET", base+p, "")
		require.Equal(t, 200, code, "%s: %s", p, body)
		var res struct {
			ModelStats []map[string]json.RawMessage `json:"model_stats"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &res))
		require.Len(t, res.ModelStats, 1)
		s := res.ModelStats[0]
		for _, k := range []string{"name", "version", "last_inference", "inference_count", "execution_count", "inference_stats", "batch_stats"} {
			assert.Contains(t, s, k)
		}
		var is map[string]struct{ Count, NS *uint64 }
		require.NoError(t, json.Unmarshal(s["inference_stats"], &is))
		// perf_analyzer reads every one of these.
		for _, k := range []string{"success", "fail", "queue", "compute_input", "compute_infer", "compute_output", "cache_hit", "cache_miss"} {
			require.Contains(t, is, k)
			assert.NotNil(t, is[k].Count, k)
			assert.NotNil(t, is[k].NS, k)
		}
		assert.Equal(t, uint64(3), *is["success"].Count)
	}
	code, body := httpDo(t, "GET", base+"/resnet50/stats", "")
	assert.Equal(t, 404, code, body)
}

func TestModelRepositoryIsReadOnly(t *testing.T) {
	model, _ := builtinModel(t)
	srv := start(t, model, serve.Config{})
	cl := dial(t, srv)
	ctx := context.Background()
	idx, err := cl.RepositoryIndex(ctx, &pb.RepositoryIndexRequest{})
	require.NoError(t, err)
	require.Len(t, idx.GetModels(), 1)
	assert.Equal(t, serve.BuiltinName, idx.GetModels()[0].GetName())
	assert.Equal(t, "READY", idx.GetModels()[0].GetState())
	_, err = cl.RepositoryModelLoad(ctx, &pb.RepositoryModelLoadRequest{ModelName: "resnet50"})
	assert.Equal(t, codes.Unimplemented, status.Code(err))
	assert.Contains(t, err.Error(), "not supported: models are fixed when the server starts")
	_, err = cl.RepositoryModelUnload(ctx, &pb.RepositoryModelUnloadRequest{ModelName: serve.BuiltinName})
	assert.Equal(t, codes.Unimplemented, status.Code(err))

	base := "http://" + srv.Addr("http") + "/v2/repository/"
	for _, body := range []string{"", `{"ready":true}`} {
		code, res := httpDo(t, "POST", base+"index", body)
		require.Equal(t, 200, code, res)
		assert.JSONEq(t, `[{"name":"gotrt-builtin","version":"1","state":"READY","reason":""}]`, res)
	}
	code, res := httpDo(t, "POST", base+"index", `{"ready":`)
	assert.Equal(t, 400, code, res)
	for _, op := range []string{"load", "unload"} {
		code, res := httpDo(t, "POST", base+"models/gotrt-builtin/"+op, "")
		assert.Equal(t, 400, code, res)
		assert.Contains(t, res, "not supported: models are fixed when the server starts")
	}
}

// binaryRequest is an HTTP body with the input as binary data and its
// header length.
func binaryRequest(n int, data []byte, outParams string) ([]byte, int) {
	js := fmt.Sprintf(`{"id":"b1","inputs":[{"name":"input","datatype":"UINT8","shape":[%d,32,32],"parameters":{"binary_data_size":%d}}]%s}`,
		n, len(data), outParams)
	return append([]byte(js), data...), len(js)
}

func TestHTTPBinaryTensorData(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{MaxRequestBatch: 4})
	url := "http://" + srv.Addr("http") + "/v2/models/gotrt-builtin/infer"
	data, want := images(t, m, 3)

	for _, tc := range []struct {
		description, outputs string
		binary               bool
	}{
		{"binary output asked per output", `,"outputs":[{"name":"output","parameters":{"binary_data":true}}]`, true},
		{"binary output asked for the request", `,"parameters":{"binary_data_output":true}`, true},
		{"per output overrides the request", `,"parameters":{"binary_data_output":true},"outputs":[{"name":"output","parameters":{"binary_data":false}}]`, false},
		{"JSON output otherwise", ``, false},
	} {
		t.Run(tc.description, func(t *testing.T) {
			body, hl := binaryRequest(3, data, tc.outputs)
			code, h, res := httpSend(t, "POST", url, body, map[string]string{serve.HeaderContentLength: strconv.Itoa(hl)})
			require.Equal(t, 200, code, string(res))
			if !tc.binary {
				assert.Empty(t, h.Get(serve.HeaderContentLength))
				var r struct {
					ID      string
					Outputs []struct{ Data []int }
				}
				require.NoError(t, json.Unmarshal(res, &r))
				assert.Equal(t, "b1", r.ID)
				assert.Equal(t, want, r.Outputs[0].Data)
				return
			}
			n, err := strconv.Atoi(h.Get(serve.HeaderContentLength))
			require.NoError(t, err)
			var r struct {
				Outputs []struct {
					Name       string
					Shape      []int64
					Parameters map[string]int
					Data       []int
				}
			}
			require.NoError(t, json.Unmarshal(res[:n], &r))
			require.Len(t, r.Outputs, 1)
			assert.Equal(t, []int64{3, 1}, r.Outputs[0].Shape)
			assert.Equal(t, 12, r.Outputs[0].Parameters["binary_data_size"])
			assert.Nil(t, r.Outputs[0].Data)
			assert.Equal(t, want, int32s(res[n:]))
		})
	}

	// A raw binary request: header length 0, the body is one sample.
	code, h, res := httpSend(t, "POST", url, data[:1024], map[string]string{serve.HeaderContentLength: "0"})
	require.Equal(t, 200, code, string(res))
	n, err := strconv.Atoi(h.Get(serve.HeaderContentLength))
	require.NoError(t, err)
	assert.Equal(t, want[:1], int32s(res[n:]))
}

func TestBadBinaryRequestsNameTheirFault(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{MaxRequestBatch: 4})
	url := "http://" + srv.Addr("http") + "/v2/models/gotrt-builtin/infer"
	data, _ := images(t, m, 1)
	good, hl := binaryRequest(1, data, "")
	withSize := func(size string) ([]byte, string) {
		js := `{"inputs":[{"name":"input","datatype":"UINT8","shape":[1,32,32],"parameters":{"binary_data_size":` + size + `}}]}`
		return append([]byte(js), data...), strconv.Itoa(len(js))
	}
	both := `{"inputs":[{"name":"input","datatype":"UINT8","shape":[1,32,32],"data":[1],"parameters":{"binary_data_size":1024}}]}`
	sx, sxh := withSize(`"x"`)
	sneg, snegh := withSize(`-4`)
	sfrac, sfrach := withSize(`1.5`)
	sbig, sbigh := withSize(`2048`)
	ssmall, ssmallh := withSize(`1000`)
	for _, tc := range []struct {
		description string
		body        []byte
		header      string
		want        string
	}{
		{"header not a number", good, "12x", serve.HeaderContentLength},
		{"header negative", good, "-1", serve.HeaderContentLength},
		{"header past the body", good, strconv.Itoa(len(good) + 1), serve.HeaderContentLength},
		{"header cuts the JSON", good, strconv.Itoa(hl - 3), "request JSON"},
		{"binary data without the header", good[:hl], "", "binary_data_size without"},
		{"binary_data_size not a number", sx, sxh, "parameter binary_data_size"},
		{"binary_data_size negative", sneg, snegh, "parameter binary_data_size"},
		{"binary_data_size fraction", sfrac, sfrach, "parameter binary_data_size"},
		{"binary_data_size too large", sbig, sbigh, "binary_data_size 2048"},
		{"binary_data_size too small", ssmall, ssmallh, "binary_data_size 1000"},
		{"binary data and data", append([]byte(both), data...), strconv.Itoa(len(both)), "exactly one of"},
		{"binary_data not a bool", []byte(`{"inputs":[],"outputs":[{"name":"output","parameters":{"binary_data":1}}]}`), "", "binary_data: 1"},
		{"raw binary of the wrong size", data[:1000], "0", "raw binary request"},
		{"classification asked", append([]byte(`{"inputs":[{"name":"input","datatype":"UINT8","shape":[1,32,32],"parameters":{"binary_data_size":1024}}],"outputs":[{"name":"output","parameters":{"classification":3}}]}`), data...), "", "not supported"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.header != "" {
				hdr[serve.HeaderContentLength] = tc.header
			}
			code, _, res := httpSend(t, "POST", url, tc.body, hdr)
			assert.Equal(t, 400, code, string(res))
			assert.Contains(t, string(res), tc.want)
		})
	}
	assert.Zero(t, served(srv), "no bad request reached a device")
}

func TestALargestJSONRequestFitsTheDefaultLimit(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{}) // 256 samples a request
	data, want := images(t, m, 256)
	// Python's json.dumps writes ", " between elements.
	var sb strings.Builder
	sb.WriteString(`{"inputs": [{"name": "input", "datatype": "UINT8", "shape": [256, 32, 32], "data": [`)
	for i, b := range data {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(int(b)))
	}
	sb.WriteString(`]}]}`)
	require.Greater(t, sb.Len(), 1<<20)
	code, body := httpDo(t, "POST", "http://"+srv.Addr("http")+"/v2/models/gotrt-builtin/infer", sb.String())
	require.Equal(t, 200, code, body[:min(len(body), 300)])
	var r struct{ Outputs []struct{ Data []int } }
	require.NoError(t, json.Unmarshal([]byte(body), &r))
	assert.Equal(t, want, r.Outputs[0].Data)
}

// shmFile makes a POSIX shared memory object of size bytes for the test
// and returns its key.
func shmFile(t *testing.T, size int) string {
	t.Helper()
	if _, err := os.Stat("/dev/shm"); err != nil {
		t.Skip("no /dev/shm on this machine")
	}
	name := fmt.Sprintf("gotrt-test-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "_"))
	path := filepath.Join("/dev/shm", name)
	require.NoError(t, os.WriteFile(path, make([]byte, size), 0o600))
	t.Cleanup(func() { _ = os.Remove(path) })
	return "/" + name
}

func shmParams(region string, offset, size int64) map[string]*pb.InferParameter {
	return map[string]*pb.InferParameter{
		"shared_memory_region":    {ParameterChoice: &pb.InferParameter_StringParam{StringParam: region}},
		"shared_memory_offset":    {ParameterChoice: &pb.InferParameter_Int64Param{Int64Param: offset}},
		"shared_memory_byte_size": {ParameterChoice: &pb.InferParameter_Int64Param{Int64Param: size}},
	}
}

func TestSystemSharedMemoryOverGRPC(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{MaxRequestBatch: 4})
	cl := dial(t, srv)
	ctx := context.Background()
	data, want := images(t, m, 2)
	key := shmFile(t, 8192)
	path := "/dev/shm" + key
	// Input at offset 100 (not page aligned), output at 4096.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(data, 100)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	_, err = cl.SystemSharedMemoryRegister(ctx, &pb.SystemSharedMemoryRegisterRequest{Name: "in", Key: key, ByteSize: 4096})
	require.NoError(t, err)
	_, err = cl.SystemSharedMemoryRegister(ctx, &pb.SystemSharedMemoryRegisterRequest{Name: "out", Key: key, Offset: 4096, ByteSize: 4096})
	require.NoError(t, err)
	st, err := cl.SystemSharedMemoryStatus(ctx, &pb.SystemSharedMemoryStatusRequest{})
	require.NoError(t, err)
	assert.Len(t, st.GetRegions(), 2)
	assert.Equal(t, uint64(4096), st.GetRegions()["out"].GetOffset())

	req := &pb.ModelInferRequest{ModelName: serve.BuiltinName,
		Inputs:  []*pb.ModelInferRequest_InferInputTensor{{Name: "input", Datatype: "UINT8", Shape: []int64{2, 32, 32}, Parameters: shmParams("in", 100, 2048)}},
		Outputs: []*pb.ModelInferRequest_InferRequestedOutputTensor{{Name: "output", Parameters: shmParams("out", 8, 8)}}}
	res, err := cl.ModelInfer(ctx, req)
	require.NoError(t, err)
	require.Len(t, res.GetRawOutputContents(), 1)
	assert.Empty(t, res.GetRawOutputContents()[0], "the output went to shared memory")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, int32s(b[4096+8:4096+16]))

	for _, tc := range []struct {
		description string
		in, out     map[string]*pb.InferParameter
		want        string
	}{
		{"unknown region", shmParams("nope", 0, 2048), nil, `region "nope" is not registered`},
		{"offset out of bounds", shmParams("in", 4000, 2048), nil, "out of bounds"},
		{"size not the shape's", shmParams("in", 0, 1024), nil, "shared_memory_byte_size 1024"},
		{"output too small", shmParams("in", 0, 2048), shmParams("out", 0, 4), "too small"},
		{"region without size", map[string]*pb.InferParameter{"shared_memory_region": shmParams("in", 0, 0)["shared_memory_region"]}, nil, "go together"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			r := &pb.ModelInferRequest{ModelName: serve.BuiltinName,
				Inputs: []*pb.ModelInferRequest_InferInputTensor{{Name: "input", Datatype: "UINT8", Shape: []int64{2, 32, 32}, Parameters: tc.in}}}
			if tc.out != nil {
				r.Outputs = []*pb.ModelInferRequest_InferRequestedOutputTensor{{Name: "output", Parameters: tc.out}}
			}
			_, err := cl.ModelInfer(ctx, r)
			assert.Equal(t, codes.InvalidArgument, status.Code(err), "%v", err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}

	for _, tc := range []struct {
		description string
		r           *pb.SystemSharedMemoryRegisterRequest
		want        string
	}{
		{"name taken", &pb.SystemSharedMemoryRegisterRequest{Name: "in", Key: key, ByteSize: 16}, "already registered"},
		{"no such key", &pb.SystemSharedMemoryRegisterRequest{Name: "x", Key: "/gotrt-no-such-object", ByteSize: 16}, "no such file"},
		{"key with a path", &pb.SystemSharedMemoryRegisterRequest{Name: "x", Key: "/../etc/passwd", ByteSize: 16}, "not a shared memory object name"},
		{"past the object's end", &pb.SystemSharedMemoryRegisterRequest{Name: "x", Key: key, Offset: 8000, ByteSize: 1000}, "out of bounds"},
		{"empty", &pb.SystemSharedMemoryRegisterRequest{Name: "x", Key: key}, "byte_size 0"},
		{"no name", &pb.SystemSharedMemoryRegisterRequest{Key: key, ByteSize: 16}, "empty name"},
		{"name too long", &pb.SystemSharedMemoryRegisterRequest{Name: strings.Repeat("n", 300), Key: key, ByteSize: 16}, "at most 256"},
		{"over the limit", &pb.SystemSharedMemoryRegisterRequest{Name: "x", Key: key, ByteSize: 1 << 62}, "exceeds the limit"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, err := cl.SystemSharedMemoryRegister(ctx, tc.r)
			assert.Equal(t, codes.InvalidArgument, status.Code(err), "%v", err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}

	_, err = cl.SystemSharedMemoryUnregister(ctx, &pb.SystemSharedMemoryUnregisterRequest{Name: "in"})
	require.NoError(t, err)
	_, err = cl.SystemSharedMemoryUnregister(ctx, &pb.SystemSharedMemoryUnregisterRequest{Name: "in"})
	assert.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = cl.SystemSharedMemoryUnregister(ctx, &pb.SystemSharedMemoryUnregisterRequest{})
	require.NoError(t, err)
	st, err = cl.SystemSharedMemoryStatus(ctx, &pb.SystemSharedMemoryStatusRequest{})
	require.NoError(t, err)
	assert.Empty(t, st.GetRegions())

	// CUDA shared memory: clearing every region succeeds, the rest is a
	// named "not supported".
	_, err = cl.CudaSharedMemoryUnregister(ctx, &pb.CudaSharedMemoryUnregisterRequest{})
	require.NoError(t, err)
	_, err = cl.CudaSharedMemoryRegister(ctx, &pb.CudaSharedMemoryRegisterRequest{Name: "g", ByteSize: 16})
	assert.Equal(t, codes.Unimplemented, status.Code(err))
	assert.Contains(t, err.Error(), "not supported: CUDA shared memory")
}

func TestSystemSharedMemoryOverHTTP(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{MaxRequestBatch: 4})
	base := "http://" + srv.Addr("http") + "/v2/"
	data, want := images(t, m, 1)
	key := shmFile(t, 2048)
	path := "/dev/shm" + key
	require.NoError(t, os.WriteFile(path, append(append([]byte{}, data...), make([]byte, 1024)...), 0o600))

	code, res := httpDo(t, "POST", base+"systemsharedmemory/region/r/register", `{"key":"`+key+`","offset":0,"byte_size":2048}`)
	require.Equal(t, 200, code, res)
	code, res = httpDo(t, "GET", base+"systemsharedmemory/status", "")
	require.Equal(t, 200, code, res)
	assert.JSONEq(t, `[{"name":"r","key":"`+key+`","offset":0,"byte_size":2048}]`, res)
	code, res = httpDo(t, "GET", base+"systemsharedmemory/region/r/status", "")
	require.Equal(t, 200, code, res)

	body := `{"inputs":[{"name":"input","datatype":"UINT8","shape":[1,32,32],"parameters":{"shared_memory_region":"r","shared_memory_byte_size":1024}}],
		"outputs":[{"name":"output","parameters":{"shared_memory_region":"r","shared_memory_offset":1024,"shared_memory_byte_size":4}}]}`
	code, res = httpDo(t, "POST", base+"models/gotrt-builtin/infer", body)
	require.Equal(t, 200, code, res)
	assert.NotContains(t, res, `"data"`)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, int32s(b[1024:1028]))

	for _, tc := range []struct{ description, method, path, body, want string }{
		{"unknown region in a request", "POST", "models/gotrt-builtin/infer", strings.ReplaceAll(body, `"r"`, `"q"`), `is not registered`},
		{"offset out of bounds", "POST", "models/gotrt-builtin/infer", strings.Replace(body, `"shared_memory_byte_size":1024`, `"shared_memory_offset":1500,"shared_memory_byte_size":1024`, 1), "out of bounds"},
		{"negative offset", "POST", "models/gotrt-builtin/infer", strings.Replace(body, `"shared_memory_byte_size":1024`, `"shared_memory_offset":-1,"shared_memory_byte_size":1024`, 1), "shared_memory_offset"},
		{"register without a key", "POST", "systemsharedmemory/region/x/register", `{"byte_size":4}`, "key"},
		{"status of an unknown region", "GET", "systemsharedmemory/region/x/status", "", "not registered"},
		{"unregister an unknown region", "POST", "systemsharedmemory/region/x/unregister", "", "not registered"},
		{"CUDA register", "POST", "cudasharedmemory/region/g/register", `{"raw_handle":{"b64":""},"device_id":0,"byte_size":4}`, "not supported: CUDA shared memory"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			code, res := httpDo(t, tc.method, base+tc.path, tc.body)
			assert.Equal(t, 400, code, res)
			assert.Contains(t, res, tc.want)
		})
	}
	code, res = httpDo(t, "POST", base+"cudasharedmemory/unregister", "")
	assert.Equal(t, 200, code, res)
	code, res = httpDo(t, "POST", base+"systemsharedmemory/region/r/unregister", "")
	require.Equal(t, 200, code, res)
	code, res = httpDo(t, "GET", base+"systemsharedmemory/status", "")
	require.Equal(t, 200, code, res)
	assert.JSONEq(t, `[]`, res)
}

func TestShutdownAnswersHTTPRequestsInFlight(t *testing.T) {
	model, g := gated(t, nil)
	srv := start(t, model, serve.Config{})
	url := "http://" + srv.Addr("http") + "/v2/models/gotrt-builtin/infer"
	body, hl := binaryRequest(1, make([]byte, 1024), `,"parameters":{"binary_data_output":true}`)
	type answer struct {
		code  int
		close bool
		err   error
	}
	answers := make(chan answer, 4)
	for range 4 {
		go func() {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
			req.Header.Set(serve.HeaderContentLength, strconv.Itoa(hl))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				answers <- answer{err: err}
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			answers <- answer{code: res.StatusCode, close: res.Close}
		}()
	}
	<-g.in
	require.Eventually(t, func() bool { return srv.Pending() == 4 }, 30*time.Second, time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(context.Background()) }()
	require.Eventually(t, func() bool { return !srv.Ready() }, 10*time.Second, time.Millisecond)
	close(g.open)
	for range 4 {
		a := <-answers
		require.NoError(t, a.err, "a request sent before the drain is answered")
		assert.Equal(t, 200, a.code)
		assert.True(t, a.close, "answered with Connection: close")
	}
	require.NoError(t, <-done)
}

// Under load from HTTP (keep-alive) and gRPC clients, a drain answers every
// request the server took: a client may be refused a new connection or
// told UNAVAILABLE, never have a request it sent cut off (reset, EOF).
func TestShutdownUnderLoadCutsNoRequestOff(t *testing.T) {
	model, _ := builtinModel(t)
	// A quiet second before idle connections close: a client starved of
	// CPU on a busy machine still sends its next request in time.
	srv := start(t, model, serve.Config{DrainQuiet: time.Second})
	url := "http://" + srv.Addr("http") + "/v2/models/gotrt-builtin/infer"
	body, hl := binaryRequest(1, make([]byte, 1024), `,"parameters":{"binary_data_output":true}`)
	cl := dial(t, srv)
	stop := make(chan struct{})
	var mu sync.Mutex
	var cut []string
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{}}
			defer client.CloseIdleConnections()
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
				req.Header.Set(serve.HeaderContentLength, strconv.Itoa(hl))
				res, err := client.Do(req)
				if err != nil {
					if !strings.Contains(err.Error(), "connection refused") {
						mu.Lock()
						cut = append(cut, "http: "+err.Error())
						mu.Unlock()
					}
					time.Sleep(time.Millisecond)
					continue
				}
				_, err = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				if err == nil && res.StatusCode == 200 {
					ok.Add(1)
				} else if res.StatusCode != 503 {
					mu.Lock()
					cut = append(cut, fmt.Sprintf("http: %d %v", res.StatusCode, err))
					mu.Unlock()
				}
			}
		})
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := cl.ModelInfer(context.Background(), inferRequest(1, make([]byte, 1024)))
				switch status.Code(err) {
				case codes.OK:
					ok.Add(1)
				case codes.Unavailable:
					time.Sleep(time.Millisecond)
				default:
					mu.Lock()
					cut = append(cut, "grpc: "+err.Error())
					mu.Unlock()
				}
			}
		})
	}
	require.Eventually(t, func() bool { return ok.Load() > 200 }, 60*time.Second, time.Millisecond)
	require.NoError(t, srv.Shutdown(context.Background()))
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, cut, "requests cut off by the drain")
}

// standInGPU is a test stand-in: a null device that says it is a GPU of
// CUDA ordinal 3.
type standInGPU struct{ nullDevice }

func (standInGPU) ID() string   { return "gpu3" }
func (standInGPU) Kind() string { return result.KindGPU }
func (standInGPU) Info() result.Device {
	return result.Device{Index: 3, ID: "gpu3", Kind: result.KindGPU}
}

func TestModelConfigKindGPUFromTheDevices(t *testing.T) {
	model, _ := builtinModel(t)
	model.Devices = []device.Device{standInGPU{}}
	cfg := serve.Config{}
	cfg.Sched.Streams = 3
	srv := start(t, model, cfg)
	c := srv.ModelConfig()
	require.Len(t, c.GetInstanceGroup(), 1)
	g := c.GetInstanceGroup()[0]
	assert.Equal(t, pb.ModelInstanceGroup_KIND_GPU, g.GetKind())
	assert.Equal(t, int32(3), g.GetCount())
	assert.Equal(t, []int32{3}, g.GetGpus())
}

// A region unregistered while a request reads it stays mapped until the
// request is answered.
func TestUnregisterWhileInUseWaitsForTheRequest(t *testing.T) {
	model, g := gated(t, nil)
	srv := start(t, model, serve.Config{MaxRequestBatch: 4})
	cl := dial(t, srv)
	ctx := context.Background()
	key := shmFile(t, 4096)
	_, err := cl.SystemSharedMemoryRegister(ctx, &pb.SystemSharedMemoryRegisterRequest{Name: "r", Key: key, ByteSize: 4096})
	require.NoError(t, err)
	req := &pb.ModelInferRequest{ModelName: serve.BuiltinName,
		Inputs:  []*pb.ModelInferRequest_InferInputTensor{{Name: "input", Datatype: "UINT8", Shape: []int64{2, 32, 32}, Parameters: shmParams("r", 0, 2048)}},
		Outputs: []*pb.ModelInferRequest_InferRequestedOutputTensor{{Name: "output", Parameters: shmParams("r", 2048, 8)}}}
	done := make(chan error, 1)
	go func() {
		_, err := cl.ModelInfer(ctx, req)
		done <- err
	}()
	<-g.in
	_, err = cl.SystemSharedMemoryUnregister(ctx, &pb.SystemSharedMemoryUnregisterRequest{Name: "r"})
	require.NoError(t, err)
	close(g.open)
	require.NoError(t, <-done, "the request in flight finished in its region")
	_, err = cl.ModelInfer(ctx, req)
	assert.Equal(t, codes.InvalidArgument, status.Code(err), "the region is gone for new requests")
}

// A client that truncates its shared memory object under a registered
// region gets an error, and the server goes on.
func TestTruncatedRegionIsAnErrorNotACrash(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{MaxRequestBatch: 4})
	cl := dial(t, srv)
	ctx := context.Background()
	data, want := images(t, m, 1)
	key := shmFile(t, 8192)
	_, err := cl.SystemSharedMemoryRegister(ctx, &pb.SystemSharedMemoryRegisterRequest{Name: "r", Key: key, ByteSize: 8192})
	require.NoError(t, err)
	require.NoError(t, os.Truncate("/dev/shm"+key, 0))
	for _, tc := range []struct {
		description string
		in, out     map[string]*pb.InferParameter
	}{
		{"input", shmParams("r", 0, 1024), nil},
		{"output", nil, shmParams("r", 4096, 4)},
	} {
		t.Run(tc.description, func(t *testing.T) {
			r := &pb.ModelInferRequest{ModelName: serve.BuiltinName,
				Inputs: []*pb.ModelInferRequest_InferInputTensor{{Name: "input", Datatype: "UINT8", Shape: []int64{1, 32, 32}, Parameters: tc.in}}}
			if tc.in == nil {
				r.RawInputContents = [][]byte{data}
			}
			if tc.out != nil {
				r.Outputs = []*pb.ModelInferRequest_InferRequestedOutputTensor{{Name: "output", Parameters: tc.out}}
			}
			_, err := cl.ModelInfer(ctx, r)
			assert.Equal(t, codes.InvalidArgument, status.Code(err), "%v", err)
			assert.ErrorContains(t, err, "truncated")
		})
	}
	res, err := cl.ModelInfer(ctx, inferRequest(1, data))
	require.NoError(t, err, "the server goes on")
	assert.Equal(t, want, classes(t, res))
}

func TestHTTPCompressedRequests(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{MaxRequestBatch: 4, MaxRequestBytes: 64 << 10})
	url := "http://" + srv.Addr("http") + "/v2/models/gotrt-builtin/infer"
	data, want := images(t, m, 2)
	body, hl := binaryRequest(2, data, `,"parameters":{"binary_data_output":true}`)
	compress := func(enc string, b []byte) []byte {
		var buf bytes.Buffer
		var w io.WriteCloser
		if enc == "gzip" {
			w = gzip.NewWriter(&buf)
		} else {
			w = zlib.NewWriter(&buf)
		}
		_, _ = w.Write(b)
		_ = w.Close()
		return buf.Bytes()
	}
	for _, enc := range []string{"gzip", "deflate"} {
		code, h, res := httpSend(t, "POST", url, compress(enc, body),
			map[string]string{serve.HeaderContentLength: strconv.Itoa(hl), "Content-Encoding": enc})
		require.Equal(t, 200, code, string(res))
		n, err := strconv.Atoi(h.Get(serve.HeaderContentLength))
		require.NoError(t, err)
		assert.Equal(t, want, int32s(res[n:]), enc)
	}
	// A small gzip body that inflates past the limit is refused.
	bomb := compress("gzip", make([]byte, 1<<20))
	code, _, res := httpSend(t, "POST", url, bomb, map[string]string{"Content-Encoding": "gzip"})
	assert.Equal(t, 400, code)
	assert.Contains(t, string(res), "exceeds the limit")
	code, _, res = httpSend(t, "POST", url, body, map[string]string{"Content-Encoding": "br"})
	assert.Equal(t, 400, code)
	assert.Contains(t, string(res), `br\" is not supported`)
	code, _, res = httpSend(t, "POST", url, body, map[string]string{"Content-Encoding": "gzip"})
	assert.Equal(t, 400, code)
	assert.Contains(t, string(res), "Content-Encoding gzip")
}
