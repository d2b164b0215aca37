// Package datamap reads the data maps of MLPerf's preprocessing (val_map.txt,
// cases.txt): one sample a line, columns separated by white space. The
// scorers and the QSL read them alike, so a bad line reads the same
// everywhere: the error names the file and the line.
package datamap

import (
	"bufio"
	"fmt"
	"os"
	"strings"
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
func Read(path string, minCols int) ([]Line, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError names the file
	}
	defer f.Close()
	var lines []Line
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		cols := strings.Fields(sc.Text())
		switch {
		case len(cols) == 0:
			return nil, fmt.Errorf("%s:%d: blank line", path, n)
		case len(cols) < minCols:
			return nil, fmt.Errorf("%s:%d: want %d columns, got %q", path, n, minCols, sc.Text())
		}
		lines = append(lines, Line{N: n, Cols: cols})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return lines, nil
}
