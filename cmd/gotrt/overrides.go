package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// overrideFlags are the settings changed most, as trtexec and perf_analyzer
// users expect flags for them; they apply after both conf files.
type overrideFlags struct {
	duration, targetLatency time.Duration
	targetQPS               float64
	minQueries              uint64
	samplesPerQuery         uint64
	peakPrecision           float64
	issueThreads            uint64
}

// addOverrideFlags declares the override flags on fl. Each is checked as
// the settings files check its key (finite, positive where LoadGen wants
// it); a flag left out keeps the config files' value, and a 0 that the
// files would mean as "none" is refused rather than taken as "left out".
func addOverrideFlags(fl *pflag.FlagSet, f *overrideFlags) {
	const keep = "leave it out for the config files' %s"
	durationVar(fl, &f.duration, "duration", 0, numRange{loOpen: true, hint: fmt.Sprintf(keep, "min_duration")},
		"minimum duration (min_duration) as a positive Go duration: 10s, 2m (default: the config files')")
	floatVar(fl, &f.targetQPS, "target-qps", 0, numRange{loOpen: true, hint: fmt.Sprintf(keep, "target_qps")},
		"target_qps, positive: Server's scheduled queries/s (find-peak's start), Offline's expected samples/s (default: the config files')")
	durationVar(fl, &f.targetLatency, "target-latency", 0, numRange{loOpen: true, hint: fmt.Sprintf(keep, "target_latency")},
		"target_latency as a positive Go duration (15ms): Server's latency bound, SingleStream/MultiStream's expected latency (default: the config files')")
	uintVar(fl, &f.minQueries, "min-queries", 0, numRange{lo: 1, hint: fmt.Sprintf(keep, "min_query_count")},
		"minimum query count (min_query_count), at least 1 (default: the config files')")
	uintVar(fl, &f.samplesPerQuery, "samples-per-query", 0, numRange{lo: 1, hint: fmt.Sprintf(keep, "samples_per_query")},
		"MultiStream samples per query (samples_per_query), at least 1 (default: the config files')")
	floatVar(fl, &f.peakPrecision, "peak-precision", 0.01, numRange{lo: 0, hi: 1, hiOpen: true},
		"find-peak ends once its bounds are within this fraction of each other, at least 0 and less than 1 (0: LoadGen's one decimal of QPS alone)")
	uintVar(fl, &f.issueThreads, "issue-threads", 0, numRange{lo: 1, hi: loadgen.MaxIssueThreads, hint: "leave it out for one goroutine per 5M queries/s of the target"},
		fmt.Sprintf("Server: issue queries from this many goroutines, 1 to %d (LoadGen's server_num_issue_query_threads; default: one per %.0fM queries/s of each trial's target, up to GOMAXPROCS)", loadgen.MaxIssueThreads, runner.IssueQPSPerThread/1e6))
}

// overrides turns the flags into the runner's Overrides; they apply after
// --mlperf-conf and --user-conf, and the detail log names the command line
// as their source. The flags' values were checked as they were parsed.
func (f *overrideFlags) overrides() (runner.Overrides, error) {
	return runner.Overrides{
		MinDuration: f.duration, TargetQPS: f.targetQPS, TargetLatency: f.targetLatency,
		MinQueryCount: f.minQueries, SamplesPerQuery: f.samplesPerQuery, PeakPrecision: f.peakPrecision,
		IssueThreads: f.issueThreads,
	}, nil
}
