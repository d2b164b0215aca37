package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompareChart(t *testing.T) {
	bm, vg := seed()
	vg.Runs[1].Result.Simulated = true
	c, err := Compare([]*System{bm, vg})
	require.NoError(t, err)
	ch, err := c.Chart()
	require.NoError(t, err)
	require.Len(t, ch.Plots, 1)
	p := ch.Plots[0]
	assert.Equal(t, 0.0, p.Y.Min, "the y axis starts at zero")
	assert.Contains(t, p.Y.Label.Text, "higher is better")
	assert.Contains(t, p.Title.Text, "simulated")

	var svg bytes.Buffer
	require.NoError(t, ch.WriteTo(&svg, "svg"))
	assert.Contains(t, svg.String(), "<svg")
	assert.Contains(t, svg.String(), "bare-metal")
	assert.Contains(t, svg.String(), "0.95", "bars carry their ratio")
	assert.Contains(t, svg.String(), "5681", "and their absolute value")
	assert.Contains(t, svg.String(), "#0072B2", "Okabe–Ito blue")
	assert.Contains(t, svg.String(), "#E69F00", "Okabe–Ito orange")
}

func TestScaleChart(t *testing.T) {
	var calls []int
	s, err := Scale(t.Context(), t.TempDir(), []int{1, 2, 4}, seedScaling(t, &calls), nil)
	require.NoError(t, err)
	ch, err := s.Chart()
	require.NoError(t, err)
	require.Len(t, ch.Plots, 2)
	for _, p := range ch.Plots {
		assert.Equal(t, 0.0, p.X.Min)
		assert.Equal(t, 0.0, p.Y.Min)
		assert.Equal(t, "devices (count)", p.X.Label.Text)
	}
	assert.Equal(t, "throughput (samples/s)", ch.Plots[0].Y.Label.Text)
	assert.Contains(t, ch.Plots[1].Y.Label.Text, "speed-up")

	var svg bytes.Buffer
	require.NoError(t, ch.WriteTo(&svg, "svg"))
	assert.NotContains(t, svg.String(), "INVALID")
	s.Points[2].Result.Valid = false
	ch, err = s.Chart()
	require.NoError(t, err)
	svg.Reset()
	require.NoError(t, ch.WriteTo(&svg, "svg"))
	assert.Contains(t, svg.String(), "INVALID", "the INVALID point is labelled and in the legend")
	assert.Contains(t, svg.String(), "#D55E00", "with a vermillion cross")
}

func TestWriteOutputs(t *testing.T) {
	bm, vg := seed()
	c, err := Compare([]*System{bm, vg})
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := WriteComparison(dir, c)
	require.NoError(t, err)
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	assert.Equal(t, []string{"compare.svg", "compare.png", "compare.txt", "compare.md", "compare.csv", "compare.json", "compare-systems.csv"}, names)
	png, err := os.ReadFile(filepath.Join(dir, "compare.png"))
	require.NoError(t, err)
	assert.Equal(t, []byte("\x89PNG\r\n\x1a\n"), png[:8])
	md, err := os.ReadFile(filepath.Join(dir, "compare.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "### What else differs")
	sysCSV, err := os.ReadFile(filepath.Join(dir, "compare-systems.csv"))
	require.NoError(t, err)
	assert.Contains(t, string(sysCSV), "CPU cores,80,48,yes\n")
}
