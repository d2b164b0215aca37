package squad

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
)

const testVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\na\nan\ncat\nsat\non\nmat\n,\n.\n'\ns\nwhat\ndid\nwho\nwhere\n?\nbig\ndog\nran\nto\npark\nun\n##aff\n##able\nrunn\n##ing\n"

func TestBasicTokenize(t *testing.T) {
	for _, tc := range []struct {
		description string
		text        string
		lower       bool
		want        []string
	}{
		{"punctuation splits", "Hello, world!", true, []string{"hello", ",", "world", "!"}},
		{"accents are stripped after lower-casing", "Héllo Wörld Ça", true, []string{"hello", "world", "ca"}},
		{"cased keeps accents", "Héllo", false, []string{"Héllo"}},
		{"CJK ideographs stand alone", "ab中文cd", true, []string{"ab", "中", "文", "cd"}},
		{"controls dropped, Zs is a space", "x\u00a0y\x00z\u200bw", true, []string{"x", "yzw"}},
		{"ASCII symbols count as punctuation", "a$b+c", true, []string{"a", "$", "b", "+", "c"}},
		{"final sigma", "ΟΔΟΣ ΣΑ", true, []string{"οδος", "σα"}},
		{"Hangul decomposes into jamo", "한", true, []string{"\u1112\u1161\u11ab"}},
		{"dotted capital I", "İs", true, []string{"is"}},
	} {
		t.Run(tc.description, func(t *testing.T) {
			assert.Equal(t, tc.want, BasicTokenize(tc.text, tc.lower))
		})
	}
}

func testTokenizer(t *testing.T) *Tokenizer {
	p := filepath.Join(t.TempDir(), "vocab.txt")
	require.NoError(t, os.WriteFile(p, []byte(testVocab), 0o644))
	v, err := LoadVocab(p)
	require.NoError(t, err)
	return &Tokenizer{Vocab: v, LowerCase: true}
}

func TestWordpiece(t *testing.T) {
	tok := testTokenizer(t)
	assert.Equal(t, []string{"un", "##aff", "##able", "runn", "##ing", ",", "[UNK]"}, tok.Tokenize("Unaffable running, xyz"))
	// "unaffx": the greedy split fails after "##aff", so the whole word is [UNK].
	assert.Equal(t, []string{"the", "[UNK]", "the"}, tok.Tokenize("the unaffx the"))
	long := strings.Repeat("a", 101)
	assert.Equal(t, []string{"[UNK]"}, tok.Tokenize(long))
}

func TestNormalizeAnswer(t *testing.T) {
	for in, want := range map[string]string{
		"The  Cat's, an apple!": "cats apple",
		"banana a":              "banana",
		"a-team":                "ateam",
		"Théa an":               "théa",
		"the_end":               "theend",
		"anthem":                "anthem",
		"  ":                    "",
	} {
		assert.Equal(t, want, NormalizeAnswer(in), in)
	}
}

func TestTokenF1(t *testing.T) {
	// "big cat" vs "cat": 1 common token, precision 1/2, recall 1.
	assert.InDelta(t, 2.0/3, tokenF1(normalizeAnswer("the big cat"), normalizeAnswer("a cat")), 1e-15)
	// Multiset: "cat cat dog" vs "cat dog dog": 2 common of 3 each.
	assert.InDelta(t, 2.0/3, tokenF1("cat cat dog", "cat dog dog"), 1e-15)
	assert.Equal(t, 0.0, tokenF1("", ""))
}

func TestFinalText(t *testing.T) {
	assert.Equal(t, "Steve Smith", FinalText("steve smith", "Steve Smith's", true))
	assert.Equal(t, "the mat.", FinalText("the mat .", "the mat.", true))
	assert.Equal(t, "Héllo", FinalText("hello", "Héllo)", true))
	// Not found: the original text is returned.
	assert.Equal(t, "Steve Smith's", FinalText("bob", "Steve Smith's", true))
}

// The fixture paragraph splits into 18 WordPieces:
//
//	0 the 1 cat 2 sat 3 on 4 the 5 mat 6 . 7 a 8 big 9 dog 10 ran 11 to
//	12 the 13 park 14 ' 15 s 16 [UNK] 17 .
//
// With MaxSeqLength 20 and DocStride 4, q1 (6 query tokens, 11 doc tokens a
// window) has windows [0,10], [4,14], [8,17] (features 0-2); q2 (3 query
// tokens) [0,13], [4,17] (3-4); q3 (7 query tokens) [0,9], [4,13], [8,17]
// (5-7).
const testDev = `{"version": "1.1", "data": [{"title": "t", "paragraphs": [{
  "context": "The cat sat on the mat. A big dog ran to the park's gate.",
  "qas": [
    {"id": "q1", "question": "Where did the dog run?", "answers": [{"text": "park's gate", "answer_start": 45}, {"text": "the park", "answer_start": 41}]},
    {"id": "q2", "question": "Who sat?", "answers": [{"text": "The cat", "answer_start": 0}]},
    {"id": "q3", "question": "What did the cat sat on?", "answers": [{"text": "mat.", "answer_start": 19}]}
  ]}]}]}`

