package trt

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/gpuerr"
)

func TestNewErrorKeepsCodeForErrorsIs(t *testing.T) {
	assert.NoError(t, newError("enqueueV3", CodeOK, "ignored"))

	err := newError("createExecutionContext", CodeOutOfMemory, " out of device memory\n")
	var te *Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "createExecutionContext", te.Op)
	assert.Equal(t, "out of device memory", te.Msg)
	assert.ErrorIs(t, err, ErrOutOfMemory)
	assert.NotErrorIs(t, err, ErrFailed)
	assert.Equal(t, "tensorrt createExecutionContext: out of device memory", err.Error())

	// Wrapped with %w, the code still matches.
	wrapped := errors.Join(errors.New("context"), err)
	assert.ErrorIs(t, wrapped, ErrOutOfMemory)
}

func TestErrorWithoutMessageUsesCodeText(t *testing.T) {
	err := newError("setInputShape", CodeFailed, "")
	assert.Equal(t, "tensorrt setInputShape: tensorrt call failed", err.Error())
	assert.Equal(t, "unknown status 42", Code(42).Error())
}

func TestNotSupportedCodeMatchesSentinel(t *testing.T) {
	err := newError("setInt8Calibrator", CodeNotSupported, "tensorrt 11 has no int8 calibration")
	assert.ErrorIs(t, err, ErrNotSupported)
	assert.ErrorIs(t, err, gpuerr.ErrNotSupported)
	assert.NotErrorIs(t, newError("x", CodeFailed, ""), ErrNotSupported)
}

func TestPlanErrorClassifiesTensorRTMessages(t *testing.T) {
	tests := []struct {
		description string
		msg         string
		want        error
	}{
		{"8.x version mismatch", "The engine plan file is not compatible with this version of TensorRT, expecting library version 8.6.1.6 got 8.5.3.1, please rebuild.", ErrPlanVersion},
		{"10.x version tag", "IRuntime::deserializeCudaEngine: Error Code 1: Serialization (Serialization assertion stdVersionRead == kSERIALIZATION_VERSION failed.Version tag does not match. Note: Current Version: 238, Serialized Engine Version: 236)", ErrPlanVersion},
		{"other gpu", "The engine plan file is generated on an incompatible device, expecting compute 8.6 got compute 7.5, please rebuild.", ErrPlanDevice},
		{"other platform", "Serialization assertion plan->header.pad == expectedPlatformTag failed.Platform specific tag mismatch detected.", ErrPlanDevice},
		{"not a plan", "1: [runtime.cpp::parsePlan::314] Error Code 1: Serialization (Serialization assertion plan->header.magicTag == rt::kPLAN_MAGIC_TAG failed.) Magic tag does not match", ErrPlanCorrupt},
		{"unrelated", "getPluginCreator could not find plugin NMS_TRT version 1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			err := planError("/models/rn50.plan", planEnv{}, newError("deserializeCudaEngine", CodeFailed, tt.msg))
			assert.Contains(t, err.Error(), "plan /models/rn50.plan")
			assert.ErrorIs(t, err, ErrFailed)
			for _, s := range []error{ErrPlanVersion, ErrPlanDevice, ErrPlanCorrupt} {
				assert.Equal(t, s == tt.want, errors.Is(err, s), "sentinel %v", s)
			}
		})
	}
}

func TestUnsupportedNamesTheTags(t *testing.T) {
	err := unsupported("tensorrt engine")
	assert.ErrorIs(t, err, ErrNotSupported)
	assert.Contains(t, err.Error(), "-tags cuda,tensorrt")
}

