package storage

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Differential tests of the multi-key sorted set commands against
// redis-server (see diff_test.go). Results are sorted sets, so replies have
// a defined order and are compared byte for byte.

// zsetMultiDiffScripts run from a keyspace holding only "list", a list.
var zsetMultiDiffScripts = [][][]string{
	{{"ZADD", "a", "1", "x", "2", "y", "3", "z"}, {"ZADD", "b", "10", "y", "20", "z", "30", "w"}, {"SADD", "s", "x", "w", "v"},
		{"ZUNION", "2", "a", "b"}, {"ZUNION", "2", "a", "b", "WITHSCORES"}, {"ZUNION", "3", "a", "b", "s", "withscores"},
		{"ZUNION", "2", "a", "b", "WEIGHTS", "2", "0.5", "WITHSCORES"}, {"ZUNION", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"},
		{"ZUNION", "2", "a", "b", "aggregate", "max", "weights", "-1", "1", "withscores"}, {"ZINTER", "2", "a", "b", "WITHSCORES"},
		{"ZINTER", "3", "a", "b", "s"}, {"ZINTER", "2", "a", "s", "WITHSCORES"}, {"ZINTER", "2", "a", "nokey"},
		{"ZINTER", "2", "a", "b", "AGGREGATE", "MAX", "WEIGHTS", "1", "2", "WITHSCORES"}, {"ZDIFF", "2", "a", "b", "WITHSCORES"},
		{"ZDIFF", "3", "b", "a", "s"}, {"ZDIFF", "1", "nokey"}, {"ZDIFF", "2", "s", "a", "WITHSCORES"},
		{"ZUNIONSTORE", "d", "2", "a", "b"}, {"ZRANGE", "d", "0", "-1", "WITHSCORES"}, {"OBJECT", "ENCODING", "d"},
		{"ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "inf"}, {"ZRANGE", "d", "0", "-1", "WITHSCORES"},
		{"ZINTERSTORE", "d", "2", "a", "nokey"}, {"EXISTS", "d"}, {"ZDIFFSTORE", "list", "2", "a", "b"}, {"TYPE", "list"},
		{"ZRANGE", "list", "0", "-1", "WITHSCORES"}, {"ZINTERCARD", "2", "a", "b"}, {"ZINTERCARD", "2", "a", "b", "LIMIT", "1"},
		{"ZINTERCARD", "3", "a", "b", "s"}, {"ZINTERCARD", "2", "a", "b", "LIMIT", "0"}, {"ZINTERCARD", "1", "nokey"}},
	{{"ZADD", "a", "1", "x"}, {"RPUSH", "l", "q"}, {"ZUNION", "0", "a"}, {"ZUNION", "-1", "a"}, {"ZUNION", "x", "a"},
		{"ZUNION", "2", "a"}, {"ZUNIONSTORE", "d", "0", "a"}, {"ZINTERSTORE", "d", "x", "a"}, {"ZDIFFSTORE", "d", "3", "a", "b"},
		{"ZINTERCARD", "0", "a"}, {"ZINTERCARD", "-5", "a"}, {"ZINTERCARD", "2", "a"}, {"ZDIFF", "0", "a"},
		{"ZUNION", "1", "a", "WEIGHTS", "x"}, {"ZUNION", "1", "a", "WEIGHTS", "nan"}, {"ZUNION", "1", "a", "WEIGHTS"},
		{"ZUNION", "2", "a", "a", "WEIGHTS", "1"}, {"ZUNION", "1", "a", "AGGREGATE", "avg"}, {"ZUNION", "1", "a", "AGGREGATE"},
		{"ZUNION", "1", "a", "foo"}, {"ZUNIONSTORE", "d", "1", "a", "WITHSCORES"}, {"ZDIFF", "1", "a", "WEIGHTS", "1"},
		{"ZDIFF", "1", "a", "AGGREGATE", "SUM"}, {"ZINTERCARD", "1", "a", "WEIGHTS", "1"}, {"ZINTERCARD", "1", "a", "WITHSCORES"},
		{"ZINTERCARD", "1", "a", "LIMIT", "-1"}, {"ZINTERCARD", "1", "a", "LIMIT", "x"}, {"ZINTERCARD", "1", "a", "LIMIT"},
		{"ZUNION", "2", "a", "l"}, {"ZUNION", "2", "a", "l", "WEIGHTS", "x"}, {"ZINTER", "2", "nokey", "list"},
		{"ZUNIONSTORE", "d", "1", "list"}, {"ZINTERCARD", "2", "a", "list"}, {"ZDIFF", "2", "a", "list"},
		{"ZUNION", "1", "a", "WEIGHTS", " 1"}, {"ZUNION", "1", "a", "WEIGHTS", "0x10", "WITHSCORES"}},
	{{"ZADD", "a", "0", "x", "-inf", "y"}, {"ZUNION", "1", "a", "WEIGHTS", "-1", "WITHSCORES"}, {"ZUNIONSTORE", "d", "1", "a", "WEIGHTS", "-1"},
		{"ZSCORE", "d", "x"}, {"ZADD", "big", "0", strings.Repeat("m", 65)}, {"ZUNIONSTORE", "d", "1", "big", "WEIGHTS", "-1"},
		{"ZSCORE", "d", strings.Repeat("m", 65)}, {"ZINTER", "2", "a", "a", "WEIGHTS", "1", "0", "WITHSCORES"},
		{"ZINTER", "2", "a", "a", "WEIGHTS", "0", "1", "AGGREGATE", "MIN", "WITHSCORES"}, {"ZUNION", "2", "a", "a", "WEIGHTS", "0", "-1", "AGGREGATE", "MAX", "WITHSCORES"}},
	{{"ZADD", "a", "inf", "x", "-inf", "y", "1", "z"}, {"ZADD", "b", "-inf", "x", "inf", "y", "0", "z"},
		{"ZUNION", "2", "a", "b", "WITHSCORES"}, {"ZINTER", "2", "a", "b", "WITHSCORES"}, {"ZUNION", "2", "a", "b", "WEIGHTS", "0", "1", "WITHSCORES"},
		{"ZUNION", "2", "a", "b", "AGGREGATE", "min", "WITHSCORES"}, {"ZINTER", "2", "a", "a", "WITHSCORES"},
		{"ZINTERSTORE", "a", "2", "a", "b", "AGGREGATE", "MAX"}, {"ZRANGE", "a", "0", "-1", "WITHSCORES"}},
	{{"ZADD", "big", "1", strings.Repeat("m", 65)}, {"ZUNIONSTORE", "d", "1", "big"}, {"OBJECT", "ENCODING", "d"},
		{"ZADD", "e", "1", "a"}, {"ZUNIONSTORE", "d", "2", "e", "big"}, {"OBJECT", "ENCODING", "d"},
		{"ZDIFFSTORE", "d", "2", "big", "big"}, {"EXISTS", "d"}, {"ZDIFFSTORE", "d", "2", "e", "big"}, {"OBJECT", "ENCODING", "d"}},
}

func TestZSetMultiDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, script := range zsetMultiDiffScripts {
			d := newDiffSession(t, rc, proto)
			for _, args := range script {
				if !d.check(args) {
					break
				}
			}
		}
	}
}

