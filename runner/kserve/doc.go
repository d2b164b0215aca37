// Package kserve drives remote inference servers that speak the KServe v2 /
// Triton gRPC protocol (gotrt serve, Triton Inference Server, KServe) as
// one [sut.SystemUnderTest]: `gotrt run --sut kserve://HOST:PORT[,HOST:PORT…]`.
//
// [Dial] checks every endpoint before the run (live, the model ready, one
// input whose per-sample size matches the samples, all endpoints alike) and
// fails with [ErrUnreachable], [ErrUnknownModel] or [ErrModelMismatch]
// naming the endpoint. During the run the samples of every query go into
// one shared queue; each endpoint keeps up to Concurrency requests of up to
// MaxBatch samples in flight, unary (ModelInfer) or over one stream
// (ModelStreamInfer), so a faster endpoint takes more. The load generator
// measures latency from each sample's scheduled time to the answer, network
// included. [Client.Stats] gives per-endpoint counts and round trips for
// result.json.
//
// Fault policy: a sample is completed only when its answer arrives. A
// transport failure puts the request's samples back at the head of the
// queue for any endpoint; an endpoint that no longer says it is ready
// leaves the run; when none is left the run fails with [ErrAllLost]. So a
// server that dies mid-run loses no sample and completes none twice. A
// request the server refuses ([ErrRequest]) fails the run.
//
// The protocol's generated code is in the inferencepb subpackage, from
// proto/grpc_service.proto.
package kserve
