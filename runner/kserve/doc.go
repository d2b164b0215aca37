// Package kserve drives remote inference servers that speak the KServe v2 /
// Triton protocol (gotrt serve, Triton Inference Server, KServe's Python
// ModelServer) as one [sut.SystemUnderTest]:
// `gotrt run --sut kserve://HOST:PORT[,HOST:PORT…]` over gRPC, or
// `--sut kserve+http://HOST:PORT[,…]` over HTTP/REST.
//
// [Dial] checks every endpoint before the run, each problem with its own
// error naming the endpoint: the host resolves ([ErrNoHost]) and answers
// ([ErrUnreachable]) in the URL's protocol ([ErrProtocol], which names the
// scheme to use); the model is served ([ErrUnknownModel]) and ready
// ([ErrModelNotReady]); it has one input whose per-sample size matches the
// samples and an output the scorer can read, all endpoints alike
// ([ErrModelMismatch]); one request of one sample is answered in a form the
// client reads, over Triton's ModelStreamInfer when streaming is asked
// ([ErrStreamUnsupported]).
//
// Answers are read in every form the protocol allows: raw_output_contents
// or typed contents (bool, int, int64, uint, uint64, fp32, fp64 and bytes
// fields, as KServe answers by default) over gRPC; JSON data or Triton's
// binary tensor data extension (Inference-Header-Content-Length,
// binary_data_size, binary_data_output) over HTTP, binary asked for unless
// the endpoint refuses it. An integer class output of another width than
// Options.OutputDatatype (INT64 class ids for an INT32 scorer) is converted
// element by element, each checked to fit. An answer may be no larger than
// the model's outputs for the request's samples can make it.
//
// During the run the samples of every query go into one shared queue; each
// endpoint keeps up to Concurrency requests of up to MaxBatch samples in
// flight, unary or over one stream, so a faster endpoint takes more; HTTP
// connections are kept and reused. The load generator measures latency
// from each sample's scheduled time to the answer, network included.
// [Client.Stats] gives per-endpoint counts, round trips and losses for
// result.json.
//
// Fault policy: a sample is completed only when its answer arrives. A
// transport failure puts the request's samples back at the head of the
// queue for any endpoint; an endpoint that no longer says it is ready
// leaves the run. Leaving the run fails it ([ErrEndpointLost], as a local
// device's error does under --on-device-error fail) unless
// Options.ContinueOnLoss (--on-device-error continue), under which the run
// goes on and fails only when no endpoint is left ([ErrAllLost]). So a
// server that dies mid-run loses no sample and completes none twice. A
// request the server refuses ([ErrRequest]) fails the run.
//
// The protocol's generated code is in the inferencepb subpackage, from
// proto/grpc_service.proto.
package kserve
