// Package sched is gotrt's batching scheduler: the system under test built
// from a pool of devices. It implements [loadgen.SystemUnderTest].
//
// Data path: queries go into one shared queue (a shared queue fills a batch
// N times faster across N devices than per-device queues would). Every
// device runs Streams executors ([Executor]), each owned by one goroutine
// that forms a batch when its stream is free, stages the samples' bytes into
// the executor's input slots, runs it, and completes it with one
// Complete call. The first free stream gets the next batch, so a faster
// device takes more batches without configuration.
//
// Batch formation: a device with nothing in flight (idle) takes what waits
// at once, under every policy, so a sample arriving at an idle device never
// waits for company; under load batches form because samples gather while
// the devices are busy. A query of several samples (Offline's one query) is
// cut into MaxBatch batches at once. Fixed policy (the default): beside a
// busy device (a free lane of a CPU device, a stream staging ahead of a
// GPU's running batch) a batch leaves when MaxBatch samples wait or the
// oldest has waited BatchTimeout ([NoWait]: at once). Adaptive policy
// (Config.LatencyBound set, for Server): batches are planned per device
// from a batch-time model fitted from warm-up and every batch since: a cap
// from the latency bound, the size past which larger batches stop paying
// ([PayFraction]), how long a partial batch may wait for it, and how many
// batches may go ahead of a device that overlaps them; see
// [Config.LatencyTarget].
//
// Goroutines and threads: [Scheduler.Start] runs one goroutine per executor
// under an [errgroup.Group]; the first executor error cancels the others.
// Each goroutine locks its OS thread for its whole life and opens, runs and
// closes its executor there, because a CUDA executor's context is current on
// one thread. When there are at least as many executors as processors
// (GOMAXPROCS), each yields its processor between batches
// (runtime.Gosched): executors that never park would otherwise keep the
// load generator's issuer (or a server's handlers) from every processor
// until Go preempts them, 10 ms later. With a processor to spare they do
// not yield: a locked thread's yield is two OS thread switches, and the
// spare processor serves the rest (the built-in model's CPU devices keep
// one spare; see runner.OpenBuiltinDevices). [Scheduler.Close] cancels and
// waits for every goroutine.
//
// Time is read only through a [clock.Clock] ([WithClock]); with a
// [clock.Virtual] and simulated devices (package simdev) a study runs in
// simulated time, fast and repeatable. The executor goroutines start bound
// to the clock ([clock.Bind]) and wait on [clock.Event]s, so a virtual clock
// knows exactly when every one of them works or waits. Such results are simulated, and
// [result.Scheduler.Simulated] says so.
//
// Faults: with [FailRun] (the default) an executor error stops the run: every
// completer with samples in flight or queued hears Completer.Fail with an
// error naming the device and stream and wrapping both [ErrDevice] and the
// executor's error; Close returns it. With [Continue] the failed device
// leaves the run, the samples of its failed batch go back to the head of the
// queue, and Stats names the device and how many samples failed on it; when
// no device is left the run fails with [ErrNoDevices]. No sample is completed
// twice or lost: each is completed once, failed, or counted as dropped at
// Close.
//
// Errors: [New] returns errors wrapping [ErrConfig] or [ErrNoDevices]; a
// query issued before Start or after the run stopped is failed with
// [ErrNotStarted] or [ErrClosed].
package sched
