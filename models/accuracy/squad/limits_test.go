package squad

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The SQuAD readers refuse what is not their file at once, named.
func TestReadersBoundTheirInput(t *testing.T) {
	_, err := LoadVocab("/dev/zero")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/dev/zero")
	_, err = LoadDataset("/dev/zero")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/dev/zero")
}
