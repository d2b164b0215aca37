package mlperflog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/gotrt/gotrt/internal/bounded"
)

// The streaming scanner behind ScanLog and DecodeLog: a hand-written JSON
// reader for the one shape of an accuracy log, decoding hex as it reads.

func scan(name string, r io.Reader, size int, fn func(int, Record) error) error {
	s := &scanner{name: name, r: r, buf: make([]byte, max(size, minBuf)), entry: -1, qsl: -1, readFrom: -1}
	if f, ok := r.(*os.File); ok {
		if off, err := f.Seek(0, io.SeekCurrent); err == nil {
			s.readFrom = off
		}
	}
	c, ok := s.skipWS()
	if !ok {
		return s.eof("empty log, not a JSON array")
	}
	if c != '[' {
		return s.bad("not a JSON array (starts with %q)", c)
	}
	s.pos++
	if c, ok = s.skipWS(); !ok {
		return s.eof("unterminated array")
	}
	if c == ']' {
		s.pos++
		return s.finish()
	}
	for i := 0; ; i++ {
		s.entry, s.qsl = i, -1
		rec, err := s.record()
		if err != nil {
			return err
		}
		if err := fn(i, rec); err != nil {
			return err
		}
		s.entry, s.qsl = -1, -1
		c, ok := s.skipWS()
		if !ok {
			return s.eof(fmt.Sprintf("unterminated array after %d entries", i+1))
		}
		switch c {
		case ',':
			s.pos++
			continue
		case ']':
			s.pos++
			return s.finish()
		}
		return s.syntax(c, fmt.Sprintf("after entry %d, expected ',' or ']'", i))
	}
}

// finish checks that nothing but whitespace follows the array.
func (s *scanner) finish() error {
	c, ok := s.skipWS()
	if ok {
		return s.bad("data after the array (%q at byte %d)", c, s.off())
	}
	if s.rerr != io.EOF {
		return s.readErr()
	}
	return nil
}

// record parses entry s.entry: an object (or null, which lacks every key).
func (s *scanner) record() (Record, error) {
	c, ok := s.skipWS()
	if !ok {
		return Record{}, s.eof("truncated entry")
	}
	switch c {
	case '{':
		s.pos++
	case 'n':
		if err := s.literal("null"); err != nil {
			return Record{}, err
		}
		return Record{}, s.bad("lacks qsl_idx and data (null entry)")
	default:
		if err := s.skipValue(0); err != nil {
			return Record{}, err
		}
		return Record{}, s.bad("entry is not a JSON object")
	}
	var (
		rec             Record
		qsl             int64
		hasQSL, hasData bool
		typeErr, hexErr error
	)
	setType := func(err error) {
		if typeErr == nil {
			typeErr = err
		}
	}
	c, ok = s.skipWS()
	if !ok {
		return rec, s.eof("truncated entry")
	}
	if c == '}' {
		s.pos++
	} else {
		for {
			if c != '"' {
				return rec, s.syntax(c, "expected a key")
			}
			key, err := s.readKey()
			if err != nil {
				return rec, err
			}
			if c, ok = s.skipWS(); !ok {
				return rec, s.eof("truncated entry")
			}
			if c != ':' {
				return rec, s.syntax(c, "after a key, expected ':'")
			}
			s.pos++
			if c, ok = s.skipWS(); !ok {
				return rec, s.eof("truncated entry")
			}
			switch matchKey(key) {
			case keyData:
				switch c {
				case '"':
					rec.Data, hexErr, err = s.readData()
					hasData = true
				case 'n':
					err = s.literal("null")
					rec.Data, hexErr, hasData = nil, nil, false
				default:
					err = s.skipValue(1)
					setType(errors.New("data is not a string"))
				}
			case keyQSL:
				n, _, ok, isNull, ierr := s.intValue(false, "qsl_idx", setType)
				switch err = ierr; {
				case isNull:
					hasQSL, s.qsl = false, -1
				case ok:
					qsl, hasQSL, s.qsl = n, true, max(n, -1)
				}
			case keySeq:
				_, n, ok, isNull, ierr := s.intValue(true, "seq_id", setType)
				switch err = ierr; {
				case isNull:
					rec.SeqID = 0
				case ok:
					rec.SeqID = n
				}
			default:
				err = s.skipValue(1)
			}
			if err != nil {
				return rec, err
			}
			if c, ok = s.skipWS(); !ok {
				return rec, s.eof("truncated entry")
			}
			s.pos++
			if c == '}' {
				break
			}
			if c != ',' {
				s.pos--
				return rec, s.syntax(c, "after a value, expected ',' or '}'")
			}
			if c, ok = s.skipWS(); !ok {
				return rec, s.eof("truncated entry")
			}
		}
	}
	switch {
	case typeErr != nil:
		return rec, s.bad("%v", typeErr)
	case !hasQSL && !hasData:
		return rec, s.bad("lacks qsl_idx and data")
	case !hasQSL:
		return rec, s.bad("lacks qsl_idx")
	case !hasData:
		return rec, s.bad("lacks data")
	case qsl < 0:
		return rec, s.bad("negative qsl_idx %d", qsl)
	case hexErr != nil:
		return rec, s.bad("bad hex data: %v", hexErr)
	}
	rec.QSLIdx = int(qsl)
	if len(rec.Data) > 0 {
		s.lastData = len(rec.Data)
	}
	return rec, nil
}

