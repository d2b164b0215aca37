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
	// Pass is Value >= Target.
	Pass bool `json:"pass"`
	// Details holds the scorer's other figures (counts, per-region DICE).
	Details map[string]float64 `json:"details,omitempty"`
}

// NewScore judges value against target.
func NewScore(model, metric string, value, target float64, details map[string]float64) Score {
	return Score{Model: model, Metric: metric, Value: value, Target: target, Pass: value >= target, Details: details}
}

// Verdict is "PASS" or "FAIL".
func (s Score) Verdict() string {
	if s.Pass {
		return "PASS"
	}
	return "FAIL"
}

// String renders the score on one line, details sorted by name.
func (s Score) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s = %.5g (target %.5g): %s", s.Model, s.Metric, s.Value, s.Target, s.Verdict())
	for _, k := range slices.Sorted(maps.Keys(s.Details)) {
		fmt.Fprintf(&b, ", %s=%.6g", k, s.Details[k])
	}
	return b.String()
}
