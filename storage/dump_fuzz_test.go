package storage

import (
	"strings"
	"testing"
)

// FuzzRestorePayload feeds RESTORE arbitrary RDB bodies under a valid
// footer, so the checksum never hides the decoder: a client can send any
// such payload, and Redis itself (with sanitize-dump-payload no) trusts
// it. Whatever the body, RESTORE must answer OK or an error, and a value
// it accepts must then survive every read, a DUMP round trip that gives
// the same bytes, and writes. The seeds are our own DUMPs of every type
// in each of its encodings.
//
//	go test -run '^$' -fuzz FuzzRestorePayload -fuzztime 5m ./storage/
func FuzzRestorePayload(f *testing.F) {
	seed := newHarness(f, 1)
	for _, cmd := range restoreFuzzSeeds() {
		seed.do(cmd...)
	}
	for _, key := range []string{"s", "i", "l", "L", "is", "ls", "hs", "z", "Z", "h", "H", "x", "hll"} {
		p := seed.do("DUMP", key)
		if !strings.HasPrefix(p, "$") {
			f.Fatalf("DUMP %s = %q", key, p)
		}
		payload := p[strings.Index(p, "\r\n")+2 : len(p)-2]
		body := payload[:len(payload)-10]
		if r := seed.do("RESTORE", "copy-of-"+key, "0", withFooter(body, rdbVersion)); r != rOK {
			f.Fatalf("seed %s does not restore: %q", key, r)
		}
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h := newHarness(t, 1)
		got := h.do("RESTORE", "k", "0", withFooter(string(body), rdbVersion))
		if got != rOK {
			if !strings.HasPrefix(got, "-") {
				t.Fatalf("RESTORE = %q, want OK or an error", got)
			}
			return
		}
		dump := h.do("DUMP", "k")
		payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
		if r := h.do("RESTORE", "k2", "0", payload); r != rOK {
			t.Fatalf("RESTORE of our own DUMP = %q", r)
		}
		if again := h.do("DUMP", "k2"); again != dump {
			t.Fatalf("DUMP after a round trip = %q, want %q", again, dump)
		}
		for _, cmd := range restoreFuzzProbes {
			if r := h.do(cmd...); r == "" {
				t.Fatalf("%q: no reply", cmd)
			}
		}
	})
}

// restoreFuzzSeeds builds one key per type and encoding.
func restoreFuzzSeeds() [][]string {
	many := func(cmd []string, n int, item func(i int) []string) []string {
		for i := range n {
			cmd = append(cmd, item(i)...)
		}
		return cmd
	}
	num := func(i int) string {
		return strings.Repeat("m", i%7) + string(rune('a'+i%26)) + strings.Repeat("0", i/26)
	}
	return [][]string{
		{"SET", "s", "hello"},
		{"SET", "i", "12345"},
		{"RPUSH", "l", "a", "1", "b"},
		many([]string{"RPUSH", "L"}, 300, func(i int) []string { return []string{num(i)} }),
		{"SADD", "is", "1", "2", "-7"},
		{"SADD", "ls", "a", "b", "1"},
		many([]string{"SADD", "hs"}, 300, func(i int) []string { return []string{num(i)} }),
		{"ZADD", "z", "1", "a", "2.5", "b"},
		many([]string{"ZADD", "Z"}, 300, func(i int) []string { return []string{"1.5", num(i)} }),
		{"HSET", "h", "f", "v", "n", "1"},
		many([]string{"HSET", "H"}, 300, func(i int) []string { return []string{num(i), "v"} }),
		{"XADD", "x", "1-1", "f", "v"},
		{"XADD", "x", "2-1", "f", "w", "g", "x"},
		{"XGROUP", "CREATE", "x", "g", "0"},
		{"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "x", ">"},
		{"PFADD", "hll", "a", "b", "c"},
	}
}

// restoreFuzzProbes read and change k whatever its type; a command for
// another type answers WRONGTYPE, which is fine.
var restoreFuzzProbes = [][]string{
	{"TYPE", "k"}, {"OBJECT", "ENCODING", "k"}, {"MEMORY", "USAGE", "k"},
	{"GET", "k"}, {"STRLEN", "k"}, {"GETRANGE", "k", "0", "-1"}, {"PFCOUNT", "k"}, {"BITCOUNT", "k"},
	{"LRANGE", "k", "0", "-1"}, {"LLEN", "k"}, {"LINDEX", "k", "-1"}, {"LPOS", "k", "a"},
	{"SMEMBERS", "k"}, {"SCARD", "k"}, {"SISMEMBER", "k", "1"}, {"SRANDMEMBER", "k", "-5"},
	{"HGETALL", "k"}, {"HLEN", "k"}, {"HGET", "k", "f"}, {"HRANDFIELD", "k", "-5"},
	{"ZRANGE", "k", "0", "-1", "WITHSCORES"}, {"ZCARD", "k"}, {"ZSCORE", "k", "a"}, {"ZRANK", "k", "a"},
	{"ZRANGEBYLEX", "k", "-", "+"}, {"ZRANDMEMBER", "k", "-5"},
	{"XRANGE", "k", "-", "+"}, {"XLEN", "k"}, {"XINFO", "STREAM", "k", "FULL"}, {"XINFO", "GROUPS", "k"},
	{"XPENDING", "k", "g"}, {"XREAD", "STREAMS", "k", "0"},
	{"SCAN", "0", "COUNT", "1000"}, {"SORT", "k", "ALPHA"},
	{"APPEND", "k", "x"}, {"SETRANGE", "k", "3", "y"}, {"PFADD", "k", "z"}, {"INCR", "k"},
	{"RPUSH", "k", "z"}, {"LPOP", "k"}, {"LINSERT", "k", "BEFORE", "a", "q"}, {"LREM", "k", "0", "a"},
	{"SADD", "k", "z", "9"}, {"SREM", "k", "1"}, {"SPOP", "k"},
	{"HSET", "k", "z", "v"}, {"HDEL", "k", "f"}, {"HINCRBY", "k", "n", "1"},
	{"ZADD", "k", "3", "z"}, {"ZREM", "k", "a"}, {"ZINCRBY", "k", "1", "b"}, {"ZPOPMIN", "k"},
	{"XADD", "k", "*", "f", "v"}, {"XDEL", "k", "1-1"}, {"XTRIM", "k", "MAXLEN", "1"}, {"XACK", "k", "g", "1-1"},
	{"XCLAIM", "k", "g", "c2", "0", "2-1"}, {"XAUTOCLAIM", "k", "g", "c2", "0", "0"},
	{"DUMP", "k"}, {"COPY", "k", "k3"}, {"RENAME", "k", "k4"}, {"DEL", "k4"},
}
