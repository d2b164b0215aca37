package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/spf13/cobra"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/models/builtin/gpu"
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
protocol that Triton Inference Server speaks, so that Triton's clients
(perf_analyzer, tritonclient) and gotrt run --sut kserve:// drive it:
gRPC (inference.GRPCInferenceService, with Triton's ModelStreamInfer and
server reflection) on --grpc, HTTP/REST (/v2/...) on --http, and
Prometheus metrics under Triton's names at /metrics on --metrics.
Triton's extensions: binary tensor data (HTTP), model configuration,
statistics, model repository (read-only: the model is fixed at start),
system shared memory. Concurrent requests are batched by gotrt's scheduler.

Every address defaults to 127.0.0.1 (Triton's ports 8000, 8001, 8002): pass
0.0.0.0:8001 and so on to be reachable from elsewhere, or "off" to disable a
listener (not both --http and --grpc). SIGTERM, SIGHUP or Ctrl-C drains: the server
stops being ready and accepting, answers every request it received, then
exits with status 0 (1 if --drain-timeout cut requests off).

Drive it with: gotrt run --sut kserve://127.0.0.1:8001`,
		Args: noArgs("serve"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Signals are caught before the server starts, so a SIGTERM
			// at any point drains rather than kills.
			// SIGHUP too (a closed terminal or ssh session), as run: the
			// requests in flight are answered rather than cut.
			ctx, stop := interruptible(cmd)
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
			for _, l := range []struct{ name, asked string }{{"http", f.http}, {"grpc", f.grpc}, {"metrics", f.metrics}} {
				if a := srv.Addr(l.name); a != "" {
					shown, every := listenLine(l.asked, a)
					fmt.Fprintf(w, "  %-8s %s\n", l.name, shown)
					if every {
						fmt.Fprintf(w, "  %-8s listens on every interface: reachable from other machines\n", "")
					}
				}
			}
			<-ctx.Done()
			fmt.Fprintln(w, "gotrt serve: draining")
			// Stop accepting, answer every request received, then stop
			// the devices; --drain-timeout cuts off what is left.
			dctx, cancel := context.WithTimeout(context.Background(), f.drain)
			err = srv.Shutdown(dctx)
			cancel()
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("--drain-timeout %v passed with requests in flight, which were cut off: %w", f.drain, err)
			}
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
	fl.IntVar(&f.maxBatch, "max-batch", 64, fmt.Sprintf("largest batch the scheduler forms (1 to %d on the CPU, %d on a GPU)", builtin.MaxBatchLimit, gpu.MaxBatchLimit))
	fl.IntVar(&f.streams, "streams", 0, fmt.Sprintf("streams per device, 1 to %d (0: the device's own count, one per core on the CPU)", maxServeStreams))
	fl.DurationVar(&f.batchTimeout, "batch-timeout", sched.DefaultBatchTimeout, fmt.Sprintf("how long the oldest sample waits for a fuller batch, 0 to %v (0: no wait)", maxBatchTimeout))
	fl.IntVar(&f.requestBatch, "max-request-batch", serve.DefaultMaxRequestBatch, fmt.Sprintf("most samples one request may carry, 1 to %d", maxRequestBatch))
	fl.DurationVar(&f.drain, "drain-timeout", serve.DefaultDrainTimeout, fmt.Sprintf("how long SIGTERM waits for requests in flight, 0 to %v (0: cut them off)", maxDrain))
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

// Ranges of serve's flags, checked before anything opens.
const (
	maxServeStreams = 64 // a GPU device's most streams
	maxRequestBatch = 4096
	maxDrain        = 24 * time.Hour
)

// check checks the flags before anything opens: ranges and addresses.
func (f *serveFlags) check() error {
	bad := func(flag string, v any, want string) error {
		return usageError{fmt.Errorf("--%s %v: want %s", flag, v, want)}
	}
	switch {
	case f.maxBatch < 1 || f.maxBatch > gpu.MaxBatchLimit:
		return bad("max-batch", f.maxBatch, fmt.Sprintf("1 to %d (%d on the CPU)", gpu.MaxBatchLimit, builtin.MaxBatchLimit))
	case f.streams < 0 || f.streams > maxServeStreams:
		return bad("streams", f.streams, fmt.Sprintf("0 (the device's own count) to %d", maxServeStreams))
	case f.batchTimeout < 0 || f.batchTimeout > maxBatchTimeout:
		return bad("batch-timeout", f.batchTimeout, fmt.Sprintf("0 to %v", maxBatchTimeout))
	case f.requestBatch < 1 || f.requestBatch > maxRequestBatch:
		return bad("max-request-batch", f.requestBatch, fmt.Sprintf("1 to %d", maxRequestBatch))
	case f.drain < 0 || f.drain > maxDrain:
		return bad("drain-timeout", f.drain, fmt.Sprintf("0 to %v", maxDrain))
	case f.http == serve.Off && f.grpc == serve.Off:
		return usageError{errors.New("--http and --grpc are both off: nothing would serve inference requests")}
	}
	for _, a := range []struct{ flag, addr string }{{"http", f.http}, {"grpc", f.grpc}, {"metrics", f.metrics}} {
		if a.addr == serve.Off {
			continue
		}
		_, port, err := net.SplitHostPort(a.addr)
		if err == nil {
			var p uint64
			if p, err = strconv.ParseUint(port, 10, 16); err == nil && port != strconv.FormatUint(p, 10) {
				err = errors.New("bad port")
			}
		}
		if err != nil {
			return bad(a.flag, strconv.Quote(a.addr), `HOST:PORT (port 0 to 65535; 0 picks a free one) or "off"`)
		}
	}
	return nil
}

// checkDevices checks the flags against the opened devices, before any
// executor opens: --streams within each device's streams, --max-batch
// within the CPU model's limit.
func (f *serveFlags) checkDevices(devs *runner.BuiltinDevices) error {
	if !devs.OnGPU && f.maxBatch > builtin.MaxBatchLimit {
		return usageError{fmt.Errorf("--max-batch %d: want 1 to %d on the CPU", f.maxBatch, builtin.MaxBatchLimit)}
	}
	for _, d := range devs.Devices {
		if s, ok := d.(interface{ Streams() int }); ok && f.streams > s.Streams() {
			return usageError{fmt.Errorf("--streams %d: want 0 (the device's own count) to %d, the streams of device %s", f.streams, s.Streams(), d.ID())}
		}
	}
	return nil
}

// listenLine is what serve prints for a listener asked for at asked and
// bound at bound: the host asked for with the port bound (a port 0 picks
// one), and whether it listens on every interface.
func listenLine(asked, bound string) (string, bool) {
	host, _, err := net.SplitHostPort(asked)
	_, port, err2 := net.SplitHostPort(bound)
	if err != nil || err2 != nil {
		return bound, false
	}
	ip := net.ParseIP(host)
	every := host == "" || (ip != nil && ip.IsUnspecified())
	return net.JoinHostPort(host, port), every
}

// build opens the devices and builds the server; closeDevs releases the
// devices once the server has stopped.
func (f *serveFlags) build() (srv *serve.Server, closeDevs func() error, err error) {
	if err := f.check(); err != nil {
		return nil, nil, err
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
	if err := f.checkDevices(devs); err != nil {
		_ = devs.Close()
		return nil, nil, err
	}
	if devs.Note != "" && f.log != nil {
		fmt.Fprintln(f.log, devs.Note)
	}
	cfg := f.config()
	if devs.Clock != nil { // not a typed nil in the interface
		cfg.Clock = devs.Clock
	}
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

// config is the server's config the flags give, before the devices are
// known.
func (f *serveFlags) config() serve.Config {
	cfg := serve.Config{HTTP: f.http, GRPC: f.grpc, Metrics: f.metrics, MaxRequestBatch: f.requestBatch,
		DrainTimeout: f.drain, Version: result.BuildInfo().Version}
	// The batch timeout goes to the scheduler as given; 0 is no wait, which
	// the scheduler spells as the shortest wait (its zero is its default).
	cfg.Sched.MaxBatch, cfg.Sched.BatchTimeout = f.maxBatch, f.batchTimeout
	if f.batchTimeout == 0 {
		cfg.Sched.BatchTimeout = sched.NoWait
	}
	cfg.Sched.Streams = f.streams
	return cfg
}
