package serve_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/serve"
)

// Interop: each endpoint and protocol extension of `gotrt serve`, checked
// with clients gotrt did not write, where the machine has them: curl for
// HTTP/REST, and Python's grpcio (Debian's python3-grpcio) for gRPC, through
// stubs generated at test time from the project's own .proto files with
// grpc_tools (python3-grpc-tools). .ci/run installs all three. The Python
// client is testdata/interop/grpc_client.py; it prints the responses as
// JSON and the assertions are here. Triton's perf_analyzer, which takes a
// quarter of an hour to build, runs where one is given (TestPerfAnalyzer).

// interopBatchTimeout is the server's batch timeout in these tests, which
// its model configuration reports as dynamic_batching's max queue delay.
const interopBatchTimeout = 700 * time.Microsecond

// interopConfig is the server the interop tests talk to.
func interopConfig() serve.Config {
	cfg := serve.Config{}
	cfg.Sched.BatchTimeout = interopBatchTimeout
	return cfg
}

// jsonInt reads an integer written as a JSON number or, as protobuf's JSON
// mapping writes 64-bit integers, as a string.
type jsonInt int64

func (v *jsonInt) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseInt(strings.Trim(string(b), `"`), 10, 64)
	*v = jsonInt(n)
	return err
}

// pyRPCError is a failed call as grpc_client.py reports it.
type pyRPCError struct {
	Code    string `json:"code"`
	Details string `json:"details"`
}

// Messages as protobuf's JSON mapping writes them, proto field names
// kept; only the fields the tests check.
type (
	wireTensor struct {
		Name     string    `json:"name"`
		Datatype string    `json:"datatype"`
		Shape    []jsonInt `json:"shape"`
	}
	wireServerMetadata struct {
		Name       string   `json:"name"`
		Version    string   `json:"version"`
		Extensions []string `json:"extensions"`
		Error      *pyRPCError
	}
	wireModelMetadata struct {
		Name     string       `json:"name"`
		Versions []string     `json:"versions"`
		Platform string       `json:"platform"`
		Inputs   []wireTensor `json:"inputs"`
		Outputs  []wireTensor `json:"outputs"`
		Error    *pyRPCError
	}
	wireConfigTensor struct {
		Name     string    `json:"name"`
		DataType string    `json:"data_type"`
		Dims     []jsonInt `json:"dims"`
	}
	wireModelConfig struct {
		Name            string             `json:"name"`
		Platform        string             `json:"platform"`
		Backend         string             `json:"backend"`
		MaxBatchSize    jsonInt            `json:"max_batch_size"`
		Input           []wireConfigTensor `json:"input"`
		Output          []wireConfigTensor `json:"output"`
		DynamicBatching *struct {
			PreferredBatchSize        []jsonInt `json:"preferred_batch_size"`
			MaxQueueDelayMicroseconds jsonInt   `json:"max_queue_delay_microseconds"`
		} `json:"dynamic_batching"`
		InstanceGroup []struct {
			Name  string  `json:"name"`
			Kind  string  `json:"kind"`
			Count jsonInt `json:"count"`
		} `json:"instance_group"`
	}
	wireConfigResponse struct {
		Config wireModelConfig `json:"config"`
		Error  *pyRPCError
	}
	wireParameter struct {
		BoolParam   *bool    `json:"bool_param"`
		Int64Param  *jsonInt `json:"int64_param"`
		StringParam *string  `json:"string_param"`
	}
	wireInferResponse struct {
		ModelName string `json:"model_name"`
		ID        string `json:"id"`
		Outputs   []struct {
			wireTensor
			Parameters map[string]wireParameter `json:"parameters"`
		} `json:"outputs"`
		RawOutputContents [][]byte `json:"raw_output_contents"`
		Error             *pyRPCError
	}
	wireDuration struct {
		Count jsonInt `json:"count"`
		Ns    jsonInt `json:"ns"`
	}
	wireModelStatistics struct {
		Name           string  `json:"name"`
		Version        string  `json:"version"`
		LastInference  jsonInt `json:"last_inference"`
		InferenceCount jsonInt `json:"inference_count"`
		ExecutionCount jsonInt `json:"execution_count"`
		InferenceStats struct {
			Success       wireDuration `json:"success"`
			Fail          wireDuration `json:"fail"`
			Queue         wireDuration `json:"queue"`
			ComputeInput  wireDuration `json:"compute_input"`
			ComputeInfer  wireDuration `json:"compute_infer"`
			ComputeOutput wireDuration `json:"compute_output"`
		} `json:"inference_stats"`
		BatchStats []struct {
			BatchSize     jsonInt      `json:"batch_size"`
			ComputeInput  wireDuration `json:"compute_input"`
			ComputeInfer  wireDuration `json:"compute_infer"`
			ComputeOutput wireDuration `json:"compute_output"`
		} `json:"batch_stats"`
	}
	wireStatistics struct {
		ModelStats []wireModelStatistics `json:"model_stats"`
		Error      *pyRPCError
	}
	wireModelIndex struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		State   string `json:"state"`
		Reason  string `json:"reason"`
	}
	wireRegion struct {
		Name     string  `json:"name"`
		Key      string  `json:"key"`
		Offset   jsonInt `json:"offset"`
		ByteSize jsonInt `json:"byte_size"`
	}
	wireShmStatus struct {
		Regions map[string]wireRegion `json:"regions"`
		Error   *pyRPCError
	}
	// wireEmpty is a call that answers an empty message, or its error.
	wireEmpty struct{ Error *pyRPCError }
)

