package runner

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// Overrides are the settings people change most, given directly rather than
// through a user.conf: gotrt's --duration, --target-qps, --target-latency,
// --min-queries and --samples-per-query. A zero field leaves the value of
// the config files. They apply after mlperf.conf and user.conf, and the
// detail log records each as set by the command line (a generic_message
// naming the key, the value and the value it replaced).
type Overrides struct {
	// MinDuration is min_duration.
	MinDuration time.Duration
	// TargetQPS is target_qps: Server's scheduled queries/s (and
	// find-peak's starting point), Offline's expected samples/s, which
	// sizes the query (the probe may still raise it; see NoProbe).
	TargetQPS float64
	// TargetLatency is target_latency: Server's latency bound, SingleStream's
	// and MultiStream's expected latency.
	TargetLatency time.Duration
	// MinQueryCount is min_query_count.
	MinQueryCount uint64
	// SamplesPerQuery is samples_per_query (MultiStream only).
	SamplesPerQuery uint64
	// PeakPrecision, when positive, ends a find-peak search once its bounds
	// are within this fraction of each other (0.01: 1 %), besides LoadGen's
	// rule of one decimal of QPS, which takes some 20 full-length trials
	// at millions of QPS.
	PeakPrecision float64
	// IssueThreads is server_num_issue_query_threads: Server issues from
	// this many goroutines (at most loadgen.MaxIssueThreads); 0 keeps the
	// runner's choice, one per IssueQPSPerThread of each trial's target.
	IssueThreads uint64
}

// SettingsSource is the name the detail log gives [Overrides].
const SettingsSource = "command line"

// IsZero says whether o changes nothing.
func (o Overrides) IsZero() bool { return o == Overrides{} }

// Apply sets o's non-zero fields in ts and returns one note per field for
// the detail log. A field that the scenario has no use for is an error
// wrapping [ErrConfig], rather than silently doing nothing.
func (o Overrides) Apply(ts *loadgen.TestSettings) ([]string, error) {
	var notes []string
	note := func(key, val, was string) {
		notes = append(notes, fmt.Sprintf("%s: %s = %s (was %s from the config files)", SettingsSource, key, val, was))
	}
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', -1, 64) + " ms" }
	qps := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	sc := ts.Scenario
	if o.MinDuration < 0 || o.TargetQPS < 0 || o.TargetLatency < 0 {
		return nil, fmt.Errorf("%w: duration, target QPS and target latency must not be negative", ErrConfig)
	}
	if o.MinDuration > 0 {
		note("min_duration", ms(o.MinDuration), ms(ts.MinDuration))
		ts.MinDuration = o.MinDuration
	}
	if o.MinQueryCount > 0 {
		note("min_query_count", strconv.FormatUint(o.MinQueryCount, 10), strconv.FormatUint(ts.MinQueryCount, 10))
		ts.MinQueryCount = o.MinQueryCount
	}
	if o.TargetQPS > 0 {
		switch sc {
		case loadgen.Server:
			note("target_qps", qps(o.TargetQPS), qps(ts.ServerTargetQPS))
			ts.ServerTargetQPS = o.TargetQPS
		case loadgen.Offline:
			note("target_qps", qps(o.TargetQPS), qps(ts.OfflineExpectedQPS))
			ts.OfflineExpectedQPS = o.TargetQPS
		default:
			return nil, fmt.Errorf("%w: target QPS applies to Server and Offline, not %s (set the expected latency instead)", ErrConfig, sc)
		}
	}
	if o.TargetLatency > 0 {
		var dst *time.Duration
		switch sc {
		case loadgen.Server:
			dst = &ts.ServerTargetLatency
		case loadgen.SingleStream:
			dst = &ts.SingleStreamExpectedLatency
		case loadgen.MultiStream:
			dst = &ts.MultiStreamExpectedLatency
		default:
			return nil, fmt.Errorf("%w: target latency applies to Server, SingleStream and MultiStream, not %s", ErrConfig, sc)
		}
		note("target_latency", ms(o.TargetLatency), ms(*dst))
		*dst = o.TargetLatency
	}
	if o.PeakPrecision < 0 || o.PeakPrecision >= 1 {
		return nil, fmt.Errorf("%w: find-peak precision %g: want a fraction in [0, 1)", ErrConfig, o.PeakPrecision)
	}
	if o.PeakPrecision > 0 && ts.Mode == loadgen.FindPeakPerformance {
		note("server_find_peak_relative_precision", strconv.FormatFloat(o.PeakPrecision, 'f', -1, 64), strconv.FormatFloat(ts.ServerFindPeakRelativePrecision, 'f', -1, 64))
		ts.ServerFindPeakRelativePrecision = o.PeakPrecision
	}
	if o.SamplesPerQuery > 0 {
		if sc != loadgen.MultiStream {
			return nil, fmt.Errorf("%w: samples per query applies to MultiStream only, not %s", ErrConfig, sc)
		}
		note("samples_per_query", strconv.FormatUint(o.SamplesPerQuery, 10), strconv.FormatUint(ts.MultiStreamSamplesPerQuery, 10))
		ts.MultiStreamSamplesPerQuery = o.SamplesPerQuery
	}
	if o.IssueThreads > 0 {
		if sc != loadgen.Server {
			return nil, fmt.Errorf("%w: issue threads apply to Server only, not %s", ErrConfig, sc)
		}
		note("server_num_issue_query_threads", strconv.FormatUint(o.IssueThreads, 10), strconv.FormatUint(ts.ServerNumIssueQueryThreads, 10))
		ts.ServerNumIssueQueryThreads = o.IssueThreads
	}
	if len(notes) > 0 {
		if err := ts.Validate(); err != nil {
			return nil, fmt.Errorf("%w: after the %s settings: %w", ErrConfig, SettingsSource, err)
		}
	}
	return notes, nil
}

// overrideNotes are the detail log's notes for cfg.Overrides: the settings
// without them, then Apply again to say what each replaced.
func (c Config) overrideNotes() []string {
	if c.Overrides.IsZero() {
		return nil
	}
	base := c
	base.Overrides = Overrides{}
	ts, _, err := Settings(base)
	if err != nil {
		return nil
	}
	notes, _ := c.Overrides.Apply(&ts)
	return notes
}

// extraOptions are the load generator options cfg asks for beyond the
// settings: the override notes and the trial callback.
func (c Config) extraOptions() []loadgen.Option {
	opts := []loadgen.Option{loadgen.WithNotes(c.overrideNotes()...)}
	if c.OnTrial != nil {
		opts = append(opts, loadgen.WithTrialFunc(c.OnTrial))
	}
	return opts
}
