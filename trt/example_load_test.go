package trt_test

import (
	"errors"
	"fmt"

	"github.com/gotrt/gotrt/trt"
)

// Load says whether this process can run TensorRT, and which: a build
// without the tensorrt tag, or a host without libnvinfer, gets an error
// matching ErrNotSupported whose one line says what to install or set.
func ExampleLoad() {
	lib, err := trt.Load()
	if errors.Is(err, trt.ErrNotSupported) {
		fmt.Println("no TensorRT here:", err)
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("TensorRT %s from %s (headers %s)\n", lib.Version, lib.Path, lib.Headers)
	if err := trt.LoadPlugins("/opt/mlperf/plugins/libRnRes2FullFusion.so"); err != nil {
		fmt.Println(err)
	}
}
