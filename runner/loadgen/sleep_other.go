//go:build !linux

package loadgen

import "runtime"

// shortSleep yields; only Linux has a precise sleep wired in.
func shortSleep(int64) { runtime.Gosched() }
