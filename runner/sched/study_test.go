package sched_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestServerStudy prints Server trials over a grid of adaptive knobs; it
// runs only when GOTRT_SCHED_STUDY is set (e.g. "4:0.93,0.95"), being a
// study, not a test.
func TestServerStudy(t *testing.T) {
	spec := os.Getenv("GOTRT_SCHED_STUDY")
	if spec == "" {
		t.Skip("set GOTRT_SCHED_STUDY=devices:load,load to run the study")
	}
	devPart, loadPart, _ := strings.Cut(spec, ":")
	ndev, _ := strconv.Atoi(devPart)
	targets := []float64{0.8, 0.9}
	if v := os.Getenv("GOTRT_SCHED_TARGETS"); v != "" {
		targets = parseList(v)
	}
	if v := os.Getenv("GOTRT_SCHED_SEED"); v != "" {
		trialSeed, _ = strconv.ParseUint(v, 10, 64)
		defer func() { trialSeed = serverSeed }()
	}
	peak := 6062.1 * float64(ndev) * 0.999
	for _, load := range parseList(loadPart) {
		for _, tg := range targets {
			{
				cfg := serverConfig()
				cfg.LatencyTarget = tg
				if v := os.Getenv("GOTRT_SCHED_GREEDY"); v != "" {
					// A greedy batcher for comparison: take what waits, up to a cap.
					cfg.LatencyBound = 0
					cfg.MaxBatch, _ = strconv.Atoi(v)
					cfg.BatchTimeout = time.Nanosecond
				}
				r := serverRun(t, ndev, load*peak, cfg)
				t.Logf("devices=%d load=%.3f target=%.2f p99=%v valid=%v", ndev, load, tg, r.p99, r.valid)
				t.Logf("  p50=%v p90=%v p999=%v max=%v", percentile(r.lat, 0.5), percentile(r.lat, 0.9), percentile(r.lat, 0.999), r.lat[len(r.lat)-1])
				t.Logf("  late by id window: %v", r.lateByWindow)
				for _, d := range r.stats.Devices {
					t.Logf("  %s batches=%d mean=%.1f util=%.3f wait=%v", d.ID, d.Batches, d.MeanBatch, d.Utilisation, time.Duration(d.LatencyNS.QueueWait))
				}
			}
		}
	}
}

func parseList(s string) []float64 {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, _ := strconv.ParseFloat(f, 64)
		out = append(out, v)
	}
	return out
}
