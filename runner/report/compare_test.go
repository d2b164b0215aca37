package report

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/result"
)

// seed returns the seed study's two systems: 4x T4 on bare metal and 4x
// T4-16Q vGPUs, per-GPU throughput from its table.
func seed() (bm, vg *System) {
	bm = sys("bare-metal",
		withGPUs(mkResult("resnet50", "Server", 5451), 4, "Tesla T4", result.VirtBareMetal),
		withGPUs(mkResult("resnet50", "Offline", 5961), 4, "Tesla T4", result.VirtBareMetal),
		withGPUs(mkResult("bert-99", "Offline", 435), 4, "Tesla T4", result.VirtBareMetal),
	)
	v := []*result.Result{
		withGPUs(mkResult("resnet50", "Offline", 5681), 4, "GRID T4-16Q", result.VirtVGPUGuest),
		withGPUs(mkResult("resnet50", "Server", 5100), 4, "GRID T4-16Q", result.VirtVGPUGuest),
	}
	for _, r := range v {
		r.Host.Hypervisor = "VMware"
		r.Host.CPUCores = 48
		for i := range r.Devices {
			r.Devices[i].DriverVersion = "450.89"
			r.Devices[i].VGPU = &result.VGPU{Product: "NVIDIA Virtual Compute Server", Licensed: true}
		}
	}
	v[0].Extra = map[string]any{TensorRTVersionKey: "7.2.0"}
	return bm, sys("vgpu", v...)
}

func TestCompareRatiosAndOrder(t *testing.T) {
	bm, vg := seed()
	c, err := Compare([]*System{bm, vg})
	require.NoError(t, err)
	require.Len(t, c.Rows, 3)
	// Models sorted, Offline before Server as in the seed's table.
	assert.Equal(t, Benchmark{"bert-99", "Offline"}, c.Rows[0].Benchmark)
	assert.Equal(t, Benchmark{"resnet50", "Offline"}, c.Rows[1].Benchmark)
	assert.Equal(t, Benchmark{"resnet50", "Server"}, c.Rows[2].Benchmark)

	off := c.Rows[1]
	assert.Equal(t, "samples/s", off.Unit)
	assert.InDelta(t, 1.0, off.Entries[0].Ratio, 1e-12)
	assert.InDelta(t, 5681.0/5961.0, off.Entries[1].Ratio, 1e-12)
	assert.True(t, off.Entries[1].HasRatio)

	bert := c.Rows[0]
	assert.Nil(t, bert.Entries[1].Run, "vGPU did not run BERT")
	assert.False(t, bert.Entries[1].HasRatio)
	assert.Equal(t, []Benchmark{{"resnet50", "Offline"}, {"resnet50", "Server"}}, c.Shared())
}

func TestCompareRefusals(t *testing.T) {
	bm, _ := seed()
	ssd := sys("other", mkResult("ssd-resnet34", "Offline", 137))
	_, err := Compare([]*System{bm, ssd})
	require.ErrorIs(t, err, ErrNoSharedBenchmark)
	assert.Contains(t, err.Error(), "other")
	assert.Contains(t, err.Error(), "ssd-resnet34 Offline", "the error lists what each system ran")

	dup := sys("dup", mkResult("resnet50", "Offline", 1), mkResult("resnet50", "Offline", 2))
	_, err = Compare([]*System{bm, dup})
	assert.ErrorIs(t, err, ErrDuplicate)

	_, err = Compare([]*System{bm})
	assert.ErrorContains(t, err, "two or more systems")

	acc := mkResult("resnet50", "Offline", 0)
	acc.Mode = "AccuracyOnly"
	_, err = Compare([]*System{bm, sys("acc", acc)})
	assert.ErrorIs(t, err, ErrNoResults, "accuracy runs are no throughput")

	q := mkResult("resnet50", "Offline", 10)
	q.Throughput.Unit = "queries/s"
	_, err = Compare([]*System{bm, sys("q", q)})
	assert.ErrorContains(t, err, "do not compare")
}

func TestCompareAccuracyRunsIgnored(t *testing.T) {
	bm, vg := seed()
	acc := mkResult("resnet50", "Offline", 0)
	acc.Mode = "AccuracyOnly"
	vg.Runs = append(vg.Runs, Run{Path: "acc", Result: acc})
	c, err := Compare([]*System{bm, vg})
	require.NoError(t, err, "an accuracy run beside a performance run is no duplicate")
	assert.InDelta(t, 5681.0, c.Rows[1].Entries[1].Throughput, 1e-9)
}

func TestDifferences(t *testing.T) {
	bm, vg := seed()
	c, err := Compare([]*System{bm, vg})
	require.NoError(t, err)
	got := map[string]Difference{}
	for _, d := range c.Differences {
		got[d.Field] = d
	}
	assert.Equal(t, []string{"Intel Xeon Gold 6248", "Intel Xeon Gold 6248"}, got["CPU model"].Values)
	assert.False(t, got["CPU model"].Differs)
	assert.Equal(t, []string{"80", "48"}, got["CPU cores"].Values)
	assert.True(t, got["CPU cores"].Differs)
	assert.Equal(t, []string{Missing, "VMware"}, got["Hypervisor"].Values)
	assert.Equal(t, []string{"4 × Tesla T4", "4 × GRID T4-16Q"}, got["Devices"].Values)
	assert.Equal(t, []string{"bare-metal", "vgpu-guest"}, got["Virtualisation"].Values)
	assert.Equal(t, []string{Missing, "GRID T4-16Q (NVIDIA Virtual Compute Server)"}, got["Device profile"].Values)
	assert.Equal(t, []string{"450.80", "450.89"}, got["Driver"].Values)
	assert.False(t, got["CUDA"].Differs)
	assert.Equal(t, []string{Missing, "7.2.0"}, got["TensorRT"].Values)
	assert.Equal(t, []string{Missing, Missing}, got["Kernel"].Values)
	assert.False(t, got["Kernel"].Differs)
}

func TestCompareTableMarks(t *testing.T) {
	bm, vg := seed()
	vg.Runs[0].Result.Valid = false
	vg.Runs[1].Result.Simulated = true
	c, err := Compare([]*System{bm, vg})
	require.NoError(t, err)
	assert.True(t, c.Simulated())
	var b bytes.Buffer
	require.NoError(t, c.Table().Write(&b, Text))
	out := b.String()
	assert.Contains(t, out, "5681 [INVALID]")
	assert.Contains(t, out, "5100 [simulated]")
	assert.Contains(t, out, "not a measurement")
	assert.Contains(t, out, "0.953")

	b.Reset()
	require.NoError(t, c.DataTable().Write(&b, CSV))
	assert.Contains(t, b.String(), "resnet50,Offline,vgpu,5681,samples/s,0.9530280154336521,false,false,PerformanceOnly,")
	assert.Contains(t, b.String(), "resnet50,Server,vgpu,5100,samples/s,0.9356081452944414,true,true,")
}

// result.json records TensorRT per device now; older results in Extra.
func TestDifferencesReadTheDeviceTensorRTVersion(t *testing.T) {
	bm, vg := seed()
	for _, run := range bm.Runs {
		for i := range run.Result.Devices {
			run.Result.Devices[i].TensorRT = "10.16.0"
		}
	}
	c, err := Compare([]*System{bm, vg})
	require.NoError(t, err)
	for _, d := range c.Differences {
		if d.Field == "TensorRT" {
			assert.Equal(t, []string{"10.16.0", "7.2.0"}, d.Values)
			assert.True(t, d.Differs)
		}
	}
}
