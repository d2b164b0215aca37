package runner

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/result"
)

func TestNoteHostWarnsOfABusyHost(t *testing.T) {
	rep := &loadgen.Report{Start: time.Date(2026, 12, 4, 17, 0, 0, 5, time.FixedZone("x", 3600))}
	rep.Result.Telemetry = &result.Telemetry{Host: result.HostTelemetry{CPUs: 2,
		ProcessCPUPct: &result.Stat{Mean: 45}, SystemCPUPct: &result.Stat{Mean: 98}}}
	noteHost(rep)
	assert.Equal(t, "2026-12-04T16:00:00Z", rep.Result.StartTime)
	require.Len(t, rep.Result.Warnings, 1)
	assert.Contains(t, rep.Result.Warnings[0], "noisy host: other processes used 53%")
	var sum bytes.Buffer
	require.NoError(t, rep.WriteSummary(&sum))
	assert.Contains(t, sum.String(), "1 warning encountered")

	quiet := &loadgen.Report{}
	quiet.Result.Telemetry = &result.Telemetry{Host: result.HostTelemetry{CPUs: 2,
		ProcessCPUPct: &result.Stat{Mean: 95}, SystemCPUPct: &result.Stat{Mean: 99}}}
	noteHost(quiet)
	assert.Empty(t, quiet.Result.Warnings)
	noteHost(nil)
}
