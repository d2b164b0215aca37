package trt

import (
	"fmt"
	"strconv"
	"strings"
)

// DataType is a tensor element type; its values are nvinfer1::DataType's.
type DataType int32

// Data types (nvinfer1::DataType values; BF16 and later exist from TensorRT 9/10).
const (
	Float DataType = 0  // fp32
	Half  DataType = 1  // fp16
	Int8  DataType = 2  // int8
	Int32 DataType = 3  // int32
	Bool  DataType = 4  // bool
	Uint8 DataType = 5  // uint8
	FP8   DataType = 6  // fp8 (e4m3)
	BF16  DataType = 7  // bfloat16
	Int64 DataType = 8  // int64
	Int4  DataType = 9  // int4
	FP4   DataType = 10 // fp4 (e2m1)
	E8M0  DataType = 11 // 8-bit exponent scale
)

var dataTypeNames = []string{"fp32", "fp16", "int8", "int32", "bool", "uint8", "fp8", "bf16", "int64", "int4", "fp4", "e8m0"}

var dataTypeBits = []int{32, 16, 8, 32, 8, 8, 8, 16, 64, 4, 4, 8}

func (d DataType) String() string {
	if d >= 0 && int(d) < len(dataTypeNames) {
		return dataTypeNames[d]
	}
	return "datatype(" + strconv.Itoa(int(d)) + ")"
}

// Bits is the size of one element in bits, 0 for an unknown type.
func (d DataType) Bits() int {
	if d >= 0 && int(d) < len(dataTypeBits) {
		return dataTypeBits[d]
	}
	return 0
}

// ParseDataType reads a type name as String writes it; "float32", "float",
// "float16", "half" and "bfloat16" are accepted too.
func ParseDataType(s string) (DataType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "float32", "float":
		return Float, nil
	case "float16", "half":
		return Half, nil
	case "bfloat16":
		return BF16, nil
	}
	for i, n := range dataTypeNames {
		if strings.EqualFold(s, n) {
			return DataType(i), nil
		}
	}
	return 0, fmt.Errorf("unknown data type %q", s)
}

// MarshalText writes the name.
func (d DataType) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a name.
func (d *DataType) UnmarshalText(b []byte) error {
	v, err := ParseDataType(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Format is a tensor memory layout; its values are nvinfer1::TensorFormat's.
type Format int32

// Tensor formats (nvinfer1::TensorFormat values).
const (
	Linear    Format = 0  // row-major
	CHW2      Format = 1  // channels vectorized by 2
	HWC8      Format = 2  // channel-last, channels padded to 8
	CHW4      Format = 3  // channels vectorized by 4 (INT8 convolutions)
	CHW16     Format = 4  // channels vectorized by 16
	CHW32     Format = 5  // channels vectorized by 32 (INT8 tensor cores)
	DHWC8     Format = 6  // 3-D channel-last, channels padded to 8
	CDHW32    Format = 7  // 3-D, channels vectorized by 32
	HWC       Format = 8  // channel-last
	DLALinear Format = 9  // DLA row-major
	DLAHWC4   Format = 10 // DLA channel-last by 4
	HWC16     Format = 11 // channel-last, channels padded to 16
	DHWC      Format = 12 // 3-D channel-last
)

var formatNames = []string{"linear", "chw2", "hwc8", "chw4", "chw16", "chw32", "dhwc8", "cdhw32", "hwc", "dla_linear", "dla_hwc4", "hwc16", "dhwc"}

func (f Format) String() string {
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "format(" + strconv.Itoa(int(f)) + ")"
}

// ParseFormat reads a format name as String writes it.
func ParseFormat(s string) (Format, error) {
	for i, n := range formatNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Format(i), nil
		}
	}
	return 0, fmt.Errorf("unknown tensor format %q", s)
}

// MarshalText writes the name.
func (f Format) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads a name.
func (f *Format) UnmarshalText(b []byte) error {
	v, err := ParseFormat(string(b))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// IOMode says whether a tensor is an engine input or output; its values are
// nvinfer1::TensorIOMode's.
type IOMode int32

// IO modes.
const (
	ModeNone   IOMode = 0
	ModeInput  IOMode = 1
	ModeOutput IOMode = 2
)

func (m IOMode) String() string {
	switch m {
	case ModeInput:
		return "input"
	case ModeOutput:
		return "output"
	}
	return "none"
}

// MarshalText writes the name.
func (m IOMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads a name.
func (m *IOMode) UnmarshalText(b []byte) error {
	switch string(b) {
	case "input":
		*m = ModeInput
	case "output":
		*m = ModeOutput
	case "none":
		*m = ModeNone
	default:
		return fmt.Errorf("unknown io mode %q", b)
	}
	return nil
}

// Shape is a tensor's dimensions; -1 marks a dimension fixed only at run time
// (dynamic). gotrt treats dimension 0 of every IO tensor as the batch, as
// MLPerf engines are built.
type Shape []int64

// String writes the shape as 1x3x224x224 (-1 for dynamic dimensions).
func (s Shape) String() string {
	if len(s) == 0 {
		return "scalar"
	}
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.FormatInt(d, 10)
	}
	return strings.Join(parts, "x")
}

// Dynamic reports whether any dimension is -1.
func (s Shape) Dynamic() bool {
	for _, d := range s {
		if d < 0 {
			return true
		}
	}
	return false
}

// Volume is the number of elements; it fails for a dynamic shape.
func (s Shape) Volume() (int64, error) {
	v := int64(1)
	for _, d := range s {
		if d < 0 {
			return 0, fmt.Errorf("shape %v is dynamic", s)
		}
		v *= d
	}
	return v, nil
}

// WithBatch returns a copy of s whose dimension 0 is n.
func (s Shape) WithBatch(n int) Shape {
	c := append(Shape(nil), s...)
	if len(c) > 0 {
		c[0] = int64(n)
	}
	return c
}

// ParseShape reads a shape written as 1x3x224x224 (or with commas).
func ParseShape(s string) (Shape, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "scalar" {
		return Shape{}, nil
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == 'x' || r == ',' || r == 'X' })
	out := make(Shape, 0, len(fields))
	for _, f := range fields {
		d, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil || d < -1 {
			return nil, fmt.Errorf("bad shape %q: dimension %q", s, f)
		}
		out = append(out, d)
	}
	return out, nil
}

