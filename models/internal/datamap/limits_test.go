package datamap_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/internal/datamap"
)

// A data map that is not one (/dev/zero, a huge line) fails at once with a
// named error, never reading without bound.
func TestReadBoundsItsInput(t *testing.T) {
	_, err := datamap.Read("/dev/zero", 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/dev/zero")

	p := filepath.Join(t.TempDir(), "val_map.txt")
	require.NoError(t, os.WriteFile(p, []byte(strings.Repeat("x", 60<<10)+"\n"), 0o644))
	_, err = datamap.Read(p, 2)
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 300, "the bad line is quoted by its start")
	assert.Contains(t, err.Error(), p+":1")
}