// intValue reads the value of an integer key as encoding/json unmarshals it
// into an int (or a uint64 when unsigned): a JSON number that
// strconv.ParseInt (ParseUint) accepts, or null (isNull). Anything else is a
// type error, reported through setType once the value is checked as JSON;
// ok reports a stored number.
func (s *scanner) intValue(unsigned bool, name string, setType func(error)) (i int64, u uint64, ok, isNull bool, err error) {
	c, _ := s.peek()
	switch {
	case c == 'n':
		return 0, 0, false, true, s.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		lit, err := s.number(true)
		if err != nil {
			return 0, 0, false, false, err
		}
		var perr error
		if unsigned {
			u, perr = strconv.ParseUint(string(lit), 10, 64)
		} else {
			i, perr = strconv.ParseInt(string(lit), 10, strconv.IntSize)
		}
		if perr != nil {
			setType(fmt.Errorf("%s %s is not an integer in range", name, lit))
			return 0, 0, false, false, nil
		}
		return i, u, true, false, nil
	}
	if err := s.skipValue(1); err != nil {
		return 0, 0, false, false, err
	}
	setType(fmt.Errorf("%s is not a number", name))
	return 0, 0, false, false, nil
}

// Keys of an entry, matched as encoding/json matches struct field names.
const (
	keyOther = iota
	keyData
	keyQSL
	keySeq
)

func matchKey(key []byte) int {
	switch string(key) { // exact match first, as encoding/json
	case "data":
		return keyData
	case "qsl_idx":
		return keyQSL
	case "seq_id":
		return keySeq
	}
	if len(key) > 32 {
		return keyOther
	}
	var arr [64]byte
	switch string(foldName(arr[:0], key)) {
	case "DATA":
		return keyData
	case "QSL_IDX":
		return keyQSL
	case "SEQ_ID":
		return keySeq
	}
	return keyOther
}

// foldName is encoding/json's case folding of object keys (fold.go).
func foldName(out, in []byte) []byte {
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		out = utf8.AppendRune(out, unicode.ToUpper(unicode.ToLower(r)))
		i += n
	}
	return out
}

// --- buffer ---

// fill reads more input after compacting the buffer; it reports whether
// bytes were added.
func (s *scanner) fill() bool {
	if s.rerr != nil {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.base += int64(s.pos)
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		return true // full: the caller consumes first
	}
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
		}
		if n > 0 || err != nil {
			return n > 0
		}
	}
	s.rerr = io.ErrNoProgress
	return false
}

