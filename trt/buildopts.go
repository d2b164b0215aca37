package trt

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// BuildOptions says how [Builder.BuildONNX] turns an ONNX model into a plan.
type BuildOptions struct {
	// Workspace caps TensorRT's scratch memory in bytes; 0 keeps TensorRT's
	// default (the GPU's memory).
	Workspace int64
	// FP16 and INT8 allow those precisions (TensorRT 8.6 and 10.x).
	FP16, INT8 bool
	// CalibrationCache is the path of an INT8 calibration cache (as MLPerf
	// ships them); INT8 needs one. TensorRT 11 has no calibrators: there
	// INT8 comes from an explicitly quantized ONNX model instead.
	CalibrationCache string
	// MaxBatch gives inputs whose only dynamic dimension is the batch
	// (dimension 0) a profile of 1..MaxBatch with MaxBatch optimal.
	MaxBatch int
	// Shapes gives the profile of named inputs explicitly (trtexec's
	// --minShapes/--optShapes/--maxShapes); it wins over MaxBatch.
	Shapes []ProfileShapes
	// LayerNamesOnly keeps TensorRT's default profiling verbosity. Otherwise
	// the plan records detailed layer information, so that `gotrt inspect`
	// can show each layer's precision.
	LayerNamesOnly bool
	// Inputs sets network inputs' data type and allowed formats before the
	// build, as NVIDIA's harness does for its INT8 ResNet-50 (an int8 input
	// in CHW4): without it, a plan built from MLPerf's resnet50_v1.onnx keeps
	// an fp32 linear input that the catalogue refuses. [InputsFor] derives
	// them from what a model feeds.
	Inputs []InputOptions
	// Warn receives warnings the build finds before TensorRT runs (a
	// calibration cache of another TensorRT version); nil prints them to
	// standard error.
	Warn func(msg string)
}

// warn passes a warning to o.Warn, or prints it to standard error.
func (o BuildOptions) warn(msg string) {
	if o.Warn != nil {
		o.Warn(msg)
		return
	}
	fmt.Fprintf(os.Stderr, "gotrt: warning: %s\n", msg)
}

// InputOptions is what a build sets on one network input.
type InputOptions struct {
	// Name is the input's name in the ONNX model.
	Name string
	// DataType is the element type the engine's input takes. TensorRT 11
	// networks are strongly typed: there it must be the model's own.
	DataType DataType
	// Formats lists the layouts TensorRT may choose for the input; empty
	// allows any.
	Formats []Format
}

// formatMask is the TensorFormats bitmask of formats (1 << format each).
func formatMask(formats []Format) uint32 {
	var m uint32
	for _, f := range formats {
		m |= 1 << uint(f)
	}
	return m
}

// InputsFor derives the input options of a build from what a model feeds
// (the catalogue's tensors, as runner.EngineSpecs gives them): each input's
// data type and the formats the model's data can be fed in.
func InputsFor(specs []TensorSpec) []InputOptions {
	var out []InputOptions
	for _, s := range specs {
		if s.Mode == ModeInput {
			out = append(out, InputOptions{Name: s.Name, DataType: s.DataType, Formats: append([]Format(nil), s.Formats...)})
		}
	}
	return out
}

// checkInputOptions checks the input options against the parsed network's
// inputs: every name must be an input, given once, with a known type and
// formats.
func checkInputOptions(inputs []NetworkInput, opts []InputOptions) error {
	seen := map[string]bool{}
	for _, o := range opts {
		if seen[o.Name] {
			return fmt.Errorf("input %q: options given twice", o.Name)
		}
		seen[o.Name] = true
		found := false
		for _, in := range inputs {
			found = found || in.Name == o.Name
		}
		if !found {
			names := make([]string, len(inputs))
			for i, in := range inputs {
				names[i] = in.Name
			}
			return fmt.Errorf("input %q: not an input of the network (it has %s)", o.Name, strings.Join(names, ", "))
		}
		if o.DataType.Bits() == 0 {
			return fmt.Errorf("input %q: unknown data type %v", o.Name, o.DataType)
		}
		for _, f := range o.Formats {
			if f < 0 || int(f) >= len(formatNames) {
				return fmt.Errorf("input %q: unknown format %v", o.Name, f)
			}
		}
	}
	return nil
}

// Validate checks the options without TensorRT.
func (o BuildOptions) Validate() error {
	if o.Workspace < 0 {
		return fmt.Errorf("workspace %d bytes is negative", o.Workspace)
	}
	if o.MaxBatch < 0 {
		return fmt.Errorf("max batch %d is negative", o.MaxBatch)
	}
	if o.INT8 && o.CalibrationCache == "" {
		return errors.New("int8 needs a calibration cache (or an explicitly quantized onnx model built without --int8)")
	}
	for _, in := range o.Inputs {
		if in.Name == "" {
			return errors.New("input options without a name")
		}
	}
	seen := map[string]bool{}
	for _, s := range o.Shapes {
		if seen[s.Name] {
			return fmt.Errorf("input %q: shapes given twice", s.Name)
		}
		seen[s.Name] = true
		if err := checkProfileShapes(s); err != nil {
			return err
		}
	}
	return nil
}

