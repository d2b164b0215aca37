package loadgen

import "errors"

// Sentinel errors callers branch on.
var (
	// ErrUnknownSample is wrapped by Complete for an ID the run never issued.
	ErrUnknownSample = errors.New("unknown sample id")
	// ErrDuplicateCompletion is wrapped by Complete for an ID already completed.
	ErrDuplicateCompletion = errors.New("sample already completed")
	// ErrRunEnded is wrapped by Complete when the issue the ID belongs to has
	// already ended (its deadline passed, it was cancelled, or it is done).
	ErrRunEnded = errors.New("run has ended")
	// ErrConfig is wrapped by every mlperf.conf/user.conf error; the message
	// names the file and line.
	ErrConfig = errors.New("bad config")
	// ErrQSL is wrapped when the QSL reports something unusable or fails to
	// load or unload samples.
	ErrQSL = errors.New("query sample library")
)
