package gpuerr_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gotrt/gotrt/internal/gpuerr"
)

func TestUnsupportedErrorMatchesSentinel(t *testing.T) {
	err := error(&gpuerr.UnsupportedError{Feature: "tensorrt engine", Hint: "build with -tags tensorrt"})
	assert.ErrorIs(t, err, gpuerr.ErrNotSupported)
	assert.Equal(t, "tensorrt engine: not supported (build with -tags tensorrt)", err.Error())
	assert.False(t, errors.Is(errors.New("other"), gpuerr.ErrNotSupported))
}
