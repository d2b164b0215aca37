package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/models/catalog"
	"github.com/gotrt/gotrt/models/dataset"
	"github.com/gotrt/gotrt/models/npy"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/result"
	"github.com/gotrt/gotrt/runner/sched"
	"github.com/gotrt/gotrt/trt"
)

// runEngine runs a catalogue benchmark: its TensorRT engine on every selected
// GPU, fed from the preprocessed data set in cfg.Data.
func runEngine(ctx context.Context, cfg Config, ts loadgen.TestSettings, opts []loadgen.Option) (*loadgen.Report, error) {
	e, err := catalog.Lookup(cfg.Model)
	if err != nil {
		return nil, fmt.Errorf("%w: model: %w", ErrConfig, err)
	}
	if !e.HasScenario(ts.Scenario) {
		return nil, fmt.Errorf("%w: model %s has no %s scenario", ErrConfig, e.ID, ts.Scenario)
	}
	if cfg.Engine == "" {
		return nil, fmt.Errorf("%w: model %s needs --engine (a TensorRT plan)", ErrConfig, e.ID)
	}
	if cfg.Data == "" {
		return nil, fmt.Errorf("%w: model %s needs --data (the preprocessed data set)", ErrConfig, e.ID)
	}
	// A plan is read whole by TensorRT's loader: a named pipe would block
	// it, a device never end.
	if err := bounded.CheckRegular(cfg.Engine, "TensorRT plan"); err != nil {
		return nil, fmt.Errorf("%w: engine: %w", ErrConfig, err)
	}
	specs, err := EngineSpecs(e)
	if err != nil {
		return nil, err
	}
	srcs, err := DataSources(e, cfg.Data)
	if err != nil {
		return nil, err
	}
	gpus, err := placeEngine(&cfg, cfg.Inventory)
	if err != nil {
		return nil, err
	}
	var (
		devs  []sched.Device
		infos []result.Device
		open  []*trt.Device
	)
	closeAll := func() error {
		var errs []error
		for _, d := range open {
			errs = append(errs, d.Close())
		}
		return errors.Join(errs...)
	}
	for _, g := range gpus {
		d, err := trt.OpenDevice(trt.DeviceConfig{ID: g.ID, Kind: g.Kind, Ordinal: g.Index, Plan: cfg.Engine, Expect: specs})
		if err != nil {
			return nil, errors.Join(fmt.Errorf("open %s: %w", g.ID, err), closeAll())
		}
		open = append(open, d)
		devs = append(devs, d)
		if v, err := trt.LibraryVersion(); err == nil {
			g.TensorRT = v.String() // result.json records the TensorRT that ran
		}
		infos = append(infos, g)
	}
	// The engine's inputs say what a sample must hold (an INT8 CHW4 input
	// takes 200,704 bytes where the linear data has 150,528): the QSL
	// converts the data to that layout as it loads, and the sizes must agree.
	if len(open) == 0 {
		return nil, fmt.Errorf("%w: model %s: no GPU selected for the engine", ErrConfig, e.ID)
	}
	layout := open[0].Inputs()
	if err := feedSources(e, cfg.Engine, layout, srcs); err != nil {
		return nil, errors.Join(err, closeAll())
	}
	qsl, err := dataset.New(dataset.Config{Entry: e, Inputs: srcs})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("%w: %w", ErrConfig, err), closeAll())
	}
	if err := checkSampleBytes(e, cfg.Engine, layout, qsl); err != nil {
		return nil, errors.Join(err, qsl.Close(), closeAll())
	}
	rep, err := runScheduler(ctx, cfg, devs, qsl, schedConfig(cfg.Sched, ts, 0), ts, opts)
	if cerr := closeAll(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	rep.Result.Devices = infos
	return rep, nil
}

// EngineSpecs converts a catalogue entry's tensors into what the TensorRT
// layer checks an engine against.
func EngineSpecs(e catalog.Entry) ([]trt.TensorSpec, error) {
	var out []trt.TensorSpec
	add := func(mode trt.IOMode, ts []catalog.TensorSpec) error {
		for _, t := range ts {
			dt, err := trt.ParseDataType(string(t.DType))
			if err != nil {
				return fmt.Errorf("catalogue %s tensor %s: %w", e.ID, t.Name, err)
			}
			var formats []trt.Format
			for _, f := range append([]catalog.Format{t.Format}, t.AltFormats...) {
				tf, err := trt.ParseFormat(string(f))
				if err != nil {
					return fmt.Errorf("catalogue %s tensor %s: %w", e.ID, t.Name, err)
				}
				formats = append(formats, tf)
			}
			shape := make(trt.Shape, len(t.Shape))
			for i, d := range t.Shape {
				shape[i] = int64(d)
			}
			out = append(out, trt.TensorSpec{Name: t.Name, Mode: mode, DataType: dt, Shape: shape, Formats: formats})
		}
		return nil
	}
	if err := add(trt.ModeInput, e.Inputs); err != nil {
		return nil, err
	}
	if err := add(trt.ModeOutput, e.Outputs); err != nil {
		return nil, err
	}
	return out, nil
}

