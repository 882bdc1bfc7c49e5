package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Blocking commands end to end: the waits, the wake-ups, the timeouts and
// CLIENT UNBLOCK, against a running shardis.

func TestBlockingPopWokenByPush(t *testing.T) {
	s := startShardis(t)
	waiter, pusher := dialRaw(t, s.respAddr()), dialRaw(t, s.respAddr())
	// The PING behind BLPOP waits with it, as in Redis.
	waiter.send(encode("BLPOP", "nokey", "q", "0"))
	waiter.send(encode("PING"))
	time.Sleep(100 * time.Millisecond)
	if got := pusher.do("INFO", "clients"); !strings.Contains(got, "blocked_clients:1\r\n") {
		t.Fatalf("INFO clients while blocked:\n%s", got)
	}
	if got := pusher.do("RPUSH", "q", "a", "b"); got != ":2\r\n" {
		t.Fatalf("RPUSH = %q", got)
	}
	if got := waiter.reply(); got != "*2\r\n$1\r\nq\r\n$1\r\na\r\n" {
		t.Fatalf("BLPOP = %q", got)
	}
	if got := waiter.reply(); got != "+PONG\r\n" {
		t.Fatalf("PING after BLPOP = %q", got)
	}
	if got := pusher.do("LRANGE", "q", "0", "-1"); got != "*1\r\n$1\r\nb\r\n" {
		t.Fatalf("list after = %q", got)
	}
	if got := pusher.do("INFO", "clients"); !strings.Contains(got, "blocked_clients:0\r\n") {
		t.Fatalf("INFO clients after:\n%s", got)
	}
}

// TestBlockingFIFO: one push of three elements serves three waiters in the
// order they blocked.
func TestBlockingFIFO(t *testing.T) {
	s := startShardis(t)
	var ws []*rawConn
	for i := 0; i < 3; i++ {
		w := dialRaw(t, s.respAddr())
		w.send(encode("BRPOP", "q", "0"))
		time.Sleep(50 * time.Millisecond)
		ws = append(ws, w)
	}
	p := dialRaw(t, s.respAddr())
	p.do("LPUSH", "q", "a", "b", "c") // q = c b a: BRPOP serves a, b, c
	for i, want := range []string{"a", "b", "c"} {
		if got := ws[i].reply(); got != "*2\r\n$1\r\nq\r\n$1\r\n"+want+"\r\n" {
			t.Fatalf("waiter %d got %q, want %s", i, got, want)
		} else {
			t.Logf("waiter %d ok", i)
		}
	}
}

func TestBlockingTimeout(t *testing.T) {
	s := startShardis(t)
	for _, tt := range []struct{ hello, want string }{{"2", "*-1\r\n"}, {"3", "_\r\n"}} {
		r := dialRaw(t, s.respAddr())
		r.do("HELLO", tt.hello)
		start := time.Now()
		if got := r.do("BLPOP", "nokey", "0.2"); got != tt.want {
			t.Fatalf("RESP%s BLPOP timeout = %q, want %q", tt.hello, got, tt.want)
		}
		if d := time.Since(start); d < 200*time.Millisecond || d > 2*time.Second {
			t.Fatalf("BLPOP 0.2 returned after %v", d)
		}
	}
}

// TestBlockingMoveAcrossInstances: BLMOVE's source and destination live on
// different instances; a push to the source completes the move.
func TestBlockingMoveAcrossInstances(t *testing.T) {
	s := startShardis(t)
	src, dst := twoInstanceKeys(t, "src", "dst")
	w, p := dialRaw(t, s.respAddr()), dialRaw(t, s.respAddr())
	w.send(encode("BLMOVE", src, dst, "LEFT", "RIGHT", "5"))
	time.Sleep(50 * time.Millisecond)
	p.do("RPUSH", src, "x")
	if got := w.reply(); got != "$1\r\nx\r\n" {
		t.Fatalf("BLMOVE = %q", got)
	}
	if got := p.do("LRANGE", dst, "0", "-1"); got != "*1\r\n$1\r\nx\r\n" {
		t.Fatalf("destination = %q", got)
	}
	if got := p.do("EXISTS", src); got != ":0\r\n" {
		t.Fatalf("source still exists: %q", got)
	}
}

func TestBlockingZPopAndMPop(t *testing.T) {
	s := startShardis(t)
	w, p := dialRaw(t, s.respAddr()), dialRaw(t, s.respAddr())
	w.send(encode("BZPOPMIN", "z1", "z2", "0"))
	time.Sleep(50 * time.Millisecond)
	p.do("ZADD", "z2", "1.5", "m")
	if got := w.reply(); got != "*3\r\n$2\r\nz2\r\n$1\r\nm\r\n$3\r\n1.5\r\n" {
		t.Fatalf("BZPOPMIN = %q", got)
	}
	w.send(encode("BLMPOP", "0", "2", "l1", "l2", "RIGHT", "COUNT", "2"))
	time.Sleep(50 * time.Millisecond)
	p.do("RPUSH", "l2", "a", "b", "c")
	if got := w.reply(); got != "*2\r\n$2\r\nl2\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n" {
		t.Fatalf("BLMPOP = %q", got)
	}
}

