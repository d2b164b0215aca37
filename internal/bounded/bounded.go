// Package bounded reads input files of a checked kind with a size limit
// and quotes bad values short, so that no file a user names (a settings
// file, a truth file, a vocabulary, /dev/zero or a named pipe by mistake)
// can block the program, exhaust its memory, or make a huge error message.
// Only regular files (or links to them) are opened ([ErrNotRegular]); a
// file over its kind's limit is refused from its size, before it is read
// ([ErrTooLarge]).
package bounded

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
)

// ErrTooLarge is wrapped when a file is over its limit; the message names
// the file, what it is and the limit.
var ErrTooLarge = errors.New("file too large")

// ErrNotRegular is wrapped when a path names something other than a
// regular file (a named pipe, a device, a socket, a folder): reading one
// may block for ever or never end. The message names the file and its kind.
var ErrNotRegular = errors.New("not a regular file")

// Limits of the files gotrt reads whole. Each is far above any real file
// of its kind (mlperf.conf is 10 KB, val_map.txt 1.5 MB, BERT's vocab.txt
// 230 KB, SQuAD's dev-v1.1.json 5 MB, COCO's instances_val2017.json 25 MB).
const (
	SettingsLimit    = 1 << 20   // mlperf.conf, user.conf
	DataMapLimit     = 64 << 20  // val_map.txt, cases.txt
	VocabLimit       = 16 << 20  // vocab.txt
	SQuADLimit       = 256 << 20 // dev-v1.1.json, predictions
	AnnotationsLimit = 128 << 20 // COCO instances JSON (decoding costs some 15 times its size)
	ResultLimit      = 16 << 20  // result.json (a find-peak run's is under 1 MB; decoding "extra" costs several times its size)
	CalibrationLimit = 16 << 20  // TensorRT INT8 calibration cache
	PlanLimit        = 64 << 30  // a serialized TensorRT engine (the largest MLPerf plans are a few GiB)
)

// ReadFile reads the file at path whole, refusing with ErrTooLarge more
// than limit bytes: what names the kind of file in the error ("settings
// file"). It reads at most limit+1 bytes, so a device such as /dev/zero
// fails at once.
// Only a regular file (or a link to one) is read; anything else wraps
// [ErrNotRegular] at once.
func ReadFile(path, what string, limit int64) ([]byte, error) {
	f, st, err := OpenRegular(path, what)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > limit {
		// Known from its size: refused without reading (a sparse file of
		// 1 GB reads as 1 GB of zeros).
		return nil, tooLarge(path, what, limit)
	}
	return ReadAll(f, path, what, limit)
}

// OpenRegular opens path for reading if it is a regular file (or a link to
// one), and returns it with its FileInfo; anything else is an error
// wrapping [ErrNotRegular] that names the file, what it is for and its
// kind. The kind is checked before opening, and the file is opened
// without blocking (a named pipe put there in between does not hang the
// open) and checked again once open.
func OpenRegular(path, what string) (*os.File, os.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err // *PathError names the file
	}
	if !st.Mode().IsRegular() {
		return nil, nil, notRegular(path, what, st.Mode())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err = f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, notRegular(path, what, st.Mode())
	}
	return f, st, nil
}

// CheckRegular reports, as OpenRegular, whether path names a regular file
// (or a link to one), for readers that open it later themselves.
func CheckRegular(path, what string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return notRegular(path, what, st.Mode())
	}
	return nil
}

func notRegular(path, what string, m os.FileMode) error {
	kind := "not a plain file"
	switch {
	case m.IsDir():
		kind = "a folder"
	case m&os.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&os.ModeSocket != 0:
		kind = "a socket"
	case m&os.ModeCharDevice != 0:
		kind = "a character device"
	case m&os.ModeDevice != 0:
		kind = "a device"
	}
	return fmt.Errorf("%s: %w: it is %s; %s must be a regular file", path, ErrNotRegular, kind, article(what))
}

// article puts "a" or "an" before what.
func article(what string) string {
	if what != "" && strings.ContainsRune("aeiouAEIOU", rune(what[0])) {
		return "an " + what
	}
	return "a " + what
}

// ReadAll reads r whole as ReadFile does; name names it in errors.
func ReadAll(r io.Reader, name, what string, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(name, what, limit)
	}
	return b, nil
}

// Open opens path for reading as a stream whose reads fail with
// ErrTooLarge once more than limit bytes have been read.
// Only a regular file is opened, as with [ReadFile].
func Open(path, what string, limit int64) (io.ReadCloser, error) {
	f, st, err := OpenRegular(path, what)
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		f.Close()
		return nil, tooLarge(path, what, limit)
	}
	return &reader{f: f, name: path, what: what, limit: limit}, nil
}

type reader struct {
	f           *os.File
	name, what  string
	limit, read int64
}

func (r *reader) Read(p []byte) (int, error) {
	if r.read > r.limit {
		return 0, tooLarge(r.name, r.what, r.limit)
	}
	if room := r.limit + 1 - r.read; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := r.f.Read(p)
	r.read += int64(n)
	if r.read > r.limit {
		return n, tooLarge(r.name, r.what, r.limit)
	}
	return n, err
}

func (r *reader) Close() error { return r.f.Close() }

func tooLarge(name, what string, limit int64) error {
	return fmt.Errorf("%w: %s: more than %s, the most %s may have", ErrTooLarge, name, size(limit), article(what))
}

func size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// QuoteLen is the most of a value Quote keeps.
const QuoteLen = 64

// Quote returns s, or its first QuoteLen bytes (cut on a UTF-8 boundary)
// and its length when it is longer: for error messages about a user's
// value, which may be a whole file on one line.
func Quote(s string) string {
	if len(s) <= QuoteLen {
		return s
	}
	i := QuoteLen
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:i], len(s))
}

// DecodeJSON decodes the JSON file at path into v as a stream, refusing
// more than limit bytes: a file that is not JSON fails at its first bad
// byte without being read whole, and a huge one at the limit. Data after
// the value is an error, as with json.Unmarshal. Errors name the file.
func DecodeJSON(path, what string, limit int64, v any) error {
	f, err := Open(path, what, limit)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return err
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%s: unexpected end of JSON input: %w", path, io.ErrUnexpectedEOF)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if errors.Is(err, ErrTooLarge) {
			return err
		}
		return fmt.Errorf("%s: data after the JSON value at offset %d", path, dec.InputOffset())
	}
	return nil
}
