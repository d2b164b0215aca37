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

	var (
		s *cuda.Stream
		h *cuda.HostBuffer
		d *cuda.DeviceBuffer
		e *cuda.Event
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
	for _, cl := range []interface{ Close() error }{c, s, h, d, e} {
		assert.NoError(t, cl.Close())
	}
}
