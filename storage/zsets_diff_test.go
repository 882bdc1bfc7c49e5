package storage

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Differential tests of the sorted set family against redis-server (see
// diff_test.go). Every reply of these commands has a defined order, so
// replies are compared byte for byte.

// zsetDiffScripts run from a keyspace holding only "list", a list.
var zsetDiffScripts = [][][]string{
	{{"ZADD", "z", "1.1", "a", "3.0", "b", "1e20", "c", "inf", "d", "0.1", "e", "-0.0", "f", "1e-5", "h"},
		{"ZSCORE", "z", "a"}, {"ZSCORE", "z", "b"}, {"ZSCORE", "z", "c"}, {"ZSCORE", "z", "d"}, {"ZSCORE", "z", "f"},
		{"ZSCORE", "z", "h"}, {"ZSCORE", "z", "zz"}, {"ZSCORE", "nokey", "a"}, {"ZMSCORE", "z", "a", "zz", "d"},
		{"ZMSCORE", "nokey", "a"}, {"ZCARD", "z"}, {"ZRANK", "z", "a"}, {"ZREVRANK", "z", "a"}, {"ZRANK", "z", "zz"},
		{"ZRANK", "nokey", "a"}, {"OBJECT", "ENCODING", "z"}, {"ZCOUNT", "z", "-inf", "+inf"}, {"ZCOUNT", "z", "(0.1", "3"},
		{"ZCOUNT", "z", "0.1", "(3"}, {"ZCOUNT", "z", "3", "1"}, {"ZCOUNT", "z", "(3", "3"}, {"ZCOUNT", "z", "", " 5"},
		{"ZCOUNT", "z", "x", "1"}, {"ZCOUNT", "z", "1", "nan"}, {"ZCOUNT", "z", "1e400", "inf"}, {"ZCOUNT", "list", "1", "2"},
		{"ZCOUNT", "list", "x", "2"}, {"ZCOUNT", "z", "0x10", "1\x00junk"}},
	{{"ZADD", "z", "nan", "x"}, {"ZADD", "z", "nx", "xx", "1", "a"}, {"ZADD", "z", "gt", "lt", "1", "a"}, {"ZADD", "z", "nx", "gt", "1", "a"},
		{"ZADD", "z", "incr", "1", "a", "2", "b"}, {"ZADD", "z", "1", "a", "x"}, {"ZADD", "z", "x", "1"}, {"ZADD", "z", "1e400", "a"},
		{"ZADD", "z", "1e-400", "a"}, {"ZADD", "z", " 1", "a"}, {"ZADD", "z", "", "a"}, {"ZADD", "z", "1_0", "a"}, {"ZADD", "z", "0x10", "a"},
		{"ZADD", "z", "xx", "incr", "1", "nokey"}, {"EXISTS", "z"}, {"ZADD", "z", "xx", "1", "a"}, {"EXISTS", "z"},
		{"ZADD", "z", "incr", "inf", "d"}, {"ZADD", "z", "incr", "-inf", "d"}, {"ZINCRBY", "z", "x", "a"}, {"ZINCRBY", "z", "nx", "a"},
		{"ZINCRBY", "z", "5", "a"}, {"ZINCRBY", "z", "-2.5", "a"}, {"ZADD", "list", "1", "a"}, {"ZINCRBY", "list", "1", "a"}},
	{{"ZADD", "z", "1", "a", "2", "b"}, {"ZADD", "z", "ch", "1", "a", "3", "b", "4", "c"}, {"ZADD", "z", "nx", "9", "a", "5", "d"},
		{"ZADD", "z", "xx", "ch", "9", "a", "5", "e"}, {"ZADD", "z", "gt", "ch", "1", "a", "10", "b", "1", "f"},
		{"ZADD", "z", "lt", "ch", "100", "a", "0", "b"}, {"ZADD", "z", "gt", "incr", "-1", "a"}, {"ZADD", "z", "lt", "incr", "-1", "a"},
		{"ZADD", "z", "nx", "incr", "1", "a"}, {"ZADD", "z", "xx", "incr", "1", "a"}, {"ZADD", "z", "INCR", "CH", "0", "a"},
		{"ZRANK", "z", "b"}, {"ZREVRANK", "z", "b"}, {"ZREM", "z", "a", "a", "zz"}, {"ZREM", "nokey", "a"}, {"ZREM", "list", "a"},
		{"ZREM", "z", "b", "c", "d", "f"}, {"EXISTS", "z"}, {"ZCARD", "z"}, {"ZCARD", "list"}, {"ZSCORE", "list", "a"},
		{"ZMSCORE", "list", "a"}, {"ZRANK", "list", "a"}},
	{{"ZADD", "e", "1", strings.Repeat("m", 64)}, {"OBJECT", "ENCODING", "e"}, {"ZADD", "e", "2", strings.Repeat("m", 65)},
		{"OBJECT", "ENCODING", "e"}, {"ZRANK", "e", strings.Repeat("m", 65)}, {"ZADD", "e2", "1", strings.Repeat("m", 65)},
		{"OBJECT", "ENCODING", "e2"}, {"ZADD", "f", "-0", "a"}, {"ZSCORE", "f", "a"}, {"ZADD", "e", "-0", "z"}, {"ZSCORE", "e", "z"},
		{"ZINCRBY", "g", "1", strings.Repeat("k", 65)}, {"OBJECT", "ENCODING", "g"}, {"COPY", "e", "e3"}, {"OBJECT", "ENCODING", "e3"},
		{"ZMSCORE", "e3", "z", strings.Repeat("m", 64)}, {"ZREM", "e", "z", strings.Repeat("m", 64), strings.Repeat("m", 65)},
		{"EXISTS", "e"}},
}

func TestZSetDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, script := range zsetDiffScripts {
			d := newDiffSession(t, rc, proto)
			for _, args := range script {
				if !d.check(args) {
					break
				}
			}
		}
	}
}

