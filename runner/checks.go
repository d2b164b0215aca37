package runner

import (
	"fmt"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/models/catalog"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/sched"
)

// checkStreams refuses more streams than a CPU device has cores: each of
// its streams computes on a core of its own. Said before the run, as a
// config error naming the flag's value, rather than as a device failure in
// warm-up.
func checkStreams(devs []sched.Device, sc sched.Config) error {
	for _, d := range devs {
		s, ok := d.(*builtin.Device)
		if !ok {
			continue
		}
		n := sc.Streams
		if o, ok := sc.PerDevice[d.ID()]; ok && o.Streams > 0 {
			n = o.Streams
		}
		if n > s.Streams() {
			return fmt.Errorf("%w: streams %d: CPU device %s has %d core(s), and each stream needs one", ErrConfig, n, d.ID(), s.Streams())
		}
	}
	return nil
}

// What a SUT and QSL hold per sample beyond the load generator's tables,
// for the memory budget (checked against measured allocation in
// checks_test.go where a test can run the SUT):
const (
	// schedBytesPerSample: the scheduler's queue entry is 48 bytes in a
	// ring of a power-of-two size that doubles, the old ring live while it
	// is copied: at most three entries' room per queued sample (126 bytes
	// measured for a whole Offline query waiting in the queue).
	schedBytesPerSample = 3 * 48
	// remoteBytesPerSample: the KServe client queues a 32-byte entry per
	// issued sample in a slice grown by append (the old array live while
	// copied): at most 96 bytes, read from its code, not measured; the
	// scheduler's figure is used.
	remoteBytesPerSample = schedBytesPerSample
	// nullQSLBytesPerSample: NullQSL's map entry per loaded sample (75
	// bytes allocated per sample loading 1M samples, 43 live).
	nullQSLBytesPerSample = 80
)

// footprint is what the run's SUT and QSL hold per sample.
func (c *Config) footprint() loadgen.Footprint {
	switch {
	case c.SUT == "null":
		return loadgen.Footprint{PerLoadedSample: nullQSLBytesPerSample}
	case isRemote(c.SUT):
		return loadgen.Footprint{PerIssuedSample: remoteBytesPerSample, ResponseBytes: builtin.OutputSize}
	case c.model() == BuiltinModel:
		return loadgen.Footprint{PerIssuedSample: schedBytesPerSample, ResponseBytes: builtin.OutputSize}
	}
	f := loadgen.Footprint{PerIssuedSample: schedBytesPerSample}
	if e, err := catalog.Lookup(c.model()); err == nil {
		// The data set QSL holds each loaded sample's inputs (and, for
		// several inputs, a packed copy); a response is the outputs.
		var in, out int
		for _, t := range e.Inputs {
			in += t.SampleBytes(t.DType, t.Format)
		}
		for _, t := range e.Outputs {
			out += t.SampleBytes(t.DType, t.Format)
		}
		if len(e.Inputs) > 1 {
			in *= 2
		}
		f.PerLoadedSample, f.ResponseBytes = int64(in), int64(out)
	}
	return f
}

// memoryBudget is cfg.MemoryBudget or the default.
func (c *Config) memoryBudget() int64 {
	if c.MemoryBudget > 0 {
		return c.MemoryBudget
	}
	b, _ := loadgen.DefaultMemoryBudget()
	return b
}

// qslCounts are the QSL's counts as far as they are known before it opens:
// the built-in data set's, the null QSL's, or the settings' override (the
// load generator checks again with the QSL's own counts).
func (c *Config) qslCounts(ts loadgen.TestSettings) (perf, total int) {
	perf = ts.PerformanceSampleCount
	switch {
	case c.SUT == "null":
		if perf <= 0 {
			perf = 1024
		}
		return perf, perf
	case c.model() == BuiltinModel:
		if perf <= 0 {
			perf = builtin.PerformanceCount
		}
		return perf, builtin.TestCount
	}
	if e, err := catalog.Lookup(c.model()); err == nil {
		if perf <= 0 {
			perf = e.PerformanceSampleCount
		}
		return perf, e.TotalSampleCount
	}
	if perf <= 0 {
		perf = 1
	}
	return perf, max(perf, ts.AccuracySampleCount)
}

// checkMemory refuses, before any device, data set or QSL opens, settings
// whose schedule, tables and records would not fit the memory budget.
func checkMemory(cfg Config, ts loadgen.TestSettings) error {
	perf, total := cfg.qslCounts(ts)
	need, err := loadgen.EstimateMemory(ts, perf, total, cfg.footprint())
	if err != nil {
		return err
	}
	return need.Check(cfg.memoryBudget())
}

// fitBudget returns the Offline expected QPS lowered, if need be, so that
// the one query the probe sized fits the memory budget: the probe raises
// the expected QPS to what the devices reach, and a fast device must not
// turn a run that fits into one refused.
func fitBudget(cfg Config, ts loadgen.TestSettings, qsl loadgen.QuerySampleLibrary) float64 {
	need, err := loadgen.EstimateMemory(ts, qsl.PerformanceSampleCount(), qsl.TotalSampleCount(), cfg.footprint())
	if err != nil {
		return ts.OfflineExpectedQPS
	}
	f := need.Fit(cfg.memoryBudget())
	if f >= 1 || f <= 0 {
		return ts.OfflineExpectedQPS
	}
	q := ts.OfflineExpectedQPS * 0.99 * f
	cfg.logf("note: Offline expected QPS lowered from %.4g to %.4g so that its query fits the memory budget of %s", ts.OfflineExpectedQPS, q, loadgen.FormatBytes(float64(cfg.memoryBudget())))
	return q
}
