package loadgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// event is one line of the detail log, recorded during the run (never per
// sample) and rendered by WriteLogs.
type event struct {
	key    string
	value  any
	ns     int64
	kind   string
	isErr  bool
	isWarn bool
}

// Log file names, as LoadGen's default LogOutputSettings name them.
const (
	SummaryFile  = "mlperf_log_summary.txt"
	DetailFile   = "mlperf_log_detail.txt"
	AccuracyFile = "mlperf_log_accuracy.json"
	ResultFile   = "result.json"
)

func (r *runner) add(ev event) {
	ev.ns = int64(r.o.clk.Now())
	if ev.kind == "" {
		ev.kind = "POINT_IN_TIME"
	}
	if ev.isErr {
		r.rep.errs++
	}
	if ev.isWarn {
		r.rep.warns++
	}
	r.rep.events = append(r.rep.events, ev)
}

func (r *runner) logf(key string, v any) { r.add(event{key: key, value: v}) }

func (r *runner) logErr(key, msg string) { r.add(event{key: key, value: msg, isErr: true}) }

func (r *runner) logInterval(key string, start bool) {
	kind := "INTERVAL_END"
	if start {
		kind = "INTERVAL_START"
	}
	r.add(event{key: key, value: time.Now().UTC().Format("01-02-2006 15:04:05.000"), kind: kind})
}

