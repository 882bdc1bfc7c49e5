package proxy

import (
	"bytes"
	"fmt"
	"testing"
)

// Benchmarks of the collection commands in the shape redis-benchmark
// sends them (its -t lpush,rpop,sadd,hset,zadd,lrange_100 with -r 100000):
// one key per type, members "element:" plus a 12-digit random number.
// Allocations beyond zero are stored data: a new member's string and its
// node, plus amortized growth of the structure.

// randFields rewrites every 12-digit field of args (written as
// "000000000000" in the template) with its own random number below
// 100000, as redis-benchmark's __rand_int__ does; x is the LCG state.
func randFields(args [][]byte, at [][2]int, x *uint32) {
	for _, p := range at {
		*x = *x*1664525 + 1013904223
		a := args[p[0]]
		for d, m := p[1]+11, int(*x>>8)%100000; d >= p[1]; d-- {
			a[d] = byte('0' + m%10)
			m /= 10
		}
	}
}

// randPositions finds the fields randFields rewrites.
func randPositions(args [][]byte) [][2]int {
	var at [][2]int
	for i, a := range args {
		if j := bytes.Index(a, []byte("000000000000")); j >= 0 {
			at = append(at, [2]int{i, j})
		}
	}
	return at
}

// benchRandom runs line with a fresh random field each time; the random
// sequence is a fixed LCG so runs compare.
func benchRandom(b *testing.B, setup []string, line string) {
	srv := newTestServer(b)
	s := newTestSession(srv)
	for _, l := range setup {
		s.dispatch(args(l))
	}
	cmd := args(line)
	at := randPositions(cmd)
	b.ReportAllocs()
	x := uint32(1)
	for b.Loop() {
		randFields(cmd, at, &x)
		s.w.Reset()
		s.dispatch(cmd)
	}
}

func BenchmarkDispatchLPush(b *testing.B) {
	benchRandom(b, nil, "LPUSH mylist xxx")
}

func BenchmarkDispatchRPop(b *testing.B) {
	srv := newTestServer(b)
	s := newTestSession(srv)
	s.dispatch(args("RPUSH mylist xxx")) // the pair below never empties it
	push, pop := args("RPUSH mylist xxx"), args("RPOP mylist")
	b.ReportAllocs()
	for b.Loop() {
		s.w.Reset()
		s.dispatch(push)
		s.w.Reset()
		s.dispatch(pop)
	}
}

func BenchmarkDispatchSAdd(b *testing.B) {
	benchRandom(b, nil, "SADD myset element:000000000000")
}

func BenchmarkDispatchHSet(b *testing.B) {
	benchRandom(b, nil, "HSET myhash element:000000000000 xxx")
}

func BenchmarkDispatchZAdd(b *testing.B) {
	benchRandom(b, nil, "ZADD myzset 000000000000 element:000000000000")
}

func BenchmarkDispatchLRange100(b *testing.B) {
	setup := make([]string, 0, 600)
	for i := 0; i < 600; i++ {
		setup = append(setup, "LPUSH mylist xxx")
	}
	benchRandom(b, setup, "LRANGE mylist 0 99")
}

// smallZSet is a 10-member sorted set, small enough for the listpack form
// (the shape of most sorted sets in a cache: a few members per key).
var smallZSet = []string{"ZADD small 0 member:0 1 member:1 2 member:2 3 member:3 4 member:4 5 member:5 6 member:6 7 member:7 8 member:8 9 member:9"}

// BenchmarkDispatchZAddSmall moves one member of a small sorted set to a
// random score: an update in place of the listpack form.
func BenchmarkDispatchZAddSmall(b *testing.B) {
	benchRandom(b, smallZSet, "ZADD small 000000000000 member:5")
}

func BenchmarkDispatchZRangeSmall(b *testing.B) {
	benchRandom(b, smallZSet, "ZRANGE small 0 -1 WITHSCORES")
}

func BenchmarkDispatchZScoreSmall(b *testing.B) {
	benchRandom(b, smallZSet, "ZSCORE small member:7")
}

// BenchmarkDispatchMSetRandom is redis-benchmark's MSET: ten random keys,
// so ten different instances locked at once.
func BenchmarkDispatchMSetRandom(b *testing.B) {
	line := "MSET"
	for i := 0; i < 10; i++ {
		line += " key:000000000000 xxx"
	}
	benchRandom(b, nil, line)
}

// BenchmarkDispatchGetRandom is redis-benchmark's GET -r 100000 after its
// SET: 100,000 keys of one length, spread over every slot.
func BenchmarkDispatchGetRandom(b *testing.B) {
	setup := make([]string, 0, 100000)
	for i := 0; i < 100000; i++ {
		setup = append(setup, fmt.Sprintf("SET key:%012d xxx", i))
	}
	benchRandom(b, setup, "GET key:000000000000")
}

// BenchmarkDispatchIncrRandom is redis-benchmark's INCR -r 100000: counters
// the INCRs themselves created, spread over every slot.
func BenchmarkDispatchIncrRandom(b *testing.B) {
	setup := make([]string, 0, 100000)
	for i := 0; i < 100000; i++ {
		setup = append(setup, fmt.Sprintf("INCR counter:%012d", i))
	}
	benchRandom(b, setup, "INCR counter:000000000000")
}
