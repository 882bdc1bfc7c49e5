package storage

import (
	"strings"
	"sync"
	"testing"
)

const wrongType = "-" + ErrWrongType + "\r\n"

func TestGetSet(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("list")
	h.run([]step{
		expect("GET", "k", rNil),
		expect("SET", "k", "v", rOK),
		expect("GET", "k", rBulk("v")),
		expect("SET", "k", "longer value", rOK),
		expect("GET", "k", rBulk("longer value")),
		expect("SET", "k", "", rOK),
		expect("GET", "k", rEmpty),
		expect("SET", "", "empty key", rOK),
		expect("GET", "", rBulk("empty key")),
		expect("SET", "bin\x00\xff", "\r\n\x00", rOK),
		expect("GET", "bin\x00\xff", rBulk("\r\n\x00")),
		expect("GET", "list", wrongType),
		// SET without GET replaces any type.
		expect("SET", "list", "now a string", rOK),
		expect("TYPE", "list", "+string\r\n"),
	})
	if got := h.do3("GET", "missing"); got != rNil3 {
		t.Errorf("RESP3 GET missing = %q, want %q", got, rNil3)
	}
}

// TestSetStoresACopy checks SET does not keep the caller's buffers: the
// proxy reuses its input buffer for the next request.
func TestSetStoresACopy(t *testing.T) {
	h := newHarness(t, 1)
	args := byteArgs([]string{"SET", "key", "value"})
	h.exec(2, args)
	copy(args[1], "XXX")
	copy(args[2], "XXXXX")
	if got := h.do("GET", "key"); got != rBulk("value") {
		t.Errorf("GET after reusing the SET buffers = %q", got)
	}
}

func TestSetOptions(t *testing.T) {
	syntax := rErr(ErrSyntax)
	tests := []struct {
		name  string
		steps []step
	}{
		{"NX", []step{
			expect("SET", "k", "1", "NX", rOK),
			expect("SET", "k", "2", "nx", rNil),
			expect("GET", "k", rBulk("1")),
		}},
		{"XX", []step{
			expect("SET", "k", "1", "XX", rNil),
			expect("EXISTS", "k", rZero),
			expect("SET", "k", "1", rOK),
			expect("SET", "k", "2", "xX", rOK),
			expect("GET", "k", rBulk("2")),
		}},
		{"conflicts", []step{
			expect("SET", "k", "1", "NX", "XX", syntax),
			expect("SET", "k", "1", "XX", "NX", syntax),
			expect("SET", "k", "1", "EX", "10", "PX", "100", syntax),
			expect("SET", "k", "1", "PX", "10", "EXAT", "100", syntax),
			expect("SET", "k", "1", "KEEPTTL", "EX", "10", syntax),
			expect("SET", "k", "1", "EX", "10", "KEEPTTL", syntax),
			expect("SET", "k", "1", "PERSIST", syntax),
			expect("SET", "k", "1", "EX", syntax),
			expect("SET", "k", "1", "foo", syntax),
			expect("EXISTS", "k", rZero),
		}},
		{"repeats are accepted", []step{
			expect("SET", "k", "1", "NX", "NX", "GET", "GET", rNil),
			expect("SET", "k", "1", "EX", "10", "EX", "20", rOK),
			expect("TTL", "k", rInt(20)),
		}},
		{"options compare as C strings", []step{
			expect("SET", "k", "1", "nx\x00junk", rOK),
			expect("SET", "k", "2", "NX\x00", rNil),
		}},
		{"invalid expire times", []step{
			expect("SET", "k", "v", "EX", "0", rErr(ErrInvalidExpireIn("set"))),
			expect("SET", "k", "v", "PX", "-1", rErr(ErrInvalidExpireIn("set"))),
			expect("SET", "k", "v", "EX", "9223372036854776", rErr(ErrInvalidExpireIn("set"))),
			expect("SET", "k", "v", "PX", "9223372036854775807", rErr(ErrInvalidExpireIn("set"))),
			expect("SET", "k", "v", "EX", "1.5", rErr(ErrNotInteger)),
			expect("SET", "k", "v", "EX", " 1", rErr(ErrNotInteger)),
			expect("EXISTS", "k", rZero),
			// Absolute times far in the future are fine.
			expect("SET", "k", "v", "PXAT", "9223372036854775807", rOK),
			expect("SET", "k", "v", "EXAT", "9223372036854775", rOK),
			expect("PEXPIRETIME", "k", rInt(9223372036854775000)),
		}},
		{"GET", []step{
			expect("SET", "k", "1", "GET", rNil),
			expect("SET", "k", "2", "GET", rBulk("1")),
			expect("SET", "k", "3", "GET", "NX", rBulk("2")),
			expect("GET", "k", rBulk("2")),
			expect("SET", "missing", "1", "GET", "XX", rNil),
			expect("EXISTS", "missing", rZero),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newHarness(t, 4).run(tt.steps)
		})
	}
}

