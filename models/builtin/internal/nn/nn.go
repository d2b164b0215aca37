// Package nn is the built-in model's FP32 reference: the network definition,
// a plain single-threaded forward pass and its training by Adam. Its loops
// are the project's own, not the kernels package's, so that training and the
// reference accuracy never change when the kernels get faster: the committed
// weights stay reproducible bit for bit from the seed.
//
// Tensors are HWC (channels last). A convolution weight is a K×F row-major
// matrix with K ordered (ky, kx, cin), which is the column order of [Im2Col],
// so inference is im2col followed by one GEMM.
package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Side is the input image side; the network takes Side×Side×1.
const Side = 32

// Arch is the network's shape: three blocks of conv3×3 (pad 1) → ReLU →
// maxpool 2×2 with C1, C2, C3 channels, then a fully connected layer from the
// 4×4×C3 feature map to Classes logits.
type Arch struct {
	C1, C2, C3, Classes int
}

// DefaultArch is the built-in model.
var DefaultArch = Arch{C1: 16, C2: 32, C3: 64, Classes: 12}

// Layer describes one GEMM layer: the input side and channels, and the GEMM
// shape M×K·K×N per sample.
type Layer struct {
	Side, Cin, Cout int // Side == 0 for the FC layer
	M, K, N         int
}

// Layers lists the four GEMM layers.
func (a Arch) Layers() [4]Layer {
	return [4]Layer{
		{Side: 32, Cin: 1, Cout: a.C1, M: 32 * 32, K: 9, N: a.C1},
		{Side: 16, Cin: a.C1, Cout: a.C2, M: 16 * 16, K: 9 * a.C1, N: a.C2},
		{Side: 8, Cin: a.C2, Cout: a.C3, M: 8 * 8, K: 9 * a.C2, N: a.C3},
		{Side: 0, Cin: 16 * a.C3, Cout: a.Classes, M: 1, K: 16 * a.C3, N: a.Classes},
	}
}

// Validate checks that the shape is usable.
func (a Arch) Validate() error {
	if a.C1 <= 0 || a.C2 <= 0 || a.C3 <= 0 || a.Classes < 2 || a.C1 > 1024 || a.C2 > 1024 || a.C3 > 1024 || a.Classes > 1<<16 {
		return fmt.Errorf("bad architecture %+v", a)
	}
	return nil
}

// ParamCount is the number of float32 parameters.
func (a Arch) ParamCount() int {
	n := 0
	for _, l := range a.Layers() {
		n += l.K*l.N + l.N
	}
	return n
}

// Net holds the parameters: W[i] is layer i's K×N weight matrix and B[i] its
// N biases.
type Net struct {
	Arch
	W, B [4][]float32
}

// New returns a network with He-initialised weights drawn from seed.
func New(a Arch, seed uint64) *Net {
	n := &Net{Arch: a}
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	for i, l := range a.Layers() {
		n.W[i] = make([]float32, l.K*l.N)
		n.B[i] = make([]float32, l.N)
		std := math.Sqrt(2 / float64(l.K))
		for j := range n.W[i] {
			n.W[i][j] = float32(r.NormFloat64() * std)
		}
	}
	return n
}

// FromParams builds a network from the flat parameter list written by
// [Net.Params].
func FromParams(a Arch, p []float32) (*Net, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if len(p) != a.ParamCount() {
		return nil, fmt.Errorf("%d parameters, architecture %+v needs %d", len(p), a, a.ParamCount())
	}
	n := &Net{Arch: a}
	for i, l := range a.Layers() {
		n.W[i], p = p[:l.K*l.N:l.K*l.N], p[l.K*l.N:]
		n.B[i], p = p[:l.N:l.N], p[l.N:]
	}
	for _, w := range n.W {
		for _, v := range w {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, errors.New("parameter is NaN or Inf")
			}
		}
	}
	return n, nil
}

// Params returns the parameters as one flat list: W0, B0, W1, B1, ...
func (n *Net) Params() []float32 {
	var p []float32
	for i := range 4 {
		p = append(p, n.W[i]...)
		p = append(p, n.B[i]...)
	}
	return p
}

// Im2Col writes the 3×3, pad 1 patches of the side×side×c HWC tensor x into
// col, one row of 9c values per output pixel, zero outside the image.
func Im2Col[T any](x []T, side, c int, col []T) {
	var zero T
	k := 9 * c
	for y := range side {
		for xx := range side {
			row := col[(y*side+xx)*k : (y*side+xx+1)*k]
			o := 0
			for ky := -1; ky <= 1; ky++ {
				sy := y + ky
				for kx := -1; kx <= 1; kx++ {
					sx := xx + kx
					dst := row[o : o+c]
					o += c
					if sy < 0 || sy >= side || sx < 0 || sx >= side {
						for i := range dst {
							dst[i] = zero
						}
						continue
					}
					copy(dst, x[(sy*side+sx)*c:(sy*side+sx+1)*c])
				}
			}
		}
	}
}

