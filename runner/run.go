package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/gotrt/gotrt/internal/bounded"
	"io"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/models/accuracy"
	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/result"
	"github.com/gotrt/gotrt/runner/sched"
)

// BuiltinModel is the name the built-in CPU model goes by in config files and
// results; an empty Config.Model means it.
const BuiltinModel = "gotrt-builtin"

// ErrConfig marks a Config that cannot run; the message names the field.
var ErrConfig = errors.New("bad run config")

// Config is what to run. The zero value runs the built-in model on the CPU,
// Offline, PerformanceOnly, with the embedded mlperf.conf.
type Config struct {
	// Model is the name config lines are matched against and the catalogue
	// id; "" is the built-in model.
	Model    string
	Scenario loadgen.Scenario // "" is Offline
	Mode     loadgen.Mode     // "" takes the config files' mode, else PerformanceOnly
	// MLPerfConf replaces the embedded mlperf.conf; UserConf applies after it.
	MLPerfConf, UserConf *loadgen.ConfigFile
	// Overrides apply after both files: the settings changed most, without
	// user.conf text (the CLI's --duration, --target-qps ...).
	Overrides
	// SUT is "" (the scheduler over the devices), "null" (completes every
	// sample at once: the harness measuring itself) or
	// "kserve://HOST:PORT[,HOST:PORT…]" (remote KServe v2 gRPC servers,
	// such as `gotrt serve` or Triton; see package runner/kserve).
	SUT string
	// Devices picks devices as CUDA_VISIBLE_DEVICES does: "" or "all"
	// (every visible GPU, vGPU and MIG instance when the run can use them,
	// else the whole CPU as one device), GPU indices "0,2" (CUDA ordinals),
	// "GPU-…" or "MIG-…" UUIDs, "cpu", or "cpu:N" (the CPU split into N
	// devices of equal cores). A bare number is an index, never a count.
	Devices string
	// Count, when positive, runs on the first Count devices of the
	// selection: the first Count GPUs, or on the CPU Count devices of one
	// core each (what `gotrt scale --counts` steps).
	Count int
	// NVML is the library device discovery reads; nil is go-nvml's
	// nvml.New() (the driver's libnvidia-ml.so.1, loaded at run time).
	// Tests pass go-nvml's mock.
	NVML nvml.Interface
	// Inventory, when set, is used instead of discovering the devices (and
	// stays the caller's to close): a program running many benchmarks
	// discovers once. Otherwise Run discovers once per run through NVML.
	Inventory *cuda.Inventory
	// Precision is the built-in model's precision: "" or "int8", or "fp32".
	Precision string
	// Engine and Data are a TensorRT plan and a preprocessed data set for
	// catalogue models.
	Engine, Data string
	// Sched holds the scheduler's knobs; zero fields take defaults suited to
	// the device and scenario.
	Sched sched.Config
	// NoProbe keeps the configured Offline expected QPS. By default an
	// Offline run first measures the devices with a short untimed query and
	// raises the expected QPS to what they reached, so that the one query is
	// large enough to meet the minimum duration on any machine (LoadGen sizes
	// the query from the expected QPS and never grows it). A Server
	// find-peak without Overrides.TargetQPS likewise measures the Offline
	// rate first and starts from 0.9 of it; NoProbe starts it from the
	// configured target_qps.
	NoProbe bool
	// TelemetryInterval is how often devices and host are sampled (default
	// 200 ms; negative disables telemetry).
	TelemetryInterval time.Duration
	// Progress, when set, is called about every ProgressInterval (default
	// 500 ms) during the timed run with the scheduler's statistics so far,
	// for a live display. It runs on its own goroutine and must not block.
	Progress         func(elapsed time.Duration, s result.Scheduler)
	ProgressInterval time.Duration
	// OnTrial, when set, is called as each find-peak trial ends (see
	// loadgen.WithTrialFunc), for a line per trial.
	OnTrial func(loadgen.TrialEvent)
	// MemoryBudget bounds what the run's settings may make it hold (its
	// schedule, sample tables, latency records, the SUT's queue), in bytes;
	// 0 is loadgen.DefaultMemoryBudget (half the machine's or cgroup's
	// memory). Settings past it are refused before anything opens, with an
	// error wrapping loadgen.ErrMemoryBudget.
	MemoryBudget int64
	// Log receives notes for the user (no NVML library, config warnings);
	// nil discards them.
	Log io.Writer
}

