package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/report"
)

// seedScale is the seed study's ResNet50 Offline over 1, 2 and 4 vGPUs
// (3.91x at 4).
var seedScale = map[int]float64{1: 1453, 2: 2896, 4: 5681}

// fakeRunner stands in for runner.Run: it records the device specs asked
// for and returns the seed's throughput for the count.
type fakeRunner struct {
	devices []string
	invalid int   // count whose run is INVALID
	fail    int   // count whose run fails
	err     error // with this error
}

func (f *fakeRunner) run(_ context.Context, cfg runner.Config) (*loadgen.Report, error) {
	f.devices = append(f.devices, strconv.Itoa(cfg.Count))
	n := cfg.Count
	if cfg.Devices != "all" {
		return nil, fmt.Errorf("devices %q: scale passes --devices through and steps the count", cfg.Devices)
	}
	if n == f.fail {
		return nil, f.err
	}
	r := vgpuResult("resnet50", string(cfg.Scenario), seedScale[n])
	r.Devices = r.Devices[:n]
	r.Valid = n != f.invalid
	return &loadgen.Report{Result: *r}, nil
}

func fourDevices(runner.Config) (int, error) { return 4, nil }

func TestScaleRunsEachCount(t *testing.T) {
	out := filepath.Join(t.TempDir(), "scale")
	f := &fakeRunner{}
	stdout, stderr, err := execCmd(t, newScaleCmd(f.run, fourDevices), "scale", "--out", out, "--model", "resnet50")
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "2", "4"}, f.devices, "default counts: 1, 2, 4 up to every device")
	assert.Contains(t, stdout, "3.91x")
	assert.Contains(t, stderr, "4 device(s): 5681 samples/s, VALID")
	for _, n := range []int{1, 2, 4} {
		r, err := report.ReadResult(filepath.Join(out, report.CountDir(n), "result.json"))
		require.NoError(t, err)
		assert.Len(t, r.Devices, n)
	}
	for _, name := range []string{"scale.svg", "scale.png", "scale.txt", "scale.md", "scale.csv"} {
		_, err := os.Stat(filepath.Join(out, name))
		assert.NoError(t, err, name)
	}

	f = &fakeRunner{}
	_, _, err = execCmd(t, newScaleCmd(f.run, fourDevices), "scale", "--out", out, "--counts", "2,1")
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "2"}, f.devices)
}

func TestScaleInvalidAndFailures(t *testing.T) {
	f := &fakeRunner{invalid: 2}
	out, _, err := execCmd(t, newScaleCmd(f.run, fourDevices), "scale", "--out", t.TempDir())
	assert.Equal(t, exitInvalid, exitCode(err), "%v", err)
	assert.Contains(t, out, "INVALID")

	f = &fakeRunner{fail: 4, err: errors.New("cuda: device 3 fell off the bus")}
	dir := t.TempDir()
	out, _, err = execCmd(t, newScaleCmd(f.run, fourDevices), "scale", "--out", dir)
	assert.Equal(t, exitFailure, exitCode(err))
	assert.EqualError(t, err, "scale: 4 devices: cuda: device 3 fell off the bus")
	assert.Contains(t, out, "1.99x", "the counts that ran are still tabulated")
	_, serr := os.Stat(filepath.Join(dir, "scale.svg"))
	assert.NoError(t, serr)

	f = &fakeRunner{fail: 1, err: fmt.Errorf("%w: model nope: unknown", runner.ErrConfig)}
	out, _, err = execCmd(t, newScaleCmd(f.run, fourDevices), "scale", "--out", t.TempDir())
	assert.Equal(t, exitUsage, exitCode(err))
	assert.Empty(t, out)
}