func TestSetGetWrongType(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("l")
	h.run([]step{
		expect("SET", "l", "v", "GET", wrongType),
		expect("TYPE", "l", "+list\r\n"),
		// The expire time is validated before GET looks at the key.
		expect("SET", "l", "v", "GET", "EX", "-5", rErr(ErrInvalidExpireIn("set"))),
		expect("GETSET", "l", "v", wrongType),
		expect("TYPE", "l", "+list\r\n"),
	})
}

func TestSetExpiry(t *testing.T) {
	h := newHarness(t, 4)
	nowSec := h.now / 1000
	h.run([]step{
		expect("SET", "ex", "v", "EX", "10", rOK),
		expect("PTTL", "ex", rInt(10000)),
		expect("SET", "px", "v", "PX", "1500", rOK),
		expect("TTL", "px", rInt(2)), // 1.5 s rounds to 2, as in Redis
		expect("SET", "exat", "v", "EXAT", itoa64(nowSec+100), rOK),
		expect("TTL", "exat", rInt(100)),
		expect("SET", "pxat", "v", "PXAT", itoa64(h.now+250), rOK),
		expect("PTTL", "pxat", rInt(250)),
		// A deadline already past stores a key that is already expired.
		expect("SET", "past", "v", "PXAT", "1", rOK),
		expect("GET", "past", rNil),
		// KEEPTTL keeps the deadline; a plain SET drops it.
		expect("SET", "ex", "w", "KEEPTTL", rOK),
		expect("PTTL", "ex", rInt(10000)),
		expect("SET", "ex", "a value long enough to need a new buffer", "KEEPTTL", rOK),
		expect("PTTL", "ex", rInt(10000)),
		expect("SET", "ex", "x", rOK),
		expect("TTL", "ex", rInt(-1)),
		expect("SET", "new", "v", "KEEPTTL", rOK),
		expect("TTL", "new", rInt(-1)),
	})
	h.advance(250)
	// Expired means now > deadline: at the deadline the key still lives.
	h.run([]step{
		expect("GET", "pxat", rBulk("v")),
		expect("PTTL", "pxat", rZero),
		expect("TTL", "pxat", rZero),
	})
	h.advance(1)
	h.run([]step{
		expect("GET", "pxat", rNil),
		expect("PTTL", "pxat", rInt(-2)),
		expect("PTTL", "px", rInt(1249)),
	})
	h.advance(1250)
	h.run([]step{
		expect("GET", "px", rNil),
		expect("SET", "px", "again", "NX", rOK), // an expired key does not exist for NX
	})
}

func TestSetNXSetEXPSetEX(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("l")
	h.run([]step{
		expect("SETNX", "k", "1", rOne),
		expect("SETNX", "k", "2", rZero),
		expect("SETNX", "l", "2", rZero),
		expect("GET", "k", rBulk("1")),
		expect("SETEX", "k", "10", "v", rOK),
		expect("TTL", "k", rInt(10)),
		expect("GET", "k", rBulk("v")),
		expect("SETEX", "k", "0", "v", rErr(ErrInvalidExpireIn("setex"))),
		expect("SETEX", "k", "-1", "v", rErr(ErrInvalidExpireIn("setex"))),
		expect("SETEX", "k", "abc", "v", rErr(ErrNotInteger)),
		expect("SETEX", "k", "9223372036854776", "v", rErr(ErrInvalidExpireIn("setex"))),
		expect("PSETEX", "k", "1500", "w", rOK),
		expect("PTTL", "k", rInt(1500)),
		expect("PSETEX", "k", "0", "w", rErr(ErrInvalidExpireIn("psetex"))),
		expect("SETEX", "l", "10", "v", rOK), // replaces any type
		expect("TYPE", "l", "+string\r\n"),
	})
}