func (c *Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, format+"\n", args...)
	}
}

func (c *Config) model() string {
	if c.Model == "" {
		return BuiltinModel
	}
	return c.Model
}

// IssueQPSPerThread is the Server rate the runner gives each issuing
// goroutine (loadgen.TestSettings.ServerIssueQPSPerThread): one goroutine
// holds about 10M null-SUT queries/s on one core of a 2-core VM and 7–8M
// into the scheduler, half of that leaves room for slower cores and the
// SUT's own cost. Below it a trial issues from one goroutine, as LoadGen.
const IssueQPSPerThread = 5e6

// Settings returns the test settings the run would use: the embedded (or
// given) mlperf.conf, then the user.conf, for the config's model and scenario.
func Settings(cfg Config) (loadgen.TestSettings, []loadgen.Warning, error) {
	sc := cfg.Scenario
	if sc == "" {
		sc = loadgen.Offline
	}
	mc := loadgen.MLPerfConf()
	if cfg.MLPerfConf != nil {
		mc = *cfg.MLPerfConf
	}
	var uc loadgen.ConfigFile
	if cfg.UserConf != nil {
		uc = *cfg.UserConf
	}
	ts, warns, err := loadgen.LoadSettings(cfg.model(), sc, cfg.Mode, mc, uc)
	if sc == loadgen.Server {
		ts.ServerIssueQPSPerThread = IssueQPSPerThread
	}
	if err == nil {
		_, err = cfg.Overrides.Apply(&ts)
	}
	return ts, warns, err
}

// run is Run before the notes on the host.
func run(ctx context.Context, cfg Config) (*loadgen.Report, error) {
	ts, warns, err := Settings(cfg)
	if err != nil {
		return nil, err
	}
	for _, w := range warns {
		cfg.logf("warning: %v", w)
	}
	// Before any device, data set or QSL opens: what the settings imply
	// must fit the memory budget.
	if err := checkMemory(cfg, ts); err != nil {
		return nil, err
	}
	opts := []loadgen.Option{loadgen.WithModel(cfg.model()), loadgen.WithConfigWarnings(warns),
		loadgen.WithMemoryBudget(cfg.memoryBudget(), cfg.footprint())}
	if cancelled(ctx) {
		// Interrupted while starting: a report, as for a later interrupt.
		return interruptedRun(stageStartup, nil, nil, ts, opts)
	}
	opts = append(opts, cfg.extraOptions()...)

	if cfg.SUT == "null" {
		qsl := loadgen.NewNullQSL(ts.PerformanceSampleCount, ts.PerformanceSampleCount)
		if ts.PerformanceSampleCount <= 0 {
			qsl = loadgen.NewNullQSL(1024, 1024)
		}
		return loadgen.Run(ctx, &loadgen.NullSUT{}, qsl, ts, opts...)
	}
	if isRemote(cfg.SUT) {
		return runRemote(ctx, cfg, ts, opts)
	}
	if cfg.SUT != "" {
		return nil, fmt.Errorf("%w: sut %q: want \"\" (the devices), \"null\" or kserve://HOST:PORT[,HOST:PORT…]", ErrConfig, bounded.Quote(cfg.SUT))
	}
	// One discovery serves device selection and telemetry.
	inv, release, err := cfg.inventory()
	if err != nil {
		return nil, err
	}
	defer release()
	cfg.Inventory = inv
	if cfg.model() != BuiltinModel {
		return runEngine(ctx, cfg, ts, opts)
	}
	return runBuiltin(ctx, cfg, ts, opts)
}

