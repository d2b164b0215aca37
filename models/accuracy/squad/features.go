package squad

import (
	"fmt"

	"github.com/gotrt/gotrt/internal/bounded"
)

// Dataset is a parsed SQuAD v1.1 JSON file (dev-v1.1.json).
type Dataset struct {
	Version string    `json:"version"`
	Data    []Article `json:"data"`
}

// Article is one entry of the dataset's "data" list.
type Article struct {
	Title      string      `json:"title"`
	Paragraphs []Paragraph `json:"paragraphs"`
}

// Paragraph is one context with its questions.
type Paragraph struct {
	Context string `json:"context"`
	QAs     []QA   `json:"qas"`
}

// QA is one question and its ground-truth answers.
type QA struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Answers  []Answer `json:"answers"`
}

// Answer is one ground-truth answer.
type Answer struct {
	Text        string `json:"text"`
	AnswerStart int    `json:"answer_start"`
}

// LoadDataset reads a SQuAD v1.1 JSON file.
func LoadDataset(path string) (*Dataset, error) {
	var d Dataset
	if err := bounded.DecodeJSON(path, "SQuAD data set", bounded.SQuADLimit, &d); err != nil {
		return nil, fmt.Errorf("squad dataset: %w", err)
	}
	if d.Data == nil {
		return nil, fmt.Errorf("squad dataset %s: no \"data\" list", path)
	}
	return &d, nil
}

// Example is one question with its context split on whitespace, as
// create_squad_data.read_squad_examples makes it.
type Example struct {
	ID        string
	Question  string
	DocTokens []string
}

// Feature is one window of an example as the model sees it:
// [CLS] query [SEP] doc-span [SEP], with the map from token positions back
// to the example's whitespace tokens.
type Feature struct {
	ExampleIndex int
	Tokens       []string
	// TokenToOrig maps a token position in the doc span to its whitespace
	// token in Example.DocTokens; -1 outside the doc span.
	TokenToOrig []int
	// MaxContext marks the doc-span positions for which this window is the
	// one with the most context (token_is_max_context).
	MaxContext []bool
}

// squadSpace is read_squad_examples' is_whitespace.
func squadSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == 0x202F
}

// Examples lists the dataset's questions in file order.
func (d *Dataset) Examples() []Example {
	var out []Example
	for _, a := range d.Data {
		for _, p := range a.Paragraphs {
			var doc []string
			prevSpace := true
			for _, r := range p.Context {
				if squadSpace(r) {
					prevSpace = true
					continue
				}
				if prevSpace {
					doc = append(doc, string(r))
				} else {
					doc[len(doc)-1] += string(r)
				}
				prevSpace = false
			}
			for _, qa := range p.QAs {
				out = append(out, Example{ID: qa.ID, Question: qa.Question, DocTokens: doc})
			}
		}
	}
	return out
}

// Features converts examples to features as convert_examples_to_features
// does for evaluation: the query cut to MaxQueryLength tokens, the document
// in windows of at most MaxSeqLength-len(query)-3 tokens every DocStride
// tokens. The i-th feature is the one a log's qsl_idx i names.
func Features(examples []Example, tok *Tokenizer, opt Options) ([]Feature, error) {
	var out []Feature
	// Examples of one paragraph share their DocTokens; tokenise it once.
	var lastDoc []string
	var docToks []string
	var tokToOrig []int
	for ei, ex := range examples {
		query := tok.Tokenize(ex.Question)
		if len(query) > opt.MaxQueryLength {
			query = query[:opt.MaxQueryLength]
		}
		if len(ex.DocTokens) == 0 || len(lastDoc) == 0 || &ex.DocTokens[0] != &lastDoc[0] || len(ex.DocTokens) != len(lastDoc) {
			docToks, tokToOrig = docToks[:0:0], tokToOrig[:0:0]
			for i, w := range ex.DocTokens {
				for _, s := range tok.Tokenize(w) {
					tokToOrig = append(tokToOrig, i)
					docToks = append(docToks, s)
				}
			}
			lastDoc = ex.DocTokens
		}
		maxDoc := opt.MaxSeqLength - len(query) - 3
		if maxDoc <= 0 {
			return nil, fmt.Errorf("question %q: %d query tokens leave no room in a sequence of %d", ex.ID, len(query), opt.MaxSeqLength)
		}
		type span struct{ start, length int }
		var spans []span
		for start := 0; start < len(docToks); {
			length := min(len(docToks)-start, maxDoc)
			spans = append(spans, span{start, length})
			if start+length == len(docToks) {
				break
			}
			start += min(length, opt.DocStride)
		}
		for si, sp := range spans {
			n := len(query) + sp.length + 3
			f := Feature{
				ExampleIndex: ei,
				Tokens:       make([]string, 0, n),
				TokenToOrig:  make([]int, n),
				MaxContext:   make([]bool, n),
			}
			for i := range f.TokenToOrig {
				f.TokenToOrig[i] = -1
			}
			f.Tokens = append(f.Tokens, "[CLS]")
			f.Tokens = append(f.Tokens, query...)
			f.Tokens = append(f.Tokens, "[SEP]")
			for i := 0; i < sp.length; i++ {
				pos := sp.start + i
				f.TokenToOrig[len(f.Tokens)] = tokToOrig[pos]
				// _check_is_max_context: the span maximising
				// min(left, right) + 0.01*length, the first on ties.
				best, bestScore := -1, 0.0
				for sj, s := range spans {
					end := s.start + s.length - 1
					if pos < s.start || pos > end {
						continue
					}
					score := float64(min(pos-s.start, end-pos)) + float64(0.01*float64(s.length))
					if best < 0 || score > bestScore {
						best, bestScore = sj, score
					}
				}
				f.MaxContext[len(f.Tokens)] = best == si
				f.Tokens = append(f.Tokens, docToks[pos])
			}
			f.Tokens = append(f.Tokens, "[SEP]")
			out = append(out, f)
		}
	}
	return out, nil
}
