package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gotrt/gotrt/internal/bounded"
)

// Sentinel errors; the errors this package returns wrap them and name the
// file.
var (
	// ErrBadMagic: the file does not start with "\x93NUMPY" or has an
	// unknown format version.
	ErrBadMagic = errors.New("not a .npy file")
	// ErrBadHeader: the header dictionary cannot be parsed or lacks a key.
	ErrBadHeader = errors.New("malformed .npy header")
	// ErrUnsupportedDType: the dtype is not a numeric type or bool (object,
	// string, structured, datetime, long double).
	ErrUnsupportedDType = errors.New("unsupported dtype")
	// ErrTruncated: the file holds fewer data bytes than the header claims.
	ErrTruncated = errors.New("data shorter than the header claims")
)

var magic = []byte("\x93NUMPY")

// Header is the parsed header of a .npy file.
type Header struct {
	// Major and Minor are the format version (1.0, 2.0 or 3.0). Writing
	// with Major 0 picks the smallest version that fits.
	Major, Minor byte
	// DType is the element type as stored.
	DType DType
	// Shape is the array shape; an empty shape is a scalar (one element).
	Shape []int
	// FortranOrder says the data is stored column-major.
	FortranOrder bool
	// DataOffset is the file offset of the first data byte.
	DataOffset int64
}

// Len is the number of elements, the product of Shape.
func (h Header) Len() int64 {
	n := int64(1)
	for _, d := range h.Shape {
		n *= int64(d)
	}
	return n
}

// DataSize is the number of data bytes the header claims.
func (h Header) DataSize() int64 { return h.Len() * int64(h.DType.Size) }

// ReadHeader reads and parses a .npy header from r, which must be at the
// start of the file. The errors wrap [ErrBadMagic], [ErrBadHeader] or
// [ErrUnsupportedDType] (they do not name a file; [Open] adds it).
func ReadHeader(r io.Reader) (Header, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return Header{}, fmt.Errorf("%w: %w", ErrBadMagic, shortRead(err))
	}
	if !bytes.Equal(pre[:6], magic) {
		return Header{}, fmt.Errorf("%w: magic is %q", ErrBadMagic, pre[:6])
	}
	h := Header{Major: pre[6], Minor: pre[7]}
	var hlen int64
	switch h.Major {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return Header{}, fmt.Errorf("%w: header length: %w", ErrBadHeader, shortRead(err))
		}
		hlen = int64(binary.LittleEndian.Uint16(pre[8:10]))
		h.DataOffset = 10 + hlen
	case 2, 3:
		var l [4]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return Header{}, fmt.Errorf("%w: header length: %w", ErrBadHeader, shortRead(err))
		}
		hlen = int64(binary.LittleEndian.Uint32(l[:]))
		h.DataOffset = 12 + hlen
	default:
		return Header{}, fmt.Errorf("%w: format version %d.%d", ErrBadMagic, h.Major, h.Minor)
	}
	if hlen > 1<<24 {
		return Header{}, fmt.Errorf("%w: header length %d is implausible", ErrBadHeader, hlen)
	}
	buf := make([]byte, hlen)
	if _, err := io.ReadFull(r, buf); err != nil {
		return Header{}, fmt.Errorf("%w: header: %w", ErrBadHeader, shortRead(err))
	}
	if h.Major == 3 && !utf8.Valid(buf) {
		return Header{}, fmt.Errorf("%w: version 3.0 header is not UTF-8", ErrBadHeader)
	}
	if err := parseDict(string(buf), &h); err != nil {
		return Header{}, err
	}
	return h, nil
}

func shortRead(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// parseDict parses the header's Python dict literal, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 224, 224), }
func parseDict(s string, h *Header) error {
	p := &lit{s: s}
	bad := func(what string) error {
		return fmt.Errorf("%w: %s at offset %d of %q", ErrBadHeader, what, p.i, bounded.Quote(strings.TrimSpace(s)))
	}
	p.space()
	if !p.eat('{') {
		return bad("expected '{'")
	}
	var haveDescr, haveOrder, haveShape bool
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, ok := p.str()
		if !ok {
			return bad("expected a key")
		}
		p.space()
		if !p.eat(':') {
			return bad("expected ':'")
		}
		p.space()
		switch key {
		case "descr":
			if p.peek() == '[' {
				return fmt.Errorf("structured dtype: %w", ErrUnsupportedDType)
			}
			v, ok := p.str()
			if !ok {
				return bad("descr is not a string")
			}
			d, err := ParseDType(v)
			if err != nil {
				return err
			}
			h.DType, haveDescr = d, true
		case "fortran_order":
			switch {
			case p.word("True"):
				h.FortranOrder = true
			case p.word("False"):
				h.FortranOrder = false
			default:
				return bad("fortran_order is not True or False")
			}
			haveOrder = true
		case "shape":
			shape, ok := p.tuple()
			if !ok {
				return bad("shape is not a tuple of non-negative integers")
			}
			h.Shape, haveShape = shape, true
		default:
			return bad(fmt.Sprintf("unknown key %q", bounded.Quote(key)))
		}
		p.space()
		if !p.eat(',') {
			p.space()
			if !p.eat('}') {
				return bad("expected ',' or '}'")
			}
			break
		}
	}
	if !haveDescr || !haveOrder || !haveShape {
		return fmt.Errorf("%w: header lacks descr, fortran_order or shape", ErrBadHeader)
	}
	// Check each partial product, since the full product can wrap around
	// int64 to a small value that a short file would satisfy. An empty
	// array cannot overflow, whatever its other dimensions.
	if slices.Contains(h.Shape, 0) {
		return nil
	}
	limit, n := math.MaxInt64/int64(h.DType.Size), int64(1)
	for _, d := range h.Shape {
		if n > limit/int64(d) {
			return fmt.Errorf("%w: shape %v overflows", ErrBadHeader, h.Shape)
		}
		n *= int64(d)
	}
	return nil
}

// lit is a cursor over a Python literal.
type lit struct {
	s string
	i int
}

func (p *lit) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *lit) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *lit) eat(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

func (p *lit) word(w string) bool {
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

// str reads a quoted string without escapes (NumPy writes none in keys or
// numeric descrs).
func (p *lit) str() (string, bool) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", false
	}
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", false
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, true
}

// tuple reads (), (n,) or (a, b, ...) of non-negative integers; a trailing
// L (Python 2 long) is accepted.
func (p *lit) tuple() ([]int, bool) {
	if !p.eat('(') {
		return nil, false
	}
	shape := []int{}
	for {
		p.space()
		if p.eat(')') {
			return shape, true
		}
		start := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		n, err := strconv.Atoi(p.s[start:p.i])
		if err != nil || n < 0 {
			return nil, false
		}
		p.eat('L')
		shape = append(shape, n)
		p.space()
		if !p.eat(',') {
			p.space()
			return shape, p.eat(')')
		}
	}
}
