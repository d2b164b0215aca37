package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gotrt/gotrt/runner/result"
)

func init() { rootCmd.AddCommand(newVersionCmd()) }

// newVersionCmd builds `gotrt version`.
func newVersionCmd() *cobra.Command {
	var format string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print gotrt's version, commit, build tags, Go and TensorRT versions",
		Long: `version prints the version and commit stamped at build time (make build, the
Dockerfile), else those the Go toolchain recorded (go install module@version,
a build inside a git checkout), else "devel"; the build tags; and, in a
-tags cuda,tensorrt build, the TensorRT headers it was built with and the
TensorRT library it loads (libnvinfer.so.<major>, or what GOTRT_TENSORRT_LIB
names), or why it does not load. --json always has the "tags" key ("" for
none) and, in a tensorrt build, a "tensorrt" object.`,
		Args: noArgs("version"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := parseFormat(format, asJSON, "text", "json")
			if err != nil {
				return err
			}
			b := result.BuildInfo()
			info := probeTensorRT()
			w := cmd.OutOrStdout()
			if f == formatJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(versionJSON{Build: b, Tags: b.Tags, TensorRT: info})
			}
			commit := b.Commit
			if commit == "" {
				commit = "unknown"
			}
			if b.Modified {
				commit += " (modified)"
			}
			tags := b.Tags
			if tags == "" {
				tags = "none (CPU and NVML only)"
			}
			fmt.Fprintf(w, "gotrt %s\ncommit: %s\nbuild tags: %s\ngo: %s %s\n", b.Version, commit, tags, b.GoVersion, b.Platform)
			writeTensorRT(w, info)
			return nil
		},
	}
	cmd.SetFlagErrorFunc(flagUsage)
	addFormatFlags(cmd, &format, &asJSON, "text", "text or json")
	return cmd
}

// versionJSON is `version --json`: the build, with the tags always present
// (the text form prints them even when there are none), and TensorRT.
type versionJSON struct {
	result.Build
	Tags     string        `json:"tags"`
	TensorRT *tensorrtInfo `json:"tensorrt,omitempty"`
}
