package main

import "errors"

// Exit codes of the gotrt command.
const (
	exitOK      = 0 // done, and the result is VALID
	exitFailure = 1 // the run or command failed
	exitUsage   = 2 // bad flags or arguments
	exitInvalid = 3 // the run finished but its result is INVALID (or accuracy FAIL)
)

// usageError marks an error as the user's flags or arguments.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// errInvalid is returned by commands whose run finished INVALID.
var errInvalid = errors.New("result is INVALID")

func exitCode(err error) int {
	var u usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &u):
		return exitUsage
	case errors.Is(err, errInvalid):
		return exitInvalid
	}
	return exitFailure
}