// TestZSetMultiDiffBig combines sets past the listpack limit.
func TestZSetMultiDiffBig(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		d := newDiffSession(t, dialRedis(t, addr, proto), proto)
		rng := rand.New(rand.NewPCG(uint64(proto), 11))
		for i := 0; i < 400; i++ {
			k := []string{"k1", "k2", "k3"}[rng.IntN(3)]
			if !d.check([]string{"ZADD", k, itoa(rng.IntN(40) - 20), "m" + itoa(rng.IntN(300))}) {
				return
			}
			d.check([]string{"SADD", "s", "m" + itoa(rng.IntN(300))})
		}
		for _, args := range [][]string{{"ZUNIONSTORE", "d", "4", "k1", "k2", "k3", "s"}, {"OBJECT", "ENCODING", "d"},
			{"ZRANGE", "d", "0", "-1", "WITHSCORES"}, {"ZINTER", "2", "k1", "k2", "WITHSCORES"}, {"ZINTERCARD", "3", "k1", "k2", "s"},
			{"ZINTERCARD", "2", "k1", "k2", "LIMIT", "5"}, {"ZDIFF", "3", "k1", "k2", "k3", "WITHSCORES"},
			{"ZDIFFSTORE", "d", "2", "k1", "s"}, {"OBJECT", "ENCODING", "d"}, {"ZCARD", "d"},
			{"ZUNION", "3", "k1", "k2", "s", "WEIGHTS", "1.5", "-2", "3", "AGGREGATE", "MAX", "WITHSCORES"}} {
			d.check(args)
		}
	}
}

