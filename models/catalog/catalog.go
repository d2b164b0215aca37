package catalog

import (
	"errors"
	"fmt"
	"github.com/gotrt/gotrt/internal/bounded"
	"slices"
	"strings"
	"time"

	"github.com/gotrt/gotrt/runner/sut"
)

// DataType is a tensor element type, spelled as TensorRT's DataType names
// it in lower case.
type DataType string

// The element types of the catalogue's tensors.
const (
	Int8    DataType = "int8"
	Int32   DataType = "int32"
	Int64   DataType = "int64"
	Float16 DataType = "fp16"
	Float32 DataType = "fp32"
	Bool    DataType = "bool"
)

// Size is the element size in bytes (0 for an unknown type).
func (d DataType) Size() int {
	switch d {
	case Int8, Bool:
		return 1
	case Float16:
		return 2
	case Int32, Float32:
		return 4
	case Int64:
		return 8
	}
	return 0
}

// NpyDescr is the NumPy type string of the type, little-endian as NVIDIA's
// preprocessing writes it ("|i1", "<i4", "<f2", ...).
func (d DataType) NpyDescr() string {
	switch d {
	case Int8:
		return "|i1"
	case Bool:
		return "|b1"
	case Float16:
		return "<f2"
	case Int32:
		return "<i4"
	case Float32:
		return "<f4"
	case Int64:
		return "<i8"
	}
	return ""
}

// Format is a tensor memory layout, as TensorRT's TensorFormat.
type Format string

// The layouts of NVIDIA's v0.7 engines.
const (
	// Linear is row-major, the shape as given.
	Linear Format = "linear"
	// CHW4 stores channels in groups of four, innermost: C is padded to a
	// multiple of 4 and the bytes are [C/4][H][W][4].
	CHW4 Format = "chw4"
	// CHW32 groups channels by 32, as CHW4 by 4.
	CHW32 Format = "chw32"
	// DHWC8 stores a 3-D volume channel-innermost with C padded to 8.
	DHWC8 Format = "dhwc8"
)

// channelGroup is the vector width of a vectorised format, 0 for linear.
func (f Format) channelGroup() int {
	switch f {
	case CHW4:
		return 4
	case CHW32:
		return 32
	case DHWC8:
		return 8
	}
	return 0
}

// TensorSpec is one input or output tensor of a benchmark's engine. Shapes
// are per sample: the batch dimension is left out.
type TensorSpec struct {
	// Name is the engine's tensor name.
	Name string
	// DType is the element type of NVIDIA's v0.7 INT8 engine.
	DType DataType
	// Shape is the logical per-sample shape (C, H, W ... for images).
	Shape []int
	// Format is the layout NVIDIA's default v0.7 engine and preprocessing
	// use.
	Format Format
	// AltDTypes and AltFormats are further element types and layouts that
	// the benchmark's engines use on some systems (an FP16 BERT-99.9, a CHW4
	// ResNet50 input); CheckEngine accepts them.
	AltDTypes  []DataType
	AltFormats []Format
}

// Accepts reports whether an engine tensor of type d in layout f fits the
// spec.
func (s TensorSpec) Accepts(d DataType, f Format) bool {
	return (d == s.DType || slices.Contains(s.AltDTypes, d)) &&
		(f == s.Format || slices.Contains(s.AltFormats, f))
}

// Elements is the number of elements per sample in layout f, counting the
// padding a vectorised layout adds to the channel axis (axis 0).
func (s TensorSpec) Elements(f Format) int {
	n := 1
	for i, d := range s.Shape {
		if g := f.channelGroup(); i == 0 && g > 0 {
			d = (d + g - 1) / g * g
		}
		n *= d
	}
	return n
}

// SampleBytes is the size of one sample of the tensor in type d and layout f.
func (s TensorSpec) SampleBytes(d DataType, f Format) int { return s.Elements(f) * d.Size() }

