package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/result"
)

// runFlags are the flags that say what to run; `run` and `scale` share them.
type runFlags struct {
	model, scenario, mode string
	mlperfConf, userConf  string
	sut, devices          string
	engine, data          string
	precision             string
	maxBatch, streams     int
	batchTimeout          time.Duration
	batchTimeoutSet       bool
	noProbe               bool
	ov                    overrideFlags
	onDeviceError         string
	memoryBudget          string
}

// addRunFlags declares the run flags on fl.
func addRunFlags(fl *pflag.FlagSet, f *runFlags) {
	fl.StringVar(&f.model, "model", "", "benchmark: resnet50, ssd-resnet34, bert-99, bert-99.9, 3d-unet-99, 3d-unet-99.9 (default: the built-in CPU model, "+runner.BuiltinModel+")")
	fl.StringVar(&f.scenario, "scenario", string(loadgen.Offline), "Offline, Server, SingleStream or MultiStream")
	fl.StringVar(&f.mode, "mode", "performance", "performance, accuracy or find-peak (LoadGen's PerformanceOnly, AccuracyOnly, FindPeakPerformance)")
	fl.StringVar(&f.mlperfConf, "mlperf-conf", "", "mlperf.conf to read instead of the embedded one")
	fl.StringVar(&f.userConf, "user-conf", "", "user.conf applied after mlperf.conf")
	fl.StringVar(&f.sut, "sut", "", `system under test: "" or left out (the scheduler over the devices), "null" (the harness alone), kserve://HOST:PORT[,HOST:PORT…][?stream=1&batch=N&concurrency=N] (KServe v2 / Triton gRPC servers such as gotrt serve), or kserve+http://HOST:PORT[,…][?batch=N&concurrency=N&binary=0] (the same over HTTP/REST; either takes output=NAME); a server lost mid-run follows --on-device-error`)
	allowEmpty(fl, "sut")
	fl.StringVar(&f.devices, "devices", "all", "as CUDA_VISIBLE_DEVICES: GPU indices 0,2 or GPU-/MIG- UUIDs; or all (every GPU, else the CPU), cpu, cpu:N (the CPU split in N devices); counts: scale --counts")
	fl.StringVar(&f.engine, "engine", "", "TensorRT plan of a catalogue model (needs a -tags cuda,tensorrt build)")
	fl.StringVar(&f.data, "data", "", "folder of the catalogue model's preprocessed .npy inputs")
	fl.StringVar(&f.precision, "precision", "", "built-in model precision: int8 (default) or fp32")
	intVar(fl, &f.maxBatch, "max-batch", 0, numRange{lo: 1, hi: maxBatchLimit, hint: "leave it out for the device's own"},
		fmt.Sprintf("largest batch per stream, 1 to %d (default: the device's: 64 on the CPU, whose limit is %d; 16384 on a GPU)", maxBatchLimit, builtin.MaxBatchLimit))
	intVar(fl, &f.streams, "streams", 0, numRange{lo: 1, hi: maxStreams, hint: "leave it out for the device's own"},
		fmt.Sprintf("streams per device, 1 to %d (default: the device's: one per core on the CPU, which has no more)", maxStreams))
	fl.Var(&durationFlag{p: &f.batchTimeout, set: &f.batchTimeoutSet, r: numRange{lo: 0, hi: maxBatchTimeout.Seconds()}}, "batch-timeout",
		"how long the oldest sample waits for a fuller batch, 0 to 1m; 0: no wait, a free stream takes what waits at once (default: the scheduler's choice: 2ms, no wait for SingleStream and MultiStream, planned against the latency bound for Server)")
	fl.BoolVar(&f.noProbe, "no-probe", false, "Offline: keep the configured expected QPS instead of measuring the devices first; find-peak: start from target_qps, not from the measured Offline rate")
	fl.StringVar(&f.onDeviceError, "on-device-error", runner.OnDeviceErrorFail, deviceErrorHelp)
	fl.StringVar(&f.memoryBudget, "memory-budget", "", "most memory the run's schedule, sample tables and latency records may need, as a size (4GiB, 512MiB) or a share of the machine's or cgroup's memory (50%); settings past it exit 2 before the run (default 50%)")
	addOverrideFlags(fl, &f.ov)
}

