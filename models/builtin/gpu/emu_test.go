package gpu

import (
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/stretchr/testify/require"
)

// cpuClasses runs the first n held-out samples through the CPU INT8
// executor and returns their pixels and classes.
func cpuClasses(t testing.TB, m *builtin.Model, n int) ([]byte, []int32) {
	t.Helper()
	q, err := builtin.NewQSL(m.Seed(), n, n)
	require.NoError(t, err)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	require.NoError(t, q.LoadSamplesToRAM(idx))
	e, err := m.NewExecutor(builtin.INT8, builtin.MaxBatchLimit)
	require.NoError(t, err)
	defer e.Close()
	pixels := make([]byte, 0, n*builtin.InputSize)
	classes := make([]int32, n)
	for start := 0; start < n; start += e.MaxBatch() {
		k := min(e.MaxBatch(), n-start)
		for s := range k {
			copy(e.Input(s), q.SampleData(start+s))
			pixels = append(pixels, q.SampleData(start+s)...)
		}
		_, err := e.Run(context.Background(), k)
		require.NoError(t, err)
		for s := range k {
			classes[start+s] = int32(e.Class(s))
		}
	}
	return pixels, classes
}

// TestKernelEmulated runs kernels/builtin.cu's kernel body on the CPU
// (kernels/emu.cc, a thread per CUDA thread) and checks its classes against
// the CPU INT8 executor's, for every samples-per-block variant, with grids
// that leave blocks several groups and a partial last group. It checks the
// kernel's indexing and arithmetic where there is no GPU.
func TestKernelEmulated(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and runs the kernel emulator (about 30 s on 2 cores)")
	}
	cxx, err := exec.LookPath("g++")
	if err != nil {
		t.Skip("needs g++ to build the kernel emulator")
	}
	src := filepath.Join("kernels", "emu.cc")
	if _, err := os.Stat(src); err != nil {
		t.Skipf("needs the kernel sources (%v): run from the package folder", err)
	}
	dir := t.TempDir()
	emu := filepath.Join(dir, "emu")
	out, err := exec.Command(cxx, "-std=c++20", "-O2", "-pthread", "-ffp-contract=off", "-w",
		"-o", emu, src).CombinedOutput()
	require.NoError(t, err, "build emulator: %s", out)

	m, err := builtin.Default()
	require.NoError(t, err)
	blob, err := packParams(m.Int8())
	require.NoError(t, err)
	const n = 101 // odd: partial groups for every S
	pixels, want := cpuClasses(t, m, n)
	params := filepath.Join(dir, "params.bin")
	in := filepath.Join(dir, "in.bin")
	require.NoError(t, os.WriteFile(params, blob, 0o600))
	require.NoError(t, os.WriteFile(in, pixels, 0o600))

	for _, c := range []struct{ s, grid string }{{"2", "3"}, {"4", "2"}, {"8", "5"}} {
		res := filepath.Join(dir, "out-"+c.s+".bin")
		out, err := exec.Command(emu, c.s, c.grid, params, in, res).CombinedOutput()
		require.NoError(t, err, "emulator S=%s: %s", c.s, out)
		b, err := os.ReadFile(res)
		require.NoError(t, err)
		require.Len(t, b, 4*n)
		bad := 0
		for i := range n {
			if got := int32(binary.LittleEndian.Uint32(b[4*i:])); got != want[i] {
				if bad < 5 {
					t.Errorf("S=%s sample %d: class %d, CPU INT8 %d", c.s, i, got, want[i])
				}
				bad++
			}
		}
		require.Zero(t, bad, "S=%s: %d of %d classes differ", c.s, bad, n)
	}
}
