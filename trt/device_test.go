package trt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeviceConfigKind(t *testing.T) {
	for _, tc := range []struct {
		description string
		kind        string
		want        string
		wantErr     string
	}{
		{"default is a whole gpu", "", "gpu", ""},
		{"gpu", "gpu", "gpu", ""},
		{"mig instance", "mig", "mig", ""},
		{"cpu is not a tensorrt device", "cpu", "", `device kind "cpu"`},
		{"unknown", "tpu", "", `device kind "tpu"`},
	} {
		t.Run(tc.description, func(t *testing.T) {
			got, err := DeviceConfig{Kind: tc.kind}.kind()
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
