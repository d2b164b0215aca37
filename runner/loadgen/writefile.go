package loadgen

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/gotrt/gotrt/internal/atomicfile"
)

// LogFiles are the files [Report.WriteLogs] writes, result.json last: its
// presence says the others are complete.
var LogFiles = []string{SummaryFile, DetailFile, AccuracyFile, ResultFile}

// PrepareLogDir readies dir for a run's logs before the run starts: it
// creates dir, checks that files can be created in it, and removes the log
// files of an earlier run (links are removed, never followed), so that a run
// which then fails leaves no earlier result.json looking like its own. Call
// it before a long run, so that a bad --out fails at once and not after the
// measurement.
func PrepareLogDir(dir string) error {
	if err := atomicfile.CheckDir(dir); err != nil {
		return fmt.Errorf("log folder: %w", err)
	}
	return removeLogs(dir)
}

// removeLogs removes the log files in dir, result.json first.
func removeLogs(dir string) error {
	for i := len(LogFiles) - 1; i >= 0; i-- {
		if err := atomicfile.Remove(filepath.Join(dir, LogFiles[i])); err != nil {
			return fmt.Errorf("log folder: %w", err)
		}
	}
	return nil
}

// writeFile writes one log file whole or not at all, never through a link.
func writeFile(path string, fn func(io.Writer) error) error {
	if err := atomicfile.Write(path, fn); err != nil {
		return fmt.Errorf("write logs: %w", err)
	}
	return nil
}