func TestScaleUsageErrors(t *testing.T) {
	userConf := filepath.Join(t.TempDir(), "missing.conf")
	for _, tc := range []struct {
		description string
		args        []string
		contains    string
	}{
		{"bad counts", []string{"--counts", "1,x"}, `device count "x"`},
		{"count beyond the devices", []string{"--counts", "1,8"}, "this machine has 4 device(s)"},
		{"bad format", []string{"--format", "pdf"}, `--format "pdf": want text, md, csv, json`},
		{"bad scenario", []string{"--scenario", "Batch"}, "--scenario"},
		{"accuracy mode", []string{"--mode", "AccuracyOnly"}, "measures no throughput"},
		{"missing user.conf", []string{"--user-conf", userConf}, "missing.conf"},
		{"argument", []string{"extra"}, "no arguments"},
		{"missing --from", []string{"--from", "/nonexistent/scale"}, "/nonexistent/scale"},
		{"unknown flag", []string{"--gpus", "4"}, "gpus"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			f := &fakeRunner{}
			args := append([]string{"scale", "--out", t.TempDir()}, tc.args...)
			out, _, err := execCmd(t, newScaleCmd(f.run, fourDevices), args...)
			require.Error(t, err)
			assert.Equal(t, exitUsage, exitCode(err), "%v", err)
			assert.Contains(t, err.Error(), tc.contains)
			assert.NotContains(t, err.Error(), "\n")
			assert.Empty(t, f.devices, "nothing ran")
			assert.Empty(t, out)
		})
	}
}

// scaleFolder writes a scale folder as `gotrt scale` leaves it.
func scaleFolder(t *testing.T) string {
	dir := t.TempDir()
	for n, tput := range seedScale {
		r := vgpuResult("resnet50", "Offline", tput)
		r.Devices = r.Devices[:n]
		writeResultJSON(t, filepath.Join(dir, report.CountDir(n), "result.json"), r)
	}
	return dir
}

func TestScaleGolden(t *testing.T) {
	dir := scaleFolder(t)
	for _, f := range report.Formats {
		t.Run(string(f), func(t *testing.T) {
			fr := &fakeRunner{}
			out, stderr, err := execCmd(t, newScaleCmd(fr.run, fourDevices), "scale", "--from", dir, "--format", string(f))
			require.NoError(t, err)
			assert.Empty(t, fr.devices, "--from runs nothing")
			assert.Contains(t, stderr, "wrote 6 files")
			checkGolden(t, "scale."+f.Ext()+".golden", out)
		})
	}
	svg, err := os.ReadFile(filepath.Join(dir, "scale.svg"))
	require.NoError(t, err)
	assert.Contains(t, string(svg), "devices (count)")
	assert.Contains(t, string(svg), "throughput (samples/s)")
}

func TestScaleFromRefusesSchema(t *testing.T) {
	dir := scaleFolder(t)
	r := vgpuResult("resnet50", "Offline", 1)
	r.SchemaVersion = "3.1"
	writeResultJSON(t, filepath.Join(dir, report.CountDir(8), "result.json"), r)
	_, _, err := execCmd(t, newScaleCmd((&fakeRunner{}).run, fourDevices), "scale", "--from", dir)
	assert.Equal(t, exitFailure, exitCode(err))
	assert.ErrorIs(t, err, report.ErrSchemaVersion)
	assert.Contains(t, err.Error(), filepath.Join("devices-8", "result.json"))
}

// TestScaleBuiltin runs the embedded default for real over one and two
// one-core CPU devices, with a user.conf that keeps each run short.
func TestScaleBuiltin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built-in model")
	}
	n, err := runner.DeviceCount(runner.Config{Devices: "all"})
	require.NoError(t, err)
	counts := "1"
	if n >= 2 {
		counts = "1,2"
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "user.conf")
	require.NoError(t, os.WriteFile(conf, []byte("*.Offline.min_duration = 200\n*.Offline.min_query_count = 256\n"), 0o644))
	out := filepath.Join(dir, "scale")
	stdout, _, err := execCmd(t, newScaleCmd(runner.Run, runner.DeviceCount),
		"scale", "--out", out, "--counts", counts, "--user-conf", conf, "--format", "csv")
	if err != nil {
		require.Equal(t, exitInvalid, exitCode(err), "only INVALID may end a short run: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 1+len(strings.Split(counts, ",")))
	assert.True(t, strings.HasPrefix(lines[1], "1,gotrt-builtin,Offline,"), lines[1])
	r, err := report.ReadResult(filepath.Join(out, "devices-1", "result.json"))
	require.NoError(t, err)
	assert.Positive(t, r.Throughput.Value)
	for _, name := range []string{"mlperf_log_summary.txt", "mlperf_log_detail.txt"} {
		_, err := os.Stat(filepath.Join(out, "devices-1", name))
		assert.NoError(t, err, name)
	}
}
