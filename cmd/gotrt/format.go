package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// Output formats of the commands that print a result. Every such command
// takes --format with the subset that applies to it, and --json as an alias
// of --format json.
const (
	formatText = "text"
	formatJSON = "json"
	formatMD   = "md"
	formatCSV  = "csv"
)

// addFormatFlags declares --format (default def; help lists the formats
// that apply) and its alias --json on cmd.
func addFormatFlags(cmd *cobra.Command, format *string, asJSON *bool, def, help string) {
	cmd.Flags().StringVar(format, "format", def, "output format: "+help)
	cmd.Flags().BoolVar(asJSON, "json", false, "same as --format json")
}

// parseFormat reads --format (any case; "txt" and "markdown" too) and
// --json, and refuses a format outside allowed or a --json that contradicts
// an explicit --format.
func parseFormat(s string, asJSON bool, allowed ...string) (string, error) {
	f := strings.ToLower(strings.TrimSpace(s))
	switch f {
	case "txt", "":
		f = formatText
	case "markdown":
		f = formatMD
	}
	if asJSON {
		if f != formatJSON && f != allowed[0] {
			return "", usageError{fmt.Errorf("--json and --format %s contradict each other", s)}
		}
		f = formatJSON
	}
	if !slices.Contains(allowed, f) {
		return "", usageError{fmt.Errorf("--format %q: want %s", quote(s), strings.Join(allowed, ", "))}
	}
	return f, nil
}
