package sched_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/sched"
)

// TestLoadgenServerCrossCheck runs one Server trial of the study through
// the real load generator (its schedule, statistics and validity rules) on
// the virtual clock, at 0.93 of the Offline rate on four simulated devices.
// It is a study (a few seconds), so it runs only with GOTRT_SCHED_LOADGEN=1.
func TestLoadgenServerCrossCheck(t *testing.T) {
	if os.Getenv("GOTRT_SCHED_LOADGEN") == "" {
		t.Skip("set GOTRT_SCHED_LOADGEN=1 to run the load generator cross-check")
	}
	c := clock.NewVirtual(0)
	defer c.Stop()
	off := offlineRate(t, c, t4s(c, 4), 4*offlineSamples)
	s, err := sched.New(t4s(c, 4), nil, serverConfig(), sched.WithClock(c))
	require.NoError(t, err)
	require.NoError(t, s.Start(context.Background()))
	defer s.Close()
	st := loadgen.DefaultSettings(loadgen.Server)
	st.Mode = loadgen.PerformanceOnly
	st.ServerTargetQPS = 0.93 * off
	st.ServerTargetLatency = serverBound
	st.MinQueryCount = serverSamples
	st.MinDuration = time.Second
	rep, err := loadgen.Run(context.Background(), s, loadgen.NewNullQSL(1024, 1024), st, loadgen.WithClock(c))
	require.NoError(t, err)
	r := rep.Result
	t.Logf("offline %.0f/s; server %.0f QPS: valid=%v reasons=%v p99=%v", off, st.ServerTargetQPS, r.Valid, r.Reasons, time.Duration(r.LatencyNS.P99))
	require.True(t, r.Valid, r.Reasons)
}
