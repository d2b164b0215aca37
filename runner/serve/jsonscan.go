package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// The HTTP path reads inference requests with this hand-written JSON
// reader instead of encoding/json: a request is mostly one flat (or
// nested) array of numbers, which reflection decodes an element at a time
// through interface values. The reader walks the bytes once, keeps strings
// as sub-slices of the body where they hold no escapes, and turns a
// tensor's numbers straight into little-endian bytes.

// maxJSONDepth bounds the nesting of any value the reader skips or reads.
const maxJSONDepth = 32

var errJSONDepth = errors.New("JSON nested deeper than 32")

type jsonReader struct {
	b []byte
	i int
}

func (r *jsonReader) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: "+format, append([]any{r.i}, args...)...)
}

func (r *jsonReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek is the next byte after white space, 0 at the end.
func (r *jsonReader) peek() byte {
	r.ws()
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

func (r *jsonReader) expect(c byte) error {
	if r.peek() != c {
		if r.i >= len(r.b) {
			return r.errorf("unexpected end of JSON, want %q", c)
		}
		return r.errorf("invalid character %q, want %q", r.b[r.i], c)
	}
	r.i++
	return nil
}

// str reads a string. Without escapes it is a sub-slice of the input (no
// copy); with them it is decoded by encoding/json.
func (r *jsonReader) str() ([]byte, error) {
	if err := r.expect('"'); err != nil {
		return nil, err
	}
	start := r.i
	esc := false
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			s := r.b[start:r.i]
			r.i++
			if !esc {
				if !utf8.Valid(s) {
					return nil, r.errorf("string is not UTF-8")
				}
				return s, nil
			}
			var out string
			if err := json.Unmarshal(r.b[start-1:r.i], &out); err != nil {
				return nil, r.errorf("bad string: %w", err)
			}
			return []byte(out), nil
		case c == '\\':
			esc = true
			r.i += 2
		case c < 0x20:
			return nil, r.errorf("control character in string")
		default:
			r.i++
		}
	}
	return nil, r.errorf("unexpected end of JSON in a string")
}

// object calls field for each key of an object; field reads the value.
func (r *jsonReader) object(field func(key []byte) error) error {
	if err := r.expect('{'); err != nil {
		return err
	}
	if r.peek() == '}' {
		r.i++
		return nil
	}
	for {
		k, err := r.str()
		if err != nil {
			return err
		}
		if err := r.expect(':'); err != nil {
			return err
		}
		if err := field(k); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return nil
		default:
			return r.errorf("want ',' or '}' in an object")
		}
	}
}

// array calls elem for each element of an array; elem reads it.
func (r *jsonReader) array(elem func() error) error {
	if err := r.expect('['); err != nil {
		return err
	}
	if r.peek() == ']' {
		r.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return nil
		default:
			return r.errorf("want ',' or ']' in an array")
		}
	}
}

