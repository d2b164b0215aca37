package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/result"
)

// Version is the load generator's version, logged as loadgen_version.
const Version = "gotrt-loadgen 0.1"

// Option changes how [Run] runs.
type Option func(*runOptions)

type runOptions struct {
	clk      clock.Clock
	model    string
	warnings []Warning
	noHost   bool
	notes    []string         // WithNotes
	onTrial  func(TrialEvent) // WithTrialFunc
	// budget (bytes, 0: DefaultMemoryBudget) and footprint: WithMemoryBudget.
	budget    int64
	footprint Footprint
}

// WithClock makes the run read all time and do all timed waiting through c
// (default: [clock.NewReal], whose waits are precise to microseconds).
func WithClock(c clock.Clock) Option { return func(o *runOptions) { o.clk = c } }

// WithModel names the benchmark in result.json and the logs.
func WithModel(name string) Option { return func(o *runOptions) { o.model = name } }

// WithConfigWarnings adds config warnings (from [LoadSettings]) to the
// detail log, as LoadGen logs its own config complaints there.
func WithConfigWarnings(w []Warning) Option {
	return func(o *runOptions) { o.warnings = append(o.warnings, w...) }
}

// WithoutHostDetection leaves result.Host empty (tests, embedded use).
func WithoutHostDetection() Option { return func(o *runOptions) { o.noHost = true } }

// Report is the outcome of a [Run]: result.json's content, plus what the
// log writers need. Rendering happens in [Report.WriteLogs], after the run.
type Report struct {
	// Result is result.json. Devices, Scheduler, Telemetry and Accuracy are
	// left for the components that know them.
	Result result.Result
	// Settings are the requested settings; Effective what the run used.
	Settings  TestSettings
	Effective EffectiveSettings
	SUTName   string
	QSLName   string
	// QSLTotalCount and QSLPerformanceCount are what the QSL reported.
	QSLTotalCount       int
	QSLPerformanceCount int
	// PeakQPS is FindPeakPerformance's answer: the highest target QPS at
	// which every trial was VALID, confirmed by one more full-length trial
	// at it, which is the run's reported result; 0 when no QPS was, none
	// held its confirmation, or the search was interrupted.
	PeakQPS float64
	// Trials lists FindPeakPerformance's trials in the order they ran, the
	// confirmation runs (Confirm set) last.
	Trials []PeakTrial
	// AccuracySamples counts the responses kept for mlperf_log_accuracy.json.
	AccuracySamples int
	// Start is the wall-clock time the run started.
	Start time.Time

	final   *trialStats
	events  []event
	acc     []accRecord
	endNS   int64
	pid     int
	warns   int
	errs    int
	modeTag Mode
}

// PeakTrial is one Server trial of FindPeakPerformance.
type PeakTrial struct {
	TargetQPS    float64  `json:"target_qps"`
	Valid        bool     `json:"valid"`
	TargetPctlNS int64    `json:"target_percentile_latency_ns"`
	Reasons      []string `json:"reasons,omitempty"`
	// Confirm marks a confirmation run: a full-length trial at the QPS the
	// search found, which must be VALID for that QPS to be the peak.
	Confirm bool `json:"confirm,omitempty"`
}

// runner is the state of one Run.
type runner struct {
	ctx    context.Context
	o      runOptions
	sut    SystemUnderTest
	qsl    QuerySampleLibrary
	rep    *Report
	abort  *abort
	total  int
	budget int64

	cur      atomic.Pointer[trial]
	finished atomic.Bool
	nextID   uint64

	// Buffers reused by every trial of the run.
	tab     sampleTable
	qt      chunkList
	samples []QuerySample
}

