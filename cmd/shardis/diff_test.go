package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// The differential tests send the same commands to a real redis-server 7
// and to shardis and compare the raw reply bytes.

// diffScripts are command sequences with fixed expectations: each line is
// one command, split on spaces ("" stands for an empty argument).
var diffScripts = map[string][]string{
	"connection": {
		"PING", "PING hello", "PING a b", "ECHO x", "ECHO", "SELECT 1", "SELECT 0", "SELECT 16", "SELECT x",
		"SELECT -1", "CLIENT SETNAME bad\x01name", "CLIENT SETNAME ok", "CLIENT GETNAME", "CLIENT FOO",
		"CLIENT", "AUTH x", "AUTH a b c", "HELLO 4", "HELLO x", "HELLO 2 foo", "NOSUCH a b",
		"nosuch", "GET", "SET k", "OBJECT", "OBJECT FOO k", "COMMAND FOO", "CONFIG FOO", "COMMAND GETKEYS get",
		"COMMAND GETKEYS nosuch k", "COMMAND GETKEYS ping x", "COMMAND GETKEYS set a", "COMMAND GETKEYS mset a 1 b 2",
		"COMMAND INFO get set nosuch", "COMMAND DOCS get", "COMMAND INFO echo ping",
	},
	"strings": {
		"SET k v", "GET k", "SET k v2 NX", "SET k v3 XX", "GET k", "SET k v4 GET", "SET n 1 NX XX", "SET k v EX 0",
		"SET k v EX x", "SET k v KEEPTTL EX 10", "SET k v PX", "SET k v EX 100 GET", "TTL k", "SET k v KEEPTTL", "TTL k",
		"SETNX k x", "SETNX k2 x", "SETEX k3 0 v", "SETEX k3 10 v", "PSETEX k4 -1 v", "GETSET k new", "GETSET nokey v",
		"GETDEL k", "GETDEL k", "GETEX k2 PERSIST", "GETEX k2 EX 10 PERSIST", "GETEX k2 FOO", "GETEX nokey",
		"APPEND a hello", "APPEND a \" world\"", "GET a", "STRLEN a", "STRLEN nokey",
		"SET i 10", "INCR i", "DECR i", "INCRBY i 5", "DECRBY i 3", "INCRBY i x", "DECRBY i -9223372036854775808",
		"SET i 9223372036854775807", "INCR i", "INCR a", "INCRBY nokey2 -7",
		"SET f 10.5", "INCRBYFLOAT f 0.1", "INCRBYFLOAT f 5.0e3", "INCRBYFLOAT f 1e-20", "INCRBYFLOAT f x",
		"INCRBYFLOAT f inf", "INCRBYFLOAT a 1", "INCRBYFLOAT nf -3", "SET f2 3", "INCRBYFLOAT f2 0",
		"SET s \"Hello World\"", "GETRANGE s 0 4", "GETRANGE s -5 -1", "GETRANGE s 5 3", "GETRANGE s -1 -5",
		"GETRANGE s 0 100", "GETRANGE nokey 0 1", "GETRANGE s x 1", "SUBSTR s 1 2",
		"SETRANGE s 6 Redis", "GET s", "SETRANGE s -1 x", "SETRANGE pad 5 x", "GET pad", "SETRANGE empty 0 \"\"",
		"EXISTS empty", "SETRANGE s 536870912 x",
		"MSET a 1 b 2 c 3", "MGET a b c nokey", "MSET a", "MSETNX a 1 z 2", "MSETNX y 1 z 2", "MGET y z",
		"SET l1 ohmytext", "SET l2 mynewtext", "LCS l1 l2", "LCS l1 l2 LEN", "LCS l1 l2 IDX",
		"LCS l1 l2 IDX MINMATCHLEN 4 WITHMATCHLEN", "LCS l1 l2 LEN IDX", "LCS l1 nokey", "LCS l1 l2 FOO",
		"SET e1 123", "OBJECT ENCODING e1", "SET e2 abc", "OBJECT ENCODING e2", "APPEND e2 d", "OBJECT ENCODING e2",
		"SET e3 0123", "OBJECT ENCODING e3", "INCR e1", "OBJECT ENCODING e1", "OBJECT ENCODING nokey",
	},
	"keyspace": {
		"MSET a 1 b 2 c 3 {t}x 4 {t}y 5", "DEL a nokey b", "EXISTS a b c c", "UNLINK c", "TOUCH {t}x {t}y nokey",
		"TYPE {t}x", "TYPE nokey", "EXPIRE {t}x 100", "TTL {t}x", "PTTL nokey", "TTL {t}y", "EXPIRE {t}x 10 NX",
		"EXPIRE {t}x 10 XX", "EXPIRE {t}x 1000 GT", "EXPIRE {t}x 5 LT", "EXPIRE {t}y 5 GT", "EXPIRE {t}y 5 LT",
		"EXPIRE {t}x 1 FOO", "EXPIRE {t}x 1 NX XX", "EXPIRE {t}x 1 GT LT", "EXPIRE {t}x x",
		"EXPIRE {t}x 9223372036854775807", "PEXPIRE {t}x 9223372036854775807", "EXPIREAT nokey 1",
		"PERSIST {t}x", "PERSIST {t}x", "TTL {t}x", "EXPIRETIME {t}x", "PEXPIRETIME nokey", "EXPIREAT {t}y 1",
		"EXISTS {t}y", "SET r1 v", "RENAME r1 r2", "GET r2", "RENAME nokey x", "RENAME r2 r2", "RENAMENX r2 r2",
		"SET r3 w", "RENAMENX r2 r3", "RENAMENX r2 r4", "GET r4", "COPY r4 r5", "GET r5", "COPY r4 r5",
		"COPY r4 r5 REPLACE", "COPY r4 r4", "COPY r4 r4 DB 1", "COPY r4 r4 DB 99", "COPY r4 r4 DB x",
		"COPY r4 r4 FOO", "COPY nokey x", "SELECT 1", "GET r4", "SELECT 0", "DBSIZE", "FLUSHDB FOO",
		"SET m v EX 100", "MOVE m 1", "MOVE m 1", "SELECT 1", "TTL m", "GET m", "SET m2 x", "SELECT 0", "SET m2 y",
		"MOVE m2 1", "MOVE m2 0", "MOVE nokey 1", "MOVE m2 16", "SELECT 1", "GET m2", "SELECT 0",
		"FLUSHALL ASYNC", "DBSIZE", "RANDOMKEY", "KEYS *", "SCAN 0", "SCAN x", "SCAN 0 COUNT 0", "SCAN 0 MATCH",
	},
	"transactions": {
		"EXEC", "DISCARD", "UNWATCH", "WATCH", "MULTI", "MULTI", "SET a 1", "INCR a", "GET a", "MSET {t}x 1 {t}y 2",
		"LPUSH a x", "SELECT 2", "SET b 2", "PING", "ECHO hi", "EXEC", "GET b", "SELECT 0", "GET a",
		"MULTI", "SET a 2", "GET", "NOSUCH x", "EXEC", "GET a",
		"MULTI", "SET a 3", "CLIENT NOSUCH", "EXEC", "MULTI", "SAVE", "EXEC", "MULTI", "WATCH a", "SET a 4", "EXEC", "GET a",
		"MULTI", "SET a 5", "DISCARD", "GET a", "EXEC",
		"MULTI", "BLPOP nol 0", "BLMOVE nol m LEFT LEFT 0", "BRPOPLPUSH nol m 0", "BZPOPMIN noz 0", "BLMPOP 0 1 nol LEFT",
		"BZMPOP 0 1 noz MIN", "XREAD BLOCK 0 STREAMS nox $", "RPUSH nol v", "BLPOP nol 0", "EXEC", "MULTI", "EXEC",
		"WATCH a {t}x", "WATCH a", "GET a", "MULTI", "INCR a", "EXEC", "GET a",
		"WATCH a", "SET a 10", "MULTI", "INCR a", "EXEC", "GET a",
		"WATCH a", "UNWATCH", "SET a 20", "MULTI", "INCR a", "EXEC",
		"WATCH nokey", "MULTI", "SET nokey 1", "EXEC", "WATCH nokey", "DEL nokey", "MULTI", "PING", "EXEC",
		"WATCH nokey", "GET nokey", "MULTI", "PING", "EXEC",
		"SELECT 1", "WATCH a", "SELECT 0", "SET a 1", "MULTI", "PING", "EXEC",
		"SELECT 1", "WATCH a", "SELECT 0", "FLUSHALL", "MULTI", "PING", "EXEC",
		"MULTI", "SET k v", "QUIT",
	},
	"pubsub": {
		"SUBSCRIBE a", "SUBSCRIBE a", "PING", "PING x", "GET k", "CLIENT ID x", "MULTI", "UNSUBSCRIBE a", "PSUBSCRIBE h*llo",
		"SSUBSCRIBE s1", "UNSUBSCRIBE", "UNSUBSCRIBE nosuch", "PUNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "SUNSUBSCRIBE",
		"PING", "SUBSCRIBE", "PUBLISH a", "PUBLISH a m", "SPUBLISH a m", "PUBSUB", "PUBSUB NOSUCH", "PUBSUB NUMPAT x",
		"PUBSUB NUMSUB", "PUBSUB CHANNELS a b", "MULTI", "SUBSCRIBE q", "EXEC", "PING", "UNSUBSCRIBE q", "SET k v",
		"SUBSCRIBE r", "RESET", "GET k", "PING", "PUBSUB NUMSUB r", "SELECT 3", "SET k 3", "WATCH k", "MULTI", "RESET", "EXEC",
		"GET k", "RESET x",
	},
	"swapdb": {
		"MSET a 1 {t}b 2 c 3", "EXPIRE c 100", "SELECT 3", "SET a three", "RPUSH l x y", "SELECT 0",
		"SWAPDB 0 x", "SWAPDB x 0", "SWAPDB 00 1", "SWAPDB 0 16", "SWAPDB -1 0", "SWAPDB 0 4294967296", "SWAPDB 0",
		"SWAPDB 1 1", "SWAPDB 0 3", "GET a", "LRANGE l 0 -1", "DBSIZE", "TTL c", "SELECT 3", "GET a", "MGET a {t}b c",
		"TTL c", "DBSIZE", "EXISTS a {t}b c l", "SWAPDB 3 0", "GET a", "SELECT 0", "GET {t}b", "SWAPDB 0 5", "SET z 1", "SELECT 5",
		"DBSIZE", "GET z", "SELECT 0", "DBSIZE",
	},
}

