package storage

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// rStrs is an array of bulk strings.
func rStrs(items ...string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = rBulk(s)
	}
	return rArr(out...)
}

func TestListCommands(t *testing.T) {
	notInt := rErr(ErrNotInteger)
	tests := []struct {
		name  string
		steps []step
	}{
		{"LPUSH RPUSH LRANGE", []step{
			expect("RPUSH", "l", "a", "b", rInt(2)),
			expect("LPUSH", "l", "x", "y", rInt(4)),
			expect("LRANGE", "l", "0", "-1", rStrs("y", "x", "a", "b")),
			expect("LRANGE", "l", "-2", "100", rStrs("a", "b")),
			expect("LRANGE", "l", "-100", "0", rStrs("y")),
			expect("LRANGE", "l", "2", "1", "*0\r\n"),
			expect("LRANGE", "l", "4", "10", "*0\r\n"),
			expect("LRANGE", "l", "x", "1", notInt),
			expect("LRANGE", "missing", "x", "1", notInt),
			expect("LRANGE", "missing", "0", "1", "*0\r\n"),
			expect("TYPE", "l", "+list\r\n"),
			expect("OBJECT", "ENCODING", "l", rBulk("quicklist")),
			expect("LPUSH", "s", "a", wrongType),
			expect("RPUSH", "s", "a", wrongType),
			expect("LRANGE", "s", "0", "1", wrongType),
		}},
		{"LPUSHX RPUSHX", []step{
			expect("LPUSHX", "l", "a", rZero),
			expect("RPUSHX", "l", "a", rZero),
			expect("EXISTS", "l", rZero),
			expect("RPUSH", "l", "m", rOne),
			expect("LPUSHX", "l", "a", "b", rInt(3)),
			expect("RPUSHX", "l", "z", rInt(4)),
			expect("LRANGE", "l", "0", "-1", rStrs("b", "a", "m", "z")),
			expect("LPUSHX", "s", "a", wrongType),
		}},
		{"LPOP RPOP", []step{
			expect("LPOP", "missing", rNil),
			expect("LPOP", "missing", "2", "*-1\r\n"),
			expect("LPOP", "missing", "-1", rErr(ErrOutOfRangePositive)),
			expect("LPOP", "missing", "x", rErr(ErrOutOfRangePositive)),
			expect("LPOP", "l", "1", "2", rErr(ErrWrongArgs("lpop"))),
			expect("RPUSH", "l", "1", "2", "3", "4", "5", rInt(5)),
			expect("LPOP", "l", "0", "*0\r\n"),
			expect("LPOP", "l", rBulk("1")),
			expect("RPOP", "l", rBulk("5")),
			expect("RPOP", "l", "2", rStrs("4", "3")),
			expect("LPOP", "l", "10", rStrs("2")),
			expect("EXISTS", "l", rZero),
			expect("RPOP", "s", wrongType),
			expect("RPOP", "s", "1", wrongType),
		}},
		{"LLEN LINDEX", []step{
			expect("RPUSH", "l", "a", "b", "c", rInt(3)),
			expect("LLEN", "l", rInt(3)),
			expect("LLEN", "missing", rZero),
			expect("LINDEX", "l", "0", rBulk("a")),
			expect("LINDEX", "l", "-1", rBulk("c")),
			expect("LINDEX", "l", "-3", rBulk("a")),
			expect("LINDEX", "l", "-4", rNil),
			expect("LINDEX", "l", "3", rNil),
			expect("LINDEX", "l", "x", notInt),
			expect("LINDEX", "missing", "x", rNil),
			expect("LLEN", "s", wrongType),
			expect("LINDEX", "s", "0", wrongType),
		}},
		{"LSET", []step{
			expect("LSET", "missing", "0", "x", rErr(ErrNoSuchKey)),
			expect("LSET", "missing", "x", "x", rErr(ErrNoSuchKey)),
			expect("RPUSH", "l", "a", "b", rInt(2)),
			expect("LSET", "l", "x", "v", notInt),
			expect("LSET", "l", "2", "v", rErr(ErrOutOfRange)),
			expect("LSET", "l", "-3", "v", rErr(ErrOutOfRange)),
			expect("LSET", "l", "-1", "B", rOK),
			expect("LSET", "l", "0", "", rOK),
			expect("LRANGE", "l", "0", "-1", rStrs("", "B")),
			expect("LSET", "s", "0", "v", wrongType),
		}},
		{"LTRIM", []step{
			expect("RPUSH", "l", "a", "b", "c", "d", "e", rInt(5)),
			expect("LTRIM", "l", "1", "-2", rOK),
			expect("LRANGE", "l", "0", "-1", rStrs("b", "c", "d")),
			expect("LTRIM", "l", "x", "0", notInt),
			expect("LTRIM", "missing", "0", "1", rOK),
			expect("EXISTS", "missing", rZero),
			expect("LTRIM", "l", "-100", "100", rOK),
			expect("LLEN", "l", rInt(3)),
			expect("LTRIM", "l", "2", "1", rOK),
			expect("EXISTS", "l", rZero),
			expect("RPUSH", "l", "a", "b", rInt(2)),
			expect("LTRIM", "l", "5", "10", rOK),
			expect("EXISTS", "l", rZero),
			expect("LTRIM", "s", "0", "1", wrongType),
		}},
		{"LREM", []step{
			expect("RPUSH", "l", "a", "b", "a", "c", "a", "a", rInt(6)),
			expect("LREM", "l", "2", "a", rInt(2)),
			expect("LRANGE", "l", "0", "-1", rStrs("b", "c", "a", "a")),
			expect("LREM", "l", "-1", "a", rOne),
			expect("LRANGE", "l", "0", "-1", rStrs("b", "c", "a")),
			expect("LREM", "l", "0", "zz", rZero),
			expect("LREM", "l", "x", "a", notInt),
			expect("LREM", "missing", "1", "a", rZero),
			expect("LREM", "l", "-9223372036854775808", "a", rOne),
			expect("LREM", "l", "0", "b", rOne),
			expect("LREM", "l", "0", "c", rOne),
			expect("EXISTS", "l", rZero),
			expect("LREM", "s", "0", "a", wrongType),
		}},
		{"LINSERT", []step{
			expect("LINSERT", "missing", "BEFORE", "a", "x", rZero),
			expect("LINSERT", "missing", "bogus", "a", "x", rErr(ErrSyntax)),
			expect("RPUSH", "l", "a", "b", "c", rInt(3)),
			expect("LINSERT", "l", "BEFORE", "a", "0", rInt(4)),
			expect("LINSERT", "l", "after", "c", "z", rInt(5)),
			expect("LINSERT", "l", "AFTER", "b", "bb", rInt(6)),
			expect("LINSERT", "l", "before", "c", "bc", rInt(7)),
			expect("LINSERT", "l", "before", "nope", "x", rInt(-1)),
			expect("LRANGE", "l", "0", "-1", rStrs("0", "a", "b", "bb", "bc", "c", "z")),
			expect("LINSERT", "s", "before", "a", "x", wrongType),
		}},
		{"LPOS", []step{
			expect("RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c", rInt(8)),
			expect("LPOS", "l", "c", rInt(2)),
			expect("LPOS", "l", "c", "RANK", "2", rInt(6)),
			expect("LPOS", "l", "c", "RANK", "-1", rInt(7)),
			expect("LPOS", "l", "c", "RANK", "-2", "COUNT", "0", rArr(rInt(6), rInt(2))),
			expect("LPOS", "l", "c", "COUNT", "0", rArr(rInt(2), rInt(6), rInt(7))),
			expect("LPOS", "l", "c", "COUNT", "2", "MAXLEN", "7", rArr(rInt(2), rInt(6))),
			expect("LPOS", "l", "c", "MAXLEN", "2", rNil),
			expect("LPOS", "l", "c", "RANK", "-1", "MAXLEN", "1", rInt(7)),
			expect("LPOS", "l", "c", "RANK", "4", rNil),
			expect("LPOS", "l", "c", "RANK", "4", "COUNT", "1", "*0\r\n"),
			expect("LPOS", "l", "c", "RANK", "-9223372036854775808", rInt(7)),
			expect("LPOS", "l", "c", "RANK", "0", rErr(ErrLPosRankZero)),
			expect("LPOS", "l", "c", "RANK", "x", notInt),
			expect("LPOS", "l", "c", "COUNT", "-1", rErr(ErrLPosCountNegative)),
			expect("LPOS", "l", "c", "COUNT", "x", rErr(ErrLPosCountNegative)),
			expect("LPOS", "l", "c", "MAXLEN", "-1", rErr(ErrLPosMaxlenNegative)),
			expect("LPOS", "l", "c", "RANK", rErr(ErrSyntax)),
			expect("LPOS", "missing", "c", rNil),
			expect("LPOS", "missing", "c", "COUNT", "1", "*0\r\n"),
			expect("LPOS", "missing", "c", "RANK", "0", rErr(ErrLPosRankZero)),
			expect("LPOS", "s", "c", wrongType),
		}},
		{"LMOVE RPOPLPUSH", []step{
			expect("RPUSH", "src", "a", "b", "c", rInt(3)),
			expect("LMOVE", "src", "dst", "LEFT", "RIGHT", rBulk("a")),
			expect("LMOVE", "src", "dst", "right", "left", rBulk("c")),
			expect("LMOVE", "src", "dst", "up", "left", rErr(ErrSyntax)),
			expect("LMOVE", "missing", "dst", "left", "left", rNil),
			expect("LMOVE", "src", "s", "left", "left", wrongType),
			expect("LMOVE", "s", "dst", "left", "left", wrongType),
			expect("LRANGE", "src", "0", "-1", rStrs("b")),
			expect("LRANGE", "dst", "0", "-1", rStrs("c", "a")),
			expect("RPOPLPUSH", "src", "src", rBulk("b")),
			expect("LRANGE", "src", "0", "-1", rStrs("b")),
			expect("RPOPLPUSH", "src", "dst", rBulk("b")),
			expect("EXISTS", "src", rZero),
			expect("LMOVE", "dst", "dst", "LEFT", "RIGHT", rBulk("b")),
			expect("LRANGE", "dst", "0", "-1", rStrs("c", "a", "b")),
			expect("RPOPLPUSH", "missing", "x", rNil),
			expect("EXISTS", "x", rZero),
		}},
		{"LMPOP", []step{
			expect("LMPOP", "0", "l", "LEFT", rErr(ErrNumKeysPositive)),
			expect("LMPOP", "x", "l", "LEFT", rErr(ErrNumKeysPositive)),
			expect("LMPOP", "2", "l", "LEFT", rErr(ErrSyntax)),
			expect("LMPOP", "9", "l", "LEFT", rErr(ErrSyntax)),
			expect("LMPOP", "1", "l", "UP", rErr(ErrSyntax)),
			expect("LMPOP", "1", "l", "LEFT", "COUNT", "0", rErr(ErrCountPositive)),
			expect("LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "1", rErr(ErrSyntax)),
			expect("LMPOP", "1", "l", "LEFT", "COUNT", rErr(ErrSyntax)),
			expect("LMPOP", "2", "a", "b", "RIGHT", "*-1\r\n"),
			expect("RPUSH", "b", "1", "2", "3", rInt(3)),
			expect("LMPOP", "2", "a", "b", "RIGHT", "COUNT", "2", rArr(rBulk("b"), rStrs("3", "2"))),
			expect("LMPOP", "2", "a", "b", "left", "count", "9", rArr(rBulk("b"), rStrs("1"))),
			expect("EXISTS", "b", rZero),
			expect("LMPOP", "2", "a", "s", "LEFT", wrongType),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, 4)
			h.do("SET", "s", "v")
			h.run(tt.steps)
		})
	}
}