// parseMode reads --mode: the short names of the CLI or LoadGen's own.
func parseMode(s string) (loadgen.Mode, error) {
	switch strings.ToLower(s) {
	case "performance", "perf":
		return loadgen.PerformanceOnly, nil
	case "accuracy":
		return loadgen.AccuracyOnly, nil
	case "find-peak", "findpeak":
		return loadgen.FindPeakPerformance, nil
	}
	return loadgen.ParseMode(s)
}

// config turns the flags into the runner's Config; errors are usage errors.
func (f *runFlags) config(log io.Writer) (runner.Config, error) {
	cfg := runner.Config{
		Model: f.model, SUT: f.sut, Devices: f.devices, Engine: f.engine, Data: f.data,
		Precision: f.precision, NoProbe: f.noProbe, Log: log,
	}
	cfg.Sched.MaxBatch, cfg.Sched.Streams, cfg.Sched.BatchTimeout = f.maxBatch, f.streams, f.batchTimeout
	if f.batchTimeoutSet && f.batchTimeout == 0 {
		cfg.Sched.BatchTimeout = noBatchWait
	}
	var err error
	if cfg.Overrides, err = f.ov.overrides(); err != nil {
		return cfg, err
	}
	if cfg.Scenario, err = loadgen.ParseScenario(f.scenario); err != nil {
		return cfg, usageError{fmt.Errorf("--scenario: %w", err)}
	}
	if cfg.Mode, err = parseMode(f.mode); err != nil {
		return cfg, usageError{fmt.Errorf("--mode: %w", err)}
	}
	if err := checkDeviceLimits(cfg); err != nil {
		return cfg, err
	}
	if cfg.Sched.OnFault, err = runner.ParseDeviceErrorPolicy(f.onDeviceError); err != nil {
		return cfg, usageError{fmt.Errorf("--on-device-error: %w", err)}
	}
	if f.memoryBudget != "" {
		if cfg.MemoryBudget, err = loadgen.ParseMemoryBudget(f.memoryBudget); err != nil {
			return cfg, usageError{fmt.Errorf("--memory-budget: %w", err)}
		}
	}
	for _, c := range []struct {
		flag, path string
		dst        **loadgen.ConfigFile
	}{{"--mlperf-conf", f.mlperfConf, &cfg.MLPerfConf}, {"--user-conf", f.userConf, &cfg.UserConf}} {
		if c.path == "" {
			continue
		}
		var b []byte
		if c.path == "-" {
			// Standard input, once: only one of the files may be "-".
			if f.mlperfConf == "-" && f.userConf == "-" {
				return cfg, usageError{errors.New("--mlperf-conf and --user-conf cannot both be - (standard input)")}
			}
			b, err = bounded.ReadAll(os.Stdin, "standard input", "settings file", bounded.SettingsLimit)
		} else {
			b, err = bounded.ReadFile(c.path, "settings file", bounded.SettingsLimit)
		}
		if err != nil {
			if errors.Is(err, bounded.ErrNotRegular) {
				return cfg, usageError{fmt.Errorf("%s: %w (give - to read standard input)", c.flag, err)}
			}
			return cfg, usageError{fmt.Errorf("%s: %w", c.flag, err)}
		}
		name := c.path
		if name == "-" {
			name = "standard input"
		}
		*c.dst = &loadgen.ConfigFile{Name: name, Data: b}
	}
	return cfg, nil
}

// runError sorts a runner error: a bad config or flag value is the user's.
func runError(err error) error {
	if isUsage(err) {
		return usageError{err}
	}
	return err
}

func init() { rootCmd.AddCommand(newRunCmd(runner.Run)) }

