package bounded_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/bounded"
)

func TestReadFileRefusesDevZeroAtOnce(t *testing.T) {
	start := time.Now()
	_, err := bounded.ReadFile("/dev/zero", "settings file", bounded.SettingsLimit)
	require.ErrorIs(t, err, bounded.ErrNotRegular)
	assert.Contains(t, err.Error(), "/dev/zero")
	assert.Contains(t, err.Error(), "it is a character device; a settings file must be a regular file")
	t.Logf("refused in %v", time.Since(start)) // reads nothing
}

// Only regular files are read (issue 19): a named pipe would block for
// ever, a folder or a device never ends; each is refused at once, by kind,
// whichever reader is used. A link to a regular file is read.
func TestOnlyRegularFilesAreRead(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	reg := filepath.Join(dir, "user.conf")
	require.NoError(t, os.WriteFile(reg, []byte("x"), 0o644))
	link := filepath.Join(dir, "link.conf")
	require.NoError(t, os.Symlink(reg, link))
	readers := map[string]func(string) error{
		"ReadFile": func(p string) error { _, err := bounded.ReadFile(p, "settings file", 100); return err },
		"Open": func(p string) error {
			r, err := bounded.Open(p, "settings file", 100)
			if err == nil {
				r.Close()
			}
			return err
		},
		"DecodeJSON": func(p string) error {
			var v any
			err := bounded.DecodeJSON(p, "settings file", 100, &v)
			if err != nil && !errors.Is(err, bounded.ErrNotRegular) {
				return nil // a regular file that is not JSON: read
			}
			return err
		},
		"CheckRegular": func(p string) error { return bounded.CheckRegular(p, "settings file") },
	}
	for name, read := range readers {
		for _, tc := range []struct {
			description, path, kind string
		}{
			{"a named pipe", fifo, "a named pipe"},
			{"a folder", dir, "a folder"},
			{"a character device", "/dev/null", "a character device"},
		} {
			t.Run(name+"/"+tc.description, func(t *testing.T) {
				done := make(chan error, 1)
				go func() { done <- read(tc.path) }()
				select {
				case err := <-done:
					require.ErrorIs(t, err, bounded.ErrNotRegular)
					assert.Contains(t, err.Error(), tc.path+": not a regular file: it is "+tc.kind)
				case <-time.After(10 * time.Second):
					t.Fatal("blocked") // the FIFO case without the check
				}
			})
		}
		t.Run(name+"/a link to a regular file", func(t *testing.T) { assert.NoError(t, read(link)) })
	}
}

// A sparse file of 1 GB is refused from its size, without being read.
func TestReadFileRefusesALargeSparseFileBySize(t *testing.T) {
	p := filepath.Join(t.TempDir(), "result.json")
	f, err := os.Create(p)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(1<<30))
	require.NoError(t, f.Close())
	_, err = bounded.ReadFile(p, "result file", bounded.ResultLimit)
	require.ErrorIs(t, err, bounded.ErrTooLarge)
	assert.Contains(t, err.Error(), "more than 16 MiB, the most a result file may have")
	_, err = bounded.Open(p, "result file", bounded.ResultLimit)
	require.ErrorIs(t, err, bounded.ErrTooLarge)
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

// ReadAll over a stream that never ends (standard input from /dev/zero)
// stops at the limit.
func TestReadAllStopsAtTheLimit(t *testing.T) {
	z, err := os.Open("/dev/zero")
	require.NoError(t, err)
	defer z.Close()
	_, err = bounded.ReadAll(z, "standard input", "settings file", 1000)
	require.ErrorIs(t, err, bounded.ErrTooLarge)
	assert.Contains(t, err.Error(), "standard input: more than 1000 bytes")
}

func TestOpenStopsAtTheLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "grows")
	require.NoError(t, os.WriteFile(p, make([]byte, 900), 0o644))
	r, err := bounded.Open(p, "vocabulary", 1000)
	require.NoError(t, err)
	// The file grows past the limit after it was opened.
	require.NoError(t, os.WriteFile(p, make([]byte, 5000), 0o644))
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
	dir := t.TempDir()
	p := filepath.Join(dir, "a.json")
	require.NoError(t, os.WriteFile(p, []byte("\x00\x00\x00"), 0o644))
	err := bounded.DecodeJSON(p, "annotation file", 512<<20, &v)
	require.Error(t, err, "not JSON: fails at the first byte")
	assert.Contains(t, err.Error(), p)
	require.NoError(t, os.WriteFile(p, []byte(`{"a": 1}`), 0o644))
	require.NoError(t, bounded.DecodeJSON(p, "file", 100, &v))
	assert.Equal(t, 1, v["a"])
	assert.ErrorIs(t, bounded.DecodeJSON(p, "file", 4, &v), bounded.ErrTooLarge)
	require.NoError(t, os.WriteFile(p, []byte(`{"a": 1} {"b": 2}`), 0o644))
	assert.ErrorContains(t, bounded.DecodeJSON(p, "file", 100, &v), "data after the JSON value")
	require.NoError(t, os.WriteFile(p, []byte(`{"a": 1`), 0o644))
	assert.ErrorIs(t, bounded.DecodeJSON(p, "file", 100, &v), io.ErrUnexpectedEOF)
}