func TestListRESP3(t *testing.T) {
	h := newHarness(t, 2)
	h.do("RPUSH", "l", "a", "b")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"LPOP", "missing"}, rNil3},
		{[]string{"LPOP", "missing", "1"}, rNil3},
		{[]string{"LINDEX", "l", "9"}, rNil3},
		{[]string{"LPOS", "l", "zz"}, rNil3},
		{[]string{"LMOVE", "missing", "l", "LEFT", "LEFT"}, rNil3},
		{[]string{"LMPOP", "1", "missing", "LEFT"}, rNil3},
		{[]string{"LMPOP", "1", "l", "LEFT"}, rArr(rBulk("l"), rStrs("a"))},
	} {
		if got := h.do3(c.args...); got != c.want {
			t.Errorf("%q = %q, want %q", c.args, got, c.want)
		}
	}
}

// TestListCrossInstance moves elements between keys owned by different
// instances: the engine locks both owners and the keyspace routes each
// key, so the move is one atomic step.
func TestListCrossInstance(t *testing.T) {
	h := newHarness(t, 8)
	k := h.keysOnDistinctInstances("k", 3)
	h.run([]step{
		expect("RPUSH", k[0], "a", "b", "c", rInt(3)),
		expect("LMOVE", k[0], k[1], "LEFT", "RIGHT", rBulk("a")),
		expect("RPOPLPUSH", k[0], k[2], rBulk("c")),
		expect("LMPOP", "3", k[2], k[1], k[0], "LEFT", "COUNT", "5", rArr(rBulk(k[2]), rStrs("c"))),
		expect("LMPOP", "2", k[2], k[1], "LEFT", rArr(rBulk(k[1]), rStrs("a"))),
		expect("EXISTS", k[1], k[2], rZero),
		expect("LRANGE", k[0], "0", "-1", rStrs("b")),
	})
	for i := range 3 {
		if n := h.eng.insts[h.instanceOf(k[i])].keys.Load(); i == 0 && n != 1 || i > 0 && n != 0 {
			t.Errorf("instance of %s holds %d keys", k[i], n)
		}
	}
}

