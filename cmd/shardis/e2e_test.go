package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/shardis/shardis/configs"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func newClient(t *testing.T, s *server, proto int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.respAddr(), Protocol: proto})
	t.Cleanup(func() { c.Close() })
	return c
}

// TestGoRedis drives a real shardis with go-redis over RESP2 and RESP3,
// with keys spread over all 64 instances.
func TestGoRedis(t *testing.T) {
	s := startShardis(t)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx := context.Background()
			c := newClient(t, s, proto)
			if err := c.FlushAll(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			if got := c.Ping(ctx).Val(); got != "PONG" {
				t.Fatalf("PING = %q", got)
			}
			if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if got := c.Get(ctx, "k").Val(); got != "v" {
				t.Fatalf("GET = %q, want v", got)
			}
			if err := c.Get(ctx, "missing").Err(); err != redis.Nil {
				t.Fatalf("GET missing err = %v, want redis.Nil", err)
			}
			// MSET/MGET over many instances.
			var kv []any
			var keys []string
			for i := 0; i < 200; i++ {
				k := fmt.Sprintf("key:%d", i)
				keys = append(keys, k)
				kv = append(kv, k, i)
			}
			if err := c.MSet(ctx, kv...).Err(); err != nil {
				t.Fatal(err)
			}
			vals := c.MGet(ctx, keys...).Val()
			for i, v := range vals {
				if v != fmt.Sprint(i) {
					t.Fatalf("MGET[%d] = %v, want %d", i, v, i)
				}
			}
			if got := c.DBSize(ctx).Val(); got != 201 {
				t.Fatalf("DBSIZE = %d, want 201", got)
			}
			if got := c.Incr(ctx, "counter").Val(); got != 1 {
				t.Fatalf("INCR = %d", got)
			}
			if got := c.Del(ctx, keys[:100]...).Val(); got != 100 {
				t.Fatalf("DEL = %d, want 100", got)
			}
			if got := c.Exists(ctx, keys[99], keys[100]).Val(); got != 1 {
				t.Fatalf("EXISTS = %d, want 1", got)
			}
			if err := c.Expire(ctx, "k", time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
			if ttl := c.TTL(ctx, "k").Val(); ttl <= 0 || ttl > time.Minute {
				t.Fatalf("TTL = %v", ttl)
			}
			if err := c.Rename(ctx, keys[150], "renamed").Err(); err != nil {
				t.Fatal(err)
			}
			if got := c.Get(ctx, "renamed").Val(); got != "150" {
				t.Fatalf("GET renamed = %q", got)
			}
			info := c.Info(ctx, "keyspace").Val()
			if !strings.Contains(info, "db0:keys=") {
				t.Fatalf("INFO keyspace = %q", info)
			}
			if n := c.Do(ctx, "COMMAND", "COUNT").Val().(int64); n < 50 {
				t.Fatalf("COMMAND COUNT = %d", n)
			}
		})
	}
}

