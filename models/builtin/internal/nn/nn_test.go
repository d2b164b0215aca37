package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGradientMatchesFiniteDifference checks backpropagation against central
// differences of the loss on a small network.
func TestGradientMatchesFiniteDifference(t *testing.T) {
	a := Arch{C1: 3, C2: 4, C3: 5, Classes: 4}
	n := New(a, 7)
	for i := range n.B {
		for j := range n.B[i] {
			n.B[i][j] = 0.05 // keep units active so ReLU kinks are rare
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	img := make([]byte, Side*Side)
	for i := range img {
		img[i] = byte(r.IntN(256))
	}
	const label = 2
	loss := func() float64 {
		out := NewForward(n).Run(img).Out
		mx := float64(out[Argmax(out)])
		var s float64
		for _, o := range out {
			s += math.Exp(float64(o) - mx)
		}
		return -(float64(out[label]) - mx - math.Log(s))
	}
	f := NewForward(n)
	act := f.Run(img)
	b := newBackward(n)
	mx := float64(act.Out[Argmax(act.Out)])
	var s float64
	for _, o := range act.Out {
		s += math.Exp(float64(o) - mx)
	}
	for j, o := range act.Out {
		g := math.Exp(float64(o)-mx) / s
		if j == label {
			g--
		}
		b.dOut[j] = float32(g)
	}
	b.run(f)
	for layer := range 4 {
		for _, j := range []int{0, len(n.W[layer]) / 2, len(n.W[layer]) - 1} {
			w := &n.W[layer][j]
			old := *w
			const h = 1e-3
			*w = old + h
			lp := loss()
			*w = old - h
			lm := loss()
			*w = old
			num := (lp - lm) / (2 * h)
			require.InDelta(t, num, float64(b.grad[layer][0][j]), 2e-3+0.05*math.Abs(num), "layer %d weight %d", layer, j)
		}
	}
}

func TestFromParamsRejectsBadInput(t *testing.T) {
	a := Arch{C1: 2, C2: 2, C3: 2, Classes: 3}
	_, err := FromParams(a, make([]float32, 5))
	require.ErrorContains(t, err, "parameters")
	p := make([]float32, a.ParamCount())
	p[0] = float32(math.NaN())
	_, err = FromParams(a, p)
	require.ErrorContains(t, err, "NaN")
	_, err = FromParams(Arch{}, nil)
	require.ErrorContains(t, err, "architecture")
}

// TestTrainingIsReproducible trains twice from one seed: the weights must be
// identical bit for bit, and training must lower the loss.
func TestTrainingIsReproducible(t *testing.T) {
	a := Arch{C1: 4, C2: 4, C3: 4, Classes: 3}
	train := func() (*Net, []float64) {
		n := New(a, 3)
		var losses []float64
		Train(n, TrainConfig{Steps: 100, Batch: 4, LR: 0.01,
			Sample: func(i int, img []byte) int32 {
				// Class c is a bright band at row 8+8c: learnable.
				clear(img)
				c := int32(i % 3)
				for x := range Side {
					img[(8+8*int(c))*Side+x] = 200
					img[((i*7)%Side)*Side+x] += 30
				}
				return c
			},
			Progress: func(_ int, loss, _ float64) { losses = append(losses, loss) }})
		return n, losses
	}
	n1, l1 := train()
	n2, l2 := train()
	require.Equal(t, n1.Params(), n2.Params())
	require.Equal(t, l1, l2)
	require.Less(t, l1[len(l1)-1], l1[0])
}
