package loadgen

import "math"

// TrialEvent tells a [WithTrialFunc] callback about one find-peak trial
// that just ended.
type TrialEvent struct {
	// N counts the trials so far, this one included (re-runs count).
	N int
	// Trial is the trial as Report.Trials records it.
	Trial PeakTrial
	// Lower is the highest target QPS found VALID so far (0: none yet);
	// Upper the lowest INVALID one above it (0: none yet, the search is
	// still widening its bounds).
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
	for _, t := range ts {
		if t.Valid {
			ev.Lower = math.Max(ev.Lower, t.TargetQPS)
		}
	}
	for _, t := range ts {
		if !t.Valid && t.TargetQPS > ev.Lower && (ev.Upper == 0 || t.TargetQPS < ev.Upper) && !validRetry(ts, t.TargetQPS) {
			ev.Upper = t.TargetQPS
		}
	}
	r.o.onTrial(ev)
}

// validRetry says whether some trial at qps was VALID (a re-run that
// overturned an INVALID first try).
func validRetry(ts []PeakTrial, qps float64) bool {
	for _, t := range ts {
		if t.Valid && t.TargetQPS == qps {
			return true
		}
	}
	return false
}
