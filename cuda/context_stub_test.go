//go:build !cuda

package cuda_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/internal/gpuerr"
)

func TestStubsSayNotSupported(t *testing.T) {
	assert.False(t, cuda.Built)
	c, err := cuda.NewContext(0)
	assert.Nil(t, c)
	assert.ErrorIs(t, err, cuda.ErrNotSupported)
	assert.NotSame(t, gpuerr.ErrNotSupported, err, "a wrapped error with detail, not the bare sentinel")
	assert.Contains(t, err.Error(), "build with -tags cuda")
	_, err = cuda.DeviceCount()
	assert.ErrorIs(t, err, cuda.ErrNotSupported)
	assert.ErrorIs(t, cuda.Available(), cuda.ErrNotSupported)
	_, err = cuda.DriverVersion()
	assert.ErrorIs(t, err, cuda.ErrNotSupported)

	var (
		s *cuda.Stream
		h *cuda.HostBuffer
		d *cuda.DeviceBuffer
		e *cuda.Event
		m *cuda.Module
		f *cuda.Function
	)
	assert.ErrorIs(t, c.Do(func() error { return nil }), cuda.ErrNotSupported)
	_, err = c.NewStream()
	assert.ErrorIs(t, err, cuda.ErrNotSupported)
	_, err = c.AllocHost(1)
	assert.ErrorIs(t, err, cuda.ErrNotSupported)
	assert.ErrorIs(t, s.CopyHtoD(d, 0, []byte{1}), cuda.ErrNotSupported)
	assert.ErrorIs(t, e.Record(s), cuda.ErrNotSupported)
	assert.Nil(t, h.Bytes())
	assert.Nil(t, s.Handle())
	_, err = c.LoadModule([]byte("ptx"))
	assert.ErrorIs(t, err, cuda.ErrNotSupported)
	_, err = m.Function("k")
	assert.ErrorIs(t, err, cuda.ErrNotSupported)
	one := cuda.Dim3{X: 1, Y: 1, Z: 1}
	assert.ErrorIs(t, s.Launch(f, one, one, 0, 1, 2), cuda.ErrNotSupported)
	assert.ErrorIs(t, f.SetMaxDynamicSharedMemory(1<<16), cuda.ErrNotSupported)
	_, _, err = c.ComputeCapability()
	assert.ErrorIs(t, err, cuda.ErrNotSupported)
	_, err = c.MultiprocessorCount()
	assert.ErrorIs(t, err, cuda.ErrNotSupported)
	for _, cl := range []interface{ Close() error }{c, s, h, d, e, m} {
		assert.NoError(t, cl.Close())
	}
}
