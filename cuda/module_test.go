//go:build cuda

package cuda_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/internal/testutil"
)

// addBytesPTX is add_bytes(data, n, k): data[i] += k for i < n, one thread
// per byte. Hand-written PTX (ptxas of CUDA 12.4 accepts it for sm_52, sm_75
// and sm_90), so the test needs no toolkit: the driver compiles it.
const addBytesPTX = `
//
// add_bytes(data, n, k): data[i] += k for i < n; one thread per byte.
// Hand-written PTX (no toolkit needed), JIT-compiled by the driver.
//
.version 7.0
.target sm_52
.address_size 64

.visible .entry add_bytes(
	.param .u64 add_bytes_data,
	.param .u32 add_bytes_n,
	.param .u32 add_bytes_k
)
{
	.reg .pred %p<2>;
	.reg .b16 %rs<4>;
	.reg .b32 %r<7>;
	.reg .b64 %rd<5>;

	ld.param.u64 %rd1, [add_bytes_data];
	ld.param.u32 %r2, [add_bytes_n];
	ld.param.u32 %r6, [add_bytes_k];
	mov.u32 %r3, %ctaid.x;
	mov.u32 %r4, %ntid.x;
	mov.u32 %r5, %tid.x;
	mad.lo.s32 %r1, %r3, %r4, %r5;
	setp.ge.u32 %p1, %r1, %r2;
	@%p1 bra DONE;
	cvta.to.global.u64 %rd2, %rd1;
	cvt.u64.u32 %rd3, %r1;
	add.s64 %rd4, %rd2, %rd3;
	ld.global.u8 %rs1, [%rd4];
	cvt.u16.u32 %rs2, %r6;
	add.s16 %rs3, %rs1, %rs2;
	st.global.u8 [%rd4], %rs3;
DONE:
	ret;
}
`

func loadAddBytes(t *testing.T, c *cuda.Context) *cuda.Function {
	t.Helper()
	m, err := c.LoadModule([]byte(addBytesPTX)) // no NUL: LoadModule adds it
	testutil.SkipIfNotSupported(t, err)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, m.Close()) })
	f, err := m.Function("add_bytes")
	require.NoError(t, err)
	assert.Equal(t, "add_bytes", f.Name())
	return f
}

func TestLaunchKernel(t *testing.T) {
	c := newContext(t)
	s, err := c.NewStream()
	require.NoError(t, err)
	defer s.Close()
	f := loadAddBytes(t, c)

	const n = 1000 // not a multiple of the block size
	in := make([]byte, n+24)
	for i := range in {
		in[i] = byte(i)
	}
	dev, err := c.AllocDevice(len(in))
	require.NoError(t, err)
	defer dev.Close()
	require.NoError(t, s.CopyHtoD(dev, 0, in))

	block := cuda.Dim3{X: 256, Y: 1, Z: 1}
	grid := cuda.Dim3{X: (n + 255) / 256, Y: 1, Z: 1}
	// k = 3 in the low half; the high half of its slot must not matter.
	require.NoError(t, s.Launch(f, grid, block, 0, uint64(dev.Ptr()), n, 3|0xdead_beef<<32))
	out := make([]byte, len(in))
	require.NoError(t, s.CopyDtoH(out, dev, 0))
	require.NoError(t, s.Synchronize())
	for i := range out {
		want := in[i]
		if i < n {
			want += 3
		}
		require.Equal(t, want, out[i], "byte %d", i)
	}

	// Launch does not allocate (its parameters live in the stream's C block).
	allocs := testing.AllocsPerRun(100, func() {
		_ = s.Launch(f, grid, block, 0, uint64(dev.Ptr()), n, 1)
	})
	assert.Zero(t, allocs, "allocations per Launch")
	require.NoError(t, s.Synchronize())
}

