package datamap_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/internal/datamap"
)

func TestRead(t *testing.T) {
	tests := []struct {
		description string
		content     string
		minCols     int
		want        []datamap.Line
		wantErr     string // after "<path>:"; empty for no error
	}{
		{
			description: "columns split on any white space, extra columns kept",
			content:     "a.JPEG 65\nb.JPEG\t970  x\n",
			minCols:     2,
			want:        []datamap.Line{{N: 1, Cols: []string{"a.JPEG", "65"}}, {N: 2, Cols: []string{"b.JPEG", "970", "x"}}},
		},
		{
			description: "no final newline",
			content:     "case_1",
			minCols:     1,
			want:        []datamap.Line{{N: 1, Cols: []string{"case_1"}}},
		},
		{description: "empty file has no lines", content: "", minCols: 1},
		{description: "blank line", content: "a 1\n  \nb 2\n", minCols: 1, wantErr: "2: blank line"},
		{description: "too few columns", content: "a 1\nb\n", minCols: 2, wantErr: `2: want 2 columns, got "b"`},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "val_map.txt")
			require.NoError(t, os.WriteFile(p, []byte(tc.content), 0o644))
			got, err := datamap.Read(p, tc.minCols)
			if tc.wantErr != "" {
				require.EqualError(t, err, p+":"+tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.txt")
	_, err := datamap.Read(p, 1)
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), p)
}
