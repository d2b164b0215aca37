package coco

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An annotation file that is not JSON fails at its first byte, named,
// without being read whole (it used to be read into memory first).
func TestLoadAnnotationsStreamsWithALimit(t *testing.T) {
	_, err := LoadAnnotations("/dev/zero")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/dev/zero")
	assert.Contains(t, err.Error(), "invalid character")
}
