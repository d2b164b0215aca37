package loadgen_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/loadgen"
)

func conf(name, text string) loadgen.ConfigFile {
	return loadgen.ConfigFile{Name: name, Data: []byte(text)}
}

func TestLoadSettingsEmbeddedMLPerfConf(t *testing.T) {
	tests := []struct {
		description string
		model       string
		scenario    loadgen.Scenario
		check       func(t *testing.T, s loadgen.TestSettings)
	}{
		{"resnet50 server bound and seeds", "resnet50", loadgen.Server, func(t *testing.T, s loadgen.TestSettings) {
			assert.Equal(t, 15*time.Millisecond, s.ServerTargetLatency)
			assert.InDelta(t, 0.99, s.ServerTargetLatencyPercentile, 1e-12)
			assert.Equal(t, 1024, s.PerformanceSampleCount)
			assert.Equal(t, 600*time.Second, s.MinDuration)
			assert.Equal(t, uint64(2085463073848966840), s.QSLRNGSeed)
			assert.Equal(t, uint64(2747215439041700203), s.SampleIndexRNGSeed)
			assert.Equal(t, uint64(16159082839903944936), s.ScheduleRNGSeed)
		}},
		{"bert-99.9 dotted model name", "bert-99.9", loadgen.Server, func(t *testing.T, s loadgen.TestSettings) {
			assert.Equal(t, 130*time.Millisecond, s.ServerTargetLatency)
			assert.Equal(t, 10833, s.PerformanceSampleCount)
		}},
		{"ssd-resnet34 server", "ssd-resnet34", loadgen.Server, func(t *testing.T, s loadgen.TestSettings) {
			assert.Equal(t, 100*time.Millisecond, s.ServerTargetLatency)
			assert.Equal(t, 64, s.PerformanceSampleCount)
		}},
		{"unknown model gets the * defaults", "mymodel", loadgen.Server, func(t *testing.T, s loadgen.TestSettings) {
			assert.Equal(t, 10*time.Millisecond, s.ServerTargetLatency)
			assert.Equal(t, 0, s.PerformanceSampleCount)
		}},
		{"3d-unet-99 offline", "3d-unet-99", loadgen.Offline, func(t *testing.T, s loadgen.TestSettings) {
			assert.Equal(t, uint64(43), s.MinQueryCount)
			assert.True(t, s.SampleConcatenatePermutation)
		}},
		{"multistream samples per query", "resnet50", loadgen.MultiStream, func(t *testing.T, s loadgen.TestSettings) {
			assert.Equal(t, uint64(8), s.MultiStreamSamplesPerQuery)
			assert.Equal(t, uint64(662), s.MinQueryCount)
			assert.Equal(t, 80*time.Millisecond, s.MultiStreamExpectedLatency)
		}},
		{"singlestream percentile in percent becomes a fraction", "resnet50", loadgen.SingleStream, func(t *testing.T, s loadgen.TestSettings) {
			assert.InDelta(t, 0.90, s.SingleStreamTargetLatencyPercentile, 1e-12)
			assert.Equal(t, 10*time.Millisecond, s.SingleStreamExpectedLatency)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			s, warns, err := loadgen.LoadSettings(tc.model, tc.scenario, loadgen.PerformanceOnly, loadgen.MLPerfConf(), loadgen.ConfigFile{})
			require.NoError(t, err)
			assert.Empty(t, warns)
			assert.Equal(t, tc.scenario, s.Scenario)
			tc.check(t, s)
		})
	}
}

