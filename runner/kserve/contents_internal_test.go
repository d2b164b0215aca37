package kserve

import (
	"encoding/binary"
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
)

func le32(v ...uint32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return b
}

func le64(v ...uint64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, x)
	}
	return b
}

// Every typed contents field becomes the raw bytes raw_output_contents
// would carry; a value outside its datatype, a count other than the
// shape's, or a datatype without a field is an error.
func TestContentsBytesEveryField(t *testing.T) {
	for _, tc := range []struct {
		description string
		dt          string
		c           *pb.InferTensorContents
		n           int
		want        []byte
		bad         bool
	}{
		{"bool", "BOOL", &pb.InferTensorContents{BoolContents: []bool{true, false, true}}, 3, []byte{1, 0, 1}, false},
		{"uint8", "UINT8", &pb.InferTensorContents{UintContents: []uint32{0, 255}}, 2, []byte{0, 255}, false},
		{"uint8 past 255", "UINT8", &pb.InferTensorContents{UintContents: []uint32{256}}, 1, nil, true},
		{"uint16", "UINT16", &pb.InferTensorContents{UintContents: []uint32{0xBEEF}}, 1, []byte{0xEF, 0xBE}, false},
		{"uint32", "UINT32", &pb.InferTensorContents{UintContents: []uint32{math.MaxUint32}}, 1, le32(math.MaxUint32), false},
		{"uint64", "UINT64", &pb.InferTensorContents{Uint64Contents: []uint64{math.MaxUint64}}, 1, le64(math.MaxUint64), false},
		{"int8", "INT8", &pb.InferTensorContents{IntContents: []int32{-128, 127}}, 2, []byte{0x80, 0x7F}, false},
		{"int8 past 127", "INT8", &pb.InferTensorContents{IntContents: []int32{128}}, 1, nil, true},
		{"int16", "INT16", &pb.InferTensorContents{IntContents: []int32{-2}}, 1, []byte{0xFE, 0xFF}, false},
		{"int32", "INT32", &pb.InferTensorContents{IntContents: []int32{-1, 7}}, 2, le32(math.MaxUint32, 7), false},
		{"int64", "INT64", &pb.InferTensorContents{Int64Contents: []int64{-1}}, 1, le64(math.MaxUint64), false},
		{"fp32", "FP32", &pb.InferTensorContents{Fp32Contents: []float32{1.5}}, 1, le32(math.Float32bits(1.5)), false},
		{"fp64", "FP64", &pb.InferTensorContents{Fp64Contents: []float64{-2.25}}, 1, le64(math.Float64bits(-2.25)), false},
		{"bytes", "BYTES", &pb.InferTensorContents{BytesContents: [][]byte{[]byte("ab"), nil}}, 2, append(le32(2), 'a', 'b', 0, 0, 0, 0), false},
		{"fewer than the shape", "INT64", &pb.InferTensorContents{Int64Contents: []int64{1}}, 2, nil, true},
		{"wrong field", "INT64", &pb.InferTensorContents{IntContents: []int32{1}}, 1, nil, true},
		{"fp16 has no field", "FP16", &pb.InferTensorContents{}, 0, nil, true},
		{"nil contents", "INT32", nil, 1, nil, true},
	} {
		t.Run(tc.description, func(t *testing.T) {
			got, err := pb.ContentsBytes(tc.dt, tc.c, tc.n)
			if tc.bad {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// Integer class ids of any width become the scorer's INT32 when they fit,
// and are refused, naming the value, when they do not.
func TestConvertIntsRangeChecked(t *testing.T) {
	for _, tc := range []struct {
		description string
		from, to    string
		src         []byte
		want        []byte
		bad         bool
	}{
		{"int64 to int32", "INT64", "INT32", le64(5, uint64(1<<64-3)), le32(5, uint32(1<<32-3)), false},
		{"int64 past int32", "INT64", "INT32", le64(1 << 31), nil, true},
		{"int64 below int32", "INT64", "INT32", le64(uint64(1<<64 - 1<<31 - 1)), nil, true},
		{"int64 lowest int32", "INT64", "INT32", le64(uint64(1<<64 - 1<<31)), le32(1 << 31), false},
		{"uint8 to int32", "UINT8", "INT32", []byte{200}, le32(200), false},
		{"int8 to int32 sign-extends", "INT8", "INT32", []byte{0xFF}, le32(math.MaxUint32), false},
		{"uint64 past int64", "UINT64", "INT64", le64(1 << 63), nil, true},
		{"uint32 past int32", "UINT32", "INT32", le32(1 << 31), nil, true},
		{"int32 negative to uint8", "INT32", "UINT8", le32(math.MaxUint32), nil, true},
		{"int16 to uint64", "INT16", "UINT64", []byte{1, 0}, le64(1), false},
		{"int64 negative to uint64", "INT64", "UINT64", le64(math.MaxUint64), nil, true},
	} {
		t.Run(tc.description, func(t *testing.T) {
			got, err := convertInts(nil, tc.src, tc.from, tc.to)
			if tc.bad {
				require.ErrorIs(t, err, errRange)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// JSON data, flat or nested, keeps 64-bit integers exact and reads the
// forms Python's json writes.
func TestJSONContents(t *testing.T) {
	c, err := jsonContents("INT64", []byte(` [[9007199254740993], [-4] ,[3.0]]`), 3)
	require.NoError(t, err)
	assert.Equal(t, []int64{9007199254740993, -4, 3}, c.GetInt64Contents())
	c, err = jsonContents("UINT64", []byte(`[18446744073709551615]`), 1)
	require.NoError(t, err)
	assert.Equal(t, []uint64{math.MaxUint64}, c.GetUint64Contents())
	c, err = jsonContents("FP32", []byte(`[NaN, Infinity, -Infinity, 1e-3]`), 4)
	require.NoError(t, err)
	require.Len(t, c.GetFp32Contents(), 4)
	assert.True(t, math.IsNaN(float64(c.GetFp32Contents()[0])))
	c, err = jsonContents("BYTES", []byte(`["a\"b", ""]`), 2)
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte(`a"b`), {}}, c.GetBytesContents())
	c, err = jsonContents("BOOL", []byte(`[true,false]`), 2)
	require.NoError(t, err)
	assert.Equal(t, []bool{true, false}, c.GetBoolContents())
	for _, bad := range []struct{ dt, data string }{
		{"INT32", `[1,2,3]`}, {"INT32", `[1]`}, {"INT32", `1`}, {"INT32", `[1.5, 2]`}, {"INT32", `[[1, 2]`},
		{"INT32", `[1, 2]]`}, {"INT32", `["1", 2]`}, {"BOOL", `[1, 0]`}, {"UINT8", `[-1, 0]`}, {"INT32", `[4294967296, 0]`},
		{"FP16", `[1, 2]`}, {"BYTES", `["a, "b"]`},
	} {
		_, err := jsonContents(bad.dt, []byte(bad.data), 2)
		assert.Error(t, err, "%s %s", bad.dt, bad.data)
	}
}

// A binary answer's header length and sizes are checked against the body.
func TestDecodeAnswer(t *testing.T) {
	hdr := `{"outputs":[{"name":"y","datatype":"INT32","shape":[2,1],"parameters":{"binary_data_size":8}}]}`
	body := append([]byte(hdr), le32(3, 4)...)
	r, err := decodeAnswer(strconv.Itoa(len(hdr)), body)
	require.NoError(t, err)
	assert.Equal(t, [][]byte{le32(3, 4)}, r.GetRawOutputContents())

	js := `{"outputs":[{"name":"y","datatype":"INT64","shape":[2],"data":[3,4]}]}`
	r, err = decodeAnswer("", []byte(js))
	require.NoError(t, err)
	assert.Equal(t, [][]byte{le64(3, 4)}, r.GetRawOutputContents())

	for _, bad := range []struct{ hdr, body string }{
		{"-1", hdr}, {"x", hdr}, {strconv.Itoa(len(body) + 1), string(body)},
		{strconv.Itoa(len(hdr)), hdr + "\x01\x02"}, // binary_data_size past the body
		{strconv.Itoa(len(hdr)), string(body) + "extra"},
		{"", `{"outputs":[{"name":"y","datatype":"INT32","shape":[-1],"data":[]}]}`},
		{"", `{"outputs":[{"name":"y","datatype":"INT32","shape":[2],"data":[1]}]}`},
		{"", `not json`},
	} {
		_, err := decodeAnswer(bad.hdr, []byte(bad.body))
		assert.Error(t, err, "%q %q", bad.hdr, bad.body)
	}
}

// A hostile answer never panics the client, and what it accepts has the
// bytes its shape says.
func FuzzDecodeAnswer(f *testing.F) {
	hdr := `{"outputs":[{"name":"y","datatype":"INT32","shape":[2,1],"parameters":{"binary_data_size":8}}]}`
	f.Add(strconv.Itoa(len(hdr)), append([]byte(hdr), le32(3, 4)...))
	f.Add("", []byte(`{"outputs":[{"name":"y","datatype":"INT64","shape":[2],"data":[[3],[4]]}]}`))
	f.Add("", []byte(`{"outputs":[{"name":"y","datatype":"BYTES","shape":[1],"data":["x"]}]}`))
	f.Fuzz(func(t *testing.T, h string, body []byte) {
		r, err := decodeAnswer(h, body)
		if err != nil {
			return
		}
		for i, o := range r.GetOutputs() {
			size := pb.DatatypeSize(o.GetDatatype())
			if size == 0 || o.GetParameters() != nil {
				continue
			}
			n := 1
			for _, d := range o.GetShape() {
				n *= int(d)
			}
			if len(r.GetRawOutputContents()[i]) != n*size && len(body) > 0 && h == "" {
				t.Fatalf("output %d: %d bytes for shape %v of %s", i, len(r.GetRawOutputContents()[i]), o.GetShape(), o.GetDatatype())
			}
		}
	})
}

// A model whose outputs' metadata is vast bounds its answers by the product
// or past it, never at a product wrapped past int (negative: every answer
// refused).
func TestAnswerLimitDoesNotWrap(t *testing.T) {
	for _, outAll := range []int{1, 1 << 20, math.MaxInt / 16, math.MaxInt} {
		c := &Client{outAll: outAll}
		for _, n := range []int{1, 64, 4096} {
			l := c.answerLimit(n)
			assert.Positive(t, l, "outAll %d, n %d", outAll, n)
			assert.GreaterOrEqual(t, float64(l), min(float64(n)*float64(outAll), math.MaxInt32), "outAll %d, n %d", outAll, n)
		}
	}
}
