package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/accuracy"
)

// imagenetFixture writes a 4-image val_map and a log with `good` of the
// four right (int32 labels).
func imagenetFixture(t *testing.T, good int) (logPath, valMap string) {
	dir := t.TempDir()
	valMap = filepath.Join(dir, "val_map.txt")
	require.NoError(t, os.WriteFile(valMap, []byte("a.JPEG 10\nb.JPEG 11\nc.JPEG 12\nd.JPEG 13\n"), 0o644))
	var parts []string
	for i := range 4 {
		label := 10 + i
		if i >= good {
			label = 0
		}
		parts = append(parts, fmt.Sprintf(`{"seq_id": %d, "qsl_idx": %d, "data": "%02x000000"}`, i, i, label))
	}
	logPath = filepath.Join(dir, "mlperf_log_accuracy.json")
	require.NoError(t, os.WriteFile(logPath, []byte("["+strings.Join(parts, ",\n")+"]"), 0o644))
	return logPath, valMap
}

func TestAccuracyPassFail(t *testing.T) {
	logPath, valMap := imagenetFixture(t, 4)
	var out bytes.Buffer
	err := runAccuracy(&out, accuracyFlags{model: "resnet50", log: logPath, truth: valMap, dtype: "int32", asJSON: true})
	require.NoError(t, err)
	var s accuracy.Score
	require.NoError(t, json.Unmarshal(out.Bytes(), &s))
	assert.Equal(t, 100.0, s.Value)
	assert.True(t, s.Pass)
	assert.Equal(t, 4.0, s.Details["good"])

	logPath, valMap = imagenetFixture(t, 3)
	out.Reset()
	err = runAccuracy(&out, accuracyFlags{model: "resnet50", log: logPath, truth: valMap, dtype: "int32"})
	assert.Equal(t, exitInvalid, exitCode(err), "75 %% is below 75.6954 %%")
	assert.Contains(t, out.String(), "FAIL")
}

func TestAccuracyUsageErrors(t *testing.T) {
	for _, f := range []accuracyFlags{
		{truth: "x"},
		{model: "resnet50"},
		{model: "nope", truth: "x", log: "y"},
		{model: "resnet50", truth: "x"},
		{model: "resnet50", truth: "x", predictions: "p.json"},
	} {
		assert.Equal(t, exitUsage, exitCode(runAccuracy(&bytes.Buffer{}, f)), "%+v", f)
	}
	err := runAccuracy(&bytes.Buffer{}, accuracyFlags{model: "resnet50", truth: "/nonexistent/val_map.txt", log: "/nonexistent/log.json"})
	assert.Equal(t, exitFailure, exitCode(err))
}

// squadFixture writes a SQuAD dev set of n identical questions ("Who sat?",
// answered "The cat") on a one-sentence paragraph, its vocabulary, and a log
// answering the first `records` features right (one feature per question).
func squadFixture(t *testing.T, n, records int) (logPath, dev, vocab string) {
	dir := t.TempDir()
	var qas []string
	for i := range n {
		qas = append(qas, fmt.Sprintf(`{"id": "q%d", "question": "Who sat?", "answers": [{"text": "The cat", "answer_start": 0}]}`, i))
	}
	dev = filepath.Join(dir, "dev-v1.1.json")
	require.NoError(t, os.WriteFile(dev, []byte(`{"version": "1.1", "data": [{"title": "t", "paragraphs": [{
		"context": "The cat sat on the mat.", "qas": [`+strings.Join(qas, ",")+`]}]}]}`), 0o644))
	vocab = filepath.Join(dir, "vocab.txt")
	require.NoError(t, os.WriteFile(vocab, []byte("[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\ncat\nsat\non\nmat\n.\nwho\n?\n"), 0o644))
	// [CLS] who sat ? [SEP] the cat sat on the mat . [SEP]: "The cat" is
	// WordPieces 5-6.
	var data []byte
	for i := range 384 {
		start, end := float32(-10), float32(-10)
		if i == 5 {
			start = 10
		}
		if i == 6 {
			end = 10
		}
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(start))
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(end))
	}
	var parts []string
	for i := range records {
		parts = append(parts, fmt.Sprintf(`{"seq_id": %d, "qsl_idx": %d, "data": "%x"}`, i, i, data))
	}
	logPath = filepath.Join(dir, "mlperf_log_accuracy.json")
	require.NoError(t, os.WriteFile(logPath, []byte("["+strings.Join(parts, ",\n")+"]"), 0o644))
	return logPath, dev, vocab
}

