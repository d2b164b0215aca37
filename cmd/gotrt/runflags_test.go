package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/result"
)

// Names are accepted in any case; the summary shows LoadGen's spelling.
func TestRunPrintsCanonicalNames(t *testing.T) {
	stdout, _, err := execCmd(t, newRunCmd(runner.Run), "run", "--sut", "null", "--out", t.TempDir(), "--progress", "off",
		"--scenario", "singlestream", "--mode", "PERFORMANCEONLY", "--duration", "100ms", "--min-queries", "10")
	okOrInvalid(t, err)
	assert.Contains(t, stdout, "Scenario : SingleStream\n")
	assert.Contains(t, stdout, "Mode     : PerformanceOnly\n")
}

func TestRunOverrideFlags(t *testing.T) {
	out := t.TempDir()
	// user.conf says 5 s; the flag wins and the detail log says so.
	_, _, err := execCmd(t, newRunCmd(runner.Run), "run", "--sut", "null", "--out", out, "--progress", "off",
		"--scenario", "Server", "--user-conf", userConf(t, "*.*.min_duration = 5000\n"),
		"--duration", "250ms", "--target-qps", "2000", "--target-latency", "15ms", "--min-queries", "20")
	okOrInvalid(t, err) // a busy machine may miss 15 ms; the settings are the point
	b, err := os.ReadFile(filepath.Join(out, loadgen.DetailFile))
	require.NoError(t, err)
	det := string(b)
	for _, want := range []string{
		`"command line: min_duration = 250 ms (was 5000 ms from the config files)"`,
		`"command line: target_qps = 2000 (was `,
		`"command line: target_latency = 15 ms (was `,
		`"command line: min_query_count = 20 (was `,
		`"key": "requested_server_target_qps", "value": 2000`,
		`"key": "requested_server_target_latency_ns", "value": 15000000`,
	} {
		assert.Contains(t, det, want)
	}

	for _, args := range [][]string{
		{"--samples-per-query", "4"},                        // Offline has none
		{"--target-latency", "5ms"},                         // nor a latency bound
		{"--duration", "-1s"},                               // negative
		{"--duration", "10"},                                // not a Go duration
		{"--format", "xml"},                                 // unknown format
		{"--scenario", "SingleStream", "--target-qps", "5"}, // SingleStream has no target QPS
	} {
		_, _, err := execCmd(t, newRunCmd(runner.Run), append([]string{"run", "--sut", "null", "--out", t.TempDir(), "--progress", "off"}, args...)...)
		assert.Equal(t, exitUsage, exitCode(err), "%v: %v", args, err)
	}
}

func TestRunFormats(t *testing.T) {
	base := []string{"run", "--sut", "null", "--scenario", "SingleStream", "--progress", "off", "--duration", "100ms", "--min-queries", "10"}
	out := t.TempDir()
	stdout, _, err := execCmd(t, newRunCmd(runner.Run), append(base, "--out", out, "--json")...)
	okOrInvalid(t, err)
	var r result.Result
	require.NoError(t, json.Unmarshal([]byte(stdout), &r), "stdout is result.json alone")
	b, err := os.ReadFile(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	assert.JSONEq(t, string(b), stdout)
	assert.NotEmpty(t, r.CommandLine)
	_, err = time.Parse(time.RFC3339, r.StartTime)
	assert.NoError(t, err, "start_time %q", r.StartTime)

	stdout, _, err = execCmd(t, newRunCmd(runner.Run), append(base, "--out", t.TempDir())...)
	okOrInvalid(t, err)
	assert.Contains(t, stdout, "Not an MLPerf submission")

	stdout, _, err = execCmd(t, newRunCmd(runner.Run), append(base, "--out", t.TempDir(), "--format", "csv")...)
	okOrInvalid(t, err)
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, []string{"Model", "Scenario", "Mode", "Metric", "Value", "Unit", "Result"}, rows[0][:7])
	assert.Equal(t, []string{"SingleStream", "PerformanceOnly", "p90 latency"}, rows[1][1:4])
	assert.Contains(t, []string{"VALID", "INVALID"}, rows[1][6])

	stdout, _, err = execCmd(t, newRunCmd(runner.Run), append(base, "--out", t.TempDir(), "--format", "md")...)
	okOrInvalid(t, err)
	assert.True(t, strings.HasPrefix(stdout, "| Model "), stdout)
}

// find-peak prints a line per trial on stderr, piped or not.
func TestRunPrintsFindPeakTrials(t *testing.T) {
	fake := func(_ context.Context, cfg runner.Config) (*loadgen.Report, error) {
		require.NotNil(t, cfg.OnTrial)
		cfg.OnTrial(loadgen.TrialEvent{N: 1, Trial: loadgen.PeakTrial{TargetQPS: 1000, Valid: true, TargetPctlNS: 4e6}, Lower: 1000})
		cfg.OnTrial(loadgen.TrialEvent{N: 2, Trial: loadgen.PeakTrial{TargetQPS: 2000, Reasons: []string{"99.00 percentile latency 20 ms > 15 ms"}, TargetPctlNS: 2e7}, Lower: 1000, Upper: 2000})
		return runner.Run(context.Background(), runner.Config{SUT: "null", Scenario: loadgen.SingleStream,
			Overrides: runner.Overrides{MinDuration: 50 * time.Millisecond, MinQueryCount: 10}})
	}
	_, stderr, err := execCmd(t, newRunCmd(fake), "run", "--mode", "find-peak", "--scenario", "server", "--out", t.TempDir())
	okOrInvalid(t, err)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	require.Len(t, lines, 2, stderr)
	assert.Equal(t, "gotrt: find-peak trial 1 at 1000 QPS: VALID (latency at the target percentile 4.00 ms); highest VALID 1000, lowest INVALID none yet QPS", lines[0])
	assert.Equal(t, "gotrt: find-peak trial 2 at 2000 QPS: INVALID: 99.00 percentile latency 20 ms > 15 ms (latency at the target percentile 20.00 ms); highest VALID 1000, lowest INVALID 2000 QPS", lines[1])

	quiet := func(ctx context.Context, cfg runner.Config) (*loadgen.Report, error) {
		assert.Nil(t, cfg.OnTrial, "--progress off")
		return fake(ctx, runner.Config{OnTrial: func(loadgen.TrialEvent) {}})
	}
	_, stderr, err = execCmd(t, newRunCmd(quiet), "run", "--mode", "find-peak", "--out", t.TempDir(), "--progress", "off")
	okOrInvalid(t, err)
	assert.Empty(t, stderr)
}

// okOrInvalid accepts a run that finished, VALID or not: on a busy shared
// machine a short null-SUT run may miss a latency bound.
func okOrInvalid(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		require.Equal(t, exitInvalid, exitCode(err), "%v", err)
	}
}
