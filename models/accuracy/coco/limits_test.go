package coco

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// A small file of many categories would make COCOeval's tables huge: it is
// refused with the count (issue 19).
func TestLoadAnnotationsBoundsTheCategories(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"images": [], "annotations": [], "categories": [`)
	for i := range MaxCategories + 1 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id": %d}`, i)
	}
	b.WriteString("]}")
	p := filepath.Join(t.TempDir(), "instances.json")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o644))
	_, err := LoadAnnotations(p)
	require.ErrorIs(t, err, bounded.ErrTooLarge)
	assert.Contains(t, err.Error(), "2049 categories, more than the 2048 scored")
}