func (s *scanner) peek() (byte, bool) {
	if s.pos == s.end && !s.fill() {
		return 0, false
	}
	return s.buf[s.pos], true
}

// skipWS skips JSON whitespace and returns the next byte, not consumed.
func (s *scanner) skipWS() (byte, bool) {
	for {
		for s.pos < s.end {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\n', '\r':
				s.pos++
			default:
				return c, true
			}
		}
		if !s.fill() {
			return 0, false
		}
	}
}

func (s *scanner) off() int64 { return s.base + int64(s.pos) }

// --- errors ---

func (s *scanner) bad(format string, args ...any) error {
	where := "accuracy log " + s.name
	if s.entry >= 0 {
		where += fmt.Sprintf(": entry %d", s.entry)
	}
	msg := fmt.Sprintf(format, args...)
	if s.entry >= 0 && s.qsl >= 0 {
		msg = fmt.Sprintf("qsl_idx %d: %s", s.qsl, msg)
	}
	return fmt.Errorf("%s: %w: %s", where, ErrMalformedLog, msg)
}

func (s *scanner) syntax(c byte, what string) error {
	return s.bad("invalid character %q at byte %d: %s", c, s.off(), what)
}

// eof reports input that ended early, or the read error that ended it.
func (s *scanner) eof(what string) error {
	if s.rerr != nil && s.rerr != io.EOF {
		return s.readErr()
	}
	return s.bad("%s: unexpected end of file at byte %d", what, s.off())
}

func (s *scanner) readErr() error {
	where := "accuracy log " + s.name
	if s.entry >= 0 {
		where += fmt.Sprintf(": entry %d", s.entry)
	}
	return fmt.Errorf("%s: read at byte %d: %w", where, s.off(), s.rerr)
}

// --- values ---

func (s *scanner) literal(word string) error {
	for i := 0; i < len(word); i++ {
		c, ok := s.peek()
		if !ok {
			return s.eof("truncated literal " + word)
		}
		if c != word[i] {
			return s.syntax(c, "in literal "+word)
		}
		s.pos++
	}
	return nil
}

// number reads a JSON number; keep returns its text (valid until the next
// call), otherwise it is only checked.
func (s *scanner) number(keep bool) ([]byte, error) {
	s.num = s.num[:0]
	next := func() (byte, bool) {
		c, ok := s.peek()
		return c, ok
	}
	take := func(c byte) {
		if keep {
			s.num = append(s.num, c)
		}
		s.pos++
	}
	digits := func(first bool) error {
		c, ok := next()
		if !ok {
			if first {
				return s.eof("truncated number")
			}
			return nil
		}
		if c < '0' || c > '9' {
			if first {
				return s.syntax(c, "in a number, expected a digit")
			}
			return nil
		}
		for ok && '0' <= c && c <= '9' {
			take(c)
			c, ok = next()
		}
		return nil
	}
	c, _ := next()
	if c == '-' {
		take(c)
	}
	c, ok := next()
	if !ok {
		return nil, s.eof("truncated number")
	}
	if c == '0' {
		take(c)
	} else if err := digits(true); err != nil {
		return nil, err
	}
	if c, ok = next(); ok && c == '.' {
		take(c)
		if err := digits(true); err != nil {
			return nil, err
		}
	}
	if c, ok = next(); ok && (c == 'e' || c == 'E') {
		take(c)
		if c, ok = next(); ok && (c == '+' || c == '-') {
			take(c)
		}
		if err := digits(true); err != nil {
			return nil, err
		}
	}
	return s.num, nil
}

