package squad

import (
	"slices"
	"strings"
)

// Logits are one feature's start and end logits, MaxSeqLength long.
type Logits struct {
	Start, End []float64
}

// bestIndexes is _get_best_indexes: the positions of the n largest logits,
// largest first, lower position first on ties (Python's stable sort). It
// keeps the top n by insertion instead of sorting all positions.
func bestIndexes(logits []float64, n int, idx []int) []int {
	idx = idx[:0]
	for i, v := range logits {
		if len(idx) == n && !(v > logits[idx[n-1]]) {
			continue
		}
		// Insert after every kept position whose logit is >= v.
		p := len(idx)
		for p > 0 && logits[idx[p-1]] < v {
			p--
		}
		if len(idx) < n {
			idx = append(idx, 0)
		}
		copy(idx[p+1:], idx[p:len(idx)-1])
		idx[p] = i
	}
	return idx
}

// Predict returns the answer text for one example from the logits of its
// features (nil where the log had no record): the highest start+end logit
// over the n-best start and end positions that lie in the document, where
// the start has maximum context, start <= end and the span is at most
// MaxAnswerLength tokens; the first such span on ties, in feature, start
// rank, end rank order. With no valid span the answer is "empty", as in
// accuracy-squad.py.
func Predict(ex Example, feats []Feature, logits []*Logits, opt Options) string {
	bestF, bestS, bestE := -1, 0, 0
	bestScore := 0.0
	var si, ei []int
	for fi, f := range feats {
		l := logits[fi]
		if l == nil {
			continue
		}
		si = bestIndexes(l.Start, opt.NBest, si)
		ei = bestIndexes(l.End, opt.NBest, ei)
		for _, s := range si {
			for _, e := range ei {
				if s >= len(f.Tokens) || e >= len(f.Tokens) {
					continue
				}
				if f.TokenToOrig[s] < 0 || f.TokenToOrig[e] < 0 || !f.MaxContext[s] {
					continue
				}
				if e < s || e-s+1 > opt.MaxAnswerLength {
					continue
				}
				score := l.Start[s] + l.End[e]
				if bestF < 0 || score > bestScore {
					bestF, bestS, bestE, bestScore = fi, s, e, score
				}
			}
		}
	}
	if bestF < 0 {
		return "empty"
	}
	f := feats[bestF]
	tokText := strings.Join(f.Tokens[bestS:bestE+1], " ")
	tokText = strings.ReplaceAll(tokText, " ##", "")
	tokText = strings.ReplaceAll(tokText, "##", "")
	tokText = strings.Join(strings.Fields(tokText), " ")
	origText := strings.Join(ex.DocTokens[f.TokenToOrig[bestS]:f.TokenToOrig[bestE]+1], " ")
	return FinalText(tokText, origText, opt.DoLowerCase)
}

// FinalText is get_final_text of BERT's run_squad.py: it projects the
// normalised WordPiece prediction predText back onto origText, the
// whitespace tokens it came from, through a character alignment of
// origText with its basic tokenisation, so that "steve smith" in
// "Steve Smith's" gives "Steve Smith". When the alignment fails it returns
// origText.
func FinalText(predText, origText string, lower bool) string {
	orig := []rune(origText)
	tok := []rune(strings.Join(BasicTokenize(origText, lower), " "))
	pred := []rune(predText)
	start := runeIndex(tok, pred)
	if start < 0 {
		return origText
	}
	end := start + len(pred) - 1

	origNS, origNSToS := stripSpaces(orig)
	tokNS, tokNSToS := stripSpaces(tok)
	if len(origNS) != len(tokNS) {
		return origText
	}
	tokSToNS := make(map[int]int, len(tokNSToS))
	for i, s := range tokNSToS {
		tokSToNS[s] = i
	}
	ns, ok := tokSToNS[start]
	if !ok || ns >= len(origNSToS) {
		return origText
	}
	origStart := origNSToS[ns]
	ns, ok = tokSToNS[end]
	if !ok || ns >= len(origNSToS) {
		return origText
	}
	origEnd := origNSToS[ns]
	if origEnd+1 < origStart {
		return ""
	}
	return string(orig[origStart : origEnd+1])
}

// stripSpaces drops the ' ' characters (only those) and maps each kept
// character's new position to its old one.
func stripSpaces(s []rune) ([]rune, []int) {
	var ns []rune
	var m []int
	for i, r := range s {
		if r == ' ' {
			continue
		}
		m = append(m, i)
		ns = append(ns, r)
	}
	return ns, m
}

// runeIndex is Python's str.find on code points.
func runeIndex(s, sub []rune) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if slices.Equal(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