func (r *runner) logStart(e *EffectiveSettings, nameDur time.Duration) {
	rep := r.rep
	s := rep.Settings
	r.logf("loadgen_version", Version)
	r.logf("test_datetime", rep.Start.UTC().Format("2006-01-02T15:04:05Z"))
	r.logf("sut_name", rep.SUTName)
	r.logf("get_sut_name_duration_ns", int64(nameDur))
	r.logf("qsl_name", rep.QSLName)
	r.logf("qsl_reported_total_count", rep.QSLTotalCount)
	r.logf("qsl_reported_performance_count", rep.QSLPerformanceCount)
	for _, w := range r.o.warnings {
		r.add(event{key: "warning_generic_message", value: w.String(), isWarn: true})
	}
	for _, n := range r.o.notes {
		r.logf("generic_message", n)
	}
	r.logf("requested_scenario", string(s.Scenario))
	r.logf("requested_test_mode", string(s.Mode))
	switch s.Scenario {
	case SingleStream:
		r.logf("requested_single_stream_expected_latency_ns", int64(s.SingleStreamExpectedLatency))
		r.logf("requested_single_stream_target_latency_percentile", s.SingleStreamTargetLatencyPercentile)
	case MultiStream:
		r.logf("requested_multi_stream_expected_latency_ns", int64(s.MultiStreamExpectedLatency))
		r.logf("requested_multi_stream_target_latency_percentile", s.MultiStreamTargetLatencyPercentile)
		r.logf("requested_multi_stream_samples_per_query", s.MultiStreamSamplesPerQuery)
	case Server:
		r.logf("requested_server_target_qps", s.ServerTargetQPS)
		r.logf("requested_server_target_latency_ns", int64(s.ServerTargetLatency))
		r.logf("requested_server_target_latency_percentile", s.ServerTargetLatencyPercentile)
		r.logf("requested_server_coalesce_queries", s.ServerCoalesceQueries)
		r.logf("requested_server_find_peak_qps_decimals_of_precision", s.ServerFindPeakQPSDecimalsOfPrecision)
		r.logf("requested_server_find_peak_qps_boundary_step_size", s.ServerFindPeakQPSBoundaryStepSize)
		r.logf("requested_server_max_async_queries", s.ServerMaxAsyncQueries)
		r.logf("requested_server_num_issue_query_threads", s.ServerNumIssueQueryThreads)
	case Offline:
		r.logf("requested_offline_expected_qps", s.OfflineExpectedQPS)
	}
	r.logf("requested_min_duration_ms", s.MinDuration.Milliseconds())
	r.logf("requested_max_duration_ms", s.MaxDuration.Milliseconds())
	r.logf("requested_min_query_count", s.MinQueryCount)
	r.logf("requested_max_query_count", s.MaxQueryCount)
	r.logf("requested_qsl_rng_seed", s.QSLRNGSeed)
	r.logf("requested_sample_index_rng_seed", s.SampleIndexRNGSeed)
	r.logf("requested_schedule_rng_seed", s.ScheduleRNGSeed)
	r.logf("requested_accuracy_log_rng_seed", s.AccuracyLogRNGSeed)
	r.logf("requested_accuracy_log_probability", s.AccuracyLogProbability)
	r.logf("requested_accuracy_log_sampling_target", s.AccuracyLogSamplingTarget)
	r.logf("requested_print_timestamps", s.PrintTimestamps)
	r.logf("requested_performance_issue_unique", s.PerformanceIssueUnique)
	r.logf("requested_performance_issue_same", s.PerformanceIssueSame)
	r.logf("requested_performance_issue_same_index", s.PerformanceIssueSameIndex)
	r.logf("requested_performance_sample_count_override", s.PerformanceSampleCount)
	r.logf("requested_accuracy_sample_count_override", s.AccuracySampleCount)
	r.logf("requested_sample_concatenate_permutation", s.SampleConcatenatePermutation)
	r.logf("effective_scenario", string(e.Scenario))
	r.logf("effective_test_mode", string(e.Mode))
	r.logf("effective_samples_per_query", e.SamplesPerQuery)
	r.logf("effective_target_qps", e.TargetQPS)
	r.logf("effective_target_latency_ns", e.TargetLatencyNS)
	r.logf("effective_target_latency_percentile", e.TargetLatencyPercentile)
	r.logf("effective_max_async_queries", e.MaxAsyncQueries)
	r.logf("effective_target_duration_ms", e.TargetDurationMS)
	r.logf("effective_min_duration_ms", e.MinDurationMS)
	r.logf("effective_max_duration_ms", e.MaxDurationMS)
	r.logf("effective_min_query_count", e.MinQueryCount)
	r.logf("effective_max_query_count", e.MaxQueryCount)
	r.logf("effective_min_sample_count", e.MinSampleCount)
	r.logf("effective_qsl_rng_seed", e.QSLRNGSeed)
	r.logf("effective_sample_index_rng_seed", e.SampleIndexRNGSeed)
	r.logf("effective_schedule_rng_seed", e.ScheduleRNGSeed)
	r.logf("effective_accuracy_log_rng_seed", e.AccuracyLogRNGSeed)
	r.logf("effective_accuracy_log_probability", e.AccuracyLogProbability)
	r.logf("effective_accuracy_log_sampling_target", e.AccuracyLogSamplingTarget)
	r.logf("effective_print_timestamps", e.PrintTimestamps)
	r.logf("effective_performance_issue_unique", e.PerformanceIssueUnique)
	r.logf("effective_performance_issue_same", e.PerformanceIssueSame)
	r.logf("effective_performance_issue_same_index", e.PerformanceIssueSameIndex)
	r.logf("effective_performance_sample_count", e.PerformanceSampleCount)
	r.logf("effective_accuracy_sample_count", e.AccuracySampleCount)
	r.logf("effective_sample_concatenate_permutation", e.SampleConcatenatePermutation)
}

// WriteLogs writes mlperf_log_summary.txt, mlperf_log_detail.txt,
// mlperf_log_accuracy.json and result.json into dir, creating it. Each file
// is written whole to a temporary file and renamed into place, never through
// a symbolic link; result.json comes last. Call it after other components
// have filled their parts of r.Result.
func (r *Report) WriteLogs(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write logs: %w", err)
	}
	// An earlier run's result.json must not sit beside this run's logs
	// if writing them fails half-way.
	if err := removeLogs(dir); err != nil {
		return fmt.Errorf("write logs: %w", err)
	}
	files := []struct {
		name string
		fn   func(io.Writer) error
	}{
		{SummaryFile, r.WriteSummary},
		{DetailFile, r.WriteDetail},
		{AccuracyFile, r.WriteAccuracy},
		{ResultFile, r.WriteResult},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.fn); err != nil {
			return err
		}
	}
	return nil
}

