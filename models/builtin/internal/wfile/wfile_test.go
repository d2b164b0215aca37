package wfile

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/builtin/internal/nn"
)

func TestRoundTrip(t *testing.T) {
	a := nn.Arch{C1: 2, C2: 3, C3: 4, Classes: 5}
	f := &File{Arch: a, Seed: 9, Steps: 10, Batch: 4, LR: 0.01, TestTop1: 0.5, TestCount: 100,
		Thresholds: [4]float32{1, 2, 3, 4}, Params: nn.New(a, 1).Params()}
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, f))
	g, err := Decode(buf.Bytes())
	require.NoError(t, err)
	require.Equal(t, f, g)
	var again bytes.Buffer
	require.NoError(t, Encode(&again, g))
	require.Equal(t, buf.Bytes(), again.Bytes(), "encoding is reproducible")
}

func TestDecodeRejectsBadThreshold(t *testing.T) {
	a := nn.Arch{C1: 2, C2: 3, C3: 4, Classes: 5}
	f := &File{Arch: a, Thresholds: [4]float32{1, 0, 3, 4}, Params: nn.New(a, 1).Params()}
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, f))
	_, err := Decode(buf.Bytes())
	require.ErrorIs(t, err, ErrCorrupt)
	require.ErrorContains(t, err, "threshold")
}
