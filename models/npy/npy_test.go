package npy_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/npy"
)

// rawFile builds a .npy file by hand, the way NumPy lays it out, so the
// reader is tested against bytes this package did not write.
func rawFile(t *testing.T, major byte, dict string, data []byte) string {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x93NUMPY")
	b.WriteByte(major)
	b.WriteByte(0)
	hdr := dict + "\n"
	if major == 1 {
		require.NoError(t, binary.Write(&b, binary.LittleEndian, uint16(len(hdr))))
	} else {
		require.NoError(t, binary.Write(&b, binary.LittleEndian, uint32(len(hdr))))
	}
	b.WriteString(hdr)
	b.Write(data)
	p := filepath.Join(t.TempDir(), "a.npy")
	require.NoError(t, os.WriteFile(p, b.Bytes(), 0o644))
	return p
}

func TestReadVersionsAndDTypes(t *testing.T) {
	tests := []struct {
		description string
		major       byte
		dict        string
		data        []byte
		wantShape   []int
		wantDType   npy.DType
		wantFortran bool
		wantData    []byte // in host (little-endian on the test machines) order
	}{
		{
			description: "v1 little-endian int16 2x3",
			major:       1,
			dict:        "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }",
			data:        []byte{1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 0xff, 0xff},
			wantShape:   []int{2, 3},
			wantDType:   npy.Int16Type,
			wantData:    []byte{1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 0xff, 0xff},
		},
		{
			description: "v2 big-endian int32 converted to host order",
			major:       2,
			dict:        "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }",
			data:        []byte{0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe},
			wantShape:   []int{2},
			wantDType:   npy.Int32Type,
			wantData:    []byte{1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff},
		},
		{
			description: "v3 utf-8 header, big-endian complex64 swaps each half",
			major:       3,
			dict:        "{'descr': '>c8', 'fortran_order': False, 'shape': (1,), }",
			data:        []byte{0x3f, 0x80, 0, 0, 0x40, 0, 0, 0}, // 1+2i
			wantShape:   []int{1},
			wantDType:   npy.DType{Kind: npy.Complex, Size: 8},
			wantData:    []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40},
		},
		{
			description: "bool, scalar shape, keys in another order, double quotes",
			major:       1,
			dict:        `{"shape": (), "fortran_order": False, "descr": "|b1"}`,
			data:        []byte{1},
			wantShape:   []int{},
			wantDType:   npy.BoolType,
			wantData:    []byte{1},
		},
		{
			description: "fortran order reported, bytes left as stored",
			major:       1,
			dict:        "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2), }",
			data:        []byte{1, 3, 2, 4},
			wantShape:   []int{2, 2},
			wantDType:   npy.Uint8Type,
			wantFortran: true,
			wantData:    []byte{1, 3, 2, 4},
		},
		{
			description: "big-endian float16 and a python 2 long in the shape",
			major:       1,
			dict:        "{'descr': '>f2', 'fortran_order': False, 'shape': (2L,), }",
			data:        []byte{0x3c, 0x00, 0xc0, 0x00}, // 1.0, -2.0
			wantShape:   []int{2},
			wantDType:   npy.Float16Type,
			wantData:    []byte{0x00, 0x3c, 0x00, 0xc0},
		},
		{
			description: "float64 and uint64",
			major:       1,
			dict:        "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }",
			data:        binary.BigEndian.AppendUint64(nil, math.Float64bits(-0.5)),
			wantShape:   []int{1},
			wantDType:   npy.Float64Type,
			wantData:    binary.LittleEndian.AppendUint64(nil, math.Float64bits(-0.5)),
		},
		{
			description: "zero-length array",
			major:       1,
			dict:        "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }",
			wantShape:   []int{0, 5},
			wantDType:   npy.Float32Type,
			wantData:    []byte{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			p := rawFile(t, tc.major, tc.dict, tc.data)
			a, err := npy.Read(p, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.wantShape, a.Shape)
			assert.Equal(t, tc.wantDType, a.DType)
			assert.Equal(t, tc.wantFortran, a.FortranOrder)
			assert.Equal(t, tc.wantData, a.Data)
			assert.Equal(t, tc.major, a.Major)
		})
	}
}

func TestReadIntoCallerBuffer(t *testing.T) {
	p := rawFile(t, 1, "{'descr': '|i1', 'fortran_order': False, 'shape': (4,), }", []byte{1, 2, 3, 4})
	buf := make([]byte, 0, 16)
	a, err := npy.Read(p, buf)
	require.NoError(t, err)
	assert.Equal(t, []byte{1, 2, 3, 4}, a.Data)
	assert.Same(t, &buf[:1][0], &a.Data[0], "the caller's buffer is used when it has room")
}

