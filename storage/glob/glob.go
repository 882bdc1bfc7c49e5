// Package glob is Redis's glob-style matcher (stringmatchlen in util.c),
// byte-based as Redis is, for KEYS, SCAN MATCH, CONFIG GET and COMMAND
// LIST patterns.
//
// Patterns: '*' any run of bytes, '?' any one byte, '[abc]', '[a-z]' and
// '[^...]' classes, '\' escapes the next byte. Like Redis 7.0 it bounds
// recursion so a pathological pattern such as "a*a*a*...b" cannot stall
// the event loop: the matcher gives up (no match) past the nesting limit.
//
// tidwall/match is not used because it is rune-based and lacks '[...]'.
package glob

// maxNesting mirrors Redis's limit on '*' recursion depth.
const maxNesting = 1000

// Match reports whether s matches pattern; nocase folds ASCII case.
func Match(pattern, s []byte, nocase bool) bool {
	skipLongerMatches := false
	return match(pattern, s, nocase, &skipLongerMatches, 0)
}

// MatchString is Match for strings.
func MatchString(pattern, s string, nocase bool) bool {
	return Match([]byte(pattern), []byte(s), nocase)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func match(p, s []byte, nocase bool, skipLonger *bool, nesting int) bool {
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
				if match(p[1:], s, nocase, skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					// A shorter suffix failed where a longer one would too.
					return false
				}
				s = s[1:]
			}
			*skipLonger = true
			return false
		case '?':
			s = s[1:]
		case '[':
			p = p[1:]
			not := len(p) > 0 && p[0] == '^'
			if not {
				p = p[1:]
			}
			matched := false
			for {
				if len(p) == 0 {
					break
				}
				if p[0] == '\\' && len(p) >= 2 {
					p = p[1:]
					if p[0] == s[0] {
						matched = true
					}
				} else if p[0] == ']' {
					break
				} else if len(p) >= 3 && p[1] == '-' {
					start, end := p[0], p[2]
					if start > end {
						start, end = end, start
					}
					c := s[0]
					if nocase {
						start, end, c = lower(start), lower(end), lower(c)
					}
					p = p[2:]
					if c >= start && c <= end {
						matched = true
					}
				} else if nocase {
					if lower(p[0]) == lower(s[0]) {
						matched = true
					}
				} else if p[0] == s[0] {
					matched = true
				}
				p = p[1:]
			}
			if not {
				matched = !matched
			}
			if !matched {
				return false
			}
			s = s[1:]
			if len(p) == 0 {
				// An unterminated class consumed the pattern: Redis's loop
				// steps back so the trailing ']' test below sees the end.
				return len(s) == 0
			}
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if nocase {
				if lower(p[0]) != lower(s[0]) {
					return false
				}
			} else if p[0] != s[0] {
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
