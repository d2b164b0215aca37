package loadgen

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/gotrt/gotrt/internal/bounded"
)

// ErrMemoryBudget is wrapped (together with [ErrBadSettings]) when what a
// run's settings imply (its schedule, sample tables, latency records) would
// not fit the memory budget; the message names the settings and the
// figure. A run refused for it allocated nothing.
var ErrMemoryBudget = errors.New("over the memory budget")

// Footprint is what a system under test and its QSL hold per sample, beyond
// the load generator's own tables, for the memory estimate ([EstimateMemory],
// [WithMemoryBudget]). The zero Footprint is the null SUT's.
type Footprint struct {
	// PerIssuedSample is the SUT's state per issued, uncompleted sample
	// (its queue entry). It is counted for every sample of a trial: a SUT
	// that falls behind holds them all.
	PerIssuedSample int64
	// PerLoadedSample is what the QSL holds per loaded sample.
	PerLoadedSample int64
	// ResponseBytes is the size of one response, which the accuracy log
	// keeps for the samples it picks (every sample in accuracy mode).
	ResponseBytes int64
}

// MemoryNeed is what one run needs at its peak: the figure [Run] compares
// with the memory budget before it allocates anything.
type MemoryNeed struct {
	// Queries and Samples are those of the largest trial (Server and
	// SingleStream/MultiStream: the expected count, which the run's own cap
	// then bounds); Loaded counts the QSL samples loaded at once.
	Queries, Samples, Loaded float64
	// Bytes is the whole estimate.
	Bytes float64
	// Why names the settings the figure follows, e.g. "target_qps 1e+12 ×
	// min_duration 1s".
	Why string

	fixed, perQuery, perSample float64
}

// Per-sample and per-query costs of the load generator's own state, from
// its types (checked against measured heap growth in budget_test.go).
var (
	// The sample table: completion time, QSL index and accuracy-log bit,
	// in chunks the allocator rounds up to whole 8 KiB pages.
	tableBytes = float64((unsafe.Sizeof(sampleChunk{})+8191)&^8191) / chunkSize
	// Offline's one query as the QuerySample slice IssueQuery gets.
	issueBytes = float64(unsafe.Sizeof(QuerySample{}))
	// A query's scheduled or issue time (chunkList), plus MultiStream's
	// per-query latency record.
	queryBytes = float64(unsafe.Sizeof(int64(0)))
	// A kept accuracy-log record, its data aside, with append's slack.
	accBytes = 2 * float64(unsafe.Sizeof(accRecord{}))
	// A loaded sample: the shuffled index list, the set (copied with
	// MultiStream padding), the generator's permutation and unique list
	// (int32 each), and its number in the detail log's loaded_qsl_set.
	loadedBytes = 8 + 8 + 4 + 4 + 12.0
	// The process's own base (binary, runtime, buffers, logs) beyond the
	// above: a null-SUT Server run of 2e7 queries peaked at 400 MiB RSS,
	// estimated 423 MiB.
	fixedBytes = float64(32 << 20)
)

// EstimateMemory returns what a run of s over a QSL reporting qslPerf and
// qslTotal samples needs at its peak, with f the SUT's and QSL's own
// footprint: the figure [Run] checks against its budget.
func EstimateMemory(s TestSettings, qslPerf, qslTotal int, f Footprint) (MemoryNeed, error) {
	if err := s.Validate(); err != nil {
		return MemoryNeed{}, err
	}
	e, err := effectiveSettings(s, qslPerf, qslTotal)
	if err != nil {
		return MemoryNeed{}, err
	}
	return estimate(&e, qslTotal, f), nil
}