func TestLoadSettingsPrecedence(t *testing.T) {
	// Most specific wins whatever the order; a repeated key replaces.
	mlperf := conf("m.conf", `
*.*.min_duration = 1000
resnet50.*.min_duration = 2000
*.Server.min_duration = 3000
resnet50.Server.min_duration = 4000
*.*.min_query_count = 5
*.*.min_query_count = 6
*.Server.target_qps = 100
`)
	s, _, err := loadgen.LoadSettings("resnet50", loadgen.Server, "", mlperf, loadgen.ConfigFile{})
	require.NoError(t, err)
	assert.Equal(t, 4*time.Second, s.MinDuration)
	assert.Equal(t, uint64(6), s.MinQueryCount)
	assert.InDelta(t, 100, s.ServerTargetQPS, 0)

	reordered := conf("m.conf", `
resnet50.Server.min_duration = 4000
*.Server.min_duration = 3000
resnet50.*.min_duration = 2000
*.*.min_duration = 1000
`)
	s, _, err = loadgen.LoadSettings("resnet50", loadgen.Offline, "", reordered, loadgen.ConfigFile{})
	require.NoError(t, err)
	assert.Equal(t, 2*time.Second, s.MinDuration, "model.* beats *.* for another scenario")
	s, _, err = loadgen.LoadSettings("bert", loadgen.Server, "", reordered, loadgen.ConfigFile{})
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, s.MinDuration, "*.Scenario beats *.*")

	// user.conf applies after mlperf.conf: even its *.* line overrides.
	user := conf("u.conf", "*.*.min_duration = 60000\n")
	s, _, err = loadgen.LoadSettings("resnet50", loadgen.Server, "", mlperf, user)
	require.NoError(t, err)
	assert.Equal(t, 60*time.Second, s.MinDuration)
}

func TestLoadSettingsFixedScenarioKeys(t *testing.T) {
	// target_qps is read under Server for the server QPS and under Offline
	// for the expected QPS, whatever scenario runs.
	c := conf("u.conf", "*.Server.target_qps = 500\n*.Offline.target_qps = 800\n*.Server.target_latency = 20\n*.SingleStream.target_latency = 0.5\n")
	s, _, err := loadgen.LoadSettings("m", loadgen.Offline, "", loadgen.ConfigFile{}, c)
	require.NoError(t, err)
	assert.InDelta(t, 500, s.ServerTargetQPS, 0)
	assert.InDelta(t, 800, s.OfflineExpectedQPS, 0)
	assert.Equal(t, 20*time.Millisecond, s.ServerTargetLatency)
	assert.Equal(t, 500*time.Microsecond, s.SingleStreamExpectedLatency)
}

func TestLoadSettingsUserConfExample(t *testing.T) {
	s, warns, err := loadgen.LoadSettings("resnet50", loadgen.Server, loadgen.PerformanceOnly, loadgen.MLPerfConf(), readFile(t, "../../configs/user.conf.v0.7"))
	require.NoError(t, err)
	assert.Empty(t, warns)
	assert.Equal(t, 60*time.Second, s.MinDuration)
	assert.Equal(t, uint64(270336), s.MinQueryCount)
	assert.InDelta(t, 21804, s.ServerTargetQPS, 0)
	assert.Equal(t, 15*time.Millisecond, s.ServerTargetLatency)
}

func TestLoadSettingsBadLines(t *testing.T) {
	tests := []struct {
		description string
		text        string
		line        int
		want        string
	}{
		{"key=value without spaces", "*.*.min_duration=100", 1, "spaces around '='"},
		{"trailing comment", "\n*.*.min_duration = 100 # ten seconds", 2, "trailing comment"},
		{"unknown key", "*.*.min_durations = 100", 1, "unknown setting"},
		{"misspelt scenario", "*.server.target_qps = 100", 1, "unknown scenario"},
		{"key alone", "*.*.min_duration", 1, "without '= value'"},
		{"no value", "*.*.min_duration =", 1, "has no value"},
		{"not a number", "*.*.min_duration = ten", 1, "bad value"},
		{"negative count", "*.*.min_query_count = -5", 1, "bad value"},
		{"fractional count", "*.*.min_query_count = 1.5", 1, "bad value"},
		{"percentile out of range", "*.Server.target_latency_percentile = 0.99e3", 1, "bad value"},
		{"fractional server latency", "*.Server.target_latency = 7.5", 1, "whole number of ms"},
		{"bool not 0 or 1", "*.*.print_timestamps = 2", 1, "want 0 or 1"},
		{"missing model part", "Server.target_qps = 5", 1, "model.Scenario.key"},
		{"zero samples per query", "*.MultiStream.samples_per_query = 0", 1, "at least 1"},
		{"mode out of range", "*.*.mode = 7", 1, "bad value"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			_, _, err := loadgen.LoadSettings("m", loadgen.Server, "", loadgen.MLPerfConf(), conf("user.conf", "# ok\n"+tc.text+"\n"))
			require.Error(t, err)
			assert.True(t, errors.Is(err, loadgen.ErrConfig))
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "user.conf:"+strconv.Itoa(tc.line+1)+":", "names file and line")
		})
	}
}

