package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// offlineProbeMargin is how much larger than the probe's rate the Offline
// query is sized. LoadGen sizes the one query as 1.1 × min duration ×
// expected QPS and never grows it, so a run whose devices go faster than
// expected ends early and is INVALID, while one that goes slower only runs
// longer. NVIDIA's harness sets offline_expected_qps from whole measured
// runs; a probe of about a second on a shared machine reads low by more
// than LoadGen's 10 % (cold caches, a noisy spell: a 1-device run finished
// in 9.0 s of 10 with a margin of 1.5), so twice the probe's rate.
const offlineProbeMargin = 2.0

// probeTarget is how long the probe's warm query should last; probeMax
// bounds the samples of one probe query (a null SUT completes tens of
// millions a second). A GPU keeps hundreds of thousands of samples in
// flight (24 streams × 16384 on an H200), so a probe of 1M samples read a
// third of its 19.5M samples/s and the timed query ran short: the bound is
// 32M samples.
const (
	probeTarget = time.Second
	probeMax    = 1 << 25
)

// offlineExpected is the expected QPS a probed Offline run uses: the
// probe's rate with the margin, or the configured value if higher.
func offlineExpected(probeQPS, configured float64) float64 {
	return max(configured, probeQPS*offlineProbeMargin)
}

// capExpected lowers an expected Offline QPS so that its one query fits the
// load generator's bound (loadgen.MaxOfflineSamples, sized as 1.1 × min
// duration × expected QPS): past it the margin would make the run fail
// rather than run long.
func capExpected(qps float64, minDur time.Duration) float64 {
	if minDur <= 0 {
		return qps
	}
	return min(qps, 0.99*float64(loadgen.MaxOfflineSamples)/(1.1*minDur.Seconds()))
}

// probe measures the SUT's Offline rate with untimed runs of the same
// settings: a query of a few thousand samples (cold), then queries sized to
// last about probeTarget at the best rate so far, until one does (at most
// three runs in all). It returns the best rate.
func probe(ctx context.Context, sut loadgen.SystemUnderTest, qsl loadgen.QuerySampleLibrary, ts loadgen.TestSettings) (float64, error) {
	p := ts
	p.MinDuration = 0
	p.MaxDuration = 0
	p.OfflineExpectedQPS = 1
	n := uint64(4 * max(qsl.PerformanceSampleCount(), 1024))
	best := 0.0
	for i := range 3 {
		p.MinQueryCount = n
		rep, err := loadgen.Run(ctx, sut, qsl, p, loadgen.WithoutHostDetection())
		if err != nil {
			return 0, fmt.Errorf("offline probe: %w", err)
		}
		r := rep.Result.Throughput.Value
		best = max(best, r)
		if r <= 0 || ctx.Err() != nil {
			break
		}
		if i > 0 && float64(n)/r >= 0.8*probeTarget.Seconds() {
			break // a warm query long enough to trust
		}
		next := min(uint64(best*probeTarget.Seconds()), probeMax)
		if next <= n && i > 0 {
			break // capped: as long as it gets
		}
		n = max(n, next)
	}
	return best, nil
}

// Find-peak's start from the devices' measured Offline rate: Server runs at
// 0.78–0.94 of Offline on the same system (the seed study, NVIDIA's
// results), so the search starts at peakStart of it, widens its upper bound
// by peakStep (0.99 of Offline next) and bisects to peakPrecision, some five
// trials before the confirmation, instead of LoadGen's doubling from a
// configured QPS to one decimal of QPS.
const (
	peakStart     = 0.9
	peakStep      = 0.1
	peakPrecision = 0.02
)

// offlineRate measures the SUT's Offline rate, as the Offline probe does, for
// a Server run: same samples, seeds and devices, an Offline query.
func offlineRate(ctx context.Context, sut loadgen.SystemUnderTest, qsl loadgen.QuerySampleLibrary, ts loadgen.TestSettings) (float64, error) {
	o := loadgen.DefaultSettings(loadgen.Offline)
	o.PerformanceSampleCount = ts.PerformanceSampleCount
	o.QSLRNGSeed, o.SampleIndexRNGSeed, o.ScheduleRNGSeed = ts.QSLRNGSeed, ts.SampleIndexRNGSeed, ts.ScheduleRNGSeed
	return probe(ctx, sut, qsl, o)
}

// peakSettings starts a find-peak search from the measured Offline rate:
// target QPS peakStart of it, the boundary step peakStep, and a relative
// precision of peakPrecision unless one was asked for.
func peakSettings(ts *loadgen.TestSettings, offline float64) {
	ts.ServerTargetQPS = peakStart * offline
	ts.ServerFindPeakQPSBoundaryStepSize = peakStep
	if ts.ServerFindPeakRelativePrecision <= 0 {
		ts.ServerFindPeakRelativePrecision = peakPrecision
	}
}
