package serve_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/device"
	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
	"github.com/gotrt/gotrt/runner/serve"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// loopback puts every listener on a free loopback port.
func loopback(cfg serve.Config) serve.Config {
	cfg.HTTP, cfg.GRPC, cfg.Metrics = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	if cfg.Sched.MaxBatch == 0 {
		cfg.Sched.MaxBatch = 16
	}
	cfg.Sched.NoWarmup = true
	return cfg
}

func builtinModel(t testing.TB) (serve.Model, *builtin.Model) {
	t.Helper()
	m, err := builtin.Default()
	require.NoError(t, err)
	devs, err := builtin.SplitCPU(1, m, builtin.INT8)
	require.NoError(t, err)
	return serve.BuiltinModel(devs), m
}

// start runs a server of model for the test; it is closed at the end.
func start(t testing.TB, model serve.Model, cfg serve.Config) *serve.Server {
	t.Helper()
	srv, err := serve.New(model, loopback(cfg))
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func dial(t testing.TB, srv *serve.Server) pb.GRPCInferenceServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(srv.Addr("grpc"), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(64<<20)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return pb.NewGRPCInferenceServiceClient(conn)
}

// images renders n samples of the built-in data set and their classes as
// the model computes them in-process.
func images(t *testing.T, m *builtin.Model, n int) ([]byte, []int) {
	t.Helper()
	q, err := builtin.DefaultQSL(m)
	require.NoError(t, err)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i * 7
	}
	require.NoError(t, q.LoadSamplesToRAM(idx))
	var buf []byte
	want := make([]int, n)
	for i, x := range idx {
		img := q.SampleData(x)
		buf = append(buf, img...)
		want[i], err = m.Classify(builtin.INT8, img)
		require.NoError(t, err)
	}
	return buf, want
}

func inferRequest(n int, data []byte) *pb.ModelInferRequest {
	return &pb.ModelInferRequest{
		ModelName: serve.BuiltinName, Id: "r1",
		Inputs:           []*pb.ModelInferRequest_InferInputTensor{{Name: "input", Datatype: "UINT8", Shape: []int64{int64(n), 32, 32}}},
		RawInputContents: [][]byte{data},
	}
}

func classes(t *testing.T, r *pb.ModelInferResponse) []int {
	t.Helper()
	require.Len(t, r.GetRawOutputContents(), 1)
	raw := r.GetRawOutputContents()[0]
	out := make([]int, len(raw)/4)
	for i := range out {
		out[i] = int(int32(binary.LittleEndian.Uint32(raw[4*i:])))
	}
	return out
}

func served(srv *serve.Server) uint64 {
	var n uint64
	for _, d := range srv.Stats().Devices {
		n += d.Samples
	}
	return n
}

func TestGRPCHealthMetadataAndInfer(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{})
	cl := dial(t, srv)
	ctx := context.Background()

	live, err := cl.ServerLive(ctx, &pb.ServerLiveRequest{})
	require.NoError(t, err)
	assert.True(t, live.GetLive())
	ready, err := cl.ServerReady(ctx, &pb.ServerReadyRequest{})
	require.NoError(t, err)
	assert.True(t, ready.GetReady())
	mr, err := cl.ModelReady(ctx, &pb.ModelReadyRequest{Name: serve.BuiltinName})
	require.NoError(t, err)
	assert.True(t, mr.GetReady())
	sm, err := cl.ServerMetadata(ctx, &pb.ServerMetadataRequest{})
	require.NoError(t, err)
	assert.Equal(t, "gotrt", sm.GetName())

	md, err := cl.ModelMetadata(ctx, &pb.ModelMetadataRequest{Name: serve.BuiltinName})
	require.NoError(t, err)
	assert.Equal(t, []string{"1"}, md.GetVersions())
	require.Len(t, md.GetInputs(), 1)
	assert.Equal(t, "input", md.GetInputs()[0].GetName())
	assert.Equal(t, "UINT8", md.GetInputs()[0].GetDatatype())
	assert.Equal(t, []int64{-1, 32, 32}, md.GetInputs()[0].GetShape(), "the batch dimension is -1, as Triton shows it")
	assert.Equal(t, []int64{-1, 1}, md.GetOutputs()[0].GetShape())

	data, want := images(t, m, 5)
	r, err := cl.ModelInfer(ctx, inferRequest(5, data))
	require.NoError(t, err)
	assert.Equal(t, "r1", r.GetId())
	assert.Equal(t, []int64{5, 1}, r.GetOutputs()[0].GetShape())
	assert.Equal(t, want, classes(t, r), "the same classes as in-process")

	// The same request as typed contents instead of raw bytes.
	req := inferRequest(5, nil)
	req.RawInputContents = nil
	c := &pb.InferTensorContents{}
	for _, b := range data {
		c.UintContents = append(c.UintContents, uint32(b))
	}
	req.Inputs[0].Contents = c
	r, err = cl.ModelInfer(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, want, classes(t, r))
}