func testOpts() Options {
	o := DefaultOptions()
	o.MaxSeqLength, o.DocStride = 20, 4
	return o
}

// logitsRec writes 20 (start, end) float32 pairs, -10 except the given
// positions.
func logitsRec(idx int, start, end map[int]float32) mlperflog.Record {
	var b []byte
	for i := 0; i < 20; i++ {
		s, ok := start[i]
		if !ok {
			s = -10
		}
		e, ok := end[i]
		if !ok {
			e = -10
		}
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(s))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(e))
	}
	return mlperflog.Record{QSLIdx: idx, Data: b}
}

func writeFixture(t *testing.T) (dev, vocab string) {
	dir := t.TempDir()
	dev, vocab = filepath.Join(dir, "dev-v1.1.json"), filepath.Join(dir, "vocab.txt")
	require.NoError(t, os.WriteFile(dev, []byte(testDev), 0o644))
	require.NoError(t, os.WriteFile(vocab, []byte(testVocab), 0o644))
	return dev, vocab
}

func TestFeaturesWindowsAndMaxContext(t *testing.T) {
	dev, _ := writeFixture(t)
	d, err := LoadDataset(dev)
	require.NoError(t, err)
	feats, err := Features(d.Examples(), testTokenizer(t), testOpts())
	require.NoError(t, err)
	require.Len(t, feats, 8)
	assert.Equal(t, []int{0, 0, 0, 1, 1, 2, 2, 2}, []int{feats[0].ExampleIndex, feats[1].ExampleIndex, feats[2].ExampleIndex, feats[3].ExampleIndex, feats[4].ExampleIndex, feats[5].ExampleIndex, feats[6].ExampleIndex, feats[7].ExampleIndex})
	f := feats[2] // q1, window [8,17]
	assert.Equal(t, []string{"[CLS]", "where", "did", "the", "dog", "[UNK]", "?", "[SEP]", "big", "dog", "ran", "to", "the", "park", "'", "s", "[UNK]", ".", "[SEP]"}, f.Tokens)
	assert.Equal(t, 11, f.TokenToOrig[12]) // "the" of "the park's"
	// WordPiece 12 is in windows [4,14] (min(8,2)+.11) and [8,17]
	// (min(4,5)+.10): the later window has the max context.
	assert.True(t, f.MaxContext[12])
	assert.False(t, feats[1].MaxContext[16])
	assert.Equal(t, -1, f.TokenToOrig[7])
}

func TestScoreFixture(t *testing.T) {
	dev, vocab := writeFixture(t)
	records := []mlperflog.Record{
		// q1: the best raw span (feature 1, positions 16-17) starts where
		// that window lacks max context; feature 2's "the park" wins over
		// feature 0's "the cat".
		logitsRec(0, map[int]float32{8: 4}, map[int]float32{9: 4}),
		logitsRec(1, map[int]float32{16: 10}, map[int]float32{17: 10}),
		logitsRec(2, nil, nil), // replaced by the later record below
		// q2: no records for features 3 and 4 → "empty".
		// q3: "the mat ." → "the mat."
		logitsRec(5, map[int]float32{13: 3}, map[int]float32{15: 3}),
		logitsRec(6, nil, nil),
		logitsRec(7, nil, nil),
		logitsRec(2, map[int]float32{12: 5}, map[int]float32{13: 5}),
	}
	res, err := Score(records, dev, vocab, testOpts())
	require.NoError(t, err)
	assert.Equal(t, 3, res.Questions)
	assert.Equal(t, 8, res.Features)
	assert.Equal(t, 2, res.MissingFeatures)
	assert.Equal(t, 1, res.Duplicates)
	assert.InDelta(t, 200.0/3, res.ExactMatch, 1e-12)
	assert.InDelta(t, 200.0/3, res.F1, 1e-12)

	d, err := LoadDataset(dev)
	require.NoError(t, err)
	ex := d.Examples()
	feats, err := Features(ex, testTokenizer(t), testOpts())
	require.NoError(t, err)
	l := func(r mlperflog.Record) *Logits {
		x, err := decodeLogits(r.Data, 4, testOpts())
		require.NoError(t, err)
		return x
	}
	assert.Equal(t, "the park", Predict(ex[0], feats[0:3], []*Logits{l(records[0]), l(records[1]), l(records[6])}, testOpts()))
	assert.Equal(t, "The cat", Predict(ex[0], feats[0:3], []*Logits{l(records[0]), l(records[1]), l(records[2])}, testOpts()))
	assert.Equal(t, "empty", Predict(ex[1], feats[3:5], []*Logits{nil, nil}, testOpts()))
	assert.Equal(t, "the mat.", Predict(ex[2], feats[5:8], []*Logits{l(records[3]), l(records[4]), l(records[5])}, testOpts()))
}

