package loadgen

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/gotrt/gotrt/runner/sut"
)

// Scenario is an MLPerf Inference scenario ([sut.Scenario]).
type Scenario = sut.Scenario

// The four scenarios, spelled as in mlperf.conf.
const (
	SingleStream = sut.SingleStream
	MultiStream  = sut.MultiStream
	Server       = sut.Server
	Offline      = sut.Offline
)

// Scenarios lists the scenarios in LoadGen's order.
var Scenarios = sut.Scenarios

// ParseScenario reads a scenario name in any letter case and returns it as
// mlperf.conf spells it; an unknown name wraps [ErrBadSettings].
func ParseScenario(s string) (Scenario, error) {
	sc, err := sut.ParseScenario(s)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadSettings, err)
	}
	return sc, nil
}

// Mode is a LoadGen test mode ([sut.Mode]).
type Mode = sut.Mode

// The test modes, spelled as LoadGen's log spells them.
const (
	PerformanceOnly     = sut.PerformanceOnly
	AccuracyOnly        = sut.AccuracyOnly
	FindPeakPerformance = sut.FindPeakPerformance
)

// ParseMode reads a test mode in any letter case and returns it as LoadGen's
// log spells it; an unknown name wraps [ErrBadSettings].
func ParseMode(s string) (Mode, error) {
	m, err := sut.ParseMode(s)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadSettings, err)
	}
	return m, nil
}

// canonical reports whether s is a scenario spelled exactly as mlperf.conf
// spells it: settings files and TestSettings take no other spelling, as in
// LoadGen.
func canonicalScenario(s string) bool {
	for _, sc := range Scenarios {
		if string(sc) == s {
			return true
		}
	}
	return false
}

func canonicalMode(s Mode) bool {
	for _, m := range sut.Modes {
		if m == s {
			return true
		}
	}
	return false
}

