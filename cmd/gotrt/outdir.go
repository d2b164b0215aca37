package main

import (
	"errors"
	"fmt"

	"github.com/gotrt/gotrt/internal/atomicfile"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// prepareOut checks a run's --out folder before the run starts, so that a
// folder that cannot hold the logs (a file, a read-only place) is a usage
// error at once rather than a lost measurement at the end. It also removes
// an earlier run's logs from it, so that a run that then fails leaves no
// result.json that looks like its own.
func prepareOut(out string) error {
	if out == "" {
		return usageError{errors.New("--out is empty")}
	}
	if err := loadgen.PrepareLogDir(out); err != nil {
		return usageError{fmt.Errorf("--out: %w", err)}
	}
	return nil
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