// leInt32s reads little-endian INT32 elements.
func leInt32s(t *testing.T, raw []byte) []int {
	t.Helper()
	require.Zero(t, len(raw)%4, "INT32 data of %d bytes", len(raw))
	out := make([]int, len(raw)/4)
	for i := range out {
		out[i] = int(int32(binary.LittleEndian.Uint32(raw[4*i:])))
	}
	return out
}

// implementedExtensions are the protocol extensions the server implements
// and these tests check; server metadata lists exactly these.
var implementedExtensions = []string{
	"binary_tensor_data", "model_configuration", "model_repository", "statistics", "system_shared_memory",
}

func checkWireServerMetadata(t *testing.T, md wireServerMetadata) {
	t.Helper()
	assert.Equal(t, "gotrt", md.Name)
	assert.NotEmpty(t, md.Version)
	assert.ElementsMatch(t, implementedExtensions, md.Extensions)
}

func checkWireModelMetadata(t *testing.T, md wireModelMetadata) {
	t.Helper()
	assert.Equal(t, serve.BuiltinName, md.Name)
	assert.Equal(t, []wireTensor{{Name: "input", Datatype: "UINT8", Shape: []jsonInt{-1, 32, 32}}}, md.Inputs)
	assert.Equal(t, []wireTensor{{Name: "output", Datatype: "INT32", Shape: []jsonInt{-1, 1}}}, md.Outputs)
}

// checkWireModelConfig checks the model configuration against what the
// server was started with: Triton's dims leave out the batch dimension.
func checkWireModelConfig(t *testing.T, c wireModelConfig) {
	t.Helper()
	assert.Equal(t, serve.BuiltinName, c.Name)
	assert.NotEmpty(t, c.Platform+c.Backend, "platform or backend")
	assert.EqualValues(t, serve.DefaultMaxRequestBatch, c.MaxBatchSize)
	assert.Equal(t, []wireConfigTensor{{Name: "input", DataType: "TYPE_UINT8", Dims: []jsonInt{32, 32}}}, c.Input)
	assert.Equal(t, []wireConfigTensor{{Name: "output", DataType: "TYPE_INT32", Dims: []jsonInt{1}}}, c.Output)
	if assert.NotNil(t, c.DynamicBatching, "dynamic_batching") {
		assert.EqualValues(t, interopBatchTimeout.Microseconds(), c.DynamicBatching.MaxQueueDelayMicroseconds)
		for _, b := range c.DynamicBatching.PreferredBatchSize {
			assert.Positive(t, int64(b), "preferred_batch_size")
		}
	}
	if assert.NotEmpty(t, c.InstanceGroup) {
		// The test's model runs on one CPU device.
		assert.Equal(t, "KIND_CPU", c.InstanceGroup[0].Kind)
		assert.Positive(t, int64(c.InstanceGroup[0].Count))
	}
}

// checkWireStatistics checks the counters after one successful request of n
// samples (and any number of refused ones): every sample counted once,
// and the batch statistics add up to the same samples.
func checkWireStatistics(t *testing.T, st wireStatistics, n int) {
	t.Helper()
	require.Nil(t, st.Error)
	require.Len(t, st.ModelStats, 1)
	s := st.ModelStats[0]
	assert.Equal(t, serve.BuiltinName, s.Name)
	assert.EqualValues(t, n, s.InferenceCount, "inference_count")
	assert.Positive(t, int64(s.ExecutionCount), "execution_count")
	assert.Positive(t, int64(s.LastInference), "last_inference")
	is := s.InferenceStats
	assert.EqualValues(t, 1, is.Success.Count, "success.count")
	assert.Positive(t, int64(is.Success.Ns), "success.ns")
	for name, d := range map[string]wireDuration{"queue": is.Queue, "compute_input": is.ComputeInput,
		"compute_infer": is.ComputeInfer, "compute_output": is.ComputeOutput} {
		assert.Positive(t, int64(d.Count), name+".count")
	}
	var samples, execs int64
	for _, b := range s.BatchStats {
		assert.Positive(t, int64(b.BatchSize))
		samples += int64(b.BatchSize) * int64(b.ComputeInfer.Count)
		execs += int64(b.ComputeInfer.Count)
	}
	assert.EqualValues(t, n, samples, "batch_stats: batch_size × compute_infer.count")
	assert.EqualValues(t, s.ExecutionCount, execs, "batch_stats executions")
}