func TestGetSetGetDel(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("l")
	h.run([]step{
		expect("GETSET", "k", "1", rNil),
		expect("GETSET", "k", "2", rBulk("1")),
		expect("EXPIRE", "k", "100", rOne),
		expect("GETSET", "k", "3", rBulk("2")),
		expect("TTL", "k", rInt(-1)), // GETSET drops the deadline
		expect("GETDEL", "k", rBulk("3")),
		expect("GETDEL", "k", rNil),
		expect("EXISTS", "k", rZero),
		expect("GETDEL", "l", wrongType),
		expect("EXISTS", "l", rOne),
	})
}

func TestGetEx(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("l")
	h.run([]step{
		// A missing key answers nil before the options' values are checked.
		expect("GETEX", "missing", "EX", "-1", rNil),
		expect("GETEX", "missing", "EX", "abc", rNil),
		// ...but not before their syntax.
		expect("GETEX", "missing", "foo", rErr(ErrSyntax)),
		expect("GETEX", "l", "EX", "-1", wrongType),
		expect("SET", "k", "v", rOK),
		expect("GETEX", "k", rBulk("v")),
		expect("GETEX", "k", "EX", "-1", rErr(ErrInvalidExpireIn("getex"))),
		expect("GETEX", "k", "EX", "abc", rErr(ErrNotInteger)),
		expect("GETEX", "k", "PERSIST", "EX", "10", rErr(ErrSyntax)),
		expect("GETEX", "k", "EX", "10", "PERSIST", rErr(ErrSyntax)),
		expect("GETEX", "k", "NX", rErr(ErrSyntax)),
		expect("GETEX", "k", "KEEPTTL", rErr(ErrSyntax)),
		expect("GETEX", "k", "GET", rErr(ErrSyntax)),
		expect("GETEX", "k", "EX", rErr(ErrSyntax)),
		expect("TTL", "k", rInt(-1)),
		expect("GETEX", "k", "EX", "100", rBulk("v")),
		expect("TTL", "k", rInt(100)),
		expect("GETEX", "k", "PX", "5000", rBulk("v")),
		expect("PTTL", "k", rInt(5000)),
		expect("GETEX", "k", "EXAT", itoa64(h.now/1000+60), rBulk("v")),
		expect("TTL", "k", rInt(60)),
		expect("GETEX", "k", "PXAT", itoa64(h.now+70), rBulk("v")),
		expect("PTTL", "k", rInt(70)),
		expect("GETEX", "k", "PERSIST", rBulk("v")),
		expect("TTL", "k", rInt(-1)),
		expect("GETEX", "k", "persist", "PERSIST", rBulk("v")),
		// A past absolute time still returns the value, then deletes it.
		expect("GETEX", "k", "PXAT", itoa64(h.now), rBulk("v")),
		expect("EXISTS", "k", rZero),
		expect("SET", "k", "v", rOK),
		expect("GETEX", "k", "EXAT", "1", rBulk("v")),
		expect("EXISTS", "k", rZero),
	})
}

func TestMGetMSet(t *testing.T) {
	h := newHarness(t, 4)
	keys := h.keysOnDistinctInstances("k", 4)
	h.putList("l")
	h.run([]step{
		expect("MSET", keys[0], "a", keys[1], "b", keys[2], "c", keys[3], "d", rOK),
		expect("MGET", keys[3], keys[2], "missing", "l", keys[1], keys[0],
			rArr(rBulk("d"), rBulk("c"), rNil, rNil, rBulk("b"), rBulk("a"))),
		expect("MSET", "dup", "1", "dup", "2", rOK),
		expect("GET", "dup", rBulk("2")),
		expect("MSET", "a", "1", "b", rErr(ErrWrongArgs("mset"))),
		expect("MSETNX", "a", "1", "b", rErr(ErrWrongArgs("msetnx"))),
		expect("EXISTS", "a", rZero),
		// MSET replaces other types and drops deadlines.
		expect("EXPIRE", keys[0], "100", rOne),
		expect("MSET", keys[0], "x", "l", "y", rOK),
		expect("TTL", keys[0], rInt(-1)),
		expect("TYPE", "l", "+string\r\n"),
	})
	if got, want := h.do3("MGET", keys[0], "nope"), rArr(rBulk("x"), rNil3); got != want {
		t.Errorf("RESP3 MGET = %q, want %q", got, want)
	}
}

