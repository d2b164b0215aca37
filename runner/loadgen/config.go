package loadgen

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gotrt/gotrt/internal/bounded"
)

// embeddedMLPerfConf is gotrt's mlperf.conf: the current MLPerf values for
// the benchmarks gotrt catalogues, LoadGen's key names.
//
//go:embed mlperf.conf
var embeddedMLPerfConf []byte

// MLPerfConf returns the embedded mlperf.conf, named "mlperf.conf (embedded)".
func MLPerfConf() ConfigFile {
	return ConfigFile{Name: "mlperf.conf (embedded)", Data: embeddedMLPerfConf}
}

// ConfigFile is the text of an mlperf.conf or user.conf; Name is only used
// in messages.
type ConfigFile struct {
	Name string
	Data []byte
}

// Warning is something in a config file that gotrt accepts but does not act
// on as LoadGen would (a LoadGen key gotrt does not implement, a key LoadGen
// only reads from mlperf.conf found in user.conf).
type Warning struct {
	File string
	Line int
	Msg  string
}

func (w Warning) String() string { return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg) }

// keyType says how a key's value is checked.
type keyType int

const (
	ktUint    keyType = iota // unsigned integer (LoadGen strtoull, base 0)
	ktBool                   // 0 or 1
	ktFloat                  // positive number
	ktPercent                // number in (0, 100)
	ktProb                   // number in [0, 100]
	ktLatency                // non-negative ms, integer under Server
	ktMode                   // 0..3
	ktPosUint                // unsigned integer ≥ 1
)

type keyInfo struct {
	typ        keyType
	mlperfOnly bool // LoadGen reads it from mlperf.conf only
}

// knownKeys are the keys LoadGen's TestSettings::FromConfig reads, plus
// target_duration, which the official mlperf.conf carries and LoadGen ignores.
var knownKeys = map[string]keyInfo{
	"mode":                              {typ: ktMode},
	"qsl_rng_seed":                      {typ: ktUint, mlperfOnly: true},
	"sample_index_rng_seed":             {typ: ktUint, mlperfOnly: true},
	"schedule_rng_seed":                 {typ: ktUint, mlperfOnly: true},
	"accuracy_log_probability":          {typ: ktProb, mlperfOnly: true},
	"test05":                            {typ: ktBool, mlperfOnly: true},
	"test05_qsl_rng_seed":               {typ: ktUint, mlperfOnly: true},
	"test05_sample_index_rng_seed":      {typ: ktUint, mlperfOnly: true},
	"test05_schedule_rng_seed":          {typ: ktUint, mlperfOnly: true},
	"use_token_latencies":               {typ: ktBool},
	"ttft_latency":                      {typ: ktUint},
	"tpot_latency":                      {typ: ktUint},
	"infer_token_latencies":             {typ: ktBool},
	"token_latency_scaling_factor":      {typ: ktUint},
	"target_latency_percentile":         {typ: ktPercent},
	"samples_per_query":                 {typ: ktPosUint},
	"target_latency":                    {typ: ktLatency},
	"performance_issue_unique":          {typ: ktBool},
	"performance_issue_same":            {typ: ktBool},
	"performance_issue_same_index":      {typ: ktUint},
	"sample_concatenate_permutation":    {typ: ktBool},
	"coalesce_queries":                  {typ: ktBool},
	"max_async_queries":                 {typ: ktUint},
	"min_duration":                      {typ: ktUint},
	"max_duration":                      {typ: ktUint},
	"min_query_count":                   {typ: ktUint},
	"max_query_count":                   {typ: ktUint},
	"performance_sample_count_override": {typ: ktUint},
	"accuracy_sample_count_override":    {typ: ktUint},
	"target_qps":                        {typ: ktFloat},
	"print_timestamps":                  {typ: ktBool},
	"accuracy_log_rng_seed":             {typ: ktUint},
	"accuracy_log_sampling_target":      {typ: ktUint},
	"target_duration":                   {typ: ktUint},
}

type confEntry struct {
	value string
	line  int
}

