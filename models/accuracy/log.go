package accuracy

import "github.com/gotrt/gotrt/models/accuracy/mlperflog"

// The log reader lives in the leaf package mlperflog, which the scorers
// import; these names keep it reachable from here.
type (
	// Record is [mlperflog.Record].
	Record = mlperflog.Record
)

// Sentinels of the log reader and the scorers ([mlperflog]).
var (
	ErrMalformedLog  = mlperflog.ErrMalformedLog
	ErrUnknownSample = mlperflog.ErrUnknownSample
	ErrEmptyLog      = mlperflog.ErrEmptyLog
)

// ReadLog is [mlperflog.ReadLog].
func ReadLog(path string) ([]Record, error) { return mlperflog.ReadLog(path) }
