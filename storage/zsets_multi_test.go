package storage

import (
	"strings"
	"testing"
)

// TestZSetMultiCommands runs the multi-key sorted set commands over keys
// that live on different instances.
func TestZSetMultiCommands(t *testing.T) {
	notInt := rErr(ErrNotInteger)
	tests := []struct {
		name  string
		steps func(a, b, s, d string) []step
	}{
		{"ZUNION and ZUNIONSTORE", func(a, b, s, d string) []step {
			return []step{
				expect("ZUNION", "2", a, b, rArr(rBulk("x"), rBulk("w"), rBulk("y"), rBulk("z"))),
				expect("ZUNION", "2", a, b, "WITHSCORES", rArr(rBulk("x"), rDbl("1"), rBulk("w"), rDbl("3"),
					rBulk("y"), rDbl("12"), rBulk("z"), rDbl("23"))),
				expect("ZUNION", "3", a, b, s, "WEIGHTS", "1", "0", "2", "AGGREGATE", "MAX", "WITHSCORES",
					rArr(rBulk("w"), rDbl("0"), rBulk("v"), rDbl("2"), rBulk("x"), rDbl("2"), rBulk("y"), rDbl("2"), rBulk("z"), rDbl("3"))),
				expect("ZUNION", "2", a, "missing", "aggregate", "min", rArr(rBulk("x"), rBulk("y"), rBulk("z"))),
				expect("ZUNIONSTORE", d, "2", a, b, rInt(4)),
				expect("ZRANGE", d, "0", "-1", "WITHSCORES", rArr(rBulk("x"), rDbl("1"), rBulk("w"), rDbl("3"),
					rBulk("y"), rDbl("12"), rBulk("z"), rDbl("23"))),
				expect("OBJECT", "ENCODING", d, rBulk("listpack")),
				expect("ZUNIONSTORE", d, "1", "missing", rZero),
				expect("EXISTS", d, rZero),
				expect("ZUNIONSTORE", "list", "1", a, rInt(3)),
				expect("TYPE", "list", "+zset\r\n"),
			}
		}},
		{"ZINTER ZINTERSTORE ZINTERCARD", func(a, b, s, d string) []step {
			return []step{
				expect("ZINTER", "2", a, b, "WITHSCORES", rArr(rBulk("y"), rDbl("12"), rBulk("z"), rDbl("23"))),
				expect("ZINTER", "2", a, s, "WITHSCORES", rArr(rBulk("x"), rDbl("2"), rBulk("y"), rDbl("3"))),
				expect("ZINTER", "2", a, "missing", rArr()),
				expect("ZINTER", "2", a, b, "AGGREGATE", "MIN", "WEIGHTS", "2", "1", "WITHSCORES",
					rArr(rBulk("y"), rDbl("4"), rBulk("z"), rDbl("6"))),
				expect("ZINTERSTORE", d, "3", a, b, s, rOne),
				expect("ZSCORE", d, "y", rDbl("13")),
				expect("ZINTERSTORE", d, "2", a, "missing", rZero),
				expect("EXISTS", d, rZero),
				expect("ZINTERCARD", "2", a, b, rInt(2)),
				expect("ZINTERCARD", "2", a, b, "LIMIT", "1", rOne),
				expect("ZINTERCARD", "2", a, b, "LIMIT", "0", rInt(2)),
				expect("ZINTERCARD", "1", "missing", rZero),
			}
		}},
		{"ZDIFF ZDIFFSTORE", func(a, b, s, d string) []step {
			return []step{
				expect("ZDIFF", "2", a, b, "WITHSCORES", rArr(rBulk("x"), rDbl("1"))),
				expect("ZDIFF", "2", s, a, "WITHSCORES", rArr(rBulk("v"), rDbl("1"))),
				expect("ZDIFF", "1", "missing", rArr()),
				expect("ZDIFFSTORE", d, "2", b, a, rOne),
				expect("ZRANGE", d, "0", "-1", "WITHSCORES", rArr(rBulk("w"), rDbl("3"))),
				expect("ZDIFFSTORE", d, "2", a, a, rZero),
				expect("EXISTS", d, rZero),
			}
		}},
		{"errors", func(a, b, s, d string) []step {
			return []step{
				expect("ZUNION", "0", a, rErr(ErrZSetNeedKey("zunion"))),
				expect("ZINTERSTORE", d, "-1", a, rErr(ErrZSetNeedKey("zinterstore"))),
				expect("ZINTERCARD", "0", a, rErr(ErrZSetNeedKey("zintercard"))),
				expect("ZDIFF", "x", a, notInt),
				expect("ZUNION", "3", a, b, rErr(ErrSyntax)),
				expect("ZUNION", "1", a, "WEIGHTS", "x", rErr(ErrZSetWeightFloat)),
				expect("ZUNION", "1", a, "WEIGHTS", "nan", rErr(ErrZSetWeightFloat)),
				expect("ZUNION", "2", a, b, "WEIGHTS", "1", rErr(ErrSyntax)),
				expect("ZUNION", "1", a, "AGGREGATE", "avg", rErr(ErrSyntax)),
				expect("ZUNIONSTORE", d, "1", a, "WITHSCORES", rErr(ErrSyntax)),
				expect("ZDIFF", "1", a, "WEIGHTS", "1", rErr(ErrSyntax)),
				expect("ZINTERCARD", "1", a, "WITHSCORES", rErr(ErrSyntax)),
				expect("ZINTERCARD", "1", a, "LIMIT", "-1", rErr(ErrLimitNegative)),
				expect("ZINTERCARD", "1", a, "LIMIT", "x", rErr(ErrLimitNegative)),
				// The type check comes before the options.
				expect("ZUNION", "2", a, "list", "WEIGHTS", "x", wrongType),
				expect("ZINTER", "2", "missing", "list", wrongType),
				expect("ZUNIONSTORE", d, "1", "list", wrongType),
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 4)
			k := h.keysOnDistinctInstances("zm", 4)
			h.putList("list")
			h.run([]step{
				expect("ZADD", k[0], "1", "x", "2", "y", "3", "z", rInt(3)),
				expect("ZADD", k[1], "10", "y", "20", "z", "3", "w", rInt(3)),
				expect("SADD", k[2], "x", "y", "v", rInt(3)),
			})
			h.run(tc.steps(k[0], k[1], k[2], k[3]))
		})
	}
}