func TestConcurrentRequestsAreBatched(t *testing.T) {
	model, g := gated(t, nil)
	_, m := builtinModel(t)
	srv := start(t, model, serve.Config{})
	cl := dial(t, srv)
	data, want := images(t, m, 1)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			r, err := cl.ModelInfer(context.Background(), inferRequest(1, data))
			if assert.NoError(t, err) {
				assert.Equal(t, want, classes(t, r))
			}
		})
	}
	// The device holds its first batch until all sixteen requests wait.
	require.Eventually(t, func() bool { return srv.Pending() == 16 }, 30*time.Second, time.Millisecond)
	close(g.open)
	wg.Wait()
	st := srv.Stats()
	require.Len(t, st.Devices, 1)
	assert.Equal(t, uint64(16), st.Devices[0].Samples)
	assert.LessOrEqual(t, st.Devices[0].Batches, uint64(2), "single-sample requests that wait together share a batch")
}

func TestBadGRPCRequestsNeverReachADevice(t *testing.T) {
	model, _ := builtinModel(t)
	srv := start(t, model, serve.Config{MaxRequestBatch: 8})
	cl := dial(t, srv)
	one := make([]byte, 1024)
	mod := func(f func(r *pb.ModelInferRequest)) *pb.ModelInferRequest {
		r := inferRequest(1, one)
		f(r)
		return r
	}
	for _, tc := range []struct {
		description string
		req         *pb.ModelInferRequest
		want        codes.Code
	}{
		{"unknown model", mod(func(r *pb.ModelInferRequest) { r.ModelName = "resnet50" }), codes.NotFound},
		{"unknown version", mod(func(r *pb.ModelInferRequest) { r.ModelVersion = "7" }), codes.NotFound},
		{"wrong input name", mod(func(r *pb.ModelInferRequest) { r.Inputs[0].Name = "image" }), codes.InvalidArgument},
		{"wrong datatype", mod(func(r *pb.ModelInferRequest) { r.Inputs[0].Datatype = "FP32" }), codes.InvalidArgument},
		{"wrong rank", mod(func(r *pb.ModelInferRequest) { r.Inputs[0].Shape = []int64{1, 1024} }), codes.InvalidArgument},
		{"wrong dimension", mod(func(r *pb.ModelInferRequest) { r.Inputs[0].Shape = []int64{1, 32, 31} }), codes.InvalidArgument},
		{"zero batch", mod(func(r *pb.ModelInferRequest) { r.Inputs[0].Shape = []int64{0, 32, 32} }), codes.InvalidArgument},
		{"negative batch", mod(func(r *pb.ModelInferRequest) { r.Inputs[0].Shape = []int64{-1, 32, 32} }), codes.InvalidArgument},
		{"batch over the limit", mod(func(r *pb.ModelInferRequest) {
			r.Inputs[0].Shape = []int64{9, 32, 32}
			r.RawInputContents = [][]byte{make([]byte, 9*1024)}
		}), codes.InvalidArgument},
		{"too few bytes", mod(func(r *pb.ModelInferRequest) { r.RawInputContents = [][]byte{one[:1023]} }), codes.InvalidArgument},
		{"too many bytes", mod(func(r *pb.ModelInferRequest) { r.RawInputContents = [][]byte{make([]byte, 2048)} }), codes.InvalidArgument},
		{"no data", mod(func(r *pb.ModelInferRequest) { r.RawInputContents = nil }), codes.InvalidArgument},
		{"two raw buffers", mod(func(r *pb.ModelInferRequest) { r.RawInputContents = [][]byte{one, one} }), codes.InvalidArgument},
		{"raw and typed contents", mod(func(r *pb.ModelInferRequest) { r.Inputs[0].Contents = &pb.InferTensorContents{} }), codes.InvalidArgument},
		{"typed element out of range", mod(func(r *pb.ModelInferRequest) {
			r.RawInputContents = nil
			r.Inputs[0].Contents = &pb.InferTensorContents{UintContents: append(make([]uint32, 1023), 256)}
		}), codes.InvalidArgument},
		{"two inputs", mod(func(r *pb.ModelInferRequest) { r.Inputs = append(r.Inputs, r.Inputs[0]) }), codes.InvalidArgument},
		{"no inputs", mod(func(r *pb.ModelInferRequest) { r.Inputs = nil }), codes.InvalidArgument},
		{"unknown output", mod(func(r *pb.ModelInferRequest) {
			r.Outputs = []*pb.ModelInferRequest_InferRequestedOutputTensor{{Name: "logits"}}
		}), codes.InvalidArgument},
		{"message over the size limit", mod(func(r *pb.ModelInferRequest) { r.RawInputContents = [][]byte{make([]byte, 1<<20)} }), codes.ResourceExhausted},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, err := cl.ModelInfer(context.Background(), tc.req)
			assert.Equal(t, tc.want, status.Code(err), "%v", err)
		})
	}
	_, err := cl.ModelMetadata(context.Background(), &pb.ModelMetadataRequest{Name: "nope"})
	assert.Equal(t, codes.NotFound, status.Code(err))
	_, err = cl.ModelReady(context.Background(), &pb.ModelReadyRequest{Name: "nope"})
	assert.Equal(t, codes.NotFound, status.Code(err))
	assert.Zero(t, served(srv), "no bad request reached a device")
	assert.True(t, srv.Ready(), "bad requests do not hurt the server")
}

