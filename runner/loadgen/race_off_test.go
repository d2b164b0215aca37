//go:build !race

package loadgen_test

// raceEnabled: see race_on_test.go.
const raceEnabled = false
