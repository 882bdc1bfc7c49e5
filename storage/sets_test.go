package storage

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// rSet is a RESP2 reply of members in the given order (Redis's order for
// intsets is ascending, so tests of intsets can spell it exactly).
func rSet(members ...string) string {
	items := make([]string, len(members))
	for i, m := range members {
		items[i] = rBulk(m)
	}
	return rArr(items...)
}

func TestSetBasics(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("list")
	h.run([]step{
		expect("SADD", "s", "3", "1", "2", "1", rInt(3)),
		expect("SADD", "s", "2", "4", rOne),
		expect("SMEMBERS", "s", rSet("1", "2", "3", "4")),
		expect("SCARD", "s", rInt(4)),
		expect("SCARD", "missing", rZero),
		expect("SISMEMBER", "s", "3", rOne),
		expect("SISMEMBER", "s", "03", rZero),
		expect("SISMEMBER", "s", "x", rZero),
		expect("SISMEMBER", "missing", "x", rZero),
		expect("SMISMEMBER", "s", "1", "x", "4", rArr(rOne, rZero, rOne)),
		expect("SMISMEMBER", "missing", "1", rArr(rZero)),
		expect("SREM", "s", "1", "1", "9", "x", rOne),
		expect("SREM", "missing", "1", rZero),
		expect("SMEMBERS", "s", rSet("2", "3", "4")),
		expect("SREM", "s", "2", "3", "4", rInt(3)),
		expect("EXISTS", "s", rZero),
		expect("SMEMBERS", "missing", rArr()),
		expect("TYPE", "list", "+list\r\n"),
	})
	for _, args := range [][]string{
		{"SADD", "list", "a"}, {"SREM", "list", "a"}, {"SISMEMBER", "list", "a"}, {"SMISMEMBER", "list", "a"},
		{"SMEMBERS", "list"}, {"SCARD", "list"}, {"SPOP", "list"}, {"SPOP", "list", "0"}, {"SRANDMEMBER", "list"},
		{"SRANDMEMBER", "list", "2"}, {"SSCAN", "list", "0"}, {"SINTER", "list"}, {"SINTERCARD", "1", "list"},
		{"SUNION", "list"}, {"SDIFF", "list"}, {"SINTERSTORE", "d", "list"}, {"SUNIONSTORE", "d", "list"},
		{"SDIFFSTORE", "d", "list"}, {"SMOVE", "list", "d", "a"},
	} {
		if got := h.do(args...); got != wrongType {
			t.Errorf("%q = %q, want WRONGTYPE", args, got)
		}
	}
	h.do("SADD", "s", "a")
	if got := h.do3("SMEMBERS", "s"); got != "~1\r\n$1\r\na\r\n" {
		t.Errorf("RESP3 SMEMBERS = %q", got)
	}
	if got := h.do3("SMEMBERS", "missing"); got != "~0\r\n" {
		t.Errorf("RESP3 SMEMBERS missing = %q", got)
	}
	if got := h.do3("SMISMEMBER", "s", "a"); got != rArr(rOne) {
		t.Errorf("RESP3 SMISMEMBER = %q, want integers", got)
	}
}