// TestZSetDiffBig grows a set past the listpack entry limit and checks
// ranks, counts and scores across the conversion.
func TestZSetDiffBig(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		d := newDiffSession(t, dialRedis(t, addr, proto), proto)
		rng := rand.New(rand.NewPCG(uint64(proto), 7))
		for i := 0; i < 300; i++ {
			args := []string{"ZADD", "big", itoa(rng.IntN(50)), "m" + itoa(i)}
			if !d.check(args) {
				return
			}
			if i == zsetMaxListpackEntries-1 || i == zsetMaxListpackEntries {
				d.check([]string{"OBJECT", "ENCODING", "big"})
			}
		}
		for i := 0; i < 300; i += 7 {
			m := "m" + itoa(i)
			for _, args := range [][]string{{"ZRANK", "big", m}, {"ZREVRANK", "big", m}, {"ZCOUNT", "big", itoa(i % 50), "(" + itoa(i%50+9)},
				{"ZINCRBY", "big", "-3", m}, {"ZREM", "big", "m" + itoa(i+1)}} {
				if !d.check(args) {
					return
				}
			}
		}
		d.check([]string{"ZCARD", "big"})
		d.check([]string{"OBJECT", "ENCODING", "big"})
	}
}

// TestZSetDiffRandom runs seeded random sessions of sorted set commands.
func TestZSetDiffRandom(t *testing.T) {
	addr := startRedis(t)
	conns := map[int]*redisConn{2: dialRedis(t, addr, 2), 3: dialRedis(t, addr, 3)}
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x25e7))
		proto := 2 + rng.IntN(2)
		d := newDiffSession(t, conns[proto], proto)
		for i := 0; i < 40; i++ {
			if !d.check(randomZSetCommand(rng)) {
				t.Logf("seed %d", seed)
				break
			}
		}
	}
}

var (
	poolZKeys    = []string{"z1", "z2", "{t}z", "", "list", "s"}
	poolZMembers = []string{"a", "b", "c", "", "n", "bin\x00\xff", strings.Repeat("M", 64), strings.Repeat("M", 65)}
	poolZScores  = []string{"0", "1", "-1", "1.5", "2", "10", "-0", "inf", "-inf", "+inf", "1e308", "0.1", "3.0", "x", "nan",
		"1e400", "0x1p-2", " 1"}
	poolZRange = []string{"-inf", "+inf", "0", "1", "(1", "(1.5", "2", "(10", "10", "x", "(", "", "inf", "nan"}
	poolZOpts  = []string{"NX", "XX", "GT", "LT", "CH", "INCR", "nx", "ch"}
)

// randomZSetCommand draws one sorted set command with a valid arity.
func randomZSetCommand(rng *rand.Rand) []string {
	key := pick(rng, poolZKeys)
	member := func() string { return pick(rng, poolZMembers) }
	score := func() string { return pick(rng, poolZScores) }
	switch rng.IntN(14) {
	case 0, 1, 2, 3:
		args := []string{randCase(rng, "ZADD"), key}
		if rng.IntN(2) == 0 {
			for n := rng.IntN(3); n > 0; n-- {
				args = append(args, pick(rng, poolZOpts))
			}
		}
		for n := 1 + rng.IntN(3); n > 0; n-- {
			args = append(args, score(), member())
		}
		if rng.IntN(12) == 0 && len(args) > 4 {
			args = args[:len(args)-1] // an odd count (shorter fails arity first)
		}
		return args
	case 4:
		return []string{"ZINCRBY", key, score(), member()}
	case 5:
		return []string{"ZREM", key, member(), member()}
	case 6:
		return []string{"ZCARD", key}
	case 7:
		return []string{"ZSCORE", key, member()}
	case 8:
		return []string{"ZMSCORE", key, member(), member()}
	case 9:
		return []string{"ZCOUNT", key, pick(rng, poolZRange), pick(rng, poolZRange)}
	case 10:
		return []string{pick(rng, []string{"ZRANK", "ZREVRANK"}), key, member()}
	case 11:
		return []string{"SET", "s", "v"}
	default:
		return []string{"OBJECT", "ENCODING", key}
	}
}
