package loadgen

import (
	"fmt"
	"math"
	"time"
)

// EffectiveSettings are the settings a run actually uses, derived from
// [TestSettings] and the QSL as LoadGen's TestSettingsInternal derives them
// (scenario-specific names folded into one set). They are logged as the
// effective_* keys and stored in result.json's "settings".
type EffectiveSettings struct {
	Scenario                     Scenario `json:"scenario"`
	Mode                         Mode     `json:"mode"`
	SamplesPerQuery              uint64   `json:"samples_per_query"`
	TargetQPS                    float64  `json:"target_qps"`
	TargetLatencyNS              int64    `json:"target_latency_ns"`
	TargetLatencyPercentile      float64  `json:"target_latency_percentile"`
	MaxAsyncQueries              uint64   `json:"max_async_queries"`
	TargetDurationMS             int64    `json:"target_duration_ms"`
	MinDurationMS                int64    `json:"min_duration_ms"`
	MaxDurationMS                int64    `json:"max_duration_ms"`
	MinQueryCount                uint64   `json:"min_query_count"`
	MaxQueryCount                uint64   `json:"max_query_count"`
	MinSampleCount               uint64   `json:"min_sample_count"`
	QSLRNGSeed                   uint64   `json:"qsl_rng_seed"`
	SampleIndexRNGSeed           uint64   `json:"sample_index_rng_seed"`
	ScheduleRNGSeed              uint64   `json:"schedule_rng_seed"`
	AccuracyLogRNGSeed           uint64   `json:"accuracy_log_rng_seed"`
	AccuracyLogProbability       float64  `json:"accuracy_log_probability"`
	AccuracyLogSamplingTarget    uint64   `json:"accuracy_log_sampling_target"`
	PrintTimestamps              bool     `json:"print_timestamps"`
	PerformanceIssueUnique       bool     `json:"performance_issue_unique"`
	PerformanceIssueSame         bool     `json:"performance_issue_same"`
	PerformanceIssueSameIndex    uint64   `json:"performance_issue_same_index"`
	PerformanceSampleCount       uint64   `json:"performance_sample_count"`
	AccuracySampleCount          uint64   `json:"accuracy_sample_count"`
	SampleConcatenatePermutation bool     `json:"sample_concatenate_permutation"`
	ServerCoalesceQueries        bool     `json:"server_coalesce_queries,omitempty"`
	ServerNumIssueQueryThreads   uint64   `json:"server_num_issue_query_threads,omitempty"`
	ServerIssueQPSPerThread      float64  `json:"server_issue_qps_per_thread,omitempty"`
	EarlyStopping                bool     `json:"early_stopping"`
	StallTimeoutMS               int64    `json:"stall_timeout_ms"`

	requested    TestSettings
	targetDur    time.Duration
	minDur       time.Duration
	maxDur       time.Duration
	targetLat    time.Duration
	stallTimeout time.Duration
}

// defaultStallTimeout ends a run whose SUT stops completing samples.
const defaultStallTimeout = 60 * time.Second