func TestSetEncoding(t *testing.T) {
	h := newHarness(t, 2)
	enc := func(key string) string {
		t.Helper()
		return strings.TrimSuffix(strings.SplitN(h.do("OBJECT", "ENCODING", key), "\r\n", 3)[1], "")
	}
	h.do("SADD", "i", "-9223372036854775808", "9223372036854775807", "0")
	if e := enc("i"); e != "intset" {
		t.Fatalf("integer set encoding = %s", e)
	}
	// Not canonical integers: stored as strings, so a hashtable.
	for _, m := range []string{"007", "+1", " 1", "1.5", "9223372036854775808", "a"} {
		h.do("DEL", "x")
		h.do("SADD", "x", "1", m)
		if e := enc("x"); e != "hashtable" {
			t.Errorf("set with %q: encoding %s", m, e)
		}
	}
	// 512 integers stay an intset; the 513th converts.
	args := []string{"SADD", "big"}
	for i := 0; i < 512; i++ {
		args = append(args, itoa(i*3))
	}
	h.do(args...)
	if e := enc("big"); e != "intset" {
		t.Fatalf("512 integers: encoding %s", e)
	}
	h.do("SADD", "big", "1")
	if e := enc("big"); e != "hashtable" {
		t.Fatalf("513 integers: encoding %s", e)
	}
	if got := h.do("SCARD", "big"); got != rInt(513) {
		t.Errorf("SCARD after conversion = %q", got)
	}
	// No way back, as in Redis 7.0.
	h.do("SREM", "big", "1", "3")
	if e := enc("big"); e != "hashtable" {
		t.Errorf("after shrinking: encoding %s", e)
	}
	if got := h.do("SISMEMBER", "big", "1533"); got != rOne {
		t.Errorf("member after conversion: %q", got)
	}
	// STORE results are built fresh: integers only give an intset.
	h.do("SADD", "mixed", "a", "1", "2")
	h.do("SADD", "ints", "1", "2", "5")
	h.do("SINTERSTORE", "d", "mixed", "ints")
	if e := enc("d"); e != "intset" {
		t.Errorf("SINTERSTORE of integers: encoding %s", e)
	}
	h.do("SUNIONSTORE", "d", "mixed", "ints")
	if e := enc("d"); e != "hashtable" {
		t.Errorf("SUNIONSTORE with a string: encoding %s", e)
	}
	// SMOVE creates the destination from the member.
	h.do("SMOVE", "mixed", "fresh", "1")
	if e := enc("fresh"); e != "intset" {
		t.Errorf("SMOVE-created set: encoding %s", e)
	}
	// SPOP's rebuild (few survivors) starts over from an intset.
	h.do("DEL", "p")
	h.do("SADD", "p", "a", "b", "c", "d", "e", "f", "g", "h", "i", "7")
	for {
		h.do("DEL", "q")
		h.do("SUNIONSTORE", "q", "p")
		h.do("SPOP", "q", "9")
		if h.do("SMEMBERS", "q") == rSet("7") {
			if e := enc("q"); e != "intset" {
				t.Errorf("SPOP rebuild to integers: encoding %s", e)
			}
			break
		}
	}
}

// TestSAddStoresACopy checks members do not alias the request buffer.
func TestSAddStoresACopy(t *testing.T) {
	h := newHarness(t, 1)
	args := byteArgs([]string{"SADD", "s", "member", "12"})
	h.exec(2, args)
	copy(args[2], "XXXXXX")
	copy(args[3], "99")
	if got := h.do("SMEMBERS", "s"); got != rSet("12", "member") && got != rSet("member", "12") {
		t.Errorf("SMEMBERS after reusing the buffers = %q", got)
	}
}