// TestZSetMultiDiffRandom runs seeded random sessions of the multi-key
// commands over a few small keys, sets and sorted sets mixed.
func TestZSetMultiDiffRandom(t *testing.T) {
	addr := startRedis(t)
	conns := map[int]*redisConn{2: dialRedis(t, addr, 2), 3: dialRedis(t, addr, 3)}
	for seed := uint64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x3a71))
		proto := 2 + rng.IntN(2)
		d := newDiffSession(t, conns[proto], proto)
		for i := 0; i < 30; i++ {
			if !d.check(randomZSetMultiCommand(rng)) {
				t.Logf("seed %d", seed)
				break
			}
		}
	}
}

func randomZSetMultiCommand(rng *rand.Rand) []string {
	keys := []string{"a", "b", "c", "s", "list", "nokey"}
	member := func() string { return string(rune('p' + rng.IntN(8))) }
	score := func() string {
		return pick(rng, []string{"0", "1", "-1", "2.5", "inf", "-inf", "3", "1e3", "0.1"})
	}
	switch rng.IntN(8) {
	case 0, 1:
		args := []string{"ZADD", pick(rng, keys[:3])}
		for n := 1 + rng.IntN(4); n > 0; n-- {
			args = append(args, score(), member())
		}
		return args
	case 2:
		return []string{"SADD", "s", member(), member()}
	case 3:
		return []string{"ZRANGE", pick(rng, []string{"a", "b", "d"}), "0", "-1", "WITHSCORES"}
	}
	cmd := pick(rng, []string{"ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD"})
	args := []string{cmd}
	if strings.HasSuffix(cmd, "STORE") {
		args = append(args, pick(rng, []string{"d", "a", "list"}))
	}
	n := 1 + rng.IntN(3)
	if rng.IntN(15) == 0 {
		// A bad numkeys, with a key so the arity holds.
		args = append(args, pick(rng, []string{"0", "-1", "x", "9"}), "a")
		n = 0
	} else {
		args = append(args, itoa(n))
	}
	for i := 0; i < n; i++ {
		if rng.IntN(8) == 0 {
			args = append(args, pick(rng, keys))
		} else {
			args = append(args, pick(rng, keys[:4]))
		}
	}
	if rng.IntN(3) == 0 {
		args = append(args, randCase(rng, "weights"))
		for i := 0; i < n; i++ {
			args = append(args, pick(rng, []string{"1", "2", "-1", "0", "0.5", "inf", "x"}))
		}
	}
	if rng.IntN(3) == 0 {
		args = append(args, randCase(rng, "aggregate"), pick(rng, []string{"sum", "MIN", "max", "avg"}))
	}
	if rng.IntN(3) == 0 {
		args = append(args, randCase(rng, "withscores"))
	}
	if rng.IntN(3) == 0 {
		args = append(args, randCase(rng, "limit"), pick(rng, []string{"0", "1", "2", "-1"}))
	}
	return args
}
