package accuracy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Score is a scorer's verdict in the one shape every scorer reports, so the
// command can print and compare them alike.
type Score struct {
	// Model is the benchmark id, e.g. "resnet50".
	Model string `json:"model"`
	// Metric names the value, e.g. "top-1 accuracy (%)".
	Metric string `json:"metric"`
	// Value is the score; Target the score to reach.
	Value  float64 `json:"value"`
	Target float64 `json:"target"`
	// Pass is Value >= Target. It is false, and meaningless, when the log
	// covers part of the data set and the request did not allow it
	// (Request.Partial); Judged says whether a verdict was given.
	Pass bool `json:"pass"`
	// Judged is false when the score covers part of the data set without
	// Request.Partial: it is then a measurement with no PASS or FAIL.
	Judged bool `json:"judged"`
	// Covered of Total samples of the data set have a record in the log;
	// both are zero where the scorer cannot tell (predictions files).
	Covered int `json:"covered,omitempty"`
	Total   int `json:"total,omitempty"`
	// Details holds the scorer's other figures (counts, per-region DICE).
	Details map[string]float64 `json:"details,omitempty"`
}

// NewScore judges value against target.
func NewScore(model, metric string, value, target float64, details map[string]float64) Score {
	return Score{Model: model, Metric: metric, Value: value, Target: target, Pass: value >= target, Judged: true, Details: details}
}

// Complete reports whether the log covers the whole data set (or the
// coverage is not known).
func (s Score) Complete() bool { return s.Total == 0 || s.Covered >= s.Total }

// Verdict is "PASS", "FAIL", or "PARTIAL" for an unjudged score.
func (s Score) Verdict() string {
	switch {
	case !s.Judged:
		return "PARTIAL"
	case s.Pass:
		return "PASS"
	}
	return "FAIL"
}

// String renders the score on one line, details sorted by name.
func (s Score) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s = %.5g (target %.5g): %s", s.Model, s.Metric, s.Value, s.Target, s.Verdict())
	if !s.Complete() {
		fmt.Fprintf(&b, " (covers %d of %d samples)", s.Covered, s.Total)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Details)) {
		fmt.Fprintf(&b, ", %s=%.6g", k, s.Details[k])
	}
	return b.String()
}
