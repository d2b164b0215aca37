package npy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gotrt/gotrt/internal/bounded"
)

// File is an open .npy file whose header has been read. It is not safe for
// concurrent use, except ReadRows, which reads at explicit offsets.
type File struct {
	Header
	// Path names the file in errors.
	Path string
	// KeepByteOrder leaves non-native data as stored; by default the read
	// methods convert it to the host's byte order.
	KeepByteOrder bool

	f    *os.File
	size int64
}

// Open opens a .npy file and parses its header. A file shorter than the
// header's data size is an error wrapping [ErrTruncated], found here from
// the file size, before any data is read.
func Open(path string) (*File, error) {
	// Only a regular file: a named pipe would block, a device has no size
	// to check the header against.
	f, st, err := bounded.OpenRegular(path, ".npy file")
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	h, err := ReadHeader(bufio.NewReaderSize(io.LimitReader(f, 1<<24+16), 4096))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("npy: %s: %w", path, err)
	}
	if have := st.Size() - h.DataOffset; have < h.DataSize() {
		f.Close()
		return nil, fmt.Errorf("npy: %s: %w: shape %v of %s needs %d bytes, file holds %d",
			path, ErrTruncated, h.Shape, h.DType, h.DataSize(), max(have, 0))
	}
	return &File{Header: h, Path: path, f: f, size: st.Size()}, nil
}

// Close closes the file; a second call is harmless.
func (f *File) Close() error {
	if f == nil || f.f == nil {
		return nil
	}
	err := f.f.Close()
	f.f = nil
	return err
}

// OutDType is the dtype of the bytes the read methods deliver: the stored
// dtype in the host's byte order, or as stored with KeepByteOrder.
func (f *File) OutDType() DType {
	if f.KeepByteOrder {
		return f.DType
	}
	return f.DType.AsNative()
}

// ReadData reads the whole data block into dst, whose length must be
// DataSize, with one positioned read.
func (f *File) ReadData(dst []byte) error {
	if int64(len(dst)) != f.DataSize() {
		return fmt.Errorf("npy: %s: buffer holds %d bytes, data is %d", f.Path, len(dst), f.DataSize())
	}
	return f.readAt(dst, f.DataOffset)
}

// RowSize is the number of bytes of one row, the sub-array at one index of
// the first axis, of a C-order array.
func (f *File) RowSize() int64 {
	if len(f.Shape) == 0 {
		return 0
	}
	n := int64(f.DType.Size)
	for _, d := range f.Shape[1:] {
		n *= int64(d)
	}
	return n
}

// ReadRows reads rows [first, first+len(dst)/RowSize) of the first axis into
// dst, whose length must be a multiple of RowSize. Rows are contiguous only
// in C order (or for a 1-D array), so a Fortran-order array of two or more
// dimensions is an error. ReadRows is safe for concurrent use.
func (f *File) ReadRows(dst []byte, first int) error {
	rs := f.RowSize()
	if len(f.Shape) == 0 || rs == 0 {
		return fmt.Errorf("npy: %s: shape %v has no rows", f.Path, f.Shape)
	}
	if f.FortranOrder && len(f.Shape) > 1 {
		return fmt.Errorf("npy: %s: rows of a fortran-order array of shape %v are not contiguous", f.Path, f.Shape)
	}
	if int64(len(dst))%rs != 0 {
		return fmt.Errorf("npy: %s: buffer of %d bytes is not a whole number of %d-byte rows", f.Path, len(dst), rs)
	}
	n := int64(len(dst)) / rs
	if first < 0 || int64(first)+n > int64(f.Shape[0]) {
		return fmt.Errorf("npy: %s: rows [%d, %d) outside the array's %d rows", f.Path, first, int64(first)+n, f.Shape[0])
	}
	return f.readAt(dst, f.DataOffset+int64(first)*rs)
}

func (f *File) readAt(dst []byte, off int64) error {
	if f.f == nil {
		return fmt.Errorf("npy: %s: %w", f.Path, os.ErrClosed)
	}
	n, err := f.f.ReadAt(dst, off)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("npy: %s: %w: read %d of %d bytes at offset %d", f.Path, ErrTruncated, n, len(dst), off)
		}
		return fmt.Errorf("npy: %s: %w", f.Path, err)
	}
	if !f.KeepByteOrder && !f.DType.Native() {
		swapBytes(dst, f.DType.swapUnit())
	}
	return nil
}

// Array is a whole .npy file in memory.
type Array struct {
	// Header describes Data; its DType is the delivered one (host byte
	// order unless read with KeepByteOrder).
	Header
	Data []byte
}

// MaxRead is the most data [Read] allocates for a file: the header's size
// is only checked against the file's, which a sparse file makes as large
// as it claims. Read a larger array a row at a time ([File.ReadRows]).
const MaxRead = 1 << 30

// Read reads the file at path into dst if it has room (cap(dst) ≥ the data
// size), or into a new buffer otherwise, converting the data to the host's
// byte order. A new buffer over [MaxRead] is an error wrapping
// bounded.ErrTooLarge.
func Read(path string, dst []byte) (*Array, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n := f.DataSize()
	if dst != nil && int64(cap(dst)) >= n {
		dst = dst[:n]
	} else {
		if n > MaxRead {
			return nil, fmt.Errorf("npy: %s: %w: shape %v of %s holds %d bytes, more than the %d read whole", path, bounded.ErrTooLarge, f.Shape, f.DType, n, int64(MaxRead))
		}
		dst = make([]byte, n)
	}
	if err := f.ReadData(dst); err != nil {
		return nil, err
	}
	h := f.Header
	h.DType = f.OutDType()
	return &Array{Header: h, Data: dst}, nil
}