// number returns the bytes of a JSON number, checked against the grammar.
func (r *jsonReader) number() ([]byte, error) {
	r.ws()
	start := r.i
	if r.i < len(r.b) && r.b[r.i] == '-' {
		r.i++
	}
	digits := func() int {
		n := 0
		for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	intStart := r.i
	if n := digits(); n == 0 || (n > 1 && r.b[intStart] == '0') {
		r.i = start
		return nil, r.errorf("invalid number")
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		if digits() == 0 {
			return nil, r.errorf("invalid number")
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			return nil, r.errorf("invalid number")
		}
	}
	return r.b[start:r.i], nil
}

func (r *jsonReader) literal(lit string) error {
	r.ws()
	if len(r.b)-r.i < len(lit) || string(r.b[r.i:r.i+len(lit)]) != lit {
		return r.errorf("invalid value")
	}
	r.i += len(lit)
	return nil
}

// skip reads and discards any value.
func (r *jsonReader) skip(depth int) error {
	if depth > maxJSONDepth {
		return errJSONDepth
	}
	switch r.peek() {
	case '{':
		return r.object(func([]byte) error { return r.skip(depth + 1) })
	case '[':
		return r.array(func() error { return r.skip(depth + 1) })
	case '"':
		_, err := r.str()
		return err
	case 't':
		return r.literal("true")
	case 'f':
		return r.literal("false")
	case 'n':
		return r.literal("null")
	}
	_, err := r.number()
	return err
}

// span reads any value and returns its bytes. An array holding only
// numbers and arrays (a tensor's data) is found by counting brackets, and
// checked when it is read; anything else is read value by value.
func (r *jsonReader) span() ([]byte, error) {
	r.ws()
	start := r.i
	if r.i < len(r.b) && r.b[r.i] == '[' {
		depth := 0
	scan:
		for j := r.i; j < len(r.b); j++ {
			switch r.b[j] {
			case '[':
				if depth++; depth > maxJSONDepth {
					return nil, errJSONDepth
				}
			case ']':
				if depth--; depth == 0 {
					r.i = j + 1
					return r.b[start:r.i], nil
				}
			case '"', '{', '}':
				break scan // not numbers: read it properly
			}
		}
	}
	if err := r.skip(0); err != nil {
		return nil, err
	}
	return r.b[start:r.i], nil
}

// end checks that nothing but white space follows.
func (r *jsonReader) end() error {
	if r.peek() != 0 {
		return r.errorf("invalid character %q after top-level value", r.b[r.i])
	}
	return nil
}

// param is a request or tensor parameter's value: a bool, a number or a
// string.
type param struct {
	kind byte // 'b', 'n' or 's'
	b    bool
	num  []byte
	s    []byte
}

// int64 is the parameter as an integer, if it is one.
func (p param) int64() (int64, bool) {
	if p.kind != 'n' {
		return 0, false
	}
	v, err := strconv.ParseInt(string(p.num), 10, 64)
	return v, err == nil
}

// params reads a parameters object; each value must be a bool, number or
// string, as the protocol's parameters are.
func (r *jsonReader) params(set func(key []byte, v param) error) error {
	if r.peek() == 'n' {
		return r.literal("null")
	}
	return r.object(func(k []byte) error {
		var v param
		var err error
		switch r.peek() {
		case 't', 'f':
			v.kind, v.b = 'b', r.peek() == 't'
			if v.b {
				err = r.literal("true")
			} else {
				err = r.literal("false")
			}
		case '"':
			v.kind = 's'
			v.s, err = r.str()
		default:
			v.kind = 'n'
			v.num, err = r.number()
		}
		if err != nil {
			return fmt.Errorf("parameter %q: %w", k, err)
		}
		return set(k, v)
	})
}

// int64s reads an array of integers (a shape).
func (r *jsonReader) int64s(max int) ([]int64, error) {
	out := make([]int64, 0, 4)
	err := r.array(func() error {
		num, err := r.number()
		if err != nil {
			return err
		}
		v, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil {
			return r.errorf("%s is not an integer", num)
		}
		if len(out) == max {
			return r.errorf("more than %d dimensions", max)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// elements reads a tensor's "data", flat or nested arrays of numbers in
// row-major order, into dst as little-endian elements of datatype dt:
// exactly len(dst)/size elements, each in the type's range.
func elements(data []byte, dt string, dst []byte) error {
	size := DatatypeSize(dt)
	var lo, hi float64
	switch dt {
	case "UINT8", "UINT16", "UINT32":
		lo, hi = 0, math.Exp2(float64(8*size))-1
	case "INT8", "INT16", "INT32":
		hi = math.Exp2(float64(8*size-1)) - 1
		lo = -hi - 1
	case "FP32":
		lo, hi = -math.MaxFloat32, math.MaxFloat32
	default:
		return fmt.Errorf("JSON data of %s is not supported", dt)
	}
	count := len(dst) / size
	isFloat := dt == "FP32"
	ilo, ihi := int64(lo), int64(hi)
	// One loop over the bytes, a small state machine for the grammar of
	// nested arrays: after '[' a value or ']'; after a value ',' or ']';
	// after ',' a value. Most elements take the integer fast path.
	const (
		wantValueOrClose = iota
		wantValue
		wantCommaOrClose
	)
	b := data
	i, depth, got, state := 0, 0, 0, wantValue
	for {
		for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
			i++
		}
		if i == len(b) {
			if depth != 0 || state != wantCommaOrClose {
				return fmt.Errorf("offset %d: unexpected end of JSON", i)
			}
			break
		}
		c := b[i]
		if depth == 0 && state == wantCommaOrClose {
			return fmt.Errorf("offset %d: invalid character %q after the data array", i, c)
		}
		switch {
		case c == '[':
			if state == wantCommaOrClose {
				return fmt.Errorf("offset %d: want ',' or ']'", i)
			}
			if depth++; depth > 8 {
				return errors.New("arrays nested deeper than 8")
			}
			i++
			state = wantValueOrClose
			continue
		case c == ']':
			if state == wantValue || depth == 0 {
				return fmt.Errorf("offset %d: unexpected ']'", i)
			}
			depth--
			i++
			state = wantCommaOrClose
			continue
		case c == ',':
			if state != wantCommaOrClose {
				return fmt.Errorf("offset %d: unexpected ','", i)
			}
			i++
			state = wantValue
			continue
		case state == wantCommaOrClose:
			return fmt.Errorf("offset %d: want ',' or ']'", i)
		case depth == 0:
			return errors.New("want an array of numbers")
		}
		if got == count {
			return fmt.Errorf("more than %d elements (the shape's)", count)
		}
		// Fast path: an integer of at most 11 digits.
		start := i
		neg := c == '-'
		if neg {
			i++
		}
		var v int64
		nd := 0
		for i < len(b) && nd < 12 {
			d := b[i] - '0'
			if d > 9 {
				break
			}
			v = v*10 + int64(d)
			i++
			nd++
		}
		simple := nd > 0 && nd < 12 && (nd == 1 || b[start+btoi(neg)] != '0')
		if simple && i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E') {
			simple = false
		}
		if neg {
			v = -v
		}
		if simple && !isFloat {
			// An integer for an integer type: checked and stored without
			// going through float64.
			if v < ilo || v > ihi {
				return fmt.Errorf("element %d: %d is not a %s", got, v, dt)
			}
			switch size {
			case 1:
				dst[got] = byte(v)
			case 2:
				dst[2*got], dst[2*got+1] = byte(v), byte(v>>8)
			default:
				o := dst[4*got : 4*got+4]
				o[0], o[1], o[2], o[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
			}
			got++
			state = wantCommaOrClose
			continue
		}
		var f float64
		if simple {
			f = float64(v)
		} else {
			r := jsonReader{b: b, i: start}
			num, err := r.number()
			if err != nil {
				return fmt.Errorf("element %d: %w", got, err)
			}
			i = r.i
			f, err = strconv.ParseFloat(string(num), 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return fmt.Errorf("element %d: %s is not a number", got, num)
			}
			if err != nil || math.IsInf(f, 0) {
				return fmt.Errorf("element %d: %s is not a %s", got, num, dt)
			}
		}
		if f < lo || f > hi || (!isFloat && f != math.Trunc(f)) {
			return fmt.Errorf("element %d: %v is not a %s", got, f, dt)
		}
		o := dst[got*size:]
		switch {
		case isFloat:
			u := math.Float32bits(float32(f))
			o[0], o[1], o[2], o[3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
		case size == 1:
			o[0] = byte(int64(f))
		case size == 2:
			u := uint16(int64(f))
			o[0], o[1] = byte(u), byte(u>>8)
		default:
			u := uint32(int64(f))
			o[0], o[1], o[2], o[3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
		}
		got++
		state = wantCommaOrClose
	}
	if got != count {
		return fmt.Errorf("%d elements, the shape needs %d", got, count)
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// appendJSONString appends s as a JSON string.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// appendElements appends the little-endian elements of b, of datatype dt,
// as a flat JSON array of numbers.
func appendElements(dst []byte, dt string, b []byte) ([]byte, error) {
	dst = append(dst, '[')
	switch dt {
	case "INT32":
		for i := 0; i+4 <= len(b); i += 4 {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendInt(dst, int64(int32(uint32(b[i])|uint32(b[i+1])<<8|uint32(b[i+2])<<16|uint32(b[i+3])<<24)))
		}
	case "UINT8":
		for i, v := range b {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendInt(dst, int64(v))
		}
	case "FP32":
		for i := 0; i+4 <= len(b); i += 4 {
			if i > 0 {
				dst = append(dst, ',')
			}
			f := math.Float32frombits(uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 | uint32(b[i+3])<<24)
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				return nil, fmt.Errorf("%w: output element %d is %v, which JSON cannot carry: ask for binary data", ErrInternal, i/4, f)
			}
			dst = strconv.AppendFloat(dst, float64(f), 'g', -1, 32)
		}
	default:
		return nil, fmt.Errorf("%w: output datatype %s has no JSON form here: ask for binary data", ErrInternal, dt)
	}
	return append(dst, ']'), nil
}

// appendInt appends v in decimal: small non-negative numbers (class
// indices, pixels) digit by digit, in place, the rest through strconv.
func appendInt(dst []byte, v int64) []byte {
	switch {
	case v < 0 || v >= 10000:
		return strconv.AppendInt(dst, v, 10)
	case v < 10:
		return append(dst, byte('0'+v))
	case v < 100:
		return append(dst, byte('0'+v/10), byte('0'+v%10))
	case v < 1000:
		return append(dst, byte('0'+v/100), byte('0'+v/10%10), byte('0'+v%10))
	}
	return append(dst, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}