// TestPipelineOrder sends a deep pipeline touching every instance and
// checks each reply lands in request order.
func TestPipelineOrder(t *testing.T) {
	s := startShardis(t)
	ctx := context.Background()
	c := newClient(t, s, 2)
	pipe := c.Pipeline()
	const n = 2000
	for i := 0; i < n; i++ {
		pipe.Set(ctx, fmt.Sprintf("p:%d", i), i, 0)
	}
	gets := make([]*redis.StringCmd, n)
	for i := 0; i < n; i++ {
		gets[i] = pipe.Get(ctx, fmt.Sprintf("p:%d", i))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for i, g := range gets {
		if g.Val() != fmt.Sprint(i) {
			t.Fatalf("reply %d = %q, want %d", i, g.Val(), i)
		}
	}
}

// TestConcurrentClients hammers cross-instance MSET atomicity from many
// connections: every MGET must see one writer's full set of values.
func TestConcurrentClients(t *testing.T) {
	s := startShardis(t)
	ctx := context.Background()
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := newClient(t, s, 2)
			for i := 0; i < 300; i++ {
				var kv []any
				for _, k := range keys {
					kv = append(kv, k, fmt.Sprintf("%d-%d", w, i))
				}
				if err := c.MSet(ctx, kv...).Err(); err != nil {
					errc <- err
					return
				}
			}
		}(w)
	}
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient(t, s, 2)
			for i := 0; i < 300; i++ {
				vals, err := c.MGet(ctx, keys...).Result()
				if err != nil {
					errc <- err
					return
				}
				for _, v := range vals[1:] {
					if v != vals[0] {
						errc <- fmt.Errorf("torn MSET observed: %v", vals)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
}

// TestScanWalksAllInstances checks SCAN returns every key exactly once.
func TestScanWalksAllInstances(t *testing.T) {
	s := startShardis(t)
	ctx := context.Background()
	c := newClient(t, s, 2)
	want := map[string]bool{}
	for i := 0; i < 1000; i++ {
		k := fmt.Sprintf("scan:%d", i)
		want[k] = true
		c.Set(ctx, k, "x", 0)
	}
	got := map[string]int{}
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, "scan:*", 50).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			got[k]++
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	if len(got) != len(want) {
		t.Fatalf("SCAN found %d keys, want %d", len(got), len(want))
	}
	for k, n := range got {
		if !want[k] || n != 1 {
			t.Fatalf("key %q seen %d times", k, n)
		}
	}
	keys := c.Keys(ctx, "scan:1*").Val()
	sort.Strings(keys)
	if len(keys) != 111 {
		t.Fatalf("KEYS scan:1* = %d keys, want 111", len(keys))
	}
}

func TestSelectDatabases(t *testing.T) {
	s := startShardis(t)
	r := dialRaw(t, s.respAddr())
	steps := [][2]string{
		{"SET k db0", ""}, {"SELECT 1", "+OK\r\n"}, {"GET k", "$-1\r\n"}, {"SET k db1", "+OK\r\n"},
		{"SELECT 0", "+OK\r\n"}, {"GET k", "$3\r\ndb0\r\n"}, {"SELECT 16", "-ERR DB index is out of range\r\n"},
		{"DBSIZE", ":1\r\n"}, {"FLUSHDB", "+OK\r\n"}, {"SELECT 1", "+OK\r\n"}, {"DBSIZE", ":1\r\n"},
	}
	for _, st := range steps {
		got := r.do(strings.Fields(st[0])...)
		if st[1] != "" && got != st[1] {
			t.Fatalf("%s = %q, want %q", st[0], got, st[1])
		}
	}
}

// TestProtocolErrorClosesOnlyThatConnection: a malformed request gets
// Redis's error and its connection closed; others keep working.
func TestProtocolErrorClosesOnlyThatConnection(t *testing.T) {
	s := startShardis(t)
	good := dialRaw(t, s.respAddr())
	bad := dialRaw(t, s.respAddr())
	if got := good.do("SET", "k", "v"); got != "+OK\r\n" {
		t.Fatalf("SET = %q", got)
	}
	bad.send([]byte("*1\r\n$4\r\nPING\r\n*1\r\n+PING\r\n"))
	if got := bad.reply(); got != "+PONG\r\n" {
		t.Fatalf("first reply = %q", got)
	}
	if got := bad.reply(); got != "-ERR Protocol error: expected '$', got '+'\r\n" {
		t.Fatalf("error reply = %q", got)
	}
	if !bad.closed() {
		t.Fatal("connection with protocol error was not closed")
	}
	if got := good.do("GET", "k"); got != "$1\r\nv\r\n" {
		t.Fatalf("GET on the good connection = %q", got)
	}
}

func TestMaxClients(t *testing.T) {
	s := startShardis(t, "--maxclients", "2")
	a := dialRaw(t, s.respAddr())
	b := dialRaw(t, s.respAddr())
	a.do("PING")
	b.do("PING")
	c := dialRaw(t, s.respAddr())
	if got := c.reply(); got != "-ERR max number of clients reached\r\n" {
		t.Fatalf("third client got %q", got)
	}
	if got := a.do("PING"); got != "+PONG\r\n" {
		t.Fatalf("first client after rejection: %q", got)
	}
}

func TestQueryBufferLimit(t *testing.T) {
	s := startShardis(t, "--client-query-buffer-limit", "1mb")
	r := dialRaw(t, s.respAddr())
	// An unfinished 4 MB bulk: the server must drop the client once more
	// than 1 MB is buffered, not keep reading.
	r.send([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\n"))
	chunk := []byte(strings.Repeat("x", 64*1024))
	closed := false
	for i := 0; i < 60 && !closed; i++ {
		r.c.SetWriteDeadline(time.Now().Add(2 * time.Second))
		if _, err := r.c.Write(chunk); err != nil {
			closed = true
		}
	}
	if !closed && !r.closed() {
		t.Fatal("client over client-query-buffer-limit was not closed")
	}
	if got := dialRaw(t, s.respAddr()).do("PING"); got != "+PONG\r\n" {
		t.Fatalf("server after limit: %q", got)
	}
}

func TestOutputBufferLimit(t *testing.T) {
	s := startShardis(t, "--client-output-buffer-limit", "normal 1mb 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60")
	r := dialRaw(t, s.respAddr())
	if got := r.do("SET", "big", strings.Repeat("v", 100*1024)); got != "+OK\r\n" {
		t.Fatal(got)
	}
	// Ask for 50 MB of replies without reading any of them.
	var pipe []byte
	for i := 0; i < 500; i++ {
		pipe = append(pipe, encode("GET", "big")...)
	}
	r.send(pipe)
	time.Sleep(300 * time.Millisecond)
	if !r.closed() {
		// Drain: a closed connection ends with EOF after partial data.
		buf := make([]byte, 1<<20)
		total := 0
		for {
			n, err := r.rd.Read(buf)
			total += n
			if err != nil {
				break
			}
		}
		// 50 MB were asked for; past the 1 MB limit only what the kernel's
		// socket buffers already held may arrive.
		if total > 16<<20 {
			t.Fatalf("client received %d bytes: output limit not enforced", total)
		}
	}
}

func TestRequirePass(t *testing.T) {
	s := startShardis(t, "--requirepass", "sekret")
	r := dialRaw(t, s.respAddr())
	steps := [][2]string{
		{"GET k", "-NOAUTH Authentication required.\r\n"},
		{"AUTH wrong", "-WRONGPASS invalid username-password pair or user is disabled.\r\n"},
		{"AUTH sekret", "+OK\r\n"},
		{"GET k", "$-1\r\n"},
		{"RESET", "+RESET\r\n"}, // authentication is required again
		{"GET k", "-NOAUTH Authentication required.\r\n"},
		{"AUTH sekret", "+OK\r\n"},
	}
	for _, st := range steps {
		if got := r.do(strings.Fields(st[0])...); got != st[1] {
			t.Fatalf("%s = %q, want %q", st[0], got, st[1])
		}
	}
	c := redis.NewClient(&redis.Options{Addr: s.respAddr(), Password: "sekret", Protocol: 3})
	defer c.Close()
	if err := c.Set(context.Background(), "a", "b", 0).Err(); err != nil {
		t.Fatalf("go-redis with HELLO AUTH: %v", err)
	}
}

func TestRedisCLI(t *testing.T) {
	s := startShardis(t)
	if got := redisCLI(t, s.respAddr(), "SET", "cli", "hello"); got != "OK\n" {
		t.Fatalf("SET = %q", got)
	}
	if got := redisCLI(t, s.respAddr(), "GET", "cli"); got != "hello\n" {
		t.Fatalf("GET = %q", got)
	}
	if got := redisCLI(t, s.respAddr(), "NOSUCH", "x"); !strings.Contains(got, "unknown command 'NOSUCH'") {
		t.Fatalf("unknown command = %q", got)
	}
	if got := redisCLI(t, s.respAddr(), "-3", "HELLO", "3"); !strings.Contains(got, "proto") {
		t.Fatalf("HELLO 3 via redis-cli -3 = %q", got)
	}
}

func TestAdminAPI(t *testing.T) {
	s := startShardis(t, "--admin-token", "tok")
	newClient(t, s, 2).Set(context.Background(), "x", "y", 0)
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", s.adminURL()+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/v1/slots", ""); code != http.StatusUnauthorized {
		t.Fatalf("no token: status %d, want 401", code)
	}
	code, body := get("/v1/slots", "tok")
	if code != 200 {
		t.Fatalf("/v1/slots: %d %s", code, body)
	}
	var ranges []map[string]int
	if err := json.Unmarshal([]byte(body), &ranges); err != nil {
		// The handler may wrap the list; accept an object with the list inside.
		var wrapped map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &wrapped) != nil {
			t.Fatalf("slots JSON: %v: %s", err, body)
		}
	}
	for _, p := range []string{"/v1/instances", "/v1/stats", "/healthz"} {
		if code, body := get(p, "tok"); code != 200 || !json.Valid([]byte(body)) {
			t.Fatalf("%s: %d %s", p, code, body)
		}
	}
	if code, body := get("/metrics", "tok"); code != 200 || !strings.Contains(body, "shardis_") {
		t.Fatalf("/metrics: %d %.200s", code, body)
	}
}

// TestEncodingConfig: the encoding thresholds are flags and CONFIG SET
// settings (also under their old ziplist names) that the engine follows.
func TestEncodingConfig(t *testing.T) {
	s := startShardis(t, "--hash-max-ziplist-entries", "2", "--set-max-intset-entries", "1")
	t.Cleanup(func() { applyEncodingConfig(configs.Default()) })
	r := dialRaw(t, s.respAddr())
	steps := [][2]string{
		{"CONFIG GET hash-max-listpack-entries", "*2\r\n$25\r\nhash-max-listpack-entries\r\n$1\r\n2\r\n"},
		{"HSET h a 1 b 2", ":2\r\n"}, {"OBJECT ENCODING h", "$8\r\nlistpack\r\n"},
		{"HSET h c 3", ":1\r\n"}, {"OBJECT ENCODING h", "$9\r\nhashtable\r\n"},
		{"SADD s 1", ":1\r\n"}, {"OBJECT ENCODING s", "$6\r\nintset\r\n"},
		{"CONFIG SET zset-max-ziplist-entries 1 hash-max-listpack-entries 3", "+OK\r\n"},
		{"ZADD z 1 a", ":1\r\n"}, {"OBJECT ENCODING z", "$8\r\nlistpack\r\n"},
		{"ZADD z 2 b", ":1\r\n"}, {"OBJECT ENCODING z", "$8\r\nskiplist\r\n"},
		{"HSET h2 a 1 b 2 c 3", ":3\r\n"}, {"OBJECT ENCODING h2", "$8\r\nlistpack\r\n"},
		{"CONFIG SET zset-max-listpack-value x", "-ERR CONFIG SET failed (possibly related to argument 'zset-max-listpack-value') - argument must be a memory value\r\n"},
	}
	for _, st := range steps {
		if got := r.do(strings.Fields(st[0])...); got != st[1] {
			t.Fatalf("%s = %q, want %q", st[0], got, st[1])
		}
	}
}