func httpDo(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

func jsonRequest(name, dt string, shape []int64, data any) string {
	b, _ := json.Marshal(map[string]any{"inputs": []any{map[string]any{"name": name, "datatype": dt, "shape": shape, "data": data}}})
	return string(b)
}

func TestHTTPEndpoints(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{MaxRequestBatch: 4})
	base := "http://" + srv.Addr("http")
	for _, p := range []string{"/v2/health/live", "/v2/health/ready", "/v2/models/gotrt-builtin/ready", "/v2/models/gotrt-builtin/versions/1/ready"} {
		code, _ := httpDo(t, "GET", base+p, "")
		assert.Equal(t, 200, code, p)
	}
	code, body := httpDo(t, "GET", base+"/v2/models/gotrt-builtin", "")
	assert.Equal(t, 200, code)
	assert.JSONEq(t, `{"name":"gotrt-builtin","versions":["1"],"platform":"gotrt_builtin_int8",
		"inputs":[{"name":"input","datatype":"UINT8","shape":[-1,32,32]}],
		"outputs":[{"name":"output","datatype":"INT32","shape":[-1,1]}]}`, body)

	data, want := images(t, m, 2)
	ints := make([]int, len(data))
	for i, b := range data {
		ints[i] = int(b)
	}
	code, body = httpDo(t, "POST", base+"/v2/models/gotrt-builtin/infer", jsonRequest("input", "UINT8", []int64{2, 32, 32}, ints))
	require.Equal(t, 200, code, body)
	var res struct {
		Outputs []struct {
			Name  string
			Shape []int64
			Data  []int
		}
	}
	require.NoError(t, json.Unmarshal([]byte(body), &res))
	require.Len(t, res.Outputs, 1)
	assert.Equal(t, []int64{2, 1}, res.Outputs[0].Shape)
	assert.Equal(t, want, res.Outputs[0].Data)

	// Nested arrays in row-major order mean the same.
	nested := make([][]int, 2*32)
	for i := range nested {
		nested[i] = ints[i*32 : (i+1)*32]
	}
	code, body = httpDo(t, "POST", base+"/v2/models/gotrt-builtin/versions/1/infer", jsonRequest("input", "UINT8", []int64{2, 32, 32}, nested))
	require.Equal(t, 200, code, body)
	require.NoError(t, json.Unmarshal([]byte(body), &res))
	assert.Equal(t, want, res.Outputs[0].Data)
}

