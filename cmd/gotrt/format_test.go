package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
)

func TestParseFormat(t *testing.T) {
	all := []string{formatText, formatJSON, formatMD, formatCSV}
	for _, tc := range []struct {
		in     string
		asJSON bool
		want   string
	}{
		{"text", false, "text"}, {"", false, "text"}, {"TXT", false, "text"}, {"Markdown", false, "md"},
		{"csv", false, "csv"}, {"JSON", false, "json"}, {"text", true, "json"}, {"json", true, "json"},
	} {
		got, err := parseFormat(tc.in, tc.asJSON, all...)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, "%q --json=%v", tc.in, tc.asJSON)
	}
	for _, tc := range []struct {
		in     string
		asJSON bool
	}{{"xml", false}, {"csv", true}} {
		_, err := parseFormat(tc.in, tc.asJSON, all...)
		assert.Equal(t, exitUsage, exitCode(err), "%q --json=%v", tc.in, tc.asJSON)
	}
	_, err := parseFormat("md", false, formatText, formatJSON)
	assert.Equal(t, exitUsage, exitCode(err), "md does not apply")
}

func TestDevicesFormatJSON(t *testing.T) {
	out, _, err := runDevices(t, mockDGX(), "--format", "json")
	require.NoError(t, err)
	var devs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &devs), "stdout holds the JSON alone")
	assert.NotEmpty(t, devs)
	_, _, err = runDevices(t, mockDGX(), "--format", "csv")
	assert.Equal(t, exitUsage, exitCode(err))
}

func TestScaleFormatJSON(t *testing.T) {
	f := &fakeRunner{}
	out, stderr, err := execCmd(t, newScaleCmd(f.run, fourDevices), "scale", "--counts", "1,2", "--out", t.TempDir(), "--json")
	require.NoError(t, err)
	var doc struct {
		Points []struct {
			Devices int
			SpeedUp float64 `json:"speedup"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), "stdout is one JSON document: %s", out)
	require.Len(t, doc.Points, 2)
	assert.Contains(t, stderr, "gotrt: [1/2] 1 device(s): ")
	assert.Contains(t, stderr, "about ", "a time-left estimate after the first count")
	assert.Contains(t, stderr, "gotrt: [2/2] 2 device(s): ")
}

func TestAccuracyFormat(t *testing.T) {
	out := t.TempDir()
	_, _, err := execCmd(t, newRunCmd(runner.Run), "run", "--mode", "accuracy", "--out", out, "--progress", "off")
	require.NoError(t, err)
	log := filepath.Join(out, "mlperf_log_accuracy.json")
	var buf bytes.Buffer
	require.NoError(t, runAccuracy(&buf, accuracyFlags{model: runner.BuiltinModel, log: log, format: "json"}))
	var s struct{ Value float64 }
	require.NoError(t, json.Unmarshal(buf.Bytes(), &s), buf.String())
	assert.Positive(t, s.Value)
	err = runAccuracy(&bytes.Buffer{}, accuracyFlags{model: runner.BuiltinModel, log: log, format: "csv"})
	assert.Equal(t, exitUsage, exitCode(err))
}
