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
	// Every command's flags are checked alike (checkFlags).
	PersistentPreRunE: checkFlags,
}

// Flag errors anywhere are usage errors (exit 2).
func init() { rootCmd.SetFlagErrorFunc(flagUsage) }

func main() {
	survivePipes()
	stdout, stderr := newConsole(os.Stdout), newConsole(os.Stderr)
	rootCmd.SetOut(stdout)
	rootCmd.SetErr(stderr)
	err := rootCmd.Execute()
	reportConsole(stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "gotrt:", err)
		os.Exit(exitCode(err))
	}
}
