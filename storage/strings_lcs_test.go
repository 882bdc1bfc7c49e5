package storage

import (
	"strings"
	"testing"
)

// lcsRange is one IDX match as Redis writes it.
func lcsRange(a0, a1, b0, b1 int, withLen ...int) string {
	items := []string{rArr(rInt(int64(a0)), rInt(int64(a1))), rArr(rInt(int64(b0)), rInt(int64(b1)))}
	for _, n := range withLen {
		items = append(items, rInt(int64(n)))
	}
	return rArr(items...)
}

func TestLCS(t *testing.T) {
	h := newHarness(t, 4)
	keys := h.keysOnDistinctInstances("lcs", 2)
	a, b := keys[0], keys[1]
	h.do("MSET", a, "ohmytext", b, "mynewtext")
	h.putList("l")
	allMatches := rArr(rBulk("matches"), rArr(lcsRange(4, 7, 5, 8), lcsRange(2, 3, 0, 1)), rBulk("len"), rInt(6))
	h.run([]step{
		expect("LCS", a, b, rBulk("mytext")),
		expect("LCS", a, b, "LEN", rInt(6)),
		expect("LCS", a, b, "len", "withmatchlen", rInt(6)),
		expect("LCS", a, b, "IDX", allMatches),
		expect("LCS", a, b, "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN",
			rArr(rBulk("matches"), rArr(lcsRange(4, 7, 5, 8, 4)), rBulk("len"), rInt(6))),
		// A negative minimum is 0; the last MINMATCHLEN wins.
		expect("LCS", a, b, "IDX", "MINMATCHLEN", "-4", "WITHMATCHLEN", "MINMATCHLEN", "2",
			rArr(rBulk("matches"), rArr(lcsRange(4, 7, 5, 8, 4), lcsRange(2, 3, 0, 1, 2)), rBulk("len"), rInt(6))),
		expect("LCS", a, "missing", rEmpty),
		expect("LCS", "missing", "missing", "IDX", rArr(rBulk("matches"), rArr(), rBulk("len"), rZero)),
		expect("LCS", a, b, "LEN", "IDX", rErr(ErrLCSLenAndIdx)),
		expect("LCS", a, b, "MINMATCHLEN", rErr(ErrSyntax)),
		expect("LCS", a, b, "MINMATCHLEN", "x", rErr(ErrNotInteger)),
		expect("LCS", a, b, "foo", rErr(ErrSyntax)),
		// The key types are checked before the options.
		expect("LCS", a, "l", "foo", rErr(ErrLCSNotString)),
		expect("LCS", "l", "missing", rErr(ErrLCSNotString)),
	})
	want3 := "%2\r\n" + rBulk("matches") + rArr(lcsRange(4, 7, 5, 8), lcsRange(2, 3, 0, 1)) + rBulk("len") + rInt(6)
	if got := h.do3("LCS", a, b, "IDX"); got != want3 {
		t.Errorf("RESP3 LCS IDX = %q, want %q", got, want3)
	}
}

// TestLCSRanges checks the walk against cases whose ranges touch the
// start of either string, where Redis closes a range early.
func TestLCSRanges(t *testing.T) {
	tests := []struct {
		a, b, lcs string
		ranges    [][4]int
	}{
		{"", "", "", nil},
		{"abc", "abc", "abc", [][4]int{{0, 2, 0, 2}}},
		{"abc", "xyz", "", nil},
		{"xabc", "abc", "abc", [][4]int{{1, 3, 0, 2}}},
		{"abcx", "zabc", "abc", [][4]int{{0, 2, 1, 3}}},
		{"aXbXc", "abc", "abc", [][4]int{{4, 4, 2, 2}, {2, 2, 1, 1}, {0, 0, 0, 0}}},
		{"\x00\xff\x00", "\xff\x00", "\xff\x00", [][4]int{{1, 2, 0, 1}}},
	}
	for _, tt := range tests {
		res, err := opLCS([]byte(tt.a), []byte(tt.b), true, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if string(res.lcs) != tt.lcs || int(res.len) != len(tt.lcs) {
			t.Errorf("LCS(%q, %q) = %q (len %d), want %q", tt.a, tt.b, res.lcs, res.len, tt.lcs)
		}
		var got [][4]int
		for _, m := range res.matches {
			got = append(got, [4]int{int(m.aStart), int(m.aEnd), int(m.bStart), int(m.bEnd)})
		}
		if len(got) != len(tt.ranges) {
			t.Errorf("LCS(%q, %q) ranges = %v, want %v", tt.a, tt.b, got, tt.ranges)
			continue
		}
		for i := range got {
			if got[i] != tt.ranges[i] {
				t.Errorf("LCS(%q, %q) ranges = %v, want %v", tt.a, tt.b, got, tt.ranges)
				break
			}
		}
	}
}

// TestLCSMemoryLimit checks the table-size refusal, which Redis bases on
// proto-max-bulk-len, happens before allocating.
func TestLCSMemoryLimit(t *testing.T) {
	h := newHarness(t, 1)
	h.limits = &Limits{ProtoMaxBulkLen: func() int64 { return 4 * 11 * 11 }}
	h.do("SET", "a", strings.Repeat("a", 10))
	h.do("SET", "b", strings.Repeat("a", 10))
	h.do("SET", "c", strings.Repeat("a", 11))
	h.run([]step{
		expect("LCS", "a", "b", "LEN", rInt(10)),
		expect("LCS", "a", "c", "LEN", rErr(ErrLCSMemory)),
	})
}
