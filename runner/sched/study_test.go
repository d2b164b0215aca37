package sched_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkServerStudy runs Server trials (simulated T4-like devices, virtual
// clock) over a grid of loads and adaptive latency targets, and reports each
// trial's 99th percentile latency and validity. It is a study of minutes, so
// it runs only when GOTRT_SCHED_STUDY names the grid, devices:load,load as a
// fraction of the devices' peak rate:
//
//	GOTRT_SCHED_STUDY=4:0.93,0.95 go test -run - -bench ServerStudy -benchtime 1x ./runner/sched/
//
// GOTRT_SCHED_TARGETS (default 0.8,0.9) lists the latency targets,
// GOTRT_SCHED_SEED the schedule seed, and GOTRT_SCHED_GREEDY=n compares a
// greedy batcher (take what waits, up to n) instead.
func BenchmarkServerStudy(b *testing.B) {
	spec := os.Getenv("GOTRT_SCHED_STUDY")
	if spec == "" {
		b.Skip("set GOTRT_SCHED_STUDY=devices:load,load to run the study")
	}
	devPart, loadPart, _ := strings.Cut(spec, ":")
	ndev, err := strconv.Atoi(devPart)
	if err != nil || ndev <= 0 {
		b.Fatalf("GOTRT_SCHED_STUDY %q: want devices:load,load", spec)
	}
	loads := parseList(b, loadPart)
	targets := []float64{0.8, 0.9}
	if v := os.Getenv("GOTRT_SCHED_TARGETS"); v != "" {
		targets = parseList(b, v)
	}
	seed := uint64(serverSeed)
	if v := os.Getenv("GOTRT_SCHED_SEED"); v != "" {
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			b.Fatalf("GOTRT_SCHED_SEED: %v", err)
		}
	}
	greedy := 0
	if v := os.Getenv("GOTRT_SCHED_GREEDY"); v != "" {
		if greedy, err = strconv.Atoi(v); err != nil || greedy <= 0 {
			b.Fatalf("GOTRT_SCHED_GREEDY %q: want a batch size", v)
		}
	}
	peak := 6062.1 * float64(ndev) * 0.999
	for _, load := range loads {
		for _, tg := range targets {
			b.Run(fmt.Sprintf("devices=%d/load=%.3f/target=%.2f", ndev, load, tg), func(b *testing.B) {
				cfg := serverConfig()
				cfg.LatencyTarget = tg
				if greedy > 0 {
					// A greedy batcher for comparison: take what waits, up to a cap.
					cfg.LatencyBound = 0
					cfg.MaxBatch = greedy
					cfg.BatchTimeout = time.Nanosecond
				}
				var r serverResult
				for b.Loop() {
					r = serverRun(b, ndev, load*peak, cfg, seed)
				}
				valid := 0.0
				if r.valid {
					valid = 1
				}
				b.ReportMetric(float64(r.p99)/1e6, "p99-ms")
				b.ReportMetric(valid, "valid")
				b.Logf("p50=%v p90=%v p999=%v max=%v", percentile(r.lat, 0.5), percentile(r.lat, 0.9), percentile(r.lat, 0.999), r.lat[len(r.lat)-1])
				b.Logf("late by id window: %v", r.lateByWindow)
				for _, d := range r.stats.Devices {
					b.Logf("%s batches=%d mean=%.1f util=%.3f wait=%v", d.ID, d.Batches, d.MeanBatch, d.Utilisation, time.Duration(d.LatencyNS.QueueWait))
				}
			})
		}
	}
}

func parseList(b *testing.B, s string) []float64 {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			b.Fatalf("%q: %v", s, err)
		}
		out = append(out, v)
	}
	return out
}
