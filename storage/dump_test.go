package storage

import (
	"strconv"
	"strings"
	"testing"
)

// dumpOf runs DUMP key and returns the payload (the bulk's body).
func dumpOf(t *testing.T, h *harness, key string) string {
	t.Helper()
	r := h.do("DUMP", key)
	if !strings.HasPrefix(r, "$") || r == rNil {
		t.Fatalf("DUMP %s = %q", key, r)
	}
	return bulkBody([]byte(r))
}

func TestDumpRestoreRoundTrip(t *testing.T) {
	h := newHarness(t, 4)
	long := strings.Repeat("0123456789", 10)
	h.run([]step{
		expect("SET", "s", long, rOK),
		expect("SET", "i", "42", rOK),
		expect("RPUSH", "l", "a", "1", long, rInt(3)),
		expect("SADD", "is", "3", "1", "2", rInt(3)),
		expect("SADD", "hs", "x", "y", rInt(2)),
		expect("ZADD", "z", "1.5", "a", "2", "b", rInt(2)),
		expect("HSET", "h", "f", "v", "n", "7", rInt(2)),
	})
	reads := map[string]func(k string) []string{
		"s":  func(k string) []string { return []string{"GET", k} },
		"i":  func(k string) []string { return []string{"GET", k} },
		"l":  func(k string) []string { return []string{"LRANGE", k, "0", "-1"} },
		"is": func(k string) []string { return []string{"SMEMBERS", k} },
		"hs": func(k string) []string { return []string{"SMEMBERS", k} },
		"z":  func(k string) []string { return []string{"ZRANGE", k, "0", "-1", "WITHSCORES"} },
		"h":  func(k string) []string { return []string{"HGETALL", k} },
	}
	for key, args := range reads {
		p := dumpOf(t, h, key)
		copyKey := key + "-copy" // on another instance, most of the time
		if got := h.do("RESTORE", copyKey, "0", p); got != rOK {
			t.Fatalf("RESTORE %s: %q", key, got)
		}
		if got, want := h.do(args(copyKey)...), h.do(args(key)...); got != want {
			t.Errorf("%s: restored copy reads %q, original %q", key, got, want)
		}
		if got, want := h.do("OBJECT", "ENCODING", copyKey), h.do("OBJECT", "ENCODING", key); got != want {
			t.Errorf("%s: restored encoding %q, original %q", key, got, want)
		}
		if got := dumpOf(t, h, copyKey); got != p {
			t.Errorf("%s: DUMP of the restored copy differs", key)
		}
	}
}

func TestRestoreErrors(t *testing.T) {
	h := newHarness(t, 4)
	h.do("SET", "v", "v")
	p := dumpOf(t, h, "v")
	bad := []byte(p)
	bad[len(bad)-1] ^= 1
	newer := withFooter("\x00\x01v", rdbVersion+1)
	h.run([]step{
		expect("DUMP", "nokey", rNil),
		expect("RESTORE", "v", "0", p, rErr(ErrBusyKey)),
		expect("RESTORE", "n", "-1", p, rErr(ErrRestoreTTL)),
		expect("RESTORE", "n", "1.5", p, rErr(ErrNotInteger)),
		expect("RESTORE", "n", "0", string(bad), rErr(ErrDumpPayload)),
		expect("RESTORE", "n", "0", newer, rErr(ErrDumpPayload)),
		expect("RESTORE", "n", "0", "tiny", rErr(ErrDumpPayload)),
		expect("RESTORE", "n", "0", withFooter("\x2a", rdbVersion), rErr(ErrBadDataFormat)),
		expect("RESTORE", "n", "0", withFooter("\x02\x00", rdbVersion), rErr(ErrBadDataFormat)),
		expect("RESTORE", "n", "0", p, "REPLACE", "junk", rErr(ErrSyntax)),
		expect("RESTORE", "n", "0", p, "IDLETIME", "-1", rErr(ErrRestoreIdle)),
		expect("RESTORE", "n", "0", p, "FREQ", "300", rErr(ErrRestoreFreq)),
		expect("RESTORE", "n", "0", p, "FREQ", "x", rErr(ErrNotInteger)),
		expect("RESTORE", "n", "0", p, "FREQ", "1", "IDLETIME", "1", rErr(ErrSyntax)),
		expect("RESTORE", "n", "0", p, "IDLETIME", rErr(ErrSyntax)),
		expect("EXISTS", "n", rZero),
		// Option errors come before the existing-key check.
		expect("RESTORE", "v", "0", p, "bogus", rErr(ErrSyntax)),
		// The existing-key check comes before the TTL's.
		expect("RESTORE", "v", "-1", p, rErr(ErrBusyKey)),
	})
	h.put("st", &Value{Kind: KindStream, Enc: EncStream})
	if got := dumpOf(t, h, "st"); got[0] != rdbTypeStreamListpack2 {
		t.Errorf("DUMP of a stream = %q", got)
	}
	if got := h.do3("DUMP", "nokey"); got != rNil3 {
		t.Errorf("RESP3 DUMP of a missing key = %q", got)
	}
}

func TestRestoreTTL(t *testing.T) {
	h := newHarness(t, 4)
	h.do("SET", "v", "v")
	p := dumpOf(t, h, "v")
	past := strconv.FormatInt(h.now-1, 10)
	future := strconv.FormatInt(h.now+5000, 10)
	h.run([]step{
		expect("RESTORE", "a", "10000", p, rOK),
		expect("PTTL", "a", rInt(10000)),
		expect("RESTORE", "b", future, p, "ABSTTL", rOK),
		expect("PEXPIRETIME", "b", ":"+future+"\r\n"),
		expect("RESTORE", "c", past, p, "ABSTTL", rOK),
		expect("EXISTS", "c", rZero),
		// REPLACE with a deadline already past deletes the old value.
		expect("RESTORE", "v", past, p, "ABSTTL", "REPLACE", rOK),
		expect("EXISTS", "v", rZero),
		expect("RESTORE", "d", "9223372036854775807", p, rOK),
		expect("EXISTS", "d", rZero),
		expect("RESTORE", "e", "0", p, "IDLETIME", "100", "absttl", rOK),
		expect("PTTL", "e", rInt(-1)),
	})
	h.advance(10001)
	if got := h.do("EXISTS", "a"); got != rZero {
		t.Errorf("restored key with a TTL did not expire: %q", got)
	}
}

func TestRestoreMemoryAccounting(t *testing.T) {
	h := newHarness(t, 4)
	big := []string{"HSET", "h"}
	for i := 0; i < 100; i++ {
		big = append(big, "field"+strconv.Itoa(i), strings.Repeat("v", i))
	}
	h.do(big...)
	p := dumpOf(t, h, "h")
	id := h.instanceOf("copy")
	before := h.eng.insts[id].used.Load()
	h.do("RESTORE", "copy", "0", p)
	if h.eng.insts[id].used.Load() <= before {
		t.Fatal("RESTORE charged no memory")
	}
	h.do("DEL", "copy")
	if got := h.eng.insts[id].used.Load(); got != before {
		t.Errorf("after DEL used memory is %d, was %d", got, before)
	}
}
