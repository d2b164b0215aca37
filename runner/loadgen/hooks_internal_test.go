package loadgen

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTrialEndedReportsTheBounds(t *testing.T) {
	var got []TrialEvent
	r := &runner{rep: &Report{}, o: runOptions{onTrial: func(e TrialEvent) { got = append(got, e) }}}
	for _, tr := range []PeakTrial{
		{TargetQPS: 200, Valid: false},                // noisy start: no bounds but an upper one
		{TargetQPS: 100, Valid: true},                 // stepped down
		{TargetQPS: 400, Valid: true},                 // widening past the INVALID 200
		{TargetQPS: 800, Valid: false},                // the upper bound
		{TargetQPS: 600, Valid: true},                 // bisection raises the lower one
		{TargetQPS: 600, Valid: false, Confirm: true}, // its confirmation fails: 600 no longer counts
		{TargetQPS: 400, Valid: true, Confirm: true},  // the fallback holds
	} {
		r.rep.Trials = append(r.rep.Trials, tr)
		r.trialEnded()
	}
	// A QPS counts only if every trial at it was VALID: 200 stays an upper
	// bound below the VALID 400 (no re-run overturns it), and 600 drops out
	// once its confirmation fails.
	want := [][2]float64{{0, 200}, {100, 200}, {400, 0}, {400, 800}, {600, 800}, {400, 600}, {400, 600}}
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

func TestSummaryListsWarningsAndSaysNotASubmission(t *testing.T) {
	r := &Report{}
	r.AddWarning("noisy host: other processes used 50% of the machine's CPU time")
	var b strings.Builder
	require.NoError(t, r.WriteSummary(&b))
	assert.Contains(t, b.String(), "1 warning encountered. See detailed log.\n * noisy host: other processes used 50%")
	assert.True(t, strings.HasSuffix(b.String(), NotSubmission+"\n"), b.String())
}
