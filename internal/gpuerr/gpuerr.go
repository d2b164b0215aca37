// Package gpuerr holds the one definition of the errors that say a feature is
// not available in this build or on this machine; cuda and trt re-export them.
package gpuerr

import (
	"errors"
	"fmt"
)

// ErrNotSupported means the feature is absent: no GPU, no driver library, or a
// build without the needed tags. Only nil and errors matching ErrNotSupported
// are conclusive answers to "can this machine do X".
var ErrNotSupported = errors.New("not supported")

// UnsupportedError names what is missing and how to get it; it matches
// ErrNotSupported through errors.Is.
type UnsupportedError struct {
	// Feature is what was asked for, e.g. "tensorrt engine".
	Feature string
	// Hint says how to get it, e.g. "build with -tags cuda,tensorrt".
	Hint string
}

func (e *UnsupportedError) Error() string {
	if e.Hint == "" {
		return fmt.Sprintf("%s: %v", e.Feature, ErrNotSupported)
	}
	return fmt.Sprintf("%s: %v (%s)", e.Feature, ErrNotSupported, e.Hint)
}

// Is makes errors.Is(err, ErrNotSupported) true.
func (e *UnsupportedError) Is(target error) bool { return target == ErrNotSupported }

// ErrClosed is wrapped by every call on a handle that was closed: a CUDA
// stream, buffer or context, a TensorRT engine or executor, a built-in model
// executor. cuda and trt re-export it, so one errors.Is works in every layer.
var ErrClosed = errors.New("use of closed handle")

// ErrInUse is wrapped by Close of a parent handle (a CUDA context, a
// TensorRT engine or device) while children opened from it are still open.
// The policy is the same in every layer: children close first; the parent
// refuses, names what is open, and stays usable, so closing the children and
// then the parent again succeeds.
var ErrInUse = errors.New("handle in use")