// TestSettings are LoadGen's test settings (mlperf::TestSettings), with
// durations as time.Duration and percentiles as fractions (0.99, not 99).
// Fields keep LoadGen's names; the config key each comes from is in its
// comment. A field a scenario does not use is ignored by it.
type TestSettings struct {
	Scenario Scenario
	Mode     Mode

	// SingleStreamExpectedLatency (SingleStream.target_latency, ms) sizes the
	// pre-generated query set: 2 × min duration / expected latency queries.
	SingleStreamExpectedLatency time.Duration
	// SingleStreamTargetLatencyPercentile (SingleStream.target_latency_percentile).
	SingleStreamTargetLatencyPercentile float64

	// MultiStreamExpectedLatency (MultiStream.target_latency, ms) is the
	// query-latency hint that sizes the pre-generated query set.
	MultiStreamExpectedLatency time.Duration
	// MultiStreamTargetLatencyPercentile (MultiStream.target_latency_percentile).
	MultiStreamTargetLatencyPercentile float64
	// MultiStreamSamplesPerQuery (MultiStream.samples_per_query).
	MultiStreamSamplesPerQuery uint64

	// ServerTargetQPS (Server.target_qps) is the mean of the Poisson arrival
	// rate, and the lower bound FindPeakPerformance starts from.
	ServerTargetQPS float64
	// ServerTargetLatency (Server.target_latency, whole ms in the file).
	ServerTargetLatency time.Duration
	// ServerTargetLatencyPercentile (Server.target_latency_percentile).
	ServerTargetLatencyPercentile float64
	// ServerCoalesceQueries (Server.coalesce_queries): issue every query whose
	// scheduled time has passed in one IssueQuery call.
	ServerCoalesceQueries bool
	// ServerFindPeakQPSDecimalsOfPrecision ends the find-peak binary search
	// when the bounds agree to this many decimals (API only, as in LoadGen).
	ServerFindPeakQPSDecimalsOfPrecision int
	// ServerFindPeakRelativePrecision, when positive, also ends the search
	// once the bounds are within this fraction of each other (gotrt only;
	// LoadGen's decimal rule alone needs ~20 bisections at 10^5 QPS).
	ServerFindPeakRelativePrecision float64
	// ServerFindPeakQPSBoundaryStepSize widens the upper bound by this
	// fraction per step while looking for an INVALID QPS (API only).
	ServerFindPeakQPSBoundaryStepSize float64
	// ServerMaxAsyncQueries (Server.max_async_queries) ends the run early
	// when more queries than this are outstanding; 0 means no limit.
	ServerMaxAsyncQueries uint64
	// ServerNumIssueQueryThreads (LoadGen's server_num_issue_query_threads,
	// API only) issues Server's queries from this many goroutines, the k-th
	// taking queries k, k+N, k+2N… each at its scheduled time, for rates one
	// goroutine cannot hold (about 10M queries/s on one core). 1 issues from
	// the run's goroutine, and so does 0 unless ServerIssueQPSPerThread sizes
	// the issuers; at most MaxIssueThreads. The SUT then takes concurrent
	// IssueQuery calls.
	ServerNumIssueQueryThreads uint64
	// ServerIssueQPSPerThread (gotrt only), when positive and
	// ServerNumIssueQueryThreads is 0, sizes each Server trial's issuers
	// from its target: ceil(target QPS / this) goroutines, at most
	// GOMAXPROCS and MaxIssueThreads, so a find-peak search that climbs
	// past one goroutine's rate gains issuers as it goes. 0 issues from one
	// goroutine, as LoadGen does.
	ServerIssueQPSPerThread float64

	// OfflineExpectedQPS (Offline.target_qps) sizes the single Offline
	// query: max(min query count, 1.1 × min duration × expected QPS) samples.
	OfflineExpectedQPS float64
	// SampleConcatenatePermutation (sample_concatenate_permutation): "equal
	// issue" mode, every loaded sample issued equally often.
	SampleConcatenatePermutation bool

	// MinDuration (min_duration, ms) and MinQueryCount (min_query_count)
	// must both be met; MaxDuration (max_duration) and MaxQueryCount
	// (max_query_count) end a run early; zero means no limit.
	MinDuration   time.Duration
	MaxDuration   time.Duration
	MinQueryCount uint64
	MaxQueryCount uint64

	// QSLRNGSeed picks the performance sample set, SampleIndexRNGSeed the
	// order of samples in queries, ScheduleRNGSeed the Server arrivals
	// (all three are read from mlperf.conf only, as in LoadGen).
	QSLRNGSeed         uint64
	SampleIndexRNGSeed uint64
	ScheduleRNGSeed    uint64

	// AccuracyLogRNGSeed, AccuracyLogProbability (a fraction; the file has
	// percent, mlperf.conf only) and AccuracyLogSamplingTarget pick which
	// responses a performance run logs to mlperf_log_accuracy.json.
	AccuracyLogRNGSeed        uint64
	AccuracyLogProbability    float64
	AccuracyLogSamplingTarget uint64

	// PrintTimestamps (print_timestamps) is logged but has no other effect.
	PrintTimestamps bool
	// PerformanceIssueUnique (performance_issue_unique) issues every loaded
	// sample once; PerformanceIssueSame (performance_issue_same) issues
	// sample PerformanceIssueSameIndex of the loaded set every time.
	PerformanceIssueUnique    bool
	PerformanceIssueSame      bool
	PerformanceIssueSameIndex uint64

	// PerformanceSampleCount (performance_sample_count_override) is the size
	// of the loaded set in performance mode; 0 means the QSL's own count.
	PerformanceSampleCount int
	// AccuracySampleCount (accuracy_sample_count_override) is how many QSL
	// samples accuracy mode runs; 0 means all of them.
	AccuracySampleCount int

	// EarlyStopping counts LoadGen's early-stopping test towards validity,
	// as current LoadGen does; false judges by the plain percentile only
	// (the v0.7 rules). API only.
	EarlyStopping bool
	// StallTimeout ends a run INVALID when samples are outstanding and none
	// completes for this long (LoadGen would hang); 0 means 60 s. API only.
	StallTimeout time.Duration
}

// DefaultSettings returns LoadGen's built-in TestSettings defaults for the
// scenario in PerformanceOnly mode: the values before any mlperf.conf or
// user.conf line applies (10 s minimum duration, 100 minimum queries, zero
// seeds). Use [LoadSettings] to get the values an MLPerf run uses.
func DefaultSettings(s Scenario) TestSettings {
	return TestSettings{
		Scenario:                             s,
		Mode:                                 PerformanceOnly,
		SingleStreamExpectedLatency:          time.Millisecond,
		SingleStreamTargetLatencyPercentile:  0.90,
		MultiStreamExpectedLatency:           8 * time.Millisecond,
		MultiStreamTargetLatencyPercentile:   0.99,
		MultiStreamSamplesPerQuery:           8,
		ServerTargetQPS:                      1,
		ServerTargetLatency:                  100 * time.Millisecond,
		ServerTargetLatencyPercentile:        0.99,
		ServerFindPeakQPSDecimalsOfPrecision: 1,
		ServerFindPeakQPSBoundaryStepSize:    1,
		OfflineExpectedQPS:                   1,
		MinDuration:                          10 * time.Second,
		MinQueryCount:                        100,
		EarlyStopping:                        true,
	}
}

