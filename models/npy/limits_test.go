package npy_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/bounded"
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

// sparseNpy writes a .npy whose header claims shape and whose data is a
// hole of that size: as large as it claims, costing no disk.
func sparseNpy(t *testing.T, shape []int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sparse.npy")
	f, err := os.Create(p)
	require.NoError(t, err)
	h := npy.Header{DType: npy.Float32Type, Shape: shape}
	require.NoError(t, npy.WriteHeader(f, h))
	off, err := f.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(off+h.DataSize()))
	require.NoError(t, f.Close())
	return p
}

// A sparse file passes the header's size check; Read still refuses to
// allocate more than MaxRead for it (issue 19), and a named pipe is
// refused by kind.
func TestReadBoundsWhatItAllocates(t *testing.T) {
	p := sparseNpy(t, []int{1 << 20, 1 << 10}) // 4 GiB of float32
	_, err := npy.Read(p, nil)
	require.ErrorIs(t, err, bounded.ErrTooLarge)
	assert.Contains(t, err.Error(), p)
	f, err := npy.Open(p)
	require.NoError(t, err, "the array may still be read a row at a time")
	row := make([]byte, f.RowSize())
	require.NoError(t, f.ReadRows(row, 1<<19))
	require.NoError(t, f.Close())

	fifo := filepath.Join(t.TempDir(), "fifo.npy")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	_, err = npy.Open(fifo)
	require.ErrorIs(t, err, bounded.ErrNotRegular)
}
