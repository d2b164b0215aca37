package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/report"
	"github.com/gotrt/gotrt/runner/result"
)

// update rewrites the golden files: go test ./cmd/gotrt -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testdataDir is the absolute path of cmd/gotrt/testdata, taken before any
// test changes directory.
var testdataDir = func() string {
	p, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return p
}()

// execCmd runs cmd under a fresh root, as `gotrt args...` would, and
// returns stdout, stderr and the error main would print.
func execCmd(t *testing.T, cmd *cobra.Command, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := &cobra.Command{Use: "gotrt", SilenceUsage: true, SilenceErrors: true, PersistentPreRunE: checkFlags}
	root.AddCommand(cmd)
	var o, e bytes.Buffer
	root.SetOut(&o)
	root.SetErr(&e)
	root.SetArgs(args)
	err = root.Execute()
	return o.String(), e.String(), err
}

// checkGolden compares got with testdata/name, or rewrites it under -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, name)
	if *update {
		require.NoError(t, os.MkdirAll(testdataDir, 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create %s", path)
	assert.Equal(t, string(want), got, "%s differs; rerun with -update if the change is intended", path)
}

func writeResultJSON(t *testing.T, path string, v any) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	b, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

func seedResult(model, scenario string, tput float64, gpu, virt string) *result.Result {
	r := &result.Result{
		SchemaVersion: result.SchemaVersion, Model: model, Scenario: scenario, Mode: "PerformanceOnly", Valid: true,
		Throughput: result.Throughput{Value: tput, Unit: "samples/s"},
		Host:       result.Host{CPUModel: "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", CPUCores: 80, MemoryB: 384 << 30, OS: "Ubuntu 18.04.5 LTS", Version: "v0.1.0"},
	}
	for i := range 4 {
		r.Devices = append(r.Devices, result.Device{Index: i, ID: "cuda:" + string(rune('0'+i)), Kind: result.KindGPU,
			Name: gpu, DriverVersion: "450.80.02", CUDADriverVersion: "11.0", Virtualization: virt})
	}
	return r
}

// vgpuResult is a run on the seed's vGPU system: VMware, 48 cores, the
// vGPU guest driver.
func vgpuResult(model, scenario string, tput float64) *result.Result {
	v := seedResult(model, scenario, tput, "GRID T4-16Q", result.VirtVGPUGuest)
	v.Host.Hypervisor = "VMware"
	v.Host.CPUCores = 48
	v.Extra = map[string]any{report.TensorRTVersionKey: "7.2.0"}
	for i := range v.Devices {
		v.Devices[i].DriverVersion = "450.89"
		v.Devices[i].VGPU = &result.VGPU{Product: "NVIDIA Virtual Compute Server", Licensed: true}
	}
	return v
}

// seedSystems writes the seed study's two systems into dir (relative
// paths, so that the golden CSV does not hold a temporary folder): 4x T4
// on bare metal and 4x T4-16Q vGPUs on VMware, per-GPU throughput.
func seedSystems(t *testing.T, dir string) (bm, vgpu string) {
	bm, vgpu = filepath.Join(dir, "bare-metal"), filepath.Join(dir, "vgpu")
	for _, r := range []struct {
		model, scenario string
		bm, vg          float64
	}{
		{"resnet50", "Offline", 5961, 5681}, {"resnet50", "Server", 5451, 5100},
		{"ssd-resnet34", "Offline", 137, 134}, {"ssd-resnet34", "Server", 117, 106},
		{"bert-99", "Offline", 435, 0}, {"3d-unet-99", "Offline", 7.2, 0},
	} {
		sub := r.model + "-" + r.scenario
		writeResultJSON(t, filepath.Join(bm, sub, "result.json"), seedResult(r.model, r.scenario, r.bm, "Tesla T4", result.VirtBareMetal))
		if r.vg == 0 {
			continue
		}
		v := vgpuResult(r.model, r.scenario, r.vg)
		if r.model == "ssd-resnet34" && r.scenario == "Server" {
			v.Valid = false
			v.Reasons = []string{"99th percentile latency above the target"}
		}
		writeResultJSON(t, filepath.Join(vgpu, sub, "result.json"), v)
	}
	// An accuracy run beside the performance runs is not in the table.
	acc := vgpuResult("resnet50", "Offline", 0)
	acc.Mode = "AccuracyOnly"
	writeResultJSON(t, filepath.Join(vgpu, "resnet50-Offline-accuracy", "result.json"), acc)
	return bm, vgpu
}

func TestCompareGolden(t *testing.T) {
	t.Chdir(t.TempDir())
	bm, vgpu := seedSystems(t, ".")
	for _, f := range report.Formats {
		t.Run(string(f), func(t *testing.T) {
			out, stderr, err := execCmd(t, newCompareCmd(), "compare", "--format", string(f), bm, vgpu)
			require.NoError(t, err)
			for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
				assert.True(t, strings.HasPrefix(line, "gotrt: ["), "nothing but a progress line per system without --out: %q", line)
			}
			checkGolden(t, "compare."+f.Ext()+".golden", out)
		})
	}
}

func TestCompareWritesOut(t *testing.T) {
	t.Chdir(t.TempDir())
	bm, vgpu := seedSystems(t, ".")
	out, stderr, err := execCmd(t, newCompareCmd(), "compare", "--out", "report", "--names", "Bare metal,vGPU", bm, vgpu)
	require.NoError(t, err)
	assert.Contains(t, out, "vGPU/Bare metal")
	assert.Contains(t, stderr, "wrote 7 files to report")
	assert.Contains(t, stderr, "gotrt: [1/2] read Bare metal: ", "a line per system read")
	for _, name := range []string{"compare.svg", "compare.png", "compare.txt", "compare.md", "compare.csv", "compare-systems.csv"} {
		st, err := os.Stat(filepath.Join("report", name))
		require.NoError(t, err, name)
		assert.Positive(t, st.Size(), name)
	}
	txt, err := os.ReadFile(filepath.Join("report", "compare.txt"))
	require.NoError(t, err)
	assert.Equal(t, out, string(txt), "compare.txt is what was printed")
	svg, err := os.ReadFile(filepath.Join("report", "compare.svg"))
	require.NoError(t, err)
	assert.Contains(t, string(svg), "Performance relative to Bare metal")
}

func TestCompareErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	bm, vgpu := seedSystems(t, ".")
	writeResultJSON(t, filepath.Join("other", "dlrm", "result.json"), seedResult("dlrm", "Offline", 1, "Tesla T4", result.VirtBareMetal))
	require.NoError(t, os.MkdirAll("broken/run", 0o755))
	require.NoError(t, os.WriteFile("broken/run/result.json", []byte("{\"schema_version\": \"1.0\",\n\"model\": "), 0o644))
	v2 := seedResult("resnet50", "Offline", 1, "Tesla T4", result.VirtBareMetal)
	v2.SchemaVersion = "2.0"
	writeResultJSON(t, filepath.Join("future", "result.json"), v2)
	require.NoError(t, os.Mkdir("empty", 0o755))
	// Issue 19: result files have a kind and a size.
	require.NoError(t, syscall.Mkfifo("fifo.json", 0o600))
	sparse, err := os.Create("sparse.json")
	require.NoError(t, err)
	require.NoError(t, sparse.Truncate(1<<30))
	require.NoError(t, sparse.Close())
	require.NoError(t, os.MkdirAll("fifodir/run", 0o755))
	require.NoError(t, syscall.Mkfifo("fifodir/run/result.json", 0o600))
	require.NoError(t, os.WriteFile("afile", nil, 0o644))

	for _, tc := range []struct {
		description string
		args        []string
		code        int
		contains    []string
	}{
		{"no shared benchmark", []string{bm, "other"}, exitUsage, []string{"other", "no benchmark and scenario in common", "dlrm Offline"}},
		{"unreadable file", []string{bm, "broken"}, exitFailure, []string{filepath.Join("broken", "run", "result.json"), "unexpected end of JSON"}},
		{"wrong schema version", []string{bm, "future/result.json"}, exitFailure, []string{"future/result.json", `schema_version "2.0"`}},
		{"missing path", []string{bm, "nowhere"}, exitUsage, []string{"nowhere", "no such file"}},
		{"folder without results", []string{bm, "empty"}, exitUsage, []string{"empty", "no result.json"}},
		{"bad format", []string{"--format", "xlsx", bm, vgpu}, exitUsage, []string{`--format "xlsx": want text, md, csv, json`}},
		{"one system", []string{bm}, exitUsage, []string{"two or more"}},
		{"names do not match", []string{"--names", "a", bm, vgpu}, exitUsage, []string{"1 names for 2 systems"}},
		{"unknown flag", []string{"--colour", bm, vgpu}, exitUsage, []string{"colour"}},
		{"result is /dev/zero (read 4 GB in 19 s)", []string{bm, "/dev/zero"}, exitUsage, []string{"/dev/zero: not a regular file: it is a character device"}},
		{"result is a 1 GB sparse file (1 GB RSS)", []string{bm, "sparse.json"}, exitUsage, []string{"sparse.json: more than 16 MiB, the most a result file may have"}},
		{"result is a named pipe (blocked)", []string{bm, "fifo.json"}, exitUsage, []string{"fifo.json: not a regular file: it is a named pipe"}},
		{"a folder's result.json is a named pipe", []string{bm, "fifodir"}, exitUsage, []string{"result.json: not a regular file: it is a named pipe"}},
		{"--out is a file (printed every table, then exit 1)", []string{"--out", "afile", bm, vgpu}, exitUsage, []string{"--out: afile is a file, not a folder"}},
	} {
		t.Run(tc.description, func(t *testing.T) {
			out, _, err := execCmd(t, newCompareCmd(), append([]string{"compare"}, tc.args...)...)
			require.Error(t, err)
			assert.Equal(t, tc.code, exitCode(err), "exit code for %v", err)
			for _, c := range tc.contains {
				assert.Contains(t, err.Error(), c)
			}
			assert.NotContains(t, err.Error(), "\n", "one line")
			assert.Empty(t, out, "no table on error")
		})
	}
}