// confFile is one parsed config file: "model.Scenario.key" → last value.
type confFile struct {
	name     string
	kv       map[string]confEntry
	warnings []Warning
}

// parseConfig reads a config file the way LoadGen's FromConfig does, but
// turns every line LoadGen would silently skip or use to drop the file into
// an error naming file and line. All bad lines are reported, joined.
func parseConfig(f ConfigFile, isMLPerf bool) (*confFile, error) {
	c := &confFile{name: f.Name, kv: map[string]confEntry{}}
	if len(f.Data) > bounded.SettingsLimit {
		return nil, fmt.Errorf("%w: %w: %s: %d bytes, more than the %d a settings file may have",
			ErrConfig, bounded.ErrTooLarge, f.Name, len(f.Data), bounded.SettingsLimit)
	}
	if ln, ok := binaryLine(f.Data); ok {
		// One line for a file that is not text at all (4 KB of junk gave
		// nine lines of escaped bytes).
		return nil, fmt.Errorf("%w: %s:%d: not a text settings file (NUL or invalid UTF-8 bytes)", ErrConfig, f.Name, ln)
	}
	var errs []error
	bad := 0
	fail := func(line int, format string, a ...any) {
		if bad++; bad <= maxConfigErrors {
			errs = append(errs, fmt.Errorf("%w: %s:%d: %s", ErrConfig, f.Name, line, fmt.Sprintf(format, a...)))
		}
	}
	for i, text := range strings.Split(string(f.Data), "\n") {
		ln := i + 1
		tok := strings.Fields(text)
		if len(tok) == 0 || strings.HasPrefix(tok[0], "#") {
			continue
		}
		if len(text) > maxConfigLine {
			// No setting is this long; quote its start, not all of it.
			fail(ln, "line of %d bytes starting %q: longer than any setting", len(text), bounded.Quote(strings.TrimSpace(text)))
			continue
		}
		if strings.Contains(tok[0], "=") {
			fail(ln, "%q: write 'key = value' with spaces around '=' (LoadGen silently ignores this line)", strings.TrimSpace(text))
			continue
		}
		if len(tok) == 1 {
			fail(ln, "key %q without '= value'", tok[0])
			continue
		}
		if tok[1] != "=" {
			fail(ln, "expected '=' after key %q, found %q", tok[0], tok[1])
			continue
		}
		if len(tok) == 2 {
			fail(ln, "key %q has no value", tok[0])
			continue
		}
		if len(tok) > 3 {
			if strings.HasPrefix(tok[3], "#") {
				fail(ln, "trailing comment after the value of %q: put comments on their own line (LoadGen drops the whole file for this)", tok[0])
			} else {
				fail(ln, "unexpected %q after the value of %q", strings.Join(tok[3:], " "), tok[0])
			}
			continue
		}
		key, value := tok[0], tok[2]
		parts := strings.Split(key, ".")
		if len(parts) < 3 {
			fail(ln, "key %q: want model.Scenario.key", key)
			continue
		}
		name := parts[len(parts)-1]
		scen := parts[len(parts)-2]
		model := strings.Join(parts[:len(parts)-2], ".")
		if model == "" {
			fail(ln, "key %q: empty model name (use * for all models)", key)
			continue
		}
		if scen != "*" {
			if !canonicalScenario(scen) {
				fail(ln, "key %q: unknown scenario %q (want SingleStream, MultiStream, Server, Offline or *)", key, scen)
				continue
			}
		}
		info, ok := knownKeys[name]
		if !ok {
			fail(ln, "key %q: unknown setting %q (LoadGen ignores it silently)", key, name)
			continue
		}
		if err := checkValue(info.typ, scen, value); err != nil {
			fail(ln, "key %q: bad value %q: %v", key, value, err)
			continue
		}
		if info.mlperfOnly && !isMLPerf {
			c.warnings = append(c.warnings, Warning{f.Name, ln, fmt.Sprintf("%s is read from mlperf.conf only; LoadGen ignores it in %s", name, f.Name)})
		}
		c.kv[model+"."+scen+"."+name] = confEntry{value: value, line: ln}
	}
	if bad > maxConfigErrors {
		errs = append(errs, fmt.Errorf("%w: %s: %d more bad lines", ErrConfig, f.Name, bad-maxConfigErrors))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// binaryLine returns the first line holding a NUL byte or invalid UTF-8.
func binaryLine(b []byte) (int, bool) {
	if utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 {
		return 0, false
	}
	for i, l := range bytes.Split(b, []byte("\n")) {
		if !utf8.Valid(l) || bytes.IndexByte(l, 0) >= 0 {
			return i + 1, true
		}
	}
	return 0, false
}

// A settings file's bad lines are each reported, up to maxConfigErrors;
// a non-comment line over maxConfigLine bytes is bad (no setting is that
// long), so that no error quotes more than that of a line.
const (
	maxConfigErrors = 10
	maxConfigLine   = 512
)

// parseUint parses as C's strtoull with base 0 (decimal, 0x hex, 0 octal),
// refusing what strtoull would not read whole.
func parseUint(v string) (uint64, error) {
	if strings.ContainsAny(v, "_+-") || strings.HasPrefix(v, "0o") || strings.HasPrefix(v, "0b") ||
		strings.HasPrefix(v, "0O") || strings.HasPrefix(v, "0B") {
		return 0, fmt.Errorf("want an unsigned integer")
	}
	u, err := strconv.ParseUint(v, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("want an unsigned integer")
	}
	return u, nil
}

// parseFloat parses a finite decimal number as strtod would read it.
func parseFloat(v string) (float64, error) {
	if strings.Contains(v, "_") {
		return 0, fmt.Errorf("want a number")
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, fmt.Errorf("want a finite number")
	}
	return x, nil
}

func checkValue(t keyType, scen, v string) error {
	switch t {
	case ktUint:
		_, err := parseUint(v)
		return err
	case ktPosUint:
		u, err := parseUint(v)
		if err == nil && u == 0 {
			err = fmt.Errorf("must be at least 1")
		}
		return err
	case ktMode:
		u, err := parseUint(v)
		if err == nil && u > 3 {
			err = fmt.Errorf("want 0 (SubmissionRun), 1 (AccuracyOnly), 2 (PerformanceOnly) or 3 (FindPeakPerformance)")
		}
		return err
	case ktBool:
		if v != "0" && v != "1" {
			return fmt.Errorf("want 0 or 1")
		}
	case ktFloat:
		x, err := parseFloat(v)
		if err == nil && x <= 0 {
			err = fmt.Errorf("must be positive")
		}
		return err
	case ktPercent:
		x, err := parseFloat(v)
		if err == nil && !(x > 0 && x < 100) {
			err = fmt.Errorf("want a percentile in (0, 100)")
		}
		return err
	case ktProb:
		x, err := parseFloat(v)
		if err == nil && !(x >= 0 && x <= 100) {
			err = fmt.Errorf("want a percentage in [0, 100]")
		}
		return err
	case ktLatency:
		if scen == string(Server) {
			_, err := parseUint(v)
			if err != nil {
				return fmt.Errorf("the Server target latency is a whole number of ms (LoadGen reads it as an integer)")
			}
			return nil
		}
		x, err := parseFloat(v)
		if err == nil && x < 0 {
			err = fmt.Errorf("must not be negative")
		}
		return err
	}
	return nil
}

// lookup finds key for (model, scenario) with LoadGen's precedence:
// model.Scenario, then *.Scenario, then model.*, then *.*.
func (c *confFile) lookup(model string, scen Scenario, key string) (confEntry, bool) {
	for _, k := range [...]string{
		model + "." + string(scen) + "." + key,
		"*." + string(scen) + "." + key,
		model + ".*." + key,
		"*.*." + key,
	} {
		if e, ok := c.kv[k]; ok {
			return e, true
		}
	}
	return confEntry{}, false
}

// LoadSettings returns the settings LoadGen would run (model, scenario) with:
// its defaults, then mlperfConf, then userConf (either may be empty: a zero
// ConfigFile is skipped; pass [MLPerfConf] for the embedded one). A mode of
// "" takes the mode key of the files, else PerformanceOnly; any other mode
// wins over the files, as harnesses that set it after FromConfig do.
//
// Every line LoadGen would silently skip or choke on is an error wrapping
// [ErrConfig] naming file and line; keys gotrt accepts but does not act on
// come back as warnings.
func LoadSettings(model string, scenario Scenario, mode Mode, mlperfConf, userConf ConfigFile) (TestSettings, []Warning, error) {
	if !canonicalScenario(string(scenario)) {
		return TestSettings{}, nil, fmt.Errorf("%w: scenario %q (want SingleStream, MultiStream, Server or Offline)", ErrBadSettings, bounded.Quote(string(scenario)))
	}
	if mode != "" && !canonicalMode(mode) {
		return TestSettings{}, nil, fmt.Errorf("%w: mode %q (want PerformanceOnly, AccuracyOnly or FindPeakPerformance)", ErrBadSettings, bounded.Quote(string(mode)))
	}
	if model == "" || strings.ContainsAny(model, " \t\r\n") {
		return TestSettings{}, nil, fmt.Errorf("%w: model name %q: want a non-empty name without spaces", ErrBadSettings, bounded.Quote(model))
	}
	s := DefaultSettings(scenario)
	var warns []Warning
	var errs []error
	var files []*confFile
	for i, f := range []ConfigFile{mlperfConf, userConf} {
		if f.Name == "" && len(f.Data) == 0 {
			files = append(files, nil)
			continue
		}
		if f.Name == "" {
			f.Name = [...]string{"mlperf.conf", "user.conf"}[i]
		}
		c, err := parseConfig(f, i == 0)
		if err != nil {
			errs = append(errs, err)
			files = append(files, nil)
			continue
		}
		warns = append(warns, c.warnings...)
		files = append(files, c)
	}
	if len(errs) > 0 {
		return TestSettings{}, warns, errors.Join(errs...)
	}
	cfgMode := Mode("")
	for i, c := range files {
		if c == nil {
			continue
		}
		w, err := c.apply(&s, &cfgMode, model, scenario, i == 0)
		warns = append(warns, w...)
		if err != nil {
			return TestSettings{}, warns, err
		}
	}
	switch {
	case mode != "":
		s.Mode = mode
	case cfgMode != "":
		s.Mode = cfgMode
	}
	if err := s.Validate(); err != nil {
		return TestSettings{}, warns, err
	}
	return s, warns, nil
}

// apply sets every field whose key c holds for (model, scenario), in
// LoadGen's order and with LoadGen's fixed lookup scenarios.
func (c *confFile) apply(s *TestSettings, mode *Mode, model string, scenario Scenario, isMLPerf bool) ([]Warning, error) {
	var warns []Warning
	var firstErr error
	get := func(scen Scenario, key string) (confEntry, bool) { return c.lookup(model, scen, key) }
	where := func(e confEntry) string { return fmt.Sprintf("%s:%d", c.name, e.line) }
	warn := func(e confEntry, format string, a ...any) {
		warns = append(warns, Warning{c.name, e.line, fmt.Sprintf(format, a...)})
	}
	u := func(scen Scenario, key string, set func(uint64)) {
		if e, ok := get(scen, key); ok {
			v, err := parseUint(e.value)
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("%w: %s: %s = %q: %v", ErrConfig, where(e), key, e.value, err)
				}
				return
			}
			set(v)
		}
	}
	f := func(scen Scenario, key string, set func(float64)) {
		if e, ok := get(scen, key); ok {
			v, err := parseFloat(e.value)
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("%w: %s: %s = %q: %v", ErrConfig, where(e), key, e.value, err)
				}
				return
			}
			set(v)
		}
	}
	b := func(scen Scenario, key string, set func(bool)) { u(scen, key, func(v uint64) { set(v != 0) }) }
	ms := func(v uint64) time.Duration { return time.Duration(v) * time.Millisecond }
	msf := func(v float64) time.Duration { return time.Duration(math.Round(v * 1e6)) }

	if e, ok := get(scenario, "mode"); ok {
		v, _ := parseUint(e.value)
		switch v {
		case 0:
			warn(e, "mode = 0 (SubmissionRun) is not implemented by gotrt; run AccuracyOnly and PerformanceOnly separately")
		case 1:
			*mode = AccuracyOnly
		case 2:
			*mode = PerformanceOnly
		case 3:
			*mode = FindPeakPerformance
		}
	}
	if isMLPerf {
		u(scenario, "qsl_rng_seed", func(v uint64) { s.QSLRNGSeed = v })
		u(scenario, "sample_index_rng_seed", func(v uint64) { s.SampleIndexRNGSeed = v })
		u(scenario, "schedule_rng_seed", func(v uint64) { s.ScheduleRNGSeed = v })
		f(scenario, "accuracy_log_probability", func(v float64) { s.AccuracyLogProbability = v * 0.01 })
		if e, ok := get(scenario, "test05"); ok && e.value == "1" {
			warn(e, "test05 = 1 (compliance TEST05 seeds) is not implemented by gotrt; ignored")
		}
	}
	if e, ok := get(scenario, "use_token_latencies"); ok && e.value == "1" {
		warn(e, "use_token_latencies = 1 (LLM token latencies) is not implemented by gotrt; ignored")
	}
	if e, ok := get(scenario, "infer_token_latencies"); ok && e.value == "1" {
		warn(e, "infer_token_latencies = 1 is not implemented by gotrt; ignored")
	}

	f(SingleStream, "target_latency_percentile", func(v float64) { s.SingleStreamTargetLatencyPercentile = v * 0.01 })
	f(MultiStream, "target_latency_percentile", func(v float64) { s.MultiStreamTargetLatencyPercentile = v * 0.01 })
	u(MultiStream, "samples_per_query", func(v uint64) { s.MultiStreamSamplesPerQuery = v })
	f(Server, "target_latency_percentile", func(v float64) { s.ServerTargetLatencyPercentile = v * 0.01 })
	u(Server, "target_latency", func(v uint64) { s.ServerTargetLatency = ms(v) })

	b(scenario, "performance_issue_unique", func(v bool) { s.PerformanceIssueUnique = v })
	b(scenario, "performance_issue_same", func(v bool) { s.PerformanceIssueSame = v })
	u(scenario, "performance_issue_same_index", func(v uint64) { s.PerformanceIssueSameIndex = v })
	b(scenario, "sample_concatenate_permutation", func(v bool) { s.SampleConcatenatePermutation = v })
	b(Server, "coalesce_queries", func(v bool) { s.ServerCoalesceQueries = v })
	u(Server, "max_async_queries", func(v uint64) { s.ServerMaxAsyncQueries = v })

	u(scenario, "min_duration", func(v uint64) { s.MinDuration = ms(v) })
	u(scenario, "max_duration", func(v uint64) { s.MaxDuration = ms(v) })
	u(scenario, "min_query_count", func(v uint64) { s.MinQueryCount = v })
	u(scenario, "max_query_count", func(v uint64) { s.MaxQueryCount = v })
	u(scenario, "performance_sample_count_override", func(v uint64) { s.PerformanceSampleCount = int(min(v, math.MaxInt32)) })
	u(scenario, "accuracy_sample_count_override", func(v uint64) { s.AccuracySampleCount = int(min(v, math.MaxInt32)) })
	f(SingleStream, "target_latency", func(v float64) { s.SingleStreamExpectedLatency = msf(v) })
	f(MultiStream, "target_latency", func(v float64) { s.MultiStreamExpectedLatency = msf(v) })
	f(Server, "target_qps", func(v float64) { s.ServerTargetQPS = v })
	f(Offline, "target_qps", func(v float64) { s.OfflineExpectedQPS = v })
	b(scenario, "print_timestamps", func(v bool) { s.PrintTimestamps = v })
	u(scenario, "accuracy_log_rng_seed", func(v uint64) { s.AccuracyLogRNGSeed = v })
	u(scenario, "accuracy_log_sampling_target", func(v uint64) { s.AccuracyLogSamplingTarget = v })
	return warns, firstErr
}