func TestBadHTTPRequestsNeverReachADevice(t *testing.T) {
	model, _ := builtinModel(t)
	srv := start(t, model, serve.Config{MaxRequestBatch: 2, MaxRequestBytes: 16 << 10})
	base := "http://" + srv.Addr("http") + "/v2/models/"
	zeros := make([]int, 1024)
	for _, tc := range []struct {
		description, method, path, body string
		want                            int
	}{
		{"unknown model metadata", "GET", "resnet50", "", 404},
		{"unknown model ready", "GET", "resnet50/ready", "", 404},
		{"unknown version", "GET", "gotrt-builtin/versions/2", "", 404},
		{"unknown model infer", "POST", "resnet50/infer", jsonRequest("input", "UINT8", []int64{1, 32, 32}, zeros), 404},
		{"unknown endpoint", "GET", "gotrt-builtin/explain", "", 404},
		{"not JSON", "POST", "gotrt-builtin/infer", "{inputs", 400},
		{"wrong input name", "POST", "gotrt-builtin/infer", jsonRequest("image", "UINT8", []int64{1, 32, 32}, zeros), 400},
		{"wrong datatype", "POST", "gotrt-builtin/infer", jsonRequest("input", "INT64", []int64{1, 32, 32}, zeros), 400},
		{"wrong shape", "POST", "gotrt-builtin/infer", jsonRequest("input", "UINT8", []int64{1, 1024}, zeros), 400},
		{"batch over the limit", "POST", "gotrt-builtin/infer", jsonRequest("input", "UINT8", []int64{3, 32, 32}, zeros), 400},
		{"too few elements", "POST", "gotrt-builtin/infer", jsonRequest("input", "UINT8", []int64{1, 32, 32}, zeros[:1000]), 400},
		{"element out of range", "POST", "gotrt-builtin/infer", jsonRequest("input", "UINT8", []int64{1, 32, 32}, append(make([]int, 1023), 300)), 400},
		{"fraction", "POST", "gotrt-builtin/infer", jsonRequest("input", "UINT8", []int64{1, 32, 32}, append(make([]float64, 1023), 0.5)), 400},
		{"strings", "POST", "gotrt-builtin/infer", jsonRequest("input", "UINT8", []int64{1, 32, 32}, []string{"a"}), 400},
		{"no inputs", "POST", "gotrt-builtin/infer", `{"inputs":[]}`, 400},
		{"body over the size limit", "POST", "gotrt-builtin/infer", `{"inputs":[` + strings.Repeat(" ", 20<<10) + `]}`, 400},
	} {
		t.Run(tc.description, func(t *testing.T) {
			code, body := httpDo(t, tc.method, base+tc.path, tc.body)
			assert.Equal(t, tc.want, code, body)
			assert.Contains(t, body, `"error"`)
		})
	}
	assert.Zero(t, served(srv), "no bad request reached a device")
}

