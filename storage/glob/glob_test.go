package glob

import (
	"strings"
	"testing"
)

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		nocase     bool
		want       bool
	}{
		{"", "", false, true},
		{"", "a", false, false},
		{"a", "", false, false},
		{"*", "", false, false}, // stringmatchlen never matches "" (KEYS special-cases "*")
		{"*", "anything", false, true},
		{"**", "x", false, true},
		{"a*", "a", false, true},
		{"a**", "a", false, true},
		{"a*?", "a", false, false},
		{"*a", "ba", false, true},
		{"*a", "ab", false, false},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"h?llo", "héllo", false, false}, // byte-based: é is two bytes
		{"h??llo", "héllo", false, true},
		{"???", "日", false, true}, // three bytes of UTF-8
		{"?", "日", false, false},
		{"h*llo", "hllo", false, true},
		{"h*llo", "heeeello", false, true},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-c]llo", "hbllo", false, true},
		{"h[a-c]llo", "hdllo", false, false},
		{"h[c-a]llo", "hbllo", false, true}, // reversed ranges are swapped
		{"h[a-]llo", "h]llo", false, false}, // "a-]" is the range a..], unterminated
		{"h[a-]", "h]", false, true},
		{"[a-]", "b", false, false},
		{"[]", "]", false, false},
		{"[]", "", false, false},
		{"[", "[", false, false}, // an unterminated empty class matches nothing
		{"[abc", "b", false, true},
		{"[abc", "bc", false, false},
		{"[^", "x", false, true},
		{"[^", "", false, false},
		{"[\\]]", "]", false, true},
		{"[\\", "\\", false, true},
		{"[a\\-c]", "-", false, true},
		{"[a\\-c]", "b", false, false},
		{`*\*`, "a*", false, true},
		{`*\*`, "ab", false, false},
		{`\*`, "*", false, true},
		{`\*`, "a", false, false},
		{`h\[llo`, "h[llo", false, true},
		{`\`, `\`, false, true}, // a trailing backslash is literal
		{`a\`, `a\`, false, true},
		{`\?`, "?", false, true},
		{`\?`, "x", false, false},
		{"HELLO", "hello", true, true},
		{"HELLO", "hello", false, false},
		{"h[A-C]llo", "hbllo", true, true},
		{"h[a-c]llo", "hBllo", true, true},
		{"[\\A]", "a", true, false}, // escaped class bytes ignore nocase
		{"[A]", "a", true, true},
		{"user:*", "user:1000", false, true},
		{"user:*:name", "user:1000:name", false, true},
		{"user:*:name", "user:1000:age", false, false},
		{"a*b", "a", false, false},
		{"*a*b*c*", "xxaxxbxxcxx", false, true},
		{"*a*b*c*", "xxaxxcxxbxx", false, false},
		// C's signed char: bytes from 0x80 sort below 'a'.
		{"[a-\xff]", "A", false, true},
		{"[a-\xff]", "\xff", false, true},
		{"[a-\xff]", "b", false, false},
		{"[a-\xff]", "\x80", false, false},
		{"[\x80-\xff]", "\xe9", false, true},
		{"[\x00-\x80]", "\xe9", false, true},
		{"[\x00-\x80]", "A", false, false},
		{"[^a-\xff]", "b", false, true},
		{"\xe9", "\xc9", true, false}, // no folding beyond ASCII
		{"a\x00*", "a\x00bc", false, true},
	}
	for _, tt := range tests {
		if got := Match([]byte(tt.pattern), []byte(tt.s), tt.nocase); got != tt.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.nocase, got, tt.want)
		}
	}
}

// TestMatchGlobNesting checks Redis's recursion cap: 1000 nested '*' still
// match, 1001 do not (verified against redis-server 7.0 with KEYS).
func TestMatchGlobNesting(t *testing.T) {
	for _, tt := range []struct {
		stars int
		want  bool
	}{{999, true}, {1000, true}, {1001, false}} {
		pattern := strings.Repeat("a*", tt.stars) + "b"
		s := strings.Repeat("a", tt.stars) + "b"
		if got := Match([]byte(pattern), []byte(s), false); got != tt.want {
			t.Errorf("%d nested stars: got %v, want %v", tt.stars, got, tt.want)
		}
	}
}

// TestMatchGlobPathological would run for ages without the skip-longer
// cut (exponential backtracking); with it, it is quick.
func TestMatchGlobPathological(t *testing.T) {
	pattern := []byte(strings.Repeat("a*", 30) + "b")
	s := []byte(strings.Repeat("a", 5000))
	if Match(pattern, s, false) {
		t.Error("matched a string without b")
	}
}

func TestMatchGlobAllocations(t *testing.T) {
	p, s := []byte("user:[0-9]*:na?e"), []byte("user:1000:name")
	if n := testing.AllocsPerRun(100, func() { Match(p, s, true) }); n != 0 {
		t.Errorf("MatchGlob allocates %v times per call", n)
	}
}

// FuzzMatchGlob compares MatchGlob with globReference, a deliberately
// different implementation of the same language (tokenize, then match by
// dynamic programming, with classes as 256-entry tables).
func FuzzMatchGlob(f *testing.F) {
	seeds := []struct{ p, s string }{
		{"*", "x"}, {"h[^e]llo", "hallo"}, {"[a-c]*", "b"}, {`*\*`, "a*"}, {"[", "["},
		{"[]", "]"}, {"?", "日"}, {"[a-\xff]", "\xff"}, {"a*b*c", "abbbc"}, {`[\`, `\`},
		{"[^", "x"}, {"*a*", ""}, {"[a-]", "]"}, {"**?", "ab"},
	}
	for _, s := range seeds {
		f.Add(s.p, s.s, false)
		f.Add(s.p, s.s, true)
	}
	f.Fuzz(func(t *testing.T, pattern, s string, nocase bool) {
		if len(pattern) > 64 || len(s) > 64 {
			return
		}
		got := Match([]byte(pattern), []byte(s), nocase)
		if want := globReference(pattern, s, nocase); got != want {
			t.Errorf("Match(%q, %q, %v) = %v, reference says %v", pattern, s, nocase, got, want)
		}
	})
}

// globToken is one element of a tokenized pattern.
type globToken struct {
	star bool
	set  [256]bool // the bytes a non-star token accepts
}

// globReference matches by the definition rather than by Redis's loop:
// the pattern becomes tokens (star, or a set of accepted bytes), and a
// DP over (token, byte) positions decides. The one Redis quirk it must
// copy is that an empty string matches only the empty pattern.
func globReference(pattern, s string, nocase bool) bool {
	if s == "" {
		return pattern == ""
	}
	fold := func(c byte) byte {
		if nocase {
			return lowerASCII(c)
		}
		return c
	}
	var toks []globToken
	for i := 0; i < len(pattern); i++ {
		var tok globToken
		switch c := pattern[i]; {
		case c == '*':
			tok.star = true
		case c == '?':
			for b := range tok.set {
				tok.set[b] = true
			}
		case c == '[':
			i = referenceClass(pattern, i+1, &tok.set, nocase)
		default:
			if c == '\\' && i+1 < len(pattern) {
				i++
				c = pattern[i]
			}
			for b := 0; b < 256; b++ {
				tok.set[b] = fold(byte(b)) == fold(c)
			}
		}
		toks = append(toks, tok)
	}
	// m[i][j]: tokens i.. match s[j:].
	m := make([][]bool, len(toks)+1)
	for i := range m {
		m[i] = make([]bool, len(s)+1)
	}
	m[len(toks)][len(s)] = true
	for i := len(toks) - 1; i >= 0; i-- {
		for j := len(s); j >= 0; j-- {
			if toks[i].star {
				m[i][j] = m[i+1][j] || j < len(s) && m[i][j+1]
			} else {
				m[i][j] = j < len(s) && toks[i].set[s[j]] && m[i+1][j+1]
			}
		}
	}
	return m[0][0]
}

// referenceClass fills set from the class starting at pattern[i] (after
// '[') and returns the index of its closing ']' (len(pattern) when the
// class runs to the end).
func referenceClass(pattern string, i int, set *[256]bool, nocase bool) int {
	negate := i < len(pattern) && pattern[i] == '^'
	if negate {
		i++
	}
	for ; i < len(pattern) && pattern[i] != ']'; i++ {
		switch {
		case pattern[i] == '\\' && i+1 < len(pattern):
			i++
			set[pattern[i]] = true
		case i+2 < len(pattern) && pattern[i+1] == '-':
			lo, hi := int8(pattern[i]), int8(pattern[i+2])
			if lo > hi {
				lo, hi = hi, lo
			}
			for b := 0; b < 256; b++ {
				x := int8(b)
				if nocase {
					x, lo, hi = int8(lowerASCII(byte(x))), int8(lowerASCII(byte(lo))), int8(lowerASCII(byte(hi)))
				}
				if lo <= x && x <= hi {
					set[b] = true
				}
			}
			i += 2
		default:
			for b := 0; b < 256; b++ {
				if nocase && lowerASCII(byte(b)) == lowerASCII(pattern[i]) || byte(b) == pattern[i] {
					set[b] = true
				}
			}
		}
	}
	if negate {
		for b := range set {
			set[b] = !set[b]
		}
	}
	return i
}
