package result_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gotrt/gotrt/runner/result"
)

func TestNoisyHost(t *testing.T) {
	h := result.HostTelemetry{CPUs: 4, ProcessCPUPct: &result.Stat{Mean: 48}, SystemCPUPct: &result.Stat{Mean: 97}}
	msg, noisy := h.Noisy()
	assert.True(t, noisy)
	assert.Equal(t, "noisy host: other processes used 49% of the machine's CPU time during the run (system 97%, gotrt 48% of 4 CPUs); the figures may be lower than this machine can do alone", msg)

	h.SystemCPUPct.Mean = 55 // 7 points of background: ordinary
	_, noisy = h.Noisy()
	assert.False(t, noisy)
	o, ok := h.OtherCPUPct()
	assert.True(t, ok)
	assert.InDelta(t, 7, o, 1e-9)

	_, noisy = result.HostTelemetry{CPUs: 4}.Noisy()
	assert.False(t, noisy, "not sampled: no verdict")
}
