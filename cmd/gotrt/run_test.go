package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/result"
	"github.com/gotrt/gotrt/runner/result/schemacheck"
)

// userConf writes a user.conf into a temp folder.
func userConf(t *testing.T, text string) string {
	p := filepath.Join(t.TempDir(), "user.conf")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

func readResult(t *testing.T, dir string) result.Result {
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	require.NoError(t, err)
	require.NoError(t, schemacheck.Validate(b), "every result.json written matches result.schema.json")
	var r result.Result
	require.NoError(t, json.Unmarshal(b, &r))
	return r
}

// bigQuery sizes the one Offline query (1.1 × 5 ms × 5M = 27500 samples)
// for an expected QPS far above what the built-in model or loopback reach:
// the query always outlasts the minimum duration, so a slow or busy machine
// only makes the run longer, never INVALID, and the probe's reading (which
// a busy spell can halve) plays no part. About a third of a second on 2
// cores.
const bigQuery = "*.Offline.target_qps = 5000000\n*.*.min_duration = 5\n"

func TestRunBuiltinWritesLogsAndSummary(t *testing.T) {
	out := t.TempDir()
	stdout, _, err := execCmd(t, newRunCmd(runner.Run), "run", "--out", out, "--progress", "off",
		"--no-probe", "--user-conf", userConf(t, bigQuery))
	require.NoError(t, err)
	assert.Contains(t, stdout, "Result is : VALID")
	assert.Contains(t, stdout, "cpu0")
	for _, f := range []string{"mlperf_log_summary.txt", "mlperf_log_detail.txt", "mlperf_log_accuracy.json", "result.json"} {
		assert.FileExists(t, filepath.Join(out, f))
	}
	r := readResult(t, out)
	assert.True(t, r.Valid)
	assert.Equal(t, runner.BuiltinModel, r.Model)
	assert.NotNil(t, r.Scheduler)
}

func TestRunAccuracyModeThenAccuracyCommand(t *testing.T) {
	out := t.TempDir()
	stdout, _, err := execCmd(t, newRunCmd(runner.Run), "run", "--mode", "accuracy", "--out", out, "--progress", "off")
	require.NoError(t, err)
	assert.Contains(t, stdout, "PASS")
	r := readResult(t, out)
	require.NotNil(t, r.Accuracy)
	assert.True(t, r.Accuracy.Passed())

	// The log scores the same through `gotrt accuracy`.
	var buf bytes.Buffer
	logPath := filepath.Join(out, "mlperf_log_accuracy.json")
	require.NoError(t, runAccuracy(&buf, accuracyFlags{model: runner.BuiltinModel, log: logPath, asJSON: true}))
	var s struct{ Value float64 }
	require.NoError(t, json.Unmarshal(buf.Bytes(), &s))
	assert.InDelta(t, r.Accuracy.Value, s.Value, 1e-12)

	// A log whose answers are all class 0 fails.
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`[{"seq_id":0,"qsl_idx":0,"data":"00000000"},{"seq_id":1,"qsl_idx":1,"data":"00000000"}]`), 0o644))
	err = runAccuracy(&bytes.Buffer{}, accuracyFlags{model: runner.BuiltinModel, log: bad})
	assert.Equal(t, exitInvalid, exitCode(err), "%v", err)
	err = runAccuracy(&bytes.Buffer{}, accuracyFlags{model: runner.BuiltinModel, log: bad, truth: "x"})
	assert.Equal(t, exitUsage, exitCode(err))
}

func TestRunInvalidExitsThree(t *testing.T) {
	out := t.TempDir()
	// The null SUT at 1 sample/s expected: one tiny query cannot fill the
	// minimum duration.
	_, _, err := execCmd(t, newRunCmd(runner.Run), "run", "--sut", "null", "--no-probe", "--out", out, "--progress", "off",
		"--user-conf", userConf(t, "*.Offline.min_duration = 200\n*.Offline.target_qps = 1\n"))
	require.Error(t, err)
	assert.Equal(t, exitInvalid, exitCode(err))
	assert.False(t, readResult(t, out).Valid)
}

func TestRunUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		description string
		args        []string
	}{
		{"unknown scenario", []string{"--scenario", "Streaming"}},
		{"unknown mode", []string{"--mode", "fast"}},
		{"unknown model", []string{"--model", "resnet51"}},
		{"device list on the cpu", []string{"--devices", "0,1"}},
		{"missing user.conf", []string{"--user-conf", "/nonexistent/user.conf"}},
		{"bad user.conf line", []string{"--user-conf", "BADCONF"}},
		{"negative streams", []string{"--streams", "-1"}},
		{"positional argument", []string{"extra"}},
		{"unknown flag", []string{"--fast"}},
	} {
		t.Run(tc.description, func(t *testing.T) {
			args := append([]string{"run", "--out", t.TempDir(), "--progress", "off"}, tc.args...)
			for i, a := range args {
				if a == "BADCONF" {
					args[i] = userConf(t, "*.Offline.min_duration=5\n")
				}
			}
			_, _, err := execCmd(t, newRunCmd(runner.Run), args...)
			require.Error(t, err)
			assert.Equal(t, exitUsage, exitCode(err), "%v", err)
		})
	}
}
