package squad

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
)

// devSizedCase writes a synthetic dev JSON the size of SQuAD v1.1 dev
// (about 2,000 paragraphs and 10,300 questions giving 10,819 features with
// the MLPerf settings, against 10,833 for the real set; every 20th
// paragraph takes two windows), a WordPiece vocabulary and one record of
// random (start, end) logits per feature.
func devSizedCase(b *testing.B) (dev, vocab string, records []mlperflog.Record) {
	b.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	var words, vocabToks []string
	vocabToks = append(vocabToks, "[PAD]", "[UNK]", "[CLS]", "[SEP]", ".", ",", "'", "(", ")")
	for i := 0; i < 3000; i++ {
		w := fmt.Sprintf("w%c%c%d", 'a'+rune(i%26), 'a'+rune(i/26%26), i)
		words = append(words, w)
		if i%3 == 0 { // a third of the words split into pieces
			vocabToks = append(vocabToks, w[:3], "##"+w[3:])
		} else {
			vocabToks = append(vocabToks, w)
		}
	}
	word := func() string {
		w := words[r.IntN(len(words))]
		switch r.IntN(12) {
		case 0:
			return strings.ToUpper(w[:1]) + w[1:] + ","
		case 1:
			return "(" + w + ")."
		case 2:
			return w + "'s"
		}
		return w
	}
	var paras []map[string]any
	q := 0
	for p := 0; q < 10300; p++ {
		n := 60 + r.IntN(100)
		if p%20 == 0 {
			n = 240 // two windows
		}
		ws := make([]string, n)
		for i := range ws {
			ws[i] = word()
		}
		var qas []map[string]any
		for k := 0; k < 5; k++ {
			qw := make([]string, 6+r.IntN(10))
			for i := range qw {
				qw[i] = word()
			}
			a := r.IntN(n - 3)
			qas = append(qas, map[string]any{"id": fmt.Sprint(q), "question": strings.Join(qw, " ") + "?",
				"answers": []map[string]any{{"text": strings.Join(ws[a:a+3], " ")}, {"text": ws[a+1]}}})
			q++
		}
		paras = append(paras, map[string]any{"context": strings.Join(ws, " "), "qas": qas})
	}
	js, err := json.Marshal(map[string]any{"version": "1.1", "data": []any{map[string]any{"title": "synthetic", "paragraphs": paras}}})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	dev, vocab = filepath.Join(dir, "dev-v1.1.json"), filepath.Join(dir, "vocab.txt")
	if err := os.WriteFile(dev, js, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(vocab, []byte(strings.Join(vocabToks, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	d, err := LoadDataset(dev)
	if err != nil {
		b.Fatal(err)
	}
	v, err := LoadVocab(vocab)
	if err != nil {
		b.Fatal(err)
	}
	feats, err := Features(d.Examples(), &Tokenizer{Vocab: v, LowerCase: true}, DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	for i := range feats {
		data := make([]byte, 0, 384*8)
		for j := 0; j < 2*384; j++ {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(float32(r.NormFloat64()*3)))
		}
		records = append(records, mlperflog.Record{SeqID: uint64(i), QSLIdx: i, Data: data})
	}
	return dev, vocab, records
}

// BenchmarkScoreDevSized times Score end to end (dataset and vocabulary
// load, tokenisation into features, span selection, evaluation).
func BenchmarkScoreDevSized(b *testing.B) {
	dev, vocab, records := devSizedCase(b)
	b.ResetTimer()
	for b.Loop() {
		res, err := Score(records, dev, vocab, DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		if res.MissingFeatures != 0 {
			b.Fatalf("%d features missing", res.MissingFeatures)
		}
	}
	b.ReportMetric(float64(len(records)), "features")
}