func TestSPopSRandMember(t *testing.T) {
	h := newHarness(t, 2)
	h.run([]step{
		expect("SPOP", "missing", rNil),
		expect("SPOP", "missing", "2", rArr()),
		expect("SRANDMEMBER", "missing", rNil),
		expect("SRANDMEMBER", "missing", "3", rArr()),
		expect("SADD", "s", "1", "2", "3", rInt(3)),
		expect("SPOP", "s", "-1", rErr(ErrOutOfRangePositive)),
		expect("SPOP", "s", "x", rErr(ErrOutOfRangePositive)),
		expect("SPOP", "s", "1", "2", rErr(ErrSyntax)),
		expect("SPOP", "s", "0", rArr()),
		expect("SRANDMEMBER", "s", "0", rArr()),
		expect("SRANDMEMBER", "s", "-9223372036854775808", rErr(ErrOutOfRangeLong)),
		expect("SRANDMEMBER", "s", "1.5", rErr(ErrNotInteger)),
		expect("SRANDMEMBER", "s", "1", "2", rErr(ErrSyntax)),
		expect("SRANDMEMBER", "s", "5", rSet("1", "2", "3")),
		expect("SCARD", "s", rInt(3)),
		expect("SPOP", "s", "9223372036854775807", rSet("1", "2", "3")),
		expect("EXISTS", "s", rZero),
	})
	if got := h.do3("SPOP", "missing", "1"); got != "~0\r\n" {
		t.Errorf("RESP3 SPOP count on missing = %q", got)
	}
	if got := h.do3("SRANDMEMBER", "missing", "1"); got != "*0\r\n" {
		t.Errorf("RESP3 SRANDMEMBER count on missing = %q", got)
	}
	if got := h.do3("SPOP", "missing"); got != rNil3 {
		t.Errorf("RESP3 SPOP missing = %q", got)
	}

	// Invariants of the random commands, over both encodings and all of
	// SPOP's strategies (count small, close to and above the size).
	for _, members := range [][]string{{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"},
		{"a", "b", "c", "d", "e", "f", "g", "h", "i", "10"}} {
		all := map[string]bool{}
		for _, m := range members {
			all[m] = true
		}
		for count := 1; count <= 11; count++ {
			h.do("DEL", "s")
			h.do(append([]string{"SADD", "s"}, members...)...)
			got := parseArray(t, h.do("SRANDMEMBER", "s", itoa(count)))
			if len(got) != min(count, 10) || hasDup(got) || !subset(got, all) {
				t.Errorf("SRANDMEMBER %d = %q", count, got)
			}
			got = parseArray(t, h.do("SRANDMEMBER", "s", itoa(-count*3)))
			if len(got) != count*3 || !subset(got, all) {
				t.Errorf("SRANDMEMBER -%d = %q", count*3, got)
			}
			one := parseArray(t, "*1\r\n"+h.do("SRANDMEMBER", "s"))
			if !subset(one, all) {
				t.Errorf("SRANDMEMBER = %q", one)
			}
			popped := parseArray(t, h.do("SPOP", "s", itoa(count)))
			if len(popped) != min(count, 10) || hasDup(popped) || !subset(popped, all) {
				t.Errorf("SPOP %d = %q", count, popped)
			}
			rest := parseArray(t, h.do("SMEMBERS", "s"))
			if len(rest)+len(popped) != 10 || hasDup(append(rest, popped...)) {
				t.Errorf("SPOP %d left %q after popping %q", count, rest, popped)
			}
			if card := h.do("SCARD", "s"); card != rInt(int64(len(rest))) {
				t.Errorf("SCARD after SPOP %d = %q", count, card)
			}
		}
		h.do("DEL", "s")
		h.do(append([]string{"SADD", "s"}, members...)...)
		seen := map[string]bool{}
		for i := 0; i < 10; i++ {
			got := h.do("SPOP", "s")
			m := parseArray(t, "*1\r\n"+got)[0]
			if seen[m] || !all[m] {
				t.Errorf("SPOP returned %q again or unknown", m)
			}
			seen[m] = true
		}
		if got := h.do("EXISTS", "s"); got != rZero {
			t.Errorf("set left after popping everything: %q", got)
		}
	}
}

// parseArray splits a flat RESP2 array (or set) of bulk strings.
func parseArray(t *testing.T, r string) []string {
	t.Helper()
	lines := strings.Split(r, "\r\n")
	if len(lines) == 0 || (lines[0][0] != '*' && lines[0][0] != '~') {
		t.Fatalf("not an array: %q", r)
	}
	var out []string
	for i := 2; i < len(lines); i += 2 {
		out = append(out, lines[i])
	}
	return out
}

func hasDup(s []string) bool {
	c := slices.Clone(s)
	slices.Sort(c)
	return len(slices.Compact(c)) != len(s)
}

func subset(s []string, all map[string]bool) bool {
	for _, m := range s {
		if !all[m] {
			return false
		}
	}
	return true
}

func TestSMove(t *testing.T) {
	h := newHarness(t, 4)
	keys := h.keysOnDistinctInstances("mv", 2)
	src, dst := keys[0], keys[1]
	h.putList("list")
	h.run([]step{
		// A missing source is 0 even when the destination is no set.
		expect("SMOVE", "missing", "list", "a", rZero),
		expect("SADD", src, "a", "b", rInt(2)),
		expect("SMOVE", src, "list", "a", wrongType),
		expect("SMOVE", src, dst, "zz", rZero),
		expect("EXISTS", dst, rZero),
		expect("SMOVE", src, src, "a", rOne),
		expect("SMOVE", src, src, "zz", rZero),
		expect("SMOVE", src, dst, "a", rOne),
		expect("SMEMBERS", src, rSet("b")),
		expect("SMEMBERS", dst, rSet("a")),
		expect("SADD", dst, "b", rOne),
		// Already in the destination: still moved out of the source,
		// which is deleted once empty.
		expect("SMOVE", src, dst, "b", rOne),
		expect("EXISTS", src, rZero),
		expect("SCARD", dst, rInt(2)),
	})
	// An integer in RESP3 too: Redis replies shared.cone, not a boolean.
	if got := h.do3("SMOVE", dst, src, "a"); got != rOne {
		t.Errorf("RESP3 SMOVE = %q", got)
	}
}

func TestSetAlgebra(t *testing.T) {
	h := newHarness(t, 4)
	k := h.keysOnDistinctInstances("alg", 4)
	a, b, c, d := k[0], k[1], k[2], k[3]
	h.putList("list")
	h.run([]step{
		expect("SADD", a, "1", "2", "3", "4", rInt(4)),
		expect("SADD", b, "2", "3", "4", "5", rInt(4)),
		expect("SADD", c, "3", "4", "x", rInt(3)),
		expect("SINTER", a, b, rSet("2", "3", "4")),
		expect("SINTER", a, a, rSet("1", "2", "3", "4")),
		expect("SINTER", a, "missing", rArr()),
		expect("SINTER", "missing", "list", wrongType),
		expect("SINTERCARD", "3", a, b, c, rInt(2)),
		expect("SINTERCARD", "2", a, b, "LIMIT", "2", rInt(2)),
		expect("SINTERCARD", "2", a, b, "limit", "0", rInt(3)),
		expect("SINTERCARD", "2", a, b, "LIMIT", "10", rInt(3)),
		expect("SINTERCARD", "1", "missing", rZero),
		expect("SINTERCARD", "0", a, rErr(ErrNumKeysPositive)),
		expect("SINTERCARD", "-1", a, rErr(ErrNumKeysPositive)),
		expect("SINTERCARD", "x", a, rErr(ErrNumKeysPositive)),
		expect("SINTERCARD", "3", a, b, rErr(ErrNumKeysTooMany)),
		expect("SINTERCARD", "1", a, "LIMIT", "-1", rErr(ErrLimitNegative)),
		expect("SINTERCARD", "1", a, "LIMIT", "x", rErr(ErrLimitNegative)),
		expect("SINTERCARD", "1", a, "LIMIT", rErr(ErrSyntax)),
		expect("SINTERCARD", "1", a, "foo", "1", rErr(ErrSyntax)),
		expect("SUNION", a, b, "missing", rSet("1", "2", "3", "4", "5")),
		expect("SDIFF", a, b, rSet("1")),
		expect("SDIFF", a, a, rArr()),
		expect("SDIFF", "missing", a, rArr()),
		expect("SDIFF", a, "missing", rSet("1", "2", "3", "4")),
		expect("SET", d, "string", rOK),
		expect("SINTERSTORE", d, a, b, c, rInt(2)),
		expect("SMEMBERS", d, rSet("3", "4")),
		expect("SUNIONSTORE", d, a, b, rInt(5)),
		expect("SDIFFSTORE", d, b, a, rInt(1)),
		expect("SMEMBERS", d, rSet("5")),
		// An empty result deletes the destination.
		expect("SINTERSTORE", d, a, "missing", rZero),
		expect("EXISTS", d, rZero),
		expect("SADD", d, "z", rOne),
		expect("SDIFFSTORE", d, a, a, rZero),
		expect("EXISTS", d, rZero),
		// The destination may be a source.
		expect("SUNIONSTORE", a, a, b, rInt(5)),
		expect("SCARD", a, rInt(5)),
		expect("SINTERSTORE", d, "list", a, wrongType),
	})
	if got := h.do3("SINTER", a, b); got != "~4\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n" {
		t.Errorf("RESP3 SINTER = %q", got)
	}
	if got := h.do3("SDIFF", "missing"); got != "~0\r\n" {
		t.Errorf("RESP3 SDIFF missing = %q", got)
	}
}

// TestSetAtomicAcrossInstances runs SMOVE and SINTERSTORE between sets on
// different instances from many clients: with every owner locked for the
// whole command no member is lost or duplicated, and a reader never sees
// a half-done move.
func TestSetAtomicAcrossInstances(t *testing.T) {
	h := newHarness(t, 4)
	k := h.keysOnDistinctInstances("at", 3)
	x, y, dst := k[0], k[1], k[2]
	const n = 200
	args := []string{"SADD", x}
	for i := 0; i < n; i++ {
		args = append(args, "m"+itoa(i))
	}
	h.do(args...)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		c := h.fork()
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				m := "m" + itoa((i*7+w)%n)
				c.do("SMOVE", x, y, m)
				c.do("SMOVE", y, x, "m"+itoa((i*3+w)%n))
				got := c.do("SUNIONSTORE", dst, x, y)
				if got != rInt(n) {
					t.Errorf("SUNIONSTORE saw %q members, want %d", got, n)
					return
				}
				if got := c.do("SINTERCARD", "2", x, y); got != rZero {
					t.Errorf("a member in both sets: SINTERCARD = %q", got)
					return
				}
			}
		}(w)
	}
	wg.Wait()
}