// effectiveSettings mirrors TestSettingsInternal's constructor.
func effectiveSettings(s TestSettings, qslPerfCount, qslTotal int) (EffectiveSettings, error) {
	e := EffectiveSettings{
		Scenario:                  s.Scenario,
		Mode:                      s.Mode,
		SamplesPerQuery:           1,
		TargetQPS:                 1,
		MinQueryCount:             s.MinQueryCount,
		MaxQueryCount:             s.MaxQueryCount,
		QSLRNGSeed:                s.QSLRNGSeed,
		SampleIndexRNGSeed:        s.SampleIndexRNGSeed,
		ScheduleRNGSeed:           s.ScheduleRNGSeed,
		AccuracyLogRNGSeed:        s.AccuracyLogRNGSeed,
		AccuracyLogProbability:    s.AccuracyLogProbability,
		AccuracyLogSamplingTarget: s.AccuracyLogSamplingTarget,
		PrintTimestamps:           s.PrintTimestamps,
		PerformanceIssueUnique:    s.PerformanceIssueUnique,
		PerformanceIssueSame:      s.PerformanceIssueSame,
		PerformanceIssueSameIndex: s.PerformanceIssueSameIndex,
		ServerCoalesceQueries:     s.ServerCoalesceQueries && s.Scenario == Server,
		EarlyStopping:             s.EarlyStopping,
		requested:                 s,
		targetDur:                 s.MinDuration,
		minDur:                    s.MinDuration,
		maxDur:                    s.MaxDuration,
		stallTimeout:              s.StallTimeout,
	}
	if e.stallTimeout == 0 {
		e.stallTimeout = defaultStallTimeout
	}
	switch s.Scenario {
	case SingleStream:
		e.TargetQPS = 1e9 / float64(s.SingleStreamExpectedLatency)
		e.MaxAsyncQueries = 1
		e.TargetLatencyPercentile = s.SingleStreamTargetLatencyPercentile
	case MultiStream:
		e.TargetQPS = 1e9 / float64(s.MultiStreamExpectedLatency)
		e.MaxAsyncQueries = 1
		e.TargetLatencyPercentile = s.MultiStreamTargetLatencyPercentile
		e.SamplesPerQuery = s.MultiStreamSamplesPerQuery
	case Server:
		e.TargetQPS = s.ServerTargetQPS
		e.targetLat = s.ServerTargetLatency
		e.TargetLatencyPercentile = s.ServerTargetLatencyPercentile
		e.MaxAsyncQueries = s.ServerMaxAsyncQueries
		e.ServerNumIssueQueryThreads = s.ServerNumIssueQueryThreads
		e.ServerIssueQPSPerThread = s.ServerIssueQPSPerThread
	case Offline:
		// LoadGen sets it to 0.99 although Offline has no latency bound.
		e.TargetLatencyPercentile = 0.99
		e.TargetQPS = s.OfflineExpectedQPS
		e.MaxAsyncQueries = 1
	}
	e.PerformanceSampleCount = uint64(s.PerformanceSampleCount)
	if e.PerformanceSampleCount == 0 {
		e.PerformanceSampleCount = uint64(qslPerfCount)
	}
	e.AccuracySampleCount = uint64(s.AccuracySampleCount)
	if e.AccuracySampleCount == 0 {
		e.AccuracySampleCount = uint64(qslTotal)
	}
	e.SampleConcatenatePermutation = s.SampleConcatenatePermutation
	if e.PerformanceSampleCount == 0 {
		return e, fmt.Errorf("%w: performance sample count is 0 (the QSL reports 0 and no override is set)", ErrBadSettings)
	}
	if s.Scenario == Offline {
		// kSlack generates enough samples for the SUT to take longer than
		// the minimum duration.
		const slack = 1.1
		target := slack * s.MinDuration.Seconds() * e.TargetQPS
		if target > math.MaxInt32 {
			return e, fmt.Errorf("%w: Offline query of %.4g samples (1.1 × min duration × expected QPS) is too large", ErrBadSettings, target)
		}
		if s.PerformanceIssueUnique {
			e.SamplesPerQuery = e.PerformanceSampleCount
		} else {
			e.SamplesPerQuery = max(e.MinQueryCount, uint64(target))
		}
		e.MinQueryCount = 1
		e.targetDur = 0
	}
	if e.SampleConcatenatePermutation && s.Scenario == SingleStream {
		// Larger slack for skewed latency distributions (3D-UNet); make the
		// query count a multiple of the performance sample count.
		const slack = 2.0
		expected := uint64(slack * e.targetDur.Seconds() * e.TargetQPS)
		e.MinQueryCount = max(e.MinQueryCount, expected)
		pc := uint64(qslPerfCount)
		if pc == 0 {
			pc = e.PerformanceSampleCount
		}
		e.MinQueryCount += pc - e.MinQueryCount%pc
	}
	e.MinSampleCount = e.MinQueryCount * e.SamplesPerQuery
	if s.PerformanceIssueSame && e.PerformanceIssueSameIndex >= e.PerformanceSampleCount {
		return e, fmt.Errorf("%w: performance_issue_same_index %d must be below the performance sample count %d",
			ErrBadSettings, e.PerformanceIssueSameIndex, e.PerformanceSampleCount)
	}
	e.TargetLatencyNS = int64(e.targetLat)
	e.TargetDurationMS = e.targetDur.Milliseconds()
	e.MinDurationMS = e.minDur.Milliseconds()
	e.MaxDurationMS = e.maxDur.Milliseconds()
	e.StallTimeoutMS = e.stallTimeout.Milliseconds()
	return e, nil
}
