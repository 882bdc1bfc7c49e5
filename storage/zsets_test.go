package storage

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// rDbl is a RESP2 score: a bulk string in %.17g, as Redis 7.0 replies.
func rDbl(s string) string { return rBulk(s) }

func TestZSetCommands(t *testing.T) {
	notFloat := rErr(ErrNotFloat)
	tests := []struct {
		name  string
		steps []step
	}{
		{"ZADD options and errors", []step{
			expect("ZADD", "z", "1", "a", "2", "b", rInt(2)),
			expect("ZADD", "z", "CH", "1", "a", "3", "b", "4", "c", rInt(2)),
			expect("ZADD", "z", "NX", "9", "a", "5", "d", rOne),
			expect("ZADD", "z", "XX", "CH", "9", "a", "5", "e", rOne),
			expect("ZADD", "z", "GT", "CH", "1", "a", "10", "b", rOne),
			expect("ZADD", "z", "LT", "CH", "100", "a", "0", "b", rOne),
			expect("ZADD", "z", "nx", "xx", "1", "a", rErr(ErrZAddNXAndXX)),
			expect("ZADD", "z", "gt", "lt", "1", "a", rErr(ErrZAddGTLTNX)),
			expect("ZADD", "z", "nx", "gt", "1", "a", rErr(ErrZAddGTLTNX)),
			expect("ZADD", "z", "incr", "1", "a", "2", "b", rErr(ErrZAddIncrPair)),
			expect("ZADD", "z", "1", "a", "x", rErr(ErrSyntax)),
			expect("ZADD", "z", "nan", "a", notFloat),
			expect("ZADD", "z", "1e400", "a", notFloat),
			expect("ZADD", "z", "1e-400", "a", notFloat),
			expect("ZADD", "z", " 1", "a", notFloat),
			expect("ZADD", "z", "", "a", notFloat),
			expect("ZADD", "z", "1_0", "a", notFloat),
			expect("ZADD", "z", "0x10", "hex", rOne),
			expect("ZSCORE", "z", "hex", rDbl("16")),
			expect("ZADD", "list", "1", "a", wrongType),
		}},
		{"ZADD INCR and ZINCRBY", []step{
			expect("ZADD", "z", "INCR", "1.5", "a", rDbl("1.5")),
			expect("ZADD", "z", "INCR", "NX", "1", "a", rNil),
			expect("ZADD", "z", "INCR", "GT", "-1", "a", rNil),
			expect("ZADD", "z", "XX", "INCR", "1", "nokey", rNil),
			expect("ZADD", "new", "XX", "1", "a", rZero),
			expect("EXISTS", "new", rZero),
			expect("ZINCRBY", "z", "0.1", "a", rDbl("1.6000000000000001")),
			expect("ZINCRBY", "z", "inf", "a", rDbl("inf")),
			expect("ZINCRBY", "z", "-inf", "a", rErr(ErrZSetScoreNaN)),
			expect("ZINCRBY", "z", "x", "a", notFloat),
			expect("ZINCRBY", "z", "nx", "a", rErr(ErrSyntax)),
			expect("ZINCRBY", "list", "1", "a", wrongType),
		}},
		{"ZSCORE ZMSCORE ZCARD and score formatting", []step{
			expect("ZADD", "z", "1.1", "a", "3.0", "b", "1e20", "c", "-inf", "d", "-0.0", "e", rInt(5)),
			expect("ZSCORE", "z", "a", rDbl("1.1000000000000001")),
			expect("ZSCORE", "z", "b", rDbl("3")),
			expect("ZSCORE", "z", "c", rDbl("1e+20")),
			expect("ZSCORE", "z", "d", rDbl("-inf")),
			expect("ZSCORE", "z", "e", rDbl("0")),
			expect("ZSCORE", "z", "zz", rNil),
			expect("ZSCORE", "missing", "a", rNil),
			expect("ZMSCORE", "z", "b", "zz", rArr(rDbl("3"), rNil)),
			expect("ZMSCORE", "missing", "a", rArr(rNil)),
			expect("ZCARD", "z", rInt(5)),
			expect("ZCARD", "missing", rZero),
			expect("ZSCORE", "list", "a", wrongType),
			expect("ZCARD", "list", wrongType),
		}},
		{"ZREM deletes the emptied key", []step{
			expect("ZADD", "z", "1", "a", "2", "b", rInt(2)),
			expect("ZREM", "z", "a", "a", "zz", rOne),
			expect("ZREM", "missing", "a", rZero),
			expect("ZREM", "list", "a", wrongType),
			expect("ZREM", "z", "b", rOne),
			expect("EXISTS", "z", rZero),
		}},
		{"ZCOUNT ZRANK ZREVRANK", []step{
			expect("ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", rInt(4)),
			expect("ZCOUNT", "z", "-inf", "+inf", rInt(4)),
			expect("ZCOUNT", "z", "(1", "2", rInt(2)),
			expect("ZCOUNT", "z", "2", "(3", rInt(2)),
			expect("ZCOUNT", "z", "3", "1", rZero),
			expect("ZCOUNT", "z", "", " 5", rInt(4)),
			expect("ZCOUNT", "z", "1", "2\x00junk", rInt(3)),
			expect("ZCOUNT", "z", "x", "1", rErr(ErrZSetMinMaxFloat)),
			expect("ZCOUNT", "z", "1", "nan", rErr(ErrZSetMinMaxFloat)),
			expect("ZCOUNT", "list", "x", "1", rErr(ErrZSetMinMaxFloat)),
			expect("ZCOUNT", "list", "1", "2", wrongType),
			expect("ZRANK", "z", "c", rInt(2)),
			expect("ZREVRANK", "z", "c", rOne),
			expect("ZRANK", "z", "zz", rNil),
			expect("ZRANK", "missing", "a", rNil),
			expect("ZRANK", "list", "a", wrongType),
		}},
		{"ZRANGE by rank, score and lex", []step{
			expect("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", rInt(4)),
			expect("ZRANGE", "z", "1", "-2", rArr(rBulk("b"), rBulk("c"))),
			expect("ZRANGE", "z", "-100", "0", "WITHSCORES", rArr(rBulk("a"), rDbl("1"))),
			expect("ZRANGE", "z", "0", "1", "REV", rArr(rBulk("d"), rBulk("c"))),
			expect("ZREVRANGE", "z", "0", "0", rArr(rBulk("d"))),
			expect("ZRANGE", "z", "2", "1", "*0\r\n"),
			expect("ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", "1", "1", rArr(rBulk("c"))),
			expect("ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", "-1", "1", "*0\r\n"),
			expect("ZRANGEBYSCORE", "z", "2", "3", "LIMIT", "0", "-1", rArr(rBulk("b"), rBulk("c"))),
			expect("ZREVRANGEBYSCORE", "z", "3", "(1", rArr(rBulk("c"), rBulk("b"))),
			expect("ZRANGEBYLEX", "z", "[b", "(d", rArr(rBulk("b"), rBulk("c"))),
			expect("ZREVRANGEBYLEX", "z", "+", "(b", "LIMIT", "1", "5", rArr(rBulk("c"))),
			expect("ZLEXCOUNT", "z", "-", "+", rInt(4)),
			expect("ZLEXCOUNT", "z", "(b", "(b", rZero),
			expect("ZRANGE", "z", "0", "-1", "LIMIT", "0", "1", rErr(ErrZRangeLimit)),
			expect("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES", rErr(ErrZRangeLexScores)),
			expect("ZREVRANGE", "z", "0", "1", "REV", rErr(ErrSyntax)),
			expect("ZRANGE", "z", "0", "1", "LIMIT", "0", rErr(ErrSyntax)),
			expect("ZRANGEBYLEX", "z", "a", "b", rErr(ErrZSetMinMaxLex)),
			expect("ZRANGE", "missing", "x", "y", rErr(ErrNotInteger)),
			expect("ZRANGE", "missing", "0", "1", "*0\r\n"),
			expect("ZRANGE", "list", "0", "1", wrongType),
		}},
		{"ZPOPMIN ZPOPMAX", []step{
			expect("ZADD", "z", "1", "a", "2", "b", "3", "c", rInt(3)),
			expect("ZPOPMIN", "z", rArr(rBulk("a"), rDbl("1"))),
			expect("ZPOPMAX", "z", "5", rArr(rBulk("c"), rDbl("3"), rBulk("b"), rDbl("2"))),
			expect("EXISTS", "z", rZero),
			expect("ZPOPMIN", "z", "-1", rErr(ErrOutOfRangePositive)),
			expect("ZPOPMIN", "z", "1", "2", rErr(ErrSyntax)),
			expect("ZPOPMIN", "missing", "*0\r\n"),
			expect("ZPOPMIN", "list", "0", wrongType),
		}},
		{"ZREMRANGEBY*", []step{
			expect("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", rInt(5)),
			expect("ZREMRANGEBYRANK", "z", "-1", "-1", rOne),
			expect("ZREMRANGEBYRANK", "z", "3", "1", rZero),
			expect("ZREMRANGEBYSCORE", "z", "(1", "2", rOne),
			expect("ZREMRANGEBYLEX", "z", "-", "[a", rOne),
			expect("ZRANGE", "z", "0", "-1", rArr(rBulk("c"), rBulk("d"))),
			expect("ZREMRANGEBYRANK", "z", "x", "1", rErr(ErrNotInteger)),
			expect("ZREMRANGEBYSCORE", "list", "x", "1", rErr(ErrZSetMinMaxFloat)),
			expect("ZREMRANGEBYLEX", "list", "-", "+", wrongType),
			expect("ZREMRANGEBYRANK", "z", "0", "-1", rInt(2)),
			expect("EXISTS", "z", rZero),
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

// TestZSetRESP3 pins the RESP3 shapes: doubles, nested WITHSCORES pairs,
// and ZPOPMIN's flat pair without a count.
func TestZSetRESP3(t *testing.T) {
	h := newHarness(t, 1)
	h.do("ZADD", "z", "1.5", "a", "2", "b")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ZSCORE", "z", "a"}, ",1.5\r\n"},
		{[]string{"ZSCORE", "z", "zz"}, rNil3},
		{[]string{"ZADD", "z", "NX", "INCR", "1", "a"}, rNil3},
		{[]string{"ZRANGE", "z", "0", "-1", "WITHSCORES"}, "*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n"},
		{[]string{"ZPOPMIN", "z"}, "*2\r\n$1\r\na\r\n,1.5\r\n"},
		{[]string{"ZPOPMIN", "z", "1"}, "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n"},
	} {
		if got := h.do3(c.args...); got != c.want {
			t.Errorf("%q: got %q, want %q", c.args, got, c.want)
		}
	}
}

// TestZSetEncoding checks the listpack limits and that conversion is for
// good, and that COPY gives an independent set with the same encoding.
func TestZSetEncoding(t *testing.T) {
	h := newHarness(t, 1)
	for i := 0; i < int(encoding().ZSetMaxListpackEntries); i++ {
		h.do("ZADD", "z", itoa(i), "m"+itoa(i))
	}
	if got := h.do("OBJECT", "ENCODING", "z"); got != rBulk("listpack") {
		t.Fatalf("at %d entries: %q", int(encoding().ZSetMaxListpackEntries), got)
	}
	h.do("ZADD", "z", "0", "m0") // an update never converts
	h.do("ZADD", "z", "1000", "last")
	if got := h.do("OBJECT", "ENCODING", "z"); got != rBulk("skiplist") {
		t.Fatalf("past the limit: %q", got)
	}
	h.do("ZREMRANGEBYRANK", "z", "0", "-3")
	if got := h.do("OBJECT", "ENCODING", "z"); got != rBulk("skiplist") {
		t.Errorf("shrinking converted back: %q", got)
	}
	h.do("ZADD", "long", "1", strings.Repeat("x", int(encoding().ZSetMaxListpackValue)))
	if got := h.do("OBJECT", "ENCODING", "long"); got != rBulk("listpack") {
		t.Errorf("64-byte member: %q", got)
	}
	h.do("ZADD", "long", "1", strings.Repeat("x", int(encoding().ZSetMaxListpackValue)+1))
	if got := h.do("OBJECT", "ENCODING", "long"); got != rBulk("skiplist") {
		t.Errorf("65-byte member: %q", got)
	}
	for _, k := range []string{"z", "long"} {
		want := h.do("ZRANGE", k, "0", "-1", "WITHSCORES")
		h.do("COPY", k, k+"2")
		h.do("ZADD", k+"2", "5", "extra")
		if got := h.do("ZRANGE", k, "0", "-1", "WITHSCORES"); got != want {
			t.Errorf("COPY shares structure with %s", k)
		}
		if got, want := h.do("OBJECT", "ENCODING", k+"2"), h.do("OBJECT", "ENCODING", k); got != want {
			t.Errorf("COPY encoding %q, want %q", got, want)
		}
	}
}

// TestZSetArgumentsCopied checks the set keeps no reference into the
// command's argument buffers, which the connection reuses.
func TestZSetArgumentsCopied(t *testing.T) {
	h := newHarness(t, 1)
	args := byteArgs([]string{"ZADD", "z", "1", "member"})
	h.exec(2, args)
	copy(args[3], "XXXXXX")
	if got := h.do("ZRANGE", "z", "0", "-1"); got != rArr(rBulk("member")) {
		t.Fatalf("after reusing buffers: %q", got)
	}
}

// TestZSetMemoryAccounting checks the instance counter returns to its
// start when the set goes.
func TestZSetMemoryAccounting(t *testing.T) {
	h := newHarness(t, 1)
	used := func() int64 { return h.eng.insts[0].used.Load() }
	base := used()
	h.do("ZADD", "z", "1", strings.Repeat("x", 1000))
	if used() < base+1000 {
		t.Errorf("used %d after a 1000-byte member, was %d", used(), base)
	}
	h.do("ZPOPMIN", "z")
	if used() != base {
		t.Errorf("used %d after the set went, want %d", used(), base)
	}
}

// TestZSetModel runs random operations on both encodings against a
// sorted slice, checking ranks, positions, counts and lengths; it is what
// guards the skiplist's span bookkeeping.
func TestZSetModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, big := range []bool{false, true} {
		z := newZSetValue()
		if big {
			z.convert()
		}
		model := map[string]float64{}
		for i := 0; i < 3000; i++ {
			m := []byte("m" + itoa(rng.IntN(200)))
			s := float64(rng.IntN(20))
			switch op := rng.IntN(4); {
			case op < 2:
				if old, ok := z.score(m); ok {
					z.update(m, old, s)
				} else {
					z.add(m, s)
				}
				model[string(m)] = s
			case op == 2:
				if z.remove(m) != hasKey(model, string(m)) {
					t.Fatalf("remove %s disagrees", m)
				}
				delete(model, string(m))
			default:
				lo := rng.IntN(z.Len() + 1)
				hi := min(lo+rng.IntN(5), z.Len()-1)
				for _, e := range zsetSorted(model)[lo : hi+1] {
					delete(model, e.member)
				}
				z.removeRanks(lo, hi)
			}
			checkZSetModel(t, z, model, big)
		}
	}
}

func hasKey(m map[string]float64, k string) bool { _, ok := m[k]; return ok }

func zsetSorted(model map[string]float64) []zentry {
	var es []zentry
	for m, s := range model {
		es = append(es, zentry{m, s})
	}
	slices.SortFunc(es, func(a, b zentry) int {
		if zless(a.score, a.member, b.score, b.member) {
			return -1
		}
		return 1
	})
	return es
}

func checkZSetModel(t *testing.T, z *zsetValue, model map[string]float64, big bool) {
	t.Helper()
	want := zsetSorted(model)
	if z.Len() != len(want) || big && z.tree == nil {
		t.Fatalf("len %d, want %d (skiplist %v)", z.Len(), len(want), z.tree != nil)
	}
	var got []zentry
	z.each(0, z.Len()-1, false, func(e zentry) bool { got = append(got, e); return true })
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	for i, e := range want {
		if r := z.rank([]byte(e.member)); r != i {
			t.Fatalf("rank of %s = %d, want %d", e.member, r, i)
		}
		if a := z.at(i); a != e {
			t.Fatalf("at(%d) = %v, want %v", i, a, e)
		}
	}
	for s := -1.0; s <= 20; s += 0.5 {
		n := 0
		for _, e := range want {
			if e.score < s {
				n++
			}
		}
		if got := z.countBelow(s, false); got != n {
			t.Fatalf("countBelow(%v) = %d, want %d", s, got, n)
		}
	}
	if z.Len() > 0 && math.IsNaN(z.at(0).score) {
		t.Fatal("NaN score stored")
	}
}
