// Package datamap reads the data maps of MLPerf's preprocessing (val_map.txt,
// cases.txt): one sample a line, columns separated by white space. The
// scorers and the QSL read them alike, so a bad line reads the same
// everywhere: the error names the file and the line.
package datamap

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gotrt/gotrt/internal/bounded"
)

// Line is one line of a data map.
type Line struct {
	// N is the line number, from 1, for errors about a column's value.
	N int
	// Cols are the line's white-space separated columns.
	Cols []string
}

// Read returns the lines of the data map at path. A line with fewer than
// minCols columns (a blank line has none) is an error naming the file and
// the line; so does an error reading it (opening gives an *os.PathError,
// which names it too).
//
// A file over [bounded.DataMapLimit] is refused with bounded.ErrTooLarge, a
// line over 64 KiB with bufio.ErrTooLong; a bad line is quoted by its start.
func Read(path string, minCols int) ([]Line, error) {
	f, err := bounded.Open(path, "data map", bounded.DataMapLimit)
	if err != nil {
		return nil, err // *PathError names the file
	}
	defer f.Close()
	return Parse(path, f, minCols)
}

// MaxLines bounds a data map's lines: each costs some 130 bytes parsed, so
// a file of tiny lines at the size limit would need gigabytes (16 MiB of
// "a 1" lines allocated 974 MB). Real maps are far below it (ImageNet's
// val_map.txt has 50000 lines).
const MaxLines = 1 << 20

// Parse reads a data map from r as [Read] does; name names it in errors.
// A map of more than [MaxLines] lines is refused with bounded.ErrTooLarge.
func Parse(name string, r io.Reader, minCols int) ([]Line, error) {
	var lines []Line
	sc := bufio.NewScanner(r)
	n := 1
	for ; sc.Scan(); n++ {
		if n > MaxLines {
			return nil, fmt.Errorf("%s: %w: more than %d lines, the most a data map may have", name, bounded.ErrTooLarge, MaxLines)
		}
		cols := strings.Fields(sc.Text())
		switch {
		case len(cols) == 0:
			return nil, fmt.Errorf("%s:%d: blank line", name, n)
		case len(cols) < minCols:
			return nil, fmt.Errorf("%s:%d: want %d columns, got %q", name, n, minCols, bounded.Quote(sc.Text()))
		}
		lines = append(lines, Line{N: n, Cols: cols})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bounded.ErrTooLarge) {
			return nil, err // names the file
		}
		if errors.Is(err, bufio.ErrTooLong) {
			// Not a data map: its lines are a sample's name and columns.
			return nil, fmt.Errorf("%s:%d: %w: a line longer than %d KiB, the most a data map's line may have", name, n, err, bufio.MaxScanTokenSize>>10)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return lines, nil
}
