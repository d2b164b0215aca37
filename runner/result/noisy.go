package result

import "fmt"

// NoisyHostPct is how many percentage points of the whole machine's CPU
// time other processes must have used, on average over a run, for
// [HostTelemetry.Noisy] to call the host busy: about a core in five (a
// whole core of a 4-core VM), beyond what system noise takes.
const NoisyHostPct = 20

// OtherCPUPct is the CPU time the rest of the system used while gotrt
// ran, in percent of the whole machine: the system's use less gotrt's.
// ok is false when either was not sampled.
func (h HostTelemetry) OtherCPUPct() (mean float64, ok bool) {
	if h.SystemCPUPct == nil || h.ProcessCPUPct == nil {
		return 0, false
	}
	return max(0, h.SystemCPUPct.Mean-h.ProcessCPUPct.Mean), true
}

// Noisy says, with a sentence for the summary and result.json, whether
// other processes used much of the CPU during the run (at least
// NoisyHostPct points of the machine): a busy host can halve a run's
// throughput, and the figures then describe the machine shared.
func (h HostTelemetry) Noisy() (string, bool) {
	o, ok := h.OtherCPUPct()
	if !ok || o < NoisyHostPct {
		return "", false
	}
	return fmt.Sprintf("noisy host: other processes used %.0f%% of the machine's CPU time during the run "+
		"(system %.0f%%, gotrt %.0f%% of %d CPUs); the figures may be lower than this machine can do alone",
		o, h.SystemCPUPct.Mean, h.ProcessCPUPct.Mean, h.CPUs), true
}