func TestStreamInferAnswersEachRequestAndSurvivesABadOne(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{})
	cl := dial(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := cl.ModelStreamInfer(ctx)
	require.NoError(t, err)
	data, want := images(t, m, 3)
	for i := range 3 {
		r := inferRequest(1, data[i*1024:(i+1)*1024])
		r.Id = fmt.Sprint(i)
		require.NoError(t, st.Send(r))
	}
	bad := inferRequest(1, data[:10])
	bad.Id = "bad"
	require.NoError(t, st.Send(bad))
	require.NoError(t, st.CloseSend())
	got := map[string][]int{}
	var errMsg string
	for {
		a, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if a.GetErrorMessage() != "" {
			errMsg = a.GetErrorMessage()
			assert.Equal(t, "bad", a.GetInferResponse().GetId())
			continue
		}
		got[a.GetInferResponse().GetId()] = classes(t, a.GetInferResponse())
	}
	assert.Contains(t, errMsg, "bad request")
	assert.Equal(t, map[string][]int{"0": want[:1], "1": want[1:2], "2": want[2:]}, got)
}

func TestMetricsUnderTritonNames(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{})
	cl := dial(t, srv)
	data, _ := images(t, m, 4)
	_, err := cl.ModelInfer(context.Background(), inferRequest(4, data))
	require.NoError(t, err)
	_, err = cl.ModelInfer(context.Background(), inferRequest(4, data[:10]))
	require.Error(t, err)
	code, body := httpDo(t, "GET", "http://"+srv.Addr("metrics")+"/metrics", "")
	require.Equal(t, 200, code)
	for _, line := range []string{
		`nv_inference_request_success{model="gotrt-builtin",version="1"} 1`,
		`nv_inference_request_failure{model="gotrt-builtin",version="1"} 1`,
		`nv_inference_count{model="gotrt-builtin",version="1"} 4`,
		"# TYPE nv_inference_queue_duration_us counter",
		"# TYPE nv_inference_compute_infer_duration_us counter",
		`gotrt_batch_size_mean{device="cpu0"}`,
		"gotrt_server_ready 1",
	} {
		assert.Contains(t, body, line)
	}
}

// gate is a test device: its executors run the built-in model but wait at
// each batch for the test to open the gate, or fail when told to.
type gate struct {
	device.Device
	open chan struct{}
	fail error
	in   chan struct{} // a batch arrived at the gate
}

type gatedExec struct {
	device.Executor
	g *gate
}

func (g *gate) NewExecutor(stream, maxBatch int) (device.Executor, error) {
	e, err := g.Device.NewExecutor(stream, maxBatch)
	return &gatedExec{Executor: e, g: g}, err
}

func (e *gatedExec) Run(ctx context.Context, n int) (device.Timing, error) {
	select {
	case e.g.in <- struct{}{}:
	default:
	}
	select {
	case <-e.g.open:
	case <-ctx.Done():
		return device.Timing{}, ctx.Err()
	}
	if e.g.fail != nil {
		return device.Timing{}, e.g.fail
	}
	return e.Executor.Run(ctx, n)
}

func gated(t *testing.T, fail error) (serve.Model, *gate) {
	model, _ := builtinModel(t)
	g := &gate{Device: model.Devices[0], open: make(chan struct{}), fail: fail, in: make(chan struct{}, 1)}
	model.Devices[0] = g
	return model, g
}

func TestShutdownDrainsRequestsInFlight(t *testing.T) {
	model, g := gated(t, nil)
	srv := start(t, model, serve.Config{})
	cl := dial(t, srv)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := cl.ModelInfer(context.Background(), inferRequest(2, make([]byte, 2048)))
			errs <- err
		})
	}
	<-g.in // a batch is at the device
	require.Eventually(t, func() bool { return srv.Pending() == 8 }, 30*time.Second, time.Millisecond, "every request is in the server")
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(context.Background()) }()
	require.Eventually(t, func() bool { return !srv.Ready() }, 10*time.Second, time.Millisecond, "draining is not ready")
	select {
	case err := <-done:
		t.Fatalf("shutdown returned with requests in flight: %v", err)
	default:
	}
	close(g.open)
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err, "every request in flight was answered")
	}
	require.NoError(t, <-done)
	assert.Equal(t, uint64(16), served(srv))
}

