package kserve_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/kserve"
	"github.com/gotrt/gotrt/runner/sched"
	"github.com/gotrt/gotrt/runner/serve"
	"github.com/gotrt/gotrt/runner/sut"
)

// benchSamples is the size of the one Offline-like query each benchmark
// iteration issues.
const benchSamples = 32768

// BenchmarkOffline compares the built-in model's throughput in-process (the
// scheduler over the CPU devices) with the same devices behind gotrt serve
// driven over loopback gRPC, unary and streaming; samples/s is the figure,
// and serve/in-process their ratio is printed by the in-process run's
// neighbours. Client and server share the machine's cores, as on one box.
func BenchmarkOffline(b *testing.B) {
	m, err := builtin.Default()
	require.NoError(b, err)
	q, err := builtin.DefaultQSL(m)
	require.NoError(b, err)
	idx := make([]int, builtin.PerformanceCount)
	for i := range idx {
		idx[i] = i
	}
	require.NoError(b, q.LoadSamplesToRAM(idx))
	devs := func() []*builtin.Device {
		d, err := builtin.SplitCPU(1, m, builtin.INT8)
		require.NoError(b, err)
		return d
	}
	schedCfg := func(d []*builtin.Device) sched.Config {
		return sched.Config{MaxBatch: 64, Streams: d[0].Streams()}
	}
	issue := func(b *testing.B, s sut.SystemUnderTest) {
		for b.Loop() {
			c := newCounter(benchSamples)
			qs := make([]sut.QuerySample, benchSamples)
			for i := range qs {
				qs[i] = sut.QuerySample{ID: uint64(i), Index: i % builtin.PerformanceCount}
			}
			s.IssueQuery(qs, c)
			s.FlushQueries()
			<-c.done
			require.NoError(b, c.failed)
		}
		b.ReportMetric(float64(b.N*benchSamples)/b.Elapsed().Seconds(), "samples/s")
	}
	b.Run("in-process", func(b *testing.B) {
		d := devs()
		sd := make([]sched.Device, len(d))
		for i := range d {
			sd[i] = d[i]
		}
		s, err := sched.New(sd, q, schedCfg(d))
		require.NoError(b, err)
		require.NoError(b, s.Start(context.Background()))
		defer s.Close()
		issue(b, s)
	})
	for _, tc := range []struct {
		name string
		opt  kserve.Options
	}{
		{"serve-unary", kserve.Options{}},
		{"serve-unary-c8", kserve.Options{Concurrency: 8}},
		{"serve-stream", kserve.Options{Stream: true}},
		{"serve-stream-batch256", kserve.Options{Stream: true, MaxBatch: 256, Concurrency: 4}},
		// HTTP/REST: binary tensors when the server takes them, else JSON.
		{"serve-http", kserve.Options{HTTP: true}},
		{"serve-http-json", kserve.Options{HTTP: true, JSON: true}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			d := devs()
			cfg := serve.Config{HTTP: serve.Off, Metrics: serve.Off, GRPC: "127.0.0.1:0", Sched: schedCfg(d)}
			if tc.opt.HTTP {
				cfg.HTTP, cfg.GRPC = "127.0.0.1:0", serve.Off
			}
			srv, err := serve.New(serve.BuiltinModel(d), cfg)
			require.NoError(b, err)
			require.NoError(b, srv.Start())
			defer srv.Shutdown(context.Background())
			addr := srv.Addr("grpc")
			if tc.opt.HTTP {
				addr = srv.Addr("http")
			}
			cl, err := kserve.Dial(context.Background(), []string{addr}, q, tc.opt)
			require.NoError(b, err)
			defer cl.Close()
			issue(b, cl)
			b.Logf("protocol %s", cl.Stats().Protocol)
		})
	}
}
