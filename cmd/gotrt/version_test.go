package main

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/result"
)

func TestVersionPrintsTheStamp(t *testing.T) {
	old, oldC := result.Version, result.Commit
	t.Cleanup(func() { result.Version, result.Commit = old, oldC })
	result.Version, result.Commit = "v9.8.7", "0123456789abcdef0123"

	stdout, _, err := execCmd(t, newVersionCmd(), "version")
	require.NoError(t, err)
	assert.Contains(t, stdout, "gotrt v9.8.7\n")
	assert.Contains(t, stdout, "commit: 0123456789abcdef0123\n")

	for _, args := range [][]string{{"version", "--json"}, {"version", "--format", "JSON"}} {
		stdout, _, err = execCmd(t, newVersionCmd(), args...)
		require.NoError(t, err, args)
		var b result.Build
		require.NoError(t, json.Unmarshal([]byte(stdout), &b), args)
		assert.Equal(t, "v9.8.7", b.Version)
	}

	_, _, err = execCmd(t, newVersionCmd(), "version", "--format", "csv")
	assert.Equal(t, exitUsage, exitCode(err), "csv does not apply to version")
}

// The Docker image and the Makefile stamp the version; a build that lost
// the -X flags would report "devel" again.
func TestBuildFilesStampTheVersion(t *testing.T) {
	for _, f := range []string{"../../Dockerfile", "../../Makefile"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.Contains(t, string(b), "github.com/gotrt/gotrt/runner/result.Version=", f)
		assert.Contains(t, string(b), "-Wno-deprecated-declarations", f)
	}
	b, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	assert.Contains(t, string(b), "USER 10001:10001", "README's volume example assumes uid 10001")
}