func runBuiltin(ctx context.Context, cfg Config, ts loadgen.TestSettings, opts []loadgen.Option) (*loadgen.Report, error) {
	m, err := builtin.Default()
	if err != nil {
		return nil, err
	}
	devs, err := OpenBuiltinDevices(cfg)
	if err != nil {
		return nil, err
	}
	if devs.Note != "" {
		cfg.logf("%s", devs.Note)
	}
	qsl, err := builtin.DefaultQSL(m)
	if err != nil {
		return nil, errors.Join(err, devs.Close())
	}
	maxBatch := 64
	if devs.OnGPU {
		maxBatch = gpuMaxBatch
	}
	sc := schedConfig(cfg.Sched, ts, maxBatch)
	if sc.Streams == 0 {
		// The device's own count: on the CPU one stream per core (each a
		// goroutine computing its own batch), on a GPU enough to overlap
		// one batch's copies with another's kernel.
		sc.Streams = devs.Streams
	}
	var sopts []sched.Option
	if !devs.OnGPU {
		// The devices compute on the cores the load generator issues
		// from and the scheduler's workers wait on: their waits park
		// while every lane computes (BuiltinDevices.Clock).
		opts = append(opts, loadgen.WithClock(devs.Clock))
		sopts = append(sopts, sched.WithClock(devs.Clock))
	}
	rep, err := runScheduler(ctx, cfg, devs.Devices, qsl, sc, ts, opts, sopts...)
	// The scheduler has closed its executors: the devices may go.
	if cerr := devs.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	rep.Result.Devices = devs.Infos
	if rep.Result.Extra == nil {
		rep.Result.Extra = map[string]any{}
	}
	rep.Result.Extra["model_description"] = devs.Description
	if devs.Note != "" {
		rep.Result.Extra["devices_note"] = devs.Note
	}
	if ts.Mode == loadgen.AccuracyOnly {
		if err := scoreAccuracy(rep); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// schedConfig fills the scheduler knobs the caller left zero: batches suited
// to the device, and for Server the adaptive policy planned against the
// latency bound (unless a batch timeout was given: then the fixed policy).
func schedConfig(c sched.Config, ts loadgen.TestSettings, maxBatch int) sched.Config {
	if c.MaxBatch == 0 {
		c.MaxBatch = maxBatch
	}
	if ts.Scenario == loadgen.Server && c.LatencyBound == 0 && c.BatchTimeout == 0 {
		// A batch timeout given by hand keeps the fixed policy, as
		// NVIDIA's harness runs Server with a fixed batch and timeout.
		c.LatencyBound = ts.ServerTargetLatency
	}
	if (ts.Scenario == loadgen.SingleStream || ts.Scenario == loadgen.MultiStream) && c.BatchTimeout == 0 {
		// One query is in flight at a time: nothing more will arrive to
		// fill a batch, so waiting only adds latency.
		c.BatchTimeout = time.Nanosecond
	}
	return c
}

// runScheduler starts the scheduler and telemetry, runs the load generator
// and folds the scheduler's and sampler's statistics into the report.
func runScheduler(ctx context.Context, cfg Config, devs []sched.Device, src interface {
	loadgen.QuerySampleLibrary
	sched.SampleSource
}, sc sched.Config, ts loadgen.TestSettings, opts []loadgen.Option, sopts ...sched.Option) (rep *loadgen.Report, err error) {
	if err := checkStreams(devs, sc); err != nil {
		return nil, err
	}
	if wrapDevices != nil {
		devs = wrapDevices(devs)
	}
	if cancelled(ctx) {
		return interruptedRun(stageStartup, nil, src, ts, opts)
	}
	s, err := sched.New(devs, src, sc, sopts...)
	if err != nil {
		return nil, err
	}
	if err := s.Start(ctx); err != nil {
		// Start has closed the scheduler: closing again would report the
		// same error twice.
		if cancelled(ctx) {
			return interruptedRun(stageWarmup, s, src, ts, opts)
		}
		return nil, err
	}
	var sampler *cuda.Sampler
	if cfg.TelemetryInterval >= 0 {
		iv := cfg.TelemetryInterval
		if iv == 0 {
			iv = 200 * time.Millisecond
		}
		if sampler, err = cuda.NewSampler(cfg.Inventory, iv); err == nil {
			err = sampler.Start()
		}
		if err != nil {
			return nil, errors.Join(err, s.Close())
		}
		// Stopped below; this only ends the goroutine on an early return.
		defer func() { _, _ = sampler.Stop() }()
	}
	var probeQPS float64
	if ts.Scenario == loadgen.Offline && ts.Mode == loadgen.PerformanceOnly && !cfg.NoProbe {
		probeQPS, err = probe(ctx, s, src, ts)
		if cancelled(ctx) {
			_ = s.Close()
			return interruptedRun(stageProbe, s, src, ts, opts)
		}
		if err != nil {
			return nil, errors.Join(err, s.Close())
		}
		ts.OfflineExpectedQPS = capExpected(offlineExpected(probeQPS, ts.OfflineExpectedQPS), ts.MinDuration)
		ts.OfflineExpectedQPS = fitBudget(cfg, ts, src)
	}
	if ts.Scenario == loadgen.Server && ts.Mode == loadgen.FindPeakPerformance && !cfg.NoProbe && cfg.TargetQPS == 0 {
		// Find-peak starts from what the devices do Offline.
		probeQPS, err = offlineRate(ctx, s, src, ts)
		if cancelled(ctx) {
			_ = s.Close()
			return interruptedRun(stageProbe, s, src, ts, opts)
		}
		if err != nil {
			return nil, errors.Join(err, s.Close())
		}
		peakSettings(&ts, probeQPS)
		cfg.logf("find-peak: the devices ran %.0f samples/s Offline: starting at %.0f QPS", probeQPS, ts.ServerTargetQPS)
	}
	stopProgress := progress(cfg, s)
	rep, err = loadgen.Run(ctx, s, src, ts, opts...)
	stopProgress()
	cerr := s.Close()
	var tel *result.Telemetry
	if sampler != nil {
		tel, _ = sampler.Stop()
	}
	if err != nil {
		return nil, err
	}
	if cerr != nil && rep.Result.Valid {
		// A device fault that the load generator did not see still spoils
		// the result.
		rep.Invalidate(cerr.Error())
	}
	st := s.Stats()
	if plans := s.Plans(); len(plans) > 0 {
		if rep.Result.Extra == nil {
			rep.Result.Extra = map[string]any{}
		}
		rep.Result.Extra["scheduler_plans"] = plans
	}
	reportLost(rep, st, sc.OnFault)
	rep.Result.Scheduler = &st
	if tel != nil {
		per := make(map[string]int64, len(st.Devices))
		var total int64
		for _, d := range st.Devices {
			per[d.ID] = int64(d.Samples)
			total += int64(d.Samples)
		}
		tel.SetSamples(total, per)
	}
	if probeQPS > 0 {
		if rep.Result.Extra == nil {
			rep.Result.Extra = map[string]any{}
		}
		rep.Result.Extra["offline_probe_samples_per_second"] = probeQPS
	}
	rep.Result.Telemetry = tel
	return rep, nil
}

// progress calls cfg.Progress on a ticker until the returned stop is called;
// stop waits for the goroutine to end.
func progress(cfg Config, s *sched.Scheduler) (stop func()) {
	if cfg.Progress == nil {
		return func() {}
	}
	iv := cfg.ProgressInterval
	if iv <= 0 {
		iv = 500 * time.Millisecond
	}
	done, finished := make(chan struct{}), make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTicker(iv)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				cfg.Progress(time.Since(start), s.Stats())
			}
		}
	}()
	return func() { close(done); <-finished }
}

// scoreAccuracy scores an accuracy run's own log with the scorer `gotrt
// accuracy` uses. A run that ended early (interrupted) covers part of the
// data set: its score is recorded with its coverage and no verdict.
func scoreAccuracy(rep *loadgen.Report) error {
	var buf bytes.Buffer
	if err := rep.WriteAccuracy(&buf); err != nil {
		return err
	}
	var recs []accuracy.Record
	err := mlperflog.DecodeLog(loadgen.AccuracyFile, &buf, func(_ int, r accuracy.Record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil // nothing completed: nothing to score
	}
	s, err := accuracy.Check(accuracy.Request{Model: accuracy.BuiltinModel, Records: recs})
	if err != nil && !errors.Is(err, accuracy.ErrPartial) {
		return fmt.Errorf("score accuracy: %w", err)
	}
	acc := result.Accuracy{Metric: s.Metric, Value: s.Value, Target: s.Target, Covered: s.Covered, Total: s.Total}
	if s.Judged {
		acc.Pass = &s.Pass
	}
	rep.Result.Accuracy = &acc
	return nil
}
