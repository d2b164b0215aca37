package builtin

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/builtin/internal/dataset"
)

// TestPoolSIMDMatchesGo checks the SIMD epilogues against the portable loops
// bit for bit, including values that clamp at 0 and 127, and a padded output.
func TestPoolSIMDMatchesGo(t *testing.T) {
	if !useSIMD {
		t.Skip("no SIMD epilogue on this CPU: only the portable loops run")
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, tc := range []struct{ side, c, stride int }{{32, 16, 18}, {16, 32, 10}, {8, 64, 4}, {4, 8, 2}} {
		h := tc.side / 2
		acc := make([]int32, tc.side*tc.side*tc.c)
		accF := make([]float32, len(acc))
		for i := range acc {
			acc[i] = int32(r.IntN(40000) - 20000)
			accF[i] = float32(r.NormFloat64())
		}
		mult := make([]float32, tc.c)
		qb := make([]float32, tc.c)
		for i := range mult {
			mult[i] = float32(r.Float64() * 0.01)
			qb[i] = float32(r.NormFloat64() * 20)
		}
		n := (tc.stride*(h-1) + h) * tc.c
		got, want := make([]uint8, n), make([]uint8, n)
		poolRequant(acc, tc.side, tc.c, mult, qb, got, tc.stride)
		poolRequantGo(acc, tc.side, tc.c, mult, qb, want, tc.stride)
		require.Equal(t, want, got, "%+v", tc)
		require.Contains(t, got, uint8(127))
		gotF, wantF := make([]float32, n), make([]float32, n)
		poolBiasReLU(accF, tc.side, tc.c, qb, gotF, tc.stride)
		poolBiasReLUGo(accF, tc.side, tc.c, qb, wantF, tc.stride)
		for i := range gotF {
			require.Equal(t, math.Float32bits(wantF[i]), math.Float32bits(gotF[i]), "%+v at %d", tc, i)
		}
	}
}

// TestPortablePathGivesSameClasses runs the model with the SIMD epilogues
// switched off, so the portable path is covered on SIMD machines too.
func TestPortablePathGivesSameClasses(t *testing.T) {
	if !useSIMD {
		t.Skip("the portable path is the only path here")
	}
	m, err := Default()
	require.NoError(t, err)
	e, err := m.NewExecutor(INT8, 16)
	require.NoError(t, err)
	f, err := m.NewExecutor(FP32, 16)
	require.NoError(t, err)
	imgs := make([][]byte, 16)
	for i := range imgs {
		imgs[i] = make([]byte, InputSize)
		dataset.Render(m.seed, dataset.Test, i, imgs[i])
		copy(e.Input(i), imgs[i])
		copy(f.Input(i), imgs[i])
	}
	run := func() (a, b []byte) {
		_, err := e.Run(t.Context(), 16)
		require.NoError(t, err)
		_, err = f.Run(t.Context(), 16)
		require.NoError(t, err)
		return append([]byte(nil), e.out...), append([]byte(nil), f.out...)
	}
	simdI, simdF := run()
	useSIMD = false
	defer func() { useSIMD = true }()
	goI, goF := run()
	require.Equal(t, simdI, goI)
	require.Equal(t, simdF, goF)
}
