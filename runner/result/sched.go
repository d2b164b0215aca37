package result

// Scheduler holds the scheduler's statistics of a run. Times are in
// nanoseconds; per-sample stage latencies are means over the samples of the
// timed run. Warm-up batches are counted apart and never in the run's
// figures.
type Scheduler struct {
	// Simulated is true when any device is simulated: the figures then
	// describe a model, not hardware.
	Simulated bool `json:"simulated,omitempty"`
	// Policy is how batches were sized: "fixed" (max batch or batch
	// timeout) or "adaptive" (sized from the queue, the devices and the
	// latency bound).
	Policy string `json:"policy"`
	// SpanNS is the time from the first sample queued to the last batch
	// completed: the denominator of utilisation.
	SpanNS  int64             `json:"span_ns"`
	Devices []SchedulerDevice `json:"devices"`
	Warmup  SchedulerWarmup   `json:"warmup"`
	// Lost lists the devices that failed during the run under the continue
	// policy.
	Lost []LostDevice `json:"lost_devices,omitempty"`
	// FailedSamples counts samples the run failed (reported to the load
	// generator as failed, never completed).
	FailedSamples uint64 `json:"failed_samples"`
	// RequeuedSamples counts samples put back in the queue after their
	// device failed; each was completed later by another device.
	RequeuedSamples uint64 `json:"requeued_samples"`
	// Dropped counts samples still queued when the scheduler closed.
	Dropped uint64 `json:"dropped_samples"`
	// CompletionErrors counts responses the load generator refused
	// (unknown or duplicate ids): always zero in a sound run.
	CompletionErrors uint64 `json:"completion_errors"`
}

// SchedulerDevice is one device's share of a run.
type SchedulerDevice struct {
	ID      string `json:"id"`
	Kind    string `json:"kind,omitempty"`
	Streams int    `json:"streams"`
	// Concurrency is how many batches the device runs at once: 1 on a GPU,
	// up to its streams on a CPU device whose streams use their own cores.
	Concurrency int    `json:"concurrency,omitempty"`
	MaxBatch    int    `json:"max_batch"`
	Batches     uint64 `json:"batches"`
	Samples     uint64 `json:"samples"`
	// MeanBatch is Samples / Batches.
	MeanBatch float64 `json:"mean_batch"`
	// BusyNS is the device time of its batches (copies and compute).
	BusyNS int64 `json:"busy_ns"`
	// Utilisation is BusyNS / (SpanNS × Concurrency): the fraction of the
	// device's capacity its batches used, at most 1.
	Utilisation float64 `json:"utilisation"`
	// LatencyNS says where a sample's time went, as means per sample.
	LatencyNS StageLatency `json:"latency_ns"`
	// Lost is set when the device failed and left the run.
	Lost bool `json:"lost,omitempty"`
}

// StageLatency is the mean time a sample spent in each stage, in ns.
type StageLatency struct {
	// QueueWait is from the sample's arrival to its batch being formed.
	QueueWait int64 `json:"queue_wait"`
	// Stage is gathering the batch's inputs into the staging buffer.
	Stage int64 `json:"stage"`
	// DeviceWait is time in Run not spent in copies or compute: waiting for
	// the device while another stream's batch runs.
	DeviceWait int64 `json:"device_wait"`
	H2D        int64 `json:"h2d"`
	Compute    int64 `json:"compute"`
	D2H        int64 `json:"d2h"`
	// Completion is handing the batch's responses to the load generator.
	Completion int64 `json:"completion"`
}

// SchedulerWarmup is the warm-up before the timed run: a few batches of each
// size on every stream, as NVIDIA's harness does.
type SchedulerWarmup struct {
	Batches    uint64 `json:"batches"`
	Samples    uint64 `json:"samples"`
	DurationNS int64  `json:"duration_ns"`
	// Sizes are the batch sizes run on every stream.
	Sizes []int `json:"sizes,omitempty"`
}

// LostDevice names a device that failed mid-run and what it took down.
type LostDevice struct {
	ID    string `json:"id"`
	Error string `json:"error"`
	// FailedSamples is how many samples were in the batches that failed on
	// it; they went back to the queue (RequeuedSamples) or were failed.
	FailedSamples uint64 `json:"failed_samples"`
	// AtNS is when the device failed, in ns after the scheduler was given
	// its first sample (the Offline probe's first, when the run probes);
	// 0 when it failed before any sample.
	AtNS int64 `json:"at_ns"`
	// RequeuedSamples is how many of its failed samples went back to the
	// queue and ran on another device (the continue policy).
	RequeuedSamples uint64 `json:"requeued_samples"`
}