func TestMaxAnswerLength(t *testing.T) {
	dev, _ := writeFixture(t)
	d, err := LoadDataset(dev)
	require.NoError(t, err)
	ex := d.Examples()
	o := testOpts()
	feats, err := Features(ex, testTokenizer(t), o)
	require.NoError(t, err)
	// Positions 8..17 of feature 0 (WordPieces 0..9) are 10 tokens: allowed
	// at 10, not at 9.
	r := logitsRec(0, map[int]float32{8: 5}, map[int]float32{17: 5, 9: 1})
	lg, err := decodeLogits(r.Data, 4, o)
	require.NoError(t, err)
	o.MaxAnswerLength = 10
	assert.Equal(t, "The cat sat on the mat. A big dog", Predict(ex[0], feats[:1], []*Logits{lg}, o))
	o.MaxAnswerLength = 9
	assert.Equal(t, "The cat", Predict(ex[0], feats[:1], []*Logits{lg}, o))
}

func TestEvaluatePredictions(t *testing.T) {
	dev, _ := writeFixture(t)
	p := filepath.Join(t.TempDir(), "predictions.json")
	// q1 matches the second ground truth exactly; q3 after normalisation;
	// q2 is unanswered and scores 0.
	b, err := json.Marshal(map[string]string{"q1": "The park", "q3": "Mat!", "other": "x"})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	res, err := EvaluatePredictions(dev, p)
	require.NoError(t, err)
	assert.Equal(t, 3, res.Questions)
	assert.Equal(t, 1, res.Unanswered)
	assert.InDelta(t, 200.0/3, res.ExactMatch, 1e-12)

	// Partial credit: "the big park" vs "the park" → "big park"/"park":
	// F1 2/3; vs "park's gate" → "parks gate": 0.
	b, err = json.Marshal(map[string]string{"q1": "the big park", "q2": "cat", "q3": "on the mat"})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	res, err = EvaluatePredictions(dev, p)
	require.NoError(t, err)
	assert.InDelta(t, 100.0/3, res.ExactMatch, 1e-12) // q2: "cat" == "cat"
	assert.InDelta(t, 100*(2.0/3+1+2.0/3)/3, res.F1, 1e-12)
}

func TestDecodeLogits(t *testing.T) {
	o := testOpts()
	var b []byte
	for _, v := range []float32{1, 2, 3, 4, 5, 6} {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	l, err := decodeLogits(b, 4, o)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 3, 5, -10000}, l.Start[:4])
	assert.Equal(t, []float64{2, 4, 6, -10000}, l.End[:4])
	o.OutputTransposed = true
	l, err = decodeLogits(b, 4, o)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 2, 3, -10000}, l.Start[:4])
	assert.Equal(t, []float64{4, 5, 6, -10000}, l.End[:4])
	assert.Equal(t, 1.0, halfToFloat(0x3C00))
	assert.Equal(t, -2.0, halfToFloat(0xC000))
	assert.Equal(t, math.Ldexp(1, -24), halfToFloat(0x0001))
	assert.Equal(t, 65504.0, halfToFloat(0x7BFF))
}

func TestScoreBadInput(t *testing.T) {
	dev, vocab := writeFixture(t)
	nan := logitsRec(0, map[int]float32{3: float32(math.NaN())}, nil)
	long := logitsRec(0, nil, nil)
	long.Data = append(long.Data, make([]byte, 8)...)
	for _, tc := range []struct {
		description string
		records     []mlperflog.Record
		want        string
	}{
		{"empty log", nil, "no records"},
		{"qsl_idx outside the features", []mlperflog.Record{logitsRec(8, nil, nil)}, "log entry 0: qsl_idx 8 outside the 8 features of " + dev},
		{"partial pair", []mlperflog.Record{{QSLIdx: 1, Data: make([]byte, 12)}}, "log entry 0 (qsl_idx 1): 12 bytes is not a whole number of float32"},
		{"longer than the sequence", []mlperflog.Record{long}, "21 positions"},
		{"nan", []mlperflog.Record{nan}, "logit 6 is NaN"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, err := Score(tc.records, dev, vocab, testOpts())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := Score([]mlperflog.Record{logitsRec(0, nil, nil)}, dev, filepath.Join(t.TempDir(), "none.txt"), testOpts())
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = Score([]mlperflog.Record{logitsRec(0, nil, nil)}, dev, vocab, Options{OutputDType: "bfloat16"})
	require.ErrorContains(t, err, `unknown output dtype "bfloat16"`)
}

func TestBestIndexesIsAStableTopN(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for n := 0; n < 200; n++ {
		logits := make([]float64, 1+r.IntN(50))
		for i := range logits {
			logits[i] = float64(r.IntN(6))
		}
		k := 1 + r.IntN(25)
		// Reference: sort all positions stably by descending logit.
		all := make([]int, len(logits))
		for i := range all {
			all[i] = i
		}
		sort.SliceStable(all, func(a, b int) bool { return logits[all[a]] > logits[all[b]] })
		want := all[:min(k, len(all))]
		assert.Equal(t, want, bestIndexes(logits, k, nil), "logits %v n %d", logits, k)
	}
}
