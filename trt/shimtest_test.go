package trt

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestShimLogger compiles trt/testdata/shimtest/logger_test.cc, which
// includes shim.cc, against the TensorRT headers in TENSORRT_INC (and the
// CUDA headers in CUDA_INCLUDE) and runs it: the logger must attach errors
// TensorRT logs from its own threads to the failing call. It needs no
// TensorRT library (nothing of TensorRT is called) and is skipped, with
// the reason, where the headers are not given.
func TestShimLogger(t *testing.T) {
	inc := os.Getenv("TENSORRT_INC")
	if inc == "" {
		t.Skip("TENSORRT_INC (a TensorRT include folder) is not set")
	}
	cxx, err := exec.LookPath("g++")
	if err != nil {
		t.Skip("no g++: ", err)
	}
	bin := filepath.Join(t.TempDir(), "logger_test")
	args := []string{"-std=c++17", "-Wall", "-Wextra", "-Werror", "-isystem", inc}
	if cu := os.Getenv("CUDA_INCLUDE"); cu != "" {
		args = append(args, "-isystem", cu)
	}
	args = append(args, "-o", bin, filepath.Join("testdata", "shimtest", "logger_test.cc"),
		"-pthread", "-no-pie", "-Wl,--unresolved-symbols=ignore-all")
	if out, err := exec.Command(cxx, args...).CombinedOutput(); err != nil {
		t.Fatalf("g++ %v: %v\n%s", args, err, out)
	}
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, out)
	}
	t.Logf("%s", out)
}
