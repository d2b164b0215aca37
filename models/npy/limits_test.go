package npy_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/npy"
)

// A bad header of a megabyte is quoted by its start, not whole.
func TestBadHeaderIsQuotedShort(t *testing.T) {
	dict := "{'descr': '<f4', 'junk" + strings.Repeat("x", 1<<20) + "', }"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x02\x00")
	n := len(dict)
	b.Write([]byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)})
	b.WriteString(dict)
	_, err := npy.ReadHeader(&b)
	require.ErrorIs(t, err, npy.ErrBadHeader)
	assert.Less(t, len(err.Error()), 400, fmt.Sprintf("%.300s", err.Error()))
}
