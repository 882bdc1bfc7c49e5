package storage

import (
	"math/big"
	"strings"
	"testing"
)

// rMap3 is a RESP3 map of the given key/value replies.
func rMap3(kv ...string) string { return "%" + itoa(len(kv)/2) + "\r\n" + strings.Join(kv, "") }

func TestHashCommands(t *testing.T) {
	notInt := rErr(ErrNotInteger)
	tests := []struct {
		name  string
		steps []step
	}{
		{"HSET and HGET", []step{
			expect("HSET", "h", "a", "1", "b", "2", rInt(2)),
			expect("HSET", "h", "a", "x", "c", "3", rOne),
			expect("HSET", "h", "d", "4", "d", "5", rOne),
			expect("HGET", "h", "a", rBulk("x")),
			expect("HGET", "h", "d", rBulk("5")),
			expect("HGET", "h", "zz", rNil),
			expect("HGET", "missing", "a", rNil),
			expect("HSET", "h", "a", rErr(ErrWrongArgs("hset"))),
			expect("HMSET", "h", "a", "1", "b", rErr(ErrWrongArgs("hmset"))),
			expect("HMSET", "h", "e", "", rOK),
			expect("HGET", "h", "e", rEmpty),
			expect("TYPE", "h", "+hash\r\n"),
			expect("OBJECT", "ENCODING", "h", rBulk("listpack")),
			expect("HSET", "list", "a", "1", wrongType),
			expect("HGET", "list", "a", wrongType),
		}},
		{"HSETNX", []step{
			expect("HSETNX", "h", "a", "1", rOne),
			expect("HSETNX", "h", "a", "2", rZero),
			expect("HGET", "h", "a", rBulk("1")),
			expect("HSETNX", "list", "a", "1", wrongType),
		}},
		{"HMGET", []step{
			expect("HSET", "h", "a", "1", rOne),
			expect("HMGET", "h", "a", "b", "a", rArr(rBulk("1"), rNil, rBulk("1"))),
			expect("HMGET", "missing", "a", "b", rArr(rNil, rNil)),
			expect("HMGET", "list", "a", wrongType),
		}},
		{"HDEL deletes the emptied key", []step{
			expect("HSET", "h", "a", "1", "b", "2", rInt(2)),
			expect("HDEL", "h", "a", "a", "zz", rOne),
			expect("HDEL", "missing", "a", rZero),
			expect("HDEL", "list", "a", wrongType),
			expect("HDEL", "h", "b", rOne),
			expect("EXISTS", "h", rZero),
			expect("HLEN", "h", rZero),
		}},
		{"HEXISTS HLEN HSTRLEN", []step{
			expect("HSET", "h", "a", "hello", "n", "-12", rInt(2)),
			expect("HEXISTS", "h", "a", rOne),
			expect("HEXISTS", "h", "b", rZero),
			expect("HEXISTS", "missing", "b", rZero),
			expect("HLEN", "h", rInt(2)),
			expect("HSTRLEN", "h", "a", rInt(5)),
			expect("HSTRLEN", "h", "n", rInt(3)),
			expect("HSTRLEN", "h", "zz", rZero),
			expect("HSTRLEN", "missing", "zz", rZero),
			expect("HEXISTS", "list", "a", wrongType),
			expect("HLEN", "list", wrongType),
			expect("HSTRLEN", "list", "a", wrongType),
		}},
		{"HKEYS HVALS HGETALL keep insertion order", []step{
			expect("HSET", "h", "z", "1", "a", "2", "m", "3", rInt(3)),
			expect("HDEL", "h", "a", rOne),
			expect("HSET", "h", "a", "4", "z", "5", rOne),
			expect("HKEYS", "h", rArr(rBulk("z"), rBulk("m"), rBulk("a"))),
			expect("HVALS", "h", rArr(rBulk("5"), rBulk("3"), rBulk("4"))),
			expect("HGETALL", "h", rArr(rBulk("z"), rBulk("5"), rBulk("m"), rBulk("3"), rBulk("a"), rBulk("4"))),
			expect("HGETALL", "missing", "*0\r\n"),
			expect("HKEYS", "missing", "*0\r\n"),
			expect("HVALS", "list", wrongType),
		}},
		{"HINCRBY", []step{
			expect("HINCRBY", "h", "n", "5", rInt(5)),
			expect("HINCRBY", "h", "n", "-7", rInt(-2)),
			expect("HINCRBY", "h", "n", "x", notInt),
			expect("HINCRBY", "h", "n", "1.5", notInt),
			expect("HSET", "h", "s", "abc", "f", "1.5", "z", "007", "m", "9223372036854775807", rInt(4)),
			expect("HINCRBY", "h", "s", "1", rErr(ErrHashNotInteger)),
			expect("HINCRBY", "h", "f", "1", rErr(ErrHashNotInteger)),
			expect("HINCRBY", "h", "z", "1", rErr(ErrHashNotInteger)),
			expect("HINCRBY", "h", "m", "1", rErr(ErrOverflow)),
			expect("HINCRBY", "h", "m", "-9223372036854775807", rZero),
			expect("HINCRBY", "h", "m", "-9223372036854775808", rInt(-9223372036854775808)),
			expect("HINCRBY", "h", "m", "-1", rErr(ErrOverflow)),
			expect("HINCRBY", "list", "n", "1", wrongType),
			expect("HINCRBY", "new", "n", "x", notInt),
			expect("EXISTS", "new", rZero),
		}},
		{"HINCRBYFLOAT", []step{
			expect("HINCRBYFLOAT", "h", "f", "10.5", rBulk("10.5")),
			expect("HINCRBYFLOAT", "h", "f", "0.1", rBulk("10.6")),
			expect("HINCRBYFLOAT", "h", "f", "-5.0e3", rBulk("-4989.39999999999999991")),
			expect("HINCRBYFLOAT", "h", "f", "abc", rErr(ErrNotFloat)),
			expect("HINCRBYFLOAT", "h", "f", "inf", rErr(ErrHashIncrNaNOrInf)),
			expect("HSET", "h", "s", "x", rOne),
			expect("HINCRBYFLOAT", "h", "s", "1", rErr(ErrHashNotFloat)),
			expect("HINCRBYFLOAT", "h", "big", "1e4932", rBulk(string(formatLongDoubleHuman(mustLongDouble(t, "1e4932"))))),
			expect("HINCRBYFLOAT", "h", "big", "1e4932", rErr(ErrIncrNaNOrInf)),
			expect("HINCRBYFLOAT", "list", "f", "1", wrongType),
			expect("HINCRBYFLOAT", "new", "f", "nan", rErr(ErrNotFloat)),
			expect("EXISTS", "new", rZero),
		}},
		{"HRANDFIELD", []step{
			expect("HRANDFIELD", "missing", rNil),
			expect("HRANDFIELD", "missing", "5", "*0\r\n"),
			expect("HRANDFIELD", "list", wrongType),
			expect("HRANDFIELD", "list", "0", wrongType),
			expect("HSET", "h", "a", "1", rOne),
			expect("HRANDFIELD", "h", rBulk("a")),
			expect("HRANDFIELD", "h", "0", "*0\r\n"),
			expect("HRANDFIELD", "h", "1", rArr(rBulk("a"))),
			expect("HRANDFIELD", "h", "-3", rArr(rBulk("a"), rBulk("a"), rBulk("a"))),
			expect("HRANDFIELD", "h", "-2", "WITHVALUES", rArr(rBulk("a"), rBulk("1"), rBulk("a"), rBulk("1"))),
			expect("HRANDFIELD", "h", "5", "withvalues", rArr(rBulk("a"), rBulk("1"))),
			expect("HRANDFIELD", "h", "5", "bogus", rErr(ErrSyntax)),
			expect("HRANDFIELD", "h", "5", "withvalues", "x", rErr(ErrSyntax)),
			expect("HRANDFIELD", "h", "x", notInt),
			expect("HRANDFIELD", "h", "-9223372036854775808", rErr(ErrOutOfRangeLong)),
			expect("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES", rErr(ErrValueOutOfRange)),
			expect("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES", rErr(ErrValueOutOfRange)),
		}},
		{"HSCAN", []step{
			expect("HSCAN", "missing", "0", "COUNT", "abc", rArr(rBulk("0"), "*0\r\n")),
			expect("HSCAN", "missing", "x", rErr(ErrInvalidCursor)),
			expect("HSCAN", "list", "0", wrongType),
			expect("HSET", "h", "ab", "1", "b", "2", "ac", "3", rInt(3)),
			expect("HSCAN", "h", "0", rArr(rBulk("0"), rArr(rBulk("ab"), rBulk("1"), rBulk("b"), rBulk("2"), rBulk("ac"), rBulk("3")))),
			expect("HSCAN", "h", "0", "MATCH", "a*", "COUNT", "1", rArr(rBulk("0"), rArr(rBulk("ab"), rBulk("1"), rBulk("ac"), rBulk("3")))),
			expect("HSCAN", "h", "0", "COUNT", "0", rErr(ErrSyntax)),
			expect("HSCAN", "h", "0", "COUNT", "x", notInt),
			expect("HSCAN", "h", "0", "TYPE", "hash", rErr(ErrSyntax)),
			expect("HSCAN", "h", "0", "MATCH", rErr(ErrSyntax)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, 4)
			h.putList("list")
			h.run(tt.steps)
		})
	}
}

