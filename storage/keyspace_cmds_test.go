package storage

import (
	"testing"
)

func TestDelExistsTouchType(t *testing.T) {
	h := newHarness(t, 4)
	k := h.keysOnDistinctInstances("del", 4)
	h.do("MSET", k[0], "a", k[1], "b", k[2], "c")
	h.putList(k[3])
	h.run([]step{
		expect("EXISTS", k[0], k[1], k[2], k[3], "missing", rInt(4)),
		expect("EXISTS", k[0], k[0], k[0], rInt(3)), // repeats count, as in Redis
		expect("TOUCH", k[0], k[3], "missing", rInt(2)),
		expect("TYPE", k[0], "+string\r\n"),
		expect("TYPE", k[3], "+list\r\n"),
		expect("TYPE", "missing", "+none\r\n"),
		expect("DEL", k[0], k[0], "missing", rOne), // but not for DEL
		expect("DEL", k[1], k[2], k[3], rInt(3)),
		expect("EXISTS", k[0], k[1], k[2], k[3], rZero),
		expect("SET", "u", "1", rOK),
		expect("UNLINK", "u", "missing", rOne),
		expect("UNLINK", "u", rZero),
	})
	// Every Kind gets its TYPE name, without any family code.
	for kind := KindString; kind <= KindStream; kind++ {
		h.put("typed", &Value{Kind: kind})
		if got, want := h.do("TYPE", "typed"), "+"+kind.String()+"\r\n"; got != want {
			t.Errorf("TYPE of a %v = %q", kind, got)
		}
	}
}

func TestDelExpired(t *testing.T) {
	h := newHarness(t, 4)
	h.run([]step{
		expect("SET", "k", "v", "PX", "10", rOK),
		expect("SET", "k2", "v", rOK),
	})
	h.advance(11)
	h.run([]step{
		expect("DEL", "k", "k2", rOne), // an expired key is not counted
		expect("EXISTS", "k", rZero),
	})
	if h.peek(0, "k") != nil {
		t.Error("DEL left the expired key stored")
	}
}

func TestExpire(t *testing.T) {
	h := newHarness(t, 4)
	nowSec := h.now / 1000
	invalid := func(name string) string { return rErr(ErrInvalidExpireIn(name)) }
	h.run([]step{
		expect("EXPIRE", "missing", "100", rZero),
		expect("SET", "k", "v", rOK),
		expect("EXPIRE", "k", "100", rOne),
		expect("TTL", "k", rInt(100)),
		expect("PEXPIRE", "k", "1500", rOne),
		expect("PTTL", "k", rInt(1500)),
		expect("TTL", "k", rInt(2)),
		expect("EXPIREAT", "k", itoa64(nowSec+50), rOne),
		expect("TTL", "k", rInt(50)),
		expect("PEXPIREAT", "k", itoa64(h.now+123), rOne),
		expect("PTTL", "k", rInt(123)),
		expect("PEXPIRETIME", "k", rInt(h.now+123)),
		expect("EXPIRETIME", "k", rInt((h.now+123+500)/1000)),
		// Errors: the options first, then the number, then overflow.
		expect("EXPIRE", "k", "abc", "foo", rErr(ErrUnsupportedOption+"foo")),
		expect("EXPIRE", "k", "abc", "NX", "XX", rErr(ErrNXWithOthers)),
		expect("EXPIRE", "k", "abc", rErr(ErrNotInteger)),
		expect("EXPIRE", "k", "10", "gt", "LT", rErr(ErrGTAndLT)),
		expect("EXPIRE", "k", "10", "nx", "gt", rErr(ErrNXWithOthers)),
		expect("EXPIRE", "k", "9223372036854775807", invalid("expire")),
		expect("EXPIRE", "k", "-9223372036854776", invalid("expire")),
		expect("EXPIRE", "k", "9223372036854775", invalid("expire")), // the addition overflows
		expect("PEXPIRE", "k", "9223372036854775807", invalid("pexpire")),
		expect("EXPIREAT", "k", "9223372036854776", invalid("expireat")),
		expect("PEXPIREAT", "k", "9223372036854775807", rOne),
		expect("EXPIRETIME", "k", rInt(9223372036854776)),
		expect("PTTL", "k", rInt(9223372036854775807-h.now)),
		// Unknown options are quoted the way Redis quotes them.
		expect("EXPIRE", "k", "1", "bad\nopt\r\n", rErr(ErrUnsupportedOption+"bad opt")),
		expect("EXPIRE", "k", "1", "bad\x00opt", rErr(ErrUnsupportedOption+"bad")),
		expect("EXPIRE", "k", "1", "nx\x00", "xx", rErr(ErrNXWithOthers)),
	})
}

