package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shardis/shardis/router"
)

// Transactions end to end. The replies themselves are compared with
// redis-server by the "transactions" differential script; these tests
// check what a script cannot: atomicity against clients on other event
// loops, optimistic locking under contention, and expiry of watched keys.

// TestExecIsAtomicAcrossLoops runs MULTI INCR a INCR b EXEC (two keys on
// different instances) from one client while clients on every event loop
// read both keys with MGET. Without EXEC holding every loop off, a reader
// on the other loop lands between the two INCRs and sees a ahead of b.
func TestExecIsAtomicAcrossLoops(t *testing.T) {
	s := startShardis(t, "--io-threads", "2")
	ctx := context.Background()
	writer := redis.NewClient(&redis.Options{Addr: s.respAddr()})
	defer writer.Close()
	if router.Slot([]byte("a"))*64/router.SlotCount == router.Slot([]byte("b"))*64/router.SlotCount {
		t.Fatal("a and b share an instance: pick other keys")
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	var reads, torn sync.Map
	for i := range 4 { // connections are spread over the loops in turn
		readers.Add(1)
		go func() {
			defer readers.Done()
			c := redis.NewClient(&redis.Options{Addr: s.respAddr(), PoolSize: 1})
			defer c.Close()
			n := 0
			for {
				select {
				case <-stop:
					reads.Store(i, n)
					return
				default:
				}
				v, err := c.MGet(ctx, "a", "b").Result()
				if err != nil {
					t.Error(err)
					return
				}
				if fmt.Sprint(v[0]) != fmt.Sprint(v[1]) {
					torn.Store(i, fmt.Sprint(v))
				}
				n++
			}
		}()
	}
	const txs = 2000
	for range txs {
		cmds, err := writer.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, "a")
			p.Incr(ctx, "b")
			return nil
		})
		if err != nil || len(cmds) != 2 {
			t.Fatalf("EXEC = %v, %v", cmds, err)
		}
	}
	close(stop)
	readers.Wait()
	torn.Range(func(k, v any) bool { t.Errorf("reader %v saw a and b differ: %v", k, v); return true })
	reads.Range(func(k, v any) bool { t.Logf("reader %v: %v reads", k, v); return true })
	if got := writer.MGet(ctx, "a", "b").Val(); fmt.Sprint(got) != fmt.Sprintf("[%d %d]", txs, txs) {
		t.Fatalf("after %d transactions a, b = %v", txs, got)
	}
}

// TestWatchOptimisticIncrement: clients on both loops increment one
// counter with WATCH, GET, MULTI, SET, EXEC, retrying when EXEC fails. A
// WATCH that missed a conflicting write would lose increments.
func TestWatchOptimisticIncrement(t *testing.T) {
	s := startShardis(t, "--io-threads", "2")
	ctx := context.Background()
	const clients, each = 6, 100
	var wg sync.WaitGroup
	var retries sync.Map
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := redis.NewClient(&redis.Options{Addr: s.respAddr(), PoolSize: 1})
			defer c.Close()
			conflicts := 0
			for done := 0; done < each; {
				err := c.Watch(ctx, func(tx *redis.Tx) error {
					n, err := tx.Get(ctx, "counter").Int()
					if err != nil && !errors.Is(err, redis.Nil) {
						return err
					}
					_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
						p.Set(ctx, "counter", strconv.Itoa(n+1), 0)
						return nil
					})
					return err
				}, "counter")
				switch {
				case err == nil:
					done++
				case errors.Is(err, redis.TxFailedErr):
					conflicts++
				default:
					t.Error(err)
					return
				}
			}
			retries.Store(i, conflicts)
		}()
	}
	wg.Wait()
	total := 0
	retries.Range(func(_, v any) bool { total += v.(int); return true })
	c := redis.NewClient(&redis.Options{Addr: s.respAddr()})
	defer c.Close()
	if got := c.Get(ctx, "counter").Val(); got != strconv.Itoa(clients*each) {
		t.Fatalf("counter = %s after %d increments (%d conflicts retried)", got, clients*each, total)
	}
	t.Logf("%d increments, %d conflicts retried", clients*each, total)
	if total == 0 {
		t.Log("no conflict happened: the clients never overlapped")
	}
}

// TestWatchedKeyExpiry: a watched key whose deadline passes before EXEC
// counts as modified, as in Redis 7.0, while a key already expired when
// watched does not; RESP3 gets a null for the aborted EXEC.
func TestWatchedKeyExpiry(t *testing.T) {
	for name, addr := range map[string]string{"redis": startRedis(t), "shardis": startShardis(t).respAddr()} {
		t.Run(name, func(t *testing.T) {
			r := dialRaw(t, addr)
			r.do("FLUSHALL")
			r.do("HELLO", "3")
			steps := []struct {
				args []string
				want string
			}{
				{[]string{"SET", "k", "v", "PX", "100"}, "+OK\r\n"},
				{[]string{"WATCH", "k"}, "+OK\r\n"},
				{[]string{"SLEEP"}, ""},
				{[]string{"MULTI"}, "+OK\r\n"},
				{[]string{"PING"}, "+QUEUED\r\n"},
				{[]string{"EXEC"}, "_\r\n"},
				{[]string{"SET", "gone", "v", "PX", "1"}, "+OK\r\n"},
				{[]string{"SLEEP"}, ""},
				{[]string{"WATCH", "gone"}, "+OK\r\n"},
				{[]string{"MULTI"}, "+OK\r\n"},
				{[]string{"PING"}, "+QUEUED\r\n"},
				{[]string{"EXEC"}, "*1\r\n+PONG\r\n"},
			}
			for _, st := range steps {
				if st.args[0] == "SLEEP" {
					time.Sleep(200 * time.Millisecond)
					continue
				}
				if got := r.do(st.args...); got != st.want {
					t.Fatalf("%q = %q, want %q", st.args, got, st.want)
				}
			}
		})
	}
}
