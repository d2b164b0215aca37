package loadgen

import "math"

// TrialEvent tells a [WithTrialFunc] callback about one find-peak trial
// that just ended.
type TrialEvent struct {
	// N counts the trials so far, this one included (confirmation runs
	// count).
	N int
	// Trial is the trial as Report.Trials records it.
	Trial PeakTrial
	// Lower is the highest target QPS at which every trial so far was
	// VALID (0: none yet); Upper the lowest one above it with an INVALID
	// trial (0: none yet, the search is still widening its bounds).
	Lower, Upper float64
}

// WithTrialFunc calls f as each FindPeakPerformance trial ends, from the
// goroutine that called [Run], before the next trial starts: a command
// line prints one line per trial with it. f must not block for long.
func WithTrialFunc(f func(TrialEvent)) Option { return func(o *runOptions) { o.onTrial = f } }

// WithNotes adds generic messages to the start of the detail log, e.g. the
// settings a command line gave and what they replaced.
func WithNotes(notes ...string) Option {
	return func(o *runOptions) { o.notes = append(o.notes, notes...) }
}

// trialEnded reports the last trial of r.rep.Trials to the callback, with
// the bounds the trials so far imply.
func (r *runner) trialEnded() {
	if r.o.onTrial == nil || len(r.rep.Trials) == 0 {
		return
	}
	ts := r.rep.Trials
	ev := TrialEvent{N: len(ts), Trial: ts[len(ts)-1]}
	// A QPS counts as VALID only if every trial at it was.
	bad := map[float64]bool{}
	for _, t := range ts {
		if !t.Valid {
			bad[t.TargetQPS] = true
		}
	}
	for _, t := range ts {
		if !bad[t.TargetQPS] {
			ev.Lower = math.Max(ev.Lower, t.TargetQPS)
		}
	}
	for _, t := range ts {
		if bad[t.TargetQPS] && t.TargetQPS > ev.Lower && (ev.Upper == 0 || t.TargetQPS < ev.Upper) {
			ev.Upper = t.TargetQPS
		}
	}
	r.o.onTrial(ev)
}

// NotSubmission ends mlperf_log_summary.txt: the logs follow LoadGen's
// formats so that tools read them, but they are not an MLPerf submission.
const NotSubmission = "Not an MLPerf submission: gotrt's load generator follows LoadGen's rules and log formats but draws its own random streams, and has no SubmissionRun mode and no audit tests."
