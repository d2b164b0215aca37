// Package mlperflog reads mlperf_log_accuracy.json, the accuracy log LoadGen
// writes, byte for byte as MLPerf's accuracy scripts read it: a leaf the
// scorers (models/accuracy/...) share.
//
// A log entry is {"seq_id": n, "qsl_idx": i, "data": "<hex>"}; data is the
// SUT's response bytes in hex, upper or lower case, with ASCII whitespace
// allowed between bytes as Python's bytes.fromhex allows it. Malformed JSON,
// a missing key, a negative qsl_idx or malformed hex is an error wrapping
// [ErrMalformedLog] that names the file and the entry. Scorers report a
// qsl_idx outside the ground truth with [ErrUnknownSample].
//
// The reader is a hand-written streaming scanner rather than encoding/json:
// on a 256 MB 3D-UNet log it reads 416 MB/s against encoding/json's 55 MB/s
// (BenchmarkScanLog), and it holds one entry at a time.
package mlperflog

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/gotrt/gotrt/internal/bounded"
)

// Sentinel errors shared by the scorers.
var (
	// ErrMalformedLog: the accuracy log is not a JSON array of entries with
	// seq_id, qsl_idx and hex data.
	ErrMalformedLog = errors.New("malformed accuracy log")
	// ErrUnknownSample: an entry's qsl_idx has no ground truth.
	ErrUnknownSample = errors.New("sample not in the ground truth")
	// ErrEmptyLog: the log holds no entries, so there is nothing to score.
	ErrEmptyLog = errors.New("accuracy log has no entries")
)

// Record is one entry of mlperf_log_accuracy.json: the sample's QSL index and
// the raw response bytes the SUT returned for it.
type Record struct {
	SeqID  uint64
	QSLIdx int
	Data   []byte
}

// ReadLog reads an accuracy log in file order. Malformed JSON or hex is an
// error naming the file and the entry.
func ReadLog(path string) ([]Record, error) {
	var out []Record
	err := ScanLog(path, func(_ int, r Record) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// ScanLog calls fn for each entry of the log at path, in file order, with
// the entry's position, holding one decoded entry at a time: the way to read
// logs whose responses are large (3D-UNet's are 64 MB each). Each Record's
// Data is a fresh slice that fn may keep. An error from fn stops the scan and
// is returned as is.
//
// The log is parsed by a streaming scanner, not encoding/json, with the same
// result: keys in any order and matched as encoding/json matches them
// (case-insensitively), unknown keys skipped, a key given twice taking its
// last value, null meaning absent; data is decoded from hex as it is read,
// into a slice sized from the string's length when the string fits in the
// read buffer (or from the previous entry's size when it does not).
func ScanLog(path string, fn func(entry int, r Record) error) error {
	// Only a regular file: a named pipe would block, a device never end.
	f, st, err := bounded.OpenRegular(path, "accuracy log")
	if err != nil {
		return fmt.Errorf("read accuracy log: %w", err)
	}
	defer f.Close()
	size := int(min(st.Size()+1, maxBuf))
	return scan(path, f, size, fn)
}

// lookAhead is the ReaderAt of a log read from offset 0, through which the
// scanner finds how long a data string that overflows its buffer is.
type lookAhead interface {
	io.Reader
	io.ReaderAt
}

// DecodeLog is ScanLog over a reader; name labels errors.
func DecodeLog(name string, r io.Reader, fn func(entry int, r Record) error) error {
	size := maxBuf
	if l, ok := r.(interface{ Len() int }); ok {
		size = min(l.Len()+1, maxBuf)
	}
	return scan(name, r, size, fn)
}

const (
	// maxBuf is the read buffer size: big enough that every entry but
	// 3D-UNet's fits in it, so its data slice is sized exactly.
	maxBuf = 4 << 20
	minBuf = 512
	// maxDepth is encoding/json's nesting limit, applied to skipped values.
	maxDepth = 10000
)

// scanner is a byte-level JSON reader over a refillable buffer, specialised
// for the accuracy log's one shape.
type scanner struct {
	name     string
	r        io.Reader
	buf      []byte
	pos, end int
	base     int64 // offset in the stream of buf[0]
	rerr     error // sticky error of r (io.EOF at the end)
	readFrom int64 // offset of r when the scan began (-1: unknown)

	entry    int   // entry being parsed; -1 outside entries
	qsl      int64 // qsl_idx of the entry once known; -1 before
	lastData int   // length of the previous entry's data: a size hint
	key, num []byte
}

// FromHex decodes hex as Python's bytes.fromhex does: pairs of hex digits in
// either case, with ASCII whitespace allowed between (not inside) pairs.
func FromHex(s string) ([]byte, error) {
	out := make([]byte, len(s)/2)
	n, err := hex.Decode(out, []byte(s))
	if err == nil {
		return out[:n], nil
	}
	// Slow path: whitespace between pairs.
	out = out[:0]
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
			i++
			continue
		}
		if i+1 >= len(s) {
			return nil, fmt.Errorf("odd digit at position %d", i)
		}
		hi, ok1 := unhex(c)
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("non-hex character at position %d", i)
		}
		out = append(out, hi<<4|lo)
		i += 2
	}
	return out, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
