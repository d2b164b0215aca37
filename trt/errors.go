package trt

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gotrt/gotrt/internal/gpuerr"
)

// ErrNotSupported means TensorRT is not available: a build without the
// tensorrt tag, or a feature the TensorRT version lacks. It is
// [gpuerr.ErrNotSupported].
var ErrNotSupported = gpuerr.ErrNotSupported

// Sentinel errors callers branch on; the errors returned wrap them.
var (
	// ErrClosed means a handle was used after Close; it is
	// [gpuerr.ErrClosed], the same in every layer.
	ErrClosed = gpuerr.ErrClosed
	// ErrInUse means Close was refused because children are still open; it
	// is [gpuerr.ErrInUse], the same in every layer.
	ErrInUse = gpuerr.ErrInUse
	// ErrPlanCorrupt means a plan file is empty, truncated or not a plan.
	ErrPlanCorrupt = errors.New("plan is truncated or corrupt")
	// ErrPlanVersion means a plan was built by another TensorRT version.
	ErrPlanVersion = errors.New("plan was built by another tensorrt version")
	// ErrPlanDevice means a plan was built for another GPU or platform.
	ErrPlanDevice = errors.New("plan was built for another gpu")
	// ErrIOMismatch means an engine's IO tensors differ from what the model expects.
	ErrIOMismatch = errors.New("engine io does not match the model")
	// ErrBatchTooLarge means a batch lies outside the engine profile's range.
	ErrBatchTooLarge = errors.New("batch size outside the engine profile")
	// ErrCalibrationCache means a calibration cache cannot be read.
	ErrCalibrationCache = errors.New("bad calibration cache")
)

// Code is the status a shim call returns. It implements error, with a
// fixed description usable without the TensorRT library, so errors.Is(err,
// trt.ErrOutOfMemory) matches any *Error with that code.
type Code int32

// Status codes of the shim (shim.h GOTRT_ERR_*).
const (
	CodeOK              Code = 0
	CodeInvalidArgument Code = 1
	CodeFailed          Code = 2
	CodeOutOfMemory     Code = 3
	CodeException       Code = 4
	CodeNotSupported    Code = 5
	CodeCUDA            Code = 6
)

// Code sentinels for errors.Is.
var (
	ErrInvalidArgument error = CodeInvalidArgument
	ErrFailed          error = CodeFailed
	ErrOutOfMemory     error = CodeOutOfMemory
	ErrException       error = CodeException
	ErrCUDA            error = CodeCUDA
)

var codeText = map[Code]string{
	CodeOK:              "success",
	CodeInvalidArgument: "invalid argument",
	CodeFailed:          "tensorrt call failed",
	CodeOutOfMemory:     "out of memory",
	CodeException:       "c++ exception",
	CodeNotSupported:    "not supported by this tensorrt",
	CodeCUDA:            "cuda runtime error",
}

func (c Code) Error() string {
	if s, ok := codeText[c]; ok {
		return s
	}
	return fmt.Sprintf("unknown status %d", int32(c))
}

// Is makes CodeNotSupported match [ErrNotSupported].
func (c Code) Is(target error) bool { return c == CodeNotSupported && target == ErrNotSupported }

// Error is a failed TensorRT call: the operation, the shim's status code and
// the message TensorRT logged (or the shim's description when it logged none).
type Error struct {
	Op   string // the TensorRT call, e.g. "deserializeCudaEngine"
	Code Code   // the shim status
	Msg  string // TensorRT's message
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("tensorrt %s: %v", e.Op, e.Code)
	}
	return fmt.Sprintf("tensorrt %s: %s", e.Op, e.Msg)
}

// Unwrap returns the Code, so errors.Is matches the code sentinels.
func (e *Error) Unwrap() error { return e.Code }

// newError is the Go half of the one status-to-error helper: it returns nil
// for CodeOK and an *Error otherwise.
func newError(op string, code Code, msg string) error {
	if code == CodeOK {
		return nil
	}
	return &Error{Op: op, Code: code, Msg: strings.TrimSpace(msg)}
}

// unsupported is the error of every entry point of a build without TensorRT.
func unsupported(feature string) error {
	return &gpuerr.UnsupportedError{Feature: feature, Hint: "build with -tags cuda,tensorrt"}
}

// closedError says which handle was used after Close.
func closedError(what string) error { return fmt.Errorf("trt: %s: %w", what, ErrClosed) }

// planError wraps a failed deserialization of the plan from file, adding the
// plan sentinel that TensorRT's message points to.
func planError(file string, err error) error {
	var te *Error
	if errors.As(err, &te) {
		if kind := classifyPlanMessage(te.Msg); kind != nil {
			return fmt.Errorf("plan %s: %w: %w", file, kind, err)
		}
	}
	return fmt.Errorf("plan %s: %w", file, err)
}

// classifyPlanMessage maps what TensorRT logs when deserializeCudaEngine
// fails to a plan sentinel, or nil when the message says none of them. The
// phrases are TensorRT's own, e.g. "The engine plan file is not compatible
// with this version of TensorRT, expecting library version 10.3.0.26 got
// 10.0.1.6", "Version tag does not match", "The engine plan file is generated
// on an incompatible device, expecting compute 8.6 got compute 7.5", "Platform
// specific tag mismatch", "Magic tag does not match".
func classifyPlanMessage(msg string) error {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "incompatible device"),
		strings.Contains(m, "platform specific tag mismatch"),
		strings.Contains(m, "compute capability"):
		return ErrPlanDevice
	case strings.Contains(m, "not compatible with this version"),
		strings.Contains(m, "version tag does not match"),
		strings.Contains(m, "expecting library version"):
		return ErrPlanVersion
	case strings.Contains(m, "magic tag"),
		strings.Contains(m, "serialization assertion"),
		strings.Contains(m, "truncated"),
		strings.Contains(m, "corrupt"):
		return ErrPlanCorrupt
	}
	return nil
}
