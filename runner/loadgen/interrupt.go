package loadgen

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gotrt/gotrt/runner/clock"
)

// ReasonInterrupted starts the reason of every run that was stopped early
// by its caller (Ctrl-C, SIGTERM, a cancelled context): such a run is
// INVALID for that reason alone, and result.json marks it interrupted.
const ReasonInterrupted = "interrupted"

// interrupt ends the run because its context ended; cause is the
// context's error or a SUT's error wrapping it.
func (a *abort) interrupt(cause error) {
	reason := ReasonInterrupted
	if cause != nil && !errors.Is(cause, context.Canceled) {
		reason += ": " + cause.Error()
	}
	a.interruptWith(reason)
}

// interruptWith is interrupt with the whole reason given.
func (a *abort) interruptWith(reason string) {
	a.once.Do(func() {
		a.reason, a.interrupted = reason, true
		a.flag.Store(true)
		close(a.ch)
	})
}

// isInterrupt says whether a SUT's failure is its context ending rather
// than a fault of its own: the scheduler stops on the run's context.
func isInterrupt(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// interruptedReason says whether an abort reason is an interruption's.
func interruptedReason(reason string) bool {
	return reason == ReasonInterrupted || strings.HasPrefix(reason, ReasonInterrupted+" ") || strings.HasPrefix(reason, ReasonInterrupted+":")
}

// Interrupted returns the report of a run that was interrupted before its
// timed part began, while stage ran ("start-up", "warm-up", "the Offline
// probe"): INVALID for the reason "interrupted during <stage>", marked
// interrupted in result.json, with the settings and the stage in the
// detail log, so that its logs can be written as those of any run. It
// issues nothing. qsl names the sample library and gives its counts; nil
// when it was not built yet (the counts are then the settings').
func Interrupted(stage, sutName string, qsl QuerySampleLibrary, s TestSettings, opts ...Option) (*Report, error) {
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
	qslName, total, perf := "none", 0, 0
	if qsl != nil {
		qslName, total, perf = qsl.Name(), qsl.TotalSampleCount(), qsl.PerformanceSampleCount()
	}
	if total <= 0 || perf <= 0 || perf > total {
		perf = max(s.PerformanceSampleCount, 1)
		total = perf
	}
	e, err := effectiveSettings(s, perf, total)
	if err != nil {
		return nil, err
	}
	r := &runner{o: o, abort: newAbort(), total: total}
	rep := &Report{
		Settings: s, Effective: e, SUTName: sutName, QSLName: qslName,
		QSLTotalCount: total, QSLPerformanceCount: perf, Start: time.Now(), modeTag: s.Mode,
	}
	r.rep = rep
	r.logStart(&e, 0)
	why := ReasonInterrupted + " during " + stage + ", before the timed run"
	r.abort.interruptWith(why)
	r.logErr("error_runtime", why)
	st := &trialStats{e: &rep.Effective, accuracy: s.Mode == AccuracyOnly, abortReason: why}
	st.judge(nil, nil)
	rep.final = st
	rep.endNS = int64(o.clk.Now())
	r.fillResult()
	return rep, nil
}

// Interrupted reports whether the run was interrupted (see
// [ReasonInterrupted]).
func (r *Report) Interrupted() bool { return r.Result.Interrupted }

// Invalidate marks a finished run INVALID for reason, in result.json and
// in the summary and detail logs: for what the load generator could not
// see, such as a device lost during the run. It is a no-op for an empty
// reason.
func (r *Report) Invalidate(reason string) {
	if reason == "" {
		return
	}
	r.Result.Valid = false
	r.Result.Reasons = append(r.Result.Reasons, reason)
	if st := r.final; st != nil {
		st.valid = false
		st.reasons = append(st.reasons, reason)
	}
	r.events = append(r.events, event{key: "error_runtime", value: reason, ns: r.endNS, kind: "POINT_IN_TIME", isErr: true})
	r.errs++
}

// AddWarning adds a warning to the detail log and the summary's warning
// count, after the run.
func (r *Report) AddWarning(msg string) {
	r.events = append(r.events, event{key: "warning_generic_message", value: msg, ns: r.endNS, kind: "POINT_IN_TIME", isWarn: true})
	r.warns++
}
