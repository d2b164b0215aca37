package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/report"
)

// runFormats are run's --format values, the default first.
var runFormats = []string{formatText, formatJSON, formatMD, formatCSV}

// printRunAs prints the run's result in format: the summary (text),
// result.json alone (json), or one table row of the MLPerf metric and
// latencies (md, csv). It returns errInvalid for an INVALID run or a FAIL,
// whatever the format.
func printRunAs(w io.Writer, format string, rep *loadgen.Report, out string) error {
	r := &rep.Result
	switch format {
	case formatText:
		err := printRun(w, rep, out)
		for _, m := range r.Warnings {
			fmt.Fprintln(w, "Warning:", m)
		}
		fmt.Fprintln(w, loadgen.NotSubmission)
		return err
	case formatJSON:
		if err := rep.WriteResult(w); err != nil {
			return err
		}
	default:
		f := report.Markdown
		if format == formatCSV {
			f = report.CSV
		}
		if err := report.ResultTable(r, f).Write(w, f); err != nil {
			return err
		}
	}
	if !r.Valid || (r.Accuracy != nil && !r.Accuracy.Passed()) {
		return errInvalid
	}
	return nil
}

// screenSummary is the summary text as the screen gets it: without the
// not-a-submission line and the warnings that printRunAs prints once at
// the end (an accuracy run's summary, which has no settings section to cut
// them off with, holds both).
func screenSummary(text string, warnings []string) string {
	text = strings.Replace(text, "\n"+loadgen.NotSubmission+"\n", "\n", 1)
	for _, m := range warnings {
		text = strings.Replace(text, " * "+oneLine(m)+"\n", "", 1)
	}
	return strings.Trim(text, "\n") + "\n"
}