func splitCommand(line string) []string {
	var out []string
	for _, f := range strings.Fields(line) {
		if f == `""` {
			f = ""
		}
		out = append(out, strings.ReplaceAll(strings.Trim(f, `"`), "\\x20", " "))
	}
	if strings.Contains(line, `"`) {
		// Keep quoted phrases whole: "a b" is one argument.
		out = nil
		for i, part := range strings.Split(line, `"`) {
			if i%2 == 1 {
				out = append(out, part)
				continue
			}
			out = append(out, strings.Fields(part)...)
		}
	}
	return out
}

func TestDifferentialScripts(t *testing.T) {
	redisAddr := startRedis(t)
	s := startShardis(t)
	for name, script := range diffScripts {
		t.Run(name, func(t *testing.T) {
			want, got := dialRaw(t, redisAddr), dialRaw(t, s.respAddr())
			want.do("FLUSHALL")
			got.do("FLUSHALL")
			for i, line := range script {
				args := splitCommand(line)
				w, g := want.do(args...), got.do(args...)
				if w != g {
					t.Fatalf("step %d %q:\n redis:   %q\n shardis: %q\nsequence so far:\n  %s",
						i, line, w, g, strings.Join(script[:i+1], "\n  "))
				}
			}
		})
	}
}

// TestDifferentialRESP3 replays the string script over RESP3.
func TestDifferentialRESP3(t *testing.T) {
	redisAddr := startRedis(t)
	s := startShardis(t)
	want, got := dialRaw(t, redisAddr), dialRaw(t, s.respAddr())
	for _, c := range []*rawConn{want, got} {
		c.do("HELLO", "3")
		c.do("FLUSHALL")
	}
	for i, line := range append(append([]string{}, diffScripts["strings"]...), "COMMAND INFO get", "COMMAND DOCS set", "CONFIG GET maxclients") {
		args := splitCommand(line)
		if w, g := want.do(args...), got.do(args...); w != g {
			t.Fatalf("RESP3 step %d %q:\n redis:   %q\n shardis: %q", i, line, w, g)
		}
	}
}

