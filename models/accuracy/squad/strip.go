package squad

import (
	"strings"
	"unicode"
)

// stripAccents is BERT's _run_strip_accents: canonical decomposition (NFD)
// with the nonspacing marks (Mn) dropped. Hangul syllables decompose into
// their conjoining jamo, which are kept.
func stripAccents(s string) string {
	plain := true
	for _, r := range s {
		if r >= 0xC0 {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if d, ok := accentStripped[r]; ok {
			b.WriteString(d)
			continue
		}
		if r >= hangulBase && r < hangulBase+hangulCount {
			si := r - hangulBase
			b.WriteRune(0x1100 + si/588)
			b.WriteRune(0x1161 + si%588/28)
			if t := si % 28; t != 0 {
				b.WriteRune(0x11A7 + t)
			}
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

const (
	hangulBase  = 0xAC00
	hangulCount = 11172
)

// pyLower is Python's str.lower: the simple lower-case mapping except for
// U+0130 (to "i" and U+0307) and capital sigma, which becomes final sigma
// at the end of a word (the Final_Sigma context of the Unicode standard).
func pyLower(s string) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range rs {
		switch {
		case r < 0x80:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		case r == 0x130:
			b.WriteString("i\u0307")
		case r == 0x3A3:
			if finalSigma(rs, i) {
				b.WriteRune(0x3C2)
			} else {
				b.WriteRune(0x3C3)
			}
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma reports whether rs[i] is preceded by a cased letter and not
// followed by one, skipping case-ignorable characters both ways.
func finalSigma(rs []rune, i int) bool {
	j := i - 1
	for j >= 0 && caseIgnorable(rs[j]) {
		j--
	}
	if j < 0 || !cased(rs[j]) {
		return false
	}
	j = i + 1
	for j < len(rs) && caseIgnorable(rs[j]) {
		j++
	}
	return j == len(rs) || !cased(rs[j])
}

func cased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.In(r, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

func caseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}
