package cuda

import (
	"errors"

	"github.com/gotrt/gotrt/internal/gpuerr"
)

// ErrNotSupported is [gpuerr.ErrNotSupported]: the CUDA layer is absent from
// this build (no `cuda` build tag) or the machine has no usable GPU.
var ErrNotSupported = gpuerr.ErrNotSupported

// UnsupportedError names what is missing; it matches [ErrNotSupported].
type UnsupportedError = gpuerr.UnsupportedError

// Reasons for a CPU-only [Inventory]; each also matches [ErrNotSupported].
var (
	// ErrNoNVML means the NVML library (libnvidia-ml.so.1) could not be loaded.
	ErrNoNVML = &reason{"no NVML library"}
	// ErrNoGPU means NVML loaded but reported no GPU, or its Init failed
	// (e.g. no kernel driver).
	ErrNoGPU = &reason{"no GPU"}
	// ErrNoVisibleGPU means GPUs exist but CUDA_VISIBLE_DEVICES hides them all.
	ErrNoVisibleGPU = &reason{"no visible GPU"}
)

// ErrOutOfRange means an offset and length fall outside a buffer.
var ErrOutOfRange = errors.New("out of range")

// ErrClosed is [gpuerr.ErrClosed]: a handle was used after Close. One
// sentinel for every layer (cuda, trt, the built-in model's executors).
var ErrClosed = gpuerr.ErrClosed

// ErrInUse is [gpuerr.ErrInUse]: Close of a [Context] (or a [Module]'s
// parent) while handles made from it are still open. The parent refuses,
// says how many are open, and stays usable.
var ErrInUse = gpuerr.ErrInUse

// reason is a sentinel that also matches ErrNotSupported.
type reason struct{ msg string }

func (r *reason) Error() string { return r.msg }

// Is makes every reason match ErrNotSupported.
func (r *reason) Is(target error) bool { return target == gpuerr.ErrNotSupported }
