package loadgen_test

import (
	"testing"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// FuzzLoadSettings feeds arbitrary user.conf text to the settings parser:
// it returns settings or an error, never panics, and an error stays short
// whatever the input. The seeds run as an ordinary test.
func FuzzLoadSettings(f *testing.F) {
	for _, s := range []string{
		"",
		"*.Offline.target_qps = 100\n",
		"resnet50.Server.target_latency = 15\n# comment\n*.*.min_duration = 1000\n",
		"*.Offline.target_qps=1\n",
		"*.Offline.target_qps = 1 # trailing\n",
		"a.b\n",
		"*.SingleStream.target_latency_percentile = 0x10\n",
		"*.Offline.performance_sample_count_override = -1\n",
		"..x = 1\n",
		"*.*.mode = 2\n",
		"\xff\xfe = \x00\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		uc := loadgen.ConfigFile{Name: "user.conf", Data: []byte(text)}
		_, _, err := loadgen.LoadSettings("resnet50", loadgen.Offline, "", loadgen.MLPerfConf(), uc)
		if err != nil && len(err.Error()) > 20000 {
			t.Fatalf("error of %d bytes", len(err.Error()))
		}
	})
}
