// Package result is the result.json schema of a gotrt run: plain structs,
// filled by the load generator, the scheduler, discovery and the scorers, and
// read back by tools such as `gotrt compare`.
//
// The schema is versioned by [SchemaVersion]. Keys are lower case. New fields
// may be added within a major version; a field's meaning never changes.
// Latencies are in nanoseconds, throughput in the scenario's unit.
package result

// SchemaVersion is the version of the result.json schema written by this
// build. Readers refuse a different major version.
const SchemaVersion = "1.0"

// Result is the whole of result.json.
type Result struct {
	SchemaVersion string   `json:"schema_version"`
	Model         string   `json:"model"`
	Scenario      string   `json:"scenario"`
	Mode          string   `json:"mode"`
	Valid         bool     `json:"valid"`
	Reasons       []string `json:"reasons"`
	// StartTime is when the run started, RFC 3339 in UTC.
	StartTime string `json:"start_time,omitempty"`
	// CommandLine is the gotrt command that ran it, as the process got it.
	CommandLine []string `json:"command_line,omitempty"`
	// Warnings are conditions that may have skewed the figures without
	// making the run INVALID, e.g. a host busy with other work.
	Warnings []string `json:"warnings,omitempty"`
	// Interrupted is set when the run was stopped before its end (Ctrl-C,
	// SIGTERM, a cancelled context), at any stage: start-up, warm-up, the
	// Offline probe or the timed run. Such a run is INVALID; its figures
	// cover what ran before the interruption.
	Interrupted bool `json:"interrupted,omitempty"`
	// Simulated is true when any device of the run is simulated; such a
	// result is never a measurement.
	Simulated  bool       `json:"simulated,omitempty"`
	Throughput Throughput `json:"throughput"`
	LatencyNS  Latency    `json:"latency_ns"`
	Settings   any        `json:"settings"`
	Devices    []Device   `json:"devices"`
	Host       Host       `json:"host"`
	// Scheduler holds per-device statistics when the SUT is the scheduler.
	Scheduler *Scheduler `json:"scheduler,omitempty"`
	// Remote holds per-endpoint statistics when the SUT is remote servers.
	Remote *Remote `json:"remote,omitempty"`
	// Telemetry holds what was sampled from the devices and host during the run.
	Telemetry *Telemetry `json:"telemetry,omitempty"`
	// Accuracy is set in accuracy mode.
	Accuracy *Accuracy `json:"accuracy,omitempty"`
	// Extra is free-form detail a component adds (e.g. find-peak trials).
	Extra map[string]any `json:"extra,omitempty"`
}

// Throughput is the scenario's metric: samples/s (Offline, Server) or
// queries/s... as the summary's "Samples per second" line.
type Throughput struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

// Latency holds latency statistics in nanoseconds, from an exact sort.
type Latency struct {
	Min  int64 `json:"min"`
	Mean int64 `json:"mean"`
	P50  int64 `json:"p50"`
	P90  int64 `json:"p90"`
	P95  int64 `json:"p95"`
	P97  int64 `json:"p97"`
	P99  int64 `json:"p99"`
	P999 int64 `json:"p99.9"`
	Max  int64 `json:"max"`
}

// Accuracy is the score of an accuracy-mode run against its target.
type Accuracy struct {
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	Target float64 `json:"target"`
	// Pass is the verdict, Value >= Target. It is absent when the run
	// scored part of the data set (an interrupted accuracy run): a score
	// of part of the data set is no verdict on the model.
	Pass *bool `json:"pass,omitempty"`
	// Covered of Total samples of the data set were scored.
	Covered int `json:"covered,omitempty"`
	Total   int `json:"total,omitempty"`
}

// Passed reports whether the accuracy has a verdict and it is PASS.
func (a *Accuracy) Passed() bool { return a != nil && a.Pass != nil && *a.Pass }
