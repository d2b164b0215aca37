// Package runner runs a whole benchmark the way `gotrt run` does, for programs
// that embed gotrt: it picks the model and its sample library, opens the
// devices, builds the scheduler over them, loads the MLPerf settings, drives
// the load generator, samples telemetry, scores accuracy and returns the
// report whose WriteLogs writes the MLPerf logs and result.json.
//
// The pieces live in sub-packages: [github.com/gotrt/gotrt/runner/loadgen]
// (MLPerf LoadGen semantics), [github.com/gotrt/gotrt/runner/sched] (the
// batching scheduler), [github.com/gotrt/gotrt/runner/result] (the
// result.json schema). A program that needs another SUT or QSL uses those
// directly.
//
// Errors: Run returns errors wrapping [ErrConfig] for a bad Config (unknown
// model, bad device list), and the component's error otherwise. A run that
// finishes INVALID is not an error: the report says so.
package runner
