package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// runFlags are the flags of `gotrt run`.
type runFlags struct {
	model, scenario, mode string
	mlperfConf, userConf  string
	out, sut              string
}

func init() { rootCmd.AddCommand(newRunCmd()) }

func newRunCmd() *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run an MLPerf scenario against a system under test and write MLPerf logs and result.json",
		Long: `Run loads the settings for --model and --scenario from mlperf.conf (the embedded
one unless --mlperf-conf is given) and then --user-conf, as MLPerf LoadGen does,
runs the scenario, and writes mlperf_log_summary.txt, mlperf_log_detail.txt,
mlperf_log_accuracy.json and result.json into --out.

--sut null measures the load generator's own overhead against a SUT that
completes every sample at once. Ctrl-C ends the run, writes the logs and marks
the result INVALID. Exit status: 0 VALID, 3 INVALID, 2 bad flags or config, 1
other failures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRun(cmd.Context(), cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "gotrt-builtin", "benchmark name config lines are matched against (resnet50, bert-99, ...)")
	fl.StringVar(&f.scenario, "scenario", string(loadgen.Offline), "SingleStream, MultiStream, Server or Offline")
	fl.StringVar(&f.mode, "mode", string(loadgen.PerformanceOnly), "PerformanceOnly, AccuracyOnly or FindPeakPerformance")
	fl.StringVar(&f.mlperfConf, "mlperf-conf", "", "mlperf.conf to read instead of the embedded one")
	fl.StringVar(&f.userConf, "user-conf", "", "user.conf applied after mlperf.conf")
	fl.StringVar(&f.out, "out", "out", "directory for the logs and result.json")
	fl.StringVar(&f.sut, "sut", "null", "system under test: null")
	return cmd
}

func runRun(ctx context.Context, cmd *cobra.Command, f *runFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	scenario, err := loadgen.ParseScenario(f.scenario)
	if err != nil {
		return usageError{fmt.Errorf("--scenario: %w", err)}
	}
	mode, err := loadgen.ParseMode(f.mode)
	if err != nil {
		return usageError{fmt.Errorf("--mode: %w", err)}
	}
	mlperf := loadgen.MLPerfConf()
	if f.mlperfConf != "" {
		if mlperf, err = readConf(f.mlperfConf); err != nil {
			return usageError{fmt.Errorf("--mlperf-conf: %w", err)}
		}
	}
	var user loadgen.ConfigFile
	if f.userConf != "" {
		if user, err = readConf(f.userConf); err != nil {
			return usageError{fmt.Errorf("--user-conf: %w", err)}
		}
	}
	settings, warns, err := loadgen.LoadSettings(f.model, scenario, mode, mlperf, user)
	for _, w := range warns {
		fmt.Fprintln(cmd.ErrOrStderr(), "gotrt: warning:", w)
	}
	if err != nil {
		return usageError{err}
	}
	var (
		sut loadgen.SystemUnderTest
		qsl loadgen.QuerySampleLibrary
	)
	switch f.sut {
	case "null":
		n := max(settings.PerformanceSampleCount, 1024)
		sut, qsl = &loadgen.NullSUT{}, loadgen.NewNullQSL(n, n)
	default:
		return usageError{fmt.Errorf("--sut %q: only \"null\" is available", f.sut)}
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := loadgen.Run(ctx, sut, qsl, settings, loadgen.WithModel(f.model), loadgen.WithConfigWarnings(warns))
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if err := rep.WriteLogs(f.out); err != nil {
		return err
	}
	res := rep.Result
	out := cmd.OutOrStdout()
	verdict := "VALID"
	if !res.Valid {
		verdict = "INVALID"
	}
	fmt.Fprintf(out, "%s %s %s on %s: %s, %.6g %s, p99 latency %d ns\n",
		f.model, res.Scenario, res.Mode, rep.SUTName, verdict, res.Throughput.Value, res.Throughput.Unit, res.LatencyNS.P99)
	if rep.Settings.Mode == loadgen.FindPeakPerformance {
		fmt.Fprintf(out, "peak target QPS: %.6g\n", rep.PeakQPS)
	}
	for _, r := range res.Reasons {
		fmt.Fprintln(out, "  reason:", r)
	}
	fmt.Fprintln(out, "logs and result.json in", f.out)
	if !res.Valid {
		return errInvalid
	}
	return nil
}

func readConf(path string) (loadgen.ConfigFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return loadgen.ConfigFile{}, err
	}
	return loadgen.ConfigFile{Name: path, Data: b}, nil
}
