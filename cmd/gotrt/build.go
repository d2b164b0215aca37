package main

import (
	"errors"
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/internal/atomicfile"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/trt"
)

// buildFlags are the flags of `gotrt build`.
type buildFlags struct {
	onnx, calib, out                string
	workspaceMiB                    int64
	int8, fp16, layerNamesOnly      bool
	maxBatch                        int
	minShapes, optShapes, maxShapes string
	verbose                         bool
	model                           string
}

// options checks the flags and turns them into build options.
func (f *buildFlags) options() (trt.BuildOptions, error) {
	if f.onnx == "" {
		return trt.BuildOptions{}, usageError{errors.New("build: --onnx is required")}
	}
	if f.out == "" {
		return trt.BuildOptions{}, usageError{errors.New("build: --out is required")}
	}
	if f.workspaceMiB < 0 {
		return trt.BuildOptions{}, usageError{fmt.Errorf("build: --workspace %d MiB is negative", f.workspaceMiB)}
	}
	if f.workspaceMiB > math.MaxInt64>>20 {
		// In bytes it would wrap: negative, or 0 (TensorRT's default).
		return trt.BuildOptions{}, usageError{fmt.Errorf("build: --workspace %d MiB: want at most %d MiB", f.workspaceMiB, int64(math.MaxInt64>>20))}
	}
	if f.int8 && f.calib == "" {
		return trt.BuildOptions{}, usageError{errors.New("build: --int8 needs --calib CACHE (for an explicitly quantized onnx model, leave --int8 out)")}
	}
	if f.calib != "" && !f.int8 {
		return trt.BuildOptions{}, usageError{errors.New("build: --calib is only used with --int8")}
	}
	var lists [3]map[string]trt.Shape
	for i, s := range []string{f.minShapes, f.optShapes, f.maxShapes} {
		m, err := trt.ParseShapeSpecs(s)
		if err != nil {
			return trt.BuildOptions{}, usageError{fmt.Errorf("build: %w", err)}
		}
		lists[i] = m
	}
	shapes, err := trt.CombineShapeSpecs(lists[0], lists[1], lists[2])
	if err != nil {
		return trt.BuildOptions{}, usageError{fmt.Errorf("build: %w", err)}
	}
	opts := trt.BuildOptions{
		Workspace:        f.workspaceMiB << 20,
		FP16:             f.fp16,
		INT8:             f.int8,
		CalibrationCache: f.calib,
		MaxBatch:         f.maxBatch,
		Shapes:           shapes,
		LayerNamesOnly:   f.layerNamesOnly,
	}
	if f.model != "" {
		// The catalogue says what input type and formats `run` feeds, so a
		// plan built for it takes the data as it comes (INT8, linear or CHW4)
		// instead of keeping the ONNX model's FP32 input.
		in, err := runner.BuildInputs(f.model)
		if err != nil {
			return trt.BuildOptions{}, usageError{fmt.Errorf("build: --model: %w", err)}
		}
		opts.Inputs = in
	}
	if err := opts.Validate(); err != nil {
		return trt.BuildOptions{}, usageError{fmt.Errorf("build: %w", err)}
	}
	return opts, nil
}

func init() {
	var f buildFlags
	cmd := &cobra.Command{
		Use:   "build --onnx MODEL --out PLAN [--int8 --calib CACHE] [--fp16]",
		Short: "Build a TensorRT plan from an ONNX model (and an INT8 calibration cache)",
		Long: `build turns an ONNX model into a serialized TensorRT engine (plan) for the GPU
it runs on, for users without trtexec. With --int8 it calibrates from a
calibration cache such as MLPerf ships (TensorRT 8.6 and 10.x; TensorRT 11 has
no calibrators and takes explicitly quantized ONNX models instead). Inputs whose
batch dimension is dynamic get a profile of 1..--batch; other dynamic inputs
need --min-shapes/--opt-shapes/--max-shapes (trtexec's syntax,
name:1x3x224x224,other:...). A plan only runs on the GPU model and TensorRT
version that built it. It needs a GPU and a binary built with -tags cuda,tensorrt
that finds TensorRT's libraries (libnvinfer.so.<major> and
libnvonnxparser.so.<major>, or GOTRT_TENSORRT_LIB); without them, or without
a usable GPU, it stops with exit status 2 and one line saying what is missing.`,
		Args: noArgs("build"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := f.options()
			if err != nil {
				return err
			}
			if err := loadTensorRT("build", nil); err != nil {
				return err
			}
			// TensorRT's builder needs a GPU; without one it fails deep in
			// the build, or crashes, rather than saying so.
			if err := buildGPU(); err != nil {
				return usageError{fmt.Errorf("build: needs a usable GPU: %w", err)}
			}
			if f.verbose {
				if err := trt.SetLogSeverity(trt.SeverityInfo); err != nil {
					return err
				}
			}
			b, err := trt.NewBuilder()
			if errors.Is(err, trt.ErrNotSupported) {
				return usageError{fmt.Errorf("build: %w", boundFlagError(err))} // no onnx parser library
			}
			if err != nil {
				return err
			}
			defer b.Close()
			plan, err := b.BuildONNX(f.onnx, opts)
			if err != nil {
				return err
			}
			if err := atomicfile.WriteBytes(f.out, plan); err != nil {
				return fmt.Errorf("build: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d bytes)\n", f.out, len(plan))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.onnx, "onnx", "", "ONNX model to build from (required)")
	fl.StringVar(&f.out, "out", "", "plan file to write (required)")
	fl.StringVar(&f.calib, "calib", "", "INT8 calibration cache (with --int8)")
	fl.Int64Var(&f.workspaceMiB, "workspace", 0, "builder workspace limit in MiB (0: TensorRT's default)")
	fl.BoolVar(&f.int8, "int8", false, "allow INT8 kernels, calibrated from --calib")
	fl.BoolVar(&f.fp16, "fp16", false, "allow FP16 kernels")
	fl.IntVar(&f.maxBatch, "batch", 0, "max batch for inputs whose only dynamic dimension is the batch")
	fl.StringVar(&f.minShapes, "min-shapes", "", "minimum input shapes, name:1x3x224x224,...")
	fl.StringVar(&f.optShapes, "opt-shapes", "", "optimal input shapes, name:8x3x224x224,...")
	fl.StringVar(&f.maxShapes, "max-shapes", "", "maximum input shapes, name:32x3x224x224,...")
	fl.BoolVar(&f.layerNamesOnly, "layer-names-only", false, "record only layer names in the plan (inspect then shows no precisions)")
	fl.BoolVar(&f.verbose, "verbose", false, "print TensorRT's info messages")
	fl.StringVar(&f.model, "model", "", "catalogue model whose input types and formats the plan takes (e.g. resnet50: int8, linear or chw4); empty: the ONNX model's own")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("build: %w", boundFlagError(err))}
	})
	rootCmd.AddCommand(cmd)
}

// buildGPU checks for a GPU `build` and `inspect` can use; tests stand in
// for it.
var buildGPU = cuda.Available