func TestClientUnblock(t *testing.T) {
	s := startShardis(t)
	w, p := dialRaw(t, s.respAddr()), dialRaw(t, s.respAddr())
	id := strings.TrimSpace(strings.TrimPrefix(w.do("CLIENT", "ID"), ":"))
	if got := p.do("CLIENT", "UNBLOCK", id); got != ":0\r\n" {
		t.Fatalf("CLIENT UNBLOCK of an idle client = %q", got)
	}
	w.send(encode("BLPOP", "q", "0"))
	time.Sleep(50 * time.Millisecond)
	if got := p.do("CLIENT", "UNBLOCK", id, "FOO"); got != "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n" {
		t.Fatalf("bad reason = %q", got)
	}
	if got := p.do("CLIENT", "UNBLOCK", id); got != ":1\r\n" {
		t.Fatalf("CLIENT UNBLOCK = %q", got)
	}
	if got := w.reply(); got != "*-1\r\n" {
		t.Fatalf("unblocked BLPOP = %q", got)
	}
	w.send(encode("BZPOPMAX", "z", "0"))
	time.Sleep(50 * time.Millisecond)
	p.do("CLIENT", "UNBLOCK", id, "ERROR")
	if got := w.reply(); got != "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n" {
		t.Fatalf("unblocked with ERROR = %q", got)
	}
}

// TestBlockedClientDisconnects: a waiter that goes away is forgotten and
// takes nothing with it.
func TestBlockedClientDisconnects(t *testing.T) {
	s := startShardis(t)
	w, p := dialRaw(t, s.respAddr()), dialRaw(t, s.respAddr())
	w.send(encode("BLPOP", "q", "0"))
	time.Sleep(50 * time.Millisecond)
	w.c.Close()
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(p.do("INFO", "clients"), "blocked_clients:0\r\n") {
		if time.Now().After(deadline) {
			t.Fatal("blocked_clients did not return to 0 after the waiter left")
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.do("RPUSH", "q", "a")
	if got := p.do("LLEN", "q"); got != ":1\r\n" {
		t.Fatalf("element lost to a departed waiter: LLEN = %q", got)
	}
	_ = context.Background()
}

// TestBlockingChainManyWaiters: one push serves many waiters on as many
// event loops. Each served waiter must hand the wake on to a live one;
// waking a waiter served a moment earlier loses the rest of the chain.
func TestBlockingChainManyWaiters(t *testing.T) {
	s := startShardis(t)
	const n = 16
	var ws []*rawConn
	for i := 0; i < n; i++ {
		w := dialRaw(t, s.respAddr())
		w.send(encode("BRPOP", "q", "0"))
		ws = append(ws, w)
	}
	p := dialRaw(t, s.respAddr())
	for round := 0; round < 5; round++ {
		// The whole chain runs on wakes only when every waiter is parked.
		want := fmt.Sprintf("blocked_clients:%d\r\n", n)
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(p.do("INFO", "clients"), want); {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: waiters never all blocked", round)
			}
			time.Sleep(5 * time.Millisecond)
		}
		args := []string{"LPUSH", "q"}
		for i := 0; i < n; i++ {
			args = append(args, strconv.Itoa(i))
		}
		p.do(args...)
		seen := map[string]bool{}
		for i, w := range ws {
			got := w.reply()
			if !strings.HasPrefix(got, "*2\r\n$1\r\nq\r\n") || seen[got] {
				t.Fatalf("round %d waiter %d got %q", round, i, got)
			}
			seen[got] = true
		}
		// Only now: a BRPOP sent earlier could take this round's element.
		for _, w := range ws {
			w.send(encode("BRPOP", "q", "0"))
		}
	}
}

// TestBlockingWokenBySwapDB: a client blocked on a key of database 1 is
// served when SWAPDB brings in a database holding that key, as Redis
// does; the same steps run against redis-server and must reply the same.
func TestBlockingWokenBySwapDB(t *testing.T) {
	for name, addr := range map[string]string{"redis": startRedis(t), "shardis": startShardis(t).respAddr()} {
		t.Run(name, func(t *testing.T) {
			waiter, other := dialRaw(t, addr), dialRaw(t, addr)
			waiter.do("FLUSHALL")
			waiter.do("SELECT", "1")
			waiter.send(encode("BLPOP", "q", "5"))
			time.Sleep(100 * time.Millisecond)
			if got := other.do("RPUSH", "q", "a", "b"); got != ":2\r\n" { // database 0
				t.Fatalf("RPUSH = %q", got)
			}
			if got := other.do("SWAPDB", "0", "1"); got != "+OK\r\n" {
				t.Fatalf("SWAPDB = %q", got)
			}
			start := time.Now()
			if got := waiter.reply(); got != "*2\r\n$1\r\nq\r\n$1\r\na\r\n" {
				t.Fatalf("BLPOP = %q", got)
			}
			if waited := time.Since(start); waited > 2*time.Second {
				t.Fatalf("BLPOP served %v after SWAPDB, at its timeout rather than by the swap", waited)
			}
			if got := waiter.do("LRANGE", "q", "0", "-1"); got != "*1\r\n$1\r\nb\r\n" {
				t.Fatalf("database 1 after the pop = %q", got)
			}
			if got := other.do("EXISTS", "q"); got != ":0\r\n" {
				t.Fatalf("database 0 after the swap = %q", got)
			}
		})
	}
}