func TestSScan(t *testing.T) {
	h := newHarness(t, 2)
	h.putList("list")
	h.run([]step{
		expect("SSCAN", "missing", "0", rArr(rBulk("0"), rArr())),
		expect("SSCAN", "missing", "0", "COUNT", "0", rArr(rBulk("0"), rArr())),
		expect("SSCAN", "s", "x", rErr(ErrInvalidCursor)),
		expect("SSCAN", "list", "0", wrongType),
		expect("SADD", "s", "1", "2", "3", "12", rInt(4)),
		expect("SSCAN", "s", "0", rArr(rBulk("0"), rSet("1", "2", "3", "12"))),
		expect("SSCAN", "s", "0", "MATCH", "1*", "COUNT", "1", rArr(rBulk("0"), rSet("1", "12"))),
		expect("SSCAN", "s", "0", "COUNT", "0", rErr(ErrSyntax)),
		expect("SSCAN", "s", "0", "COUNT", "x", rErr(ErrNotInteger)),
		expect("SSCAN", "s", "0", "MATCH", rErr(ErrSyntax)),
		expect("SSCAN", "s", "0", "TYPE", "set", rErr(ErrSyntax)),
	})
	// A hashtable walk with a small COUNT returns every member once.
	want := map[string]bool{}
	args := []string{"SADD", "h"}
	for i := 0; i < 300; i++ {
		m := "e" + itoa(i)
		want[m] = true
		args = append(args, m)
	}
	h.do(args...)
	got := map[string]int{}
	cursor, calls := "0", 0
	for {
		r := h.do("SSCAN", "h", cursor, "COUNT", "7")
		lines := strings.Split(r, "\r\n")
		cursor = lines[2]
		for _, m := range parseArray(t, strings.Join(lines[3:], "\r\n")) {
			got[m]++
		}
		calls++
		if cursor == "0" || calls > 1000 {
			break
		}
	}
	if calls < 10 || len(got) != len(want) {
		t.Errorf("walk took %d calls and saw %d members, want %d", calls, len(got), len(want))
	}
	for m, n := range got {
		if n != 1 || !want[m] {
			t.Errorf("member %q seen %d times", m, n)
		}
	}
}

