package trt

import (
	"errors"
	"fmt"
)

// TensorSpec is what a model expects of one engine IO tensor. Callers convert
// their own model descriptions (the models catalogue) into it.
type TensorSpec struct {
	// Name is the tensor's name in the engine.
	Name string
	// Mode is ModeInput or ModeOutput.
	Mode IOMode
	// DataType is the element type the model's data uses.
	DataType DataType
	// Shape is the shape of one sample, the batch dimension left out; -1
	// matches any size.
	Shape Shape
	// Formats lists the layouts the caller can feed or read; empty accepts any.
	Formats []Format
}

// ValidateIO checks an engine's IO tensors against what a model expects:
// every expected tensor is present with the same direction, data type,
// per-sample shape and an accepted format, and the engine has no input the
// model does not feed. file names the plan in the errors. Every mismatch is
// reported; the error matches [ErrIOMismatch].
func ValidateIO(file string, got []IOTensor, want []TensorSpec) error {
	byName := make(map[string]IOTensor, len(got))
	for _, t := range got {
		byName[t.Name] = t
	}
	wanted := make(map[string]bool, len(want))
	var errs []error
	bad := func(tensor, format string, args ...any) {
		errs = append(errs, fmt.Errorf("plan %s: tensor %q: %s: %w", file, tensor, fmt.Sprintf(format, args...), ErrIOMismatch))
	}
	for _, w := range want {
		wanted[w.Name] = true
		t, ok := byName[w.Name]
		if !ok {
			bad(w.Name, "the model expects %s %v %v but the engine has no such tensor (engine has %s)", w.Mode, w.DataType, w.Shape, tensorNames(got))
			continue
		}
		if t.Mode != w.Mode {
			bad(w.Name, "is an %s in the engine, the model expects an %s", t.Mode, w.Mode)
		}
		if t.DataType != w.DataType {
			bad(w.Name, "data type %v in the engine, the model expects %v", t.DataType, w.DataType)
		}
		if msg := sampleShapeMismatch(t.Shape, w.Shape); msg != "" {
			bad(w.Name, "%s", msg)
		}
		if len(w.Formats) > 0 && !containsFormat(w.Formats, t.Format) {
			bad(w.Name, "format %v in the engine, the model accepts %v", t.Format, w.Formats)
		}
	}
	for _, t := range got {
		if t.Mode == ModeInput && !wanted[t.Name] {
			bad(t.Name, "the engine has an input the model does not feed")
		}
	}
	return errors.Join(errs...)
}

// CheckBatch checks that every input of the engine accepts a batch of n under
// profile p. file names the plan in the error, which matches
// [ErrBatchTooLarge] and names the limiting tensor.
func CheckBatch(file string, p Profile, n int) error {
	if n < 1 {
		return fmt.Errorf("plan %s: batch %d: %w", file, n, ErrBatchTooLarge)
	}
	for _, in := range p.Inputs {
		if len(in.Min) == 0 || len(in.Max) == 0 {
			continue
		}
		if int64(n) > in.Max[0] {
			return fmt.Errorf("plan %s: tensor %q: batch %d above the maximum %d of profile %d: %w",
				file, in.Name, n, in.Max[0], p.Index, ErrBatchTooLarge)
		}
		if int64(n) < in.Min[0] {
			return fmt.Errorf("plan %s: tensor %q: batch %d below the minimum %d of profile %d: %w",
				file, in.Name, n, in.Min[0], p.Index, ErrBatchTooLarge)
		}
	}
	return nil
}

// sampleShapeMismatch compares an engine tensor's shape (batch first) with
// the per-sample shape a model expects and says how they differ, or returns
// "". Trailing 1s are dropped from both before the comparison: NVIDIA's INT8
// ResNet-50 ends in a TopK whose output is (N,1,1,1) where the catalogue
// says batch x [1]; both hold one element per sample. -1 matches any size.
func sampleShapeMismatch(engine, want Shape) string {
	if len(engine) == 0 {
		return "engine tensor is a scalar, the model expects batch x " + want.String()
	}
	e, w := engine[1:], want
	if len(e) != len(w) {
		e, w = trimOnes(e), trimOnes(w)
	}
	if len(e) != len(w) {
		return fmt.Sprintf("engine shape %v has rank %d, the model expects batch x %v (trailing 1s aside)", engine, len(engine), want)
	}
	for i, d := range w {
		if d >= 0 && e[i] >= 0 && d != e[i] {
			return fmt.Sprintf("engine shape %v differs from batch x %v in dimension %d", engine, want, i+1)
		}
	}
	return ""
}

// trimOnes drops the trailing dimensions of size 1.
func trimOnes(s Shape) Shape {
	for len(s) > 0 && s[len(s)-1] == 1 {
		s = s[:len(s)-1]
	}
	return s
}

func containsFormat(fs []Format, f Format) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

func tensorNames(ts []IOTensor) string {
	s := ""
	for i, t := range ts {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", t.Name)
	}
	if s == "" {
		return "none"
	}
	return s
}
