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
