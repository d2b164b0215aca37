package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/runner/report"
)

func init() { rootCmd.AddCommand(newCompareCmd()) }

// newCompareCmd builds `gotrt compare`.
func newCompareCmd() *cobra.Command {
	var out, format, names string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "compare [--out DIR] [--format text|md|csv|json] A B [C ...]",
		Short: "Compare systems' results: MLPerf's metric per benchmark and scenario, ratios to the first, latency, telemetry and what else differs",
		Long: `compare reads one system per argument, a result.json file or a folder whose
result.json files (in any sub-folder) are that system's benchmark runs, and prints
a table per benchmark (model) and scenario of each system's MLPerf metric and
its performance relative to the first system's, the form of the seed study's
table of bare metal against vGPU: Offline samples/s, Server scheduled samples/s
within the latency bound, SingleStream p90 latency, MultiStream p99 latency (for
a latency the ratio is the first's over the system's, so above 1 is faster).
A second table gives each run's date, verdict, latency percentiles and
telemetry (GPU utilisation and power, samples/J, the host's CPU busy outside
gotrt, marked noisy when other processes used much of it); a third what else
differs between the systems (CPU, cores, driver, CUDA and TensorRT versions,
virtualisation, device profile). --format json prints all of it as one JSON
document; csv one line per system and benchmark.

With --out DIR it also writes, at the top of DIR, a grouped bar chart of the
metric relative to the first system, each bar labelled with its ratio and
value, in the colour-blind-safe Okabe–Ito palette (compare.svg, compare.png),
the tables (compare.txt, compare.md, compare.csv), compare.json and the
differences as CSV (compare-systems.csv). Accuracy-mode runs are left out of
the metric table. stderr gets a line per system read.

Exit status: 0 done, 2 bad flags or arguments (a path that does not exist,
a result file that is not a regular file or is over 16 MiB, an --out that
is not a folder, systems that share no benchmark and scenario), 1 a result
that cannot be read.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageError{fmt.Errorf("compare needs two or more result folders or files, got %d", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, err := parseFormat(format, asJSON, formatText, formatMD, formatCSV, formatJSON)
			if err != nil {
				return usageError{fmt.Errorf("compare: %w", err)}
			}
			f, err := report.ParseFormat(fs)
			if err != nil {
				return usageError{fmt.Errorf("compare: --format: %w", err)}
			}
			if out != "" {
				// Checked and held before any table prints, as run and
				// scale do: a bad --out is a usage error, not a failure at
				// the end.
				if err := checkOut(out); err != nil {
					return fmt.Errorf("compare: %w", err)
				}
				if err := checkOutFiles(out, reportFiles(report.CompareBase, report.SystemsCSV+".csv")); err != nil {
					return fmt.Errorf("compare: --out: %w", err)
				}
				lk, err := lockOut(out)
				if err != nil {
					return fmt.Errorf("compare: --out: %w", err)
				}
				defer lk.release()
			}
			var ns []string
			if names != "" {
				ns = strings.Split(names, ",")
				if len(ns) != len(args) {
					return usageError{fmt.Errorf("compare: --names has %d names for %d systems", len(ns), len(args))}
				}
			}
			steps := newStepLine(cmd.ErrOrStderr(), len(args))
			systems, err := report.LoadSystemsFunc(args, ns, func(i int, s *report.System) {
				steps.done(i+1, fmt.Sprintf("read %s: %d result(s) from %s", s.Name, len(s.Runs), s.Path))
			})
			if err != nil {
				return compareError(err)
			}
			c, err := report.Compare(systems)
			if err != nil {
				return compareError(err)
			}
			if err := c.Write(cmd.OutOrStdout(), f); err != nil {
				return fmt.Errorf("compare: %w", err)
			}
			if out == "" {
				return nil
			}
			paths, err := report.WriteComparison(out, c)
			if err != nil {
				return fmt.Errorf("compare: %w", err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "gotrt: wrote %d files to %s (chart: %s.svg, %s.png)\n",
				len(paths), out, report.CompareBase, report.CompareBase)
			return nil
		},
	}
	cmd.SetFlagErrorFunc(flagUsage)
	fl := cmd.Flags()
	fl.StringVar(&out, "out", "", "folder for the chart and the tables (none written when left out or empty)")
	allowEmpty(fl, "out")
	addFormatFlags(cmd, &format, &asJSON, "text", "text, md, csv or json")
	fl.StringVar(&names, "names", "", "comma-separated system names, one per argument (default: the folder names)")
	return cmd
}

// compareError prefixes err and makes the user's mistakes usage errors.
func compareError(err error) error {
	err = fmt.Errorf("compare: %w", err)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, report.ErrNoSharedBenchmark) ||
		errors.Is(err, report.ErrNoResults) || errors.Is(err, report.ErrDuplicate) ||
		errors.Is(err, bounded.ErrNotRegular) || errors.Is(err, bounded.ErrTooLarge) {
		return usageError{err}
	}
	return err
}