// DataSources finds an entry's preprocessed inputs in dir: for each input
// tensor either dir/<tensor>.npy (one array, samples along the first axis) or,
// for a one-input benchmark, one .npy per sample listed by dir/val_map.txt
// (as NVIDIA's preprocessing writes them). The data's layout is read from
// the (first) file's shape: NVIDIA writes linear data as (C, H, W) and CHW4
// data as (H, W, 4).
func DataSources(e catalog.Entry, dir string) ([]dataset.Source, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: data: %w", ErrConfig, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%w: data %s: want a directory", ErrConfig, dir)
	}
	srcs := make([]dataset.Source, len(e.Inputs))
	for i, in := range e.Inputs {
		arr := filepath.Join(dir, in.Name+".npy")
		if _, err := os.Stat(arr); err == nil {
			srcs[i] = dataset.Source{Array: arr, Format: storedFormat(in, arr, true)}
			continue
		}
		vm := filepath.Join(dir, "val_map.txt")
		if _, err := os.Stat(vm); err == nil && len(e.Inputs) == 1 {
			files, err := dataset.FilesFromMap(vm, dir, ".npy")
			if err != nil {
				return nil, err
			}
			srcs[i] = dataset.Source{Files: files}
			if len(files) > 0 {
				srcs[i].Format = storedFormat(in, files[0], false)
			}
			continue
		}
		return nil, fmt.Errorf("%w: data %s: no %s.npy for input %s (or val_map.txt and one .npy per sample)", ErrConfig, dir, in.Name, in.Name)
	}
	return srcs, nil
}

// feedSources sets each data source's element type and feed layout to the
// engine input's, so that the QSL converts the data (linear to CHW4 or
// CHW32) once, as it loads. An input the engine lacks, or a type or layout
// the catalogue does not know, is an error naming the plan and the tensor.
func feedSources(e catalog.Entry, plan string, inputs []trt.InputLayout, srcs []dataset.Source) error {
	for i, in := range e.Inputs {
		var t *trt.IOTensor
		for k := range inputs {
			if inputs[k].Tensor.Name == in.Name {
				t = &inputs[k].Tensor
			}
		}
		if t == nil {
			return fmt.Errorf("%w: plan %s has no input %q", ErrConfig, plan, in.Name)
		}
		dt, f := catalog.DataType(t.DataType.String()), catalog.Format(t.Format.String())
		if !in.Accepts(dt, f) {
			return fmt.Errorf("%w: plan %s: input %q is %s in %s, which %s cannot feed", ErrConfig, plan, in.Name, dt, f, e.ID)
		}
		if srcs[i].DType == "" {
			srcs[i].DType = dt
		} else if srcs[i].DType != dt {
			return fmt.Errorf("%w: plan %s: input %q is %s, the data is %s", ErrConfig, plan, in.Name, dt, srcs[i].DType)
		}
		srcs[i].Feed = f
	}
	return nil
}

// sampleSizer is the part of the QSL checkSampleBytes reads.
type sampleSizer interface{ SampleBytes(t int) int }

// checkSampleBytes refuses a run whose data would not fill the engine's
// input slots exactly: the scheduler copies a sample's bytes into a slot,
// so a size mismatch would feed cut or misaligned data while throughput
// looks normal.
func checkSampleBytes(e catalog.Entry, plan string, inputs []trt.InputLayout, q sampleSizer) error {
	if len(inputs) != len(e.Inputs) {
		return fmt.Errorf("%w: plan %s has %d inputs, %s feeds %d", ErrConfig, plan, len(inputs), e.ID, len(e.Inputs))
	}
	for i, in := range inputs {
		if got := q.SampleBytes(i); got != in.Bytes {
			t := in.Tensor
			return fmt.Errorf("%w: plan %s: input %q takes %d bytes a sample (%s %s, shape %v), the data gives %d",
				ErrConfig, plan, t.Name, in.Bytes, t.DataType, t.Format, t.Shape, got)
		}
	}
	return nil
}

// storedFormat is the layout of the .npy at path among those the tensor
// accepts, told by its shape (after the sample axis of an array); empty when
// the file cannot be read or fits none, which the QSL then reports.
func storedFormat(in catalog.TensorSpec, path string, array bool) catalog.Format {
	f, err := npy.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	shape := f.Shape
	if array {
		if len(shape) == 0 {
			return ""
		}
		shape = shape[1:]
	}
	for _, l := range append([]catalog.Format{in.Format}, in.AltFormats...) {
		if slices.Equal(shape, in.NpyShape(l)) {
			return l
		}
	}
	return ""
}

// BuildInputs is what `gotrt build` sets on the network inputs of a
// catalogue model's ONNX (trt.BuildOptions.Inputs): each input's type and
// the layouts the model's data can be fed in, e.g. an int8 input in linear
// or CHW4 for resnet50, as NVIDIA's harness builds it. Without it a plan
// keeps the ONNX model's fp32 input, which the catalogue refuses.
func BuildInputs(model string) ([]trt.InputOptions, error) {
	e, err := catalog.Lookup(model)
	if err != nil {
		return nil, fmt.Errorf("%w: model: %w", ErrConfig, err)
	}
	specs, err := EngineSpecs(e)
	if err != nil {
		return nil, err
	}
	return trt.InputsFor(specs), nil
}
