//go:build cuda

package cuda_test

import (
	"bytes"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/internal/testutil"
)

// These tests need a GPU. Without one (or without libcuda.so.1) NewContext
// returns an error matching ErrNotSupported and they skip, so the test binary
// runs anywhere. .ci/cuda-check.sh runs it on CI's GPU-less machine twice:
// without a driver (they skip) and against testdata/fakecuda, a simulator of
// the driver API built as libcuda.so.1 (they must pass), which checks the
// binding's own logic but nothing about a real GPU.

func newContext(tb testing.TB) *cuda.Context {
	tb.Helper()
	c, err := cuda.NewContext(0)
	testutil.SkipIfNotSupported(tb, err)
	require.NoError(tb, err)
	tb.Cleanup(func() { assert.NoError(tb, c.Close()) })
	return c
}

func TestBuiltWithCUDA(t *testing.T) { assert.True(t, cuda.Built) }

func TestNewContextBadOrdinal(t *testing.T) {
	testutil.SkipIfNotSupported(t, cuda.Available())
	for _, ord := range []int{-1, 1 << 20} {
		_, err := cuda.NewContext(ord)
		assert.ErrorIs(t, err, cuda.ErrInvalidDevice, "ordinal %d", ord)
	}
}

func TestRoundTripPinned(t *testing.T) {
	c := newContext(t)
	s, err := c.NewStream()
	require.NoError(t, err)
	defer s.Close()
	assert.NotNil(t, s.Handle())

	const n = 1 << 20
	in, err := c.AllocHost(n)
	require.NoError(t, err)
	defer in.Close()
	out, err := c.AllocHost(n)
	require.NoError(t, err)
	defer out.Close()
	dev, err := c.AllocDevice(2 * n)
	require.NoError(t, err)
	defer dev.Close()
	assert.Equal(t, 2*n, dev.Len())
	assert.NotZero(t, dev.Ptr())

	for i := range in.Bytes() {
		in.Bytes()[i] = byte(i * 7)
	}
	require.NoError(t, s.CopyHtoD(dev, n, in.Bytes()))
	require.NoError(t, s.CopyDtoH(out.Bytes(), dev, n))
	require.NoError(t, s.Synchronize())
	assert.True(t, bytes.Equal(in.Bytes(), out.Bytes()))

	// Pageable Go memory works too (the driver stages it).
	got := make([]byte, 16)
	require.NoError(t, s.Memset(dev, 0, 16, 0xab))
	require.NoError(t, s.CopyDtoH(got, dev, 0))
	require.NoError(t, s.Synchronize())
	assert.Equal(t, bytes.Repeat([]byte{0xab}, 16), got)
}

func TestCopyBounds(t *testing.T) {
	c := newContext(t)
	s, err := c.NewStream()
	require.NoError(t, err)
	defer s.Close()
	dev, err := c.AllocDevice(64)
	require.NoError(t, err)
	defer dev.Close()

	tests := []struct {
		description string
		err         error
	}{
		{"write past the end", s.CopyHtoD(dev, 60, make([]byte, 8))},
		{"negative offset", s.CopyHtoD(dev, -1, make([]byte, 8))},
		{"read past the end", s.CopyDtoH(make([]byte, 65), dev, 0)},
		{"memset past the end", s.Memset(dev, 64, 1, 0)},
		{"device copy past the end", s.CopyDtoD(dev, 0, dev, 32, 33)},
	}
	for _, tt := range tests {
		assert.ErrorIs(t, tt.err, cuda.ErrOutOfRange, tt.description)
	}
	assert.NoError(t, s.CopyHtoD(dev, 64, nil), "an empty copy at the end is fine")

	_, err = c.AllocDevice(0)
	assert.ErrorContains(t, err, "must be positive")
	_, err = c.AllocHost(-1)
	assert.ErrorContains(t, err, "must be positive")
}

