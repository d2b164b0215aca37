// Package loadgen is gotrt's load generator: MLPerf LoadGen's scenarios, test
// modes, settings, schedules, statistics, validity rules and log files, in Go.
//
// A system under test implements [SystemUnderTest]; a data set implements
// [QuerySampleLibrary]. [Run] loads performance sets from the library,
// issues queries under the scenario of the [TestSettings] (SingleStream,
// MultiStream, Server with Poisson arrivals, Offline), waits for the
// completions the SUT reports through its [Completer], and returns a
// [Report] whose Result is result.json; [Report.WriteLogs] writes it with
// mlperf_log_summary.txt, mlperf_log_detail.txt and mlperf_log_accuracy.json.
// [LoadSettings] reads mlperf.conf and user.conf text with LoadGen's keys and
// precedence; [MLPerfConf] is the embedded mlperf.conf.
//
// Ownership: the samples slice passed to IssueQuery is the load generator's
// and only valid during the call; response bytes are the SUT's and only read
// during Complete. IDs are unique within a Run.
//
// Errors: Run returns an error only when no run can happen (bad settings,
// wrapping [ErrBadSettings]; a QSL failure, wrapping [ErrQSL]). Everything
// that goes wrong during a run (a cancelled context, a SUT that stops
// completing, one that completes unknown or completed IDs, a failed SUT)
// makes the result INVALID with the reason. Complete returns errors wrapping
// [ErrUnknownSample], [ErrDuplicateCompletion] or [ErrRunEnded]. Config
// errors wrap [ErrConfig] and name file and line.
//
// Time: all time is read, and all timed waiting done, through a
// clock.Clock ([WithClock]); the wall clock is the default.
//
// Queries are generated lazily, a batch at a time as issuing proceeds, from
// the same seeded streams and in the same order as LoadGen's pre-generated
// set; SingleStream and MultiStream in performance mode never run out, so a
// fast SUT runs until min duration and min query count are met. Server keeps
// LoadGen's generated schedule and, as LoadGen, makes it whole before the
// trial's clock starts, so a fresh process holds what a trial late in a
// find-peak search held; Offline is one query.
//
// FindPeakPerformance (Server) follows LoadGen's FindPeakPerformanceMode
// (check target_qps, widen the upper bound by 1 + step until a trial fails,
// then bisect) with these deliberate differences:
//   - every trial must be VALID, not only meet the latency bound; and a
//     target QPS counts only if every trial at it was VALID: no trial is
//     re-run until it passes, and a QPS that was INVALID once is never
//     tried again (the search takes it as an upper bound);
//   - the peak the search finds is confirmed by one more full-length trial
//     at it (Confirm set in [Report.Trials]), and that trial is the run's
//     result: its summary, statistics and result.json. If the confirmation
//     is INVALID, that QPS no longer counts and the highest lower QPS at
//     which every trial was VALID is confirmed instead (where the search
//     tried none lower, a step down that a search trial finds VALID), at
//     most three times; with none confirmed, PeakQPS is 0 and the result
//     INVALID.
//     LoadGen reports the search's lower bound; a peak that a plain run
//     cannot hold is not a peak;
//   - when the starting QPS is INVALID for the latency bound or early
//     stopping alone, it is halved, at most three times (down to
//     target_qps/8), and the search widens again from the first VALID one;
//     LoadGen gives up at once. With none VALID, PeakQPS is 0 and the
//     result is INVALID, its first reason naming the QPS tried, followed by
//     the last trial's reasons (its statistics are the run's);
//   - an interrupted search (a cancelled context) has no peak: PeakQPS is
//     0 and the result INVALID for "interrupted" alone, with no advice on
//     the target QPS.
//
// The cost: one more trial of min duration (or min query count) at the
// peak, and one per failed confirmation.
//
// Memory: a run holds, per sample, its completion time, QSL index and
// accuracy-log bit (12.5 bytes, in chunks), plus 8 bytes a query for the
// Server schedule or a stream's issue times, and Offline's one query (16
// bytes a sample); the latencies are sorted where the completion times
// were, so the statistics need no second copy. Before it loads or
// allocates anything, [Run] estimates this from the settings ([EstimateMemory],
// with what the SUT and QSL declare they hold per sample) and refuses
// settings past its memory budget ([WithMemoryBudget]; by default half
// the machine's or cgroup's memory) with an error wrapping
// [ErrMemoryBudget] that names the settings and the figure; generation
// never outgrows the budget, so a stream a fast SUT would run for ever
// ends INVALID at it.
//
// Speed: the hot path allocates nothing per sample. Per-sample state lives in
// fixed-size chunks indexed by ID, added as queries are generated and reused
// by the next trial; Complete takes one clock reading per call and one CAS
// per response, and the issuing goroutine only parks (one wake-up of a clock
// event) when it must wait for a completion. Statistics (from an exact sort) and logs are
// computed after the run.
package loadgen