// IOTensor describes one input or output tensor of an engine.
type IOTensor struct {
	Name     string   `json:"name"`
	Mode     IOMode   `json:"mode"`
	DataType DataType `json:"dtype"`
	// Shape has -1 for dynamic dimensions; the profiles bound them.
	Shape  Shape  `json:"shape"`
	Format Format `json:"format"`
	// VectorizedDim is the dimension a vectorized format (CHW4, CHW32)
	// packs, -1 when the format is not vectorized.
	VectorizedDim int `json:"vectorized_dim"`
	// Components is the number of elements packed per vector (4 for CHW4), 1 otherwise.
	Components int `json:"components"`
	// OnHost is true for a tensor TensorRT reads or writes in host memory
	// (ICudaEngine::getTensorLocation kHOST: a shape tensor input, say); its
	// address is host memory and no copy to or from the GPU is made.
	OnHost bool `json:"on_host,omitempty"`
}

// Bytes is the size of the tensor's buffer for a concrete shape, with the
// vectorized dimension padded to a whole number of vectors.
func (t IOTensor) Bytes(shape Shape) (int64, error) {
	if t.DataType.Bits() == 0 {
		return 0, fmt.Errorf("tensor %s: unknown data type %v", t.Name, t.DataType)
	}
	padded := append(Shape(nil), shape...)
	if t.VectorizedDim >= 0 && t.VectorizedDim < len(padded) && t.Components > 1 {
		c := int64(t.Components)
		padded[t.VectorizedDim] = (padded[t.VectorizedDim] + c - 1) / c * c
	}
	v, err := padded.Volume()
	if err != nil {
		return 0, fmt.Errorf("tensor %s: %w", t.Name, err)
	}
	return (v*int64(t.DataType.Bits()) + 7) / 8, nil
}

// componentsPerElement reads getTensorComponentsPerElement together with
// getTensorVectorizedDim: a tensor that is not vectorized (dimension -1)
// holds 1 component per element, whatever the count says (TensorRT 10 and
// 11 return -1 for it, 8.6 returns 1); a vectorized one needs a count of at
// least 1.
func componentsPerElement(vectorizedDim, components int32) (int, error) {
	if vectorizedDim < 0 {
		return 1, nil
	}
	if components < 1 {
		return 0, newError("getTensorComponentsPerElement", CodeFailed,
			fmt.Sprintf("vectorized dimension %d but %d components per element", vectorizedDim, components))
	}
	return int(components), nil
}

// ProfileShapes is the range of shapes one optimization profile accepts for
// an input tensor.
type ProfileShapes struct {
	Name string `json:"name"`
	Min  Shape  `json:"min"`
	Opt  Shape  `json:"opt"`
	Max  Shape  `json:"max"`
}

// Profile is one optimization profile of an engine.
type Profile struct {
	Index  int             `json:"index"`
	Inputs []ProfileShapes `json:"inputs"`
}

// BatchRange is the smallest and largest batch (dimension 0) that every input
// of the profile accepts.
func (p Profile) BatchRange() (lo, hi int) {
	lo, hi = 1, -1
	for _, in := range p.Inputs {
		if len(in.Min) == 0 || len(in.Max) == 0 {
			continue
		}
		if int(in.Min[0]) > lo {
			lo = int(in.Min[0])
		}
		if hi < 0 || int(in.Max[0]) < hi {
			hi = int(in.Max[0])
		}
	}
	if hi < 0 {
		hi = 0
	}
	return lo, hi
}

// Version is a TensorRT version.
type Version struct {
	Major, Minor, Patch int
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// decodeLibVersion splits getInferLibVersion's number: major*1000 +
// minor*100 + patch before TensorRT 10, major*10000 + minor*100 + patch from 10.
func decodeLibVersion(v int32) Version {
	if v >= 100000 {
		return Version{Major: int(v / 10000), Minor: int(v % 10000 / 100), Patch: int(v % 100)}
	}
	return Version{Major: int(v / 1000), Minor: int(v % 1000 / 100), Patch: int(v % 100)}
}

// Severity is a TensorRT log severity (nvinfer1::ILogger::Severity).
type Severity int32

// Log severities, most severe first.
const (
	SeverityInternalError Severity = 0
	SeverityError         Severity = 1
	SeverityWarning       Severity = 2
	SeverityInfo          Severity = 3
	SeverityVerbose       Severity = 4
)
