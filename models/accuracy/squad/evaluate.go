package squad

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/gotrt/gotrt/internal/bounded"
)

// Result is a SQuAD v1.1 score as evaluate-v1.1.py prints it.
type Result struct {
	// ExactMatch and F1 are percentages over all questions of the dataset.
	ExactMatch, F1 float64
	// Questions is the number of questions in the dataset (the divisor).
	Questions int
	// Unanswered counts questions without a prediction; they score 0.
	Unanswered int
	// Features is the number of features built from the dataset (the QSL
	// size); Score only.
	Features int
	// MissingFeatures counts features without a record in the log; Score
	// only. accuracy-squad.py skips them (and answers "empty" for a question
	// none of whose features has a record).
	MissingFeatures int
	// Duplicates counts records whose qsl_idx appeared earlier in the log;
	// the last one wins, as in accuracy-squad.py. Score only.
	Duplicates int
}

// EvaluatePredictions scores a predictions file (a JSON object of question
// id → answer text) against a SQuAD v1.1 dataset as the official
// evaluate-v1.1.py does.
func EvaluatePredictions(devJSON, predictionsJSON string) (*Result, error) {
	d, err := LoadDataset(devJSON)
	if err != nil {
		return nil, err
	}
	var preds map[string]string
	if err := bounded.DecodeJSON(predictionsJSON, "predictions file", bounded.SQuADLimit, &preds); err != nil {
		return nil, fmt.Errorf("squad predictions %s: want an object of question id to answer text: %w", predictionsJSON, err)
	}
	res, err := d.Evaluate(preds)
	if err != nil {
		return nil, fmt.Errorf("squad dataset %s: %w", devJSON, err)
	}
	return res, nil
}

// Evaluate is evaluate-v1.1.py's evaluate: for every question of the
// dataset, the best exact match and F1 of its prediction over the
// ground-truth answers, averaged over all questions as percentages. A
// question without answers is an error (the script fails on it).
func (d *Dataset) Evaluate(preds map[string]string) (*Result, error) {
	res := &Result{}
	var em, f1 float64
	for ai, a := range d.Data {
		for pi, p := range a.Paragraphs {
			for qi, qa := range p.QAs {
				res.Questions++
				pred, ok := preds[qa.ID]
				if !ok {
					res.Unanswered++
					continue
				}
				if len(qa.Answers) == 0 {
					return nil, fmt.Errorf("article %d paragraph %d question %d (id %q): no answers", ai, pi, qi, qa.ID)
				}
				bestEM, bestF1 := 0.0, 0.0
				np := normalizeAnswer(pred)
				for _, gt := range qa.Answers {
					ng := normalizeAnswer(gt.Text)
					if np == ng {
						bestEM = 1
					}
					bestF1 = max(bestF1, tokenF1(np, ng))
				}
				em += bestEM
				f1 += bestF1
			}
		}
	}
	if res.Questions == 0 {
		return nil, fmt.Errorf("no questions")
	}
	res.ExactMatch = 100 * em / float64(res.Questions)
	res.F1 = 100 * f1 / float64(res.Questions)
	return res, nil
}

// tokenF1 is f1_score on two normalised answers: the harmonic mean of token
// precision and recall over the multiset of common tokens.
func tokenF1(pred, gt string) float64 {
	pt, gtt := pySplit(pred), pySplit(gt)
	count := make(map[string]int, len(gtt))
	for _, t := range gtt {
		count[t]++
	}
	same := 0
	for _, t := range pt {
		if count[t] > 0 {
			count[t]--
			same++
		}
	}
	if same == 0 {
		return 0
	}
	precision := 1.0 * float64(same) / float64(len(pt))
	recall := 1.0 * float64(same) / float64(len(gtt))
	return (2 * precision * recall) / (precision + recall)
}

// NormalizeAnswer is evaluate-v1.1.py's normalize_answer: lower case, drop
// ASCII punctuation, replace the words a, an, the with spaces, and collapse
// whitespace.
func NormalizeAnswer(s string) string { return normalizeAnswer(s) }

func normalizeAnswer(s string) string {
	s = pyLower(s)
	var b strings.Builder
	for _, r := range s {
		if r < 128 && strings.ContainsRune(asciiPunct, r) {
			continue
		}
		b.WriteRune(r)
	}
	s = removeArticles(b.String())
	return strings.Join(pySplit(s), " ")
}

// asciiPunct is Python's string.punctuation.
const asciiPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// removeArticles is re.sub(r"\b(a|an|the)\b", " ", s) with Python 3's
// Unicode word characters.
func removeArticles(s string) string {
	rs := []rune(s)
	var b strings.Builder
	word := func(i int) bool { return i >= 0 && i < len(rs) && isWordRune(rs[i]) }
	for i := 0; i < len(rs); {
		if !word(i - 1) {
			matched := 0
			for _, art := range []string{"a", "an", "the"} { // alternation order
				n := len([]rune(art))
				if i+n <= len(rs) && string(rs[i:i+n]) == art && !word(i+n) {
					matched = n
					break
				}
			}
			if matched > 0 {
				b.WriteByte(' ')
				i += matched
				continue
			}
		}
		b.WriteRune(rs[i])
		i++
	}
	return b.String()
}

// isWordRune is Python 3 re's \w for str patterns: alphanumeric or '_'.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// pySplit is Python's str.split() with no arguments.
func pySplit(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || (r >= 0x1C && r <= 0x1F)
	})
}
