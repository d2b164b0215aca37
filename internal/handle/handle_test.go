package handle_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/gpuerr"
	"github.com/gotrt/gotrt/internal/handle"
)

func TestCloseRefusesWithOpenChildren(t *testing.T) {
	var p handle.Parent
	require.NoError(t, p.Acquire("stream"))
	released := 0
	release := func() error { released++; return nil }

	err := p.Close("context 0", release)
	require.ErrorIs(t, err, gpuerr.ErrInUse)
	assert.Equal(t, "context 0: 1 children still open: handle in use", err.Error())
	assert.Zero(t, released, "nothing released while a child is open")
	assert.False(t, p.Closed(), "the parent stays usable")

	p.Release()
	require.NoError(t, p.Close("context 0", release))
	require.NoError(t, p.Close("context 0", release), "a second Close is harmless")
	assert.Equal(t, 1, released, "released exactly once")

	err = p.Acquire("stream")
	require.ErrorIs(t, err, gpuerr.ErrClosed)
	assert.Contains(t, err.Error(), "stream")
}

func TestReleaseErrorStillCloses(t *testing.T) {
	var p handle.Parent
	boom := errors.New("boom")
	require.ErrorIs(t, p.Close("x", func() error { return boom }), boom)
	assert.True(t, p.Closed())
	assert.NoError(t, p.Close("x", func() error { return boom }))
}

// A child opened concurrently with Close is either refused (ErrClosed) or
// makes Close refuse (ErrInUse): never both succeed with the child open
// after release. Run it with -race.
func TestConcurrentAcquireAndClose(t *testing.T) {
	for range 200 {
		var p handle.Parent
		var live atomic.Int32 // children open now
		var releasedWithLive atomic.Bool
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 5 {
				if p.Acquire("child") == nil {
					live.Add(1)
					live.Add(-1)
					p.Release()
				}
			}
		}()
		go func() {
			defer wg.Done()
			for p.Close("parent", func() error {
				if live.Load() != 0 {
					releasedWithLive.Store(true)
				}
				return nil
			}) != nil {
			}
		}()
		wg.Wait()
		require.False(t, releasedWithLive.Load(), "the parent was released with a child open")
		require.True(t, p.Closed())
		require.ErrorIs(t, p.Acquire("late"), gpuerr.ErrClosed)
	}
}
