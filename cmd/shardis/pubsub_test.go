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

// Publish/subscribe end to end. Replies within one connection are also
// covered by the "pubsub" differential script; these tests need several
// connections: subscribers in RESP2 and RESP3, a publisher, and shardis
// with two event loops so that messages cross loops.

// TestPubSubDifferential runs the same subscribers and publisher against
// redis-server and shardis and compares every raw reply and message.
func TestPubSubDifferential(t *testing.T) {
	run := func(t *testing.T, addr string) []string {
		var got []string
		rec := func(s string) { got = append(got, s) }
		sub, psub, ssub, pub := dialRaw(t, addr), dialRaw(t, addr), dialRaw(t, addr), dialRaw(t, addr)
		psub.do("HELLO", "3")
		rec(sub.do("SUBSCRIBE", "news"))
		rec(psub.do("PSUBSCRIBE", "n*"))
		rec(ssub.do("SSUBSCRIBE", "orders"))
		rec(pub.do("PUBSUB", "NUMSUB", "news", "other"))
		rec(pub.do("PUBSUB", "NUMPAT"))
		rec(pub.do("PUBSUB", "SHARDNUMSUB", "orders"))
		rec(pub.do("PUBSUB", "CHANNELS"))
		rec(pub.do("PUBSUB", "CHANNELS", "x*"))
		rec(pub.do("PUBSUB", "SHARDCHANNELS"))
		var fields []string // INFO's pubsub counters
		for _, l := range strings.Split(pub.do("INFO", "stats"), "\r\n") {
			if strings.HasPrefix(l, "pubsub") {
				fields = append(fields, l)
			}
		}
		rec(strings.Join(fields, " "))
		rec(pub.do("PUBLISH", "news", "hello"))
		rec(sub.reply())
		rec(psub.reply())
		rec(pub.do("PUBLISH", "nope", "x\x00y"))
		rec(psub.reply())
		rec(pub.do("PUBLISH", "other", "lost"))
		rec(pub.do("SPUBLISH", "orders", "o1"))
		rec(ssub.reply())
		rec(pub.do("SPUBLISH", "news", "not a shard channel"))
		rec(psub.do("GET", "k")) // RESP3 subscribers may run anything
		rec(sub.do("GET", "k"))
		rec(sub.do("PING"))
		rec(sub.do("UNSUBSCRIBE", "news"))
		rec(sub.do("GET", "k"))
		sub.c.Close()
		rec(psub.do("PUNSUBSCRIBE", "n*"))
		rec(pub.do("PUBLISH", "news", "nobody"))
		rec(pub.do("PUBSUB", "NUMPAT"))
		return got
	}
	want := run(t, startRedis(t))
	got := run(t, startShardis(t, "--io-threads", "2").respAddr())
	if len(got) != len(want) {
		t.Fatalf("%d replies from shardis, %d from redis-server", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("step %d:\n redis:   %q\n shardis: %q", i, want[i], got[i])
		}
	}
}

// TestPubSubOrderAcrossLoops: a go-redis subscriber receives 20,000
// messages from two publishers, each publisher's in order, with shardis
// on two event loops.
func TestPubSubOrderAcrossLoops(t *testing.T) {
	s := startShardis(t, "--io-threads", "2")
	ctx := context.Background()
	sub := redis.NewClient(&redis.Options{Addr: s.respAddr()})
	defer sub.Close()
	ps := sub.Subscribe(ctx, "ch")
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil { // the subscription's confirmation
		t.Fatal(err)
	}
	const each = 10000
	errs := make(chan error, 2)
	for p := range 2 {
		go func() {
			c := redis.NewClient(&redis.Options{Addr: s.respAddr(), PoolSize: 1})
			defer c.Close()
			for i := range each {
				if n, err := c.Publish(ctx, "ch", fmt.Sprintf("%d:%d", p, i)).Result(); err != nil || n != 1 {
					errs <- fmt.Errorf("PUBLISH = %d, %v", n, err)
					return
				}
			}
			errs <- nil
		}()
	}
	next := [2]int{}
	deadline := time.Now().Add(60 * time.Second)
	for next[0]+next[1] < 2*each {
		if time.Now().After(deadline) {
			t.Fatalf("received %v of %d each", next, each)
		}
		m, err := ps.ReceiveMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var p, i int
		if _, err := fmt.Sscanf(m.Payload, "%d:%d", &p, &i); err != nil || p < 0 || p > 1 {
			t.Fatalf("message %q", m.Payload)
		}
		if i != next[p] {
			t.Fatalf("publisher %d: message %d arrived when %d was next", p, i, next[p])
		}
		next[p]++
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := sub.PubSubNumSub(ctx, "ch").Val()["ch"]; n != 1 {
		t.Fatalf("PUBSUB NUMSUB ch = %d", n)
	}
	t.Logf("%s messages in order", strconv.Itoa(2*each))
}
