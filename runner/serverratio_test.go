package runner_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// BenchmarkServerOverOffline measures the built-in model on this machine's
// CPU devices, back to back: an Offline run, then a Server find-peak (15 ms
// at p99) that starts from the devices' measured Offline rate, with its
// full-length confirmation. It reports the confirmed peak over the Offline
// rate (server/offline), both figures, and how much of the CPU other
// processes used during each (other-cpu-%: above 20 the figures are noisy).
// One iteration is a whole measurement of a minute or more:
//
//	go test -run XXX -bench ServerOverOffline -benchtime 1x ./runner
//
// GOTRT_BENCH_DURATION sets each run's minimum duration (default 5s).
func BenchmarkServerOverOffline(b *testing.B) {
	dur := 5 * time.Second
	if v := os.Getenv("GOTRT_BENCH_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("GOTRT_BENCH_DURATION: %v", err)
		}
		dur = d
	}
	for _, devs := range []string{"cpu", "cpu:2"} {
		b.Run("devices="+devs, func(b *testing.B) {
			var off, peak, offOther, srvOther float64
			for b.Loop() {
				cfg := runner.Config{Devices: devs, Overrides: runner.Overrides{MinDuration: dur}}
				rep, err := runner.Run(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				off, offOther = rep.Result.Throughput.Value, otherCPU(rep)
				cfg.Scenario, cfg.Mode = loadgen.Server, loadgen.FindPeakPerformance
				cfg.OnTrial = func(e loadgen.TrialEvent) {
					b.Logf("%s: trial at %.0f QPS: valid %v", devs, e.Trial.TargetQPS, e.Trial.Valid)
				}
				rep, err = runner.Run(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				peak, srvOther = rep.PeakQPS, otherCPU(rep)
				if !rep.Result.Valid {
					b.Logf("%s: no confirmed Server peak: %v", devs, rep.Result.Reasons)
				}
			}
			b.ReportMetric(peak/off, "server/offline")
			b.ReportMetric(off, "offline-samples/s")
			b.ReportMetric(peak, "server-qps")
			b.ReportMetric(max(offOther, srvOther), "other-cpu-%")
		})
	}
}

// otherCPU is the share of the machine's CPU time other processes used
// during the run, in percent (-1 when not measured).
func otherCPU(rep *loadgen.Report) float64 {
	if t := rep.Result.Telemetry; t != nil {
		if o, ok := t.Host.OtherCPUPct(); ok {
			return o
		}
	}
	return -1
}
