package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/gotrt/gotrt/runner"
)

// overrideFlags are the settings changed most, as trtexec and perf_analyzer
// users expect flags for them; they apply after both conf files.
type overrideFlags struct {
	duration, targetLatency time.Duration
	targetQPS               float64
	minQueries              uint64
	samplesPerQuery         uint64
	peakPrecision           float64
}

// addOverrideFlags declares the override flags on fl.
func addOverrideFlags(fl *pflag.FlagSet, f *overrideFlags) {
	fl.DurationVar(&f.duration, "duration", 0, "minimum duration (min_duration) as a Go duration: 10s, 2m")
	fl.Float64Var(&f.targetQPS, "target-qps", 0, "target_qps: Server's scheduled queries/s (find-peak's start), Offline's expected samples/s")
	fl.DurationVar(&f.targetLatency, "target-latency", 0, "target_latency as a Go duration (15ms): Server's latency bound, SingleStream/MultiStream's expected latency")
	fl.Uint64Var(&f.minQueries, "min-queries", 0, "minimum query count (min_query_count)")
	fl.Uint64Var(&f.samplesPerQuery, "samples-per-query", 0, "MultiStream samples per query (samples_per_query)")
	fl.Float64Var(&f.peakPrecision, "peak-precision", 0.01, "find-peak ends once its bounds are within this fraction of each other (0: LoadGen's one decimal of QPS alone)")
}

// overrides turns the flags into the runner's Overrides; they apply after
// --mlperf-conf and --user-conf, and the detail log names the command line
// as their source.
func (f *overrideFlags) overrides() (runner.Overrides, error) {
	if f.duration < 0 || f.targetLatency < 0 || f.targetQPS < 0 {
		return runner.Overrides{}, usageError{fmt.Errorf("--duration, --target-qps and --target-latency must not be negative")}
	}
	return runner.Overrides{
		MinDuration: f.duration, TargetQPS: f.targetQPS, TargetLatency: f.targetLatency,
		MinQueryCount: f.minQueries, SamplesPerQuery: f.samplesPerQuery, PeakPrecision: f.peakPrecision,
	}, nil
}
