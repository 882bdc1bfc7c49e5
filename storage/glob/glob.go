package glob

// maxNesting is stringmatchlen's cap on '*' recursion depth: deeper
// patterns fail to match instead of exhausting the stack.
const maxNesting = 1000

// Match reports whether s matches the glob-style pattern exactly as
// Redis 7.0's stringmatchlen (util.c) decides, for KEYS, SCAN MATCH and
// other pattern arguments:
//
//   - '*' matches any run of bytes, '?' any single byte;
//   - '[abc]', '[a-z]' and '[^...]' are classes, '\' escapes the next byte
//     (inside a class too, where the escaped byte is compared exactly even
//     with nocase);
//   - an unterminated class extends to the end of the pattern.
//
// It is byte-based, not rune-based: '?' matches one byte of a multi-byte
// UTF-8 character. Class ranges compare bytes as C's signed char, so a
// byte of 0x80 or more sorts below 'a' ("[a-\xff]" is the range -1..97)
// and nocase folds ASCII letters only, as in Redis's C locale. Like
// Redis, recursion deeper than 1000 levels is a mismatch, and once the
// rest of a pattern failed after some '*', no longer match is tried for
// the earlier ones, which bounds pathological patterns such as
// "a*a*a*a*...b" to polynomial time.
func Match(pattern, s []byte, nocase bool) bool {
	skipLonger := false
	return globMatch(pattern, s, nocase, &skipLonger, 0)
}

func globMatch(p, s []byte, nocase bool, skipLonger *bool, nesting int) bool {
	if nesting > maxNesting {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if globMatch(p[1:], s, nocase, skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			// The rest of the pattern matches no suffix of s, so no earlier
			// '*' can help by matching more: tell them all to stop.
			*skipLonger = true
			return false
		case '?':
			s = s[1:]
		case '[':
			var ok bool
			if p, ok = globClass(p[1:], s[0], nocase); !ok {
				return false
			}
			s = s[1:]
			if len(p) == 0 {
				// An unterminated class used up the pattern.
				return len(s) == 0
			}
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if !globEqual(p[0], s[0], nocase) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

// globClass matches c against the class that p starts (just after '[').
// It returns p positioned at the closing ']', or empty when the class is
// unterminated, and whether c is in the class.
func globClass(p []byte, c byte, nocase bool) ([]byte, bool) {
	not := len(p) > 0 && p[0] == '^'
	if not {
		p = p[1:]
	}
	match := false
	for len(p) > 0 && p[0] != ']' {
		switch {
		case p[0] == '\\' && len(p) >= 2:
			p = p[1:]
			if p[0] == c {
				match = true
			}
		case len(p) >= 3 && p[1] == '-':
			lo, hi, x := signedChar(p[0]), signedChar(p[2]), signedChar(c)
			if lo > hi {
				lo, hi = hi, lo
			}
			if nocase {
				lo, hi, x = lowerSigned(lo), lowerSigned(hi), lowerSigned(x)
			}
			if lo <= x && x <= hi {
				match = true
			}
			p = p[2:]
		case globEqual(p[0], c, nocase):
			match = true
		}
		p = p[1:]
	}
	return p, match != not
}

func globEqual(a, b byte, nocase bool) bool {
	if nocase {
		return lowerASCII(a) == lowerASCII(b)
	}
	return a == b
}

// signedChar is b as x86-64's signed char holds it.
func signedChar(b byte) int { return int(int8(b)) }

// lowerSigned is C's tolower in the C locale on a signed char.
func lowerSigned(c int) int {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// MatchString is Match for strings.
func MatchString(pattern, s string, nocase bool) bool {
	return Match([]byte(pattern), []byte(s), nocase)
}
