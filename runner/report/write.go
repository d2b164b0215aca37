package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// File names written at the top of an output folder.
const (
	CompareBase = "compare"         // compare.svg, .png, .txt, .md, .csv, .json
	SystemsCSV  = "compare-systems" // the differences as CSV
	ScaleBase   = "scale"           // scale.svg, .png, .txt, .md, .csv, .json
)

// WriteComparison writes the comparison into dir (created if need be):
// the chart as compare.svg and compare.png, the tables as compare.txt,
// compare.md and compare.csv, the whole as compare.json, and the
// differences as compare-systems.csv.
// It returns the paths written.
func WriteComparison(dir string, c *Comparison) ([]string, error) {
	paths, err := writeOutputs(dir, CompareBase, c.Tables, c.Chart, c.WriteJSON)
	if err != nil {
		return paths, err
	}
	p := filepath.Join(dir, SystemsCSV+".csv")
	if err := writeFile(p, func(w io.Writer) error { return c.DifferencesTable().Write(w, CSV) }); err != nil {
		return paths, err
	}
	return append(paths, p), nil
}

// WriteScaling writes the scaling study's chart (scale.svg, scale.png) and
// tables (scale.txt, scale.md, scale.csv) and scale.json into dir and
// returns the paths written.
func WriteScaling(dir string, s *Scaling) ([]string, error) {
	return writeOutputs(dir, ScaleBase, s.Tables, s.Chart, s.WriteJSON)
}

func writeOutputs(dir, base string, tables func(Format) []*Table, chart func() (*Chart, error), js func(io.Writer) error) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write report: %w", err)
	}
	ch, err := chart()
	if err != nil {
		return nil, err
	}
	paths, err := SaveCharts(ch, dir, base)
	if err != nil {
		return paths, err
	}
	for _, f := range Formats {
		p := filepath.Join(dir, base+"."+f.Ext())
		if err := writeFile(p, func(w io.Writer) error { return WriteTables(w, f, tables(f)...) }); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	p := filepath.Join(dir, base+".json")
	if err := writeFile(p, js); err != nil {
		return paths, err
	}
	return append(paths, p), nil
}
