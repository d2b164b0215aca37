package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
)

func TestOverridesApplyAfterBothConfFiles(t *testing.T) {
	uc := &loadgen.ConfigFile{Name: "user.conf", Data: []byte(
		"*.Server.target_qps = 50\n*.Server.target_latency = 20\n*.*.min_duration = 2000\n*.*.min_query_count = 7\n")}
	cfg := runner.Config{Scenario: loadgen.Server, UserConf: uc}
	cfg.MinDuration = 1500 * time.Millisecond
	cfg.TargetQPS = 123.5
	cfg.TargetLatency = 12500 * time.Microsecond
	cfg.MinQueryCount = 9
	ts, _, err := runner.Settings(cfg)
	require.NoError(t, err)
	assert.Equal(t, 1500*time.Millisecond, ts.MinDuration)
	assert.Equal(t, 123.5, ts.ServerTargetQPS)
	assert.Equal(t, 12500*time.Microsecond, ts.ServerTargetLatency, "no whole-ms rounding as in the file")
	assert.Equal(t, uint64(9), ts.MinQueryCount)
}

func TestOverridesMapPerScenario(t *testing.T) {
	for _, tc := range []struct {
		sc   loadgen.Scenario
		o    runner.Overrides
		get  func(loadgen.TestSettings) any
		want any
	}{
		{loadgen.Offline, runner.Overrides{TargetQPS: 9000}, func(s loadgen.TestSettings) any { return s.OfflineExpectedQPS }, 9000.0},
		{loadgen.SingleStream, runner.Overrides{TargetLatency: 3 * time.Millisecond}, func(s loadgen.TestSettings) any { return s.SingleStreamExpectedLatency }, 3 * time.Millisecond},
		{loadgen.MultiStream, runner.Overrides{TargetLatency: 40 * time.Millisecond}, func(s loadgen.TestSettings) any { return s.MultiStreamExpectedLatency }, 40 * time.Millisecond},
		{loadgen.MultiStream, runner.Overrides{SamplesPerQuery: 4}, func(s loadgen.TestSettings) any { return s.MultiStreamSamplesPerQuery }, uint64(4)},
		{loadgen.Server, runner.Overrides{IssueThreads: 3}, func(s loadgen.TestSettings) any { return s.ServerNumIssueQueryThreads }, uint64(3)},
	} {
		ts := loadgen.DefaultSettings(tc.sc)
		notes, err := tc.o.Apply(&ts)
		require.NoError(t, err, tc.sc)
		assert.Equal(t, tc.want, tc.get(ts), tc.sc)
		require.Len(t, notes, 1)
		assert.Contains(t, notes[0], "command line: ")
	}
	for _, tc := range []struct {
		sc loadgen.Scenario
		o  runner.Overrides
	}{
		{loadgen.SingleStream, runner.Overrides{TargetQPS: 10}},
		{loadgen.Offline, runner.Overrides{TargetLatency: time.Millisecond}},
		{loadgen.Server, runner.Overrides{SamplesPerQuery: 8}},
		{loadgen.Offline, runner.Overrides{IssueThreads: 2}},
		{loadgen.Server, runner.Overrides{IssueThreads: loadgen.MaxIssueThreads + 1}},
		{loadgen.Offline, runner.Overrides{MinDuration: -time.Second}},
	} {
		ts := loadgen.DefaultSettings(tc.sc)
		_, err := tc.o.Apply(&ts)
		assert.ErrorIs(t, err, runner.ErrConfig, "%s %+v", tc.sc, tc.o)
	}
	var none runner.Overrides
	ts := loadgen.DefaultSettings(loadgen.Offline)
	notes, err := none.Apply(&ts)
	require.NoError(t, err)
	assert.Empty(t, notes)
	assert.Equal(t, loadgen.DefaultSettings(loadgen.Offline), ts)
}

// Server runs get one issuing goroutine per IssueQPSPerThread of each
// trial's target unless a count is given; the result's settings say which.
func TestServerIssuersAreSizedFromTheTarget(t *testing.T) {
	ts, _, err := runner.Settings(runner.Config{Scenario: loadgen.Server})
	require.NoError(t, err)
	assert.Equal(t, runner.IssueQPSPerThread, ts.ServerIssueQPSPerThread)
	assert.Zero(t, ts.ServerNumIssueQueryThreads)
	ts, _, err = runner.Settings(runner.Config{Scenario: loadgen.Offline})
	require.NoError(t, err)
	assert.Zero(t, ts.ServerIssueQPSPerThread, "Offline has one query")

	cfg := runner.Config{SUT: "null", Scenario: loadgen.Server}
	cfg.MinDuration, cfg.TargetQPS, cfg.IssueThreads = 100*time.Millisecond, 1000, 2
	rep, err := runner.Run(context.Background(), cfg)
	require.NoError(t, err)
	// Not asserted VALID: a busy machine's stalls may break the bound.
	assert.Equal(t, uint64(2), rep.Settings.ServerNumIssueQueryThreads)
	dir := t.TempDir()
	require.NoError(t, rep.WriteLogs(dir))
	b, err := os.ReadFile(filepath.Join(dir, loadgen.DetailFile))
	require.NoError(t, err)
	assert.Contains(t, string(b), `command line: server_num_issue_query_threads = 2 (was 0`)
	assert.Contains(t, string(b), `Issuing from 2 goroutines`)
}

// An embedding program sets a short run without user.conf text, and the
// detail log says where the setting came from.
func TestRunRecordsOverridesInTheDetailLog(t *testing.T) {
	cfg := runner.Config{SUT: "null"}
	cfg.MinDuration = 200 * time.Millisecond
	cfg.MinQueryCount = 10
	rep, err := runner.Run(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 200*time.Millisecond, rep.Settings.MinDuration)
	dir := t.TempDir()
	require.NoError(t, rep.WriteLogs(dir))
	b, err := os.ReadFile(filepath.Join(dir, loadgen.DetailFile))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"value": "command line: min_duration = 200 ms (was `)
	assert.Contains(t, string(b), `"value": "command line: min_query_count = 10 (was `)
	assert.Contains(t, string(b), `"key": "requested_min_duration_ms", "value": 200`)
}
