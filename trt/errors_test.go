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