func newRunCmd(run func(context.Context, runner.Config) (*loadgen.Report, error)) *cobra.Command {
	f := &runFlags{}
	var out string
	var progress, format string
	var asJSON bool
	var plugins []string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run an MLPerf scenario and write the MLPerf logs and result.json",
		Long: `run loads the settings for --model and --scenario from mlperf.conf (the embedded
one unless --mlperf-conf is given) and then --user-conf, as MLPerf LoadGen does,
runs the scenario on the devices through gotrt's batching scheduler, prints the
summary and writes mlperf_log_summary.txt, mlperf_log_detail.txt,
mlperf_log_accuracy.json and result.json into --out.

With no flags it runs the built-in INT8 model on the CPU, Offline, for a short
minimum duration. --mode accuracy runs every sample once and, for the built-in
model, scores the responses against the true labels (PASS needs 99 % of the
FP32 model's top-1). --sut null measures the harness's own overhead.

Ctrl-C, SIGTERM or SIGHUP ends the run within a second, writes the logs and
marks it INVALID; a closed stdout or stderr (gotrt run ... | head) ends
nothing. One gotrt at a time writes an --out: a second stops at once (exit 2)
and names the first's pid. Numeric flags are checked like the settings files'
values (finite, in range); a flag left out keeps the default its help names.
Exit status: 0 VALID (and accuracy PASS), 3 INVALID or FAIL, 2 bad flags or
config, 1 other failures.`,
		Args: noArgs("run"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := interruptible(cmd)
			defer stop()
			cfg, err := f.config(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if usesEngine(cfg) {
				if err := loadTensorRT("run --engine", plugins); err != nil {
					return err
				}
			} else if len(plugins) > 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "gotrt: warning: --plugins is ignored: plugins are for a catalogue model's TensorRT plan (--engine)")
			}
			if format, err = parseFormat(format, asJSON, runFormats...); err != nil {
				return err
			}
			if progress, err = parseProgress(progress); err != nil {
				return err
			}
			od, err := prepareOut(out, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer od.close()
			warnIgnored(cmd.Flags(), cfg, cmd.ErrOrStderr())
			if showProgress(progress, cmd.ErrOrStderr()) {
				cfg.Progress = liveProgress(cmd.ErrOrStderr())
			}
			if progress != "off" {
				cfg.OnTrial = trialLine(cmd.ErrOrStderr(), cfg.Progress != nil)
			}
			rep, err := run(ctx, cfg)
			if cfg.Progress != nil {
				fmt.Fprint(cmd.ErrOrStderr(), "\r\033[K")
			}
			if err != nil {
				err = runError(err)
				od.settle(err)
				return err
			}
			od.settle(nil)
			rep.Result.CommandLine = os.Args
			if err := rep.WriteLogs(out); err != nil {
				// The measurement stays on the screen when the disk
				// refuses it.
				_ = printRunAs(cmd.OutOrStdout(), format, rep, "")
				return fmt.Errorf("the result above could not be saved in %s: %w", out, err)
			}
			return printRunAs(cmd.OutOrStdout(), format, rep, out)
		},
	}
	cmd.SetFlagErrorFunc(flagUsage)
	addRunFlags(cmd.Flags(), f)
	cmd.Flags().StringVar(&out, "out", "out", "folder for the MLPerf logs and result.json")
	cmd.Flags().StringSliceVar(&plugins, "plugins", nil, "TensorRT plugin libraries the --engine plan needs, a.so,b.so (loaded before the plan; libnvinfer_plugin's are always)")
	cmd.Flags().StringVar(&progress, "progress", "auto", "live progress on stderr: auto (when stderr is a terminal), on or off; find-peak prints a line per trial unless off")
	addFormatFlags(cmd, &format, &asJSON, "text", "text (the summary), json (result.json alone), md or csv (one row)")
	return cmd
}

// noArgs refuses positional arguments with a usage error.
func noArgs(name string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) > 0 {
			// Each argument cut to a bounded length, and only the first
			// few: an argument may be a whole file pasted on one line.
			shown := make([]string, 0, 3)
			for _, a := range args[:min(len(args), 3)] {
				shown = append(shown, fmt.Sprintf("%q", quote(a)))
			}
			more := ""
			if len(args) > 3 {
				more = fmt.Sprintf(" and %d more", len(args)-3)
			}
			return usageError{fmt.Errorf("%s takes no arguments, got %s%s", name, strings.Join(shown, " "), more)}
		}
		return nil
	}
}

