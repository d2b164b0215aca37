//go:build race

package loadgen_test

// raceEnabled: this test binary runs under the race detector, whose
// instrumentation allocates on the tested paths (some 8 KB a sample
// measured), so allocation counts say nothing about the code.
const raceEnabled = true
