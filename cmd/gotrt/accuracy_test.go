package main

import (
	"bytes"
	"encoding/json"
	"fmt"
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