func TestAccuracySquadMissingFeatures(t *testing.T) {
	logPath, dev, vocab := squadFixture(t, 20, 20)
	var out bytes.Buffer
	err := runAccuracy(&out, accuracyFlags{model: "bert-99", log: logPath, truth: dev, vocab: vocab})
	require.NoError(t, err)
	assert.Contains(t, out.String(), "bert-99: F1 score")
	assert.Contains(t, out.String(), "= 100 ")

	// 19 of 20 features: FAIL without --partial, whatever the score.
	logPath, dev, vocab = squadFixture(t, 20, 19)
	out.Reset()
	err = runAccuracy(&out, accuracyFlags{model: "bert-99", log: logPath, truth: dev, vocab: vocab, asJSON: true})
	require.Error(t, err)
	assert.Equal(t, exitInvalid, exitCode(err))
	assert.Equal(t, "accuracy: "+logPath+" covers 19 of the 20 samples of the data set (F1 score 95 on those): "+
		"accuracy log covers part of the data set (pass --partial to judge it anyway): FAIL: result is INVALID", err.Error())
	assert.Empty(t, out.String())

	// --partial scores it: 19 of 20 answered, F1 95 ≥ 89.965.
	out.Reset()
	err = runAccuracy(&out, accuracyFlags{model: "bert-99", log: logPath, truth: dev, vocab: vocab, asJSON: true, partial: true})
	require.NoError(t, err)
	var s accuracy.Score
	require.NoError(t, json.Unmarshal(out.Bytes(), &s), "stdout is the JSON alone: %q", out.String())
	assert.InDelta(t, 95.0, s.Value, 1e-9)
	assert.True(t, s.Pass)
	assert.Equal(t, 1.0, s.Details["missing_features"])
	assert.Equal(t, 0.0, s.Details["unanswered"], `the script answers "empty" for a question without records`)
}

func TestAccuracyImagenetPartial(t *testing.T) {
	logPath, valMap := imagenetFixture(t, 4)
	// Keep the first three entries only.
	b, err := os.ReadFile(logPath)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(string(b), "["), "]"), ",\n")
	require.NoError(t, os.WriteFile(logPath, []byte("["+strings.Join(lines[:3], ",\n")+"]"), 0o644))

	err = runAccuracy(&bytes.Buffer{}, accuracyFlags{model: "resnet50", log: logPath, truth: valMap, dtype: "int32"})
	assert.Equal(t, exitInvalid, exitCode(err))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "covers 3 of the 4 samples")
	assert.Contains(t, err.Error(), "--partial")

	var out bytes.Buffer
	err = runAccuracy(&out, accuracyFlags{model: "resnet50", log: logPath, truth: valMap, dtype: "int32", partial: true})
	require.NoError(t, err)
	assert.Contains(t, out.String(), "= 100 ")
}