// grpcPython finds a python3 that imports Debian's grpcio and grpc_tools.
// The system python3 comes first: a pyenv python3 ahead of it on PATH
// does not see Debian's packages.
func grpcPython(t *testing.T) string {
	t.Helper()
	var tried []string
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(py)
		if err != nil || slices.Contains(tried, path) {
			continue
		}
		out, err := exec.Command(path, "-c", "import grpc, grpc_tools.protoc").CombinedOutput()
		if err == nil {
			return path
		}
		if !strings.Contains(string(out), "ModuleNotFoundError") {
			t.Fatalf("%s -c 'import grpc, grpc_tools.protoc': %v: %s", path, err, out)
		}
		tried = append(tried, path)
	}
	if len(tried) == 0 {
		t.Skip("python3 is not installed (apt-get install python3-grpcio python3-grpc-tools)")
	}
	t.Skipf("no python3 with grpcio and grpc_tools (tried %s; apt-get install python3-grpcio python3-grpc-tools)",
		strings.Join(tried, ", "))
	return ""
}

// grpcStubs generates Python stubs from the project's .proto files into a
// temporary folder.
func grpcStubs(t *testing.T, py string) string {
	t.Helper()
	protoDir, err := filepath.Abs(filepath.Join("..", "kserve", "proto"))
	require.NoError(t, err)
	protos, err := filepath.Glob(filepath.Join(protoDir, "*.proto"))
	require.NoError(t, err)
	require.NotEmpty(t, protos, "no .proto files in %s", protoDir)
	dir := t.TempDir()
	args := append([]string{"-m", "grpc_tools.protoc", "-I", protoDir, "--python_out", dir, "--grpc_python_out", dir}, protos...)
	run(t, py, args...)
	return dir
}

// pyGRPC runs one check of grpc_client.py against addr and decodes what it
// prints into out.
func pyGRPC(t *testing.T, py, stubs, addr string, out any, check string, args ...string) {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "interop", "grpc_client.py"))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{script, stubs, addr, check}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	require.NoError(t, err, "grpc_client.py %s: %s", check, stderr.String())
	require.NoError(t, json.Unmarshal(b, out), "grpc_client.py %s printed %s", check, b)
}

func interopFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

// needDevShm skips a shared-memory test where POSIX shared memory has no
// /dev/shm (the server maps regions from there, as Triton does).
func needDevShm(t *testing.T) {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err != nil || !fi.IsDir() {
		t.Skip("no /dev/shm on this machine: POSIX shared memory regions live there")
	}
}