// TestListDequeModel checks the ring buffer against a plain slice over
// random operations that make it grow, wrap around and shrink.
func TestListDequeModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	l := newListValue()
	var model []string
	for step := 0; step < 20000; step++ {
		e := itoa(step)
		switch op := rng.IntN(10); {
		case op < 2 || len(model) < 3 && op < 5:
			l.pushFront([]byte(e))
			model = append([]string{e}, model...)
		case op < 4 || len(model) < 3 && op < 8:
			l.pushBack([]byte(e))
			model = append(model, e)
		case len(model) == 0:
		case op == 4:
			if got := string(l.pop(true)); got != model[0] {
				t.Fatalf("step %d: LPOP %q, want %q", step, got, model[0])
			}
			model = model[1:]
		case op == 5:
			if got := string(l.pop(false)); got != model[len(model)-1] {
				t.Fatalf("step %d: RPOP %q, want %q", step, got, model[len(model)-1])
			}
			model = model[:len(model)-1]
		case op == 6:
			i := rng.IntN(len(model) + 1)
			l.insert(i, []byte(e))
			model = slices.Insert(model, i, e)
		case op == 7:
			from := rng.IntN(len(model))
			keep := rng.IntN(len(model) - from + 1)
			if rng.IntN(20) != 0 {
				keep = max(keep, len(model)-from-2) // trim a little, mostly
			}
			l.trim(from, keep)
			model = model[from : from+keep]
		case op == 8:
			drop := model[rng.IntN(len(model))]
			l.removeIf(rng.IntN(2) == 0, func(b []byte) bool { return string(b) == drop })
			model = slices.DeleteFunc(model, func(s string) bool { return s == drop })
		default:
			i := rng.IntN(len(model))
			l.set(i, []byte(e))
			model[i] = e
		}
		if l.Len() != len(model) {
			t.Fatalf("step %d: len %d, want %d", step, l.Len(), len(model))
		}
		var bytes int64
		for i, s := range model {
			bytes += int64(len(s))
			if step%97 == 0 && string(l.at(i)) != s {
				t.Fatalf("step %d: element %d = %q, want %q", step, i, l.at(i), s)
			}
		}
		if l.bytes != bytes {
			t.Fatalf("step %d: bytes %d, want %d", step, l.bytes, bytes)
		}
	}
}

