package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format is how a table is rendered.
type Format string

// Table formats.
const (
	Text     Format = "text" // aligned columns for a terminal
	Markdown Format = "md"   // a pipe table that pastes into a report
	CSV      Format = "csv"  // comma-separated values with raw numbers
	// JSON is not a table format: commands print their whole result as
	// one JSON document instead of tables (Comparison.Write, Scaling.Write).
	JSON Format = "json"
)

// Formats lists the table formats in the order help texts show them.
var Formats = []Format{Text, Markdown, CSV}

// ParseFormat reads a format name: "text" (or "txt"), "md" (or "markdown"),
// "csv", "json".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "text", "txt", "":
		return Text, nil
	case "md", "markdown":
		return Markdown, nil
	case "csv":
		return CSV, nil
	case "json":
		return JSON, nil
	}
	return "", fmt.Errorf("unknown format %q (want text, md, csv or json)", s)
}

// Ext is the file name extension of the format, without the dot.
func (f Format) Ext() string {
	if f == Text {
		return "txt"
	}
	return string(f)
}

// Missing is what a table shows for a value that is not there.
const Missing = "–"

// Column is a table column.
type Column struct {
	Name string
	// Right aligns the column to the right (numbers) in text and Markdown.
	Right bool
}

// Table is a rendered-agnostic table: a title, columns, rows of cell text
// and notes printed under it. Rows shorter than Columns are padded with
// empty cells.
type Table struct {
	Title   string
	Columns []Column
	Rows    [][]string
	Notes   []string
}

// Write renders t in format f. Text and Markdown carry the title and the
// notes; CSV holds the header and the rows alone.
func (t *Table) Write(w io.Writer, f Format) error {
	switch f {
	case Text:
		return t.writeText(w)
	case Markdown:
		return t.writeMarkdown(w)
	case CSV:
		return t.writeCSV(w)
	}
	return fmt.Errorf("unknown format %q (want text, md or csv)", string(f))
}

func (t *Table) cell(r []string, i int) string {
	if i < len(r) {
		return r[i]
	}
	return ""
}

func (t *Table) widths() []int {
	ws := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		ws[i] = utf8.RuneCountInString(c.Name)
		for _, r := range t.Rows {
			ws[i] = max(ws[i], utf8.RuneCountInString(t.cell(r, i)))
		}
	}
	return ws
}

func pad(s string, w int, right bool) string {
	n := w - utf8.RuneCountInString(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

func (t *Table) writeText(w io.Writer) error {
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(t.Title + "\n\n")
	}
	ws := t.widths()
	line := func(cells func(i int) string) {
		var parts []string
		for i, c := range t.Columns {
			parts = append(parts, pad(cells(i), ws[i], c.Right))
		}
		b.WriteString(strings.TrimRight(strings.Join(parts, "  "), " ") + "\n")
	}
	line(func(i int) string { return t.Columns[i].Name })
	line(func(i int) string { return strings.Repeat("-", ws[i]) })
	for _, r := range t.Rows {
		line(func(i int) string { return t.cell(r, i) })
	}
	if len(t.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range t.Notes {
			b.WriteString(n + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func (t *Table) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	if t.Title != "" {
		b.WriteString("### " + mdEscape(t.Title) + "\n\n")
	}
	ws := t.widths()
	for i := range ws {
		ws[i] = max(ws[i], 3)
	}
	line := func(cells func(i int) string) {
		b.WriteString("|")
		for i, c := range t.Columns {
			b.WriteString(" " + pad(cells(i), ws[i], c.Right) + " |")
		}
		b.WriteString("\n")
	}
	line(func(i int) string { return mdEscape(t.Columns[i].Name) })
	line(func(i int) string {
		if t.Columns[i].Right {
			return strings.Repeat("-", ws[i]-1) + ":"
		}
		return strings.Repeat("-", ws[i])
	})
	for _, r := range t.Rows {
		line(func(i int) string { return mdEscape(t.cell(r, i)) })
	}
	if len(t.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range t.Notes {
			b.WriteString(mdEscape(n) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (t *Table) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Name
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range t.Rows {
		row := make([]string, len(t.Columns))
		for i := range row {
			row[i] = t.cell(r, i)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTables writes tables in format f, a blank line apart. CSV takes one
// table only, since a CSV file has one header.
func WriteTables(w io.Writer, f Format, tables ...*Table) error {
	if f == CSV && len(tables) != 1 {
		return fmt.Errorf("csv holds one table, not %d", len(tables))
	}
	for i, t := range tables {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := t.Write(w, f); err != nil {
			return err
		}
	}
	return nil
}

// FormatValue formats a throughput for a table with about four significant
// digits: 5961, 128.6, 7.30, 0.0123.
func FormatValue(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return Missing
	case a >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1 || a == 0:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// raw formats a number for CSV: shortest exact form.
func raw(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