// TestDifferentialProtocolErrors sends malformed requests on fresh
// connections and compares everything each server sends before closing.
func TestDifferentialProtocolErrors(t *testing.T) {
	redisAddr := startRedis(t)
	s := startShardis(t)
	inputs := []string{
		"*1\r\n+PING\r\n", "*a\r\n", "*3000000000\r\n", "*2\r\n$3\r\nGET\r\n$-1\r\n", "*1\r\n$04\r\nPING\r\n",
		"set a \"b\n", "*1\r\n$4\r\nPINGXY", "*0\r\n*-1\r\nPING\r\n", "\r\n  \r\nping\n",
		"*1\r\n$4\r\nping\r\n*1\r\n$x\r\n", "FOO a\r\nBAR \"a\\r\\nb\"\r\n", "*1\r\n$600000000\r\n",
		"PING \"unterminated\r\n", "GET 'a'b\r\n",
	}
	for _, in := range inputs {
		want := exchange(t, redisAddr, in)
		got := exchange(t, s.respAddr(), in)
		if want != got {
			t.Errorf("input %q:\n redis:   %q\n shardis: %q", in, want, got)
		}
	}
}

// exchange sends raw bytes and reads until the server closes or goes
// quiet. Quiet means no byte for a second (two before the first): with
// timeoutSoon's 300 ms, a loaded CI machine once saw redis-server "say
// nothing" to an input it answers.
func exchange(t *testing.T, addr, in string) string {
	r := dialRaw(t, addr)
	r.send([]byte(in))
	var b strings.Builder
	for {
		quiet := time.Second
		if b.Len() == 0 {
			quiet = 2 * time.Second
		}
		r.c.SetReadDeadline(time.Now().Add(quiet))
		line, err := r.rd.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			if strings.Contains(err.Error(), "timeout") {
				return b.String()
			}
			return b.String() + "<closed>"
		}
	}
}

