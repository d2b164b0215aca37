package builtin

// Int8Params is the INT8 network exactly as the CPU executor runs it, for
// executors elsewhere (the GPU's, models/builtin/gpu) that must give the
// same bits. Every slice is a fresh copy.
type Int8Params struct {
	// C1, C2, C3 are the conv blocks' output channels; Classes the logits.
	C1, C2, C3, Classes int
	// InQ maps an input pixel to its INT8 activation: (p·127 + 127) / 255.
	InQ [256]uint8
	// W[i] is layer i's K×N int8 weight matrix, row-major. A conv's K is
	// ordered (ky, kx, cin) over the HWC input; the FC's K is the HWC
	// flattening (y, x, c) of the last 4×4×C3 feature map.
	W [4][]int8
	// Mult and QBias requantise conv layer i's 2×2-max-pooled int32 sum m
	// of channel c: q = clamp(int32(float32(float32(m)·Mult[i][c]) +
	// QBias[i][c] + 0.5), 0, 127), each operation rounded to float32.
	Mult, QBias [3][]float32
	// FCScale and FCBias make class c's logit from its int32 sum a:
	// float32(a)·FCScale[c] + FCBias[c] (two float32 roundings, no FMA);
	// the class is the first maximum.
	FCScale, FCBias []float32
}

// Int8 returns the model's INT8 parameters.
func (m *Model) Int8() Int8Params {
	p := Int8Params{C1: m.arch.C1, C2: m.arch.C2, C3: m.arch.C3, Classes: m.arch.Classes, InQ: m.inQ}
	for i, l := range m.layers {
		p.W[i], _ = quantizeWeights(l.K, l.N, m.ref.W[i])
	}
	for i := range 3 {
		p.Mult[i] = append([]float32(nil), m.mult[i]...)
		p.QBias[i] = append([]float32(nil), m.qbias[i]...)
	}
	p.FCScale = append([]float32(nil), m.fcScale...)
	p.FCBias = append([]float32(nil), m.bias[3]...)
	return p
}

// FP32Params returns copies of the FP32 reference weights and biases: W[i]
// is layer i's K×N matrix in [Int8Params.W]'s layout, B[i] its N biases.
// The FP32 input of pixel p is p/255.
func (m *Model) FP32Params() (w, b [4][]float32) {
	for i := range 4 {
		w[i] = append([]float32(nil), m.ref.W[i]...)
		b[i] = append([]float32(nil), m.ref.B[i]...)
	}
	return w, b
}
