package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Flag values are checked as the settings files check theirs: a number is
// finite and inside its range, a duration is one, and a string flag given
// as "" is refused unless its help says what "" means. Each check happens
// as the flag is parsed, so a bad value is a usage error (exit 2) naming
// the flag and the range before anything opens. A flag left out keeps its
// default; a value is never swapped for a default without a word.

// errFlagValue marks a flag value outside its range; the message says the
// range.
var errFlagValue = errors.New("bad flag value")

// numRange is the range of a numeric flag: [lo, hi], with lo left out when
// loOpen and hi when hiOpen; a zero hi is no upper bound. hint, when set,
// follows the range in an error (what to do instead, e.g. "leave it out for
// the device's own").
type numRange struct {
	lo, hi         float64
	loOpen, hiOpen bool
	hint           string
}

// check says whether x is finite and inside r.
func (r numRange) check(x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("%w: want a finite number, %s", errFlagValue, r)
	}
	if x < r.lo || (r.loOpen && x == r.lo) || (r.hi != 0 && (x > r.hi || (r.hiOpen && x == r.hi))) {
		return fmt.Errorf("%w: want %s", errFlagValue, r)
	}
	return nil
}

func (r numRange) String() string {
	var s string
	switch {
	case r.hi != 0:
		s = fmt.Sprintf("%s to %s", fmtNum(r.lo), fmtNum(r.hi))
		switch {
		case r.loOpen && r.hiOpen:
			s = fmt.Sprintf("more than %s and less than %s", fmtNum(r.lo), fmtNum(r.hi))
		case r.loOpen:
			s = fmt.Sprintf("more than %s and at most %s", fmtNum(r.lo), fmtNum(r.hi))
		case r.hiOpen:
			s = fmt.Sprintf("at least %s and less than %s", fmtNum(r.lo), fmtNum(r.hi))
		}
	case r.loOpen && r.lo == 0:
		s = "a positive value"
	case r.loOpen:
		s = "more than " + fmtNum(r.lo)
	default:
		s = "at least " + fmtNum(r.lo)
	}
	if r.hint != "" {
		s += " (" + r.hint + ")"
	}
	return s
}

// fmtNum prints a bound as %g does: never a 300-digit number.
func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// floatFlag is a float64 flag in a range.
type floatFlag struct {
	p *float64
	r numRange
}

func (f *floatFlag) Set(s string) error {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return fmt.Errorf("%w: want a number, %s", errFlagValue, f.r)
	}
	if err := f.r.check(x); err != nil {
		return err
	}
	*f.p = x
	return nil
}
func (f *floatFlag) String() string { return fmtNum(*f.p) }
func (f *floatFlag) Type() string   { return "float" }

// intFlag is an int flag in a range.
type intFlag struct {
	p *int
	r numRange
}

func (f *intFlag) Set(s string) error {
	x, err := strconv.ParseInt(strings.TrimSpace(s), 0, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return fmt.Errorf("%w: want a whole number, %s", errFlagValue, f.r)
	}
	if err != nil || x < math.MinInt32 || x > math.MaxInt32 {
		return fmt.Errorf("%w: want %s", errFlagValue, f.r)
	}
	if err := f.r.check(float64(x)); err != nil {
		return err
	}
	*f.p = int(x)
	return nil
}
func (f *intFlag) String() string { return strconv.Itoa(*f.p) }
func (f *intFlag) Type() string   { return "int" }

// uintFlag is a uint64 flag in a range.
type uintFlag struct {
	p *uint64
	r numRange
}

func (f *uintFlag) Set(s string) error {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") {
		return fmt.Errorf("%w: want %s", errFlagValue, f.r)
	}
	x, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("%w: want %s", errFlagValue, f.r)
		}
		return fmt.Errorf("%w: want a whole number, %s", errFlagValue, f.r)
	}
	if err := f.r.check(float64(x)); err != nil {
		return err
	}
	*f.p = x
	return nil
}
func (f *uintFlag) String() string { return strconv.FormatUint(*f.p, 10) }
func (f *uintFlag) Type() string   { return "uint" }

// durationFlag is a Go duration flag in a range (of seconds); set, when
// not nil, records that the flag was given (a given 0 can then differ from
// the default).
type durationFlag struct {
	p   *time.Duration
	set *bool
	r   numRange
}

func (f *durationFlag) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%w: want a Go duration such as 10s, 2m or 15ms, %s", errFlagValue, durRange(f.r))
	}
	if err := f.r.check(d.Seconds()); err != nil {
		return fmt.Errorf("%w: want %s", errFlagValue, durRange(f.r))
	}
	*f.p = d
	if f.set != nil {
		*f.set = true
	}
	return nil
}

