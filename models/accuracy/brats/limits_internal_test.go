package brats

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/npy"
)

// A label volume whose header claims more than the padded volume is refused
// from its header, before its data is read: a sparse file is as large as it
// claims (issue 19).
func TestLabelsCheckTheShapeBeforeReading(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "case0.npy")
	f, err := os.Create(p)
	require.NoError(t, err)
	h := npy.Header{DType: npy.Float32Type, Shape: []int{1 << 10, 1 << 10, 1 << 10}} // 4 GiB
	require.NoError(t, npy.WriteHeader(f, h))
	off, err := f.Seek(0, 1)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(off+h.DataSize()))
	require.NoError(t, f.Close())
	start := time.Now()
	_, _, err = (&Truth{Dir: dir, Cases: []string{"case0"}}).labels(0)
	require.ErrorIs(t, err, ErrBadTruth)
	assert.Contains(t, err.Error(), "does not fit the padded")
	t.Logf("refused in %v", time.Since(start))
}
