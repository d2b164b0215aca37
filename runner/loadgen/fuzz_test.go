package loadgen_test

import (
	"errors"
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

// FuzzParseMemoryBudget feeds arbitrary --memory-budget values to its
// parser: a budget from 1 MiB to 1 EiB, or an error wrapping
// ErrBadSettings, never a panic, zero, NaN or a negative figure.
func FuzzParseMemoryBudget(f *testing.F) {
	for _, s := range []string{"4GiB", "50%", "512MiB", "8GB", "1048576", "0", "-1", "NaN", "Inf%", "1e400GiB", "0x10GiB", " 1 GiB ", "100.000001%", "1e-300%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := loadgen.ParseMemoryBudget(s)
		if err != nil {
			if !errors.Is(err, loadgen.ErrBadSettings) {
				t.Fatalf("%q: error %v does not wrap ErrBadSettings", s, err)
			}
			if len(err.Error()) > 400 {
				t.Fatalf("%q: error of %d bytes", s, len(err.Error()))
			}
			return
		}
		if b <= 0 || b > 1<<60 {
			t.Fatalf("%q: budget %d", s, b)
		}
	})
}
