// Package cuda finds the GPUs, vGPUs and MIG instances a process can use,
// samples their telemetry during a run, and (with the `cuda` build tag) drives
// them through CUDA contexts, streams, events, pinned and device memory.
//
// # Discovery and telemetry (every build)
//
// [Discover] takes go-nvml's nvml.Interface (nvml.New() in production, a
// go-nvml mock in tests). It checks that libnvidia-ml.so.1 loads before
// nvml Init, and makes no NVML call after a failed Init, which would end the
// process. Without the library or a GPU it returns the CPU device alone with
// a one-line [Inventory.Note] and an [Inventory.Cause] matching [ErrNoNVML],
// [ErrNoGPU] or [ErrNoVisibleGPU] (all of which match [ErrNotSupported]).
// CUDA_VISIBLE_DEVICES is honoured as CUDA reads it (indices, GPU and MIG
// UUIDs, unique UUID prefixes; the first bad entry ends the list), and each
// MIG instance is a device of its own. A [Sampler] samples the inventory's
// GPUs and the host's CPU use on its own goroutine between Start and Stop and
// summarises into a result.Telemetry; it works with no GPU at all.
//
// # CUDA layer (build tag `cuda`)
//
// [NewContext] retains a device's primary context; from it come [Stream],
// [HostBuffer] (pinned, cuMemHostAlloc), [DeviceBuffer], [Event] and, through
// [Stream.Capture], [Graph] and [GraphExec]. It is built on gorgonia.org/cu
// with the project's own cgo where cu lacks a call. Without the tag the same
// API exists and every call returns an error matching [ErrNotSupported].
//
// Note that gorgonia.org/cu's package init exits the process when cuInit
// fails, so a binary built with the `cuda` tag only starts on a machine with
// an NVIDIA driver and a GPU.
//
// # Ownership
//
// Every handle has one owner and is released by Close, which is safe on nil
// and on a second call; no finalizer frees GPU memory. Close streams,
// buffers, events and graphs before their [Context] (Context.Close reports
// any left open). A [Stream] belongs to one goroutine. Every method makes its
// context current on a locked OS thread for the duration of the call;
// [Context.Do] holds it across several calls. Close the [Sampler] (Stop)
// before the [Inventory].
//
// # Errors
//
// Conclusive answers to "can this machine do it": nil, and errors matching
// [ErrNotSupported] (no `cuda` tag, no library, no GPU, a driver too old).
// A failed driver call is an [*Error] carrying its [Result] code, so
// errors.Is(err, [ErrOutOfMemory]) works; bad arguments give [ErrOutOfRange]
// or [ErrClosed] wrapped with the detail.
package cuda
