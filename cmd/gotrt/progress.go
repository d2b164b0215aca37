package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/report"
)

// trialLine prints one line per find-peak trial to w as the trial ends,
// terminal or not: its target QPS, VALID or INVALID and why, and the
// bounds the search holds so far. live says a status line may be on the
// screen, to be cleared first.
func trialLine(w io.Writer, live bool) func(loadgen.TrialEvent) {
	return func(e loadgen.TrialEvent) {
		verdict := "VALID"
		if !e.Trial.Valid {
			verdict = "INVALID"
			if len(e.Trial.Reasons) > 0 {
				verdict += ": " + shortReason(e.Trial.Reasons[0])
				if n := len(e.Trial.Reasons) - 1; n > 0 {
					verdict += fmt.Sprintf(" (+%d more)", n)
				}
			}
		}
		lo, hi := "none yet", "none yet"
		if e.Lower > 0 {
			lo = fmtQPS(e.Lower) + " QPS"
		}
		if e.Upper > 0 {
			hi = fmtQPS(e.Upper) + " QPS"
		}
		clear := ""
		if live {
			clear = "\r\033[K"
		}
		fmt.Fprintf(w, "%sgotrt: find-peak trial %d at %s QPS: %s (latency at the target percentile %s); highest VALID %s, lowest INVALID %s\n",
			clear, e.N, fmtQPS(e.Trial.TargetQPS), oneLine(verdict), fmtLatency(e.Trial.TargetPctlNS), lo, hi)
	}
}

// fmtQPS prints a target QPS to six significant digits (the search's
// bounds close in below a whole QPS), whole from 1e5, and in %g form past
// 1e15, never as a 300-digit number.
func fmtQPS(v float64) string {
	if v >= 1e5 && v < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// fmtLatency prints nanoseconds as milliseconds with three significant
// digits or so.
func fmtLatency(ns int64) string {
	return report.FormatValue(float64(ns)/1e6) + " ms"
}

// shortReason is a reason's first clause, without LoadGen's advice: "
// performance constraints not met: 99.00th percentile latency 47070731 ns
// is over the target latency 2000000 ns".
func shortReason(r string) string {
	r = oneLine(r)
	for _, cut := range []string{"; ", ". "} {
		if i := strings.Index(r, cut); i > 0 {
			r = r[:i]
		}
	}
	return r
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// stepLine prints one line per finished step of a multi-run command
// (scale, compare): "[2/4] ... , about 1m20s left" with the time left
// estimated from the mean step so far.
type stepLine struct {
	w     io.Writer
	total int
	start time.Time
	now   func() time.Time
}

func newStepLine(w io.Writer, total int) *stepLine {
	return &stepLine{w: w, total: total, start: time.Now(), now: time.Now}
}

// done prints step i (1-based) with msg and the time left.
func (s *stepLine) done(i int, msg string) {
	el := s.now().Sub(s.start)
	left := ""
	if i < s.total && i > 0 {
		rest := time.Duration(float64(el) / float64(i) * float64(s.total-i)).Round(time.Second)
		left = fmt.Sprintf(", about %s left", rest)
	}
	fmt.Fprintf(s.w, "gotrt: [%d/%d] %s (%s elapsed%s)\n", i, s.total, msg, el.Round(time.Second), left)
}