func TestPlanErrorNamesMissingPlugin(t *testing.T) {
	tests := []struct {
		description, msg, name, version string
	}{
		{"8.x", "getPluginCreator could not find plugin: RnRes2FullFusion_TRT version: 1; [pluginV2Runner.cpp::load::303] Error Code 1: Serialization (Serialization assertion creator failed.Cannot deserialize plugin since corresponding IPluginCreator not found in Plugin Registry)", "RnRes2FullFusion_TRT", "1"},
		{"older 8.x", "INVALID_ARGUMENT: getPluginCreator could not find plugin InstanceNormalization_TRT version 1", "InstanceNormalization_TRT", "1"},
		{"10.x", "IPluginRegistry::getCreator: Error Code 4: API Usage Error (Cannot find plugin: SmallTileGEMM_TRT, version: 1, namespace:.)", "SmallTileGEMM_TRT", "1"},
		{"no name", "Serialization (Serialization assertion creator failed.Cannot deserialize plugin since corresponding IPluginCreator not found in Plugin Registry)", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			env := planEnv{Plugins: []string{"/usr/lib/libnvinfer_plugin.so.10"}}
			err := planError("/e/rn50.plan", env, newError("deserializeCudaEngine", CodeFailed, tt.msg))
			assert.ErrorIs(t, err, ErrPluginMissing)
			assert.NotErrorIs(t, err, ErrPlanCorrupt, "a missing plugin is not a corrupt plan")
			var pe *PluginError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.name, pe.Plugin)
			assert.Equal(t, tt.version, pe.Version)
			assert.Contains(t, err.Error(), "plan /e/rn50.plan: needs tensorrt plugin "+tt.name)
			assert.Contains(t, err.Error(), "loaded: /usr/lib/libnvinfer_plugin.so.10")
			assert.Contains(t, err.Error(), "--plugins")
		})
	}
	err := planError("p", planEnv{PluginNote: "libnvinfer_plugin.so.10 not loaded: no such file"},
		newError("deserializeCudaEngine", CodeFailed, tests[2].msg))
	assert.Contains(t, err.Error(), "(loaded: none); libnvinfer_plugin.so.10 not loaded: no such file")
}

func TestPlanErrorNamesBothVersions(t *testing.T) {
	msg := "IRuntime::deserializeCudaEngine: Error Code 6: API Usage Error (The engine plan file is not compatible with this version of TensorRT, expecting library version 10.16.0.72 got 10.3.0.26, please rebuild.)"
	err := planError("/e/rn50.plan", planEnv{Library: "10.16.0 (/usr/lib/libnvinfer.so.10)"}, newError("deserializeCudaEngine", CodeFailed, msg))
	assert.ErrorIs(t, err, ErrPlanVersion)
	assert.Contains(t, err.Error(), "plan /e/rn50.plan: built by tensorrt 10.3.0.26, the loaded library is tensorrt 10.16.0.72")

	// Where TensorRT names no versions (a garbled "got .."), the library's.
	msg = "The engine plan file is not compatible with this version of TensorRT, expecting library version 10.7.0.23 got .., please rebuild."
	err = planError("p", planEnv{Library: "10.7.0 (/l/libnvinfer.so.10)"}, newError("deserializeCudaEngine", CodeFailed, msg))
	assert.ErrorIs(t, err, ErrPlanVersion)
	assert.Contains(t, err.Error(), "plan p: the loaded library is tensorrt 10.7.0 (/l/libnvinfer.so.10)")
}

func TestLibraryErrorIsOneLineNamingTheVariable(t *testing.T) {
	h := Version{Major: 10, Minor: 16}
	err := error(&LibraryError{Lib: "libnvinfer.so.10", Tried: "libnvinfer.so.10", Headers: h,
		Reason: "libnvinfer.so.10: cannot open shared object file: No such file or directory"})
	assert.ErrorIs(t, err, ErrNotSupported)
	assert.NotErrorIs(t, err, ErrLibraryVersion)
	assert.Equal(t, "tensorrt: cannot load libnvinfer.so.10 (tried libnvinfer.so.10 on the loader's search path: "+
		"cannot open shared object file: No such file or directory): install TensorRT 10.x or set GOTRT_TENSORRT_LIB to its library or folder", err.Error())

	err = &LibraryError{Lib: "libnvinfer.so.10", Tried: "/opt/trt/lib/libnvinfer.so.10", Headers: h, Found: Version{Major: 8, Minor: 6, Patch: 1}}
	assert.ErrorIs(t, err, ErrLibraryVersion)
	assert.ErrorIs(t, err, ErrNotSupported)
	assert.Equal(t, "tensorrt: /opt/trt/lib/libnvinfer.so.10 is TensorRT 8.6.1 but this gotrt was built with TensorRT 10.16.0 headers: "+
		"install TensorRT 10.x or set GOTRT_TENSORRT_LIB to its library or folder", err.Error())
}
