// Package simdev is a simulated device for the scheduler: a test tool whose
// batch latency follows a [Profile] (a fixed cost plus a cost per sample),
// never a measurement of hardware. Its devices report the kind "simulated",
// and anything run on them is labelled simulated.
//
// A [Device] runs one batch at a time, as a GPU does; the executors of its
// streams queue on it, so extra streams overlap only the host-side work.
// [WithConcurrency] lets it run several at once, as a CPU device does. It reads time from a
// [clock.Clock]; on a [clock.Virtual] a study of minutes of device time runs
// in seconds and repeats exactly. Faults are injected with [WithFault].
//
// Errors: Run returns [ErrBatchSize] for a batch outside 1..MaxBatch, the
// context's error when cancelled, and the injected error otherwise.
package simdev