func TestSetCopyAndMemory(t *testing.T) {
	h := newHarness(t, 2)
	h.do("SADD", "s", "a", "b", "1")
	h.do("SADD", "i", "1", "2")
	h.run([]step{
		expect("COPY", "s", "c", rOne),
		expect("COPY", "i", "ci", rOne),
		expect("SREM", "s", "a", rOne),
		expect("SADD", "ci", "9", rOne),
		expect("SCARD", "c", rInt(3)),
		expect("SCARD", "i", rInt(2)),
		expect("OBJECT", "ENCODING", "c", rBulk("hashtable")),
		expect("OBJECT", "ENCODING", "ci", rBulk("intset")),
	})
	v := h.peek(0, "s")
	if v.acct() != v.size() || v.size() <= 0 {
		t.Errorf("accounted %d bytes, size %d", v.acct(), v.size())
	}
}

// TestSetMemoryCounter: the running byte count MemoryUsage relies on
// matches the members after every kind of change.
func TestSetMemoryCounter(t *testing.T) {
	h := newHarness(t, 1)
	check := func(step string) {
		t.Helper()
		v := h.peek(0, "s")
		if v == nil {
			return
		}
		s := v.Obj().(*setObj)
		if s.isIntset() {
			return
		}
		var want int64
		for _, k := range s.ht.keys {
			want += int64(len(k))
		}
		if s.ht.bytes != want {
			t.Fatalf("after %s: bytes = %d, want %d", step, s.ht.bytes, want)
		}
	}
	for _, cmd := range [][]string{
		{"SADD", "s", "1", "2", "3"}, {"SADD", "s", "abc", "defgh"}, {"SREM", "s", "2", "abc"},
		{"SPOP", "s"}, {"SPOP", "s", "2"}, {"SADD", "s", "x", "yy", "zzz"}, {"SMOVE", "s", "t", "yy"},
		{"COPY", "s", "c"}, {"SINTERSTORE", "s", "s", "c"}, {"SUNIONSTORE", "s", "s", "t"},
	} {
		h.do(cmd...)
		check(strings.Join(cmd, " "))
	}
}