// TestListBig pushes past the ring's growth steps at both ends and pops
// it all back, checking order and that the key goes with the last one.
func TestListBig(t *testing.T) {
	h := newHarness(t, 1)
	const n = 1000
	for i := 0; i < n; i++ {
		h.do("RPUSH", "l", "r"+itoa(i))
		h.do("LPUSH", "l", "l"+itoa(i))
	}
	if got := h.do("LINDEX", "l", "0"); got != rBulk("l"+itoa(n-1)) {
		t.Fatalf("LINDEX 0 = %q", got)
	}
	if got := h.do("LINDEX", "l", "-1"); got != rBulk("r"+itoa(n-1)) {
		t.Fatalf("LINDEX -1 = %q", got)
	}
	for i := n - 1; i >= 0; i-- {
		if got := h.do("LPOP", "l"); got != rBulk("l"+itoa(i)) {
			t.Fatalf("LPOP = %q, want l%d", got, i)
		}
	}
	for i := 0; i < n; i++ {
		if got := h.do("LPOP", "l"); got != rBulk("r"+itoa(i)) {
			t.Fatalf("LPOP = %q, want r%d", got, i)
		}
	}
	if got := h.do("EXISTS", "l"); got != rZero {
		t.Fatalf("EXISTS after popping all = %q", got)
	}
}

