package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gotrt/gotrt/internal/atomicfile"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// prepareOut checks a run's --out folder before the run starts, so that a
// folder that cannot hold the logs (a file, a read-only place) is a usage
// error at once rather than a lost measurement at the end. It moves an
// earlier run's logs aside (into a hidden folder in out), so that a run
// that then fails, or is killed, leaves no result.json that looks like its
// own; settle puts them back if the run never started for a bad flag the
// runner found, and otherwise removes them.
func prepareOut(out string) (settle func(runErr error), err error) {
	if out == "" {
		return nil, usageError{errors.New("--out is empty")}
	}
	if err := atomicfile.CheckDir(out); err != nil {
		return nil, usageError{fmt.Errorf("--out: %w", err)}
	}
	var moved []string
	aside := ""
	for _, name := range loadgen.LogFiles {
		p := filepath.Join(out, name)
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		if aside == "" {
			if aside, err = os.MkdirTemp(out, ".gotrt-previous-"); err != nil {
				return nil, fmt.Errorf("--out: %w", err)
			}
		}
		if err := os.Rename(p, filepath.Join(aside, name)); err != nil {
			return nil, fmt.Errorf("--out: move the earlier run's %s aside: %w", name, err)
		}
		moved = append(moved, name)
	}
	return func(runErr error) {
		if aside == "" {
			return
		}
		if runErr != nil && exitCode(runErr) == exitUsage {
			// Nothing ran: the earlier logs are still the latest.
			for _, name := range moved {
				dst := filepath.Join(out, name)
				if _, err := os.Lstat(dst); err == nil {
					continue
				}
				_ = os.Rename(filepath.Join(aside, name), dst)
			}
		}
		_ = os.RemoveAll(aside)
	}, nil
}

// checkOut checks that --out can be created and written, removing nothing
// (scale's top folder, whose results are removed count by count).
func checkOut(out string) error {
	if out == "" {
		return usageError{errors.New("--out is empty")}
	}
	if err := atomicfile.CheckDir(out); err != nil {
		return usageError{fmt.Errorf("--out: %w", err)}
	}
	return nil
}
