package squad

//go:generate sh -c "python3 gen/accents.py | gofmt > accents_table.go"

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/gotrt/gotrt/internal/bounded"
)

// Vocab is a BERT WordPiece vocabulary: one token per line, as vocab.txt.
type Vocab map[string]int

// LoadVocab reads a vocab.txt file. A token's id is its line number; a
// repeated token keeps its last line, as transformers' load_vocab does. The
// line ending (\n or \r\n) is not part of the token.
func LoadVocab(path string) (Vocab, error) {
	f, err := bounded.Open(path, "vocabulary", bounded.VocabLimit)
	if err != nil {
		return nil, fmt.Errorf("read vocab: %w", err)
	}
	defer f.Close()
	v := Vocab{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for ; sc.Scan(); n++ {
		v[strings.TrimSuffix(sc.Text(), "\r")] = n
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("vocab %s:%d: %w: a line longer than 1 MiB (a vocabulary has one token a line)", path, n+1, err)
		}
		return nil, fmt.Errorf("vocab %s: %w", path, err)
	}
	if len(v) == 0 {
		return nil, fmt.Errorf("vocab %s: no tokens", path)
	}
	return v, nil
}

// unkToken is BERT's unknown token.
const unkToken = "[UNK]"

// maxCharsPerWord is WordpieceTokenizer's max_input_chars_per_word.
const maxCharsPerWord = 100

// Tokenizer is BERT's FullTokenizer: [BasicTokenize] then greedy
// longest-match-first WordPiece.
type Tokenizer struct {
	Vocab     Vocab
	LowerCase bool
}

// Tokenize splits text into WordPiece tokens.
func (t *Tokenizer) Tokenize(text string) []string {
	var out []string
	for _, tok := range BasicTokenize(text, t.LowerCase) {
		out = t.wordpiece(tok, out)
	}
	return out
}

// wordpiece appends the WordPiece split of one basic token to out: the
// longest vocabulary prefix, then "##"-prefixed continuations; [UNK] for a
// word of more than 100 characters or one that cannot be split.
func (t *Tokenizer) wordpiece(tok string, out []string) []string {
	chars := []rune(tok)
	if len(chars) > maxCharsPerWord {
		return append(out, unkToken)
	}
	n0 := len(out)
	for start := 0; start < len(chars); {
		end := len(chars)
		found := ""
		for start < end {
			sub := string(chars[start:end])
			if start > 0 {
				sub = "##" + sub
			}
			if _, ok := t.Vocab[sub]; ok {
				found = sub
				break
			}
			end--
		}
		if found == "" {
			return append(out[:n0], unkToken)
		}
		out = append(out, found)
		start = end
	}
	return out
}

// BasicTokenize is BERT's BasicTokenizer: drop control characters and
// U+0000/U+FFFD, map whitespace to spaces, put spaces around CJK
// ideographs, split on whitespace, then per token lower-case and strip
// accents (if lower is set) and split off each punctuation character.
func BasicTokenize(text string, lower bool) []string {
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == 0 || r == 0xFFFD || isControl(r):
		case isWhitespace(r):
			b.WriteByte(' ')
		case isCJK(r):
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	var split []string
	for _, tok := range strings.Fields(b.String()) {
		if lower {
			tok = stripAccents(pyLower(tok))
		}
		split = splitPunc(tok, split)
	}
	// whitespace_tokenize(" ".join(split)): lowering or stripping can leave
	// an empty token or bring in whitespace.
	return strings.Fields(strings.Join(split, " "))
}

func splitPunc(tok string, out []string) []string {
	startNew := true
	for _, r := range tok {
		if isPunct(r) {
			out = append(out, string(r))
			startNew = true
			continue
		}
		if startNew {
			out = append(out, "")
			startNew = false
		}
		out[len(out)-1] += string(r)
	}
	return out
}

// isWhitespace is BERT's _is_whitespace: space, tab, newline, CR, or Zs.
func isWhitespace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || unicode.Is(unicode.Zs, r)
}

// isControl is BERT's _is_control: category C*, except tab, newline, CR.
func isControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs) || !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.C) // Cn: unassigned
}

// isPunct is BERT's _is_punctuation: all non-alphanumeric ASCII printables
// and category P*.
func isPunct(r rune) bool {
	if (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126) {
		return true
	}
	return unicode.IsPunct(r)
}

// isCJK is BERT's _is_chinese_char: the CJK Unified Ideographs blocks.
func isCJK(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0x20000 && r <= 0x2A6DF) || (r >= 0x2A700 && r <= 0x2B73F) ||
		(r >= 0x2B740 && r <= 0x2B81F) || (r >= 0x2B820 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) || (r >= 0x2F800 && r <= 0x2FA1F)
}