// TestDifferentialRandom runs seeded random string/keyspace commands with
// edge-case arguments against both servers.
func TestDifferentialRandom(t *testing.T) {
	redisAddr := startRedis(t)
	s := startShardis(t)
	want, got := dialRaw(t, redisAddr), dialRaw(t, s.respAddr())
	want.do("FLUSHALL")
	got.do("FLUSHALL")
	seed := uint64(1)
	rng := rand.New(rand.NewPCG(seed, 2))
	keys := []string{"a", "b", "{t}c", "{t}d", "", "k\x00bin", "long:" + strings.Repeat("x", 100)}
	vals := []string{"", "0", "1", "-1", "10.5", "abc", "9223372036854775807", "-9223372036854775808", "inf", "nan", "1e3", "\x00\xff", "   5", "05"}
	ints := []string{"0", "1", "-1", "5", "-5", "100", "-100", "x", "9223372036854775807"}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	gens := []func() []string{
		func() []string { return []string{"SET", pick(keys), pick(vals)} },
		func() []string { return []string{"GET", pick(keys)} },
		func() []string { return []string{"APPEND", pick(keys), pick(vals)} },
		func() []string { return []string{"INCRBY", pick(keys), pick(ints)} },
		func() []string { return []string{"INCRBYFLOAT", pick(keys), pick(vals)} },
		func() []string { return []string{"GETRANGE", pick(keys), pick(ints), pick(ints)} },
		func() []string { return []string{"SETRANGE", pick(keys), pick(ints), pick(vals)} },
		func() []string { return []string{"STRLEN", pick(keys)} },
		func() []string { return []string{"DEL", pick(keys), pick(keys)} },
		func() []string { return []string{"EXISTS", pick(keys), pick(keys)} },
		func() []string { return []string{"MSET", pick(keys), pick(vals), pick(keys), pick(vals)} },
		func() []string { return []string{"MGET", pick(keys), pick(keys), pick(keys)} },
		func() []string { return []string{"MSETNX", pick(keys), pick(vals), pick(keys), pick(vals)} },
		func() []string { return []string{"RENAME", pick(keys), pick(keys)} },
		func() []string { return []string{"COPY", pick(keys), pick(keys), "REPLACE"} },
		func() []string { return []string{"GETDEL", pick(keys)} },
		func() []string { return []string{"LCS", pick(keys), pick(keys)} },
		func() []string { return []string{"OBJECT", "ENCODING", pick(keys)} },
		func() []string { return []string{"TYPE", pick(keys)} },
		func() []string { return []string{"EXPIRE", pick(keys), "1000", pick([]string{"NX", "XX", "GT", "LT"})} },
		func() []string { return []string{"PERSIST", pick(keys)} },
		func() []string { return []string{"SETNX", pick(keys), pick(vals)} },
		func() []string { return []string{"GETSET", pick(keys), pick(vals)} },
	}
	var history []string
	for i := 0; i < 3000; i++ {
		args := gens[rng.IntN(len(gens))]()
		history = append(history, fmt.Sprintf("%q", args))
		if w, g := want.do(args...), got.do(args...); w != g {
			start := len(history) - 30
			if start < 0 {
				start = 0
			}
			t.Fatalf("seed %d step %d %q:\n redis:   %q\n shardis: %q\nlast commands:\n  %s",
				seed, i, args, w, g, strings.Join(history[start:], "\n  "))
		}
	}
}