// MaxPool2 pools the side×side×c HWC tensor x 2×2 into out ((side/2)²×c).
func MaxPool2[T int8 | uint8 | float32](x []T, side, c int, out []T) {
	h := side / 2
	for y := range h {
		for xx := range h {
			a := x[((2*y)*side+2*xx)*c:][:c]
			b := x[((2*y)*side+2*xx+1)*c:][:c]
			d := x[((2*y+1)*side+2*xx)*c:][:c]
			e := x[((2*y+1)*side+2*xx+1)*c:][:c]
			o := out[(y*h+xx)*c:][:c]
			for i := range o {
				o[i] = max(a[i], b[i], d[i], e[i])
			}
		}
	}
}

// matmulBias computes y = a·w + b (m×k · k×n), optionally with ReLU.
func matmulBias(m, k, n int, a, w, b, y []float32, relu bool) {
	for i := range m {
		out := y[i*n : (i+1)*n]
		copy(out, b)
		row := a[i*k : (i+1)*k]
		for p, av := range row {
			if av == 0 {
				continue
			}
			wr := w[p*n : (p+1)*n]
			for j := range out {
				out[j] += av * wr[j]
			}
		}
		if relu {
			for j, v := range out {
				if v < 0 {
					out[j] = 0
				}
			}
		}
	}
}

// Activations are the tensors of one forward pass that INT8 calibration
// looks at: the inputs of layers 1, 2 and 3 (pooled, post-ReLU).
type Activations struct {
	In  [4][]float32 // In[i] is layer i's input (In[0] the image in [0,1])
	Out []float32    // logits
}

// Forward is a reusable forward pass; it is not safe for concurrent use.
type Forward struct {
	net *Net
	act Activations
	col [3][]float32
	pre [3][]float32 // conv outputs after ReLU, before pooling
	idx [3][]int32   // argmax of each pooled value, for training
	x0  []float32
}

// NewForward allocates the buffers of a forward pass.
func NewForward(n *Net) *Forward {
	f := &Forward{net: n}
	ls := n.Layers()
	for i, l := range ls {
		if i == 3 {
			f.act.In[i] = make([]float32, l.K)
		} else {
			f.act.In[i] = make([]float32, l.M*l.Cin)
			f.col[i] = make([]float32, l.M*l.K)
			f.pre[i] = make([]float32, l.M*l.N)
			f.idx[i] = make([]int32, l.M/4*l.N)
		}
	}
	f.act.Out = make([]float32, n.Classes)
	return f
}

// Run classifies one image (Side² pixels) and returns the activations, valid
// until the next call.
func (f *Forward) Run(img []byte) *Activations {
	for i, p := range img[:Side*Side] {
		f.act.In[0][i] = float32(p) / 255
	}
	f.runFrom()
	return &f.act
}

func (f *Forward) runFrom() {
	n := f.net
	ls := n.Layers()
	for i := range 3 {
		l := ls[i]
		Im2Col(f.act.In[i], l.Side, l.Cin, f.col[i])
		matmulBias(l.M, l.K, l.N, f.col[i], n.W[i], n.B[i], f.pre[i], true)
		poolArg(f.pre[i], l.Side, l.N, f.act.In[i+1], f.idx[i])
	}
	l := ls[3]
	matmulBias(1, l.K, l.N, f.act.In[3], n.W[3], n.B[3], f.act.Out, false)
}

// poolArg is MaxPool2 that also records which input won.
func poolArg(x []float32, side, c int, out []float32, idx []int32) {
	h := side / 2
	for y := range h {
		for xx := range h {
			for ch := range c {
				best, bi := float32(-1), int32(0)
				for dy := range 2 {
					for dx := range 2 {
						j := int32(((2*y+dy)*side+2*xx+dx)*c + ch)
						if x[j] > best {
							best, bi = x[j], j
						}
					}
				}
				o := (y*h+xx)*c + ch
				out[o], idx[o] = best, bi
			}
		}
	}
}

// Argmax returns the index of the largest value, the first on ties.
func Argmax(v []float32) int {
	b := 0
	for i, x := range v {
		if x > v[b] {
			b = i
		}
	}
	return b
}
