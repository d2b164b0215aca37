package loadgen_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/runner/loadgen"
)

func userConfText(s string) loadgen.ConfigFile {
	return loadgen.ConfigFile{Name: "user.conf", Data: []byte(s)}
}

// A long line (the was 10 MB; the file limit is 1 MiB) is quoted
// by its start, not whole.
func TestSettingsErrorQuotesALongLineShort(t *testing.T) {
	line := "*.Offline.target_qps=" + strings.Repeat("9", 900<<10)
	_, _, err := loadgen.LoadSettings("m", loadgen.Offline, "", loadgen.MLPerfConf(), userConfText(line+"\n"))
	require.ErrorIs(t, err, loadgen.ErrConfig)
	assert.Less(t, len(err.Error()), 400, "the message stays short")
	assert.Contains(t, err.Error(), "user.conf:1")
	assert.Contains(t, err.Error(), "longer than any setting")
}

func TestSettingsFileOverTheLimitIsNamed(t *testing.T) {
	big := strings.Repeat("# comment\n", bounded.SettingsLimit/10+1)
	_, _, err := loadgen.LoadSettings("m", loadgen.Offline, "", loadgen.MLPerfConf(), userConfText(big))
	require.ErrorIs(t, err, loadgen.ErrConfig)
	assert.True(t, errors.Is(err, bounded.ErrTooLarge))
	assert.Contains(t, err.Error(), "user.conf")
}

// Thousands of bad lines give a bounded message.
func TestSettingsErrorsAreCapped(t *testing.T) {
	bad := strings.Repeat("nonsense\n", 100000)
	_, _, err := loadgen.LoadSettings("m", loadgen.Offline, "", loadgen.MLPerfConf(), userConfText(bad))
	require.ErrorIs(t, err, loadgen.ErrConfig)
	assert.Less(t, len(err.Error()), 2000)
	assert.Contains(t, err.Error(), "99990 more bad lines")
}

// Binary junk is one line naming the file and line (issue 19: 4 KB of
// junk gave nine lines of escaped bytes).
func TestBinarySettingsFileIsOneLine(t *testing.T) {
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(i*131 + 7)
	}
	_, _, err := loadgen.LoadSettings("m", loadgen.Offline, "", loadgen.MLPerfConf(), userConfText("# ok\n"+string(junk)))
	require.ErrorIs(t, err, loadgen.ErrConfig)
	assert.Equal(t, "bad config: user.conf:2: not a text settings file (NUL or invalid UTF-8 bytes)", err.Error())
}
