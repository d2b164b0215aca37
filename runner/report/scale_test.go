package report

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/result"
)

// seedScaling returns a run function with the seed study's vGPU scaling of
// ResNet50 Offline: 1→4 vGPUs at 3.91x.
func seedScaling(t *testing.T, calls *[]int) RunFunc {
	tput := map[int]float64{1: 1453, 2: 2896, 4: 5681}
	return func(ctx context.Context, n int, dir string) (*result.Result, error) {
		*calls = append(*calls, n)
		st, err := os.Stat(dir)
		require.NoError(t, err)
		require.True(t, st.IsDir(), "Scale creates the count's folder")
		r := withGPUs(mkResult("resnet50", "Offline", tput[n]), n, "GRID T4-16Q", result.VirtVGPUGuest)
		writeResult(t, filepath.Join(dir, ResultFile), r)
		return r, nil
	}
}

func TestScale(t *testing.T) {
	out := t.TempDir()
	var calls []int
	progressed := 0
	s, err := Scale(context.Background(), out, []int{4, 1, 2}, seedScaling(t, &calls), func(s *Scaling) { progressed = len(s.Points) })
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 4}, calls, "counts run in increasing order")
	assert.Equal(t, 3, progressed)
	require.Len(t, s.Points, 3)
	assert.Equal(t, filepath.Join(out, "devices-4"), s.Points[2].Dir)
	assert.InDelta(t, 1.0, s.Points[0].SpeedUp, 1e-12)
	assert.InDelta(t, 5681.0/1453, s.Points[2].SpeedUp, 1e-12)
	assert.InDelta(t, 5681.0/1453/4, s.Points[2].Efficiency, 1e-12)
	assert.True(t, s.Valid())

	back, err := LoadScaling(out)
	require.NoError(t, err)
	require.Len(t, back.Points, 3)
	assert.InDelta(t, s.Points[2].SpeedUp, back.Points[2].SpeedUp, 1e-12)

	var b bytes.Buffer
	require.NoError(t, s.Table().Write(&b, Text))
	assert.Contains(t, b.String(), "3.91x")
	assert.Contains(t, b.String(), "97.7 %")
}

func TestScaleStopsAtFirstError(t *testing.T) {
	boom := errors.New("device 3 does not exist")
	calls := 0
	run := func(ctx context.Context, n int, dir string) (*result.Result, error) {
		calls++
		if n == 4 {
			return nil, boom
		}
		return mkResult("resnet50", "Offline", float64(n)), nil
	}
	s, err := Scale(context.Background(), t.TempDir(), []int{1, 2, 4, 8}, run, nil)
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "4 devices")
	assert.Equal(t, 3, calls)
	assert.Len(t, s.Points, 2, "the points done so far come back")

	_, err = Scale(context.Background(), t.TempDir(), nil, run, nil)
	assert.Error(t, err)
}

// Ctrl-C during a study keeps the finished counts and marks the study
// interrupted; the count cut short is left out of the table.
func TestScaleInterruptedKeepsFinishedCounts(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run := func(ctx context.Context, n int, dir string) (*result.Result, error) {
		r := mkResult("resnet50", "Offline", float64(1000*n))
		if n == 4 {
			cancel() // the interrupt arrives during count 4's run
			r.Valid, r.Interrupted, r.Reasons = false, true, []string{"interrupted"}
		}
		return r, nil
	}
	s, err := Scale(ctx, t.TempDir(), []int{1, 2, 4, 8}, run, nil)
	require.NoError(t, err)
	assert.True(t, s.Interrupted)
	assert.Equal(t, []int{4, 8}, s.Unfinished)
	require.Len(t, s.Points, 2)
	assert.True(t, s.Valid(), "the finished counts were VALID")
	var b bytes.Buffer
	require.NoError(t, s.Table().Write(&b, Text))
	assert.Contains(t, b.String(), "(interrupted)")
	assert.Contains(t, b.String(), "counts 4 and 8 did not finish")
	assert.Contains(t, b.String(), "2000")

	// Interrupted before any count: nothing finished, no error.
	s, err = Scale(ctx, t.TempDir(), []int{1}, run, nil)
	require.NoError(t, err)
	assert.True(t, s.Interrupted)
	assert.Empty(t, s.Points)
}

func TestScaleRefusesMixedRuns(t *testing.T) {
	run := func(ctx context.Context, n int, dir string) (*result.Result, error) {
		if n == 2 {
			return mkResult("bert-99", "Offline", 2), nil
		}
		return mkResult("resnet50", "Offline", 1), nil
	}
	_, err := Scale(context.Background(), t.TempDir(), []int{1, 2}, run, nil)
	assert.ErrorContains(t, err, "2 devices ran bert-99 Offline")
}

func TestCounts(t *testing.T) {
	assert.Equal(t, []int{1}, DefaultCounts(1))
	assert.Equal(t, []int{1, 2, 4, 8}, DefaultCounts(8))
	assert.Equal(t, []int{1, 2, 4, 6}, DefaultCounts(6))
	assert.Empty(t, DefaultCounts(0))

	cs, err := ParseCounts("4, 1,2")
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 4}, cs)
	for _, bad := range []string{"", "1,,2", "0", "-1", "two", "1,1"} {
		_, err := ParseCounts(bad)
		assert.Error(t, err, bad)
	}
}

func TestLoadScalingErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadScaling(dir)
	assert.ErrorIs(t, err, ErrNoResults)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "devices-2"), 0o755))
	_, err = LoadScaling(dir)
	assert.ErrorContains(t, err, filepath.Join("devices-2", ResultFile))
}

func TestScalingMarksSimulatedAndInvalid(t *testing.T) {
	a := mkResult("resnet50", "Offline", 100)
	b := mkResult("resnet50", "Offline", 150)
	b.Devices = []result.Device{{ID: "sim:0", Kind: result.KindSimulated, Name: "t4-profile"}}
	b.Valid = false
	s, err := NewScaling([]Point{{Devices: 2, Result: b, Dir: "devices-2"}, {Devices: 1, Result: a, Dir: "devices-1"}})
	require.NoError(t, err)
	assert.Equal(t, 1, s.Points[0].Devices, "points are sorted by count")
	assert.True(t, s.Simulated())
	assert.False(t, s.Valid())
	var buf bytes.Buffer
	require.NoError(t, s.Table().Write(&buf, Text))
	assert.Contains(t, buf.String(), "INVALID [simulated]")
	assert.Contains(t, buf.String(), "not a measurement")
	ch, err := s.Chart()
	require.NoError(t, err)
	assert.Contains(t, ch.Plots[0].Title.Text, "simulated")

	_, err = NewScaling([]Point{{Devices: 1, Result: a}, {Devices: 1, Result: a}})
	assert.ErrorIs(t, err, ErrDuplicate)
}
