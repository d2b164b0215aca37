// Package npy reads and writes NumPy .npy files in bulk: the header is parsed,
// then the whole data block is read with one read into a buffer the caller
// provides (or a new one), so a data set can land directly in memory that a
// GPU layer pins.
//
// Format versions 1.0, 2.0 and 3.0 are read; every numeric dtype (signed and
// unsigned integers, float16/32/64, complex64/128) and bool; little- and
// big-endian data, which is converted to the host's byte order unless the
// caller asks to keep it; C and Fortran order (the order is reported, the
// bytes are left as stored).
//
// Errors name the file. Callers branch on the sentinels: [ErrBadMagic],
// [ErrBadHeader], [ErrUnsupportedDType] (object, string, structured and
// datetime dtypes) and [ErrTruncated] (data shorter than the header claims).
package npy
