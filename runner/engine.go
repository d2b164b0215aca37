package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/models/catalog"
	"github.com/gotrt/gotrt/models/dataset"
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
		infos = append(infos, g)
	}
	qsl, err := dataset.New(dataset.Config{Entry: e, Inputs: srcs})
	if err != nil {
		return nil, errors.Join(err, closeAll())
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
// (as NVIDIA's preprocessing writes them).
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
			srcs[i] = dataset.Source{Array: arr}
			continue
		}
		vm := filepath.Join(dir, "val_map.txt")
		if _, err := os.Stat(vm); err == nil && len(e.Inputs) == 1 {
			files, err := dataset.FilesFromMap(vm, dir, ".npy")
			if err != nil {
				return nil, err
			}
			srcs[i] = dataset.Source{Files: files}
			continue
		}
		return nil, fmt.Errorf("%w: data %s: no %s.npy for input %s (or val_map.txt and one .npy per sample)", ErrConfig, dir, in.Name, in.Name)
	}
	return srcs, nil
}