func TestCompareCSVIsMachineReadable(t *testing.T) {
	t.Chdir(t.TempDir())
	bm, vgpu := seedSystems(t, ".")
	out, _, err := execCmd(t, newCompareCmd(), "compare", "--format", "csv", bm, vgpu)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.True(t, strings.HasPrefix(lines[0], "model,scenario,system,throughput,unit,ratio,valid,simulated,mode,path,metric,metric_value,metric_unit,start_time,"), lines[0])
	assert.Len(t, lines, 1+6+4, "a line per system and benchmark it ran")
}

func TestCompareJSON(t *testing.T) {
	t.Chdir(t.TempDir())
	bm, vgpu := seedSystems(t, ".")
	for _, args := range [][]string{{"--format", "json"}, {"--json"}} {
		out, _, err := execCmd(t, newCompareCmd(), append(append([]string{"compare"}, args...), bm, vgpu)...)
		require.NoError(t, err)
		var doc struct {
			Systems    []struct{ Name string }
			Benchmarks []struct {
				Model, Scenario, Metric string
				Entries                 []struct {
					System string
					Value  float64
					Ratio  *float64
				}
			}
		}
		require.NoError(t, json.Unmarshal([]byte(out), &doc), "stdout is one JSON document")
		require.Len(t, doc.Systems, 2)
		require.NotEmpty(t, doc.Benchmarks)
		for _, b := range doc.Benchmarks {
			if b.Model == "resnet50" && b.Scenario == "Offline" {
				require.Len(t, b.Entries, 2)
				assert.Equal(t, 5681.0, b.Entries[1].Value)
				require.NotNil(t, b.Entries[1].Ratio)
				assert.InDelta(t, 5681.0/5961.0, *b.Entries[1].Ratio, 1e-12)
			}
		}
	}
}
