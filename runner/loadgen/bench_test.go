package loadgen_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// The null-SUT benchmarks measure the load generator itself, as LoadGen's
// perftests_null_sut.cc: one iteration is one whole run with the reference
// settings (performance sample count 1024, 5 s minimum duration, Server
// bound 15 ms at p99), so `go test -bench . -benchtime 1x` gives the figures.

func benchSettings(sc loadgen.Scenario) loadgen.TestSettings {
	s := loadgen.DefaultSettings(sc)
	s.PerformanceSampleCount = 1024
	s.MinDuration = 5 * time.Second
	s.MinQueryCount = 0
	s.ServerTargetLatency = 15 * time.Millisecond
	s.ServerTargetLatencyPercentile = 0.99
	s.OfflineExpectedQPS = 1e6 // 5.5M samples in the one query
	s.SingleStreamExpectedLatency = time.Microsecond
	return s
}

// runBench runs s once per iteration and reports wall time, allocations per
// sample and the peak heap of a run.
func runBench(b *testing.B, s loadgen.TestSettings) *loadgen.Report {
	b.Helper()
	var rep *loadgen.Report
	var ms0, ms1 runtime.MemStats
	var samples float64
	peak := uint64(0)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		stop := watchPeakHeap(&peak)
		t0 := time.Now()
		var err error
		rep, err = loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(1024, 1024), s, loadgen.WithoutHostDetection())
		wall := time.Since(t0)
		stop()
		if err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&ms1)
		n, _ := rep.Result.Extra["sample_count"].(int)
		samples += float64(n)
		b.ReportMetric(wall.Seconds(), "wall-s/run")
		b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/max(float64(n), 1), "allocs/sample")
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	if hwm := vmHWM(); hwm > 0 {
		b.ReportMetric(hwm, "process-peak-rss-MiB")
	}
	return rep
}

// watchPeakHeap samples the live heap every 10 ms until stopped.
func watchPeakHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

func BenchmarkNullOffline(b *testing.B) {
	rep := runBench(b, benchSettings(loadgen.Offline))
	b.ReportMetric(rep.Result.Throughput.Value, "null-offline-samples/s")
}

func BenchmarkNullServer100k(b *testing.B) {
	s := benchSettings(loadgen.Server)
	s.ServerTargetQPS = 100_000
	rep := runBench(b, s)
	b.ReportMetric(float64(rep.Result.LatencyNS.P99), "null-p99-ns")
	if !rep.Result.Valid {
		b.Logf("INVALID: %v", rep.Result.Reasons)
	}
}

// BenchmarkNullServerFindPeak finds the null SUT's peak Server QPS from
// one issuing goroutine (LoadGen's default) and from one per 5M queries/s
// of each trial's target (gotrt's runner default), up to GOMAXPROCS.
func BenchmarkNullServerFindPeak(b *testing.B) {
	for _, c := range []struct {
		name string
		per  float64
	}{{"issuers=1", 0}, {"issuers=per-5M", 5e6}} {
		b.Run(c.name, func(b *testing.B) {
			s := benchSettings(loadgen.Server)
			s.Mode = loadgen.FindPeakPerformance
			s.ServerTargetQPS = 10_000
			s.ServerFindPeakQPSDecimalsOfPrecision = 0
			s.ServerFindPeakRelativePrecision = 0.02
			s.ServerIssueQPSPerThread = c.per
			rep := runBench(b, s)
			// The peak held a full-length confirmation run (0: none did).
			b.ReportMetric(rep.PeakQPS, "null-max-valid-qps")
			// One Logf: the bench output keeps only its first lines otherwise.
			var log strings.Builder
			confirms := 0
			for _, tr := range rep.Trials {
				tag := ""
				if tr.Confirm {
					tag, confirms = " (confirmation)", confirms+1
				}
				fmt.Fprintf(&log, "\n  %.0f QPS%s: valid %v, p99 %d ns %v", tr.TargetQPS, tag, tr.Valid, tr.TargetPctlNS, tr.Reasons)
			}
			b.Logf("%d trials, %d of them confirmation runs:%s", len(rep.Trials), confirms, log.String())
			b.ReportMetric(float64(len(rep.Trials)), "trials")
			b.ReportMetric(float64(confirms), "confirmations")
		})
	}
}

func BenchmarkNullSingleStream(b *testing.B) {
	s := benchSettings(loadgen.SingleStream)
	// Pre-generate enough queries for 5 s at up to 2M queries/s.
	s.SingleStreamExpectedLatency = 500 * time.Nanosecond
	rep := runBench(b, s)
	if !rep.Result.Valid {
		b.Logf("INVALID: %v", rep.Result.Reasons)
	}
	b.ReportMetric(rep.Result.Throughput.Value, "queries/s")
}

// vmHWM is the process's peak resident set (Linux), in MiB: it covers every
// benchmark run before, so run one benchmark per process to read it.
func vmHWM() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			f := bytes.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseFloat(string(f[0]), 64)
				return kb / 1024
			}
		}
	}
	return 0
}
