package serve_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/serve"
)

// Clients gotrt did not write: curl (Debian's, when installed) for
// HTTP/REST and grpcurl (built as a Go tool at a pinned version) through
// gRPC server reflection.

// GrpcurlVersion is the grpcurl release the reflection test builds.
const grpcurlVersion = "v1.9.4"

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	require.NoError(t, err, "%s %s: %s", name, strings.Join(args, " "), out)
	return string(out)
}

func TestCurlTalksHTTP(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed (apt-get install curl)")
	}
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{})
	base := "http://" + srv.Addr("http")
	code := func(path string) string {
		return run(t, curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", base+path)
	}
	assert.Equal(t, "200", code("/v2/health/live"))
	assert.Equal(t, "200", code("/v2/health/ready"))
	assert.Equal(t, "200", code("/v2/models/gotrt-builtin/ready"))
	assert.Equal(t, "404", code("/v2/models/nope"))
	assert.Contains(t, run(t, curl, "-s", base+"/v2"), `"name":"gotrt"`)
	assert.Contains(t, run(t, curl, "-s", base+"/v2/models/gotrt-builtin"), `"shape":[-1,32,32]`)

	data, want := images(t, m, 3)
	ints := make([]int, len(data))
	for i, b := range data {
		ints[i] = int(b)
	}
	body := filepath.Join(t.TempDir(), "req.json")
	require.NoError(t, os.WriteFile(body, []byte(jsonRequest("input", "UINT8", []int64{3, 32, 32}, ints)), 0o600))
	out := run(t, curl, "-s", "--fail-with-body", "-H", "Content-Type: application/json", "--data-binary", "@"+body,
		base+"/v2/models/gotrt-builtin/infer")
	var res struct {
		ModelName string `json:"model_name"`
		Outputs   []struct {
			Name     string
			Datatype string
			Shape    []int64
			Data     []int
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	assert.Equal(t, "gotrt-builtin", res.ModelName)
	require.Len(t, res.Outputs, 1)
	assert.Equal(t, "INT32", res.Outputs[0].Datatype)
	assert.Equal(t, []int64{3, 1}, res.Outputs[0].Shape)
	assert.Equal(t, want, res.Outputs[0].Data)

	bad := run(t, curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", `{"inputs":[{"name":"x"}]}`,
		base+"/v2/models/gotrt-builtin/infer")
	assert.Equal(t, "400", bad)
}

// grpcurl builds grpcurl into the git-ignored .cache/tools, once. It
// downloads the module and its dependencies through the Go module proxy
// and takes minutes on two cores (12 on a loaded one), so the test runs
// only when GOTRT_TEST_GRPCURL=1 or a grpcurl binary is already cached.
func grpcurl(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", ".cache", "tools", grpcurlVersion))
	require.NoError(t, err)
	bin := filepath.Join(dir, "grpcurl")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if os.Getenv("GOTRT_TEST_GRPCURL") != "1" {
		t.Skip("set GOTRT_TEST_GRPCURL=1 to build grpcurl " + grpcurlVersion + " (a Go tool) and test gRPC reflection with it")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "install", "github.com/fullstorydev/grpcurl/cmd/grpcurl@"+grpcurlVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go install grpcurl: %s", out)
	return bin
}

func TestGrpcurlTalksGRPCThroughReflection(t *testing.T) {
	bin := grpcurl(t)
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{})
	addr := srv.Addr("grpc")

	assert.Contains(t, run(t, bin, "-plaintext", addr, "list"), "inference.GRPCInferenceService")
	assert.Contains(t, run(t, bin, "-plaintext", addr, "describe", "inference.GRPCInferenceService"), "ModelStreamInfer")
	assert.Contains(t, run(t, bin, "-plaintext", addr, "inference.GRPCInferenceService/ServerLive"), `"live": true`)
	assert.Contains(t, run(t, bin, "-plaintext", "-d", `{"name":"gotrt-builtin"}`, addr, "inference.GRPCInferenceService/ModelMetadata"), `"-1"`)

	data, want := images(t, m, 1)
	vals := make([]string, len(data))
	for i, b := range data {
		vals[i] = strconv.Itoa(int(b))
	}
	req := `{"model_name":"gotrt-builtin","inputs":[{"name":"input","datatype":"UINT8","shape":[1,32,32],"contents":{"uint_contents":[` +
		strings.Join(vals, ",") + `]}}]}`
	out := run(t, bin, "-plaintext", "-d", req, addr, "inference.GRPCInferenceService/ModelInfer")
	var res struct {
		RawOutputContents []string `json:"rawOutputContents"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.Len(t, res.RawOutputContents, 1)
	// Base64 of one little-endian int32: the class in the first byte.
	raw, err := base64.StdEncoding.DecodeString(res.RawOutputContents[0])
	require.NoError(t, err)
	require.Len(t, raw, 4)
	assert.Equal(t, want[0], int(int32(binary.LittleEndian.Uint32(raw))))

	// A bad request gets INVALID_ARGUMENT through grpcurl too.
	cmd := exec.Command(bin, "-plaintext", "-d", `{"model_name":"gotrt-builtin","inputs":[{"name":"x"}]}`, addr, "inference.GRPCInferenceService/ModelInfer")
	b, err := cmd.CombinedOutput()
	assert.Error(t, err)
	assert.Contains(t, string(b), "InvalidArgument")
}