// WriteResult writes result.json (indented, with a final newline).
func (r *Report) WriteResult(w io.Writer) error {
	b, err := json.MarshalIndent(&r.Result, "", "  ")
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteAccuracy writes mlperf_log_accuracy.json as LoadGen does: a JSON
// list of {"seq_id", "qsl_idx", "data"} with the response bytes in
// upper-case hex, in sequence order.
func (r *Report) WriteAccuracy(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("[")
	const hexd = "0123456789ABCDEF"
	for i, a := range r.acc {
		if i > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n{ \"seq_id\" : %d, \"qsl_idx\" : %d, \"data\" : \"", a.seq, a.idx)
		for _, b := range a.data {
			bw.WriteByte(hexd[b>>4])
			bw.WriteByte(hexd[b&15])
		}
		bw.WriteString("\" }")
	}
	bw.WriteString("\n]\n")
	return bw.Flush()
}

// fmtDouble prints a float as C++'s ostream does by default (%g, 6 digits).
func fmtDouble(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return "0"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// fixed prints as LoadGen's DoubleToString(v, prec).
func fixed(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "NO"
}

func b01(b bool) int {
	if b {
		return 1
	}
	return 0
}

func seconds(ns int64) float64 { return float64(ns) / 1e9 }

func div(n float64, d float64) float64 {
	if d == 0 {
		return 0
	}
	return n / d
}

// WriteSummary writes mlperf_log_summary.txt with LoadGen's sections and
// labels. Accuracy runs get only the closing lines, as with LoadGen.
func (r *Report) WriteSummary(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := func(a ...any) { fmt.Fprint(bw, a...); bw.WriteByte('\n') }
	st := r.final
	if st != nil && r.Settings.Mode != AccuracyOnly {
		e := st.e
		p("================================================\nMLPerf Results Summary\n================================================")
		p("SUT name : ", r.SUTName)
		p("Scenario : ", string(e.Scenario))
		p("Mode     : ", string(r.Settings.Mode))
		if r.Settings.Mode == FindPeakPerformance {
			p("Peak target QPS (FindPeakPerformance) : ", fmtDouble(r.PeakQPS))
		}
		pct1 := fixed(e.TargetLatencyPercentile*100, 1)
		switch e.Scenario {
		case SingleStream:
			p(pct1+"th percentile latency (ns) : ", st.samples.target)
		case MultiStream:
			p(pct1+"th percentile latency (ns) : ", st.queries.target)
		case Server:
			p("Completed samples per second    : ", fixed(div(float64(st.sampleCount-1), seconds(st.finalDone)), 2))
		case Offline:
			p("Samples per second: ", fmtDouble(div(float64(st.sampleCount), seconds(st.maxLatency))))
		}
		p("Result is : ", map[bool]string{true: "VALID", false: "INVALID"}[st.valid])
		if e.Scenario == Server {
			p("  Performance constraints satisfied : ", yesNo(st.perfMet))
		}
		p("  Min duration satisfied : ", yesNo(st.minDurationMet))
		p("  Min queries satisfied : ", yesNo(st.minQueriesMet))
		p("  Early stopping satisfied: ", yesNo(st.earlyMet))
		if !st.valid {
			p("Recommendations:")
			cut := interruptedReason(st.abortReason) // no advice from a run cut short
			if !st.perfMet && !cut {
				p(" * " + st.perfRec)
			}
			if !st.minDurationMet && !cut {
				p(" * " + st.durRec)
			}
			if !st.minQueriesMet && !cut {
				p(" * The test exited early, before enough queries were issued.\n   See the detailed log for why this may have occurred.")
			}
			// gotrt's fault findings, which LoadGen has no words for.
			for _, reason := range st.reasons {
				if !strings.HasPrefix(reason, "performance constraints") && !strings.HasPrefix(reason, "min duration") &&
					!strings.HasPrefix(reason, "min queries") && !strings.HasPrefix(reason, "early stopping") {
					p(" * " + reason)
				}
			}
		}
		if e.Scenario != Offline {
			p("Early Stopping Result:")
			p(st.earlyRec)
		}
		p("\n================================================\nAdditional Stats\n================================================")
		lat := st.samples
		switch e.Scenario {
		case SingleStream:
			p("QPS w/ loadgen overhead         : " + fixed(div(float64(st.sampleCount-1), seconds(st.finalIssued)), 2))
			p("QPS w/o loadgen overhead        : " + fixed(div(1, seconds(lat.mean)), 2))
			p("")
		case Server:
			p("Scheduled samples per second : ", fixed(div(float64(st.sampleCount-1), seconds(st.finalSched)), 2))
		case MultiStream:
			q := st.queries
			p("Per-query latency:  ")
			p("Min latency (ns)                : ", q.min)
			p("Max latency (ns)                : ", q.max)
			p("Mean latency (ns)               : ", q.mean)
			for i, pc := range reportPercentiles {
				p(fixed(pc*100, 2)+" percentile latency (ns)   : ", q.pcts[i])
			}
		}
		if e.Scenario != MultiStream {
			p("Min latency (ns)                : ", lat.min)
			p("Max latency (ns)                : ", lat.max)
			p("Mean latency (ns)               : ", lat.mean)
			for i, pc := range reportPercentiles {
				p(fixed(pc*100, 2)+" percentile latency (ns)   : ", lat.pcts[i])
			}
		}
		p("\n================================================\nTest Parameters Used\n================================================")
		p("samples_per_query : ", e.SamplesPerQuery)
		p("target_qps : ", fmtDouble(e.TargetQPS))
		p("target_latency (ns): ", e.TargetLatencyNS)
		p("max_async_queries : ", e.MaxAsyncQueries)
		p("min_duration (ms): ", e.MinDurationMS)
		p("max_duration (ms): ", e.MaxDurationMS)
		p("min_query_count : ", e.MinQueryCount)
		p("max_query_count : ", e.MaxQueryCount)
		p("qsl_rng_seed : ", e.QSLRNGSeed)
		p("sample_index_rng_seed : ", e.SampleIndexRNGSeed)
		p("schedule_rng_seed : ", e.ScheduleRNGSeed)
		p("accuracy_log_rng_seed : ", e.AccuracyLogRNGSeed)
		p("accuracy_log_probability : ", fmtDouble(e.AccuracyLogProbability))
		p("accuracy_log_sampling_target : ", e.AccuracyLogSamplingTarget)
		p("print_timestamps : ", b01(e.PrintTimestamps))
		p("performance_issue_unique : ", b01(e.PerformanceIssueUnique))
		p("performance_issue_same : ", b01(e.PerformanceIssueSame))
		p("performance_issue_same_index : ", e.PerformanceIssueSameIndex)
		p("performance_sample_count : ", e.PerformanceSampleCount)
		p("accuracy_sample_count : ", e.AccuracySampleCount)
		if e.SampleConcatenatePermutation {
			p("WARNING: sample_concatenate_permutation was set to true. \nGenerated samples per query might be different as the one in the setting.\nCheck the generated_samples_per_query line in the detailed log for the real\nsamples_per_query value")
		}
	}
	switch r.warns {
	case 0:
		p("\nNo warnings encountered during test.")
	case 1:
		p("\n1 warning encountered. See detailed log.")
	default:
		p(fmt.Sprintf("\n%d warnings encountered. See detailed log.", r.warns))
	}
	for _, ev := range r.events {
		if ev.isWarn {
			p(" * ", oneLine(fmt.Sprint(ev.value)))
		}
	}
	switch r.errs {
	case 0:
		p("\nNo errors encountered during test.")
	case 1:
		p("\n1 ERROR encountered. See detailed log.")
	default:
		p(fmt.Sprintf("\n%d ERRORS encountered. See detailed log.", r.errs))
	}
	p("\n" + NotSubmission)
	return bw.Flush()
}

// resultEvents are the result_* lines LoadGen's PerformanceSummary::LogDetail
// writes at the end of a performance run.
func (r *Report) resultEvents() []event {
	st := r.final
	if st == nil || r.Settings.Mode == AccuracyOnly {
		return nil
	}
	e := st.e
	var ev []event
	add := func(k string, v any) { ev = append(ev, event{key: k, value: v, ns: r.endNS, kind: "POINT_IN_TIME"}) }
	add("result_validity", map[bool]string{true: "VALID", false: "INVALID"}[st.valid])
	if e.Scenario == Server {
		add("result_perf_constraints_met", st.perfMet)
	}
	add("result_min_duration_met", st.minDurationMet)
	add("result_min_queries_met", st.minQueriesMet)
	add("early_stopping_met", st.earlyMet)
	if !st.valid {
		add("result_invalid_reason", strings.Join(st.reasons, " "))
	}
	add("early_stopping_result", oneLine(st.earlyRec))
	add("result_query_count", st.queriesIssued)
	if e.Scenario == Server {
		add("result_overlatency_query_count", st.overLatency)
	}
	lat := st.samples
	switch e.Scenario {
	case SingleStream:
		add("result_qps_with_loadgen_overhead", div(float64(st.sampleCount-1), seconds(st.finalIssued)))
		add("result_qps_without_loadgen_overhead", div(1, seconds(lat.mean)))
		add("early_stopping_latency_ss", st.earlySS)
		add("early_stopping_latency_ms", st.earlyMS)
	case MultiStream:
		q := st.queries
		add("result_min_query_latency_ns", q.min)
		add("result_max_query_latency_ns", q.max)
		add("result_mean_query_latency_ns", q.mean)
		for i, pc := range reportPercentiles {
			add("result_"+fixed(pc*100, 2)+"_percentile_per_query_latency_ns", q.pcts[i])
		}
		add("early_stopping_latency_ms", st.earlyMS)
	case Server:
		add("result_scheduled_samples_per_sec", div(float64(st.sampleCount-1), seconds(st.finalSched)))
		add("result_completed_samples_per_sec", div(float64(st.sampleCount-1), seconds(st.finalDone)))
	case Offline:
		add("result_samples_per_second", div(float64(st.sampleCount), seconds(st.maxLatency)))
	}
	add("result_min_latency_ns", lat.min)
	add("result_max_latency_ns", lat.max)
	add("result_mean_latency_ns", lat.mean)
	for i, pc := range reportPercentiles {
		add("result_"+fixed(pc*100, 2)+"_percentile_latency_ns", lat.pcts[i])
	}
	return ev
}

// WriteDetail writes mlperf_log_detail.txt: one `:::MLLOG {json}` line per
// event with LoadGen's keys, so MLPerf's log parser reads it.
func (r *Report) WriteDetail(w io.Writer) error {
	bw := bufio.NewWriter(w)
	pid := os.Getpid()
	origin := int64(0)
	if len(r.events) > 0 {
		origin = r.events[0].ns
	}
	for _, ev := range append(r.events[:len(r.events):len(r.events)], r.resultEvents()...) {
		v, err := detailValue(ev.value)
		if err != nil {
			return fmt.Errorf("detail log key %s: %w", ev.key, err)
		}
		ns := max(ev.ns-origin, 0)
		fmt.Fprintf(bw, ":::MLLOG {\"key\": %q, \"value\": %s, \"time_ms\": %d.%06d, \"namespace\": \"mlperf::logging\", \"event_type\": %q, \"metadata\": {\"is_error\": %t, \"is_warning\": %t, \"file\": \"loadgen.go\", \"line_no\": 0, \"pid\": %d, \"tid\": %d}}\n",
			ev.key, v, ns/1e6, ns%1e6, ev.kind, ev.isErr, ev.isWarn, pid, pid)
	}
	return bw.Flush()
}

func detailValue(v any) (string, error) {
	switch x := v.(type) {
	case float64:
		return fmtDouble(x), nil
	case []int:
		var sb strings.Builder
		sb.WriteByte('[')
		for i, n := range x {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(strconv.Itoa(n))
		}
		sb.WriteByte(']')
		return sb.String(), nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}
