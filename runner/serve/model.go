package serve

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/kserve/inferencepb"
)

// Tensor describes one input or output of a served model, per sample: the
// batch dimension is implied and shown as -1 in metadata, as Triton shows it
// for a batching model.
type Tensor struct {
	Name     string
	Datatype string // the protocol's name: UINT8, INT32, FP32, …
	Shape    []int64
}

// Bytes is the size of one sample of the tensor, or 0 for an unknown
// datatype or a non-positive dimension.
func (t Tensor) Bytes() int {
	n := DatatypeSize(t.Datatype)
	for _, d := range t.Shape {
		if d <= 0 {
			return 0
		}
		n *= int(d)
	}
	return n
}

// batchShape is the tensor's shape with -1 for the batch dimension.
func (t Tensor) batchShape() []int64 { return append([]int64{-1}, t.Shape...) }

// DatatypeSize is the byte size of one element of a fixed-size protocol
// datatype, 0 for BYTES or an unknown name.
func DatatypeSize(dt string) int { return inferencepb.DatatypeSize(dt) }

// Model is what a [Server] serves: a name, one input and one output tensor
// whose per-sample bytes are what the devices' executors take and give, and
// the devices to run it on.
type Model struct {
	Name     string
	Version  string // "" serves as "1"
	Platform string
	Input    Tensor
	Output   Tensor
	Devices  []device.Device
}

func (m *Model) version() string {
	if m.Version == "" {
		return "1"
	}
	return m.Version
}

func (m *Model) validate() error {
	switch {
	case m.Name == "":
		return errors.New("serve: model has no name")
	case len(m.Devices) == 0:
		return fmt.Errorf("serve: model %s has no devices", m.Name)
	case m.Input.Name == "" || m.Input.Bytes() == 0:
		return fmt.Errorf("serve: model %s: bad input tensor %+v", m.Name, m.Input)
	case m.Output.Name == "" || m.Output.Bytes() == 0:
		return fmt.Errorf("serve: model %s: bad output tensor %+v", m.Name, m.Output)
	}
	return nil
}

// BuiltinName is the catalogue name the built-in model is served under.
const BuiltinName = "gotrt-builtin"

// BuiltinModel describes the built-in model on the given devices: input
// "input", UINT8 [-1, 32, 32] (grayscale pixels), output "output", INT32
// [-1, 1] (the predicted class).
func BuiltinModel[D device.Device](devs []D) Model {
	m := Model{
		Name:     BuiltinName,
		Platform: "gotrt_builtin_int8",
		Input:    Tensor{Name: "input", Datatype: "UINT8", Shape: []int64{builtin.Side, builtin.Side}},
		Output:   Tensor{Name: "output", Datatype: "INT32", Shape: []int64{1}},
	}
	if p, ok := any(devs).([]*builtin.Device); ok && len(p) > 0 && p[0].Precision() == builtin.FP32 {
		m.Platform = "gotrt_builtin_fp32"
	}
	for _, d := range devs {
		m.Devices = append(m.Devices, d)
	}
	return m
}

// Request errors; the transports map them to status codes. Each error a
// request gets wraps exactly one of them.
var (
	// ErrUnknownModel: NOT_FOUND over gRPC, 404 over HTTP.
	ErrUnknownModel = errors.New("unknown model")
	// ErrBadRequest: INVALID_ARGUMENT, 400.
	ErrBadRequest = errors.New("bad request")
	// ErrUnavailable: the server is not ready or is shutting down;
	// UNAVAILABLE, 503.
	ErrUnavailable = errors.New("unavailable")
	// ErrInternal: the devices failed; INTERNAL, 500.
	ErrInternal = errors.New("internal error")
)

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadRequest}, args...)...)
}

// checkModel checks a request's model name and version.
func (m *Model) checkModel(name, version string) error {
	if name != m.Name {
		return fmt.Errorf("%w: %q (this server serves %q)", ErrUnknownModel, name, m.Name)
	}
	if version != "" && version != m.version() {
		return fmt.Errorf("%w: %s version %q (this server serves version %s)", ErrUnknownModel, name, version, m.version())
	}
	return nil
}

// checkInput checks an input tensor's name, datatype and shape and returns
// the batch size it holds.
func (m *Model) checkInput(name, datatype string, shape []int64, maxBatch int) (int, error) {
	in := m.Input
	if name != in.Name {
		return 0, badRequest("input %q: model %s has one input, %q", name, m.Name, in.Name)
	}
	if datatype != in.Datatype {
		return 0, badRequest("input %s: datatype %q, want %s", name, datatype, in.Datatype)
	}
	if len(shape) != len(in.Shape)+1 {
		return 0, badRequest("input %s: shape %v, want %v", name, shape, in.batchShape())
	}
	for i, d := range in.Shape {
		if shape[i+1] != d {
			return 0, badRequest("input %s: shape %v, want %v", name, shape, in.batchShape())
		}
	}
	if shape[0] < 1 || shape[0] > int64(maxBatch) {
		return 0, badRequest("input %s: batch %d in shape %v, want 1 to %d", name, shape[0], shape, maxBatch)
	}
	return int(shape[0]), nil
}

// checkOutputs checks the requested outputs' names.
func (m *Model) checkOutputs(names func(yield func(string) bool)) error {
	for n := range names {
		if n != m.Output.Name {
			return badRequest("requested output %q: model %s has one output, %q", n, m.Name, m.Output.Name)
		}
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