// estimate is EstimateMemory on effective settings.
func estimate(e *EffectiveSettings, qslTotal int, f Footprint) MemoryNeed {
	accuracy := e.Mode == AccuracyOnly
	loaded := math.Min(float64(e.PerformanceSampleCount), float64(qslTotal))
	all := loaded // the shuffled list loadableSets makes
	if accuracy {
		all = math.Min(float64(e.AccuracySampleCount), float64(qslTotal))
		loaded = math.Min(loaded, all)
	}
	spq := float64(e.SamplesPerQuery)
	targetDur := e.targetDur.Seconds()
	var q, n float64 // queries and samples of the largest trial
	var why string
	switch {
	case e.Scenario == Offline:
		q, n = 1, spq
		if accuracy {
			n = loaded
		} else if e.SampleConcatenatePermutation && loaded > 0 {
			n = math.Ceil(n/loaded) * loaded
		}
		why = fmt.Sprintf("the Offline query of %.0f samples (1.1 × min_duration %v × target_qps %g, or min_query_count %d)", n, e.minDur, e.TargetQPS, e.requested.MinQueryCount)
	case accuracy || e.PerformanceIssueUnique:
		q = math.Ceil(loaded / spq)
		n = q * spq
		why = fmt.Sprintf("%.0f queries, one per loaded sample", q)
	case e.Scenario == Server:
		// The expected Poisson count, plus six standard deviations: the
		// generator's own cap holds the rest.
		m := e.TargetQPS * targetDur
		q = math.Max(float64(e.MinQueryCount), m+6*math.Sqrt(m)+1)
		n = q
		why = fmt.Sprintf("the Server schedule of %.4g queries (target_qps %g × min_duration %v, or min_query_count %d)", q, e.TargetQPS, e.minDur, e.MinQueryCount)
	default:
		// SingleStream and MultiStream issue until min duration and min
		// query count are met: expected from the expected latency.
		q = math.Max(float64(e.MinQueryCount), math.Ceil(e.TargetQPS*targetDur))
		if e.MaxQueryCount > 0 {
			q = math.Min(q, float64(e.MaxQueryCount))
		}
		n = q * spq
		lat := "target_latency"
		if e.Scenario == MultiStream {
			why = fmt.Sprintf("%.4g queries of samples_per_query %d (min_duration %v / %s %v, or min_query_count %d)",
				q, e.SamplesPerQuery, e.minDur, lat, durOf(1/e.TargetQPS), e.MinQueryCount)
		} else {
			why = fmt.Sprintf("%.4g queries (min_duration %v / %s %v, or min_query_count %d)", q, e.minDur, lat, durOf(1/e.TargetQPS), e.MinQueryCount)
		}
	}
	// The latencies are sorted where the table kept the completion times:
	// no second per-sample array.
	perSample := tableBytes + float64(f.PerIssuedSample)
	perQuery := 0.0
	switch e.Scenario {
	case Offline:
		perSample += issueBytes
	case MultiStream:
		perQuery = 2 * queryBytes
	default:
		perQuery = queryBytes
	}
	resp := accBytes + float64(max(f.ResponseBytes, 0))
	fixed := fixedBytes + all*8 + loaded*(loadedBytes+float64(f.PerLoadedSample))
	if e.Scenario != Offline {
		fixed += spq * issueBytes // the one query's samples
		if e.Scenario == MultiStream {
			fixed += (spq - 1) * 8 * math.Max(1, math.Ceil(all/math.Max(loaded, 1))) // set padding
		}
	}
	if accuracy {
		fixed += all * resp // every response, kept for the accuracy log
	} else if p := accuracyLogProb(e); p > 0 {
		perSample += math.Min(p, 1) * resp
	}
	need := MemoryNeed{Queries: q, Samples: n, Loaded: loaded, Why: why, fixed: fixed, perQuery: perQuery, perSample: perSample}
	need.Bytes = fixed + perQuery*q + perSample*n
	return need
}

// maxQueries is how many queries of spq samples fit budget: the cap the
// generator holds to, so that no run outgrows its budget whatever its SUT's
// speed or its Poisson draws.
func (m MemoryNeed) maxQueries(budget int64, spq int) int {
	room := float64(budget) - m.fixed
	per := m.perQuery + m.perSample*float64(spq)
	if room <= 0 || per <= 0 {
		return 0
	}
	return int(math.Min(room/per, math.MaxInt32))
}

// Fit returns by how much the part of the need that grows with the run
// (queries and samples) may be scaled to fit budget: 1 or more when it
// fits, 0 when not even the fixed part does.
func (m MemoryNeed) Fit(budget int64) float64 {
	room := float64(budget) - m.fixed
	v := m.Bytes - m.fixed
	switch {
	case room <= 0:
		return 0
	case v <= 0:
		return math.Inf(1)
	}
	return room / v
}

// Check reports the need as an error wrapping [ErrMemoryBudget] and
// [ErrBadSettings] when it passes budget.
func (m MemoryNeed) Check(budget int64) error {
	if !(m.Bytes > float64(budget)) && !math.IsNaN(m.Bytes) {
		return nil
	}
	return fmt.Errorf("%w: %w: %s needs %s of memory, more than the budget of %s; lower the settings or raise the budget (--memory-budget)",
		ErrBadSettings, ErrMemoryBudget, m.Why, FormatBytes(m.Bytes), FormatBytes(float64(budget)))
}

