package datamap_test

import (
	"strings"
	"testing"

	"github.com/gotrt/gotrt/models/internal/datamap"
)

// FuzzParse feeds arbitrary text to the data-map reader (val_map.txt,
// BraTS's cases.txt): lines or an error, never a panic, an error of
// bounded length, and every line with at least the columns asked for.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"ILSVRC2012_val_00000001.JPEG 65\nILSVRC2012_val_00000002.JPEG 970\n",
		"case_00001\ncase_00002",
		"a\n\nb\n",
		"a b c\td\r\n",
		"\x00\xff 1\n",
		"",
	} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, text string, minCols int) {
		minCols = minCols % 4
		lines, err := datamap.Parse("val_map.txt", strings.NewReader(text), minCols)
		if err != nil {
			if len(err.Error()) > 1000 {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		for _, l := range lines {
			if len(l.Cols) < max(minCols, 1) {
				t.Fatalf("line %d has %d columns, want %d", l.N, len(l.Cols), minCols)
			}
		}
	})
}
