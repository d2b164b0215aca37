package loadgen

import "github.com/gotrt/gotrt/runner/sut"

// The seam types live in the leaf package [sut], so that sample libraries and
// systems under test need not import the load generator; these aliases keep
// the load generator's API whole.
type (
	// QuerySample is [sut.QuerySample].
	QuerySample = sut.QuerySample
	// Response is [sut.Response].
	Response = sut.Response
	// Completer is [sut.Completer].
	Completer = sut.Completer
	// SystemUnderTest is [sut.SystemUnderTest].
	SystemUnderTest = sut.SystemUnderTest
	// QuerySampleLibrary is [sut.QuerySampleLibrary].
	QuerySampleLibrary = sut.QuerySampleLibrary
)