func TestPythonGRPCClient(t *testing.T) {
	py := grpcPython(t)
	stubs := grpcStubs(t, py)
	model, m := builtinModel(t)
	srv := start(t, model, interopConfig())
	addr := srv.Addr("grpc")
	const n = 5
	data, want := images(t, m, n)
	input := interopFile(t, "input.bin", data)

	t.Run("metadata", func(t *testing.T) {
		var r struct {
			Server       wireServerMetadata
			Model        wireModelMetadata
			UnknownModel wireModelMetadata `json:"unknown_model"`
			Live         struct{ Live bool }
			Ready        struct{ Ready bool }
			ModelReady   struct{ Ready bool } `json:"model_ready"`
		}
		pyGRPC(t, py, stubs, addr, &r, "metadata")
		require.Nil(t, r.Server.Error)
		checkWireServerMetadata(t, r.Server)
		require.Nil(t, r.Model.Error)
		checkWireModelMetadata(t, r.Model)
		require.NotNil(t, r.UnknownModel.Error)
		assert.Equal(t, "NOT_FOUND", r.UnknownModel.Error.Code)
		assert.True(t, r.Live.Live)
		assert.True(t, r.Ready.Ready)
		assert.True(t, r.ModelReady.Ready)
	})

	t.Run("ModelConfig", func(t *testing.T) {
		var r struct {
			Config        wireConfigResponse
			ConfigVersion wireConfigResponse `json:"config_version"`
			UnknownModel  wireConfigResponse `json:"unknown_model"`
		}
		pyGRPC(t, py, stubs, addr, &r, "config")
		require.Nil(t, r.Config.Error)
		checkWireModelConfig(t, r.Config.Config)
		require.Nil(t, r.ConfigVersion.Error)
		assert.Equal(t, r.Config.Config, r.ConfigVersion.Config)
		require.NotNil(t, r.UnknownModel.Error)
		assert.Equal(t, "NOT_FOUND", r.UnknownModel.Error.Code)
	})

	t.Run("ModelInfer", func(t *testing.T) {
		var r struct {
			Infer      wireInferResponse
			ShortInput wireInferResponse `json:"short_input"`
		}
		pyGRPC(t, py, stubs, addr, &r, "infer", input, strconv.Itoa(n))
		require.Nil(t, r.Infer.Error)
		assert.Equal(t, serve.BuiltinName, r.Infer.ModelName)
		assert.Equal(t, "interop", r.Infer.ID)
		require.Len(t, r.Infer.Outputs, 1)
		assert.Equal(t, wireTensor{Name: "output", Datatype: "INT32", Shape: []jsonInt{n, 1}}, r.Infer.Outputs[0].wireTensor)
		require.Len(t, r.Infer.RawOutputContents, 1)
		assert.Equal(t, want, leInt32s(t, r.Infer.RawOutputContents[0]))
		require.NotNil(t, r.ShortInput.Error)
		assert.Equal(t, "INVALID_ARGUMENT", r.ShortInput.Error.Code)
	})

	t.Run("ModelStatistics", func(t *testing.T) {
		var r struct {
			Model        wireStatistics
			All          wireStatistics
			UnknownModel wireStatistics `json:"unknown_model"`
		}
		// A server of its own, counters checked after one good request of
		// n samples and one refused.
		own, _ := builtinModel(t)
		ownAddr := start(t, own, interopConfig()).Addr("grpc")
		var inferred struct{ Infer wireInferResponse }
		pyGRPC(t, py, stubs, ownAddr, &inferred, "infer", input, strconv.Itoa(n))
		require.Nil(t, inferred.Infer.Error)
		pyGRPC(t, py, stubs, ownAddr, &r, "statistics")
		checkWireStatistics(t, r.Model, n)
		checkWireStatistics(t, r.All, n)
		require.NotNil(t, r.UnknownModel.Error)
		assert.Equal(t, "NOT_FOUND", r.UnknownModel.Error.Code)
	})

	t.Run("ModelStreamInfer", func(t *testing.T) {
		var r struct {
			Stream []struct {
				ErrorMessage  string            `json:"error_message"`
				InferResponse wireInferResponse `json:"infer_response"`
				Error         *pyRPCError
			}
		}
		pyGRPC(t, py, stubs, addr, &r, "stream", input, strconv.Itoa(n))
		// One answer per request, the bad one's an error message in the
		// stream; the stream ends cleanly after it.
		require.Len(t, r.Stream, n+1)
		got := map[string][]int{}
		for _, a := range r.Stream {
			require.Nil(t, a.Error)
			if a.InferResponse.ID == "bad" || a.ErrorMessage != "" {
				assert.NotEmpty(t, a.ErrorMessage, "answer to the bad request")
				continue
			}
			require.Len(t, a.InferResponse.RawOutputContents, 1)
			got[a.InferResponse.ID] = leInt32s(t, a.InferResponse.RawOutputContents[0])
		}
		for i := range n {
			assert.Equal(t, []int{want[i]}, got[fmt.Sprintf("s%d", i)], "request s%d", i)
		}
	})

	t.Run("RepositoryIndex", func(t *testing.T) {
		var r struct {
			Index struct {
				Models []wireModelIndex
				Error  *pyRPCError
			}
			IndexReady struct {
				Models []wireModelIndex
				Error  *pyRPCError
			} `json:"index_ready"`
		}
		pyGRPC(t, py, stubs, addr, &r, "index")
		require.Nil(t, r.Index.Error)
		require.Len(t, r.Index.Models, 1)
		assert.Equal(t, serve.BuiltinName, r.Index.Models[0].Name)
		assert.Equal(t, "READY", r.Index.Models[0].State)
		assert.Equal(t, r.Index, r.IndexReady)
	})

	t.Run("RepositoryModelLoadAndUnload", func(t *testing.T) {
		var r struct{ Load, Unload wireEmpty }
		pyGRPC(t, py, stubs, addr, &r, "repository_load")
		for name, e := range map[string]wireEmpty{"load": r.Load, "unload": r.Unload} {
			if assert.NotNil(t, e.Error, name) {
				assert.Contains(t, e.Error.Details, "not supported", name)
			}
		}
	})

	t.Run("SystemSharedMemory", func(t *testing.T) {
		needDevShm(t)
		var r struct {
			RegisterIn            wireEmpty     `json:"register_in"`
			RegisterOut           wireEmpty     `json:"register_out"`
			RegisterAgain         wireEmpty     `json:"register_again"`
			RegisterMissing       wireEmpty     `json:"register_missing"`
			Status                wireShmStatus `json:"status"`
			StatusIn              wireShmStatus `json:"status_in"`
			Infer                 wireInferResponse
			OutputRegion          []byte            `json:"-"`
			OutputRegionInts      []int             `json:"output_region"`
			UnregisterIn          wireEmpty         `json:"unregister_in"`
			StatusAfterUnregister wireShmStatus     `json:"status_after_unregister"`
			InferUnregistered     wireInferResponse `json:"infer_unregistered"`
			UnregisterAll         wireEmpty         `json:"unregister_all"`
			StatusEmpty           wireShmStatus     `json:"status_empty"`
		}
		pyGRPC(t, py, stubs, addr, &r, "shm", input, strconv.Itoa(n))
		require.Nil(t, r.RegisterIn.Error)
		require.Nil(t, r.RegisterOut.Error)
		assert.NotNil(t, r.RegisterAgain.Error, "a name registered twice")
		assert.NotNil(t, r.RegisterMissing.Error, "a key with no region")
		require.Nil(t, r.Status.Error)
		assert.Len(t, r.Status.Regions, 2)
		in := r.Status.Regions["in"]
		assert.Equal(t, "in", in.Name)
		assert.True(t, strings.HasPrefix(in.Key, "/gotrt-interop-"), in.Key)
		assert.EqualValues(t, 0, in.Offset)
		assert.EqualValues(t, len(data), in.ByteSize)
		assert.EqualValues(t, len(data), r.Status.Regions["out"].Offset)
		assert.EqualValues(t, 4*n, r.Status.Regions["out"].ByteSize)
		assert.Equal(t, map[string]wireRegion{"in": in}, r.StatusIn.Regions)

		require.Nil(t, r.Infer.Error)
		require.Len(t, r.Infer.Outputs, 1)
		// As Triton, one raw_output_contents entry per output, left empty
		// for an output written to shared memory.
		for _, raw := range r.Infer.RawOutputContents {
			assert.Empty(t, raw, "an output written to shared memory is not also in the message")
		}
		for _, b := range r.OutputRegionInts {
			r.OutputRegion = append(r.OutputRegion, byte(b))
		}
		assert.Equal(t, want, leInt32s(t, r.OutputRegion), "classes the server wrote into the output region")

		require.Nil(t, r.UnregisterIn.Error)
		assert.Len(t, r.StatusAfterUnregister.Regions, 1)
		assert.Contains(t, r.StatusAfterUnregister.Regions, "out")
		assert.NotNil(t, r.InferUnregistered.Error, "an input in an unregistered region")
		require.Nil(t, r.UnregisterAll.Error)
		require.Nil(t, r.StatusEmpty.Error)
		assert.Empty(t, r.StatusEmpty.Regions)
	})

	t.Run("CudaSharedMemoryIsNotSupported", func(t *testing.T) {
		var r struct{ Register, Status wireEmpty }
		pyGRPC(t, py, stubs, addr, &r, "cuda_shm")
		if assert.NotNil(t, r.Register.Error) {
			assert.Contains(t, r.Register.Error.Details, "not supported")
		}
	})
}

