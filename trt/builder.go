//go:build tensorrt

package trt

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/gotrt/gotrt/internal/bounded"
)

// Builder builds plans from ONNX models (nvinfer1::IBuilder with the ONNX
// parser). Builds are serialized: one Builder runs one build at a time. The
// plan is built for the GPU of the CUDA context current on the calling
// thread (device 0 when none is).
type Builder struct {
	mu sync.Mutex
	h  *C.gotrt_builder
}

// NewBuilder creates a builder.
func NewBuilder() (*Builder, error) {
	if err := loadParser(); err != nil {
		return nil, err
	}
	var h *C.gotrt_builder
	if err := call("createInferBuilder", func(m **C.char) C.int { return C.gotrt_builder_create(&h, m) }); err != nil {
		return nil, err
	}
	return &Builder{h: h}, nil
}

// Close releases the builder; it is safe on nil and on a second call.
func (b *Builder) Close() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.h == nil {
		return nil
	}
	err := call("delete IBuilder", func(m **C.char) C.int { return C.gotrt_builder_destroy(b.h, m) })
	b.h = nil
	return err
}

// BuildONNX parses the ONNX model at onnxPath and builds a serialized plan
// with opts. With INT8 it reads opts.CalibrationCache and checks that the
// cache has a scale for every network input before TensorRT calibrates from
// it; errors name the model, the cache and the tensor.
func (b *Builder) BuildONNX(onnxPath string, opts BuildOptions) ([]byte, error) {
	if b == nil {
		return nil, closedError("builder")
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("build %s: %w", onnxPath, err)
	}
	if err := bounded.CheckRegular(onnxPath, "onnx model"); err != nil {
		return nil, fmt.Errorf("build: onnx model: %w", err)
	}
	var cache *CalibrationCache
	if opts.INT8 {
		data, err := bounded.ReadFile(opts.CalibrationCache, "calibration cache", bounded.CalibrationLimit)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", onnxPath, err)
		}
		if cache, err = ParseCalibrationCache(opts.CalibrationCache, data); err != nil {
			return nil, fmt.Errorf("build %s: %w", onnxPath, err)
		}
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	if b.h == nil {
		return nil, closedError("builder")
	}
	fail := func(err error) ([]byte, error) { return nil, fmt.Errorf("build %s: %w", onnxPath, err) }

	var net *C.gotrt_network
	if err := call("createNetworkV2", func(m **C.char) C.int { return C.gotrt_builder_create_network(b.h, &net, m) }); err != nil {
		return fail(err)
	}
	defer C.gotrt_network_destroy(net, nil)
	var parser *C.gotrt_parser
	if err := call("nvonnxparser::createParser", func(m **C.char) C.int { return C.gotrt_parser_create(net, &parser, m) }); err != nil {
		return fail(err)
	}
	defer C.gotrt_parser_destroy(parser, nil)
	cpath, free := cstring(onnxPath)
	defer free()
	if err := call("parseFromFile", func(m **C.char) C.int { return C.gotrt_parser_parse_from_file(parser, cpath, m) }); err != nil {
		return fail(err)
	}

	inputs, err := networkInputs(net)
	if err != nil {
		return fail(err)
	}
	if err := checkInputOptions(inputs, opts.Inputs); err != nil {
		return fail(err)
	}
	if cache != nil {
		lib, err := LibraryVersion()
		if err != nil {
			return fail(err)
		}
		warning, err := cache.CheckVersion(opts.CalibrationCache, lib)
		if err != nil {
			return fail(err)
		}
		if warning != "" {
			opts.warn(warning)
		}
		for _, in := range inputs {
			if _, ok := cache.Scales[in.Name]; !ok {
				return fail(fmt.Errorf("calibration cache %s has no scale for input tensor %q (a cache of another model?): %w",
					opts.CalibrationCache, in.Name, ErrCalibrationCache))
			}
		}
	}
	shapes, err := ResolveProfile(inputs, opts)
	if err != nil {
		return fail(err)
	}
	if err := setInputOptions(net, inputs, opts.Inputs); err != nil {
		return fail(err)
	}

	var cfg *C.gotrt_config
	if err := call("createBuilderConfig", func(m **C.char) C.int { return C.gotrt_builder_create_config(b.h, &cfg, m) }); err != nil {
		return fail(err)
	}
	defer C.gotrt_config_destroy(cfg, nil)
	if opts.Workspace > 0 {
		if err := call("setMemoryPoolLimit", func(m **C.char) C.int {
			return C.gotrt_config_set_workspace(cfg, C.uint64_t(opts.Workspace), m)
		}); err != nil {
			return fail(err)
		}
	}
	flags := []struct {
		on   bool
		flag C.int32_t
		name string
	}{
		{opts.FP16, C.GOTRT_FLAG_FP16, "setFlag(kFP16)"},
		{opts.INT8, C.GOTRT_FLAG_INT8, "setFlag(kINT8)"},
		{!opts.LayerNamesOnly, C.GOTRT_FLAG_DETAILED_PROFILING, "setProfilingVerbosity(kDETAILED)"},
	}
	for _, f := range flags {
		if !f.on {
			continue
		}
		if err := call(f.name, func(m **C.char) C.int { return C.gotrt_config_set_flag(cfg, f.flag, m) }); err != nil {
			return fail(err)
		}
	}

	var prof *C.gotrt_profile
	if len(shapes) > 0 {
		if err := call("createOptimizationProfile", func(m **C.char) C.int { return C.gotrt_builder_create_profile(b.h, &prof, m) }); err != nil {
			return fail(err)
		}
		for _, s := range shapes {
			if err := setProfileShapes(prof, s); err != nil {
				return fail(err)
			}
		}
		var idx C.int32_t
		if err := call("addOptimizationProfile", func(m **C.char) C.int { return C.gotrt_config_add_profile(cfg, prof, &idx, m) }); err != nil {
			return fail(err)
		}
	}

	if cache != nil {
		var cal *C.gotrt_calibrator
		err := call("calibrator", func(m **C.char) C.int {
			return C.gotrt_calibrator_create(C.int32_t(cache.Algorithm), unsafe.Pointer(&cache.Data[0]), C.size_t(len(cache.Data)), &cal, m)
		})
		if err != nil {
			return fail(fmt.Errorf("calibration cache %s: %w", opts.CalibrationCache, err))
		}
		defer C.gotrt_calibrator_destroy(cal, nil)
		if err := call("setInt8Calibrator", func(m **C.char) C.int { return C.gotrt_config_set_int8_calibrator(cfg, cal, m) }); err != nil {
			return fail(err)
		}
		if prof != nil {
			if err := call("setCalibrationProfile", func(m **C.char) C.int { return C.gotrt_config_set_calibration_profile(cfg, prof, m) }); err != nil {
				return fail(err)
			}
		}
	}

	var mem *C.gotrt_host_memory
	if err := call("buildSerializedNetwork", func(m **C.char) C.int {
		return C.gotrt_builder_build_serialized(b.h, net, cfg, &mem, m)
	}); err != nil {
		return fail(err)
	}
	defer C.gotrt_host_memory_destroy(mem, nil)
	var data unsafe.Pointer
	var size C.size_t
	if err := call("IHostMemory::data", func(m **C.char) C.int { return C.gotrt_host_memory_data(mem, &data, &size, m) }); err != nil {
		return fail(err)
	}
	// Not C.GoBytes: it takes a C int, and a plan of 2 GiB or more would
	// panic.
	plan, err := goBytes(data, uint64(size))
	if err != nil {
		return fail(err)
	}
	return plan, nil
}

