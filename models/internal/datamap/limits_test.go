package datamap_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/models/internal/datamap"
)

// A data map that is not one (/dev/zero, a huge line) fails at once with a
// named error, never reading without bound.
func TestReadBoundsItsInput(t *testing.T) {
	_, err := datamap.Read("/dev/zero", 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/dev/zero")

	p := filepath.Join(t.TempDir(), "val_map.txt")
	require.NoError(t, os.WriteFile(p, []byte(strings.Repeat("x", 60<<10)+"\n"), 0o644))
	_, err = datamap.Read(p, 2)
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 300, "the bad line is quoted by its start")
	assert.Contains(t, err.Error(), p+":1")
}

// A map of many tiny lines is refused by its line count, before its parse
// costs gigabytes (issue 19).
func TestParseBoundsTheLineCount(t *testing.T) {
	b := strings.Repeat("a 1\n", datamap.MaxLines+1)
	_, err := datamap.Parse("val_map.txt", strings.NewReader(b), 2)
	require.ErrorIs(t, err, bounded.ErrTooLarge)
	assert.Contains(t, err.Error(), "val_map.txt: file too large: more than 1048576 lines")
	lines, err := datamap.Parse("val_map.txt", strings.NewReader(b[:4*datamap.MaxLines]), 2)
	require.NoError(t, err)
	assert.Len(t, lines, datamap.MaxLines)
}

// A line too long for a data map names the file, the line and the limit
// (issue 19: "bufio.Scanner: token too long" alone).
func TestALongLineNamesTheLimit(t *testing.T) {
	b := "a 1\n" + strings.Repeat("x", 70<<10) + "\n"
	_, err := datamap.Parse("val_map.txt", strings.NewReader(b), 2)
	require.ErrorIs(t, err, bufio.ErrTooLong)
	assert.Contains(t, err.Error(), "val_map.txt:2: bufio.Scanner: token too long: a line longer than 64 KiB")
}
