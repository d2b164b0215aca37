package builtin

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
	"github.com/gotrt/gotrt/models/builtin/internal/dataset"
	"github.com/gotrt/gotrt/runner/result"
)

// Score is the accuracy of a run's responses against the true labels.
type Score struct {
	// Good responses out of Total distinct samples.
	Good, Total int
	// Accuracy is top-1 against the target (99 % of FP32), as result.json
	// carries it.
	Accuracy result.Accuracy
}

// String is the line an accuracy run prints.
func (s Score) String() string {
	verdict := "FAIL"
	if s.Accuracy.Passed() {
		verdict = "PASS"
	}
	return fmt.Sprintf("accuracy=%.3f%%, good=%d, total=%d, target=%.3f%% (99%% of FP32): %s",
		100*s.Accuracy.Value, s.Good, s.Total, 100*s.Accuracy.Target, verdict)
}

// ScoreAccuracy scores the records of an mlperf_log_accuracy.json (see
// [mlperflog.ReadLog]) of the default model's QSL.
func ScoreAccuracy(records []mlperflog.Record) (Score, error) {
	m, err := Default()
	if err != nil {
		return Score{}, err
	}
	return m.ScoreAccuracy(records)
}

// ScoreAccuracy scores records against the true labels of m's held-out
// split, as MLPerf's ImageNet script with --dtype int32: each record's data
// is the predicted class as int32 little-endian; a sample logged twice counts
// once (the first record); top-1 passes when it reaches [Model.Target].
// Records with a bad index or data size are an error wrapping [ErrBadInput].
func (m *Model) ScoreAccuracy(records []mlperflog.Record) (Score, error) {
	if len(records) == 0 {
		return Score{}, errors.New("score accuracy: no records")
	}
	seen := make(map[int]bool, len(records))
	var s Score
	for i, r := range records {
		if r.QSLIdx < 0 || r.QSLIdx >= TestCount {
			return Score{}, fmt.Errorf("score accuracy: %w: record %d: qsl_idx %d out of range [0, %d)", ErrBadInput, i, r.QSLIdx, TestCount)
		}
		if len(r.Data) != OutputSize {
			return Score{}, fmt.Errorf("score accuracy: %w: record %d (qsl_idx %d): %d data bytes, want %d", ErrBadInput, i, r.QSLIdx, len(r.Data), OutputSize)
		}
		if seen[r.QSLIdx] {
			continue
		}
		seen[r.QSLIdx] = true
		s.Total++
		if int32(binary.LittleEndian.Uint32(r.Data)) == dataset.Label(m.seed, dataset.Test, r.QSLIdx) {
			s.Good++
		}
	}
	v := float64(s.Good) / float64(s.Total)
	pass := v >= m.Target()
	s.Accuracy = result.Accuracy{Metric: "top-1", Value: v, Target: m.Target(), Pass: &pass, Covered: s.Total, Total: m.testN}
	return s, nil
}
