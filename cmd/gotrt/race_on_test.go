//go:build race

package main

// raceEnabled: this test binary runs under the race detector, whose
// shadow memory needs more address space than a ulimit -v cap leaves.
const raceEnabled = true
