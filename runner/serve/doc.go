// Package serve is `gotrt serve`: a KServe v2 / Triton protocol inference
// server over gotrt's own scheduler (runner/sched, the dynamic batcher
// here) and a model's devices. It serves one model, by default the
// built-in one as "gotrt-builtin", over gRPC (inference.GRPCInferenceService
// with Triton's ModelStreamInfer, plus server reflection) and HTTP/REST
// (/v2/health/live, /v2/health/ready, /v2, /v2/models/{m}[/versions/{v}],
// …/ready, POST …/infer with JSON tensors), and Prometheus metrics under
// Triton's names at /metrics.
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
// [ErrUnavailable] (UNAVAILABLE, 503) or [ErrInternal] (INTERNAL, 500). A
// gRPC message larger than Config.MaxRequestBytes is refused by gRPC itself
// with RESOURCE_EXHAUSTED; an HTTP body that large gets 400. Headers,
// bodies and handshakes have read timeouts; listeners bind to 127.0.0.1
// unless told otherwise.
//
// Lifecycle: [New], [Server.Start], then [Server.Shutdown] (drain: not
// ready, no new connections or requests, requests in flight answered,
// streams ended with UNAVAILABLE after answering what they took, then the
// scheduler and devices stop) or [Server.Close] (at once). A device failure
// fails the requests in flight with INTERNAL and makes the server not
// ready.
package serve
