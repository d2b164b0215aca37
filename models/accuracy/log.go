package accuracy

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
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

type rawRecord struct {
	SeqID  *uint64 `json:"seq_id"`
	QSLIdx *int    `json:"qsl_idx"`
	Data   *string `json:"data"`
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
// logs whose responses are large (3D-UNet's are 64 MB each). An error from
// fn stops the scan and is returned as is.
func ScanLog(path string, fn func(entry int, r Record) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read accuracy log: %w", err)
	}
	defer f.Close()
	return scan(path, bufio.NewReaderSize(f, 1<<20), fn)
}

// DecodeLog is ScanLog over a reader; name labels errors.
func DecodeLog(name string, r io.Reader, fn func(entry int, r Record) error) error {
	return scan(name, r, fn)
}

func scan(path string, r io.Reader, fn func(int, Record) error) error {
	dec := json.NewDecoder(r)
	bad := func(entry int, format string, args ...any) error {
		where := "accuracy log " + path
		if entry >= 0 {
			where += fmt.Sprintf(": entry %d", entry)
		}
		return fmt.Errorf("%s: %w: %s", where, ErrMalformedLog, fmt.Sprintf(format, args...))
	}
	tok, err := dec.Token()
	if err != nil {
		return bad(-1, "%v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return bad(-1, "not a JSON array")
	}
	for i := 0; dec.More(); i++ {
		var raw rawRecord
		if err := dec.Decode(&raw); err != nil {
			return bad(i, "%v", err)
		}
		if raw.QSLIdx == nil || raw.Data == nil {
			return bad(i, "lacks qsl_idx or data")
		}
		idx := *raw.QSLIdx
		if idx < 0 {
			return bad(i, "negative qsl_idx %d", idx)
		}
		data, err := FromHex(*raw.Data)
		if err != nil {
			return bad(i, "qsl_idx %d: bad hex data: %v", idx, err)
		}
		rec := Record{QSLIdx: idx, Data: data}
		if raw.SeqID != nil {
			rec.SeqID = *raw.SeqID
		}
		if err := fn(i, rec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return bad(-1, "unterminated array: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad(-1, "data after the array")
	}
	return nil
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