// Run measures sut under the settings, as LoadGen's StartTest: it loads
// performance sets from qsl, issues queries, waits for completions and
// judges the result. It returns an error only when the run cannot happen
// (bad settings, a QSL failure); a run that happens but fails its rules,
// is cancelled through ctx, or meets a SUT that stops completing samples
// returns a Report whose Result is INVALID with the reasons.
//
// Run calls IssueQuery from one goroutine, or, in a Server trial with
// several issuers (TestSettings.ServerNumIssueQueryThreads,
// ServerIssueQPSPerThread), from that many at once; no goroutine of its own
// outlives it. Cancelling ctx ends the run within a fraction of a second.
func Run(ctx context.Context, sut SystemUnderTest, qsl QuerySampleLibrary, s TestSettings, opts ...Option) (*Report, error) {
	if sut == nil || qsl == nil {
		return nil, errors.New("loadgen: nil sut or qsl")
	}
	o := runOptions{}
	for _, f := range opts {
		f(&o)
	}
	if o.clk == nil {
		o.clk = clock.NewReal()
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	total, perf := qsl.TotalSampleCount(), qsl.PerformanceSampleCount()
	if total <= 0 {
		return nil, fmt.Errorf("%w %s: total sample count %d", ErrQSL, qsl.Name(), total)
	}
	if perf < 0 || perf > total {
		return nil, fmt.Errorf("%w %s: performance sample count %d not in [0, %d]", ErrQSL, qsl.Name(), perf, total)
	}
	e, err := effectiveSettings(s, perf, total)
	if err != nil {
		return nil, err
	}
	// What the settings imply must fit the memory budget before anything
	// is loaded, generated or allocated.
	budget := o.budget
	if budget <= 0 {
		budget, _ = DefaultMemoryBudget()
	}
	if err := estimate(&e, total, o.footprint).Check(budget); err != nil {
		return nil, err
	}
	r := &runner{ctx: ctx, o: o, sut: sut, qsl: qsl, abort: newAbort(), total: total, budget: budget}
	rep := &Report{
		Settings: s, Effective: e, QSLName: qsl.Name(),
		QSLTotalCount: total, QSLPerformanceCount: perf, Start: time.Now(), modeTag: s.Mode,
	}
	r.rep = rep
	// On a virtual clock the run holds time still until it first waits, as
	// if the clock had woken it, so the SUT cannot run ahead of the first
	// query.
	clock.Hold(o.clk)
	t0 := o.clk.Now()
	rep.SUTName = sut.Name()
	r.logStart(&e, o.clk.Now()-t0)

	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	clock.Go(o.clk, func() {
		defer wg.Done()
		r.supervise(runCtx, e.stallTimeout)
	})
	defer func() {
		r.finished.Store(true)
		cancel()
		wg.Wait()
	}()

	switch s.Mode {
	case AccuracyOnly:
		err = r.runAccuracy(&e)
	case FindPeakPerformance:
		err = r.runFindPeak(&e)
	default:
		err = r.runPerformance(&e)
	}
	if err != nil {
		return nil, err
	}
	rep.endNS = int64(o.clk.Now())
	r.fillResult()
	return rep, nil
}

// supervise ends the run when ctx is cancelled or the SUT stalls: samples
// outstanding and none completed for the stall timeout.
func (r *runner) supervise(ctx context.Context, stall time.Duration) {
	interval := min(max(stall/8, 10*time.Millisecond), time.Second)
	var lastT *trial
	var lastC int64
	var since time.Duration
	for {
		if !r.o.clk.SleepUntil(r.o.clk.Now()+interval, ctx.Done()) {
			if err := r.ctx.Err(); err != nil && !r.finished.Load() {
				r.abort.interrupt(err)
			}
			return
		}
		now := r.o.clk.Now()
		t := r.cur.Load()
		if t == nil {
			lastT = nil
			continue
		}
		c := t.completedTotal()
		if t != lastT || c != lastC || t.issuedTotal() == c {
			lastT, lastC, since = t, c, now
			continue
		}
		if now-since >= stall {
			r.abort.fire(fmt.Sprintf("no sample completed for %v with %d samples outstanding (stall timeout)",
				stall, t.issuedTotal()-c))
			return
		}
	}
}

// runTrial issues one trial's queries, generated as issuing proceeds, and
// collects its statistics.
func (r *runner) runTrial(e *EffectiveSettings, set loadableSet, accuracy bool) (*trialStats, error) {
	need := estimate(e, r.total, r.o.footprint)
	if err := need.Check(r.budget); err != nil {
		// Only a find-peak trial above the checked starting QPS gets here:
		// it is INVALID without running, an upper bound for the search.
		return r.overBudget(e, err), nil
	}
	g, err := newGenerator(e, set, accuracy)
	if err != nil {
		return nil, err
	}
	g.maxQ = max(need.maxQueries(r.budget, g.spq), 1)
	r.tab.reset()
	r.qt.reset()
	t := &trial{
		e: e, sut: r.sut, clk: r.o.clk, abort: r.abort,
		accAll: accuracy, accLog: g.accRNG != nil, base: r.nextID, wake: clock.NewEvent(r.o.clk),
		gen: g, tab: &r.tab, qt: &r.qt, samples: r.samples,
	}
	if e.Scenario == Server {
		// Server's schedule is bounded (its duration or query count): make
		// it whole before the clock starts, as LoadGen does. Made lazily,
		// its generation and the first touch of its tables' fresh memory
		// (~20 bytes a query) fell on the issuing goroutine during the run;
		// a fresh process then could not hold a QPS that find-peak's
		// confirmation, reusing the tables of earlier trials, held (null
		// SUT: INVALID at p99 142 ms at 5.04M QPS).
		for !t.abort.fired() && t.generate(t.genQ) {
		}
	}
	if n := e.issuers(); e.Scenario == Server && n > 1 {
		// Set before the trial is published: the stall watch reads it.
		t.multi = newMultiIssue(n, t.genQ)
		r.logf("generic_message", fmt.Sprintf("Issuing from %d goroutines (server_num_issue_query_threads), queries k, k+%d, k+%d… each", n, n, 2*n))
	}
	r.cur.Store(t)
	t.start = r.o.clk.Now()
	switch e.Scenario {
	case Offline:
		t.issueOffline(accuracy)
	case Server:
		t.issueServer(accuracy)
	case SingleStream:
		t.issueSingleStream(accuracy)
	case MultiStream:
		t.issueMultiStream(accuracy)
	}
	if g.capped && t.queriesIn >= g.nq && !accuracy {
		t.capMsg = fmt.Sprintf("Ending early: the memory budget of %s holds %d queries of %d samples, all issued before min duration and min query count were met (raise the memory budget or lower the settings)",
			FormatBytes(float64(r.budget)), g.nq, g.spq)
		t.ranOut = false // not for want of generated queries
	}
	r.sut.FlushQueries()
	t.waitCompleted(t.issued.Load())
	t.end()
	r.cur.Store(nil)
	r.samples = t.samples
	r.nextID += uint64(g.nSamples)
	// LoadGen logs these before issuing; the generation is lazy here, so
	// they tell what was generated by the end of the trial.
	r.logf("generated_query_count", g.nq)
	r.logf("generated_samples_per_query", g.spq)
	r.logf("generated_query_duration", int64(g.duration()))
	if t.ranOut && !accuracy {
		r.logErr("error_runtime", "Ending early: Ran out of generated queries to issue before the minimum query count and test duration were reached. Please update the relevant expected latency or target qps in the TestSettings so they are more accurate.")
	}
	if t.lastEnd != "" {
		r.logErr("error_runtime", t.lastEnd)
	}
	for _, m := range t.lastEnds {
		r.logErr("error_runtime", m)
	}
	if t.capMsg != "" {
		r.logErr("error_runtime", t.capMsg)
	}
	if t.abort.fired() {
		r.logErr("error_runtime", t.abort.reason)
	}
	st := t.collect()
	st.loaded = set.set
	if st.missing > 0 {
		r.logErr("error_runtime", fmt.Sprintf("%d of %d issued samples never completed", st.missing, st.samplesIssued))
	}
	for _, b := range st.badFirst {
		r.logErr("error_runtime", b.Error())
	}
	if len(t.accRecs) > 0 {
		r.rep.acc = append(r.rep.acc, t.accRecs...)
	}
	return st, nil
}

// overBudget is the outcome of a trial whose settings would not fit the
// memory budget: INVALID, not run.
func (r *runner) overBudget(e *EffectiveSettings, err error) *trialStats {
	msg := "trial not run: " + err.Error()
	r.logErr("error_runtime", msg)
	st := &trialStats{e: e, reasons: []string{msg}}
	return st
}

func (r *runner) load(set loadableSet) error {
	r.logf("loaded_qsl_set", set.set)
	if err := r.qsl.LoadSamplesToRAM(set.set); err != nil {
		return fmt.Errorf("%w %s: load %d samples: %w", ErrQSL, r.qsl.Name(), len(set.set), err)
	}
	return nil
}

func (r *runner) unload(set loadableSet) error {
	if err := r.qsl.UnloadSamplesFromRAM(set.set); err != nil {
		return fmt.Errorf("%w %s: unload %d samples: %w", ErrQSL, r.qsl.Name(), len(set.set), err)
	}
	return nil
}

func (r *runner) runPerformance(e *EffectiveSettings) error {
	r.logf("generic_message", "Starting performance mode")
	set := loadableSets(e, r.total, e.PerformanceSampleCount)[0]
	if err := r.load(set); err != nil {
		return err
	}
	r.logInterval("power_begin", true)
	st, err := r.runTrial(e, set, false)
	r.logInterval("power_end", false)
	if err != nil {
		return err
	}
	r.rep.final = st
	return r.unload(set)
}

func (r *runner) runAccuracy(e *EffectiveSettings) error {
	r.logf("generic_message", "Starting accuracy mode")
	var agg *trialStats
	for _, set := range loadableSets(e, r.total, e.AccuracySampleCount) {
		if r.abort.fired() {
			break
		}
		if err := r.load(set); err != nil {
			return err
		}
		st, err := r.runTrial(e, set, true)
		if err != nil {
			return err
		}
		if err := r.unload(set); err != nil {
			return err
		}
		if agg == nil {
			agg = st
			continue
		}
		// The accuracy outcome spans every set: faults add up.
		agg.missing += st.missing
		agg.badCount += st.badCount
		agg.badFirst = append(agg.badFirst, st.badFirst...)
		agg.samplesIssued += st.samplesIssued
		agg.sampleCount += st.sampleCount
		agg.queriesIssued += st.queriesIssued
		if st.abortReason != "" {
			agg.abortReason = st.abortReason
		}
	}
	if agg != nil {
		agg.judge(nil, nil)
		if r.abort.fired() && agg.abortReason == "" {
			agg.abortReason = r.abort.reason
			agg.judge(nil, nil)
		}
	}
	r.rep.final = agg
	return nil
}

// Find-peak's rules, gotrt's and not LoadGen's (see the package doc): a
// starting QPS that is INVALID only for the latency bound or early stopping
// steps down (halved at most findPeakStepDowns times, or finer with a
// finer boundary step: see stepDown); the peak the search finds is
// confirmed by one more full-length trial at it, falling back to the next
// lower QPS found VALID at most findPeakConfirmations times.
const (
	findPeakStepDowns     = 3
	findPeakConfirmations = 3
)

// stepDown is how an INVALID starting QPS steps down: divided by 2 (at
// most findPeakStepDowns times) with LoadGen's boundary step of 1 or more,
// by 1 + step with a finer step (a start near the peak, such as one drawn
// from the Offline rate), as many times as reach half of the start.
func stepDown(step float64) (factor float64, times int) {
	if step >= 1 || step <= 0 {
		return 2, findPeakStepDowns
	}
	return 1 + step, max(findPeakStepDowns, int(math.Ceil(math.Log(2)/math.Log1p(step))))
}

// lowestFailed is the INVALID trial of the lowest QPS in (lo, u], allowing
// for rounding, or nil.
func lowestFailed(failedAt map[float64]*trialStats, lo, u float64) *trialStats {
	var best *trialStats
	for q, st := range failedAt {
		if q > lo && q <= u*(1+1e-9) && (best == nil || q < best.e.TargetQPS) {
			best = st
		}
	}
	return best
}

// noiseOnly reports whether an INVALID trial failed only what a lower QPS
// can cure: the latency bound or early stopping. A trial that was
// cancelled, lost or mis-completed samples, ended early or missed its min
// duration or query count is not.
func (st *trialStats) noiseOnly() bool {
	return !st.valid && (!st.perfMet || !st.earlyMet) && st.minDurationMet && st.minQueriesMet &&
		st.abortReason == "" && st.missing == 0 && st.badCount == 0
}

// runFindPeak searches for the highest Server target QPS that stays VALID,
// as LoadGen's FindPeakPerformanceMode: check the requested QPS, widen an
// upper bound by (1 + step) until a trial fails, then bisect until the
// bounds agree to the requested decimals. LoadGen only checks the latency
// bound of each trial; gotrt requires the whole trial to be VALID, and a QPS
// counts only if every trial at it was VALID (none is re-run). Unlike
// LoadGen, a starting QPS INVALID for the latency bound or early stopping
// steps down (stepDown), and the peak found is confirmed
// by a full-length run at it, which the report presents.
func (r *runner) runFindPeak(e *EffectiveSettings) error {
	r.logf("generic_message", "Starting FindPeakPerformance mode")
	set := loadableSets(e, r.total, e.PerformanceSampleCount)[0]
	failedAt := map[float64]*trialStats{} // a QPS with an INVALID trial
	var passed []*trialStats              // VALID trials, in order
	one := func(qps float64, confirm bool) (*trialStats, error) {
		te := *e
		te.TargetQPS = qps
		st, err := r.runTrial(&te, set, false)
		if err != nil {
			return nil, err
		}
		r.rep.Trials = append(r.rep.Trials, PeakTrial{TargetQPS: qps, Valid: st.valid, TargetPctlNS: st.samples.target, Reasons: st.reasons, Confirm: confirm})
		tag := ""
		if confirm {
			tag = " (confirmation)"
		}
		verdict := "VALID"
		if !st.valid {
			verdict = "INVALID: " + oneLine(strings.Join(st.reasons, "; "))
			if _, ok := failedAt[qps]; !ok {
				failedAt[qps] = st
			}
		} else {
			passed = append(passed, st)
		}
		r.logf("generic_message", fmt.Sprintf("FindPeakPerformance: trial %d%s at %f: %s", len(r.rep.Trials), tag, qps, verdict))
		r.trialEnded()
		return st, nil
	}
	// try runs a trial at qps, unless a trial at qps was INVALID already:
	// then qps is INVALID without another look (no re-run until it passes).
	try := func(qps float64) (*trialStats, error) {
		if st, ok := failedAt[qps]; ok {
			r.logf("generic_message", fmt.Sprintf("FindPeakPerformance: %f is INVALID: a trial at it was", qps))
			return st, nil
		}
		return one(qps, false)
	}
	if err := r.load(set); err != nil {
		return err
	}
	defer func() { _ = r.unload(set) }()
	r.logf("generic_message", fmt.Sprintf("FindPeakPerformance: Check validity of the base settings field: %f", e.TargetQPS))
	lo, err := try(e.TargetQPS)
	if err != nil {
		return err
	}
	var failed []string // starting QPS INVALID
	down, downs := stepDown(e.requested.ServerFindPeakQPSBoundaryStepSize)
	for step := 1; !lo.valid && lo.noiseOnly() && step <= downs && !r.abort.fired(); step++ {
		failed = append(failed, fmtDouble(lo.e.TargetQPS))
		q := lo.e.TargetQPS / down
		r.logErr("error_runtime", fmt.Sprintf("FindPeakPerformance: lower bound %f is INVALID, stepping down to %f (%d of at most %d; gotrt, LoadGen gives up), msg: %s",
			lo.e.TargetQPS, q, step, downs, oneLine(strings.Join(lo.reasons, "; "))))
		if lo, err = try(q); err != nil {
			return err
		}
	}
	if !lo.valid {
		r.logErr("error_runtime", "FindPeakPerformance: Initial lower bound does not satisfy performance constraints, msg: "+oneLine(fmt.Sprint(lo.reasons)))
		const none = "FindPeakPerformance found no VALID target QPS: "
		last := fmtDouble(lo.e.TargetQPS)
		tried := last
		if len(failed) > 0 {
			tried = strings.Join(failed, ", ") + " and " + last
		}
		var why string
		switch {
		case r.abort.fired():
			why = none + "the run ended during the search (" + tried + " QPS tried)"
		case lo.noiseOnly():
			why = none + fmt.Sprintf("%s QPS were each INVALID (%d step-downs, the most allowed); lower target_qps", tried, len(failed))
		case len(failed) > 0:
			why = none + fmt.Sprintf("%s QPS were each INVALID, and %s QPS INVALID for a reason a lower QPS cannot cure", strings.Join(failed, ", "), last)
		default:
			why = none + "the starting " + last + " QPS is INVALID for a reason a lower QPS cannot cure"
		}
		r.finishFindPeak(lo, why)
		return nil
	}
	var hi *trialStats
	for !r.abort.fired() {
		u := lo.e.TargetQPS * (1 + e.requested.ServerFindPeakQPSBoundaryStepSize)
		if f := lowestFailed(failedAt, lo.e.TargetQPS, u); f != nil {
			// A step-down came from there: its INVALID trial is the bound
			// (stepping back up by the same factor misses it by a rounding).
			r.logf("generic_message", fmt.Sprintf("FindPeakPerformance: %f is INVALID: a trial at it was", f.e.TargetQPS))
			hi = f
			break
		}
		r.logf("generic_message", fmt.Sprintf("FindBoundaries: Checking fields [%f, %f)", lo.e.TargetQPS, u))
		st, err := try(u)
		if err != nil {
			return err
		}
		if !st.valid {
			hi = st
			break
		}
		lo = st
	}
	if hi != nil {
		r.logf("generic_message", fmt.Sprintf("FindPeakPerformance: Found boundaries: [%f, %f)", lo.e.TargetQPS, hi.e.TargetQPS))
		scale := math.Pow(10, float64(e.requested.ServerFindPeakQPSDecimalsOfPrecision))
		rel := e.requested.ServerFindPeakRelativePrecision
		for !r.abort.fired() && math.Floor(lo.e.TargetQPS*scale)+1 < math.Floor(hi.e.TargetQPS*scale) &&
			(rel <= 0 || hi.e.TargetQPS-lo.e.TargetQPS > rel*lo.e.TargetQPS) {
			m := lo.e.TargetQPS + (hi.e.TargetQPS-lo.e.TargetQPS)/2
			r.logf("generic_message", fmt.Sprintf("FindPeakPerformanceBinarySearch: Testing the mid value of bounds [%f, %f): %f", lo.e.TargetQPS, hi.e.TargetQPS, m))
			st, err := try(m)
			if err != nil {
				return err
			}
			if st.valid {
				lo = st
			} else {
				hi = st
			}
		}
	}
	r.logf("generic_message", fmt.Sprintf("FindPeakPerformance: Found peak performance field: %f", lo.e.TargetQPS))
	// A peak that a plain run cannot hold is not a peak: confirm it with
	// one more full-length trial at it, and report that trial. If it fails,
	// that QPS no longer counts; the next candidate is the highest QPS
	// below it at which every trial was VALID, or, where none was tried,
	// a step down from it that a search trial finds VALID.
	var unconfirmed []string
	for c := 0; c < findPeakConfirmations && !r.abort.fired(); c++ {
		q := lo.e.TargetQPS
		r.logf("generic_message", fmt.Sprintf("FindPeakPerformance: Confirming %f with a full-length run (gotrt; LoadGen reports the search's bound)", q))
		st, err := one(q, true)
		if err != nil {
			return err
		}
		if st.valid {
			if !r.abort.fired() {
				r.rep.PeakQPS = q
			}
			r.finishFindPeak(st, "")
			return nil
		}
		unconfirmed = append(unconfirmed, fmtDouble(q))
		lo = st
		var next *trialStats
		for _, p := range passed {
			if _, bad := failedAt[p.e.TargetQPS]; !bad && p.e.TargetQPS < q && (next == nil || p.e.TargetQPS > next.e.TargetQPS) {
				next = p
			}
		}
		if next == nil {
			// Nothing below the peak was tried (the search started, or
			// stepped down to, its peak): step down as from an INVALID
			// start, and confirm that.
			if !st.noiseOnly() || r.abort.fired() || c+1 == findPeakConfirmations {
				break
			}
			d := q / down
			r.logErr("error_runtime", fmt.Sprintf("FindPeakPerformance: %f was INVALID on its confirmation run and no lower QPS was tried, stepping down to %f (gotrt), msg: %s",
				q, d, oneLine(strings.Join(st.reasons, "; "))))
			if next, err = try(d); err != nil {
				return err
			}
			if !next.valid {
				break
			}
			lo = next
			continue
		}
		r.logErr("error_runtime", fmt.Sprintf("FindPeakPerformance: %f was INVALID on its confirmation run, falling back to %f, msg: %s",
			q, next.e.TargetQPS, oneLine(strings.Join(st.reasons, "; "))))
		lo = next
	}
	why := ""
	if len(unconfirmed) > 0 && !r.abort.fired() {
		why = "FindPeakPerformance found no confirmed peak: " + strings.Join(unconfirmed, ", ") +
			" QPS were VALID in the search but INVALID on their confirmation runs"
	}
	r.finishFindPeak(lo, why)
	return nil
}

// finishFindPeak makes st the run's final trial; why, when set, leads its
// reasons (the search found no VALID QPS).
func (r *runner) finishFindPeak(st *trialStats, why string) {
	if r.abort.fired() && st.abortReason == "" {
		// A cancelled search has no trustworthy peak.
		st.abortReason = r.abort.reason
		st.judge(nil, nil)
	}
	if why != "" {
		// No peak was confirmed: the run has no result, whatever the last
		// search trial said (it reported VALID with a peak of 0).
		st.reasons = append([]string{why}, st.reasons...)
		st.valid = false
	}
	r.rep.final = st
	r.rep.Effective = *st.e
}

// fillResult turns the final statistics into result.json's fields.
func (r *runner) fillResult() {
	rep := r.rep
	st := rep.final
	res := &rep.Result
	res.SchemaVersion = result.SchemaVersion
	res.Model = r.o.model
	res.Scenario = string(rep.Settings.Scenario)
	res.Mode = string(rep.Settings.Mode)
	res.Settings = rep.Effective
	res.StartTime = rep.Start.UTC().Format(time.RFC3339)
	res.Devices = []result.Device{}
	if !r.o.noHost {
		res.Host = result.DetectHost()
	}
	res.Reasons = []string{}
	res.Interrupted = r.abort.fired() && r.abort.interrupted
	if st == nil {
		res.Reasons = append(res.Reasons, "no trial ran")
		if r.abort.fired() {
			res.Reasons = append(res.Reasons, r.abort.reason)
		}
		return
	}
	res.Valid = st.valid
	res.Reasons = append(res.Reasons, st.reasons...)
	sec := func(ns int64) float64 { return float64(ns) / 1e9 }
	rate := func(n int, ns int64) float64 {
		if ns <= 0 || n <= 0 {
			return 0
		}
		return float64(n) / sec(ns)
	}
	lat := st.samples
	switch rep.Settings.Scenario {
	case Offline:
		res.Throughput = result.Throughput{Value: rate(st.sampleCount, st.maxLatency), Unit: "samples/s"}
	case Server:
		res.Throughput = result.Throughput{Value: rate(st.sampleCount-1, st.finalDone), Unit: "samples/s"}
	case SingleStream:
		res.Throughput = result.Throughput{Value: rate(st.sampleCount-1, st.finalIssued), Unit: "queries/s"}
	case MultiStream:
		res.Throughput = result.Throughput{Value: rate(st.queriesIssued-1, st.finalIssued), Unit: "queries/s"}
		lat = st.queries
	}
	res.LatencyNS = result.Latency{
		Min: lat.min, Mean: lat.mean, Max: lat.max,
		P50: lat.pcts[0], P90: lat.pcts[1], P95: lat.pcts[2], P97: lat.pcts[3], P99: lat.pcts[4], P999: lat.pcts[5],
	}
	x := map[string]any{
		"sut_name":                     rep.SUTName,
		"qsl_name":                     rep.QSLName,
		"query_count":                  st.queriesIssued,
		"sample_count":                 st.sampleCount,
		"missing_samples":              st.missing,
		"target_latency_percentile":    st.e.TargetLatencyPercentile,
		"target_percentile_latency_ns": lat.target,
	}
	switch rep.Settings.Scenario {
	case Server:
		x["scheduled_samples_per_second"] = rate(st.sampleCount-1, st.finalSched)
		x["overlatency_query_count"] = st.overLatency
		x["early_stopping_met"] = st.earlyMet
	case SingleStream:
		x["early_stopping_latency_ns"] = st.earlySS
		x["early_stopping_99_latency_ns"] = st.earlyMS
		x["early_stopping_met"] = st.earlyMet
	case MultiStream:
		x["early_stopping_latency_ns"] = st.earlyMS
		x["early_stopping_met"] = st.earlyMet
	}
	if rep.Settings.Mode == FindPeakPerformance {
		x["peak_qps"] = rep.PeakQPS
		x["find_peak_trials"] = rep.Trials
	}
	if rep.Settings.Mode == AccuracyOnly {
		x["accuracy_log_samples"] = len(rep.acc)
	}
	res.Extra = x
	slices.SortFunc(rep.acc, func(a, b accRecord) int {
		switch {
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
	rep.AccuracySamples = len(rep.acc)
}