func showProgress(mode string, w io.Writer) bool {
	switch mode {
	case "on":
		return true
	case "off":
		return false
	}
	f, ok := w.(interface{ Stat() (os.FileInfo, error) })
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// liveProgress draws one status line: samples done, the current rate and
// each device's share of the work.
func liveProgress(w io.Writer) func(time.Duration, result.Scheduler) {
	var lastT time.Duration
	var lastN uint64
	return func(el time.Duration, s result.Scheduler) {
		var n uint64
		var b strings.Builder
		for _, d := range s.Devices {
			n += d.Samples
		}
		for _, d := range s.Devices {
			share := 0.0
			if n > 0 {
				share = 100 * float64(d.Samples) / float64(n)
			}
			fmt.Fprintf(&b, " %s %.0f%%", d.ID, share)
		}
		rate := 0.0
		if dt := el - lastT; dt > 0 {
			rate = float64(n-lastN) / dt.Seconds()
		}
		lastT, lastN = el, n
		fmt.Fprintf(w, "\r\033[K%6.1fs  %d samples  %.0f/s  |%s", el.Seconds(), n, rate, b.String())
	}
}

// printRun prints the summary's results and statistics sections, the
// accuracy verdict, the devices and where the logs are (out; nothing when
// they could not be written), and returns errInvalid for an INVALID run or
// a FAIL.
func printRun(w io.Writer, rep *loadgen.Report, out string) error {
	var sum bytes.Buffer
	if err := rep.WriteSummary(&sum); err != nil {
		return err
	}
	// The settings echo stays in the file; the screen gets the figures.
	text := sum.String()
	if i := strings.Index(text, "================================================\nTest Parameters Used"); i > 0 {
		text = text[:i]
	}
	r := rep.Result
	fmt.Fprint(w, screenSummary(text, r.Warnings))
	if r.Mode == string(loadgen.FindPeakPerformance) {
		fmt.Fprintf(w, "Peak target QPS (VALID): %.6g\n", rep.PeakQPS)
	}
	if a := r.Accuracy; a != nil {
		switch {
		case a.Pass == nil:
			fmt.Fprintf(w, "Accuracy: %s %.4f over %d of %d samples, target %.4f: no verdict on part of the data set\n", a.Metric, a.Value, a.Covered, a.Total, a.Target)
		case *a.Pass:
			fmt.Fprintf(w, "Accuracy: %s %.4f, target %.4f: PASS\n", a.Metric, a.Value, a.Target)
		default:
			fmt.Fprintf(w, "Accuracy: %s %.4f, target %.4f: FAIL\n", a.Metric, a.Value, a.Target)
		}
	}
	if desc, ok := r.Extra["model_description"].(string); ok {
		fmt.Fprintf(w, "Model: %s\n", desc)
	}
	if s := r.Scheduler; s != nil && len(s.Devices) > 0 {
		fmt.Fprintf(w, "Devices (%s batching):\n", s.Policy)
		devs := append([]result.SchedulerDevice(nil), s.Devices...)
		sort.SliceStable(devs, func(i, j int) bool { return devs[i].ID < devs[j].ID })
		for _, d := range devs {
			fmt.Fprintf(w, "  %-8s %s  %d streams  %d batches  mean batch %.1f  %d samples  utilisation %.0f%%\n",
				d.ID, deviceLabel(r.Devices, d), d.Streams, d.Batches, d.MeanBatch, d.Samples, 100*d.Utilisation)
		}
	}
	if out != "" {
		fmt.Fprintln(w, "Logs and result.json in", out)
	}
	if !r.Valid || (r.Accuracy != nil && !r.Accuracy.Passed()) {
		return errInvalid
	}
	return nil
}

// loadTensorRT is requireTensorRT; tests that run no engine stand in for it.
var loadTensorRT = requireTensorRT

// usesEngine says whether the run loads cfg.Engine: a catalogue model on
// the scheduler's devices.
func usesEngine(cfg runner.Config) bool {
	return cfg.SUT == "" && cfg.Model != "" && cfg.Model != runner.BuiltinModel && cfg.Engine != ""
}