// curlAnswer is one curl call's status, headers and body.
type curlAnswer struct {
	code   int
	header textproto.MIMEHeader
	body   []byte
}

// curlCall runs curl with args (the URL among them) and returns what came
// back, whatever the status.
func curlCall(t *testing.T, curl string, args ...string) curlAnswer {
	t.Helper()
	dir := t.TempDir()
	hdr, body := filepath.Join(dir, "headers"), filepath.Join(dir, "body")
	args = append([]string{"-s", "-D", hdr, "-o", body, "-w", "%{http_code}"}, args...)
	code, err := strconv.Atoi(strings.TrimSpace(run(t, curl, args...)))
	require.NoError(t, err)
	h, err := os.ReadFile(hdr)
	require.NoError(t, err)
	b, err := os.ReadFile(body)
	require.NoError(t, err)
	// The first line is the status line; the rest are MIME headers.
	_, rest, _ := bytes.Cut(h, []byte("\n"))
	header, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(rest))).ReadMIMEHeader()
	if err != nil && len(header) == 0 {
		t.Fatalf("curl headers: %v: %q", err, h)
	}
	return curlAnswer{code: code, header: header, body: b}
}

// splitBinaryBody splits a binary-tensor body at its
// Inference-Header-Content-Length into the JSON header and the data.
func splitBinaryBody(t *testing.T, r curlAnswer) ([]byte, []byte) {
	t.Helper()
	v := r.header.Get("Inference-Header-Content-Length")
	require.NotEmpty(t, v, "no Inference-Header-Content-Length in the answer: %s", r.body)
	n, err := strconv.Atoi(v)
	require.NoError(t, err)
	require.LessOrEqual(t, n, len(r.body))
	return r.body[:n], r.body[n:]
}

