package loadgen

// QuerySample is one sample of a query, as LoadGen's QuerySample: an opaque
// response id the SUT hands back on completion, and the index of the sample in
// the QSL.
type QuerySample struct {
	// ID identifies this issue of the sample; it is unique within a run.
	ID uint64
	// Index is the QSL sample index (0 ≤ Index < TotalSampleCount).
	Index int
}

// Response is the SUT's answer for one sample. Data is owned by the SUT and
// only read during the Complete call; the load generator copies it when it
// must keep it (accuracy mode, sampled accuracy logging).
type Response struct {
	ID   uint64
	Data []byte
}

// Completer receives completions from a SUT. Its methods are safe for
// concurrent use from any goroutine and never block on the run's progress.
type Completer interface {
	// Complete records the responses as done now, as LoadGen's
	// QuerySamplesComplete. An unknown or already completed ID is an error
	// (wrapping ErrUnknownSample or ErrDuplicateCompletion); the other
	// responses of the call are still recorded.
	Complete(responses []Response) error
	// Fail reports that the SUT cannot go on; the run ends INVALID with err
	// among its reasons. Later completions are ignored.
	Fail(err error)
}

// SystemUnderTest is what the load generator measures, as LoadGen's
// SystemUnderTest. IssueQuery must return quickly: the SUT queues the work and
// reports completions through c, from any goroutine, later or before it
// returns. The samples slice is only valid during the call (the load generator
// reuses it); a SUT that needs the samples later copies them.
type SystemUnderTest interface {
	Name() string
	IssueQuery(samples []QuerySample, c Completer)
	// FlushQueries tells the SUT that no more queries follow for now, so it
	// should not wait to fill a batch.
	FlushQueries()
}

// QuerySampleLibrary holds the data set, as LoadGen's QuerySampleLibrary.
// The load generator loads one performance-sample-count set at a time and
// only issues indices that are loaded.
type QuerySampleLibrary interface {
	Name() string
	TotalSampleCount() int
	PerformanceSampleCount() int
	LoadSamplesToRAM(indices []int) error
	UnloadSamplesFromRAM(indices []int) error
}
