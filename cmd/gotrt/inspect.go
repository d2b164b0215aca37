package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gotrt/gotrt/trt"
)

func init() {
	var asJSON bool
	var format string
	var plugins []string
	cmd := &cobra.Command{
		Use:   "inspect PLAN",
		Short: "Show a TensorRT plan's IO tensors, optimization profiles and per-layer precision",
		Long: `inspect loads a serialized TensorRT engine (plan) and prints its input and
output tensors (name, data type, shape with -1 for dynamic dimensions, format
such as linear or chw4), the min/opt/max shapes of each optimization profile,
and each layer's precision from TensorRT's engine inspector, so that you can
see that an engine is INT8. Layer precisions need a plan built with detailed
profiling verbosity (gotrt build does so by default). It needs a GPU and a
binary built with -tags cuda,tensorrt that finds the TensorRT library
(libnvinfer.so.<major>, or GOTRT_TENSORRT_LIB); --plugins loads the plugin
libraries the plan needs. A missing plan, TensorRT library or GPU stops with exit
status 2 and one line naming it.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{errors.New("inspect takes one plan file")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := parseFormat(format, asJSON, formatText, formatJSON)
			if err != nil {
				return err
			}
			asJSON = f == formatJSON
			// The file first: a missing plan is the user's to fix on any
			// build, before what this build supports.
			if err := checkPlanFile(args[0]); err != nil {
				return err
			}
			if err := loadTensorRT("inspect", plugins); err != nil {
				return err
			}
			// Deserializing a plan needs a GPU of the model it was built for.
			if err := buildGPU(); err != nil {
				return usageError{fmt.Errorf("inspect: needs a usable GPU: %w", err)}
			}
			rt, err := trt.NewRuntime()
			if err != nil {
				return err
			}
			defer rt.Close()
			engine, err := rt.LoadEngineFile(args[0])
			if err != nil {
				return err
			}
			defer engine.Close()
			report, err := engine.Inspect()
			if err != nil {
				return err
			}
			if asJSON {
				return report.WriteJSON(cmd.OutOrStdout())
			}
			return report.WriteText(cmd.OutOrStdout())
		},
	}
	addFormatFlags(cmd, &format, &asJSON, "text", "text or json")
	cmd.Flags().StringSliceVar(&plugins, "plugins", nil, "TensorRT plugin libraries the plan needs, a.so,b.so")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("inspect: %w", boundFlagError(err))}
	})
	rootCmd.AddCommand(cmd)
}