// wireHTTPInfer is an HTTP inference answer's JSON.
type wireHTTPInfer struct {
	ModelName string `json:"model_name"`
	ID        string `json:"id"`
	Outputs   []struct {
		Name       string         `json:"name"`
		Datatype   string         `json:"datatype"`
		Shape      []jsonInt      `json:"shape"`
		Data       []int          `json:"data"`
		Parameters map[string]any `json:"parameters"`
	} `json:"outputs"`
	Error string `json:"error"`
}

func TestCurlTalksTritonHTTP(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed (apt-get install curl)")
	}
	model, m := builtinModel(t)
	srv := start(t, model, interopConfig())
	base := "http://" + srv.Addr("http")
	const n = 4
	data, want := images(t, m, n)
	get := func(t *testing.T, path string, out any) {
		t.Helper()
		r := curlCall(t, curl, base+path)
		require.Equal(t, 200, r.code, "GET %s: %s", path, r.body)
		require.NoError(t, json.Unmarshal(r.body, out), "GET %s: %s", path, r.body)
	}

	t.Run("health", func(t *testing.T) {
		for _, p := range []string{"/v2/health/live", "/v2/health/ready", "/v2/models/gotrt-builtin/ready",
			"/v2/models/gotrt-builtin/versions/1/ready"} {
			assert.Equal(t, 200, curlCall(t, curl, base+p).code, p)
		}
		assert.Equal(t, 404, curlCall(t, curl, base+"/v2/models/nope/ready").code)
	})

	t.Run("metadata", func(t *testing.T) {
		var sm wireServerMetadata
		get(t, "/v2", &sm)
		checkWireServerMetadata(t, sm)
		var md wireModelMetadata
		get(t, "/v2/models/gotrt-builtin", &md)
		checkWireModelMetadata(t, md)
	})

	t.Run("config", func(t *testing.T) {
		var c, cv wireModelConfig
		get(t, "/v2/models/gotrt-builtin/config", &c)
		checkWireModelConfig(t, c)
		get(t, "/v2/models/gotrt-builtin/versions/1/config", &cv)
		assert.Equal(t, c, cv)
		assert.Equal(t, 404, curlCall(t, curl, base+"/v2/models/nope/config").code)
	})

	header := func(inputs string, params string) []byte {
		return []byte(`{"id":"curl","inputs":[` + inputs + `],"outputs":[{"name":"output"` + params + `}]}`)
	}
	binInput := fmt.Sprintf(`{"name":"input","datatype":"UINT8","shape":[%d,32,32],"parameters":{"binary_data_size":%d}}`, n, len(data))
	binaryBody := func(hdr []byte) (string, string) {
		return interopFile(t, "req.bin", append(append([]byte{}, hdr...), data...)), strconv.Itoa(len(hdr))
	}
	infer := func(t *testing.T, args ...string) curlAnswer {
		t.Helper()
		return curlCall(t, curl, append(args, base+"/v2/models/gotrt-builtin/infer")...)
	}

	t.Run("binary input, JSON output", func(t *testing.T) {
		body, hlen := binaryBody(header(binInput, ""))
		r := infer(t, "-H", "Content-Type: application/octet-stream", "-H", "Inference-Header-Content-Length: "+hlen,
			"--data-binary", "@"+body)
		require.Equal(t, 200, r.code, "%s", r.body)
		var a wireHTTPInfer
		require.NoError(t, json.Unmarshal(r.body, &a), "%s", r.body)
		assert.Equal(t, "curl", a.ID)
		require.Len(t, a.Outputs, 1)
		assert.Equal(t, "INT32", a.Outputs[0].Datatype)
		assert.Equal(t, []jsonInt{n, 1}, a.Outputs[0].Shape)
		assert.Equal(t, want, a.Outputs[0].Data)
	})

	// Each way of asking for binary outputs: per output, and for all
	// outputs in the request's parameters.
	for name, hdr := range map[string][]byte{
		"binary input, binary output":            header(binInput, `,"parameters":{"binary_data":true}`),
		"binary input, binary_data_output":       []byte(`{"inputs":[` + binInput + `],"parameters":{"binary_data_output":true}}`),
		"binary input, binary_data_output false": header(binInput, `,"parameters":{"binary_data":false}`),
	} {
		t.Run(name, func(t *testing.T) {
			body, hlen := binaryBody(hdr)
			r := infer(t, "-H", "Inference-Header-Content-Length: "+hlen, "--data-binary", "@"+body)
			require.Equal(t, 200, r.code, "%s", r.body)
			if strings.HasSuffix(name, "false") {
				assert.Empty(t, r.header.Get("Inference-Header-Content-Length"))
				var a wireHTTPInfer
				require.NoError(t, json.Unmarshal(r.body, &a), "%s", r.body)
				assert.Equal(t, want, a.Outputs[0].Data)
				return
			}
			js, raw := splitBinaryBody(t, r)
			var a wireHTTPInfer
			require.NoError(t, json.Unmarshal(js, &a), "%s", js)
			require.Len(t, a.Outputs, 1)
			assert.Empty(t, a.Outputs[0].Data, "binary output also in JSON")
			assert.EqualValues(t, 4*n, a.Outputs[0].Parameters["binary_data_size"])
			assert.Equal(t, want, leInt32s(t, raw))
		})
	}

	t.Run("JSON input, JSON and binary output", func(t *testing.T) {
		ints := make([]int, len(data))
		for i, b := range data {
			ints[i] = int(b)
		}
		in, err := json.Marshal(ints)
		require.NoError(t, err)
		for _, binOut := range []bool{false, true} {
			req := fmt.Sprintf(`{"inputs":[{"name":"input","datatype":"UINT8","shape":[%d,32,32],"data":%s}],"parameters":{"binary_data_output":%t}}`, n, in, binOut)
			r := infer(t, "-H", "Content-Type: application/json", "--data-binary", "@"+interopFile(t, "req.json", []byte(req)))
			require.Equal(t, 200, r.code, "%s", r.body)
			if binOut {
				_, raw := splitBinaryBody(t, r)
				assert.Equal(t, want, leInt32s(t, raw))
				continue
			}
			var a wireHTTPInfer
			require.NoError(t, json.Unmarshal(r.body, &a), "%s", r.body)
			require.Len(t, a.Outputs, 1)
			assert.Equal(t, want, a.Outputs[0].Data)
		}
	})

	t.Run("bad binary requests name what is wrong", func(t *testing.T) {
		body, _ := binaryBody(header(binInput, ""))
		short := fmt.Sprintf(`{"name":"input","datatype":"UINT8","shape":[%d,32,32],"parameters":{"binary_data_size":%d}}`, n, len(data)-1)
		shortBody, shortLen := binaryBody(header(short, ""))
		for _, c := range []struct {
			name, headerValue, body, mention string
		}{
			{"header length not a number", "abc", body, "Inference-Header-Content-Length"},
			{"header length past the body", strconv.Itoa(len(data) * 2), body, "Inference-Header-Content-Length"},
			{"binary_data_size does not match the shape", shortLen, shortBody, "binary_data_size"},
		} {
			r := infer(t, "-H", "Inference-Header-Content-Length: "+c.headerValue, "--data-binary", "@"+c.body)
			assert.Equal(t, 400, r.code, "%s: %s", c.name, r.body)
			assert.Contains(t, string(r.body), c.mention, c.name)
		}
	})

	t.Run("stats", func(t *testing.T) {
		// A server of its own, counters checked after one good request of
		// n samples.
		own, _ := builtinModel(t)
		ownBase := "http://" + start(t, own, interopConfig()).Addr("http")
		body, hlen := binaryBody(header(binInput, ""))
		r := curlCall(t, curl, "-H", "Inference-Header-Content-Length: "+hlen, "--data-binary", "@"+body,
			ownBase+"/v2/models/gotrt-builtin/infer")
		require.Equal(t, 200, r.code, "%s", r.body)
		var st, all, ver wireStatistics
		for path, out := range map[string]*wireStatistics{"/v2/models/gotrt-builtin/stats": &st,
			"/v2/models/stats": &all, "/v2/models/gotrt-builtin/versions/1/stats": &ver} {
			r := curlCall(t, curl, ownBase+path)
			require.Equal(t, 200, r.code, "GET %s: %s", path, r.body)
			require.NoError(t, json.Unmarshal(r.body, out), "GET %s: %s", path, r.body)
		}
		checkWireStatistics(t, st, n)
		assert.Equal(t, st.ModelStats, all.ModelStats)
		assert.Equal(t, st.ModelStats, ver.ModelStats)
		assert.Equal(t, 404, curlCall(t, curl, ownBase+"/v2/models/nope/stats").code)
	})

	t.Run("repository", func(t *testing.T) {
		r := curlCall(t, curl, "-X", "POST", base+"/v2/repository/index")
		require.Equal(t, 200, r.code, "%s", r.body)
		var idx []wireModelIndex
		require.NoError(t, json.Unmarshal(r.body, &idx), "%s", r.body)
		require.Len(t, idx, 1)
		assert.Equal(t, serve.BuiltinName, idx[0].Name)
		assert.Equal(t, "READY", idx[0].State)
		for _, op := range []string{"load", "unload"} {
			r := curlCall(t, curl, "-X", "POST", base+"/v2/repository/models/gotrt-builtin/"+op)
			assert.GreaterOrEqual(t, r.code, 400, op)
			assert.Contains(t, string(r.body), "not supported", op)
		}
	})

	t.Run("system shared memory", func(t *testing.T) {
		// A real /dev/shm region made here; the server maps it by its key.
		needDevShm(t)
		key := fmt.Sprintf("/gotrt-interop-curl-%d", os.Getpid())
		path := "/dev/shm" + key
		region := append(append([]byte{}, data...), bytes.Repeat([]byte{0xff}, 4*n)...)
		require.NoError(t, os.WriteFile(path, region, 0o600))
		t.Cleanup(func() { _ = os.Remove(path) })
		post := func(path, body string) curlAnswer {
			return curlCall(t, curl, "-H", "Content-Type: application/json", "--data-binary", body, base+path)
		}
		r := post("/v2/systemsharedmemory/region/in/register", fmt.Sprintf(`{"key":%q,"offset":0,"byte_size":%d}`, key, len(data)))
		require.Equal(t, 200, r.code, "%s", r.body)
		r = post("/v2/systemsharedmemory/region/out/register", fmt.Sprintf(`{"key":%q,"offset":%d,"byte_size":%d}`, key, len(data), 4*n))
		require.Equal(t, 200, r.code, "%s", r.body)
		var st []wireRegion
		get(t, "/v2/systemsharedmemory/status", &st)
		assert.Len(t, st, 2)
		get(t, "/v2/systemsharedmemory/region/in/status", &st)
		assert.Equal(t, []wireRegion{{Name: "in", Key: key, Offset: 0, ByteSize: jsonInt(len(data))}}, st)

		req := fmt.Sprintf(`{"inputs":[{"name":"input","datatype":"UINT8","shape":[%d,32,32],`+
			`"parameters":{"shared_memory_region":"in","shared_memory_byte_size":%d}}],`+
			`"outputs":[{"name":"output","parameters":{"shared_memory_region":"out","shared_memory_byte_size":%d}}]}`, n, len(data), 4*n)
		r = post("/v2/models/gotrt-builtin/infer", req)
		require.Equal(t, 200, r.code, "%s", r.body)
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, want, leInt32s(t, got[len(data):]))

		r = post("/v2/systemsharedmemory/region/in/unregister", "")
		require.Equal(t, 200, r.code, "%s", r.body)
		get(t, "/v2/systemsharedmemory/status", &st)
		assert.Len(t, st, 1)
		r = post("/v2/systemsharedmemory/unregister", "")
		require.Equal(t, 200, r.code, "%s", r.body)
		get(t, "/v2/systemsharedmemory/status", &st)
		assert.Empty(t, st)
		assert.Equal(t, 400, post("/v2/models/gotrt-builtin/infer", req).code, "an unregistered region")
	})
}

