package npy

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// Kind is the NumPy type character of a dtype.
type Kind byte

// The kinds this package reads.
const (
	Bool    Kind = 'b'
	Int     Kind = 'i'
	Uint    Kind = 'u'
	Float   Kind = 'f'
	Complex Kind = 'c'
)

// hostBigEndian is true on a big-endian host.
var hostBigEndian = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

// DType is a numeric NumPy dtype: kind, item size in bytes and byte order.
// The zero value is invalid.
type DType struct {
	Kind Kind
	// Size is the item size in bytes (a complex64 is 8).
	Size int
	// BigEndian says the stored bytes are big-endian; it is false for
	// one-byte types.
	BigEndian bool
}

// Common dtypes in the host's byte order.
var (
	BoolType    = DType{Kind: Bool, Size: 1}
	Int8Type    = DType{Kind: Int, Size: 1}
	Uint8Type   = DType{Kind: Uint, Size: 1}
	Int16Type   = DType{Kind: Int, Size: 2, BigEndian: hostBigEndian}
	Int32Type   = DType{Kind: Int, Size: 4, BigEndian: hostBigEndian}
	Int64Type   = DType{Kind: Int, Size: 8, BigEndian: hostBigEndian}
	Float16Type = DType{Kind: Float, Size: 2, BigEndian: hostBigEndian}
	Float32Type = DType{Kind: Float, Size: 4, BigEndian: hostBigEndian}
	Float64Type = DType{Kind: Float, Size: 8, BigEndian: hostBigEndian}
)

// ParseDType parses a NumPy type string such as "<f4", "|i1", ">u2" or
// "|b1". Object ("O"), string, unicode, void, datetime and long double types
// are reported as [ErrUnsupportedDType].
func ParseDType(descr string) (DType, error) {
	if len(descr) < 2 {
		return DType{}, fmt.Errorf("dtype %q: %w", descr, ErrUnsupportedDType)
	}
	order := descr[0]
	rest := descr[1:]
	switch order {
	case '<', '>', '|', '=':
	default:
		// NumPy always writes the order character; accept its absence.
		order = '='
		rest = descr
	}
	kind := Kind(rest[0])
	size, err := strconv.Atoi(rest[1:])
	if err != nil || size <= 0 {
		return DType{}, fmt.Errorf("dtype %q: %w", descr, ErrUnsupportedDType)
	}
	ok := false
	switch kind {
	case Bool:
		ok = size == 1
	case Int, Uint:
		ok = size == 1 || size == 2 || size == 4 || size == 8
	case Float:
		ok = size == 2 || size == 4 || size == 8
	case Complex:
		ok = size == 8 || size == 16
	}
	if !ok {
		return DType{}, fmt.Errorf("dtype %q: %w", descr, ErrUnsupportedDType)
	}
	d := DType{Kind: kind, Size: size}
	if size > 1 {
		switch order {
		case '>':
			d.BigEndian = true
		case '=', '|':
			d.BigEndian = hostBigEndian
		}
	}
	return d, nil
}

// String returns the NumPy type string, e.g. "<f4" or "|i1".
func (d DType) String() string {
	o := byte('<')
	switch {
	case d.Size == 1:
		o = '|'
	case d.BigEndian:
		o = '>'
	}
	return string(o) + string(rune(d.Kind)) + strconv.Itoa(d.Size)
}

// Native reports whether the dtype's bytes are in the host's byte order.
func (d DType) Native() bool { return d.Size == 1 || d.BigEndian == hostBigEndian }

// AsNative returns the same type in the host's byte order.
func (d DType) AsNative() DType {
	if d.Size > 1 {
		d.BigEndian = hostBigEndian
	}
	return d
}

// SameType reports whether d and o have the same kind and size, whatever
// their byte order.
func (d DType) SameType(o DType) bool { return d.Kind == o.Kind && d.Size == o.Size }

// swapUnit is the size of the units whose bytes a byte-order change reverses:
// the item size, or half of it for complex numbers.
func (d DType) swapUnit() int {
	if d.Kind == Complex {
		return d.Size / 2
	}
	return d.Size
}

// swapBytes reverses the byte order of every unit of b in place.
func swapBytes(b []byte, unit int) {
	switch unit {
	case 2:
		for i := 0; i+1 < len(b); i += 2 {
			binary.LittleEndian.PutUint16(b[i:], binary.BigEndian.Uint16(b[i:]))
		}
	case 4:
		for i := 0; i+3 < len(b); i += 4 {
			binary.LittleEndian.PutUint32(b[i:], binary.BigEndian.Uint32(b[i:]))
		}
	case 8:
		for i := 0; i+7 < len(b); i += 8 {
			binary.LittleEndian.PutUint64(b[i:], binary.BigEndian.Uint64(b[i:]))
		}
	}
}
