package coco

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/bounded"
)

// An annotation file that is not JSON fails at its first byte, named,
// without being read whole (it used to be read into memory first); one that
// is not a regular file is refused by kind.
func TestLoadAnnotationsStreamsWithALimit(t *testing.T) {
	_, err := LoadAnnotations("/dev/zero")
	require.ErrorIs(t, err, bounded.ErrNotRegular)
	assert.Contains(t, err.Error(), "/dev/zero")
	p := filepath.Join(t.TempDir(), "instances_val2017.json")
	require.NoError(t, os.WriteFile(p, make([]byte, 4096), 0o644))
	_, err = LoadAnnotations(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), p)
	assert.Contains(t, err.Error(), "invalid character")
}