// A launch captured into a graph keeps the arguments it was captured with,
// even though the stream's parameter block is reused afterwards.
func TestLaunchInGraph(t *testing.T) {
	c := newContext(t)
	s, err := c.NewStream()
	require.NoError(t, err)
	defer s.Close()
	f := loadAddBytes(t, c)
	host, err := c.AllocHost(4096)
	require.NoError(t, err)
	defer host.Close()
	dev, err := c.AllocDevice(4096)
	require.NoError(t, err)
	defer dev.Close()

	one := cuda.Dim3{X: 1, Y: 1, Z: 1}
	g, err := s.Capture(func() error {
		if err := s.CopyHtoD(dev, 0, host.Bytes()); err != nil {
			return err
		}
		if err := s.Launch(f, cuda.Dim3{X: 16, Y: 1, Z: 1}, cuda.Dim3{X: 256, Y: 1, Z: 1}, 0,
			uint64(dev.Ptr()), 4096, 5); err != nil {
			return err
		}
		return s.CopyDtoH(host.Bytes(), dev, 0)
	})
	require.NoError(t, err)
	defer g.Close()
	n, err := g.Nodes()
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	x, err := g.Instantiate()
	require.NoError(t, err)
	defer x.Close()

	// Reuse the parameter block with other values before the graph runs.
	require.NoError(t, s.Launch(f, one, one, 0, uint64(dev.Ptr()), 0, 99))
	clear(host.Bytes())
	for range 2 {
		require.NoError(t, x.Launch(s))
	}
	require.NoError(t, s.Synchronize())
	assert.Equal(t, bytes.Repeat([]byte{10}, 4096), host.Bytes(), "two runs of += 5")
}

func TestModuleErrors(t *testing.T) {
	c := newContext(t)
	_, err := c.LoadModule(nil)
	assert.ErrorContains(t, err, "empty image")
	_, err = c.LoadModule([]byte(".version 7.0\n.target sm_52\nthis is not ptx"))
	var cerr *cuda.Error
	require.ErrorAs(t, err, &cerr)
	assert.Equal(t, "cuModuleLoadData", cerr.Op)

	m, err := c.LoadModule([]byte(addBytesPTX + "\x00"))
	require.NoError(t, err)
	_, err = m.Function("no_such_kernel")
	assert.ErrorIs(t, err, cuda.ErrNotFound)
	f, err := m.Function("add_bytes")
	require.NoError(t, err)
	require.NoError(t, f.SetMaxDynamicSharedMemory(0))

	s, err := c.NewStream()
	require.NoError(t, err)
	defer s.Close()
	one := cuda.Dim3{X: 1, Y: 1, Z: 1}
	err = s.Launch(f, one, one, 0, make([]uint64, cuda.MaxLaunchArgs+1)...)
	assert.ErrorIs(t, err, cuda.ErrOutOfRange)
	err = s.Launch(f, cuda.Dim3{}, one, 0, 0, 0, 0)
	assert.ErrorIs(t, err, cuda.ErrInvalidValue, "a zero grid")
	assert.Contains(t, err.Error(), `"add_bytes"`)

	require.ErrorIs(t, c.Close(), cuda.ErrInUse, "the module and stream are open")
	require.NoError(t, m.Close())
	require.NoError(t, m.Close())
	assert.ErrorIs(t, s.Launch(f, one, one, 0), cuda.ErrClosed)
	_, err = m.Function("add_bytes")
	assert.ErrorIs(t, err, cuda.ErrClosed)
}

func TestAttributes(t *testing.T) {
	c := newContext(t)
	major, minor, err := c.ComputeCapability()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, major, 5)
	assert.GreaterOrEqual(t, minor, 0)
	sms, err := c.MultiprocessorCount()
	require.NoError(t, err)
	assert.Positive(t, sms)
	optin, err := c.Attribute(cuda.AttrMaxSharedMemoryPerBlockOptin)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, optin, 48<<10)
	name, err := c.Name()
	require.NoError(t, err)
	assert.NotEmpty(t, strings.TrimSpace(name))
	v, err := cuda.DriverVersion()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, v, 11040)
	t.Logf("%s: sm_%d%d, %d SMs, %d KiB shared per block (opt-in), driver CUDA %d.%d",
		name, major, minor, sms, optin>>10, v/1000, v%1000/10)
}

// Available is nil with a usable device; otherwise its one line says why.
func TestAvailable(t *testing.T) {
	err := cuda.Available()
	if err == nil {
		n, err := cuda.DeviceCount()
		require.NoError(t, err)
		assert.Positive(t, n)
		return
	}
	t.Logf("cuda.Available: %v", err)
	assert.ErrorIs(t, err, cuda.ErrNotSupported)
	assert.NotContains(t, err.Error(), "\n", "one line")
	assert.Contains(t, err.Error(), "no usable CUDA device: ")
	again := cuda.Available()
	assert.Equal(t, err.Error(), again.Error(), "the driver is loaded once")
	_, nerr := cuda.NewContext(0)
	assert.ErrorIs(t, nerr, cuda.ErrNotSupported)
	testutil.SkipIfNotSupported(t, err)
}