// TestIntsetAgainstSlice checks the intset blob against a sorted slice
// through random inserts and removals, widening included.
func TestIntsetAgainstSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	values := []int64{0, 1, -1, 32767, -32768, 32768, 1 << 31, -1 << 31, 1<<31 - 1, 1 << 40, math.MinInt64, math.MaxInt64}
	is, want := newIntset(), []int64{}
	for step := 0; step < 5000; step++ {
		v := values[rng.IntN(len(values))] + int64(rng.IntN(5)-2)
		i, found := is.search(v)
		j, wantFound := slices.BinarySearch(want, v)
		if i != j || found != wantFound {
			t.Fatalf("step %d: search(%d) = %d %v, want %d %v", step, v, i, found, j, wantFound)
		}
		if found {
			is, want = is.removeAt(i), slices.Delete(want, j, j+1)
		} else {
			is, want = is.insert(v), slices.Insert(want, j, v)
		}
		if is.len() != len(want) || len(is) != intsetHeader+is.width()*len(want) {
			t.Fatalf("step %d: len %d (%d bytes), want %d", step, is.len(), len(is), len(want))
		}
		for k, w := range want {
			if is.at(k) != w {
				t.Fatalf("step %d: member %d = %d, want %d", step, k, is.at(k), w)
			}
		}
	}
}