func TestCloseIsIdempotentAndNilSafe(t *testing.T) {
	c := newContext(t)
	s, err := c.NewStream()
	require.NoError(t, err)
	h, err := c.AllocHost(64)
	require.NoError(t, err)
	d, err := c.AllocDevice(64)
	require.NoError(t, err)
	e, err := c.NewEvent()
	require.NoError(t, err)
	for _, cl := range []interface{ Close() error }{s, h, d, e} {
		assert.NoError(t, cl.Close())
		assert.NoError(t, cl.Close())
	}
	assert.Nil(t, h.Bytes())
	assert.Zero(t, d.Ptr())
	assert.Nil(t, s.Handle())
	assert.ErrorIs(t, s.Synchronize(), cuda.ErrClosed)
	assert.ErrorIs(t, e.Record(s), cuda.ErrClosed)

	var (
		nc *cuda.Context
		ns *cuda.Stream
		nh *cuda.HostBuffer
		nd *cuda.DeviceBuffer
		ne *cuda.Event
		ng *cuda.Graph
		nx *cuda.GraphExec
		nm *cuda.Module
	)
	for _, cl := range []interface{ Close() error }{nc, ns, nh, nd, ne, ng, nx, nm} {
		assert.NoError(t, cl.Close())
	}
}

// Context.Close refuses while a child is open, names how many, leaves the
// context usable, and succeeds once the children are closed.
func TestContextCloseRefusesWhileInUse(t *testing.T) {
	c, err := cuda.NewContext(0)
	testutil.SkipIfNotSupported(t, err)
	require.NoError(t, err)
	s, err := c.NewStream()
	require.NoError(t, err)
	d, err := c.AllocDevice(64)
	require.NoError(t, err)

	err = c.Close()
	require.ErrorIs(t, err, cuda.ErrInUse)
	assert.Contains(t, err.Error(), "2 children still open")
	require.NoError(t, s.Memset(d, 0, 64, 7), "the context stays usable")
	require.NoError(t, s.Synchronize())
	require.NoError(t, c.Synchronize())

	require.NoError(t, d.Close())
	require.ErrorIs(t, c.Close(), cuda.ErrInUse, "the stream is still open")
	require.NoError(t, s.Close())
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "a second Close is harmless")
	_, err = c.NewStream()
	assert.ErrorIs(t, err, cuda.ErrClosed)
	assert.ErrorIs(t, c.Do(func() error { return nil }), cuda.ErrClosed)
}

// A stream made concurrently with Close either is refused (ErrClosed) or
// makes Close refuse (ErrInUse); run with -race.
func TestContextCloseRacesNewStream(t *testing.T) {
	for range 20 {
		c, err := cuda.NewContext(0)
		testutil.SkipIfNotSupported(t, err)
		require.NoError(t, err)
		made := make(chan *cuda.Stream, 1)
		go func() {
			s, err := c.NewStream()
			if err != nil {
				assert.ErrorIs(t, err, cuda.ErrClosed)
			}
			made <- s
		}()
		cerr := c.Close()
		s := <-made
		if s != nil {
			require.ErrorIs(t, cerr, cuda.ErrInUse, "a stream opened: Close must have refused")
			require.NoError(t, s.Synchronize())
			require.NoError(t, s.Close())
			require.NoError(t, c.Close())
		} else {
			require.NoError(t, cerr)
		}
	}
}

func TestEventsTimeAndOrder(t *testing.T) {
	c := newContext(t)
	s, err := c.NewStream()
	require.NoError(t, err)
	defer s.Close()
	dev, err := c.AllocDevice(64 << 20)
	require.NoError(t, err)
	defer dev.Close()
	start, err := c.NewEvent()
	require.NoError(t, err)
	defer start.Close()
	end, err := c.NewEvent()
	require.NoError(t, err)
	defer end.Close()

	require.NoError(t, start.Record(s))
	require.NoError(t, s.Memset(dev, 0, dev.Len(), 1))
	require.NoError(t, end.Record(s))
	require.NoError(t, end.Synchronize())
	done, err := end.Query()
	require.NoError(t, err)
	assert.True(t, done)
	d, err := end.Elapsed(start)
	require.NoError(t, err)
	assert.Positive(t, d)
	assert.Less(t, d, 10*time.Second)
}

func TestLaunchHostFunc(t *testing.T) {
	c := newContext(t)
	s, err := c.NewStream()
	require.NoError(t, err)
	defer s.Close()
	var ran atomic.Int32
	require.NoError(t, s.LaunchHostFunc(func() { ran.Add(1) }))
	require.NoError(t, s.Synchronize())
	assert.Equal(t, int32(1), ran.Load())
	assert.ErrorContains(t, s.LaunchHostFunc(nil), "nil function")
}

