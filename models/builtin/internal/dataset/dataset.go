// Package dataset renders the built-in data set: twelve classes of shapes and
// glyphs on 32×32 grayscale images, at random positions, scales, aspect
// ratios, rotations, stroke widths, contrasts, background gradients, clutter
// and noise. Every sample is a pure function of (seed, split, index), so any
// subset can be rendered alone and the whole set is reproducible bit for bit.
package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Image geometry and class count.
const (
	Side       = 32
	Pixels     = Side * Side
	NumClasses = 12
)

// Seed is the seed of the built-in data set and model.
const Seed = 1

// TestCount is the size of the held-out split that the QSL serves;
// CalibrationCount that of the calibration split.
const (
	TestCount        = 5000
	CalibrationCount = 1000
)

// ClassNames names the classes by label.
var ClassNames = [NumClasses]string{
	"disk", "ring", "square", "frame", "triangle", "outline-triangle",
	"plus", "cross", "T", "L", "H", "crescent",
}

// Split selects one of the disjoint parts of the data set. Splits draw from
// different random streams, so no sample appears in two splits.
type Split uint64

// The splits: training, calibration (INT8 post-training quantisation) and
// held-out test (accuracy, the QSL).
const (
	Train Split = iota + 1
	Calibration
	Test
)

// String names the split, as errors and logs print it.
func (s Split) String() string {
	switch s {
	case Train:
		return "train"
	case Calibration:
		return "calibration"
	case Test:
		return "test"
	}
	return fmt.Sprintf("split(%d)", uint64(s))
}

// Set is a rendered range of a split: Images holds len(Labels) images of
// Pixels bytes each, row-major.
type Set struct {
	Images []byte
	Labels []int32
}

// Len is the number of samples.
func (s *Set) Len() int { return len(s.Labels) }

// Image returns sample i's pixels.
func (s *Set) Image(i int) []byte { return s.Images[i*Pixels : (i+1)*Pixels] }

// Generate renders samples [start, start+n) of split.
func Generate(seed uint64, split Split, start, n int) *Set {
	s := &Set{Images: make([]byte, n*Pixels), Labels: make([]int32, n)}
	for i := range n {
		s.Labels[i] = Render(seed, split, start+i, s.Images[i*Pixels:(i+1)*Pixels])
	}
	return s
}

// Render draws sample index of split into dst (Pixels bytes) and returns its
// label. The label is drawn from the sample's own random stream, so it
// cannot be told from the index.
func Render(seed uint64, split Split, index int, dst []byte) int32 {
	r := newRand(seed, split, index)
	label := int32(r.IntN(NumClasses))
	p := drawParams(r)
	var bg [Pixels]float64
	// Background: a level plus a linear gradient in a random direction.
	gdir := r.Float64() * 2 * math.Pi
	gx, gy := math.Cos(gdir)*p.grad, math.Sin(gdir)*p.grad
	for y := range Side {
		for x := range Side {
			bg[y*Side+x] = p.bg + gx*(float64(x)-15.5)/16 + gy*(float64(y)-15.5)/16
		}
	}
	// Clutter: a few small blobs, dimmer than the shape, so that the
	// network must look at shape, not just at bright pixels.
	for range r.IntN(6) {
		bx, by := r.Float64()*Side, r.Float64()*Side
		rad := 0.8 + r.Float64()*1.2
		amp := p.contrast * (0.3 + 0.5*r.Float64())
		for y := range Side {
			for x := range Side {
				dx, dy := float64(x)+0.5-bx, float64(y)+0.5-by
				if dx*dx+dy*dy <= rad*rad {
					bg[y*Side+x] += amp
				}
			}
		}
	}
	cos, sin := math.Cos(p.angle), math.Sin(p.angle)
	for y := range Side {
		for x := range Side {
			// 3×3 supersampling gives anti-aliased edges.
			cover := 0
			for sy := range 3 {
				for sx := range 3 {
					px := float64(x) + (float64(sx)+0.5)/3 - p.cx
					py := float64(y) + (float64(sy)+0.5)/3 - p.cy
					u := (px*cos + py*sin) / p.sx
					v := (-px*sin + py*cos) / p.sy
					if inside(label, u, v, p.thick) {
						cover++
					}
				}
			}
			val := bg[y*Side+x] + p.contrast*float64(cover)/9 + r.NormFloat64()*p.noise
			dst[y*Side+x] = clamp8(val)
		}
	}
	return label
}