func TestLoadSettingsReportsEveryBadLine(t *testing.T) {
	_, _, err := loadgen.LoadSettings("m", loadgen.Server, "", conf("a.conf", "x.*.bogus = 1\n\n*.*.min_duration=3\n"), loadgen.ConfigFile{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a.conf:1:")
	assert.Contains(t, err.Error(), "a.conf:3:")
}

func TestLoadSettingsWarnings(t *testing.T) {
	user := conf("user.conf", "*.*.qsl_rng_seed = 5\nm.*.use_token_latencies = 1\nother.*.use_token_latencies = 1\n")
	s, warns, err := loadgen.LoadSettings("m", loadgen.Server, "", loadgen.MLPerfConf(), user)
	require.NoError(t, err)
	assert.Equal(t, uint64(2085463073848966840), s.QSLRNGSeed, "seeds come from mlperf.conf only")
	var lines []string
	for _, w := range warns {
		lines = append(lines, w.String())
	}
	require.Len(t, lines, 2, "%v", lines)
	assert.Contains(t, lines[0], "user.conf:1:")
	assert.Contains(t, lines[0], "mlperf.conf only")
	assert.Contains(t, lines[1], "user.conf:2:")
	assert.Contains(t, lines[1], "not implemented")
}

func TestLoadSettingsModeKeyAndFlag(t *testing.T) {
	user := conf("user.conf", "*.*.mode = 1\n")
	s, _, err := loadgen.LoadSettings("m", loadgen.Offline, "", loadgen.MLPerfConf(), user)
	require.NoError(t, err)
	assert.Equal(t, loadgen.AccuracyOnly, s.Mode)
	s, _, err = loadgen.LoadSettings("m", loadgen.Offline, loadgen.PerformanceOnly, loadgen.MLPerfConf(), user)
	require.NoError(t, err)
	assert.Equal(t, loadgen.PerformanceOnly, s.Mode, "an explicit mode wins over the file")
}

func TestLoadSettingsBadArguments(t *testing.T) {
	_, _, err := loadgen.LoadSettings("m", "Batch", "", loadgen.MLPerfConf(), loadgen.ConfigFile{})
	assert.ErrorIs(t, err, loadgen.ErrBadSettings)
	_, _, err = loadgen.LoadSettings("m", loadgen.Offline, "Fast", loadgen.MLPerfConf(), loadgen.ConfigFile{})
	assert.ErrorIs(t, err, loadgen.ErrBadSettings)
	_, _, err = loadgen.LoadSettings("", loadgen.Offline, "", loadgen.MLPerfConf(), loadgen.ConfigFile{})
	assert.ErrorIs(t, err, loadgen.ErrBadSettings)
	_, _, err = loadgen.LoadSettings("m", loadgen.Offline, loadgen.FindPeakPerformance, loadgen.MLPerfConf(), loadgen.ConfigFile{})
	assert.ErrorIs(t, err, loadgen.ErrBadSettings, "find-peak is Server only")
}
