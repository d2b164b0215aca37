package mlperflog_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
)

func writeLog(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "mlperf_log_accuracy.json")
	require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
	return p
}

func TestReadLog(t *testing.T) {
	p := writeLog(t, `[
{"seq_id" : 7, "qsl_idx" : 3, "data" : "0A0b"},
{"seq_id" : 8, "qsl_idx" : 0, "data" : ""},
{"qsl_idx" : 3, "data" : "01 02\n03"}
]`)
	recs, err := mlperflog.ReadLog(p)
	require.NoError(t, err)
	require.Len(t, recs, 3)
	assert.Equal(t, mlperflog.Record{SeqID: 7, QSLIdx: 3, Data: []byte{0x0a, 0x0b}}, recs[0])
	assert.Equal(t, mlperflog.Record{SeqID: 8, QSLIdx: 0, Data: []byte{}}, recs[1])
	assert.Equal(t, []byte{1, 2, 3}, recs[2].Data, "whitespace between bytes, as bytes.fromhex allows")
}

func TestReadLogErrors(t *testing.T) {
	tests := []struct {
		description, content, wantIn string
	}{
		{"odd hex", `[{"seq_id":0,"qsl_idx":1,"data":"abc"}]`, "entry 0"},
		{"non-hex", `[{"seq_id":0,"qsl_idx":1,"data":"00"},{"seq_id":1,"qsl_idx":2,"data":"zz"}]`, "entry 1: malformed accuracy log: qsl_idx 2"},
		{"space inside a byte", `[{"seq_id":0,"qsl_idx":1,"data":"0 a"}]`, "entry 0"},
		{"missing data", `[{"seq_id":0,"qsl_idx":1}]`, "entry 0"},
		{"missing qsl_idx", `[{"seq_id":0,"data":"00"}]`, "entry 0"},
		{"negative qsl_idx", `[{"seq_id":0,"qsl_idx":-1,"data":"00"}]`, "negative qsl_idx"},
		{"float qsl_idx", `[{"seq_id":0,"qsl_idx":1.5,"data":"00"}]`, "entry 0"},
		{"not an array", `{"seq_id":0}`, "not a JSON array"},
		{"truncated", `[{"seq_id":0,"qsl_idx":1,"data":"00"}`, "unterminated"},
		{"trailing garbage", `[] []`, "after the array"},
		{"empty file", ``, "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			p := writeLog(t, tc.content)
			_, err := mlperflog.ReadLog(p)
			require.ErrorIs(t, err, mlperflog.ErrMalformedLog)
			assert.Contains(t, err.Error(), p)
			assert.Contains(t, err.Error(), tc.wantIn)
		})
	}
	_, err := mlperflog.ReadLog(filepath.Join(t.TempDir(), "none.json"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestScanLogStopsOnCallbackError(t *testing.T) {
	p := writeLog(t, `[{"seq_id":0,"qsl_idx":1,"data":"00"},{"seq_id":1,"qsl_idx":2,"data":"00"}]`)
	stop := fmt.Errorf("stop")
	n := 0
	err := mlperflog.ScanLog(p, func(int, mlperflog.Record) error { n++; return stop })
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)
}

func TestFromHexMatchesFastPath(t *testing.T) {
	b, err := mlperflog.FromHex(strings.Repeat("fF", 1000))
	require.NoError(t, err)
	assert.Len(t, b, 1000)
	assert.Equal(t, byte(0xff), b[999])
}

func ExampleReadLog() {
	dir, _ := os.MkdirTemp("", "acc")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "mlperf_log_accuracy.json")
	_ = os.WriteFile(p, []byte(`[{"seq_id": 0, "qsl_idx": 42, "data": "41000000"}]`), 0o644)
	recs, err := mlperflog.ReadLog(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(recs[0].QSLIdx, recs[0].Data)
	// Output: 42 [65 0 0 0]
}

func TestReadLogErrorsNameTheEntry(t *testing.T) {
	tests := []struct {
		description, content string
		wantIn               []string
	}{
		{"truncated inside data", `[{"seq_id":0,"qsl_idx":4,"data":"00"},{"qsl_idx":9,"data":"0011`,
			[]string{"entry 1", "qsl_idx 9", "truncated string", "unexpected end of file"}},
		{"hex error, qsl_idx after data", `[{"data":"00x1","qsl_idx":5}]`,
			[]string{"entry 0", "qsl_idx 5", "bad hex data: non-hex character at position 2"}},
		{"odd digit with escapes", `[{"qsl_idx":5,"data":"00\n\u0041"}]`,
			[]string{"entry 0", "qsl_idx 5", "odd digit at position 3"}},
		{"syntax error offset", `[{"qsl_idx":5,"data":"00"} x]`,
			[]string{"invalid character 'x' at byte 27", "after entry 0"}},
		{"bad escape", `[{"qsl_idx":5,"data":"\q"}]`, []string{"entry 0", "invalid escape"}},
		{"raw control character", "[{\"qsl_idx\":5,\"data\":\"00\x01\"}]", []string{"entry 0", "control character"}},
		{"bad unknown value", `[{"qsl_idx":5,"x":[1,{"a":tru}],"data":"00"}]`, []string{"entry 0", "qsl_idx 5", "literal true"}},
		{"leading zero", `[{"qsl_idx":01,"data":"00"}]`, []string{"entry 0"}},
		{"string qsl_idx", `[{"qsl_idx":"1","data":"00"}]`, []string{"entry 0", "qsl_idx is not a number"}},
		{"seq_id negative", `[{"seq_id":-1,"qsl_idx":1,"data":"00"}]`, []string{"entry 0", "seq_id -1 is not an integer"}},
		{"data is a number", `[{"qsl_idx":1,"data":12}]`, []string{"entry 0", "data is not a string"}},
		{"null data", `[{"qsl_idx":1,"data":null}]`, []string{"entry 0", "lacks data"}},
		{"null entry", `[null]`, []string{"entry 0", "lacks qsl_idx and data"}},
		{"array entry", `[[1,2]]`, []string{"entry 0", "not a JSON object"}},
		{"trailing comma", `[{"qsl_idx":1,"data":"00"},]`, []string{"entry 1", "expected a value"}},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			p := writeLog(t, tc.content)
			_, err := mlperflog.ReadLog(p)
			require.ErrorIs(t, err, mlperflog.ErrMalformedLog)
			assert.Contains(t, err.Error(), "accuracy log "+p+": ")
			for _, w := range tc.wantIn {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestReadLogJSONSemantics(t *testing.T) {
	p := writeLog(t, " \r\n[ { \"x\" : {\"a\":[1,-2.5e+3,\"q\\\"}\",true,false,null,{}]} ,\n"+
		`"DATA":"ff", "data" : "0A\u0020\u0030b\t0c" , "Qſl_idx": 2, "seq_id": 18446744073709551615 },`+
		`{"qsl_idx": 3, "qsl_idx": 4, "seq_id": null, "d\u0061ta": "A0", "data": "B1", "\u0064ata": "c2"}] `)
	recs, err := mlperflog.ReadLog(p)
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, mlperflog.Record{SeqID: 1<<64 - 1, QSLIdx: 2, Data: []byte{0x0a, 0x0b, 0x0c}}, recs[0])
	assert.Equal(t, mlperflog.Record{QSLIdx: 4, Data: []byte{0xc2}}, recs[1], "last key wins, escaped keys match")

	// A bad first data value does not count when a later one replaces it,
	// as with encoding/json.
	p = writeLog(t, `[{"qsl_idx":1,"data":"zz","data":"01"}]`)
	recs, err = mlperflog.ReadLog(p)
	require.NoError(t, err)
	assert.Equal(t, []byte{1}, recs[0].Data)
}

func TestDecodeLogReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader(`[{"qsl_idx":1,"data":"00`), iotest.ErrReader(boom))
	err := mlperflog.DecodeLog("x.json", r, func(int, mlperflog.Record) error { return nil })
	require.ErrorIs(t, err, boom)
	assert.NotErrorIs(t, err, mlperflog.ErrMalformedLog)
	assert.Contains(t, err.Error(), "accuracy log x.json: entry 0: read at byte 24")
}

func TestDecodeLogDataIsNotShared(t *testing.T) {
	var recs []mlperflog.Record
	err := mlperflog.DecodeLog("x", strings.NewReader(`[{"qsl_idx":1,"data":"0102"},{"qsl_idx":2,"data":"0304"}]`),
		func(_ int, r mlperflog.Record) error { recs = append(recs, r); return nil })
	require.NoError(t, err)
	assert.Equal(t, []byte{1, 2}, recs[0].Data)
	assert.Equal(t, []byte{3, 4}, recs[1].Data)
	assert.Equal(t, 2, cap(recs[0].Data), "sized from the hex length")
}

// refDecode is the encoding/json reader the scanner replaced: the oracle.
func refDecode(name string, r io.Reader, fn func(int, mlperflog.Record) error) error {
	type rawRecord struct {
		SeqID  *uint64 `json:"seq_id"`
		QSLIdx *int    `json:"qsl_idx"`
		Data   *string `json:"data"`
	}
	dec := json.NewDecoder(r)
	bad := func(entry int, format string, args ...any) error {
		where := "accuracy log " + name
		if entry >= 0 {
			where += fmt.Sprintf(": entry %d", entry)
		}
		return fmt.Errorf("%s: %w: %s", where, mlperflog.ErrMalformedLog, fmt.Sprintf(format, args...))
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
		data, err := mlperflog.FromHex(*raw.Data)
		if err != nil {
			return bad(i, "qsl_idx %d: bad hex data: %v", idx, err)
		}
		rec := mlperflog.Record{QSLIdx: idx, Data: data}
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

// genLog writes a random log: mostly valid, with the corners of JSON and of
// bytes.fromhex that the scanner must get right.
func genLog(rng *rand.Rand) string {
	clean := rng.IntN(2) == 0 // only what encoding/json and bytes.fromhex accept
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	maybe := func(n int) bool { return !clean && rng.IntN(n) == 0 }
	ws := func() string {
		if rng.IntN(3) > 0 {
			return ""
		}
		return pick(" ", "\n", "\t", "\r\n  ")
	}
	var value func(depth int) string
	value = func(depth int) string {
		switch n := rng.IntN(9); {
		case n == 0 && depth < 3:
			var parts []string
			for range rng.IntN(3) {
				parts = append(parts, ws()+value(depth+1)+ws())
			}
			return "[" + strings.Join(parts, ",") + "]"
		case n == 1 && depth < 3:
			var parts []string
			for range rng.IntN(3) {
				parts = append(parts, ws()+`"`+pick("k", "data", `d\"`, "")+`"`+ws()+":"+ws()+value(depth+1)+ws())
			}
			return "{" + strings.Join(parts, ",") + "}"
		case n == 2:
			return `"` + pick("", "plain", `esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00`, "}],", "ü") + `"`
		case n == 3:
			return pick("true", "false", "null")
		}
		return pick("0", "-0", "12", "-3", "1.5", "2e3", "-0.25E-2", "18446744073709551615", "9223372036854775808")
	}
	hexData := func() string {
		var b strings.Builder
		for i := range rng.IntN(12) {
			if i > 0 && rng.IntN(6) == 0 {
				b.WriteString(pick(" ", `\n`, `\t`, `\r`, `\f`, `\u000b`, `\u0020`, "  "))
			}
			for range 2 {
				d := "0123456789abcdefABCDEF"[rng.IntN(22)]
				if rng.IntN(20) == 0 {
					fmt.Fprintf(&b, `\u%04x`, d)
				} else {
					b.WriteByte(d)
				}
			}
		}
		if maybe(20) {
			b.WriteString(pick("g", "0", " 0", "0 0", `\u00e9`, "é", `\"`, " "))
		}
		return `"` + b.String() + `"`
	}
	var entries []string
	for range rng.IntN(6) {
		var kv []string
		add := func(k, v string) { kv = append(kv, ws()+`"`+k+`"`+ws()+":"+ws()+v+ws()) }
		if !maybe(8) {
			add(pick("qsl_idx", "qsl_idx", "qsl_idx", "QSL_IDX", `q\u017fl_idx`, "qsl_id"), strconv.Itoa(rng.IntN(2000)))
		}
		if !maybe(10) {
			add(pick("data", "data", "data", "Data", `\u0064ata`), hexData())
		}
		if rng.IntN(2) == 0 {
			add(pick("seq_id", "SEQ_ID"), strconv.Itoa(rng.IntN(100)))
		}
		for range rng.IntN(3) {
			k := pick("x", "x", "x", "qsl_idx", "data", "seq_id", "extra")
			switch k {
			case "data":
				if clean {
					add(k, hexData())
				} else {
					add(k, pick(hexData(), "null", "5"))
				}
			case "qsl_idx", "seq_id":
				if clean {
					add(k, pick("7", "8", "0"))
				} else {
					add(pick(k, "qsl_id"), pick("null", "-1", "1.0", "1e2", `"3"`, "-0", "7"))
				}
			default:
				add(k, value(0))
			}
		}
		rng.Shuffle(len(kv), func(i, j int) { kv[i], kv[j] = kv[j], kv[i] })
		entries = append(entries, ws()+"{"+strings.Join(kv, ",")+"}"+ws())
	}
	return ws() + "[" + strings.Join(entries, ",") + "]" + ws()
}

func mutate(rng *rand.Rand, s string) string {
	if s == "" {
		return s
	}
	const chars = `{}[],:"\ 0aZ-.e` + "\x01\xff"
	i := rng.IntN(len(s))
	switch rng.IntN(4) {
	case 0:
		return s[:i]
	case 1:
		return s[:i] + string(chars[rng.IntN(len(chars))]) + s[i+1:]
	case 2:
		return s[:i] + string(chars[rng.IntN(len(chars))]) + s[i:]
	}
	return s[:i] + s[i+1:]
}

var entryRE = regexp.MustCompile(`: entry (\d+):`)

// checkAgainstRef decodes log with both readers and requires the same
// records and, on error, an error of the same kind.
func checkAgainstRef(t *testing.T, log string, oneByte bool) {
	t.Helper()
	var want, got []mlperflog.Record
	werr := refDecode("l.json", strings.NewReader(log), func(_ int, r mlperflog.Record) error { want = append(want, r); return nil })
	var r io.Reader = strings.NewReader(log)
	if oneByte {
		r = iotest.OneByteReader(r)
	}
	gerr := mlperflog.DecodeLog("l.json", r, func(_ int, r mlperflog.Record) error { got = append(got, r); return nil })
	require.Equal(t, want, got, "log %q", log)
	if werr == nil {
		require.NoError(t, gerr, "log %q", log)
		return
	}
	require.Error(t, gerr, "log %q: want %v", log, werr)
	require.ErrorIs(t, gerr, mlperflog.ErrMalformedLog, "log %q", log)
	if strings.Contains(werr.Error(), "bad hex data") || strings.Contains(werr.Error(), "negative qsl_idx") {
		require.Equal(t, werr.Error(), gerr.Error(), "log %q", log)
	}
	if m := entryRE.FindString(werr.Error()); m != "" && !strings.Contains(werr.Error(), "after array element") &&
		!strings.Contains(werr.Error(), "looking for beginning of value") {
		require.Contains(t, gerr.Error(), m, "log %q: want %v", log, werr)
	}
}

func TestDecodeLogMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	valid, invalid, n := 0, 0, 10000
	if testing.Short() {
		n = 2000
	}
	for i := range n {
		log := genLog(rng)
		if i%3 == 2 {
			log = mutate(rng, log)
		}
		checkAgainstRef(t, log, i%5 == 0)
		if refDecode("", strings.NewReader(log), func(int, mlperflog.Record) error { return nil }) == nil {
			valid++
		} else {
			invalid++
		}
	}
	t.Logf("%d valid and %d invalid logs", valid, invalid)
	assert.Greater(t, valid, n*3/10, "the generator must make many valid logs")
	assert.Greater(t, invalid, n*3/10)
}

func FuzzDecodeLog(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		f.Add(genLog(rng))
	}
	f.Add(`[{"qsl_idx":1,"data":"0 1"}]`)
	f.Fuzz(func(t *testing.T, log string) {
		checkAgainstRef(t, log, len(log)%2 == 0)
	})
}

// Responses bigger than the read buffer (3D-UNet's): decoded across reads,
// the first sized by reading ahead, the later ones from the previous size.
func TestScanLogBigEntries(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	sizes := []int{5 << 20, 3 << 20, 6<<20 + 1, 1}
	var want [][]byte
	var b strings.Builder
	b.WriteString("[")
	for i, n := range sizes {
		d := make([]byte, n)
		for j := range d {
			d[j] = byte(rng.Uint32())
		}
		want = append(want, d)
		h := hex.EncodeToString(d)
		if i == 1 {
			h = strings.ToUpper(h[:len(h)/2]) + " \\n" + h[len(h)/2:]
		}
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"qsl_idx":%d,"data":"%s"}`, i, h)
	}
	b.WriteString("]")
	p := writeLog(t, b.String())

	recs, err := mlperflog.ReadLog(p)
	require.NoError(t, err)
	require.Len(t, recs, len(sizes))
	for i, r := range recs {
		assert.True(t, bytes.Equal(want[i], r.Data), "entry %d", i)
	}
	assert.Equal(t, len(want[0]), cap(recs[0].Data), "the first big response is sized exactly")

	// A reader that is not a file: decoded the same, sizes from growth.
	var got [][]byte
	err = mlperflog.DecodeLog("pipe", io.MultiReader(strings.NewReader(b.String())), func(_ int, r mlperflog.Record) error {
		got = append(got, r.Data)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, got, len(sizes))
	for i := range got {
		assert.True(t, bytes.Equal(want[i], got[i]), "entry %d", i)
	}

	// Truncated inside the big data of entry 2.
	p = writeLog(t, b.String()[:len(b.String())-100])
	_, err = mlperflog.ReadLog(p)
	require.ErrorIs(t, err, mlperflog.ErrMalformedLog)
	assert.Contains(t, err.Error(), "entry 2: malformed accuracy log: qsl_idx 2: truncated string: unexpected end of file")
}