// TestMSetNXAtomicAcrossInstances checks MSETNX sets nothing when any key
// exists, wherever the keys live.
func TestMSetNXAtomicAcrossInstances(t *testing.T) {
	h := newHarness(t, 4)
	k := h.keysOnDistinctInstances("nx", 4)
	h.run([]step{
		expect("SET", k[3], "old", rOK),
		expect("MSETNX", k[0], "1", k[1], "2", k[2], "3", k[3], "4", rZero),
		expect("EXISTS", k[0], k[1], k[2], rZero),
		expect("GET", k[3], rBulk("old")),
		expect("MSETNX", k[0], "1", k[1], "2", k[2], "3", rOne),
		expect("MGET", k[0], k[1], k[2], rArr(rBulk("1"), rBulk("2"), rBulk("3"))),
		expect("MSETNX", "same", "1", "same", "2", rOne),
		expect("GET", "same", rBulk("2")),
	})
}

// TestMSetAtomicUnderConcurrency runs MSET and MGET over keys on every
// instance from several goroutines: a reader must never see half of a
// write, because Engine.Run holds all the instances' locks. Run with -race.
func TestMSetAtomicUnderConcurrency(t *testing.T) {
	h := newHarness(t, 4)
	keys := h.keysOnDistinctInstances("atomic", 4)
	const writers, readers, rounds = 4, 4, 300
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := h.fork()
			for i := 0; i < rounds; i++ {
				v := itoa(w*rounds + i)
				c.exec(2, byteArgs([]string{"MSET", keys[0], v, keys[1], v, keys[2], v, keys[3], v}))
			}
		}(w)
	}
	errs := make(chan string, readers)
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := h.fork()
			for i := 0; i < rounds; i++ {
				reply := string(c.exec(2, byteArgs(append([]string{"MGET"}, keys...))))
				parts := strings.Split(reply, "\r\n")
				// *4, then $n / value pairs: all four values must be equal.
				if len(parts) >= 9 && !(parts[2] == parts[4] && parts[4] == parts[6] && parts[6] == parts[8]) {
					errs <- reply
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("MGET saw a partial MSET: %q", e)
	}
}

func TestStrlen(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("l")
	h.run([]step{
		expect("STRLEN", "missing", rZero),
		expect("SET", "k", "hello", rOK),
		expect("STRLEN", "k", rInt(5)),
		expect("SET", "n", "-12345", rOK),
		expect("STRLEN", "n", rInt(6)),
		expect("STRLEN", "l", wrongType),
	})
}

