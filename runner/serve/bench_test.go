package serve_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/serve"
)

// nullDevice is a test device whose batches take no time: a benchmark over
// it measures the server path alone (transport, checks, slots, scheduler,
// answer), as LoadGen's null SUT measures the harness.
type nullDevice struct{}

type nullExec struct{ in, out []byte }

func (nullDevice) ID() string { return "null0" }
func (nullDevice) NewExecutor(_, maxBatch int) (device.Executor, error) {
	return &nullExec{in: make([]byte, maxBatch*1024), out: make([]byte, maxBatch*4)}, nil
}
func (e *nullExec) MaxBatch() int                                   { return len(e.out) / 4 }
func (e *nullExec) Input(i int) []byte                              { return e.in[i*1024 : (i+1)*1024] }
func (e *nullExec) Output(i int) []byte                             { return e.out[i*4 : (i+1)*4] }
func (e *nullExec) Close() error                                    { return nil }
func (e *nullExec) Run(context.Context, int) (device.Timing, error) { return device.Timing{}, nil }

// BenchmarkServerPath is one request of one sample at a time over loopback
// gRPC to a server on a null device: ns/op is the round trip, allocs/op
// counts client and server together.
func BenchmarkServerPath(b *testing.B) {
	for _, tc := range []struct {
		name   string
		stream bool
	}{{"unary", false}, {"stream", true}} {
		b.Run(tc.name, func(b *testing.B) {
			model, _ := builtinModel(b)
			model.Devices = []device.Device{nullDevice{}}
			cfg := serve.Config{}
			cfg.Sched.BatchTimeout = 1 // a lone sample goes at once
			srv := start(b, model, cfg)
			cl := dial(b, srv)
			req := inferRequest(1, make([]byte, 1024))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if !tc.stream {
				b.ReportAllocs()
				for b.Loop() {
					_, err := cl.ModelInfer(ctx, req)
					require.NoError(b, err)
				}
				return
			}
			st, err := cl.ModelStreamInfer(ctx)
			require.NoError(b, err)
			b.ReportAllocs()
			for b.Loop() {
				require.NoError(b, st.Send(req))
				_, err := st.Recv()
				require.NoError(b, err)
			}
			require.NoError(b, st.CloseSend())
		})
	}
}

// BenchmarkTransports sends one request of 64 samples at a time over
// loopback to a server on a null device, by gRPC, by HTTP with binary
// tensor data (Triton's clients' default) and by HTTP with JSON tensors:
// ns/op is the round trip, client and server together.
func BenchmarkTransports(b *testing.B) {
	const n = 64
	model, _ := builtinModel(b)
	model.Devices = []device.Device{nullDevice{}}
	cfg := serve.Config{}
	cfg.Sched.BatchTimeout = 1
	cfg.Sched.MaxBatch = n
	srv := start(b, model, cfg)
	data := make([]byte, n*1024)
	for i := range data {
		data[i] = byte(i * 7)
	}
	url := "http://" + srv.Addr("http") + "/v2/models/gotrt-builtin/infer"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	post := func(b *testing.B, body []byte, hdr string) {
		req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
		if hdr != "" {
			req.Header.Set(serve.HeaderContentLength, hdr)
		}
		res, err := client.Do(req)
		require.NoError(b, err)
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		require.Equal(b, 200, res.StatusCode)
	}
	b.Run("grpc", func(b *testing.B) {
		cl := dial(b, srv)
		req := inferRequest(n, data)
		serve.LoopCPU(b, func() {
			_, err := cl.ModelInfer(context.Background(), req)
			require.NoError(b, err)
		})
	})
	b.Run("http_binary", func(b *testing.B) {
		js := fmt.Sprintf(`{"inputs":[{"name":"input","datatype":"UINT8","shape":[%d,32,32],"parameters":{"binary_data_size":%d}}],"outputs":[{"name":"output","parameters":{"binary_data":true}}]}`, n, len(data))
		body := append([]byte(js), data...)
		hdr := strconv.Itoa(len(js))
		serve.LoopCPU(b, func() { post(b, body, hdr) })
	})
	b.Run("http_json", func(b *testing.B) {
		ints := make([]int, len(data))
		for i, v := range data {
			ints[i] = int(v)
		}
		body := []byte(jsonRequest("input", "UINT8", []int64{n, 32, 32}, ints))
		serve.LoopCPU(b, func() { post(b, body, "") })
	})
}