// stringByte returns the next byte of the JSON string being read, with
// escapes decoded: a \u escape to ASCII yields that byte (r < 0), one to any
// other rune yields 0x80 and the rune in r. end reports the closing quote.
func (s *scanner) stringByte() (c byte, r rune, end bool, err error) {
	c, ok := s.peek()
	if !ok {
		return 0, 0, false, s.eof("truncated string")
	}
	switch {
	case c == '"':
		s.pos++
		return 0, 0, true, nil
	case c < 0x20:
		return 0, 0, false, s.syntax(c, "control character in a string")
	case c != '\\':
		s.pos++
		return c, -1, false, nil
	}
	s.pos++
	if c, ok = s.peek(); !ok {
		return 0, 0, false, s.eof("truncated escape")
	}
	s.pos++
	switch c {
	case '"', '\\', '/':
		return c, -1, false, nil
	case 'b':
		return '\b', -1, false, nil
	case 'f':
		return '\f', -1, false, nil
	case 'n':
		return '\n', -1, false, nil
	case 'r':
		return '\r', -1, false, nil
	case 't':
		return '\t', -1, false, nil
	case 'u':
		r, err := s.hex4()
		if err != nil {
			return 0, 0, false, err
		}
		if r < utf8.RuneSelf {
			return byte(r), -1, false, nil
		}
		return 0x80, r, false, nil
	}
	s.pos--
	return 0, 0, false, s.syntax(c, "invalid escape")
}

func (s *scanner) hex4() (rune, error) {
	var r rune
	for range 4 {
		c, ok := s.peek()
		if !ok {
			return 0, s.eof("truncated \\u escape")
		}
		v := unhexTab[c]
		if v > 15 {
			return 0, s.syntax(c, "in a \\u escape")
		}
		r = r<<4 | rune(v)
		s.pos++
	}
	return r, nil
}

// readKey reads a string at s.pos and returns its decoded bytes (valid until
// the next call). A surrogate escape decodes to U+FFFD: no key of the log
// holds one.
func (s *scanner) readKey() ([]byte, error) {
	s.pos++ // opening quote
	s.key = s.key[:0]
	for {
		c, r, end, err := s.stringByte()
		if err != nil || end {
			return s.key, err
		}
		if r < 0 {
			s.key = append(s.key, c)
			continue
		}
		if r >= 0xd800 && r < 0xe000 {
			r = utf8.RuneError
		}
		s.key = utf8.AppendRune(s.key, r)
	}
}

func (s *scanner) skipString() error {
	for {
		// fast: plain bytes
		for s.pos < s.end {
			c := s.buf[s.pos]
			if c == '"' || c == '\\' || c < 0x20 {
				break
			}
			s.pos++
		}
		_, _, end, err := s.stringByte()
		if err != nil || end {
			return err
		}
	}
}

// skipValue checks and skips one JSON value; depth is the nesting of the
// value's container in its entry (encoding/json counts the same way).
func (s *scanner) skipValue(depth int) error {
	var stack []byte // closing brackets
	for {
		c, ok := s.skipWS()
		if !ok {
			return s.eof("truncated value")
		}
		switch {
		case c == '{' || c == '[':
			if depth+len(stack)+1 > maxDepth {
				return s.bad("exceeded max depth at byte %d", s.off())
			}
			s.pos++
			d, ok := s.skipWS()
			if !ok {
				return s.eof("truncated value")
			}
			if c == '{' {
				if d == '}' {
					s.pos++
					break
				}
				stack = append(stack, '}')
				if err := s.memberKey(d); err != nil {
					return err
				}
				continue
			}
			if d == ']' {
				s.pos++
				break
			}
			stack = append(stack, ']')
			continue
		case c == '"':
			s.pos++
			if err := s.skipString(); err != nil {
				return err
			}
		case c == 't':
			if err := s.literal("true"); err != nil {
				return err
			}
		case c == 'f':
			if err := s.literal("false"); err != nil {
				return err
			}
		case c == 'n':
			if err := s.literal("null"); err != nil {
				return err
			}
		case c == '-' || ('0' <= c && c <= '9'):
			if _, err := s.number(false); err != nil {
				return err
			}
		default:
			return s.syntax(c, "expected a value")
		}
		// After a value: close containers or move to the next member.
		for {
			if len(stack) == 0 {
				return nil
			}
			c, ok := s.skipWS()
			if !ok {
				return s.eof("truncated value")
			}
			top := stack[len(stack)-1]
			if c == top {
				s.pos++
				stack = stack[:len(stack)-1]
				continue
			}
			if c != ',' {
				return s.syntax(c, "expected ',' or '"+string(top)+"'")
			}
			s.pos++
			if top == '}' {
				d, ok := s.skipWS()
				if !ok {
					return s.eof("truncated value")
				}
				if err := s.memberKey(d); err != nil {
					return err
				}
			}
			break
		}
	}
}