// TestZSetMultiRESP3 checks WITHSCORES nests each pair under RESP3.
func TestZSetMultiRESP3(t *testing.T) {
	h := newHarness(t, 4)
	k := h.keysOnDistinctInstances("r3", 2)
	h.do("ZADD", k[0], "1", "a", "2", "b")
	h.do("ZADD", k[1], "1", "b")
	want := "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,3\r\n"
	if got := h.do3("ZUNION", "2", k[0], k[1], "WITHSCORES"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := h.do3("ZINTER", "2", k[0], k[1]), "*1\r\n$1\r\nb\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestZSetMultiEncoding checks a stored result converts as Redis's does.
func TestZSetMultiEncoding(t *testing.T) {
	h := newHarness(t, 4)
	k := h.keysOnDistinctInstances("enc", 3)
	for i := 0; i < int(encoding().ZSetMaxListpackEntries); i++ {
		h.do("ZADD", k[0], itoa(i), "m"+itoa(i))
	}
	long := strings.Repeat("l", int(encoding().ZSetMaxListpackValue)+1)
	h.do("ZADD", k[1], "1", long, "2", "m0")
	h.run([]step{
		expect("ZUNIONSTORE", k[2], "1", k[0], rInt(encoding().ZSetMaxListpackEntries)),
		expect("OBJECT", "ENCODING", k[2], rBulk("listpack")),
		expect("ZUNIONSTORE", k[2], "2", k[0], k[1], rInt(encoding().ZSetMaxListpackEntries+1)),
		expect("OBJECT", "ENCODING", k[2], rBulk("skiplist")),
		expect("ZINTERSTORE", k[2], "2", k[0], k[1], rOne),
		expect("OBJECT", "ENCODING", k[2], rBulk("listpack")),
		expect("ZDIFFSTORE", k[2], "2", k[1], k[0], rOne),
		expect("OBJECT", "ENCODING", k[2], rBulk("skiplist")),
		expect("ZSCORE", k[2], long, rDbl("1")),
	})
}

// TestZRangeStore stores ranges across instances.
func TestZRangeStore(t *testing.T) {
	h := newHarness(t, 4)
	k := h.keysOnDistinctInstances("rs", 2)
	src, dst := k[0], k[1]
	h.putList("list")
	h.run([]step{
		expect("ZADD", src, "1", "a", "2", "b", "3", "c", rInt(3)),
		expect("ZRANGESTORE", dst, src, "0", "1", "REV", rInt(2)),
		expect("ZRANGE", dst, "0", "-1", "WITHSCORES", rArr(rBulk("b"), rDbl("2"), rBulk("c"), rDbl("3"))),
		expect("ZRANGESTORE", dst, src, "(1", "+inf", "BYSCORE", "LIMIT", "1", "5", rOne),
		expect("ZRANGE", dst, "0", "-1", rArr(rBulk("c"))),
		expect("ZRANGESTORE", dst, src, "[b", "+", "BYLEX", rInt(2)),
		expect("ZRANGESTORE", dst, src, "0", "1", "WITHSCORES", rErr(ErrSyntax)),
		expect("ZRANGESTORE", dst, src, "0", "1", "LIMIT", "x", "1", "WITHSCORES", rErr(ErrNotInteger)),
		expect("ZRANGESTORE", dst, src, "0", "1", "LIMIT", "0", "1", rErr(ErrZRangeLimit)),
		expect("ZRANGESTORE", dst, "list", "0", "1", wrongType),
		expect("EXISTS", dst, rOne),
		expect("ZRANGESTORE", dst, src, "5", "9", rZero),
		expect("EXISTS", dst, rZero),
		expect("ZRANGESTORE", "list", "missing", "0", "1", rZero),
		expect("EXISTS", "list", rZero),
	})
}

// TestZRandMember checks ZRANDMEMBER's errors, its deterministic replies
// and the properties of its random ones.
func TestZRandMember(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("list")
	h.run([]step{
		expect("ZRANDMEMBER", "missing", rNil),
		expect("ZRANDMEMBER", "missing", "3", rArr()),
		expect("ZRANDMEMBER", "list", wrongType),
		expect("ZRANDMEMBER", "list", "1", wrongType),
		expect("ZADD", "z", "1", "a", "2", "b", "3", "c", rInt(3)),
		expect("ZRANDMEMBER", "z", "0", rArr()),
		expect("ZRANDMEMBER", "z", "5", "WITHSCORES", rArr(rBulk("c"), rDbl("3"), rBulk("b"), rDbl("2"), rBulk("a"), rDbl("1"))),
		expect("ZRANDMEMBER", "z", "x", rErr(ErrNotInteger)),
		expect("ZRANDMEMBER", "z", "-9223372036854775808", rErr(ErrOutOfRangeLong)),
		expect("ZRANDMEMBER", "z", "1", "foo", rErr(ErrSyntax)),
		expect("ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES", rErr(ErrValueOutOfRange)),
	})
	for i := 0; i < 50; i++ {
		if got := h.do("ZRANDMEMBER", "z"); got != rBulk("a") && got != rBulk("b") && got != rBulk("c") {
			t.Fatalf("ZRANDMEMBER z: %q", got)
		}
		got := h.do("ZRANDMEMBER", "z", "2")
		if len(got) != len(rArr(rBulk("a"), rBulk("b"))) || strings.Count(got, "$1\r\n") != 2 {
			t.Fatalf("ZRANDMEMBER z 2: %q", got)
		}
		if parts := strings.Split(got, "\r\n"); parts[2] == parts[4] {
			t.Fatalf("ZRANDMEMBER z 2 repeats: %q", got)
		}
		if got := h.do("ZRANDMEMBER", "z", "-5"); !strings.HasPrefix(got, "*5\r\n") {
			t.Fatalf("ZRANDMEMBER z -5: %q", got)
		}
	}
	// A huge negative count is an output-limit overflow, not an allocation.
	if got := h.do("ZRANDMEMBER", "z", "-9223372036854775807"); got != "" || !h.ctx.ReplyOverflow {
		t.Errorf("huge negative count: reply %q, overflow %v", got, h.ctx.ReplyOverflow)
	}
}

// TestZMPopAndZScan pops across instances and scans both encodings.
func TestZMPopAndZScan(t *testing.T) {
	h := newHarness(t, 4)
	k := h.keysOnDistinctInstances("mp", 3)
	h.putList("list")
	pair := func(m, s string) string { return rArr(rBulk(m), rDbl(s)) }
	h.run([]step{
		expect("ZADD", k[1], "1", "a", "2", "b", "3", "c", rInt(3)),
		expect("ZMPOP", "3", k[0], k[1], k[2], "MIN", rArr(rBulk(k[1]), rArr(pair("a", "1")))),
		expect("ZMPOP", "2", k[0], k[1], "MAX", "COUNT", "5", rArr(rBulk(k[1]), rArr(pair("c", "3"), pair("b", "2")))),
		expect("EXISTS", k[1], rZero),
		expect("ZMPOP", "2", k[0], k[1], "MIN", "*-1\r\n"),
		expect("ZMPOP", "2", k[0], "list", "MIN", wrongType),
		expect("ZMPOP", "0", k[0], "MIN", rErr(ErrNumKeysPositive)),
		expect("ZMPOP", "x", k[0], "MIN", rErr(ErrNumKeysPositive)),
		expect("ZMPOP", "2", k[0], "MIN", rErr(ErrSyntax)),
		expect("ZMPOP", "9223372036854775807", k[0], "MIN", rErr(ErrSyntax)),
		expect("ZMPOP", "1", k[0], "FOO", rErr(ErrSyntax)),
		expect("ZMPOP", "1", k[0], "MIN", "COUNT", "0", rErr(ErrCountPositive)),
		expect("ZMPOP", "1", k[0], "MIN", "COUNT", "1", "COUNT", "1", rErr(ErrSyntax)),
		expect("ZADD", k[2], "1.5", "a", "inf", "b", rInt(2)),
		expect("ZSCAN", k[2], "0", rArr(rBulk("0"), rArr(rBulk("a"), rBulk("1.5"), rBulk("b"), rBulk("inf")))),
		expect("ZSCAN", k[2], "0", "MATCH", "b", rArr(rBulk("0"), rArr(rBulk("b"), rBulk("inf")))),
		expect("ZSCAN", k[2], "0", "COUNT", "0", rErr(ErrSyntax)),
		expect("ZSCAN", k[2], "x", rErr(ErrInvalidCursor)),
		expect("ZSCAN", "missing", "0", "COUNT", "0", rArr(rBulk("0"), rArr())),
		expect("ZSCAN", "list", "0", wrongType),
	})
	if got, want := h.do3("ZMPOP", "1", k[2], "MAX"), "*2\r\n"+rBulk(k[2])+"*1\r\n*2\r\n$1\r\nb\r\n,inf\r\n"; got != want {
		t.Errorf("RESP3 ZMPOP: got %q, want %q", got, want)
	}
	// A skiplist scans in pieces; a full walk returns each member once.
	for i := 0; i < 200; i++ {
		h.do("ZADD", "big", itoa(i), "m"+itoa(i))
	}
	seen := map[string]int{}
	cursor := "0"
	for calls := 0; calls == 0 || cursor != "0"; calls++ {
		parts := strings.Split(h.do("ZSCAN", "big", cursor, "COUNT", "20"), "\r\n")
		cursor = parts[2]
		for i := 5; i < len(parts); i += 4 {
			seen[parts[i]]++
		}
		if calls > 500 {
			t.Fatal("ZSCAN does not end")
		}
	}
	if len(seen) != 200 {
		t.Errorf("ZSCAN walk saw %d members, want 200", len(seen))
	}
	for m, n := range seen {
		if n != 1 {
			t.Errorf("%s seen %d times", m, n)
		}
	}
}
