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
// [HostBuffer] (pinned, cuMemHostAlloc), [DeviceBuffer], [Event], [Module]
// (PTX or cubin loaded through cuModuleLoadData, whose [Function]s
// [Stream.Launch] runs) and, through [Stream.Capture], [Graph] and
// [GraphExec]. Without the tag the same API exists and every call returns an
// error matching [ErrNotSupported].
//
// The layer is the project's own binding of the CUDA driver API (driver.c,
// driver.h): it dlopen()s libcuda.so.1 on the first CUDA call, as go-nvml
// loads NVML, resolves each entry point under the versioned name cuda.h maps
// it to, and calls cuInit, once. The binary links no libcuda, so it starts
// on any machine. Where the library is absent or cuInit fails (no GPU, a
// failed GPU, a container without one) every call returns an error matching
// [ErrNotSupported] with the reason in one line; [Available] gives it up
// front so callers can choose the CPU. Compiling still needs cuda.h
// (third_party/cuda/fetch.sh); running needs only the driver: no CUDA
// runtime, no NVRTC.
//
// It replaced gorgonia.org/cu, which could not serve: its package init calls
// cuInit and exits the process when that fails, so a `cuda` binary died
// before main on any machine without a usable GPU; it links -lcuda, so it
// would not even load without the driver; it does not compile against CUDA
// 13 headers; and it lacks pinned memory, host functions and CUDA graphs,
// which already needed cgo of our own.
//
// # Ownership
//
// Every handle has one owner and is released by Close, which is safe on nil
// and on a second call; no finalizer frees GPU memory. Close streams,
// buffers, events, graphs and modules before their [Context]: while any is
// open, Context.Close refuses with an error wrapping [ErrInUse] that says how
// many, and the context stays usable (the project's one close policy,
// internal/handle). Close graphs before the modules whose kernels they
// launch. A [Stream] belongs to one goroutine (its Launch reuses one C block
// for kernel parameters). Every method makes its context current on a
// locked OS thread for the duration of the call; [Context.Do] holds it
// across several calls. Close the [Sampler] (Stop)
// before the [Inventory].
//
// # Errors
//
// Conclusive answers to "can this machine do it": nil, and errors matching
// [ErrNotSupported] (no `cuda` tag, no library, no GPU, a driver too old).
// A failed driver call is an [*Error] carrying its [Result] code, so
// errors.Is(err, [ErrOutOfMemory]) works; bad arguments give [ErrOutOfRange]
// or [ErrClosed] wrapped with the detail. [ErrClosed] and [ErrInUse] are
// internal/gpuerr's, the same sentinels trt and the built-in model use.
package cuda