func durOf(sec float64) string {
	if math.IsInf(sec, 0) || math.IsNaN(sec) || sec > 1e9 {
		return strconv.FormatFloat(sec, 'g', 4, 64) + "s"
	}
	return time.Duration(sec * 1e9).String()
}

// FormatBytes writes n bytes in binary units with three significant
// figures ("11.7 GiB", "28.0 TiB").
func FormatBytes(n float64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f bytes", n)
	}
	return fmt.Sprintf("%.3g %s", n, units[i])
}

// Memory budget defaults: a share of the machine's (or its cgroup's)
// memory, or a fixed figure where that cannot be read.
const (
	DefaultMemoryShare    = 0.5
	fallbackMemoryBudget  = 8 << 30
	memoryFileLimit       = 64 << 10
	maxMemoryBudgetString = 64
)

// SystemMemory returns the memory this process may use: the smaller of
// /proc/meminfo's MemTotal and the limit of its cgroup (v2 memory.max along
// its cgroup path, or v1 memory.limit_in_bytes), and where the figure comes
// from. Every file is read with a size bound.
func SystemMemory() (int64, string, error) {
	return systemMemory(os.DirFS("/"))
}

// DefaultMemoryBudget is the budget a run has unless told otherwise:
// [DefaultMemoryShare] of [SystemMemory], or 8 GiB where that is unknown;
// the string says how it was found.
func DefaultMemoryBudget() (int64, string) {
	total, src, err := SystemMemory()
	if err != nil || total <= 0 {
		return fallbackMemoryBudget, "8 GiB (the machine's memory is unknown)"
	}
	b := int64(DefaultMemoryShare * float64(total))
	return b, fmt.Sprintf("%.0f%% of %s (%s)", DefaultMemoryShare*100, FormatBytes(float64(total)), src)
}

// ParseMemoryBudget reads a memory budget: a size with a binary or decimal
// unit ("4GiB", "512MiB", "8GB", "1048576" bytes) or a share of
// [SystemMemory] ("50%"). It refuses zero, negative, NaN and infinite
// values and shares above 100 %.
func ParseMemoryBudget(s string) (int64, error) {
	v := strings.TrimSpace(s)
	if v == "" || len(v) > maxMemoryBudgetString {
		return 0, fmt.Errorf("%w: memory budget %q: want a size such as 4GiB or a share such as 50%%", ErrBadSettings, bounded.Quote(s))
	}
	if p, ok := strings.CutSuffix(v, "%"); ok {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || !(x > 0 && x <= 100) {
			return 0, fmt.Errorf("%w: memory budget %q: want a share in (0, 100]%%", ErrBadSettings, v)
		}
		total, _, err := SystemMemory()
		if err != nil {
			return 0, fmt.Errorf("%w: memory budget %q: the machine's memory is unknown (%v); give a size such as 4GiB", ErrBadSettings, v, err)
		}
		b := x / 100 * float64(total)
		if b < 1<<20 {
			return 0, fmt.Errorf("%w: memory budget %q: %s of %s is less than 1 MiB", ErrBadSettings, v, FormatBytes(b), FormatBytes(float64(total)))
		}
		return int64(b), nil
	}
	num := strings.TrimRight(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	unit := strings.TrimSpace(v[len(num):])
	mult, ok := map[string]float64{
		"": 1, "B": 1, "k": 1e3, "K": 1e3, "KB": 1e3, "kB": 1e3, "M": 1e6, "MB": 1e6, "G": 1e9, "GB": 1e9, "T": 1e12, "TB": 1e12,
		"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
	}[unit]
	x, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if !ok || err != nil || !(x > 0) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("%w: memory budget %q: want a positive size such as 4GiB, 512MiB or 8GB, or a share such as 50%%", ErrBadSettings, v)
	}
	b := x * mult
	if b < 1<<20 || b > 1<<60 {
		return 0, fmt.Errorf("%w: memory budget %q: want 1 MiB to 1 EiB", ErrBadSettings, v)
	}
	return int64(b), nil
}

// WithMemoryBudget makes [Run] refuse, before it allocates anything, settings
// whose schedule, sample tables and latency records (plus f, what the SUT
// and QSL hold per sample) would need more than budget bytes, with an error
// wrapping [ErrMemoryBudget]; the run's generation never outgrows it either.
// Without this option Run uses [DefaultMemoryBudget] and a zero Footprint.
func WithMemoryBudget(budget int64, f Footprint) Option {
	return func(o *runOptions) { o.budget, o.footprint = budget, f }
}
