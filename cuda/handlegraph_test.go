//go:build cuda

package cuda_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/cuda"
)

// CaptureHandle is how TensorRT's enqueue is captured: the work is queued
// through the raw stream handle, inside Context.Do.
func TestCaptureHandleAndLaunch(t *testing.T) {
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

	err = c.Do(func() error {
		_, err := cuda.CaptureHandle(nil, func() error { return nil })
		assert.ErrorIs(t, err, cuda.ErrInvalidHandle, "the legacy default stream cannot be captured")

		g, err := cuda.CaptureHandle(s.Handle(), func() error {
			if err := s.CopyHtoD(dev, 0, in.Bytes()); err != nil {
				return err
			}
			return s.CopyDtoH(out.Bytes(), dev, 0)
		})
		require.NoError(t, err)
		for round := range 3 {
			for i := range in.Bytes() {
				in.Bytes()[i] = byte(round * i)
			}
			require.NoError(t, g.Launch(s.Handle()))
			require.NoError(t, s.Synchronize())
			assert.True(t, bytes.Equal(in.Bytes(), out.Bytes()), "round %d", round)
		}
		require.NoError(t, g.Close())
		require.NoError(t, g.Close(), "twice")
		assert.ErrorIs(t, g.Launch(s.Handle()), cuda.ErrClosed)
		var nilGraph *cuda.HandleGraph
		assert.NoError(t, nilGraph.Close())
		return nil
	})
	require.NoError(t, err)
}