func TestExpireInThePastDeletes(t *testing.T) {
	for _, args := range [][]string{
		{"EXPIRE", "k", "0"},
		{"EXPIRE", "k", "-1"},
		{"EXPIRE", "k", "-9223372036854775"},
		{"PEXPIRE", "k", "-9223372036854775808"},
		{"EXPIREAT", "k", "1"},
		{"PEXPIREAT", "k", itoa64(testEpoch)}, // the current millisecond is past too
	} {
		h := newHarness(t, 1)
		h.do("SET", "k", "v")
		if got := h.do(args...); got != rOne {
			t.Errorf("%q = %q, want 1", args, got)
		}
		if h.peek(0, "k") != nil {
			t.Errorf("%q left the key stored", args)
		}
	}
}

func TestExpireConditions(t *testing.T) {
	tests := []struct {
		name    string
		ttl     string // the key's TTL before, "" for none
		args    []string
		want    string
		wantTTL int64
	}{
		{"NX without TTL", "", []string{"100", "NX"}, rOne, 100},
		{"NX with TTL", "50", []string{"100", "NX"}, rZero, 50},
		{"XX without TTL", "", []string{"100", "XX"}, rZero, -1},
		{"XX with TTL", "50", []string{"100", "XX"}, rOne, 100},
		{"GT without TTL", "", []string{"100", "GT"}, rZero, -1}, // no TTL is infinite
		{"GT greater", "50", []string{"100", "GT"}, rOne, 100},
		{"GT equal", "50", []string{"50", "GT"}, rZero, 50},
		{"GT smaller", "50", []string{"10", "GT"}, rZero, 50},
		{"LT without TTL", "", []string{"100", "LT"}, rOne, 100},
		{"LT smaller", "50", []string{"10", "LT"}, rOne, 10},
		{"LT equal", "50", []string{"50", "LT"}, rZero, 50},
		{"LT greater", "50", []string{"100", "LT"}, rZero, 50},
		{"XX GT", "50", []string{"100", "XX", "GT"}, rOne, 100},
		{"XX GT without TTL", "", []string{"100", "xx", "gt"}, rZero, -1},
		{"XX LT without TTL", "", []string{"100", "XX", "LT"}, rZero, -1},
		{"LT in the past deletes", "50", []string{"-1", "LT"}, rOne, -2},
		{"GT in the past", "50", []string{"-1", "GT"}, rZero, 50},
		{"repeated flags", "50", []string{"100", "GT", "gt"}, rOne, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, 1)
			h.do("SET", "k", "v")
			if tt.ttl != "" {
				h.do("EXPIRE", "k", tt.ttl)
			}
			if got := h.do(append([]string{"EXPIRE", "k"}, tt.args...)...); got != tt.want {
				t.Errorf("EXPIRE k %q = %q, want %q", tt.args, got, tt.want)
			}
			if got := h.do("TTL", "k"); got != rInt(tt.wantTTL) {
				t.Errorf("TTL = %q, want %d", got, tt.wantTTL)
			}
		})
	}
}

