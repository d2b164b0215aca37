package serve_test

import (
	"context"
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