// NpyShape is the per-sample array shape NVIDIA's preprocessing writes for
// layout f: the logical shape for linear data; for CHW4 the channel-padded
// image with channels moved last, (H, W, 4) for a 3-channel image, as its
// linear_to_chw4 does; for other vectorised layouts (C/g, rest..., g).
func (s TensorSpec) NpyShape(f Format) []int {
	g := f.channelGroup()
	if g == 0 || len(s.Shape) == 0 {
		return slices.Clone(s.Shape)
	}
	c := (s.Shape[0] + g - 1) / g * g
	if f == CHW4 && c == 4 {
		return append(slices.Clone(s.Shape[1:]), 4)
	}
	out := []int{c / g}
	out = append(out, s.Shape[1:]...)
	return append(out, g)
}

// Quality is a benchmark's accuracy target: a fraction of the FP32
// reference model's score.
type Quality struct {
	// Metric names the score, e.g. "top-1 accuracy (%)".
	Metric string
	// Reference is the FP32 reference score.
	Reference float64
	// Fraction is the share of Reference an implementation must reach
	// (0.99 or 0.999).
	Fraction float64
}

// Target is the score to reach: Reference × Fraction.
func (q Quality) Target() float64 { return q.Reference * q.Fraction }

// Entry is one benchmark of the catalogue.
type Entry struct {
	// ID is the benchmark id, e.g. "resnet50" or "bert-99.9".
	ID string
	// Model is the MLPerf model name in mlperf.conf ("resnet50",
	// "ssd-resnet34", "bert", "3d-unet"); settings are looked up by it.
	Model string
	// Task and Dataset describe the benchmark.
	Task, Dataset string
	// Inputs and Outputs are the engine's IO tensors, inputs in the order
	// the harness feeds them.
	Inputs, Outputs []TensorSpec
	// TotalSampleCount is the QSL size (the validation set).
	TotalSampleCount int
	// PerformanceSampleCount is the number of samples LoadGen keeps loaded
	// in performance mode (mlperf.conf's performance_sample_count_override).
	PerformanceSampleCount int
	// ServerLatency is the Server scenario's 99th percentile latency bound,
	// zero where the benchmark has no Server scenario.
	ServerLatency time.Duration
	// Quality is the accuracy target.
	Quality Quality
	// Datacenter and Edge are the scenarios the v0.7 rules require in each
	// division category.
	Datacenter, Edge []sut.Scenario
	// LogDType is the element type of a response in
	// mlperf_log_accuracy.json as NVIDIA's harness writes it (the --dtype
	// or --output_dtype of the accuracy script).
	LogDType DataType
}

// HasScenario reports whether the benchmark runs scenario s in either
// category.
func (e Entry) HasScenario(s sut.Scenario) bool {
	return slices.Contains(e.Datacenter, s) || slices.Contains(e.Edge, s)
}

// Sentinel errors.
var (
	// ErrUnknownModel: no catalogue entry has the id.
	ErrUnknownModel = errors.New("unknown benchmark")
	// ErrTensorMismatch: an engine tensor does not fit the catalogue.
	ErrTensorMismatch = errors.New("engine tensor does not match the catalogue")
)

