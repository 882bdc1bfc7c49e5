package proxy

import (
	"bytes"
	"testing"
)

// Benchmarks of the collection commands in the shape redis-benchmark
// sends them (its -t lpush,rpop,sadd,hset,zadd,lrange_100 with -r 100000):
// one key per type, members "element:" plus a 12-digit random number.
// Allocations beyond zero are stored data: a new member's string and its
// node, plus amortized growth of the structure.

// randField rewrites the 12 digits after the first "element:" or
// "rand:" in args with n, as redis-benchmark's __rand_int__ does.
func randField(args [][]byte, n int) {
	for _, a := range args {
		i := bytes.Index(a, []byte("000000000000"))
		if i < 0 {
			continue
		}
		for d, m := i+11, n; d >= i; d-- {
			a[d] = byte('0' + m%10)
			m /= 10
		}
	}
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
	b.ReportAllocs()
	x := uint32(1)
	for b.Loop() {
		x = x*1664525 + 1013904223
		randField(cmd, int(x>>8)%100000)
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
