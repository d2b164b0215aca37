package gpu

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/builtin"
)

// TestLaunchShape checks the variant choice for the shared memory of T4
// (64 KiB per SM and per block), A100 (164 / 163 KiB), L4 (100 / 99) and
// H100/H200 (228 / 227).
func TestLaunchShape(t *testing.T) {
	for _, c := range []struct {
		name                 string
		want                 int
		sms, perBlock, perSM int
		spb, blocks          int
	}{
		{"t4", 0, 40, 64 << 10, 64 << 10, 2, 40},
		{"a100", 0, 108, 163 << 10, 164 << 10, 4, 216},
		{"l4", 0, 58, 99 << 10, 100 << 10, 2, 116},
		{"h200", 0, 132, 227 << 10, 228 << 10, 8, 264},
		{"h200 asked for 4", 4, 132, 227 << 10, 228 << 10, 4, 264},
		{"t4 asked for 8", 8, 40, 64 << 10, 64 << 10, 0, 0},
	} {
		s, b := launchShape(c.want, c.sms, c.perBlock, c.perSM)
		assert.Equal(t, c.spb, s, c.name)
		assert.Equal(t, c.blocks, b, c.name)
	}
}

// TestPackParamsChecksTheModel refuses a model of another shape.
func TestPackParamsChecksTheModel(t *testing.T) {
	m, err := builtin.Default()
	require.NoError(t, err)
	p := m.Int8()
	b, err := packParams(p)
	require.NoError(t, err)
	assert.Len(t, b, paramsSize)
	p.C2 = 48
	_, err = packParams(p)
	require.ErrorContains(t, err, "48")
	p = m.Int8()
	p.InQ[7]++
	_, err = packParams(p)
	require.ErrorContains(t, err, "pixel 7")
}

// TestOpenWithoutGPU: Open on a machine without a GPU (or without the cuda
// tag) fails with a reason, never panics.
func TestOpenWithoutGPU(t *testing.T) {
	if Built {
		t.Skip("cuda build: the device tests cover Open")
	}
	m, err := builtin.Default()
	require.NoError(t, err)
	_, err = Open(0, "gpu0", m)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cuda")
}