func TestGraphCaptureAndLaunch(t *testing.T) {
	c := newContext(t)
	s, err := c.NewStream()
	require.NoError(t, err)
	defer s.Close()
	in, err := c.AllocHost(4096)
	require.NoError(t, err)
	defer in.Close()
	out, err := c.AllocHost(4096)
	require.NoError(t, err)
	defer out.Close()
	dev, err := c.AllocDevice(4096)
	require.NoError(t, err)
	defer dev.Close()

	g, err := s.Capture(func() error {
		if err := s.CopyHtoD(dev, 0, in.Bytes()); err != nil {
			return err
		}
		return s.CopyDtoH(out.Bytes(), dev, 0)
	})
	require.NoError(t, err)
	defer g.Close()
	n, err := g.Nodes()
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	x, err := g.Instantiate()
	require.NoError(t, err)
	defer x.Close()

	for round := range 3 {
		for i := range in.Bytes() {
			in.Bytes()[i] = byte(round + i)
		}
		require.NoError(t, x.Launch(s))
		require.NoError(t, s.Synchronize())
		assert.True(t, bytes.Equal(in.Bytes(), out.Bytes()), "round %d", round)
	}
}

// BenchmarkCopyPinned measures host↔device bandwidth with pinned memory
// (MB/s in the output).
func BenchmarkCopyPinned(b *testing.B) {
	c := newContext(b)
	s, err := c.NewStream()
	require.NoError(b, err)
	defer s.Close()
	for _, size := range []int{64 << 10, 1 << 20, 16 << 20, 64 << 20} {
		host, err := c.AllocHost(size)
		require.NoError(b, err)
		dev, err := c.AllocDevice(size)
		require.NoError(b, err)
		b.Run(fmt.Sprintf("HtoD/%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				_ = s.CopyHtoD(dev, 0, host.Bytes())
				_ = s.Synchronize()
			}
		})
		b.Run(fmt.Sprintf("DtoH/%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				_ = s.CopyDtoH(host.Bytes(), dev, 0)
				_ = s.Synchronize()
			}
		})
		require.NoError(b, dev.Close())
		require.NoError(b, host.Close())
	}
}

// BenchmarkCopyPageable is the same copy from Go memory, for comparison.
func BenchmarkCopyPageable(b *testing.B) {
	c := newContext(b)
	s, err := c.NewStream()
	require.NoError(b, err)
	defer s.Close()
	const size = 16 << 20
	host := make([]byte, size)
	dev, err := c.AllocDevice(size)
	require.NoError(b, err)
	defer dev.Close()
	b.SetBytes(size)
	for b.Loop() {
		_ = s.CopyHtoD(dev, 0, host)
		_ = s.Synchronize()
	}
}

// BenchmarkBatchRoundTrip is one executor batch without a model: gather
// into pinned input → H2D → a device-side copy standing in for the engine →
// D2H → event, for a ResNet50-sized INT8 batch (224×224×3 in, 1001×4 out).
func BenchmarkBatchRoundTrip(b *testing.B) {
	c := newContext(b)
	s, err := c.NewStream()
	require.NoError(b, err)
	defer s.Close()
	for _, batch := range []int{1, 26, 256} {
		inN, outN := batch*224*224*3, batch*1001*4
		in, err := c.AllocHost(inN)
		require.NoError(b, err)
		out, err := c.AllocHost(outN)
		require.NoError(b, err)
		dIn, err := c.AllocDevice(inN)
		require.NoError(b, err)
		dOut, err := c.AllocDevice(outN)
		require.NoError(b, err)
		done, err := c.NewEvent()
		require.NoError(b, err)
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			b.SetBytes(int64(inN + outN))
			for b.Loop() {
				_ = s.CopyHtoD(dIn, 0, in.Bytes())
				_ = s.CopyDtoD(dOut, 0, dIn, 0, outN)
				_ = s.CopyDtoH(out.Bytes(), dOut, 0)
				_ = done.Record(s)
				_ = done.Synchronize()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/batch")
		})
		for _, cl := range []interface{ Close() error }{done, dOut, dIn, out, in} {
			require.NoError(b, cl.Close())
		}
	}
}
