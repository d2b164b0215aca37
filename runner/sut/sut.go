// Package sut holds the seam between the load generator and what it
// measures, as MLPerf LoadGen's system_under_test.h and
// query_sample_library.h: the [SystemUnderTest], the [QuerySampleLibrary],
// the samples and responses that cross between them, and the names of the
// scenarios and test modes. It imports nothing of the project, so sample
// libraries (models/...), remote systems and the scheduler implement it
// without depending on the load generator.
//
// Only sample ids and response bytes cross the seam, never pointers into
// another component's memory.
package sut

import (
	"errors"
	"fmt"
	"strings"
)

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
	// (the load generator's ErrUnknownSample or ErrDuplicateCompletion); the
	// other responses of the call are still recorded.
	Complete(responses []Response) error
	// Fail reports that the SUT cannot go on; the run ends INVALID with err
	// among its reasons. Later completions are ignored.
	Fail(err error)
}

// SystemUnderTest is what the load generator measures, as LoadGen's
// SystemUnderTest. IssueQuery must return quickly: the SUT queues the work and
// reports completions through c, from any goroutine, later or before it
// returns. The samples slice is only valid during the call (the load generator
// reuses it); a SUT that needs the samples later copies them. A Server run
// with several issuers (LoadGen's server_num_issue_query_threads) calls
// IssueQuery from all of them at once, so a SUT must be safe for concurrent
// IssueQuery calls, as LoadGen asks of SUTs that register issue threads.
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

// ErrBadName is wrapped by [ParseScenario] and [ParseMode] for a name they do
// not know.
var ErrBadName = errors.New("bad settings")

// Scenario is an MLPerf Inference scenario.
type Scenario string

// The four scenarios, spelled as in mlperf.conf.
const (
	SingleStream Scenario = "SingleStream"
	MultiStream  Scenario = "MultiStream"
	Server       Scenario = "Server"
	Offline      Scenario = "Offline"
)

// Scenarios lists the scenarios in LoadGen's order.
var Scenarios = []Scenario{SingleStream, MultiStream, Server, Offline}

// ParseScenario reads a scenario name, in any letter case, and returns it as
// mlperf.conf spells it.
func ParseScenario(s string) (Scenario, error) {
	for _, sc := range Scenarios {
		if strings.EqualFold(string(sc), s) {
			return sc, nil
		}
	}
	return "", fmt.Errorf("%w: scenario %s (want SingleStream, MultiStream, Server or Offline)", ErrBadName, quoteName(s))
}

// quoteName quotes a name from a user for an error, cut to its first 64
// bytes (on a UTF-8 boundary) and its length when longer: the name may be
// a whole file pasted on one line. (This package imports nothing of the
// project, so it does not use internal/bounded.)
func quoteName(s string) string {
	const most = 64
	if len(s) <= most {
		return fmt.Sprintf("%q", s)
	}
	i := most
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:i], len(s))
}

// Mode is a LoadGen test mode.
type Mode string

// The test modes, spelled as LoadGen's log spells them.
const (
	PerformanceOnly     Mode = "PerformanceOnly"
	AccuracyOnly        Mode = "AccuracyOnly"
	FindPeakPerformance Mode = "FindPeakPerformance"
)

// Modes lists the test modes.
var Modes = []Mode{PerformanceOnly, AccuracyOnly, FindPeakPerformance}

// ParseMode reads a test mode, in any letter case, and returns it as
// LoadGen's log spells it.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes {
		if strings.EqualFold(string(m), s) {
			return m, nil
		}
	}
	return "", fmt.Errorf("%w: mode %s (want PerformanceOnly, AccuracyOnly or FindPeakPerformance)", ErrBadName, quoteName(s))
}
