package bounded_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/bounded"
)

func TestReadFileRefusesDevZeroAtOnce(t *testing.T) {
	start := time.Now()
	_, err := bounded.ReadFile("/dev/zero", "settings file", bounded.SettingsLimit)
	require.ErrorIs(t, err, bounded.ErrTooLarge)
	assert.Contains(t, err.Error(), "/dev/zero")
	assert.Contains(t, err.Error(), "more than 1 MiB, the most a settings file may have")
	t.Logf("refused in %v", time.Since(start)) // reads 1 MiB, never more
}

func TestReadFileAtTheLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(p, []byte("12345"), 0o644))
	b, err := bounded.ReadFile(p, "file", 5)
	require.NoError(t, err)
	assert.Equal(t, "12345", string(b))
	_, err = bounded.ReadFile(p, "file", 4)
	assert.ErrorIs(t, err, bounded.ErrTooLarge)
	_, err = bounded.ReadFile(filepath.Join(t.TempDir(), "missing"), "file", 4)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestOpenStopsAtTheLimit(t *testing.T) {
	r, err := bounded.Open("/dev/zero", "vocabulary", 1000)
	require.NoError(t, err)
	defer r.Close()
	n, err := io.Copy(io.Discard, r)
	require.ErrorIs(t, err, bounded.ErrTooLarge)
	assert.LessOrEqual(t, n, int64(1001))
}

func TestQuote(t *testing.T) {
	assert.Equal(t, "short", bounded.Quote("short"))
	long := strings.Repeat("é", 10<<20)
	q := bounded.Quote(long)
	assert.Less(t, len(q), 100)
	assert.Contains(t, q, "(20971520 bytes)")
	assert.True(t, strings.HasPrefix(q, "éé"))
}

func TestDecodeJSON(t *testing.T) {
	var v map[string]int
	err := bounded.DecodeJSON("/dev/zero", "annotation file", 512<<20, &v)
	require.Error(t, err, "not JSON: fails at the first byte")
	assert.Contains(t, err.Error(), "/dev/zero")
	dir := t.TempDir()
	p := filepath.Join(dir, "a.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"a": 1}`), 0o644))
	require.NoError(t, bounded.DecodeJSON(p, "file", 100, &v))
	assert.Equal(t, 1, v["a"])
	assert.ErrorIs(t, bounded.DecodeJSON(p, "file", 4, &v), bounded.ErrTooLarge)
	require.NoError(t, os.WriteFile(p, []byte(`{"a": 1} {"b": 2}`), 0o644))
	assert.ErrorContains(t, bounded.DecodeJSON(p, "file", 100, &v), "data after the JSON value")
	require.NoError(t, os.WriteFile(p, []byte(`{"a": 1`), 0o644))
	assert.ErrorIs(t, bounded.DecodeJSON(p, "file", 100, &v), io.ErrUnexpectedEOF)
}
