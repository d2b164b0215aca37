// Command gotrt measures inference systems under the MLPerf Inference
// scenarios: see `gotrt help`. Each subcommand lives in its own file and only
// parses flags and prints; the work is done by the library packages.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

var rootCmd = &cobra.Command{
	Use:           "gotrt",
	Short:         "Go inference engine and MLPerf-style benchmark harness for GPUs, vGPUs and CPUs",
	SilenceUsage:  true,
	SilenceErrors: true,
}

// Flag errors anywhere are usage errors (exit 2).
func init() { rootCmd.SetFlagErrorFunc(flagUsage) }

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "gotrt:", err)
		os.Exit(exitCode(err))
	}
}