// Every error is one line (main prints "gotrt: " and it) with its exit code.
func TestAccuracyErrorLines(t *testing.T) {
	logPath, valMap := imagenetFixture(t, 4)
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`[{"seq_id":0,"qsl_idx":0,"data":"0a000000"},{"seq_id":1,"qsl_idx":1,"data":"0g"}]`), 0o644))
	sqLog, dev, vocab := squadFixture(t, 2, 2)
	tests := []struct {
		description string
		flags       accuracyFlags
		code        int
		wantIn      string
	}{
		{"no model", accuracyFlags{truth: "x", log: "y"}, exitUsage, "--model is required: one of resnet50,"},
		{"unknown model", accuracyFlags{model: "nope", truth: "x", log: "y"}, exitUsage, `"nope"`},
		{"unknown model, no truth", accuracyFlags{model: "foo", log: "L"}, exitUsage, `--model "foo": unknown model; known: resnet50,`},
		{"no truth", accuracyFlags{model: "resnet50", log: logPath}, exitUsage, "--truth is required for resnet50"},
		{"label offset overflow (scored 0)", accuracyFlags{model: "resnet50", truth: valMap, log: logPath, labelOffset: math.MaxInt64}, exitUsage, "label-offset 9223372036854775807: want -16777216 to 16777216"},
		{"truth is /dev/zero (token too long)", accuracyFlags{model: "resnet50", truth: "/dev/zero", log: logPath}, exitUsage, "/dev/zero: not a regular file: it is a character device"},
		{"log is a folder", accuracyFlags{model: "resnet50", truth: valMap, log: t.TempDir()}, exitUsage, "not a regular file: it is a folder; an accuracy log must be a regular file"},
		{"no log", accuracyFlags{model: "resnet50", truth: valMap}, exitUsage, "--log is required"},
		{"predictions for resnet50", accuracyFlags{model: "resnet50", truth: valMap, log: logPath, predictions: "p.json"}, exitUsage, "predictions does not apply to resnet50"},
		{"inv map for bert", accuracyFlags{model: "bert-99", truth: dev, log: sqLog, vocab: vocab, useInvMap: true}, exitUsage, "use-inv-map does not apply to bert-99"},
		{"vocab for resnet50", accuracyFlags{model: "resnet50", truth: valMap, log: logPath, vocab: vocab}, exitUsage, "vocab does not apply"},
		{"label offset for ssd", accuracyFlags{model: "ssd-resnet34", truth: "x", log: logPath, labelOffset: 1}, exitUsage, "label-offset does not apply"},
		{"dtype for ssd", accuracyFlags{model: "ssd-resnet34", truth: "x", log: logPath, dtype: "float32"}, exitUsage, "dtype does not apply"},
		{"bad dtype", accuracyFlags{model: "resnet50", truth: valMap, log: logPath, dtype: "float16"}, exitUsage, `dtype "float16" for resnet50: want one of float32, int32, int64`},
		{"log and predictions", accuracyFlags{model: "bert-99", truth: dev, log: sqLog, predictions: "p.json"}, exitUsage, "not both"},
		{"bert without vocab", accuracyFlags{model: "bert-99", truth: dev, log: sqLog}, exitUsage, "vocabulary file"},
		{"missing log file", accuracyFlags{model: "resnet50", truth: valMap, log: "/nonexistent/log.json"}, exitFailure, "/nonexistent/log.json"},
		{"missing truth", accuracyFlags{model: "bert-99", truth: "/nonexistent/dev.json", log: sqLog, vocab: vocab}, exitFailure, "/nonexistent/dev.json"},
		{"malformed hex", accuracyFlags{model: "resnet50", truth: valMap, log: bad, dtype: "int32"}, exitFailure, bad + ": entry 1: malformed accuracy log: qsl_idx 1: bad hex data"},
		{"malformed hex, bert", accuracyFlags{model: "bert-99", truth: dev, log: bad, vocab: vocab}, exitFailure, bad + ": entry 1: malformed accuracy log: qsl_idx 1: bad hex data"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			var out bytes.Buffer
			err := runAccuracy(&out, tc.flags)
			require.Error(t, err)
			assert.Equal(t, tc.code, exitCode(err), "%v", err)
			assert.Contains(t, err.Error(), tc.wantIn)
			assert.NotContains(t, err.Error(), "\n", "one line")
			assert.Empty(t, out.String(), "nothing on stdout")
		})
	}
}

// With --json, stdout holds the JSON alone, FAIL included; the verdict goes
// to the error (stderr).
func TestAccuracyJSONFail(t *testing.T) {
	logPath, valMap := imagenetFixture(t, 3)
	var out bytes.Buffer
	err := runAccuracy(&out, accuracyFlags{model: "resnet50", log: logPath, truth: valMap, dtype: "int32", asJSON: true})
	assert.Equal(t, exitInvalid, exitCode(err))
	require.Error(t, err)
	assert.Equal(t, "accuracy: resnet50 top-1 accuracy (%) 75 is below the target 75.695: FAIL: result is INVALID", err.Error())
	var s accuracy.Score
	require.NoError(t, json.Unmarshal(out.Bytes(), &s), "stdout is the JSON alone: %q", out.String())
	assert.False(t, s.Pass)
	assert.Equal(t, 75.0, s.Value)
}

// A log of the built-in model that covers 100 of its 5000 samples is not
// judged without --partial: exit 3, naming the coverage (it said PASS).
func TestAccuracyBuiltinPartialLog(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	for i := range 100 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"seq_id":%d,"qsl_idx":%d,"data":"00000000"}`, i, i)
	}
	b.WriteString("]")
	p := filepath.Join(t.TempDir(), "mlperf_log_accuracy.json")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o644))

	var out bytes.Buffer
	err := runAccuracy(&out, accuracyFlags{model: "gotrt-builtin", log: p})
	require.Error(t, err)
	assert.Equal(t, exitInvalid, exitCode(err))
	assert.Contains(t, err.Error(), "covers 100 of the 5000 samples")
	assert.Empty(t, out.String())

	out.Reset()
	err = runAccuracy(&out, accuracyFlags{model: "gotrt-builtin", log: p, partial: true})
	assert.Contains(t, out.String(), "(covers 100 of 5000 samples)", "judged on what it covers, and says so")
	if err != nil {
		assert.Equal(t, exitInvalid, exitCode(err))
	}
}