// TestListCopyAndStoresACopy checks COPY is independent of its source and
// that stored elements do not alias the request buffer.
func TestListCopyAndStoresACopy(t *testing.T) {
	h := newHarness(t, 2)
	for _, cmd := range []string{"RPUSH", "LPUSH", "LSET", "LINSERT"} {
		args := byteArgs([]string{cmd, "l", "element"})
		switch cmd {
		case "LSET":
			args = byteArgs([]string{cmd, "l", "0", "element"})
		case "LINSERT":
			args = byteArgs([]string{cmd, "l", "BEFORE", "element", "element"})
		}
		h.exec(2, args)
		copy(args[len(args)-1], "XXXXXXX")
	}
	if got := h.do("LRANGE", "l", "0", "-1"); got != rStrs("element", "element", "element") {
		t.Fatalf("LRANGE after reusing buffers = %q", got)
	}
	if got := h.do("COPY", "l", "l2"); got != rOne {
		t.Fatalf("COPY = %q", got)
	}
	h.do("LSET", "l2", "0", "changed")
	h.do("RPUSH", "l2", "more")
	h.do("LPOP", "l2")
	if got := h.do("LRANGE", "l", "0", "-1"); got != rStrs("element", "element", "element") {
		t.Errorf("COPY shares structure: source is %q", got)
	}
	if got := h.do("OBJECT", "ENCODING", "l2"); got != rBulk("quicklist") {
		t.Errorf("COPY encoding %q", got)
	}
}

// TestListMemoryAccounting checks the instance counter follows in-place
// changes and returns to its start when the list goes.
func TestListMemoryAccounting(t *testing.T) {
	h := newHarness(t, 1)
	used := func() int64 { return h.eng.insts[0].used.Load() }
	base := used()
	h.do("RPUSH", "l", "a")
	one := used()
	h.do("RPUSH", "l", strings.Repeat("x", 1000))
	if used() < one+1000 {
		t.Errorf("used %d after a 1000-byte element, was %d", used(), one)
	}
	h.do("LSET", "l", "-1", "y")
	if used() > one+100 {
		t.Errorf("used %d after LSET shrank an element, was %d", used(), one)
	}
	h.do("LTRIM", "l", "1", "0")
	if used() != base {
		t.Errorf("used %d after the list went, want %d", used(), base)
	}
}
