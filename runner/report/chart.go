package report

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gotrt/gotrt/internal/atomicfile"
)

// Chart is a figure of one or more plots side by side.
type Chart struct {
	// Plots are drawn left to right in equal tiles.
	Plots []*plot.Plot
	// Width and Height are the size of the whole figure.
	Width, Height vg.Length
}

// ChartFormats are the image formats [SaveCharts] writes.
var ChartFormats = []string{"svg", "png"}

// WriteTo draws the chart in an image format gonum/plot knows ("svg",
// "png", "pdf" ...) to w.
func (c *Chart) WriteTo(w io.Writer, format string) error {
	if len(c.Plots) == 0 {
		return errors.New("chart has no plots")
	}
	cw, err := draw.NewFormattedCanvas(c.Width, c.Height, format)
	if err != nil {
		return fmt.Errorf("draw chart: %w", err)
	}
	dc := draw.New(cw)
	if len(c.Plots) == 1 {
		c.Plots[0].Draw(dc)
	} else {
		tiles := draw.Tiles{Rows: 1, Cols: len(c.Plots), PadX: vg.Millimeter * 6,
			PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
		canvases := plot.Align([][]*plot.Plot{c.Plots}, tiles, dc)
		for j, p := range c.Plots {
			p.Draw(canvases[0][j])
		}
	}
	if _, err := cw.WriteTo(w); err != nil {
		return fmt.Errorf("write chart: %w", err)
	}
	return nil
}

// SaveCharts writes the chart as dir/base.svg and dir/base.png and returns
// the paths written.
func SaveCharts(c *Chart, dir, base string) ([]string, error) {
	var paths []string
	for _, f := range ChartFormats {
		p := filepath.Join(dir, base+"."+f)
		if err := writeFile(p, func(w io.Writer) error { return c.WriteTo(w, f) }); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// writeFile writes one output file whole or not at all, never through a
// symbolic link.
func writeFile(path string, fn func(io.Writer) error) error {
	return atomicfile.Write(path, fn)
}

const simulatedNote = "simulated devices: not a measurement"

// okabeIto is the Okabe–Ito palette, which readers with any common form of
// colour blindness can tell apart; blue and orange first, the best-told
// pair.
var okabeIto = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xff}, // blue
	color.RGBA{0xE6, 0x9F, 0x00, 0xff}, // orange
	color.RGBA{0x00, 0x9E, 0x73, 0xff}, // bluish green
	color.RGBA{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	color.RGBA{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	color.RGBA{0x56, 0xB4, 0xE9, 0xff}, // sky blue
	color.RGBA{0xF0, 0xE4, 0x42, 0xff}, // yellow
	color.RGBA{0x00, 0x00, 0x00, 0xff}, // black
}

// seriesColor is the colour of series i.
func seriesColor(i int) color.Color { return okabeIto[i%len(okabeIto)] }

// metricLabel is a metric value with its unit where it is not a rate, for
// a chart label: "5681", "1.25 ms".
func metricLabel(m Metric) string {
	if m.Unit == "ms" {
		return FormatValue(m.Value) + " ms"
	}
	return FormatValue(m.Value)
}

// Chart is the grouped bar chart of each system's MLPerf metric relative
// to the first system's (higher is better; for a latency the first's over
// the system's), one group per benchmark that the first system ran. Each
// bar is labelled with its ratio and, beneath, its absolute value. Colours
// are the Okabe–Ito palette. The y axis starts at zero; a dashed line
// marks 1.
func (c *Comparison) Chart() (*Chart, error) {
	first := c.Systems[0].Name
	p := plot.New()
	p.Title.Text = "Performance relative to " + first
	if c.Simulated() {
		p.Title.Text += "\n(" + simulatedNote + ")"
	}
	p.X.Label.Text = "benchmark and scenario"
	p.Y.Label.Text = "relative to " + first + " (×, higher is better)"
	var rows []Row
	var names []string
	for _, r := range c.Rows {
		if r.Entries[0].HasRatio {
			rows = append(rows, r)
			names = append(names, r.Model+"\n"+r.Scenario)
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("chart: %s ran no benchmark with a metric above zero", first)
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	p.Add(grid)
	n := len(c.Systems)
	groupW := vg.Centimeter * 2.4
	barW := groupW / vg.Length(n)
	ymax := 1.0
	for si, s := range c.Systems {
		col := seriesColor(si)
		var lxy plotter.XYs
		var ltext []string
		for ri, r := range rows {
			e := r.Entries[si]
			if !e.HasRatio {
				continue
			}
			ymax = math.Max(ymax, e.Ratio)
			b, err := plotter.NewBarChart(plotter.Values{e.Ratio}, barW)
			if err != nil {
				return nil, fmt.Errorf("chart: %s %s: %w", s.Name, r.Benchmark, err)
			}
			b.XMin = float64(ri)
			b.Offset = barW * (vg.Length(si) - vg.Length(n-1)/2)
			b.Color = col
			b.LineStyle.Width = 0
			p.Add(b)
			if len(lxy) == 0 {
				p.Legend.Add(s.Name, b)
			}
			lxy = append(lxy, plotter.XY{X: float64(ri), Y: e.Ratio})
			label := strconv.FormatFloat(e.Ratio, 'f', 2, 64) + "×"
			if !e.Run.Result.Valid {
				label += "*"
			}
			label += "\n" + metricLabel(e.Metric)
			ltext = append(ltext, label)
		}
		if len(lxy) > 0 {
			l, err := plotter.NewLabels(plotter.XYLabels{XYs: lxy, Labels: ltext})
			if err != nil {
				return nil, fmt.Errorf("chart: %w", err)
			}
			for i := range l.TextStyle {
				l.TextStyle[i].Font.Size = vg.Points(7)
				l.TextStyle[i].XAlign = draw.XCenter
			}
			l.Offset = vg.Point{X: barW * (vg.Length(si) - vg.Length(n-1)/2), Y: vg.Points(2)}
			p.Add(l)
		}
	}
	ref, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 1}, {X: float64(len(rows)) - 0.5, Y: 1}})
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	ref.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	ref.Color = color.Gray{Y: 96}
	p.Add(ref)
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(rows))-0.5
	p.Y.Min, p.Y.Max = 0, ymax*1.45
	p.Legend.Top = true
	p.Legend.Left = false
	p.X.Label.Text += "\n(bars: ratio, and beneath it the value: samples/s, or ms for a latency)"
	if c.hasInvalid(rows) {
		p.X.Label.Text += "\n(* INVALID result)"
	}
	w := max(vg.Centimeter*16, groupW*vg.Length(len(rows))*1.4+vg.Centimeter*4)
	return &Chart{Plots: []*plot.Plot{p}, Width: w, Height: vg.Centimeter * 11}, nil
}

func (c *Comparison) hasInvalid(rows []Row) bool {
	for _, r := range rows {
		for _, e := range r.Entries {
			if e.Run != nil && !e.Run.Result.Valid {
				return true
			}
		}
	}
	return false
}

// Chart is the scaling figure: throughput against device count beside
// speed-up against device count, each with the line of linear scaling
// dashed. Both axes start at zero.
func (s *Scaling) Chart() (*Chart, error) {
	if len(s.Points) == 0 {
		return nil, ErrNoResults
	}
	r0 := s.Points[0].Result
	n0 := float64(s.base())
	maxN := float64(s.Points[len(s.Points)-1].Devices)
	var ticks []plot.Tick
	tp, sp := make(plotter.XYs, len(s.Points)), make(plotter.XYs, len(s.Points))
	for i, pt := range s.Points {
		x := float64(pt.Devices)
		tp[i] = plotter.XY{X: x, Y: pt.Result.Throughput.Value}
		sp[i] = plotter.XY{X: x, Y: pt.SpeedUp}
		ticks = append(ticks, plot.Tick{Value: x, Label: strconv.Itoa(pt.Devices)})
	}
	title := fmt.Sprintf("%s %s", r0.Model, r0.Scenario)
	if s.Simulated() {
		title += "\n(" + simulatedNote + ")"
	}
	mk := func(ylabel string, xy plotter.XYs, label func(v float64) string, ideal func(n float64) float64) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text = "devices (count)"
		p.Y.Label.Text = ylabel
		p.X.Tick.Marker = plot.ConstantTicks(append([]plot.Tick{{Value: 0, Label: "0"}}, ticks...))
		p.Add(plotter.NewGrid())
		lin, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: maxN, Y: ideal(maxN)}})
		if err != nil {
			return nil, err
		}
		lin.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		lin.Color = color.Gray{Y: 96}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, err
		}
		l.Color, pts.Color = seriesColor(0), seriesColor(0)
		pts.Shape = plotutil.Shape(0)
		p.Add(lin, l, pts)
		// INVALID points get a vermillion cross over the dot and the word
		// in their label, so they show without colour too.
		var bad plotter.XYs
		var texts []string
		for i, v := range xy {
			t := label(v.Y)
			if !s.Points[i].Result.Valid {
				bad = append(bad, v)
				t += " INVALID"
			}
			texts = append(texts, t)
		}
		var badPts *plotter.Scatter
		if len(bad) > 0 {
			if badPts, err = plotter.NewScatter(bad); err != nil {
				return nil, err
			}
			badPts.Shape = draw.CrossGlyph{}
			badPts.Color = seriesColor(3)
			badPts.Radius = vg.Points(6)
			p.Add(badPts)
		}
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: texts})
		if err != nil {
			return nil, err
		}
		for i := range labels.TextStyle {
			labels.TextStyle[i].Font.Size = vg.Points(8)
			labels.TextStyle[i].XAlign = draw.XLeft
			labels.TextStyle[i].YAlign = draw.YTop
		}
		labels.Offset = vg.Point{X: vg.Points(4), Y: -vg.Points(3)}
		p.Add(labels)
		p.Legend.Add("measured", l, pts)
		if badPts != nil {
			p.Legend.Add("INVALID", badPts)
		}
		p.Legend.Add("linear", lin)
		p.Legend.Top, p.Legend.Left = true, true
		p.X.Min, p.X.Max = 0, maxN*1.08
		p.Y.Min = 0
		top := ideal(maxN)
		for _, v := range xy {
			top = math.Max(top, v.Y)
		}
		if top <= 0 || math.IsNaN(top) || math.IsInf(top, 0) {
			top = 1
		}
		p.Y.Max = top * 1.1
		return p, nil
	}
	t0 := r0.Throughput.Value
	pt, err := mk("throughput ("+unitOr(r0.Throughput.Unit)+")", tp, FormatValue, func(n float64) float64 { return t0 * n / n0 })
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	ps, err := mk(fmt.Sprintf("speed-up over %d device(s) (×)", s.base()), sp,
		func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "x" }, func(n float64) float64 { return n / n0 })
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return &Chart{Plots: []*plot.Plot{pt, ps}, Width: vg.Centimeter * 26, Height: vg.Centimeter * 11}, nil
}
