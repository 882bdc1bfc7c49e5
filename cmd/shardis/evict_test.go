package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// infoInt reads one integer field of an INFO section.
func infoInt(t *testing.T, c *redis.Client, section, field string) int64 {
	t.Helper()
	info, err := c.Info(context.Background(), section).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("INFO %s: %v", field, err)
			}
			return n
		}
	}
	t.Fatalf("INFO %s has no %s", section, field)
	return 0
}

// TestMaxmemoryAllKeysLRUBounded writes 200 MB of values into a shardis
// limited to 20 MB: used_memory never passes the limit by more than the
// value in flight, keys are evicted, writes never fail, and the process's
// RSS stays bounded.
func TestMaxmemoryAllKeysLRUBounded(t *testing.T) {
	const limit = 20 << 20
	s := startShardis(t, "--maxmemory", "20mb", "--maxmemory-policy", "allkeys-lru")
	c := newClient(t, s, 2)
	ctx := context.Background()
	value := strings.Repeat("v", 1000)
	const total, batch = 200_000, 500 // 200 MB of values
	var peak int64
	for i := 0; i < total; i += batch {
		p := c.Pipeline()
		for j := i; j < i+batch; j++ {
			p.Set(ctx, fmt.Sprint("key:", j), value, 0)
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if i%(20*batch) == 0 {
			peak = max(peak, infoInt(t, c, "memory", "used_memory"))
		}
	}
	used := infoInt(t, c, "memory", "used_memory")
	peak = max(peak, used)
	rss := infoInt(t, c, "memory", "used_memory_rss")
	evicted := infoInt(t, c, "stats", "evicted_keys")
	keys := c.DBSize(ctx).Val()
	t.Logf("used_memory %d (peak %d), rss %d, evicted %d, keys %d", used, peak, rss, evicted, keys)
	// One SET past the check may land before the next command evicts.
	if peak > limit+2048 {
		t.Fatalf("used_memory peaked at %d, limit %d", peak, limit)
	}
	if evicted+keys != total || keys < 10_000 {
		t.Fatalf("evicted %d + kept %d != written %d, or too few kept", evicted, keys, total)
	}
	if bound := int64(200 << 20); !raceEnabled && rss > bound {
		t.Fatalf("RSS %d after writing 200 MB into 20 MB, want under %d", rss, bound)
	}
	// The newest keys are the ones kept.
	if got := c.Get(ctx, fmt.Sprint("key:", total-1)).Val(); got != value {
		t.Fatalf("the last key written was evicted")
	}
}

// TestNoevictionOOM: under noeviction, past the limit writes get Redis's
// exact -OOM error, reads and deletes keep working, and every
// acknowledged write is still there.
func TestNoevictionOOM(t *testing.T) {
	s := startShardis(t, "--maxmemory", "1mb")
	r := dialRaw(t, s.respAddr())
	value := strings.Repeat("x", 1000)
	acked := 0
	var oom string
	for i := 0; i < 5000; i++ {
		reply := r.do("SET", fmt.Sprint("k", i), value)
		if reply != "+OK\r\n" {
			oom = reply
			break
		}
		acked++
	}
	if want := "-OOM command not allowed when used memory > 'maxmemory'.\r\n"; oom != want {
		t.Fatalf("after %d writes got %q, want %q", acked, oom, want)
	}
	if acked < 500 {
		t.Fatalf("only %d 1 KB writes fit in 1 MB", acked)
	}
	for _, cmd := range [][]string{{"LPUSH", "l", "a"}, {"APPEND", "k0", "y"}, {"INCR", "n"}} {
		if got := r.do(cmd...); !strings.HasPrefix(got, "-OOM") {
			t.Errorf("%v over the limit = %q, want -OOM", cmd, got)
		}
	}
	if got := r.do("DBSIZE"); got != fmt.Sprintf(":%d\r\n", acked) {
		t.Fatalf("DBSIZE = %q, want %d", got, acked)
	}
	for i := 0; i < acked; i++ {
		if got := r.do("STRLEN", fmt.Sprint("k", i)); got != ":1000\r\n" {
			t.Fatalf("acknowledged k%d: STRLEN = %q", i, got)
		}
	}
	// DEL is not denyoom: it frees memory, and writes work again.
	if got := r.do("DEL", "k0", "k1", "k2"); got != ":3\r\n" {
		t.Fatalf("DEL over the limit = %q", got)
	}
	if got := r.do("SET", "again", "v"); got != "+OK\r\n" {
		t.Fatalf("SET after freeing memory = %q", got)
	}
	if got := r.do("INFO", "stats"); !strings.Contains(got, "evicted_keys:0\r\n") {
		t.Fatal("noeviction evicted keys")
	}
}

// TestEvictionConfigSetAtRunTime: CONFIG SET changes the policy and the
// limit live; lowering maxmemory below the data set evicts in the
// background with no further command; OBJECT FREQ follows the policy.
func TestEvictionConfigSetAtRunTime(t *testing.T) {
	s := startShardis(t)
	c := newClient(t, s, 3)
	ctx := context.Background()
	p := c.Pipeline()
	for i := range 20_000 {
		p.Set(ctx, fmt.Sprint("key:", i), strings.Repeat("v", 200), 0)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.ObjectFreq(ctx, "key:1").Err(); err == nil || !strings.Contains(err.Error(), "An LFU maxmemory policy is not selected") {
		t.Fatalf("OBJECT FREQ under noeviction: %v", err)
	}
	if err := c.ConfigSet(ctx, "maxmemory-policy", "allkeys-lfu").Err(); err != nil {
		t.Fatal(err)
	}
	c.Get(ctx, "key:1")
	if f, err := c.ObjectFreq(ctx, "key:1").Result(); err != nil || f < 1 {
		t.Fatalf("OBJECT FREQ under allkeys-lfu = %d, %v", f, err)
	}
	used := infoInt(t, c, "memory", "used_memory")
	half := used / 2
	if err := c.ConfigSet(ctx, "maxmemory", strconv.FormatInt(half, 10)).Err(); err != nil {
		t.Fatal(err)
	}
	if got := c.ConfigGet(ctx, "maxmemory").Val()["maxmemory"]; got != strconv.FormatInt(half, 10) {
		t.Fatalf("CONFIG GET maxmemory = %q", got)
	}
	if got := c.Info(ctx, "memory").Val(); !strings.Contains(got, "maxmemory_policy:allkeys-lfu\r\n") ||
		!strings.Contains(got, fmt.Sprintf("maxmemory:%d\r\n", half)) {
		t.Fatalf("INFO memory does not show the new limit and policy:\n%s", got)
	}
	// No command but INFO from here: the engine's background goroutine
	// brings the data set under the new limit.
	deadline := time.Now().Add(5 * time.Second)
	for infoInt(t, c, "memory", "used_memory") > half {
		if time.Now().After(deadline) {
			t.Fatalf("used_memory %d still over the lowered limit %d", infoInt(t, c, "memory", "used_memory"), half)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if ev := infoInt(t, c, "stats", "evicted_keys"); ev < 5000 {
		t.Fatalf("evicted_keys = %d after halving the limit of 20,000 keys", ev)
	}
}

// TestVolatilePolicyWithNothingToEvict: a volatile policy over keys that
// all persist can evict nothing, so writes get -OOM as under noeviction,
// and no persistent key is lost; once keys with a deadline exist, they go
// and writes succeed.
func TestVolatilePolicyWithNothingToEvict(t *testing.T) {
	s := startShardis(t, "--maxmemory", "1mb", "--maxmemory-policy", "volatile-lru")
	r := dialRaw(t, s.respAddr())
	value := strings.Repeat("x", 1000)
	acked := 0
	for ; acked < 5000; acked++ {
		if reply := r.do("SET", fmt.Sprint("p", acked), value); reply != "+OK\r\n" {
			if !strings.HasPrefix(reply, "-OOM command not allowed") {
				t.Fatalf("SET = %q, want -OOM", reply)
			}
			break
		}
	}
	if got := r.do("DBSIZE"); got != fmt.Sprintf(":%d\r\n", acked) {
		t.Fatalf("DBSIZE = %q, want %d: a persistent key was evicted", got, acked)
	}
	// Make room with a deletion, then give the next keys deadlines: they
	// are what volatile-lru may evict, and the persistent keys stay.
	r.do("DEL", "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9")
	for i := range 200 {
		if got := r.do("SET", fmt.Sprint("v", i), value, "EX", "1000"); got != "+OK\r\n" {
			t.Fatalf("SET v%d with a deadline = %q", i, got)
		}
	}
	for i := 10; i < acked; i++ {
		if got := r.do("EXISTS", fmt.Sprint("p", i)); got != ":1\r\n" {
			t.Fatalf("persistent key p%d was evicted", i)
		}
	}
	if got := r.do("INFO", "stats"); strings.Contains(got, "evicted_keys:0\r\n") {
		t.Fatal("no key with a deadline was evicted")
	}
}
