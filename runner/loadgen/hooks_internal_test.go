package loadgen

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTrialEndedReportsTheBounds(t *testing.T) {
	var got []TrialEvent
	r := &runner{rep: &Report{}, o: runOptions{onTrial: func(e TrialEvent) { got = append(got, e) }}}
	for _, tr := range []PeakTrial{
		{TargetQPS: 200, Valid: false},             // noisy start: no bounds but an upper one
		{TargetQPS: 200, Valid: true, Retry: true}, // the re-run overturns it
		{TargetQPS: 400, Valid: true},              // widening
		{TargetQPS: 800, Valid: false},             // the upper bound
		{TargetQPS: 600, Valid: false},             // bisection lowers it
		{TargetQPS: 500, Valid: true},              // and raises the lower one
	} {
		r.rep.Trials = append(r.rep.Trials, tr)
		r.trialEnded()
	}
	want := [][2]float64{{0, 200}, {200, 0}, {400, 0}, {400, 800}, {400, 600}, {500, 600}}
	for i, e := range got {
		assert.Equal(t, i+1, e.N)
		assert.Equal(t, want[i], [2]float64{e.Lower, e.Upper}, "after trial %d", i+1)
	}
	assert.Len(t, got, len(want))

	r.o.onTrial = nil
	r.trialEnded() // no callback, no panic
}

func TestNotesGoToTheDetailLog(t *testing.T) {
	var o runOptions
	WithNotes("a", "b")(&o)
	WithNotes("c")(&o)
	assert.Equal(t, []string{"a", "b", "c"}, o.notes)
}
