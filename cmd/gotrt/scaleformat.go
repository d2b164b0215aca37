package main

import (
	"fmt"
	"io"

	"github.com/gotrt/gotrt/runner/report"
)

// scaleFormat reads scale's --format and --json.
func scaleFormat(f *scaleFlags) (report.Format, error) {
	fs, err := parseFormat(f.format, f.asJSON, formatText, formatMD, formatCSV, formatJSON)
	if err != nil {
		return "", usageError{fmt.Errorf("scale: %w", err)}
	}
	return report.ParseFormat(fs)
}

// scaleProgress prints a line per finished count on w: throughput,
// verdict, folder, and the time left estimated from the counts so far
// (later counts run as long: the minimum duration is the same).
func scaleProgress(w io.Writer, total int) func(*report.Scaling) {
	steps := newStepLine(w, total)
	return func(s *report.Scaling) {
		p := s.Points[len(s.Points)-1]
		verdict := "VALID"
		if !p.Result.Valid {
			verdict = "INVALID"
		}
		steps.done(len(s.Points), fmt.Sprintf("%d device(s): %s %s, %s (%s)",
			p.Devices, report.FormatValue(p.Result.Throughput.Value), p.Result.Throughput.Unit, verdict, p.Dir))
	}
}
