package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/report"
	"github.com/gotrt/gotrt/runner/result"
)

// scaleFlags are the flags of `gotrt scale`.
type scaleFlags struct {
	out, counts, format, from string
	asJSON                    bool
	run                       runFlags
}

func init() { rootCmd.AddCommand(newScaleCmd(runner.Run, runner.DeviceCount)) }

// newScaleCmd builds `gotrt scale` over the run and device-count functions
// (the runner's in the binary).
func newScaleCmd(run func(context.Context, runner.Config) (*loadgen.Report, error),
	deviceCount func(runner.Config) (int, error)) *cobra.Command {
	f := &scaleFlags{}
	cmd := &cobra.Command{
		Use:   "scale [--out DIR] [--counts 1,2,4] [run flags]",
		Short: "Run the same benchmark over device counts and tabulate throughput, speed-up and efficiency",
		Long: `scale runs the benchmark that the run flags describe once per device count,
each into its own result folder under --out (DIR/devices-1, DIR/devices-2 ...,
holding the MLPerf logs and result.json), and prints a table of throughput,
speed-up and efficiency per count. At the top of --out it writes a chart of
throughput and speed-up against device count (scale.svg, scale.png) and the
tables (scale.txt, scale.md, scale.csv).

--counts defaults to 1, 2, 4 ... up to every device the run can use. A count N
runs on the first N of them: N GPUs where the run uses GPUs (a TensorRT engine,
or the built-in model in a -tags cuda build on a GPU host), else N one-core CPU
devices. --devices narrows the devices counted (e.g. --devices 2,3 steps over
GPUs 2 and 3; --devices cpu counts CPU cores on a GPU host). --from DIR reads
an earlier scale folder back and prints its table (and rewrites its chart)
without running anything.

Exit status: 0 every run VALID, 3 a run INVALID, 2 bad flags, 1 a run failed.`,
		Args: noArgs("scale"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := interruptible(cmd)
			defer stop()
			return runScale(ctx, cmd, f, run, deviceCount)
		},
	}
	cmd.SetFlagErrorFunc(flagUsage)
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "scale", "folder for one result folder per count, the chart and the tables")
	fl.StringVar(&f.counts, "counts", "", "comma-separated device counts (default 1,2,4 ... up to every device)")
	addFormatFlags(cmd, &f.format, &f.asJSON, "text", "text, md, csv or json")
	fl.StringVar(&f.from, "from", "", "read an earlier scale folder instead of running")
	addRunFlags(fl, &f.run)
	return cmd
}

// scaleConfig turns the flags into the runner's config.
func scaleConfig(f *scaleFlags, log io.Writer) (runner.Config, error) {
	cfg, err := f.run.config(log)
	if err != nil {
		return cfg, usageError{fmt.Errorf("scale: %w", err)}
	}
	if usesEngine(cfg) {
		if err := loadTensorRT("scale --engine", nil); err != nil {
			return cfg, err
		}
	}
	if cfg.Mode == loadgen.AccuracyOnly {
		return cfg, usageError{errors.New("scale: --mode accuracy measures no throughput")}
	}
	if cfg.Mode == loadgen.FindPeakPerformance && cfg.Scenario != loadgen.Server {
		return cfg, usageError{fmt.Errorf("scale: --mode find-peak searches a Server target QPS, not %s's", cfg.Scenario)}
	}
	return cfg, nil
}

func runScale(ctx context.Context, cmd *cobra.Command, f *scaleFlags,
	run func(context.Context, runner.Config) (*loadgen.Report, error), deviceCount func(runner.Config) (int, error)) error {
	format, err := scaleFormat(f)
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	if f.from != "" {
		s, err := report.LoadScaling(f.from)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, report.ErrNoResults) {
				return usageError{fmt.Errorf("scale: --from: %w", err)}
			}
			return fmt.Errorf("scale: --from: %w", err)
		}
		// --from rewrites the chart and tables in that folder.
		if err := checkOutFiles(f.from, reportFiles(report.ScaleBase)); err != nil {
			return fmt.Errorf("scale: --from: %w", err)
		}
		lk, err := lockOut(f.from)
		if err != nil {
			return fmt.Errorf("scale: --from: %w", err)
		}
		defer lk.release()
		return finishScale(cmd, f.from, format, s, nil)
	}
	cfg, err := scaleConfig(f, stderr)
	if err != nil {
		return err
	}
	var given []int
	if f.counts != "" {
		// Checked before --out is made.
		if given, err = report.ParseCounts(f.counts); err != nil {
			return usageError{fmt.Errorf("scale: --counts: %w", err)}
		}
	}
	cfg.OnTrial = trialLine(stderr, false)
	warnIgnored(cmd.Flags(), cfg, stderr)
	if err := checkOut(f.out); err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	if err := checkOutFiles(f.out, reportFiles(report.ScaleBase)); err != nil {
		return fmt.Errorf("scale: --out: %w", err)
	}
	lk, err := lockOut(f.out)
	if err != nil {
		return fmt.Errorf("scale: --out: %w", err)
	}
	defer lk.release()
	n, err := deviceCount(cfg)
	if err != nil {
		return scaleError(fmt.Errorf("scale: count the devices: %w", err))
	}
	counts := report.DefaultCounts(n)
	if given != nil {
		counts = given
		if top := counts[len(counts)-1]; top > n && cfg.SUT == "" {
			return usageError{fmt.Errorf("scale: --counts %s: this machine has %d device(s)", f.counts, n)}
		}
	}
	s, runErr := report.Scale(ctx, f.out, counts, func(ctx context.Context, n int, dir string) (*result.Result, error) {
		c := cfg
		c.Count = n
		od, err := prepareOut(dir, stderr)
		if err != nil {
			return nil, err
		}
		defer od.close()
		rep, err := run(ctx, c)
		if err != nil {
			od.settle(scaleError(err))
			return nil, err
		}
		od.settle(nil)
		rep.Result.CommandLine = os.Args
		if err := rep.WriteLogs(dir); err != nil {
			return nil, err
		}
		return &rep.Result, nil
	}, scaleProgress(stderr, len(counts)))
	if runErr != nil {
		runErr = scaleError(runErr)
		if s == nil || len(s.Points) == 0 {
			return runErr
		}
	}
	if s.Interrupted && len(s.Points) == 0 {
		return fmt.Errorf("scale: interrupted before any count finished (logs of the count cut short in %s): %w",
			filepath.Join(f.out, report.CountDir(s.Unfinished[0])), errInvalid)
	}
	return finishScale(cmd, f.out, format, s, runErr)
}

// finishScale prints the table, writes chart and tables into dir, and
// returns runErr, else errInvalid when a run was INVALID.
func finishScale(cmd *cobra.Command, dir string, format report.Format, s *report.Scaling, runErr error) error {
	if err := s.Write(cmd.OutOrStdout(), format); err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	paths, err := report.WriteScaling(dir, s)
	if err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "gotrt: wrote %d files to %s (chart: %s.svg, %s.png)\n",
		len(paths), dir, report.ScaleBase, report.ScaleBase)
	if runErr != nil {
		return runErr
	}
	if s.Interrupted {
		return fmt.Errorf("scale: interrupted: %w", errInvalid)
	}
	if !s.Valid() {
		return fmt.Errorf("scale: %w", errInvalid)
	}
	return nil
}

// scaleError makes a bad run config (unknown model, too many devices) a
// usage error.
func scaleError(err error) error {
	if isUsage(err) {
		return usageError{err}
	}
	return err
}