// memberKey skips `"key" :` of a skipped object; c is the byte at s.pos.
func (s *scanner) memberKey(c byte) error {
	if c != '"' {
		return s.syntax(c, "expected a key")
	}
	s.pos++
	if err := s.skipString(); err != nil {
		return err
	}
	c, ok := s.skipWS()
	if !ok {
		return s.eof("truncated value")
	}
	if c != ':' {
		return s.syntax(c, "after a key, expected ':'")
	}
	s.pos++
	return nil
}

// --- data ---

// readData decodes the string at s.pos as bytes.fromhex would decode its
// JSON value. A hex error (hexErr) leaves the scan going, as it only counts
// if no later "data" key replaces this one; err is a JSON or read error.
func (s *scanner) readData() (out []byte, hexErr, err error) {
	s.pos++ // opening quote
	// Size the slice: exactly when the closing quote is buffered (every
	// hex digit makes half a byte; escapes and spaces only make it less).
	i := bytes.IndexByte(s.buf[s.pos:s.end], '"')
	if i < 0 && (s.pos > 0 || s.end < len(s.buf)) {
		s.fill()
		i = bytes.IndexByte(s.buf[s.pos:s.end], '"')
	}
	if i < 0 && s.lastData == 0 {
		i = s.stringLen()
	}
	if i/2 > maxResponse {
		return nil, nil, s.tooLarge()
	}
	if i >= 0 {
		out = make([]byte, 0, i/2)
	} else {
		out = make([]byte, 0, max(s.lastData, (s.end-s.pos)/2))
	}
	pos := 0 // position in the decoded string, for messages
	for {
		// Fast path: pairs of hex digits straight from the buffer, growing
		// out only when it is full and the next pair is hex.
		for s.end-s.pos >= 2 {
			if len(out) == cap(out) {
				if unhexTab[s.buf[s.pos]]|unhexTab[s.buf[s.pos+1]] > 15 {
					break
				}
				if len(out) >= maxResponse {
					return nil, nil, s.tooLarge()
				}
				out = grow(out, min((s.end-s.pos)/2, maxResponse-len(out)))
			}
			n := hexRun(out[len(out):cap(out)], s.buf[s.pos:s.end])
			out = out[:len(out)+n]
			s.pos += 2 * n
			pos += 2 * n
			if len(out) < cap(out) {
				break // a pair that is not hex, or less than a pair left
			}
		}
		// Slow path: one step over whitespace, an escape, a pair split
		// across reads, the end of the string or a bad digit.
		c, _, end, err := s.stringByte()
		if err != nil {
			return nil, nil, err
		}
		if end {
			return out, nil, nil
		}
		switch c {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			pos++
			continue
		}
		if c >= utf8.RuneSelf {
			// Two or more bytes in the decoded string, as encoding/json
			// decodes it (invalid UTF-8 becoming U+FFFD): not an odd digit.
			return nil, fmt.Errorf("non-hex character at position %d", pos), s.skipString()
		}
		d, _, end, err := s.stringByte()
		if err != nil {
			return nil, nil, err
		}
		if end {
			return nil, fmt.Errorf("odd digit at position %d", pos), nil
		}
		hi, lo := unhexTab[c], unhexTab[d]
		if hi|lo > 15 {
			return nil, fmt.Errorf("non-hex character at position %d", pos), s.skipString()
		}
		if len(out) >= maxResponse {
			return nil, nil, s.tooLarge()
		}
		out = append(out, hi<<4|lo)
		pos += 2
	}
}

