package runner

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCPUDevicesKeepAProcessorSpare(t *testing.T) {
	t.Setenv("GOMAXPROCS", "") // as most users run
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)

	t.Run("as many lanes as processors: one more while open", func(t *testing.T) {
		runtime.GOMAXPROCS(2)
		release := spareProcessor(2)
		assert.Equal(t, 3, runtime.GOMAXPROCS(0))
		release()
		release() // idempotent
		assert.Equal(t, 2, runtime.GOMAXPROCS(0))
	})
	t.Run("fewer lanes: a spare already", func(t *testing.T) {
		runtime.GOMAXPROCS(4)
		release := spareProcessor(2)
		assert.Equal(t, 4, runtime.GOMAXPROCS(0))
		release()
		assert.Equal(t, 4, runtime.GOMAXPROCS(0))
	})
	t.Run("more lanes than processors (a quota): left alone, the executors yield", func(t *testing.T) {
		runtime.GOMAXPROCS(2)
		release := spareProcessor(8)
		assert.Equal(t, 2, runtime.GOMAXPROCS(0))
		release()
	})
	t.Run("two users: put back when the last is done", func(t *testing.T) {
		runtime.GOMAXPROCS(2)
		r1 := spareProcessor(2)
		r2 := spareProcessor(1)
		assert.Equal(t, 3, runtime.GOMAXPROCS(0))
		r1()
		assert.Equal(t, 3, runtime.GOMAXPROCS(0), "the second is still open")
		r2()
		assert.Equal(t, 2, runtime.GOMAXPROCS(0))
	})
	t.Run("changed meanwhile by someone else: theirs stays", func(t *testing.T) {
		runtime.GOMAXPROCS(2)
		release := spareProcessor(2)
		runtime.GOMAXPROCS(5)
		release()
		assert.Equal(t, 5, runtime.GOMAXPROCS(0))
	})
	t.Run("GOMAXPROCS set in the environment: the user's choice stays", func(t *testing.T) {
		t.Setenv("GOMAXPROCS", "2")
		runtime.GOMAXPROCS(2)
		release := spareProcessor(2)
		assert.Equal(t, 2, runtime.GOMAXPROCS(0))
		release()
	})
	t.Run("OpenBuiltinDevices on the CPU, and Close", func(t *testing.T) {
		n := runtime.NumCPU()
		runtime.GOMAXPROCS(n)
		b, err := OpenBuiltinDevices(Config{Devices: "cpu"})
		require.NoError(t, err)
		require.False(t, b.OnGPU)
		assert.Equal(t, n+1, runtime.GOMAXPROCS(0), "one executor per core, and a processor spare")
		require.NoError(t, b.Close())
		assert.Equal(t, n, runtime.GOMAXPROCS(0))
	})
}
