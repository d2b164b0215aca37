// Package testutil holds the project's test helpers: skipping tests that need
// hardware or a build tag the machine lacks, with a reason that says how to
// run them, and failing instead of skipping where a feature must be there.
package testutil

import (
	"errors"
	"os"
	"testing"

	"github.com/gotrt/gotrt/internal/gpuerr"
)

// GPUEnv is the variable that says a GPU is present: GOTRT_TEST_GPU=1 makes
// RequireGPU and SkipIfNotSupported fail instead of skip.
const GPUEnv = "GOTRT_TEST_GPU"

// gpuNode is the device node an NVIDIA driver creates.
var gpuNode = "/dev/nvidiactl"

// SkipIfNotSupported skips the test when err says the feature is not
// available here (a wrapped gpuerr.ErrNotSupported with detail), and fails
// it on any other error, on the bare sentinel (which carries no detail), or
// when GOTRT_TEST_GPU=1 says the feature must be there. It does nothing when
// err is nil.
func SkipIfNotSupported(tb testing.TB, err error) {
	tb.Helper()
	switch {
	case err == nil:
		return
	case err == gpuerr.ErrNotSupported:
		tb.Fatalf("bare ErrNotSupported: wrap it with what is missing: %v", err)
	case !errors.Is(err, gpuerr.ErrNotSupported):
		tb.Fatalf("unexpected error: %v", err)
	case os.Getenv(GPUEnv) == "1":
		tb.Fatalf("%s=1 but not supported: %v", GPUEnv, err)
	default:
		tb.Skipf("not supported here: %v (set %s=1 on a GPU machine to make this fail)", err, GPUEnv)
	}
}

// RequireGPU skips the test unless the machine has an NVIDIA driver (its
// /dev/nvidiactl node) or GOTRT_TEST_GPU=1; with GOTRT_TEST_GPU=1 and no
// driver node it fails.
func RequireGPU(tb testing.TB) {
	tb.Helper()
	_, err := os.Stat(gpuNode)
	has := err == nil
	switch {
	case has:
		return
	case os.Getenv(GPUEnv) == "1":
		tb.Fatalf("%s=1 but %s is missing: no NVIDIA driver", GPUEnv, gpuNode)
	default:
		tb.Skipf("needs an NVIDIA GPU (%s missing); run on a GPU machine, with %s=1 to fail rather than skip", gpuNode, GPUEnv)
	}
}
