package catalog

import (
	"errors"
	"fmt"
	"slices"
)

// EngineTensor describes one IO tensor of a built engine, as the TensorRT
// layer reports it.
type EngineTensor struct {
	Name   string
	Input  bool
	DType  DataType
	Format Format
	// Shape is the engine's shape; a leading batch dimension (-1 or any
	// positive size) is allowed, and -1 matches any size.
	Shape []int64
}

// CheckEngine checks an engine's IO tensors against the entry: every input
// and output of the entry must be present with the same direction, an
// accepted type and layout, and a matching shape, and the engine must have
// no other tensors. All problems are reported, joined; each wraps
// [ErrTensorMismatch] and names the tensor.
func (e Entry) CheckEngine(tensors []EngineTensor) error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: tensor %q: %w: %s", e.ID, name, ErrTensorMismatch, fmt.Sprintf(format, args...)))
	}
	byName := map[string]EngineTensor{}
	for _, t := range tensors {
		if _, dup := byName[t.Name]; dup {
			bad(t.Name, "listed twice")
		}
		byName[t.Name] = t
	}
	check := func(s TensorSpec, input bool) {
		t, ok := byName[s.Name]
		if !ok {
			bad(s.Name, "missing from the engine")
			return
		}
		delete(byName, s.Name)
		if t.Input != input {
			bad(s.Name, "is an %s in the engine, the catalogue has an %s", dir(t.Input), dir(input))
		}
		if !s.Accepts(t.DType, t.Format) {
			bad(s.Name, "type %s in layout %s, want %s", t.DType, t.Format, accepted(s))
		}
		if !shapeMatches(t.Shape, s.Shape) {
			bad(s.Name, "shape %v, want %v (per sample, an optional leading batch dimension)", t.Shape, s.Shape)
		}
	}
	for _, s := range e.Inputs {
		check(s, true)
	}
	for _, s := range e.Outputs {
		check(s, false)
	}
	var extra []string
	for name := range byName {
		extra = append(extra, name)
	}
	slices.Sort(extra)
	for _, name := range extra {
		bad(name, "not in the catalogue")
	}
	return errors.Join(errs...)
}

func dir(input bool) string {
	if input {
		return "input"
	}
	return "output"
}

func accepted(s TensorSpec) string {
	return fmt.Sprintf("%v in %v", append([]DataType{s.DType}, s.AltDTypes...), append([]Format{s.Format}, s.AltFormats...))
}

// shapeMatches compares an engine shape, with or without its leading batch
// dimension, to a per-sample shape. Trailing 1s are dropped from both first:
// NVIDIA's INT8 ResNet-50 ends in a TopK whose output is (N,1,1,1), one
// element per sample as the catalogue's [1]. -1 matches any size.
func shapeMatches(engine []int64, want []int) bool {
	w := make([]int64, len(want))
	for i, d := range want {
		w[i] = int64(d)
	}
	if sameDims(engine, w) {
		return true
	}
	if len(engine) > 0 && (engine[0] == -1 || engine[0] > 0) {
		return sameDims(engine[1:], w)
	}
	return false
}

// sameDims compares two per-sample shapes, as they are or, when their ranks
// differ, without their trailing 1s.
func sameDims(engine, want []int64) bool {
	if len(engine) != len(want) {
		engine, want = trimOnes(engine), trimOnes(want)
	}
	if len(engine) != len(want) {
		return false
	}
	for i, d := range engine {
		if d != -1 && d != want[i] {
			return false
		}
	}
	return true
}

func trimOnes(s []int64) []int64 {
	for len(s) > 0 && s[len(s)-1] == 1 {
		s = s[:len(s)-1]
	}
	return s
}
