package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/dgxh100"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/runner/result"
)

func mockDGX() nvml.Interface {
	s := dgxh100.New()
	for i, d := range s.Devices {
		sd := d.(*server.Device)
		sd.UUID = fmt.Sprintf("GPU-%08d-aaaa-bbbb-cccc-dddddddddddd", i)
		sd.GetVirtualizationModeFunc = func() (nvml.GpuVirtualizationMode, nvml.Return) {
			return nvml.GPU_VIRTUALIZATION_MODE_NONE, nvml.SUCCESS
		}
	}
	return s
}

func runDevices(t *testing.T, lib nvml.Interface, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runDevicesGPU(t, lib, nil, args...)
}

// runDevicesGPU runs `gotrt devices` where the built-in model's GPU check
// gives usable.
func runDevicesGPU(t *testing.T, lib nvml.Interface, usable error, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	host := result.Device{ID: "cpu", Kind: "cpu", Name: "Test CPU", Multiprocessors: 2}
	cmd := newDevicesCmd(func() (*cuda.Inventory, error) {
		return cuda.Discover(lib, cuda.WithHost(host), cuda.WithVisibleDevices("0,1"))
	}, func() error { return usable })
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	err = cmd.Execute()
	return out.String(), errb.String(), err
}

func TestDevicesCommand(t *testing.T) {
	noLib := &mock.Interface{InitFunc: func() nvml.Return { return nvml.ERROR_LIBRARY_NOT_FOUND }}
	tests := []struct {
		description string
		lib         nvml.Interface
		args        []string
		wantOut     []string
		wantErr     string
		wantJSON    []string // device IDs
	}{
		{
			description: "table of visible GPUs",
			lib:         mockDGX(),
			wantOut:     []string{"INDEX", "cuda:0", "cuda:1", "NVIDIA H100 80GB HBM3", "80.0 GiB", "bare-metal", "550.54.15/12.4"},
		},
		{
			description: "JSON alone on stdout",
			lib:         mockDGX(),
			args:        []string{"--json"},
			wantJSON:    []string{"cuda:0", "cuda:1"},
		},
		{
			description: "no library: CPU row, the reason on stderr",
			lib:         noLib,
			wantOut:     []string{"cpu", "Test CPU", "2 CPUs"},
			wantErr:     "gotrt: no NVML library",
		},
		{
			description: "no library with --json: stdout still parses",
			lib:         noLib,
			args:        []string{"--json"},
			wantErr:     "gotrt: no NVML library",
			wantJSON:    []string{"cpu"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			out, errOut, err := runDevices(t, tt.lib, tt.args...)
			require.NoError(t, err)
			for _, w := range tt.wantOut {
				assert.Contains(t, out, w)
			}
			if tt.wantErr == "" {
				assert.Empty(t, errOut)
			} else {
				assert.Contains(t, errOut, tt.wantErr)
				assert.NotContains(t, out, tt.wantErr)
			}
			if tt.wantJSON != nil {
				var devs []result.Device
				require.NoError(t, json.Unmarshal([]byte(out), &devs), "stdout: %s", out)
				var ids []string
				for _, d := range devs {
					ids = append(ids, d.ID)
				}
				assert.Equal(t, tt.wantJSON, ids)
			}
		})
	}
}

func TestDevicesCommandErrors(t *testing.T) {
	_, _, err := runDevices(t, mockDGX(), "extra")
	assert.ErrorContains(t, err, "devices takes no arguments")
	assert.Equal(t, exitUsage, exitCode(err))

	cmd := newDevicesCmd(func() (*cuda.Inventory, error) { return nil, errors.New("nvml device count: GPU is lost") }, func() error { return nil })
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs(nil)
	assert.ErrorContains(t, cmd.Execute(), "devices: nvml device count: GPU is lost")
}

func TestDevicesSaysWhenTheBuiltinModelCannotUseTheGPUs(t *testing.T) {
	noTag := fmt.Errorf("the built-in model on a GPU: %w (this gotrt was built without -tags cuda)", cuda.ErrNotSupported)
	out, errOut, err := runDevicesGPU(t, mockDGX(), noTag)
	require.NoError(t, err)
	assert.Contains(t, out, "cuda:1", "the GPUs are listed all the same")
	assert.Equal(t, "gotrt: the built-in model runs on the CPU here: "+noTag.Error()+"\n", errOut)

	// Without a GPU there is nothing to say beyond discovery's note.
	noLib := &mock.Interface{InitFunc: func() nvml.Return { return nvml.ERROR_LIBRARY_NOT_FOUND }}
	_, errOut, err = runDevicesGPU(t, noLib, noTag)
	require.NoError(t, err)
	assert.NotContains(t, errOut, "built-in model")
}
