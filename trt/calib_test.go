package trt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCalibrationCache(t *testing.T) {
	// Written by hand in the layout of the caches MLPerf ships; 3c010a14 is
	// the float32 bits of 0.0078759...
	data := []byte("TRT-8601-EntropyCalibration2\ninput_tensor:0: 3c010a14\nconv1: 3d800000\n")
	c, err := ParseCalibrationCache("rn50.cache", data)
	require.NoError(t, err)
	assert.Equal(t, "8601", c.Version)
	assert.Equal(t, CalibEntropy2, c.Algorithm)
	assert.Equal(t, "EntropyCalibration2", c.Algorithm.String())
	assert.InDelta(t, 0.0078759, c.Scales["input_tensor:0"], 1e-6, "names may hold ':'")
	assert.Equal(t, float32(0.0625), c.Scales["conv1"])
	assert.Equal(t, data, c.Data)
}

func TestParseCalibrationCacheErrors(t *testing.T) {
	tests := []struct {
		description string
		data        string
		want        string
	}{
		{"empty", "", "line 1: empty"},
		{"not a cache", "\x89PNG\r\n", "line 1: header"},
		{"unknown algorithm", "TRT-8601-Percentile\nx: 3c010a14\n", `unknown calibration algorithm "Percentile"`},
		{"bad scale", "TRT-8601-MinMaxCalibration\nx: zz\n", `line 2: tensor "x": scale "zz"`},
		{"no colon", "TRT-8601-MinMaxCalibration\nx 3c010a14\n", "line 2"},
		{"header only", "TRT-8601-EntropyCalibration\n", "no tensor scales"},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			_, err := ParseCalibrationCache("c.cache", []byte(tt.data))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrCalibrationCache)
			assert.Contains(t, err.Error(), "calibration cache c.cache")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// The header's version used to be parsed and never compared with the
// library's.
func TestCalibrationCacheCheckVersion(t *testing.T) {
	cache := func(v string) *CalibrationCache {
		c, err := ParseCalibrationCache("rn50.cache", []byte("TRT-"+v+"-EntropyCalibration2\nin: 3c010a14\n"))
		require.NoError(t, err)
		return c
	}
	v86 := Version{Major: 8, Minor: 6, Patch: 1}
	v10 := Version{Major: 10, Minor: 3, Patch: 0}

	w, err := cache("8601").CheckVersion("rn50.cache", v86)
	require.NoError(t, err)
	assert.Empty(t, w)
	w, err = cache("8600").CheckVersion("rn50.cache", v86)
	require.NoError(t, err)
	assert.Empty(t, w, "patch releases share caches")

	w, err = cache("7000").CheckVersion("rn50.cache", v86)
	require.NoError(t, err)
	assert.Contains(t, w, "calibration cache rn50.cache was written by tensorrt 7.0, the loaded library is 8.6.1")

	w, err = cache("100300").CheckVersion("rn50.cache", v10)
	require.NoError(t, err)
	assert.Empty(t, w)

	_, err = cache("100300").CheckVersion("rn50.cache", v86)
	require.ErrorIs(t, err, ErrCalibrationCache)
	assert.Contains(t, err.Error(), "written by tensorrt 10.3, newer than the loaded 8.6.1")

	_, err = cache("abc").CheckVersion("rn50.cache", v86)
	require.ErrorIs(t, err, ErrCalibrationCache)
	assert.Contains(t, err.Error(), `version "abc"`)
}
