package glob

import "testing"

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		nocase     bool
		want       bool
	}{
		{"*", "", false, false}, // Redis: only KEYS/SCAN special-case "*"
		{"*", "anything", false, true},
		{"h?llo", "hello", false, true},
		{"h?llo", "héllo", false, false}, // byte-based: é is two bytes
		{"h??llo", "héllo", false, true},
		{"h*llo", "heeeello", false, true},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-c]llo", "hbllo", false, true},
		{"h[c-a]llo", "hbllo", false, true},
		{"h[a-c]llo", "hdllo", false, false},
		{`*\*`, "a*", false, true},
		{`*\*`, "ab", false, false},
		{`h\[llo`, "h[llo", false, true},
		{"HELLO", "hello", true, true},
		{"HELLO", "hello", false, false},
		{"user:*", "user:1000", false, true},
		{"user:*:name", "user:1000:name", false, true},
		{"user:*:name", "user:1000:age", false, false},
		{"a*b", "a", false, false},
		{"", "", false, true},
		{"", "a", false, false},
		{"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false},
	}
	for _, tt := range tests {
		if got := MatchString(tt.pattern, tt.s, tt.nocase); got != tt.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.nocase, got, tt.want)
		}
	}
}