func TestTTLRounding(t *testing.T) {
	h := newHarness(t, 1)
	for _, tt := range []struct{ pttl, ttl int64 }{{1, 0}, {499, 0}, {500, 1}, {1499, 1}, {1500, 2}, {10000, 10}} {
		h.do("PSETEX", "k", itoa64(tt.pttl), "v")
		if got := h.do("TTL", "k"); got != rInt(tt.ttl) {
			t.Errorf("TTL with %d ms left = %q, want %d", tt.pttl, got, tt.ttl)
		}
	}
	h.run([]step{
		expect("TTL", "missing", rInt(-2)),
		expect("PTTL", "missing", rInt(-2)),
		expect("EXPIRETIME", "missing", rInt(-2)),
		expect("PEXPIRETIME", "missing", rInt(-2)),
		expect("SET", "p", "v", rOK),
		expect("TTL", "p", rInt(-1)),
		expect("PTTL", "p", rInt(-1)),
		expect("EXPIRETIME", "p", rInt(-1)),
		expect("PEXPIRETIME", "p", rInt(-1)),
	})
}

func TestPersist(t *testing.T) {
	h := newHarness(t, 4)
	h.run([]step{
		expect("PERSIST", "missing", rZero),
		expect("SET", "k", "v", "EX", "100", rOK),
		expect("PERSIST", "k", rOne),
		expect("TTL", "k", rInt(-1)),
		expect("PERSIST", "k", rZero),
	})
	h.advance(200_000)
	if got := h.do("GET", "k"); got != rBulk("v") {
		t.Errorf("a persisted key expired: GET = %q", got)
	}
}

func TestRename(t *testing.T) {
	h := newHarness(t, 4)
	k := h.keysOnDistinctInstances("ren", 3)
	h.putList("l")
	h.run([]step{
		expect("RENAME", "missing", "x", rErr(ErrNoSuchKey)),
		expect("RENAME", "missing", "missing", rErr(ErrNoSuchKey)),
		expect("RENAMENX", "missing", "x", rErr(ErrNoSuchKey)),
		expect("SET", k[0], "v", "EX", "100", rOK),
		expect("RENAME", k[0], k[0], rOK),
		expect("RENAMENX", k[0], k[0], rZero),
		expect("RENAME", k[0], k[1], rOK), // across instances
		expect("EXISTS", k[0], rZero),
		expect("GET", k[1], rBulk("v")),
		expect("TTL", k[1], rInt(100)), // the deadline moves along
		expect("SET", k[2], "other", rOK),
		expect("RENAMENX", k[1], k[2], rZero),
		expect("GET", k[1], rBulk("v")),
		expect("RENAME", k[1], k[2], rOK), // replaces, deadline and all
		expect("GET", k[2], rBulk("v")),
		expect("TTL", k[2], rInt(100)),
		expect("RENAMENX", k[2], k[0], rOne),
		expect("RENAME", "l", k[1], rOK), // any type
		expect("TYPE", k[1], "+list\r\n"),
		expect("SET", "plain", "x", rOK),
		expect("RENAME", "plain", k[0], rOK),
		expect("TTL", k[0], rInt(-1)), // replaced value's deadline is gone
	})
	if h.peek(0, k[2]) != nil {
		t.Error("RENAMENX left the source stored")
	}
}

