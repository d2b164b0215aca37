package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// Usage checks shared by the commands: every bad flag, argument or command
// exits 2 (exitUsage) with one line naming it.

// The root command runs only to refuse an unknown command: cobra's own
// "unknown command" error carries no type to map to exit 2.
func init() {
	rootCmd.Args = cobra.ArbitraryArgs
	rootCmd.SuggestionsMinimumDistance = 2
	rootCmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		msg := fmt.Sprintf("unknown command %q for %q", quote(args[0]), cmd.Name())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "; did you mean " + strings.Join(s, " or ") + "?"
		}
		return usageError{errors.New(msg + " (see gotrt help)")}
	}
}

// quote cuts a user's value to a short prefix for an error message, so that
// a huge argument does not make a huge message.
func quote(s string) string { return bounded.Quote(s) }

// parseProgress checks --progress: auto, on or off.
func parseProgress(s string) (string, error) {
	switch v := strings.ToLower(s); v {
	case "auto", "on", "off":
		return v, nil
	}
	return "", usageError{fmt.Errorf("--progress %q: want auto, on or off", quote(s))}
}

// deviceErrorHelp documents --on-device-error.
const deviceErrorHelp = "what a device failing mid-run does: fail (end the run, INVALID) or continue " +
	"(drop the device and re-run its batch on the others; the run is INVALID and names the device lost)"

// warnIgnored prints a warning for each flag given that the run it
// describes does not use, so that it does not pass silently.
func warnIgnored(fl *pflag.FlagSet, cfg runner.Config, w io.Writer) {
	set := func(name string) bool { f := fl.Lookup(name); return f != nil && f.Changed }
	warn := func(flag, why string) { fmt.Fprintf(w, "gotrt: warning: %s is ignored: %s\n", flag, why) }
	builtinModel := cfg.Model == "" || cfg.Model == runner.BuiltinModel
	switch {
	case cfg.SUT == "null":
		for _, f := range []string{"devices", "precision", "engine", "data", "max-batch", "streams", "batch-timeout", "on-device-error"} {
			if set(f) {
				warn("--"+f, "--sut null runs no model on no device")
			}
		}
	case strings.Contains(cfg.SUT, "://"):
		for _, f := range []string{"devices", "precision", "engine", "data"} {
			if set(f) {
				warn("--"+f, "the remote servers run the model")
			}
		}
	case builtinModel:
		for _, f := range []string{"engine", "data"} {
			if set(f) {
				warn("--"+f, "the built-in model needs no TensorRT plan or data set (it is for --model resnet50 and the other catalogue models)")
			}
		}
	default:
		if set("precision") {
			warn("--precision", "it sets the built-in model's precision; a catalogue model runs in its engine's")
		}
	}
	// Settings the mode has no use for (the scenario's are errors, from
	// runner.Overrides).
	if cfg.Mode == loadgen.AccuracyOnly {
		for _, f := range []string{"duration", "min-queries"} {
			if set(f) {
				warn("--"+f, "--mode accuracy issues every sample once, however long that takes")
			}
		}
	}
	if set("peak-precision") && cfg.Mode != loadgen.FindPeakPerformance {
		warn("--peak-precision", "it applies to --mode find-peak")
	}
	offlineProbe := cfg.Scenario == loadgen.Offline && cfg.Mode == loadgen.PerformanceOnly
	serverPeakProbe := cfg.Scenario == loadgen.Server && cfg.Mode == loadgen.FindPeakPerformance
	if set("no-probe") && !offlineProbe && !serverPeakProbe {
		warn("--no-probe", "only an Offline performance run and a Server find-peak probe the devices")
	}
}

// isUsage says whether a run's error is the user's: a bad config, flag
// value or device request.
func isUsage(err error) bool {
	return errors.Is(err, runner.ErrConfig) || errors.Is(err, loadgen.ErrConfig) ||
		errors.Is(err, loadgen.ErrBadSettings) || errors.Is(err, builtin.ErrSplit)
}

// checkPlanFile checks that a plan argument names a readable regular file,
// as a usage error naming it.
func checkPlanFile(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return usageError{fmt.Errorf("plan %s: no such file", path)}
	}
	if err != nil {
		return usageError{fmt.Errorf("plan: %w", err)}
	}
	if !st.Mode().IsRegular() {
		return usageError{fmt.Errorf("plan %s: not a regular file", path)}
	}
	return nil
}
