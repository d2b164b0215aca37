package trainer

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBuildReproducesCommittedWeights retrains the model from its seed and
// compares with the committed file byte for byte. It takes minutes on one
// core, so it runs only when GOTRT_TEST_RETRAIN=1.
func TestBuildReproducesCommittedWeights(t *testing.T) {
	if os.Getenv("GOTRT_TEST_RETRAIN") != "1" {
		t.Skip("set GOTRT_TEST_RETRAIN=1 to retrain (minutes) and compare with weights.bin.gz")
	}
	want, err := os.ReadFile("../../weights.bin.gz")
	require.NoError(t, err)
	got, err := Build(Default, t.Logf)
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func TestBuildRejectsBadConfig(t *testing.T) {
	_, err := Build(Config{Steps: 0, Batch: 1, LR: 1, CalibN: 1, TestN: 1}, nil)
	require.ErrorContains(t, err, "bad training config")
}

// TestBuildSmallRunIsReproducible builds twice with a tiny config.
func TestBuildSmallRunIsReproducible(t *testing.T) {
	cfg := Config{Seed: 5, Steps: 3, Batch: 2, LR: 1e-3, CalibN: 4, TestN: 4}
	a, err := Build(cfg, nil)
	require.NoError(t, err)
	b, err := Build(cfg, nil)
	require.NoError(t, err)
	require.Equal(t, a, b)
}