func TestShutdownEndsStreamsAfterAnsweringThem(t *testing.T) {
	model, g := gated(t, nil)
	srv := start(t, model, serve.Config{})
	cl := dial(t, srv)
	st, err := cl.ModelStreamInfer(context.Background())
	require.NoError(t, err)
	require.NoError(t, st.Send(inferRequest(1, make([]byte, 1024))))
	<-g.in
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(context.Background()) }()
	require.Eventually(t, func() bool { return !srv.Ready() }, 10*time.Second, time.Millisecond)
	close(g.open)
	a, err := st.Recv()
	require.NoError(t, err)
	assert.Equal(t, "r1", a.GetInferResponse().GetId())
	_, err = st.Recv()
	assert.Equal(t, codes.Unavailable, status.Code(err), "the stream ends UNAVAILABLE: send the rest elsewhere")
	require.NoError(t, <-done)
}

func TestDeviceFailureFailsRequestsAndReadiness(t *testing.T) {
	model, g := gated(t, errors.New("test device fault"))
	srv := start(t, model, serve.Config{})
	cl := dial(t, srv)
	close(g.open)
	_, err := cl.ModelInfer(context.Background(), inferRequest(1, make([]byte, 1024)))
	assert.Equal(t, codes.Internal, status.Code(err), "%v", err)
	assert.False(t, srv.Ready())
	_, err = cl.ModelInfer(context.Background(), inferRequest(1, make([]byte, 1024)))
	assert.Equal(t, codes.Internal, status.Code(err))
	r, err := cl.ServerReady(context.Background(), &pb.ServerReadyRequest{})
	require.NoError(t, err)
	assert.False(t, r.GetReady())
	assert.Error(t, srv.Close(), "close reports the device fault")
}

func TestNewRefusesBadConfig(t *testing.T) {
	model, _ := builtinModel(t)
	for _, tc := range []struct {
		description string
		model       func(m serve.Model) serve.Model
		cfg         serve.Config
	}{
		{"no name", func(m serve.Model) serve.Model { m.Name = ""; return m }, serve.Config{}},
		{"no devices", func(m serve.Model) serve.Model { m.Devices = nil; return m }, serve.Config{}},
		{"unknown datatype", func(m serve.Model) serve.Model { m.Input.Datatype = "BYTES"; return m }, serve.Config{}},
		{"negative request batch", func(m serve.Model) serve.Model { return m }, serve.Config{MaxRequestBatch: -1}},
		{"fewer slots than a request", func(m serve.Model) serve.Model { return m }, serve.Config{MaxRequestBatch: 64, Slots: 8}},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, err := serve.New(tc.model(model), tc.cfg)
			assert.ErrorIs(t, err, serve.ErrConfig)
		})
	}
}

func TestListenerOffAndBusyPort(t *testing.T) {
	model, _ := builtinModel(t)
	srv := start(t, model, serve.Config{})
	cfg := loopback(serve.Config{})
	cfg.HTTP, cfg.Metrics = serve.Off, serve.Off
	cfg.GRPC = srv.Addr("grpc") // taken
	other, err := serve.New(model, cfg)
	require.NoError(t, err)
	err = other.Start()
	assert.ErrorContains(t, err, "listen")
	assert.Empty(t, other.Addr("http"))
}

func TestSlowClientsAreDropped(t *testing.T) {
	model, _ := builtinModel(t)
	srv := start(t, model, serve.Config{ReadTimeout: 100 * time.Millisecond})
	for l, half := range map[string]string{
		"http": "POST /v2/models/gotrt-builtin/infer HTTP/1.1\r\nHost: x\r\n",
		"grpc": "PRI * HTTP/2.0\r\n", // a third of HTTP/2's preface
	} {
		t.Run(l, func(t *testing.T) {
			c, err := net.Dial("tcp", srv.Addr(l))
			require.NoError(t, err)
			defer c.Close()
			// Half a request (or of a handshake), then nothing.
			_, err = c.Write([]byte(half))
			require.NoError(t, err)
			require.NoError(t, c.SetReadDeadline(time.Now().Add(30*time.Second)))
			_, err = io.ReadAll(c)
			var ne net.Error
			assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the server closed the connection, not our deadline: %v", err)
		})
	}
}
