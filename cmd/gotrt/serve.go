package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/spf13/cobra"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/result"
	"github.com/gotrt/gotrt/runner/sched"
	"github.com/gotrt/gotrt/runner/serve"
)

func init() { rootCmd.AddCommand(newServeCmd()) }

// serveFlags are `gotrt serve`'s flags.
type serveFlags struct {
	http, grpc, metrics string
	devices, precision  string
	log                 io.Writer // notes for the user (stderr)
	maxBatch, streams   int
	batchTimeout        time.Duration
	requestBatch        int
	drain               time.Duration
}

// newServeCmd builds `gotrt serve`.
func newServeCmd() *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the built-in model over the KServe v2 / Triton protocol (gRPC and HTTP/REST)",
		Long: `serve serves the built-in model, as ` + serve.BuiltinName + `, over the KServe v2 inference
protocol that Triton Inference Server speaks: gRPC (inference.GRPCInferenceService,
with Triton's ModelStreamInfer and server reflection) on --grpc, HTTP/REST
(/v2/health/live, /v2/health/ready, /v2, /v2/models/` + serve.BuiltinName + `[/ready|/infer]) on
--http, and Prometheus metrics under Triton's names at /metrics on --metrics.
Concurrent requests are batched by gotrt's scheduler.

Every address defaults to 127.0.0.1 (Triton's ports 8000, 8001, 8002): pass
0.0.0.0:8001 and so on to be reachable from elsewhere, or "off" to disable a
listener. SIGTERM or Ctrl-C drains: the server stops being ready, answers the
requests in flight, then exits with status 0.

Drive it with: gotrt run --sut kserve://127.0.0.1:8001`,
		Args: noArgs("serve"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Signals are caught before the server starts, so a SIGTERM
			// at any point drains rather than kills.
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
			defer stop()
			f.log = cmd.ErrOrStderr()
			srv, closeGPU, err := f.server()
			if err != nil {
				return err
			}
			defer closeGPU()
			if err := srv.Start(); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			m := srv.Model()
			fmt.Fprintf(w, "gotrt serve: model %s on %d device(s)\n", m.Name, len(m.Devices))
			for _, l := range []string{"http", "grpc", "metrics"} {
				if a := srv.Addr(l); a != "" {
					fmt.Fprintf(w, "  %-8s %s\n", l, a)
				}
			}
			<-ctx.Done()
			fmt.Fprintln(w, "gotrt serve: draining")
			err = srv.Shutdown(context.Background())
			st := srv.Stats()
			var n uint64
			for _, d := range st.Devices {
				n += d.Samples
			}
			fmt.Fprintf(w, "gotrt serve: stopped after %d samples\n", n)
			return err
		},
	}
	cmd.SetFlagErrorFunc(flagUsage)
	fl := cmd.Flags()
	fl.StringVar(&f.http, "http", serve.DefaultHTTP, `HTTP/REST listen address ("off" for none)`)
	fl.StringVar(&f.grpc, "grpc", serve.DefaultGRPC, `gRPC listen address ("off" for none)`)
	fl.StringVar(&f.metrics, "metrics", serve.DefaultMetrics, `Prometheus metrics listen address ("off" for none)`)
	fl.StringVar(&f.devices, "devices", "all", "as gotrt run: all (every usable GPU, else the CPU), GPU indices or UUIDs (0,2), cpu, or cpu:N")
	fl.StringVar(&f.precision, "precision", "", "built-in model precision: int8 (default) or fp32")
	fl.IntVar(&f.maxBatch, "max-batch", 64, "largest batch the scheduler forms")
	fl.IntVar(&f.streams, "streams", 0, "streams per device (default: one per core)")
	fl.DurationVar(&f.batchTimeout, "batch-timeout", 0, "how long the oldest sample waits for a fuller batch (default 2ms)")
	fl.IntVar(&f.requestBatch, "max-request-batch", serve.DefaultMaxRequestBatch, "most samples one request may carry")
	fl.DurationVar(&f.drain, "drain-timeout", serve.DefaultDrainTimeout, "how long SIGTERM waits for requests in flight")
	return cmd
}

// server builds the server the flags describe; errors are usage errors.
// Where NVML finds GPUs, /metrics carries their nv_gpu_* readings; closeGPU
// releases NVML after the server stopped.
func (f *serveFlags) server() (srv *serve.Server, closeGPU func(), err error) {
	closeGPU = func() {}
	srv, closeDevs, err := f.build()
	if err != nil {
		return nil, closeGPU, err
	}
	closeGPU = func() { _ = closeDevs() }
	lib := nvml.New()
	if inv, derr := cuda.Discover(lib); derr == nil {
		if inv.GPUs() {
			srv.SetGPU(serve.NVMLReadings(lib, inv.Devices))
		}
		closeGPU = func() { _ = inv.Close(); _ = closeDevs() }
	}
	return srv, closeGPU, nil
}

// build opens the devices and builds the server; closeDevs releases the
// devices once the server has stopped.
func (f *serveFlags) build() (srv *serve.Server, closeDevs func() error, err error) {
	if f.maxBatch < 1 || f.streams < 0 || f.batchTimeout < 0 || f.requestBatch < 1 || f.drain < 0 {
		return nil, nil, usageError{errors.New("--max-batch and --max-request-batch must be positive; --streams, --batch-timeout and --drain-timeout not negative")}
	}
	// The same placement as `gotrt run`: the GPUs of a -tags cuda build on
	// a GPU host, else the CPU (with a line saying why).
	devs, err := runner.OpenBuiltinDevices(runner.Config{Devices: f.devices, Precision: f.precision,
		Sched: sched.Config{Streams: f.streams}, Log: f.log})
	if errors.Is(err, runner.ErrConfig) || errors.Is(err, builtin.ErrSplit) {
		return nil, nil, usageError{fmt.Errorf("--devices or --precision: %w", err)}
	}
	if err != nil {
		return nil, nil, err
	}
	if devs.Note != "" && f.log != nil {
		fmt.Fprintln(f.log, devs.Note)
	}
	cfg := serve.Config{HTTP: f.http, GRPC: f.grpc, Metrics: f.metrics, MaxRequestBatch: f.requestBatch,
		DrainTimeout: f.drain, Version: result.BuildInfo().Version}
	cfg.Sched.MaxBatch, cfg.Sched.BatchTimeout = f.maxBatch, f.batchTimeout
	cfg.Sched.Streams = f.streams
	if cfg.Sched.Streams == 0 {
		cfg.Sched.Streams = devs.Streams
	}
	srv, err = serve.New(serve.BuiltinModel(devs.Devices), cfg)
	if err != nil {
		_ = devs.Close()
		if errors.Is(err, serve.ErrConfig) {
			return nil, nil, usageError{err}
		}
		return nil, nil, err
	}
	return srv, devs.Close, nil
}