// setInputOptions sets the type and allowed formats of the network inputs
// opts names (checked by checkInputOptions). The type is set only where it
// differs: ITensor::setType is deprecated from TensorRT 10.12 and gone in
// 11, whose networks take their input types from the model.
func setInputOptions(net *C.gotrt_network, inputs []NetworkInput, opts []InputOptions) error {
	for _, o := range opts {
		for i, in := range inputs {
			if in.Name != o.Name {
				continue
			}
			var t *C.gotrt_tensor
			if err := call("getInput", func(m **C.char) C.int { return C.gotrt_network_input(net, C.int32_t(i), &t, m) }); err != nil {
				return fmt.Errorf("input %q: %w", o.Name, err)
			}
			if o.DataType != in.DataType {
				if err := call("ITensor::setType", func(m **C.char) C.int { return C.gotrt_tensor_set_data_type(t, C.int32_t(o.DataType), m) }); err != nil {
					return fmt.Errorf("input %q: type %v (the model's is %v): %w", o.Name, o.DataType, in.DataType, err)
				}
			}
			if len(o.Formats) > 0 {
				mask := formatMask(o.Formats)
				if err := call("ITensor::setAllowedFormats", func(m **C.char) C.int { return C.gotrt_tensor_set_allowed_formats(t, C.uint32_t(mask), m) }); err != nil {
					return fmt.Errorf("input %q: formats %v: %w", o.Name, o.Formats, err)
				}
			}
		}
	}
	return nil
}

func networkInputs(net *C.gotrt_network) ([]NetworkInput, error) {
	var n C.int32_t
	if err := call("getNbInputs", func(m **C.char) C.int { return C.gotrt_network_num_inputs(net, &n, m) }); err != nil {
		return nil, err
	}
	out := make([]NetworkInput, 0, int(n))
	for i := 0; i < int(n); i++ {
		var t *C.gotrt_tensor
		var name *C.char
		var dtype C.int32_t
		var d dims
		err := call("getInput", func(m **C.char) C.int { return C.gotrt_network_input(net, C.int32_t(i), &t, m) })
		if err == nil {
			err = firstError(
				call("ITensor::getName", func(m **C.char) C.int { return C.gotrt_tensor_name(t, &name, m) }),
				call("ITensor::getType", func(m **C.char) C.int { return C.gotrt_tensor_data_type(t, &dtype, m) }),
				call("ITensor::getDimensions", func(m **C.char) C.int { return C.gotrt_tensor_dims(t, &d.d[0], &d.rank, m) }),
			)
		}
		if err != nil {
			return nil, fmt.Errorf("network input %d: %w", i, err)
		}
		out = append(out, NetworkInput{Name: C.GoString(name), DataType: DataType(dtype), Shape: d.shape()})
	}
	return out, nil
}

func setProfileShapes(prof *C.gotrt_profile, s ProfileShapes) error {
	cname, free := cstring(s.Name)
	defer free()
	for sel, shape := range []Shape{s.Min, s.Opt, s.Max} {
		d, err := toDims(shape)
		if err != nil {
			return err
		}
		if err := call("setDimensions", func(m **C.char) C.int {
			return C.gotrt_profile_set_dimensions(prof, cname, C.int32_t(sel), &d.d[0], d.rank, m)
		}); err != nil {
			return fmt.Errorf("input %q: %w", s.Name, err)
		}
	}
	return nil
}