func checkProfileShapes(s ProfileShapes) error {
	if len(s.Min) != len(s.Opt) || len(s.Opt) != len(s.Max) {
		return fmt.Errorf("input %q: min %v, opt %v and max %v differ in rank", s.Name, s.Min, s.Opt, s.Max)
	}
	for i := range s.Min {
		if s.Min[i] < 0 || s.Opt[i] < 0 || s.Max[i] < 0 {
			return fmt.Errorf("input %q: profile shapes must be concrete, got min %v opt %v max %v", s.Name, s.Min, s.Opt, s.Max)
		}
		if s.Min[i] > s.Opt[i] || s.Opt[i] > s.Max[i] {
			return fmt.Errorf("input %q: dimension %d needs min <= opt <= max, got %d, %d, %d",
				s.Name, i, s.Min[i], s.Opt[i], s.Max[i])
		}
	}
	return nil
}

// NetworkInput is an input of a parsed network, as the builder sees it.
type NetworkInput struct {
	Name     string
	DataType DataType
	Shape    Shape
}

// ResolveProfile decides the optimization profile of a network's inputs:
// explicit Shapes first, then MaxBatch for inputs dynamic in dimension 0 only.
// Static inputs need no profile. It fails naming the input that has dynamic
// dimensions nothing bounds, and names shapes given for unknown inputs.
func ResolveProfile(inputs []NetworkInput, o BuildOptions) ([]ProfileShapes, error) {
	explicit := map[string]ProfileShapes{}
	for _, s := range o.Shapes {
		explicit[s.Name] = s
	}
	var out []ProfileShapes
	known := map[string]bool{}
	for _, in := range inputs {
		known[in.Name] = true
		if s, ok := explicit[in.Name]; ok {
			if len(s.Min) != len(in.Shape) {
				return nil, fmt.Errorf("input %q has shape %v; the given shapes have rank %d", in.Name, in.Shape, len(s.Min))
			}
			for i, d := range in.Shape {
				if d >= 0 && (s.Min[i] != d || s.Max[i] != d || s.Opt[i] != d) {
					return nil, fmt.Errorf("input %q has static dimension %d = %d; the given shapes differ", in.Name, i, d)
				}
			}
			out = append(out, s)
			continue
		}
		if !in.Shape.Dynamic() {
			continue
		}
		onlyBatch := len(in.Shape) > 0 && in.Shape[0] < 0 && !in.Shape[1:].Dynamic()
		if !onlyBatch || o.MaxBatch == 0 {
			return nil, fmt.Errorf("input %q has dynamic shape %v: give its min/opt/max shapes%s",
				in.Name, in.Shape, map[bool]string{true: " or a max batch", false: ""}[onlyBatch])
		}
		out = append(out, ProfileShapes{Name: in.Name, Min: in.Shape.WithBatch(1),
			Opt: in.Shape.WithBatch(o.MaxBatch), Max: in.Shape.WithBatch(o.MaxBatch)})
	}
	for _, s := range o.Shapes {
		if !known[s.Name] {
			return nil, fmt.Errorf("shapes given for %q, which is not an input of the network", s.Name)
		}
	}
	return out, nil
}

// ParseShapeSpecs reads trtexec-style shape lists, "name:1x3x224x224,other:1x384".
// Names may hold ':'; the shape follows the last one.
func ParseShapeSpecs(spec string) (map[string]Shape, error) {
	out := map[string]Shape{}
	if strings.TrimSpace(spec) == "" {
		return out, nil
	}
	for _, item := range strings.Split(spec, ",") {
		i := strings.LastIndex(item, ":")
		if i <= 0 {
			return nil, fmt.Errorf("shape spec %q is not name:dims", item)
		}
		name := strings.Trim(strings.TrimSpace(item[:i]), `'"`)
		s, err := ParseShape(item[i+1:])
		if err != nil {
			return nil, fmt.Errorf("shape spec %q: %w", item, err)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("shape spec names %q twice", name)
		}
		out[name] = s
	}
	return out, nil
}

// CombineShapeSpecs joins min, opt and max shape lists into profile shapes;
// an input named in one list must be named in all three (or only in opt,
// which then serves for all three, as trtexec does).
func CombineShapeSpecs(minS, optS, maxS map[string]Shape) ([]ProfileShapes, error) {
	names := map[string]bool{}
	for _, m := range []map[string]Shape{minS, optS, maxS} {
		for n := range m {
			names[n] = true
		}
	}
	var out []ProfileShapes
	for n := range names {
		mi, hasMin := minS[n]
		op, hasOpt := optS[n]
		ma, hasMax := maxS[n]
		switch {
		case hasMin && hasOpt && hasMax:
		case hasOpt && !hasMin && !hasMax:
			mi, ma = op, op
		default:
			return nil, fmt.Errorf("input %q: give min, opt and max shapes (or opt alone)", n)
		}
		ps := ProfileShapes{Name: n, Min: mi, Opt: op, Max: ma}
		if err := checkProfileShapes(ps); err != nil {
			return nil, err
		}
		out = append(out, ps)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