// Label returns the label of sample index of split without rendering it.
func Label(seed uint64, split Split, index int) int32 {
	return int32(newRand(seed, split, index).IntN(NumClasses))
}

// newRand is the sample's own stream: the stream id mixes split and index so
// that samples are independent.
func newRand(seed uint64, split Split, index int) *rand.Rand {
	return rand.New(rand.NewPCG(seed^uint64(split)*0x9e3779b97f4a7c15, uint64(index)))
}

type params struct {
	cx, cy, sx, sy, angle, thick float64
	bg, grad, contrast, noise    float64
}

func drawParams(r *rand.Rand) params {
	var p params
	s := 5.5 + r.Float64()*7.5 // half size in pixels
	p.sx = s * (0.85 + 0.3*r.Float64())
	p.sy = s * (0.85 + 0.3*r.Float64())
	m := 0.75 * s
	p.cx = m + r.Float64()*(Side-2*m)
	p.cy = m + r.Float64()*(Side-2*m)
	// ±20° keeps plus and cross (45° apart) distinct.
	p.angle = (r.Float64()*2 - 1) * 20 * math.Pi / 180
	p.thick = 0.15 + 0.15*r.Float64()
	p.bg = 10 + r.Float64()*80
	p.grad = r.Float64() * 40
	p.contrast = 50 + r.Float64()*120
	p.noise = 4 + r.Float64()*22
	return p
}

func clamp8(v float64) byte {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return byte(v + 0.5)
}

// inside reports whether (u, v) in the shape's unit frame (y down, the shape
// roughly spans [-1, 1]²) is covered by the glyph of class label; t is the
// stroke half-width.
func inside(label int32, u, v, t float64) bool {
	au, av := math.Abs(u), math.Abs(v)
	switch label {
	case 0: // disk
		return u*u+v*v <= 0.85
	case 1: // ring
		r2 := u*u + v*v
		return r2 <= 0.9 && r2 >= (0.95-2*t)*(0.95-2*t)
	case 2: // square
		return max(au, av) <= 0.8
	case 3: // frame
		m := max(au, av)
		return m <= 0.85 && m >= 0.85-1.8*t
	case 4: // triangle
		return triangle(u, v, 1)
	case 5: // outline triangle
		return triangle(u, v, 1) && !triangle(u, v-0.15, 0.45)
	case 6: // plus
		return (au <= t && av <= 0.9) || (av <= t && au <= 0.9)
	case 7: // cross: the plus turned by 45°
		a, b := math.Abs((u+v)*math.Sqrt2/2), math.Abs((u-v)*math.Sqrt2/2)
		return (a <= t && b <= 0.95) || (b <= t && a <= 0.95)
	case 8: // T
		return (math.Abs(v+0.7) <= t && au <= 0.85) || (au <= t && v >= -0.7 && v <= 0.9)
	case 9: // L
		return (math.Abs(u+0.6) <= t && av <= 0.9) || (math.Abs(v-0.9+t) <= t && u >= -0.6 && u <= 0.7)
	case 10: // H
		return (math.Abs(au-0.65) <= t && av <= 0.9) || (av <= t && au <= 0.65)
	case 11: // crescent
		return u*u+v*v <= 0.9 && (u-0.45)*(u-0.45)+v*v >= 0.55
	}
	return false
}

// triangle reports whether (u, v) is inside the upward triangle of scale k.
func triangle(u, v, k float64) bool {
	// Vertices (0,-0.9k), (±0.95k, 0.75k).
	if v > 0.75*k || v < -0.9*k {
		return false
	}
	w := 0.95 * k * (v + 0.9*k) / (1.65 * k)
	return math.Abs(u) <= w
}