// Validate reports the first setting a run cannot use, wrapping
// [ErrBadSettings] and naming the field and its value.
func (s *TestSettings) Validate() error {
	bad := func(field string, v any, why string) error {
		return fmt.Errorf("%w: %s = %v: %s", ErrBadSettings, field, v, why)
	}
	if !canonicalScenario(string(s.Scenario)) {
		return bad("Scenario", s.Scenario, "want SingleStream, MultiStream, Server or Offline")
	}
	if !canonicalMode(s.Mode) {
		return bad("Mode", s.Mode, "want PerformanceOnly, AccuracyOnly or FindPeakPerformance")
	}
	pct := func(field string, p float64) error {
		if !(p > 0 && p < 1) {
			return bad(field, p, "want a fraction in (0, 1)")
		}
		return nil
	}
	switch s.Scenario {
	case SingleStream:
		if s.SingleStreamExpectedLatency <= 0 {
			return bad("SingleStreamExpectedLatency", s.SingleStreamExpectedLatency, "must be positive")
		}
		if err := pct("SingleStreamTargetLatencyPercentile", s.SingleStreamTargetLatencyPercentile); err != nil {
			return err
		}
	case MultiStream:
		if s.MultiStreamExpectedLatency <= 0 {
			return bad("MultiStreamExpectedLatency", s.MultiStreamExpectedLatency, "must be positive")
		}
		if err := pct("MultiStreamTargetLatencyPercentile", s.MultiStreamTargetLatencyPercentile); err != nil {
			return err
		}
		if s.MultiStreamSamplesPerQuery == 0 {
			return bad("MultiStreamSamplesPerQuery", 0, "must be at least 1")
		}
	case Server:
		if !(s.ServerTargetQPS > 0) || math.IsInf(s.ServerTargetQPS, 0) {
			return bad("ServerTargetQPS", s.ServerTargetQPS, "must be a positive finite number")
		}
		if s.ServerTargetLatency <= 0 {
			return bad("ServerTargetLatency", s.ServerTargetLatency, "must be positive")
		}
		if err := pct("ServerTargetLatencyPercentile", s.ServerTargetLatencyPercentile); err != nil {
			return err
		}
		if v := s.ServerIssueQPSPerThread; !(v >= 0) || math.IsInf(v, 0) {
			return bad("ServerIssueQPSPerThread", v, "must be 0 or a positive finite number")
		}
		if s.ServerNumIssueQueryThreads > MaxIssueThreads {
			return bad("ServerNumIssueQueryThreads", s.ServerNumIssueQueryThreads, fmt.Sprintf("want 0 to %d", MaxIssueThreads))
		}
		if s.Mode == FindPeakPerformance {
			if !(s.ServerFindPeakQPSBoundaryStepSize > 0 && s.ServerFindPeakQPSBoundaryStepSize <= maxBoundaryStep) {
				return bad("ServerFindPeakQPSBoundaryStepSize", s.ServerFindPeakQPSBoundaryStepSize, fmt.Sprintf("want a number in (0, %g]", float64(maxBoundaryStep)))
			}
			if p := s.ServerFindPeakRelativePrecision; !(p >= 0 && p < 1) {
				return bad("ServerFindPeakRelativePrecision", p, "want a fraction in [0, 1)")
			}
			if s.ServerFindPeakQPSDecimalsOfPrecision < 0 || s.ServerFindPeakQPSDecimalsOfPrecision > 9 {
				return bad("ServerFindPeakQPSDecimalsOfPrecision", s.ServerFindPeakQPSDecimalsOfPrecision, "want 0..9")
			}
		}
	case Offline:
		if !(s.OfflineExpectedQPS > 0) || math.IsInf(s.OfflineExpectedQPS, 0) {
			return bad("OfflineExpectedQPS", s.OfflineExpectedQPS, "must be a positive finite number")
		}
	}
	if s.Mode == FindPeakPerformance && s.Scenario != Server {
		return fmt.Errorf("%w: FindPeakPerformance is only supported in the Server scenario, not %s", ErrBadSettings, s.Scenario)
	}
	if s.MinDuration < 0 || s.MaxDuration < 0 {
		return bad("MinDuration/MaxDuration", fmt.Sprint(s.MinDuration, "/", s.MaxDuration), "must not be negative")
	}
	if s.PerformanceSampleCount < 0 {
		return bad("PerformanceSampleCount", s.PerformanceSampleCount, "must not be negative")
	}
	if s.AccuracySampleCount < 0 {
		return bad("AccuracySampleCount", s.AccuracySampleCount, "must not be negative")
	}
	if !(s.AccuracyLogProbability >= 0 && s.AccuracyLogProbability <= 1) {
		return bad("AccuracyLogProbability", s.AccuracyLogProbability, "want a fraction in [0, 1]")
	}
	if s.PerformanceIssueUnique && s.PerformanceIssueSame {
		return bad("PerformanceIssueUnique/PerformanceIssueSame", "true/true", "both cannot be set")
	}
	if s.StallTimeout < 0 {
		return bad("StallTimeout", s.StallTimeout, "must not be negative")
	}
	return nil
}

// maxBoundaryStep bounds find-peak's widening factor (LoadGen's default is
// 1: the QPS doubles), so that no widened QPS overflows to infinity.
const maxBoundaryStep = 1e6

// ErrBadSettings is wrapped by every error about a setting's value.
var ErrBadSettings = errors.New("bad test settings")