// Lookup returns the entry with the given id (case-insensitive).
func Lookup(id string) (Entry, error) {
	for _, e := range entries() {
		if strings.EqualFold(e.ID, id) {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownModel, bounded.Quote(id), strings.Join(IDs(), ", "))
}

// All returns every entry, in catalogue order. The caller may modify the
// returned values.
func All() []Entry { return entries() }

// IDs returns the benchmark ids in catalogue order.
func IDs() []string {
	var ids []string
	for _, e := range entries() {
		ids = append(ids, e.ID)
	}
	return ids
}

var (
	dcServerOffline = []sut.Scenario{sut.Server, sut.Offline}
	dcOffline       = []sut.Scenario{sut.Offline}
	edgeVision      = []sut.Scenario{sut.SingleStream, sut.MultiStream, sut.Offline}
	edgeSingleOff   = []sut.Scenario{sut.SingleStream, sut.Offline}
)

// entries builds the catalogue afresh, so callers cannot alter it.
func entries() []Entry {
	bertIn := func(name string) TensorSpec {
		return TensorSpec{Name: name, DType: Int32, Shape: []int{384}, Format: Linear}
	}
	bert := func(id string, fraction float64) Entry {
		return Entry{
			ID: id, Model: "bert", Task: "question answering", Dataset: "SQuAD v1.1 dev",
			Inputs: []TensorSpec{bertIn("input_ids"), bertIn("segment_ids"), bertIn("input_mask")},
			Outputs: []TensorSpec{{Name: "cls_squad_logits", DType: Float16, Shape: []int{384, 2}, Format: Linear,
				AltDTypes: []DataType{Float32}}},
			TotalSampleCount: 10833, PerformanceSampleCount: 10833,
			ServerLatency: 130 * time.Millisecond,
			Quality:       Quality{Metric: "F1 score", Reference: 90.874, Fraction: fraction},
			Datacenter:    dcServerOffline, Edge: edgeSingleOff,
			LogDType: Float32,
		}
	}
	unet := func(id string, fraction float64) Entry {
		return Entry{
			ID: id, Model: "3d-unet", Task: "medical image segmentation", Dataset: "BraTS 2019 (fold 4 validation, 67 cases)",
			Inputs: []TensorSpec{{Name: "input", DType: Int8, Shape: []int{4, 224, 224, 160}, Format: Linear,
				AltDTypes: []DataType{Float16, Float32}, AltFormats: []Format{DHWC8}}},
			Outputs: []TensorSpec{{Name: "output", DType: Float16, Shape: []int{4, 224, 224, 160}, Format: Linear,
				AltDTypes: []DataType{Float32}}},
			TotalSampleCount: 67, PerformanceSampleCount: 16,
			Quality:    Quality{Metric: "mean DICE", Reference: 0.853, Fraction: fraction},
			Datacenter: dcOffline, Edge: edgeSingleOff,
			LogDType: Float16,
		}
	}
	return []Entry{
		{
			ID: "resnet50", Model: "resnet50", Task: "image classification", Dataset: "ImageNet 2012 validation",
			Inputs: []TensorSpec{{Name: "input_tensor_0", DType: Int8, Shape: []int{3, 224, 224}, Format: Linear,
				AltFormats: []Format{CHW4}}},
			Outputs:          []TensorSpec{{Name: "topk_layer_output_index", DType: Int32, Shape: []int{1}, Format: Linear}},
			TotalSampleCount: 50000, PerformanceSampleCount: 1024,
			ServerLatency: 15 * time.Millisecond,
			Quality:       Quality{Metric: "top-1 accuracy (%)", Reference: 76.46, Fraction: 0.99},
			Datacenter:    dcServerOffline, Edge: edgeVision,
			LogDType: Int32,
		},
		{
			ID: "ssd-resnet34", Model: "ssd-resnet34", Task: "object detection", Dataset: "COCO 2017 validation",
			Inputs: []TensorSpec{{Name: "input", DType: Int8, Shape: []int{3, 1200, 1200}, Format: Linear,
				AltFormats: []Format{CHW4}}},
			Outputs:          []TensorSpec{{Name: "NMS_0", DType: Float32, Shape: []int{200*7 + 1}, Format: Linear}},
			TotalSampleCount: 5000, PerformanceSampleCount: 64,
			ServerLatency: 100 * time.Millisecond,
			Quality:       Quality{Metric: "mAP", Reference: 0.20, Fraction: 0.99},
			Datacenter:    dcServerOffline, Edge: edgeVision,
			LogDType: Float32,
		},
		bert("bert-99", 0.99),
		bert("bert-99.9", 0.999),
		unet("3d-unet-99", 0.99),
		unet("3d-unet-99.9", 0.999),
	}
}