func TestCopy(t *testing.T) {
	h := newHarness(t, 4)
	k := h.keysOnDistinctInstances("cp", 3)
	h.run([]step{
		expect("COPY", "missing", k[1], rZero),
		expect("SET", k[0], "v", "EX", "100", rOK),
		expect("COPY", k[0], k[0], rErr(ErrSameObject)),
		expect("COPY", k[0], k[0], "DB", "0", rErr(ErrSameObject)),
		expect("COPY", k[0], k[1], rOne), // across instances
		expect("GET", k[1], rBulk("v")),
		expect("TTL", k[1], rInt(100)),
		expect("COPY", k[0], k[1], rZero),
		expect("SET", k[0], "w", rOK),
		expect("COPY", k[0], k[1], "REPLACE", rOne),
		expect("GET", k[1], rBulk("w")),
		expect("TTL", k[1], rInt(-1)),
		expect("COPY", k[0], k[1], "replace", "REPLACE", rOne),
		expect("COPY", k[0], k[0], "DB", "1", rOne),
		expect("COPY", k[0], k[2], "DB", "15", "REPLACE", rOne),
		expect("COPY", k[0], k[2], "DB", "16", rErr(ErrDBIndexRange)),
		expect("COPY", k[0], k[2], "DB", "-1", rErr(ErrDBIndexRange)),
		expect("COPY", k[0], k[2], "DB", "abc", rErr(ErrNotInteger)),
		expect("COPY", k[0], k[2], "DB", "4294967296", rErr(ErrIntRange)),
		expect("COPY", k[0], k[2], "DB", rErr(ErrSyntax)),
		expect("COPY", k[0], k[2], "foo", rErr(ErrSyntax)),
		expect("COPY", "missing", k[2], "DB", "99", rErr(ErrDBIndexRange)), // options first
		expect("EXISTS", k[2], rZero),
	})
	if v := h.peek(1, k[0]); v == nil || string(v.Str()) != "w" {
		t.Errorf("COPY DB 1 stored %+v", v)
	}
	if v := h.peek(15, k[2]); v == nil || string(v.Str()) != "w" {
		t.Errorf("COPY DB 15 stored %+v", v)
	}
	// The copy shares no bytes with the source.
	h.do("APPEND", k[1], "xyz")
	h.do("SETRANGE", k[1], "0", "Q")
	if got := h.do("GET", k[0]); got != rBulk("w") {
		t.Errorf("changing the copy changed the source: %q", got)
	}
}

func TestCopyClonesStructures(t *testing.T) {
	h := newHarness(t, 4)
	h.do("RPUSH", "src", "a", "b")
	if got := h.do("COPY", "src", "dst"); got != rOne {
		t.Fatalf("COPY = %q", got)
	}
	orig, cp := h.peek(0, "src"), h.peek(0, "dst")
	if cp == nil || cp.Kind != KindList || cp.Enc != EncQuicklist {
		t.Fatalf("copy = %+v", cp)
	}
	if cp.Obj().(*listValue) == orig.Obj().(*listValue) {
		t.Fatal("the copy shares the source's structure")
	}
	h.do("LSET", "dst", "0", "changed")
	if got := h.do("LRANGE", "src", "0", "-1"); got != rArr(rBulk("a"), rBulk("b")) {
		t.Errorf("changing the copy changed the source: %q", got)
	}
	if got := h.do("OBJECT", "ENCODING", "dst"); got != rBulk("quicklist") {
		t.Errorf("OBJECT ENCODING of the copy = %q", got)
	}
}

// Every collection structure a Value can hold implements Cloner, so COPY
// never shares one between two keys; the compiler checks it here.
var (
	_ Cloner = (*hashValue)(nil)
	_ Cloner = (*listValue)(nil)
	_ Cloner = (*setObj)(nil)
	_ Cloner = (*zsetValue)(nil)
	_ Cloner = (*streamValue)(nil)
)

func TestSetObjRefusesForeignStructures(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("SetObj took a structure Obj could not give back")
		}
	}()
	new(Value).SetObj(struct{}{})
}

func TestObjectEncoding(t *testing.T) {
	h := newHarness(t, 4)
	for enc := EncRaw; enc <= EncStream; enc++ {
		h.put("k", &Value{Kind: KindZSet, Enc: enc})
		if got := h.do("OBJECT", "ENCODING", "k"); got != rBulk(enc.String()) {
			t.Errorf("OBJECT ENCODING with %v = %q", enc, got)
		}
	}
	h.run([]step{
		expect("OBJECT", "ENCODING", "missing", rNil),
		expect("SET", "e", "v", "PX", "1", rOK),
	})
	h.advance(2)
	h.run([]step{expect("OBJECT", "encoding", "e", rNil)})
	if got := h.do3("OBJECT", "ENCODING", "missing"); got != rNil3 {
		t.Errorf("RESP3 OBJECT ENCODING missing = %q", got)
	}
}
