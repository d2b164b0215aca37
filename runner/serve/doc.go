// Package serve is `gotrt serve`: a KServe v2 / Triton protocol inference
// server over gotrt's own scheduler (runner/sched, the dynamic batcher
// here) and a model's devices. It serves one model, by default the
// built-in one as "gotrt-builtin", over gRPC (inference.GRPCInferenceService
// with Triton's ModelStreamInfer, plus server reflection) and HTTP/REST
// (/v2/health/live, /v2/health/ready, /v2, /v2/models/{m}[/versions/{v}],
// …/ready, POST …/infer), and Prometheus metrics under Triton's names at
// /metrics.
//
// Triton's protocol extensions, as Triton documents them, so that its
// clients (perf_analyzer, tritonclient) work unchanged; server metadata
// lists exactly these ([Extensions]):
//   - binary_tensor_data (HTTP): Inference-Header-Content-Length, inputs with
//     parameters.binary_data_size, outputs as binary data when asked
//     (binary_data per output, binary_data_output per request), JSON
//     otherwise; a raw binary request (header length 0) is one sample.
//   - model_configuration: gRPC ModelConfig, GET …/config ([Server.ModelConfig]).
//   - statistics: gRPC ModelStatistics, GET /v2/models[/{m}[/versions/{v}]]/stats
//     ([Server.ModelStatistics]).
//   - model_repository, read-only: the index lists the model and its state;
//     load and unload answer [ErrNotSupported] (models are fixed at start).
//   - system_shared_memory: register, unregister, status; a tensor's
//     shared_memory_region, _offset and _byte_size parameters put an input
//     or output in a registered region (POSIX shared memory by key, mapped
//     into the server, bounded by Config.MaxShmRegions and MaxShmBytes,
//     unmapped on unregister and on close once no request uses it). Inputs
//     are copied out of the region and outputs into it by the request's own
//     goroutine, so that a client truncating its object under the mapping
//     gets an error, never a crash of the server.
//
// CUDA shared memory and classification answer [ErrNotSupported]; clearing
// every CUDA region succeeds, as there are none.
//
// Data path: a request's input bytes stay in the request; each sample takes
// a slot (its scheduler sample index and response id) that points at them,
// and the scheduler copies them into an executor's staging buffer, batching
// samples of concurrent requests together. Answers are written into the
// request's output buffer, and the request is answered when its last sample
// is done.
//
// Requests are untrusted: the model name and version, the input's name,
// datatype, shape and byte size, and the requested outputs are checked
// before anything reaches the scheduler. Errors wrap [ErrUnknownModel]
// (gRPC NOT_FOUND, HTTP 404), [ErrBadRequest] (INVALID_ARGUMENT, 400),
// [ErrNotSupported] (UNIMPLEMENTED, 400), [ErrUnavailable] (UNAVAILABLE,
// 503) or [ErrInternal] (INTERNAL, 500). A gRPC message larger than
// Config.MaxRequestBytes (by default room for the largest request the
// model takes written as JSON, [RequestBytesFor]) is refused by gRPC itself
// with RESOURCE_EXHAUSTED; an HTTP body that large gets 400. HTTP JSON is
// read and written by hand, not by reflection: one pass over the bytes. Headers,
// bodies and handshakes have read timeouts; listeners bind to 127.0.0.1
// unless told otherwise.
//
// Lifecycle: [New], [Server.Start], then [Server.Shutdown] (drain: not
// ready, no new connections or requests, requests in flight answered,
// HTTP answers closing their connections and idle ones closed after a
// quiet 100 ms,
// streams ended with UNAVAILABLE after answering what they took, then the
// scheduler and devices stop) or [Server.Close] (at once). A device failure
// fails the requests in flight with INTERNAL and makes the server not
// ready.
package serve