func mustLongDouble(t *testing.T, s string) *big.Float {
	f := newLongDouble()
	if !parseLongDouble(f, []byte(s)) {
		t.Fatalf("parseLongDouble(%q) failed", s)
	}
	return f
}

func TestHashRESP3(t *testing.T) {
	h := newHarness(t, 2)
	h.do("HSET", "h", "a", "1", "b", "2")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"HGETALL", "h"}, rMap3(rBulk("a"), rBulk("1"), rBulk("b"), rBulk("2"))},
		{[]string{"HGETALL", "missing"}, "%0\r\n"},
		{[]string{"HGET", "h", "zz"}, rNil3},
		{[]string{"HMGET", "h", "zz", "a"}, rArr(rNil3, rBulk("1"))},
		{[]string{"HRANDFIELD", "missing"}, rNil3},
		{[]string{"HRANDFIELD", "h", "5", "WITHVALUES"}, rArr(rArr(rBulk("a"), rBulk("1")), rArr(rBulk("b"), rBulk("2")))},
		{[]string{"HRANDFIELD", "h", "1", "WITHVALUES"}, ""}, // shape only, below
	} {
		got := h.do3(c.args...)
		if c.want == "" {
			if !strings.HasPrefix(got, "*1\r\n*2\r\n") {
				t.Errorf("%q = %q, want one nested pair", c.args, got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%q = %q, want %q", c.args, got, c.want)
		}
	}
}

// TestHashEncodingConversion checks the listpack → hashtable switch at
// Redis's default limits, and that it never switches back.
func TestHashEncodingConversion(t *testing.T) {
	h := newHarness(t, 2)
	enc := func(key string) string { return h.do("OBJECT", "ENCODING", key) }
	max := int(encoding().HashMaxListpackEntries)
	for i := 0; i < max; i++ {
		h.do("HSET", "h", "f"+itoa(i), "v")
	}
	if got := enc("h"); got != rBulk("listpack") {
		t.Fatalf("%d fields: %q", max, got)
	}
	h.do("HSET", "h", "f"+itoa(max), "v")
	if got := enc("h"); got != rBulk("hashtable") {
		t.Fatalf("%d fields: %q", max+1, got)
	}
	for i := 0; i < max; i++ {
		h.do("HDEL", "h", "f"+itoa(i))
	}
	if got := enc("h"); got != rBulk("hashtable") {
		t.Fatalf("after deletes: %q", got)
	}
	if got := h.do("HGETALL", "h"); got != rArr(rBulk("f"+itoa(max)), rBulk("v")) {
		t.Fatalf("HGETALL after deletes: %q", got)
	}

	long := strings.Repeat("x", 65)
	for _, c := range []struct {
		args []string
		enc  string
	}{
		{[]string{"HSET", "a", "f", strings.Repeat("x", 64)}, rBulk("listpack")},
		{[]string{"HSET", "b", "f", long}, rBulk("hashtable")},
		{[]string{"HSET", "c", long, "v"}, rBulk("hashtable")},
		{[]string{"HSETNX", "d", "f", long}, rBulk("hashtable")},
		{[]string{"HINCRBY", "e", long, "1"}, rBulk("hashtable")},
		{[]string{"HINCRBYFLOAT", "g", long, "1"}, rBulk("hashtable")},
	} {
		h.do(c.args...)
		if got := enc(c.args[1]); got != c.enc {
			t.Errorf("%q: encoding %q, want %q", c.args, got, c.enc)
		}
	}
}

// TestHashtableOps exercises the indexed form: swap-on-delete must keep
// the index right, and a full HSCAN walk must see every field once.
func TestHashtableOps(t *testing.T) {
	h := newHarness(t, 1)
	want := map[string]string{}
	for i := 0; i < int(encoding().HashMaxListpackEntries)+100; i++ {
		h.do("HSET", "h", "f"+itoa(i), "v"+itoa(i))
		want["f"+itoa(i)] = "v" + itoa(i)
	}
	for i := 0; i < int(encoding().HashMaxListpackEntries)+100; i += 3 {
		if got := h.do("HDEL", "h", "f"+itoa(i)); got != rOne {
			t.Fatalf("HDEL f%d = %q", i, got)
		}
		delete(want, "f"+itoa(i))
	}
	for f, v := range want {
		if got := h.do("HGET", "h", f); got != rBulk(v) {
			t.Fatalf("HGET %s = %q, want %q", f, got, v)
		}
	}
	if got := h.do("HLEN", "h"); got != rInt(int64(len(want))) {
		t.Fatalf("HLEN = %q", got)
	}
	seen := map[string]int{}
	cursor := "0"
	for calls := 0; ; calls++ {
		if calls > 100 {
			t.Fatal("HSCAN does not terminate")
		}
		var hv *hashValue
		hv = h.peek(0, "h").Obj().(*hashValue)
		pos := hv.positions()
		next, idx := opHScan(hv, pos, parseCursorT(t, cursor), 17, nil)
		for _, i := range idx {
			f, _ := pos.at(i)
			seen[string(f)]++
		}
		// Deleting mid-walk must not hide fields that stay.
		if calls == 2 {
			h.do("HDEL", "h", "f1", "f2")
			delete(want, "f1")
			delete(want, "f2")
		}
		if next == 0 {
			break
		}
		cursor = itoa64(int64(next))
	}
	for f := range want {
		if seen[f] == 0 {
			t.Errorf("HSCAN walk missed %s", f)
		}
	}
}

func parseCursorT(t *testing.T, s string) uint64 {
	c, ok := parseCursor([]byte(s))
	if !ok {
		t.Fatalf("bad cursor %q", s)
	}
	return c
}

// TestHashCopyAndStoresACopy checks COPY deep-copies (Clone) and that
// stored fields do not alias the request buffer.
func TestHashCopyAndStoresACopy(t *testing.T) {
	h := newHarness(t, 2)
	args := byteArgs([]string{"HSET", "h", "field", "value"})
	h.exec(2, args)
	copy(args[2], "XXXXX")
	copy(args[3], "XXXXX")
	if got := h.do("HGETALL", "h"); got != rArr(rBulk("field"), rBulk("value")) {
		t.Fatalf("HGETALL after reusing buffers = %q", got)
	}
	for i := 0; i < int(encoding().HashMaxListpackEntries)+1; i++ {
		h.do("HSET", "big", "f"+itoa(i), "v")
	}
	for _, k := range []string{"h", "big"} {
		if got := h.do("COPY", k, k+"2"); got != rOne {
			t.Fatalf("COPY %s = %q", k, got)
		}
		h.do("HSET", k+"2", "field", "changed")
		h.do("HDEL", k+"2", "f5")
		if got := h.do("HGET", k, "field"); k == "h" && got != rBulk("value") || k == "big" && got != rNil {
			t.Errorf("COPY shares structure: HGET %s field = %q", k, got)
		}
		if got, want := h.do("OBJECT", "ENCODING", k+"2"), h.do("OBJECT", "ENCODING", k); got != want {
			t.Errorf("COPY encoding %q, want %q", got, want)
		}
	}
	if got := h.do("HEXISTS", "big", "f5"); got != rOne {
		t.Errorf("HDEL on the copy changed the original")
	}
}

// TestHashMemoryAccounting checks the instance counter follows in-place
// changes and returns to its start when the hash goes.
func TestHashMemoryAccounting(t *testing.T) {
	h := newHarness(t, 1)
	used := func() int64 { return h.eng.insts[0].used.Load() }
	base := used()
	h.do("HSET", "h", "a", "1")
	one := used()
	h.do("HSET", "h", "b", strings.Repeat("x", 1000))
	if used() < one+1000 {
		t.Errorf("used %d after a 1000-byte value, was %d", used(), one)
	}
	h.do("HDEL", "h", "a", "b")
	if used() != base {
		t.Errorf("used %d after the hash went, want %d", used(), base)
	}
}

// TestHRandFieldHugeCount checks a reply too large to build closes the
// client (ReplyOverflow) instead of exhausting memory.
func TestHRandFieldHugeCount(t *testing.T) {
	h := newHarness(t, 1)
	h.do("HSET", "h", "a", "1")
	if got := h.do("HRANDFIELD", "h", "-9223372036854775807"); got != "" || !h.ctx.ReplyOverflow {
		t.Errorf("huge negative count: reply %q, overflow %v", got, h.ctx.ReplyOverflow)
	}
	if got := h.do("HRANDFIELD", "missing", "-9223372036854775807"); got != "*0\r\n" {
		t.Errorf("huge negative count on a missing key: %q", got)
	}
}