// TestObjectEncodingOfStrings checks OBJECT ENCODING reports what Redis's
// tryObjectEncoding and the editing commands would produce.
func TestObjectEncodingOfStrings(t *testing.T) {
	tests := []struct {
		name  string
		steps [][]string
		want  string
	}{
		{"small integer", [][]string{{"SET", "k", "123"}}, "int"},
		{"negative integer", [][]string{{"SET", "k", "-42"}}, "int"},
		{"int64 min", [][]string{{"SET", "k", "-9223372036854775808"}}, "int"},
		{"beyond int64", [][]string{{"SET", "k", "9223372036854775808"}}, "embstr"},
		{"leading zero", [][]string{{"SET", "k", "007"}}, "embstr"},
		{"plus sign", [][]string{{"SET", "k", "+1"}}, "embstr"},
		{"float", [][]string{{"SET", "k", "1.5"}}, "embstr"},
		{"empty", [][]string{{"SET", "k", ""}}, "embstr"},
		{"44 bytes", [][]string{{"SET", "k", strings.Repeat("a", 44)}}, "embstr"},
		{"45 bytes", [][]string{{"SET", "k", strings.Repeat("a", 45)}}, "raw"},
		{"overwrite int with text in place", [][]string{{"SET", "k", "12"}, {"SET", "k", "ab"}}, "embstr"},
		{"overwrite text with int in place", [][]string{{"SET", "k", "ab"}, {"SET", "k", "12"}}, "int"},
		{"MSET", [][]string{{"MSET", "k", "77"}}, "int"},
		{"APPEND to existing", [][]string{{"SET", "k", "ab"}, {"APPEND", "k", "c"}}, "raw"},
		{"APPEND nothing", [][]string{{"SET", "k", "12"}, {"APPEND", "k", ""}}, "raw"},
		{"APPEND creating", [][]string{{"APPEND", "k", "12"}}, "int"},
		{"SETRANGE", [][]string{{"SET", "k", "12"}, {"SETRANGE", "k", "0", "3"}}, "raw"},
		{"SETRANGE nothing", [][]string{{"SET", "k", "12"}, {"SETRANGE", "k", "0", ""}}, "int"},
		{"SETRANGE creating", [][]string{{"SETRANGE", "k", "1", "x"}}, "raw"},
		{"INCR after raw", [][]string{{"SET", "k", "1"}, {"APPEND", "k", "0"}, {"INCR", "k"}}, "int"},
		{"INCR creating", [][]string{{"INCR", "k"}}, "int"},
		{"INCRBYFLOAT integral", [][]string{{"INCRBYFLOAT", "k", "3"}}, "embstr"},
		{"INCRBYFLOAT long", [][]string{{"INCRBYFLOAT", "k", "1e44"}}, "raw"},
		{"GETSET", [][]string{{"GETSET", "k", "99"}}, "int"},
		{"COPY keeps it", [][]string{{"SET", "s", strings.Repeat("b", 50)}, {"COPY", "s", "k"}}, "raw"},
		{"RENAME keeps it", [][]string{{"SET", "s", "5"}, {"APPEND", "s", "5"}, {"RENAME", "s", "k"}}, "raw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, 4)
			for _, s := range tt.steps {
				if r := h.do(s...); r[0] == '-' {
					t.Fatalf("%q: %q", s, r)
				}
			}
			if got := h.do("OBJECT", "ENCODING", "k"); got != rBulk(tt.want) {
				t.Errorf("OBJECT ENCODING = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestGetAllocations pins the zero-allocation GET path and the
// allocation-free SET over an existing key of similar size.
func TestGetAllocations(t *testing.T) {
	h := newHarness(t, 64)
	h.do("SET", "key", "value")
	get := byteArgs([]string{"GET", "key"})
	set := byteArgs([]string{"SET", "key", "other"})
	h.exec(2, get)
	h.exec(2, set)
	if n := testing.AllocsPerRun(100, func() { h.dispatch(2, get) }); n != 0 {
		t.Errorf("GET allocates %v times per call", n)
	}
	if n := testing.AllocsPerRun(100, func() { h.dispatch(2, set) }); n != 0 {
		t.Errorf("SET over an existing key allocates %v times per call", n)
	}
}

func BenchmarkGet(b *testing.B) {
	h := newHarness(b, 64)
	h.do("SET", "key:000001", "a typical small value of 32 bytes")
	args := byteArgs([]string{"GET", "key:000001"})
	b.ReportAllocs()
	for b.Loop() {
		h.dispatch(2, args)
	}
}

// BenchmarkSet overwrites one key: the value's buffer is reused.
func BenchmarkSet(b *testing.B) {
	h := newHarness(b, 64)
	args := byteArgs([]string{"SET", "key:000001", "a typical small value of 32 bytes"})
	b.ReportAllocs()
	for b.Loop() {
		h.dispatch(2, args)
	}
}

// BenchmarkSetNewKeys stores a fresh key each time: the allocations are
// the stored data (key, value bytes, Value header) plus map growth.
func BenchmarkSetNewKeys(b *testing.B) {
	h := newHarness(b, 64)
	keys := make([][]byte, 1<<16)
	for i := range keys {
		keys[i] = []byte("key:" + itoa(i))
	}
	args := byteArgs([]string{"SET", "", "a typical small value of 32 bytes"})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(keys) {
			b.StopTimer()
			h.do("FLUSHALL")
			i = 0
			b.StartTimer()
		}
		args[1] = keys[i]
		i++
		h.dispatch(2, args)
	}
}