func TestKeepByteOrder(t *testing.T) {
	p := rawFile(t, 1, "{'descr': '>u2', 'fortran_order': False, 'shape': (1,), }", []byte{0x12, 0x34})
	f, err := npy.Open(p)
	require.NoError(t, err)
	defer f.Close()
	f.KeepByteOrder = true
	dst := make([]byte, 2)
	require.NoError(t, f.ReadData(dst))
	assert.Equal(t, []byte{0x12, 0x34}, dst)
	assert.True(t, f.OutDType().BigEndian)
}

func TestErrors(t *testing.T) {
	tests := []struct {
		description string
		content     []byte
		dict        string
		data        []byte
		want        error
	}{
		{description: "bad magic", content: []byte("PK\x03\x04not numpy at all"), want: npy.ErrBadMagic},
		{description: "empty file", content: []byte{}, want: npy.ErrBadMagic},
		{description: "unknown version", content: []byte("\x93NUMPY\x09\x00\x00\x00"), want: npy.ErrBadMagic},
		{description: "object dtype", dict: "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", want: npy.ErrUnsupportedDType},
		{description: "unicode dtype", dict: "{'descr': '<U5', 'fortran_order': False, 'shape': (1,), }", want: npy.ErrUnsupportedDType},
		{description: "structured dtype", dict: "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", want: npy.ErrUnsupportedDType},
		{description: "long double", dict: "{'descr': '<f16', 'fortran_order': False, 'shape': (1,), }", want: npy.ErrUnsupportedDType},
		{description: "missing shape", dict: "{'descr': '<i4', 'fortran_order': False, }", want: npy.ErrBadHeader},
		{description: "negative dim", dict: "{'descr': '<i4', 'fortran_order': False, 'shape': (-1,), }", want: npy.ErrBadHeader},
		{description: "garbage dict", dict: "not a dict", want: npy.ErrBadHeader},
		// 2⁶²+1 × 4 wraps to 4 in int64: the reader must not accept it as
		// a 4-element array.
		{description: "shape product overflows", dict: "{'descr': '|u1', 'fortran_order': False, 'shape': (4611686018427387905, 4), }", data: make([]byte, 4), want: npy.ErrBadHeader},
		{
			description: "data shorter than the header claims",
			dict:        "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
			data:        make([]byte, 11),
			want:        npy.ErrTruncated,
		},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			var p string
			if tc.content != nil {
				p = filepath.Join(t.TempDir(), "bad.npy")
				require.NoError(t, os.WriteFile(p, tc.content, 0o644))
			} else {
				p = rawFile(t, 1, tc.dict, tc.data)
			}
			_, err := npy.Read(p, nil)
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), p, "the error names the file")
		})
	}
}

func TestMissingFileNamesPath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.npy")
	_, err := npy.Read(p, nil)
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), p)
}

func TestWriteReadRoundTripAndAlignment(t *testing.T) {
	data := make([]byte, 2*3*4)
	for i := range data {
		data[i] = byte(i)
	}
	p := filepath.Join(t.TempDir(), "w.npy")
	require.NoError(t, npy.WriteFile(p, npy.Float32Type, []int{2, 3}, data))
	f, err := npy.Open(p)
	require.NoError(t, err)
	defer f.Close()
	assert.Zero(t, f.DataOffset%64, "data starts on a 64-byte boundary as NumPy writes it")
	assert.Equal(t, []int{2, 3}, f.Shape)
	got := make([]byte, f.DataSize())
	require.NoError(t, f.ReadData(got))
	assert.Equal(t, data, got)

	row := make([]byte, 12)
	require.NoError(t, f.ReadRows(row, 1))
	assert.Equal(t, data[12:], row)
	assert.Error(t, f.ReadRows(make([]byte, 24), 1), "rows past the end")
	assert.Error(t, f.ReadRows(make([]byte, 5), 0), "partial row")

	assert.Error(t, npy.WriteFile(p, npy.Float32Type, []int{2, 2}, data), "length must match the shape")
}

func TestWriteHeaderVersion2(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, npy.WriteHeader(&b, npy.Header{Major: 2, DType: npy.Int8Type, Shape: []int{7}}))
	h, err := npy.ReadHeader(&b)
	require.NoError(t, err)
	assert.Equal(t, byte(2), h.Major)
	assert.Equal(t, []int{7}, h.Shape)
	assert.Zero(t, h.DataOffset%64)
}

func TestFortranRowsRefused(t *testing.T) {
	p := rawFile(t, 1, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2), }", []byte{1, 3, 2, 4})
	f, err := npy.Open(p)
	require.NoError(t, err)
	defer f.Close()
	require.Error(t, f.ReadRows(make([]byte, 2), 0))
}

func TestParseDType(t *testing.T) {
	for _, s := range []string{"<i1", "|i1", "<u8", ">i8", "<f2", "<f4", "<f8", "<c16", "|b1"} {
		d, err := npy.ParseDType(s)
		require.NoError(t, err, s)
		assert.True(t, d.SameType(d.AsNative()))
	}
	d, err := npy.ParseDType(">f4")
	require.NoError(t, err)
	assert.Equal(t, ">f4", d.String())
	assert.False(t, d.Native())
}