// perfAnalyzer finds Triton's perf_analyzer: $GOTRT_PERF_ANALYZER, else
// perf_analyzer on PATH. CI does not build it.
func perfAnalyzer(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("GOTRT_PERF_ANALYZER"); p != "" {
		fi, err := os.Stat(p)
		require.NoError(t, err, "GOTRT_PERF_ANALYZER")
		require.False(t, fi.IsDir(), "GOTRT_PERF_ANALYZER %s is a folder", p)
		return p
	}
	p, err := exec.LookPath("perf_analyzer")
	if err != nil {
		t.Skip("perf_analyzer is not installed (build Triton's from source and set GOTRT_PERF_ANALYZER to it)")
	}
	return p
}

// TestPerfAnalyzer runs Triton's benchmark client against the server on
// each transport it offers, with the server's metrics collected: it must
// read the model configuration, send load and read the statistics back.
// A fixed count of requests, no stability windows: this checks that it
// works, not how fast.
func TestPerfAnalyzer(t *testing.T) {
	pa := perfAnalyzer(t)
	model, _ := builtinModel(t)
	srv := start(t, model, interopConfig())
	common := []string{"-m", serve.BuiltinName, "-b", "8", "--concurrency-range", "1",
		"--request-count", "50", "--collect-metrics", "--metrics-url", srv.Addr("metrics") + "/metrics", "--metrics-interval", "200"}
	grpcURL, httpURL := []string{"-i", "grpc", "-u", srv.Addr("grpc")}, []string{"-u", srv.Addr("http")}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"gRPC", grpcURL},
		{"HTTP binary", httpURL},
		{"gRPC streaming", append([]string{"--streaming"}, grpcURL...)},
		{"gRPC system shared memory", append([]string{"--shared-memory", "system"}, grpcURL...)},
		{"HTTP system shared memory", append([]string{"--shared-memory", "system"}, httpURL...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if slices.Contains(c.args, "--shared-memory") {
				needDevShm(t)
			}
			before := served(srv)
			out := run(t, pa, append(slices.Clone(common), c.args...)...)
			for _, want := range []string{"Client:", "Throughput:", "Server:", "Inference count:", "Avg request latency:"} {
				assert.Contains(t, out, want)
			}
			assert.Greater(t, served(srv), before, "samples the server answered")
		})
	}
}