// String is "0" for zero, which help reads as "no default to show".
func (f *durationFlag) String() string {
	if *f.p == 0 {
		return "0"
	}
	return f.p.String()
}
func (f *durationFlag) Type() string { return "duration" }

// durRange prints a range of seconds as durations.
func durRange(r numRange) string {
	d := func(x float64) string { return time.Duration(x * float64(time.Second)).String() }
	var s string
	switch {
	case r.hi != 0:
		s = fmt.Sprintf("%s to %s", d(r.lo), d(r.hi))
	case r.loOpen && r.lo == 0:
		s = "a positive duration"
	default:
		s = "at least " + d(r.lo)
	}
	if r.hint != "" {
		s += " (" + r.hint + ")"
	}
	return s
}

// The constructors declare a checked flag on fl with the given default.

func floatVar(fl *pflag.FlagSet, p *float64, name string, def float64, r numRange, usage string) {
	*p = def
	fl.Var(&floatFlag{p, r}, name, usage)
}

func intVar(fl *pflag.FlagSet, p *int, name string, def int, r numRange, usage string) {
	*p = def
	fl.Var(&intFlag{p, r}, name, usage)
}

func uintVar(fl *pflag.FlagSet, p *uint64, name string, def uint64, r numRange, usage string) {
	*p = def
	fl.Var(&uintFlag{p, r}, name, usage)
}

func durationVar(fl *pflag.FlagSet, p *time.Duration, name string, def time.Duration, r numRange, usage string) {
	*p = def
	fl.Var(&durationFlag{p: p, r: r}, name, usage)
}

// emptyOK is the flag annotation saying that "" is a documented value of a
// string flag (its help says what it means).
const emptyOK = "gotrt_empty_ok"

// allowEmpty marks flag name on fl as taking "" knowingly.
func allowEmpty(fl *pflag.FlagSet, name string) {
	_ = fl.SetAnnotation(name, emptyOK, []string{"true"})
}

// checkFlags refuses a string flag given as "" (a script's unset variable,
// say) unless its help documents what "" means: left out, the flag keeps
// its default; given empty, it would silently stand for that default. It
// runs before every command (the root's PersistentPreRunE).
func checkFlags(cmd *cobra.Command, _ []string) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err != nil || f.Value.Type() != "string" || strings.TrimSpace(f.Value.String()) != "" {
			return
		}
		if _, ok := f.Annotations[emptyOK]; ok {
			return
		}
		def := ""
		if f.DefValue != "" {
			def = fmt.Sprintf(" (default %s)", f.DefValue)
		}
		err = usageError{fmt.Errorf("--%s is empty: give a value or leave the flag out for its default%s", f.Name, def)}
	})
	return err
}

// flagUsage makes cobra's flag errors usage errors (exit status 2), and
// says a bad value as the other usage errors do: the flag, a short prefix
// of the value, what it wants.
func flagUsage(_ *cobra.Command, err error) error {
	var iv *pflag.InvalidValueError
	if errors.As(err, &iv) {
		msg := strings.TrimPrefix(iv.Unwrap().Error(), errFlagValue.Error()+": ")
		switch iv.GetFlag().Value.Type() {
		case "bool":
			msg = "want true or false"
		case "string", "stringSlice", "stringArray":
		default:
			if !errors.Is(iv, errFlagValue) {
				// pflag's own parsers say "strconv.ParseInt: ...".
				msg = "want " + typeWanted(iv.GetFlag().Value.Type())
			}
		}
		return usageError{fmt.Errorf("--%s %q: %s", iv.GetFlag().Name, quote(iv.GetValue()), msg)}
	}
	return usageError{boundFlagError(err)}
}

// boundFlagError cuts a flag error pflag wrote with the user's whole
// argument in it ("unknown flag: --AAAA…", a pasted file as a flag name)
// to a readable length; errors of a sane size pass unchanged.
func boundFlagError(err error) error {
	const most = 200
	msg := err.Error()
	if len(msg) <= most {
		return err
	}
	i := most
	for i > 0 && msg[i]&0xC0 == 0x80 {
		i--
	}
	return fmt.Errorf("%q… (%d bytes)", msg[:i], len(msg))
}

// typeWanted says what a pflag value type takes, for an error.
func typeWanted(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "duration":
		return "a Go duration such as 10s, 2m or 15ms"
	}
	return "a value of type " + t
}