// MaxResponse is the most data one log entry may decode to: far above any
// benchmark's response (3D-UNet's are 64 MB), and a bound on what one
// entry of a file allocates.
const MaxResponse = 1 << 30

// maxResponse is MaxResponse, lowered by tests.
var maxResponse = MaxResponse

func (s *scanner) tooLarge() error {
	return fmt.Errorf("%w (%w: data of more than %d bytes in one entry)", s.bad("response too large"), bounded.ErrTooLarge, maxResponse)
}

// stringLen returns the bytes from s.pos to the next '"', read ahead through
// the file without consuming them, or -1 when the input is not a file read
// from its start. It is the first big response's size; later ones take the
// previous size as a hint, so that a log is read once, not twice.
func (s *scanner) stringLen() int {
	ra, ok := s.r.(lookAhead)
	if !ok || s.readFrom != 0 {
		return -1
	}
	n := s.end - s.pos
	chunk := make([]byte, 1<<20)
	for off := s.base + int64(s.end); ; {
		m, err := ra.ReadAt(chunk, off)
		if i := bytes.IndexByte(chunk[:m], '"'); i >= 0 {
			return n + i
		}
		n += m
		off += int64(m)
		if err != nil {
			return -1
		}
	}
}

// grow makes room for n more bytes, at least doubling the capacity so that
// a response bigger than the hint is copied a bounded number of times.
func grow(b []byte, n int) []byte {
	nb := make([]byte, len(b), max(2*cap(b), len(b)+n))
	copy(nb, b)
	return nb
}

// hexRun decodes pairs of hex digits from src into dst while both digits of
// a pair are valid and both slices have room; it returns the pairs decoded.
func hexRun(dst, src []byte) int {
	n := min(len(src)/2, len(dst))
	src, dst = src[:2*n], dst[:n]
	i := 0
	for ; i+8 <= n; i += 8 {
		s := src[2*i : 2*i+16 : 2*i+16]
		a0, a1, a2, a3 := unhexTab[s[0]], unhexTab[s[1]], unhexTab[s[2]], unhexTab[s[3]]
		a4, a5, a6, a7 := unhexTab[s[4]], unhexTab[s[5]], unhexTab[s[6]], unhexTab[s[7]]
		b0, b1, b2, b3 := unhexTab[s[8]], unhexTab[s[9]], unhexTab[s[10]], unhexTab[s[11]]
		b4, b5, b6, b7 := unhexTab[s[12]], unhexTab[s[13]], unhexTab[s[14]], unhexTab[s[15]]
		if (a0|a1|a2|a3|a4|a5|a6|a7|b0|b1|b2|b3|b4|b5|b6|b7)&0xf0 != 0 {
			break
		}
		d := dst[i : i+8 : i+8]
		d[0], d[1], d[2], d[3] = a0<<4|a1, a2<<4|a3, a4<<4|a5, a6<<4|a7
		d[4], d[5], d[6], d[7] = b0<<4|b1, b2<<4|b3, b4<<4|b5, b6<<4|b7
	}
	for ; i < n; i++ {
		hi, lo := unhexTab[src[2*i]], unhexTab[src[2*i+1]]
		if (hi|lo)&0xf0 != 0 {
			break
		}
		dst[i] = hi<<4 | lo
	}
	return i
}

// unhexTab maps a hex digit to its value and every other byte to 0xff.
var unhexTab = func() (t [256]byte) {
	for i := range t {
		v, ok := unhex(byte(i))
		t[i] = 0xff
		if ok {
			t[i] = v
		}
	}
	return t
}()
