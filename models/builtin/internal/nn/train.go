package nn

import (
	"math"
)

// TrainConfig sets up [Train].
type TrainConfig struct {
	Steps int     // optimiser steps
	Batch int     // samples per step
	LR    float64 // peak Adam learning rate, decayed by a cosine to 0
	// Sample renders training sample i into img and returns its label.
	Sample func(i int, img []byte) int32
	// Progress, if set, is called every few steps with the mean loss and
	// accuracy since the last call.
	Progress func(step int, loss, acc float64)
}

// Train fits n by Adam on fresh samples (step s uses samples
// [s·Batch, (s+1)·Batch)), single-threaded, so the result is a pure function
// of the initial weights and the config.
func Train(n *Net, cfg TrainConfig) {
	f := NewForward(n)
	b := newBackward(n)
	var m, v [4][2][]float32
	for i := range 4 {
		m[i] = [2][]float32{make([]float32, len(n.W[i])), make([]float32, len(n.B[i]))}
		v[i] = [2][]float32{make([]float32, len(n.W[i])), make([]float32, len(n.B[i]))}
	}
	img := make([]byte, Side*Side)
	prob := make([]float64, n.Classes)
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	var lossSum, accSum float64
	var seen int
	for step := range cfg.Steps {
		b.zero()
		for s := range cfg.Batch {
			label := cfg.Sample(step*cfg.Batch+s, img)
			act := f.Run(img)
			// Softmax cross-entropy in float64 for a stable loss.
			mx := float64(act.Out[Argmax(act.Out)])
			var sum float64
			for j, o := range act.Out {
				prob[j] = math.Exp(float64(o) - mx)
				sum += prob[j]
			}
			for j := range prob {
				prob[j] /= sum
				g := prob[j]
				if j == int(label) {
					g--
				}
				b.dOut[j] = float32(g / float64(cfg.Batch))
			}
			lossSum += -math.Log(max(prob[label], 1e-30))
			if Argmax(act.Out) == int(label) {
				accSum++
			}
			seen++
			b.run(f)
		}
		// Adam with bias correction and a cosine learning-rate decay.
		lr := cfg.LR * 0.5 * (1 + math.Cos(math.Pi*float64(step)/float64(cfg.Steps)))
		c1 := 1 - math.Pow(beta1, float64(step+1))
		c2 := 1 - math.Pow(beta2, float64(step+1))
		a := float32(lr * math.Sqrt(c2) / c1)
		for i := range 4 {
			for k, p := range [2][]float32{n.W[i], n.B[i]} {
				g := b.grad[i][k]
				mm, vv := m[i][k], v[i][k]
				for j := range p {
					mm[j] = beta1*mm[j] + (1-beta1)*g[j]
					vv[j] = beta2*vv[j] + (1-beta2)*g[j]*g[j]
					p[j] -= a * mm[j] / (float32(math.Sqrt(float64(vv[j]))) + eps)
				}
			}
		}
		if cfg.Progress != nil && ((step+1)%50 == 0 || step+1 == cfg.Steps) {
			cfg.Progress(step+1, lossSum/float64(seen), accSum/float64(seen))
			lossSum, accSum, seen = 0, 0, 0
		}
	}
}

type backward struct {
	net  *Net
	grad [4][2][]float32 // dW, dB per layer
	dOut []float32
	dIn  [4][]float32 // gradient w.r.t. each layer's input
	dPre [3][]float32
	dCol [3][]float32
}

func newBackward(n *Net) *backward {
	b := &backward{net: n, dOut: make([]float32, n.Classes)}
	for i, l := range n.Layers() {
		b.grad[i] = [2][]float32{make([]float32, l.K*l.N), make([]float32, l.N)}
		if i == 3 {
			b.dIn[i] = make([]float32, l.K)
		} else {
			b.dIn[i] = make([]float32, l.M*l.Cin)
			b.dPre[i] = make([]float32, l.M*l.N)
			b.dCol[i] = make([]float32, l.M*l.K)
		}
	}
	return b
}

func (b *backward) zero() {
	for i := range b.grad {
		clear(b.grad[i][0])
		clear(b.grad[i][1])
	}
}

// run accumulates the gradients of one sample whose forward pass is in f.
func (b *backward) run(f *Forward) {
	n := b.net
	ls := n.Layers()
	// FC: dW += xᵀ·dOut, dx = W·dOut.
	l := ls[3]
	x := f.act.In[3]
	for p, xv := range x {
		gw := b.grad[3][0][p*l.N : (p+1)*l.N]
		wr := n.W[3][p*l.N : (p+1)*l.N]
		var s float32
		for j, d := range b.dOut {
			gw[j] += xv * d
			s += wr[j] * d
		}
		b.dIn[3][p] = s
	}
	for j, d := range b.dOut {
		b.grad[3][1][j] += d
	}
	for i := 2; i >= 0; i-- {
		l := ls[i]
		// Unpool into the winners, then mask by ReLU (pre is post-ReLU).
		dp := b.dPre[i]
		clear(dp)
		for o, j := range f.idx[i] {
			dp[j] += b.dIn[i+1][o]
		}
		pre := f.pre[i]
		for j := range dp {
			if pre[j] <= 0 {
				dp[j] = 0
			}
		}
		gw, gb := b.grad[i][0], b.grad[i][1]
		col := f.col[i]
		for r := range l.M {
			drow := dp[r*l.N : (r+1)*l.N]
			for j, d := range drow {
				gb[j] += d
			}
			crow := col[r*l.K : (r+1)*l.K]
			for p, cv := range crow {
				if cv == 0 {
					continue
				}
				g := gw[p*l.N : (p+1)*l.N]
				for j, d := range drow {
					g[j] += cv * d
				}
			}
		}
		if i == 0 {
			break // the image needs no gradient
		}
		// dcol = dPre·Wᵀ, then col2im into the layer's input gradient.
		dc := b.dCol[i]
		w := n.W[i]
		for r := range l.M {
			drow := dp[r*l.N : (r+1)*l.N]
			out := dc[r*l.K : (r+1)*l.K]
			for p := range out {
				wr := w[p*l.N : (p+1)*l.N]
				var s float32
				for j, d := range drow {
					s += wr[j] * d
				}
				out[p] = s
			}
		}
		col2im(dc, l.Side, l.Cin, b.dIn[i])
	}
}

// col2im is the adjoint of Im2Col: it sums patch gradients back into dx.
func col2im(col []float32, side, c int, dx []float32) {
	clear(dx)
	k := 9 * c
	for y := range side {
		for xx := range side {
			row := col[(y*side+xx)*k : (y*side+xx+1)*k]
			o := 0
			for ky := -1; ky <= 1; ky++ {
				sy := y + ky
				for kx := -1; kx <= 1; kx++ {
					sx := xx + kx
					src := row[o : o+c]
					o += c
					if sy < 0 || sy >= side || sx < 0 || sx >= side {
						continue
					}
					d := dx[(sy*side+sx)*c : (sy*side+sx+1)*c]
					for i, v := range src {
						d[i] += v
					}
				}
			}
		}
	}
}
