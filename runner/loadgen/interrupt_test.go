package loadgen_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/result"
)

// A run interrupted before its timed part (start-up, warm-up, the probe)
// still has a report: INVALID, interrupted, with logs like any run's.
func TestInterruptedBeforeTheRunHasLogs(t *testing.T) {
	for _, sc := range []loadgen.Scenario{loadgen.Offline, loadgen.Server} {
		t.Run(string(sc), func(t *testing.T) {
			s := loadgen.DefaultSettings(sc)
			rep, err := loadgen.Interrupted("warm-up", "gotrt-sched(2 devices)", loadgen.NewNullQSL(100, 64), s,
				loadgen.WithoutHostDetection(), loadgen.WithModel("m"))
			require.NoError(t, err)
			assert.True(t, rep.Interrupted())
			assert.False(t, rep.Result.Valid)
			assert.Equal(t, []string{"interrupted during warm-up, before the timed run"}, rep.Result.Reasons)
			assert.Equal(t, "m", rep.Result.Model)
			dir := t.TempDir()
			require.NoError(t, rep.WriteLogs(dir))
			sum, err := os.ReadFile(filepath.Join(dir, loadgen.SummaryFile))
			require.NoError(t, err)
			assert.Contains(t, string(sum), "Result is : INVALID")
			assert.Contains(t, string(sum), "interrupted during warm-up")
			assert.NotContains(t, string(sum), "Increase")
			detail, err := os.ReadFile(filepath.Join(dir, loadgen.DetailFile))
			require.NoError(t, err)
			assert.Contains(t, string(detail), `"sut_name", "value": "gotrt-sched(2 devices)"`)
			b, err := os.ReadFile(filepath.Join(dir, loadgen.ResultFile))
			require.NoError(t, err)
			var r result.Result
			require.NoError(t, json.Unmarshal(b, &r))
			assert.True(t, r.Interrupted)
			assert.False(t, r.Valid)
		})
	}
	// Without a sample library yet.
	rep, err := loadgen.Interrupted("start-up", "s", nil, loadgen.DefaultSettings(loadgen.Offline), loadgen.WithoutHostDetection())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(rep.Result.Reasons[0], loadgen.ReasonInterrupted))
}

func TestInvalidateAndAddWarningReachTheSummary(t *testing.T) {
	rep := nullReport(t)
	require.True(t, rep.Result.Valid)
	rep.AddWarning("device cpu1 lost")
	rep.Invalidate("device cpu1 lost at 1 s")
	assert.False(t, rep.Result.Valid)
	assert.Contains(t, rep.Result.Reasons, "device cpu1 lost at 1 s")
	var sum strings.Builder
	require.NoError(t, rep.WriteSummary(&sum))
	assert.Contains(t, sum.String(), "Result is : INVALID")
	assert.Contains(t, sum.String(), " * device cpu1 lost at 1 s")
	assert.Contains(t, sum.String(), "1 warning encountered")
	assert.Contains(t, sum.String(), "1 ERROR encountered")
}
