package storage

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Differential tests of the list family against redis-server (see
// diff_test.go). List replies are fully ordered, so every reply is
// compared byte for byte.

// newListDiffSession is newDiffSession with "list" holding ["a"] on our
// side too: the shared session stores a structureless list, which list
// commands cannot operate on.
func newListDiffSession(t testing.TB, rc *redisConn, proto int) *diffSession {
	d := newDiffSession(t, rc, proto)
	l := newListValue()
	l.pushBack([]byte("a"))
	d.h.put("list", objValue(KindList, EncQuicklist, l))
	return d
}

// listDiffScripts run from a keyspace holding "list" = [a].
var listDiffScripts = [][][]string{
	{{"RPUSH", "l", "a", "b", "c"}, {"LPUSH", "l", "x", "y"}, {"LRANGE", "l", "0", "-1"}, {"LRANGE", "l", "-100", "100"},
		{"LRANGE", "l", "3", "1"}, {"LRANGE", "l", "x", "1"}, {"LRANGE", "nokey", "x", "1"}, {"LRANGE", "nokey", "0", "1"},
		{"LLEN", "l"}, {"LLEN", "nokey"}, {"LINDEX", "l", "-1"}, {"LINDEX", "l", "5"}, {"LINDEX", "l", "x"},
		{"LINDEX", "nokey", "x"}, {"OBJECT", "ENCODING", "l"}, {"TYPE", "l"}},
	{{"LPUSHX", "l", "a"}, {"RPUSHX", "l", "a"}, {"EXISTS", "l"}, {"RPUSHX", "list", "b", "c"}, {"LPUSHX", "list", "z"},
		{"LRANGE", "list", "0", "-1"}, {"SET", "s", "v"}, {"LPUSH", "s", "a"}, {"LPUSHX", "s", "a"}, {"LLEN", "s"},
		{"LRANGE", "s", "0", "1"}, {"LINDEX", "s", "0"}},
	{{"LPOP", "nokey"}, {"LPOP", "nokey", "2"}, {"LPOP", "nokey", "0"}, {"LPOP", "nokey", "-1"}, {"LPOP", "nokey", "x"},
		{"LPOP", "list", "1", "2"}, {"RPUSH", "l", "1", "2", "3", "4", "5"}, {"LPOP", "l", "0"}, {"LPOP", "l"},
		{"RPOP", "l", "2"}, {"LPOP", "l", "10"}, {"EXISTS", "l"}, {"RPOP", "l"}, {"RPOP", "l", "1"}},
	{{"LSET", "nokey", "0", "x"}, {"LSET", "nokey", "x", "x"}, {"LSET", "list", "x", "x"}, {"LSET", "list", "1", "x"},
		{"LSET", "list", "-2", "x"}, {"LSET", "list", "-1", "x"}, {"LRANGE", "list", "0", "-1"}, {"SET", "s", "1"},
		{"LSET", "s", "0", "x"}},
	{{"RPUSH", "l", "a", "b", "c", "d", "e"}, {"LTRIM", "l", "1", "-2"}, {"LRANGE", "l", "0", "-1"}, {"LTRIM", "l", "x", "0"},
		{"LTRIM", "nokey", "0", "1"}, {"LTRIM", "l", "-100", "100"}, {"LTRIM", "l", "2", "1"}, {"EXISTS", "l"},
		{"RPUSH", "l", "a", "b"}, {"LTRIM", "l", "5", "10"}, {"EXISTS", "l"}},
	{{"RPUSH", "l", "a", "b", "a", "c", "a", "a"}, {"LREM", "l", "2", "a"}, {"LRANGE", "l", "0", "-1"}, {"LREM", "l", "-1", "a"},
		{"LRANGE", "l", "0", "-1"}, {"LREM", "l", "0", "a"}, {"LREM", "l", "x", "a"}, {"LREM", "nokey", "x", "a"},
		{"LREM", "l", "-9223372036854775808", "b"}, {"LREM", "l", "0", "c"}, {"EXISTS", "l"}},
	{{"RPUSH", "l", "a", "b", "c"}, {"LINSERT", "l", "BEFORE", "a", "0"}, {"LINSERT", "l", "after", "c", "z"},
		{"LINSERT", "l", "AFTER", "b", "bb"}, {"LINSERT", "l", "before", "q", "x"}, {"LINSERT", "l", "middle", "a", "x"},
		{"LINSERT", "nokey", "before", "a", "x"}, {"LINSERT", "nokey", "bogus", "a", "x"}, {"LRANGE", "l", "0", "-1"}},
	{{"RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"}, {"LPOS", "l", "c"}, {"LPOS", "l", "c", "RANK", "2"},
		{"LPOS", "l", "c", "RANK", "-1"}, {"LPOS", "l", "c", "RANK", "-2", "COUNT", "0"}, {"LPOS", "l", "c", "COUNT", "0"},
		{"LPOS", "l", "c", "COUNT", "2", "MAXLEN", "7"}, {"LPOS", "l", "c", "MAXLEN", "2"}, {"LPOS", "l", "c", "COUNT", "0", "MAXLEN", "2"},
		{"LPOS", "l", "c", "RANK", "0"}, {"LPOS", "l", "c", "RANK", "x"}, {"LPOS", "l", "c", "RANK", "-9223372036854775808"},
		{"LPOS", "l", "c", "RANK", "-9223372036854775808", "COUNT", "1"},
		{"LPOS", "l", "c", "RANK", "-9223372036854775808", "COUNT", "2", "MAXLEN", "5"},
		{"LPOS", "l", "c", "COUNT", "-1"}, {"LPOS", "l", "c", "COUNT", "x"}, {"LPOS", "l", "c", "MAXLEN", "-1"},
		{"LPOS", "l", "c", "bogus"}, {"LPOS", "l", "c", "RANK"}, {"LPOS", "nokey", "c"}, {"LPOS", "nokey", "c", "COUNT", "1"},
		{"LPOS", "l", "zz"}, {"LPOS", "l", "zz", "COUNT", "1"}, {"LPOS", "l", "c", "RANK", "9"}, {"LPOS", "l", "c", "RANK", "9223372036854775807"}},
	{{"RPUSH", "src", "a", "b", "c"}, {"LMOVE", "src", "dst", "LEFT", "RIGHT"}, {"LMOVE", "src", "dst", "right", "left"},
		{"LMOVE", "src", "dst", "up", "left"}, {"LMOVE", "nokey", "dst", "left", "left"}, {"SET", "s", "v"},
		{"LMOVE", "src", "s", "left", "left"}, {"LMOVE", "s", "dst", "left", "left"}, {"LRANGE", "src", "0", "-1"},
		{"LRANGE", "dst", "0", "-1"}, {"RPOPLPUSH", "src", "src"}, {"RPOPLPUSH", "src", "dst"}, {"EXISTS", "src"},
		{"RPOPLPUSH", "dst", "dst"}, {"LMOVE", "dst", "dst", "LEFT", "RIGHT"}, {"LRANGE", "dst", "0", "-1"}, {"RPOPLPUSH", "nokey", "x"}},
	{{"LMPOP", "0", "l", "LEFT"}, {"LMPOP", "x", "l", "LEFT"}, {"LMPOP", "-1", "l", "LEFT"}, {"LMPOP", "2", "l", "LEFT"},
		{"LMPOP", "5", "l", "LEFT"}, {"LMPOP", "1", "l", "UP"}, {"LMPOP", "1", "l", "LEFT", "COUNT", "0"},
		{"LMPOP", "1", "l", "LEFT", "COUNT", "x"}, {"LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "1"},
		{"LMPOP", "1", "l", "LEFT", "bogus"}, {"LMPOP", "1", "l", "LEFT", "COUNT"}, {"LMPOP", "2", "a", "b", "RIGHT"},
		{"RPUSH", "b", "1", "2", "3"}, {"LMPOP", "2", "a", "b", "RIGHT", "COUNT", "2"}, {"LMPOP", "3", "a", "b", "list", "left", "count", "9"},
		{"LMPOP", "1", "b", "LEFT"}, {"EXISTS", "b"}, {"SET", "s", "v"}, {"LMPOP", "2", "a", "s", "LEFT"}},
}

func TestListDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, script := range listDiffScripts {
			d := newListDiffSession(t, rc, proto)
			for _, args := range script {
				if !d.check(args) {
					break
				}
			}
		}
	}
}

// TestListDiffRandom runs seeded random sessions of list commands over a
// few keys, long enough for the rings to grow, wrap and shrink.
func TestListDiffRandom(t *testing.T) {
	addr := startRedis(t)
	conns := map[int]*redisConn{2: dialRedis(t, addr, 2), 3: dialRedis(t, addr, 3)}
	first, sessions := diffSeeds(t, 300)
	for seed := first; seed < first+sessions; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x115))
		proto := 2 + rng.IntN(2)
		d := newListDiffSession(t, conns[proto], proto)
		for i := 0; i < 60; i++ {
			if !d.check(randomListCommand(rng)) {
				t.Logf("seed %d", seed)
				break
			}
		}
	}
}

var (
	poolListKeys  = []string{"l1", "l2", "{t}l", "", "list", "s"}
	poolListElems = []string{"a", "b", "c", "", "1", "-1", "bin\x00\xff", strings.Repeat("e", 70)}
	poolListIdx   = []string{"0", "1", "2", "-1", "-2", "5", "-7", "100", "x", "9223372036854775807", "-9223372036854775808"}
	poolListCount = []string{"0", "1", "2", "3", "10", "-1", "x"}
)

// randomListCommand draws one list command with a valid argument count.
func randomListCommand(rng *rand.Rand) []string {
	key := func() string { return pick(rng, poolListKeys) }
	elem := func() string { return pick(rng, poolListElems) }
	idx := func() string { return pick(rng, poolListIdx) }
	side := func() string { return pick(rng, []string{"LEFT", "right", "up"}) }
	switch rng.IntN(20) {
	case 0, 1, 2, 3:
		args := []string{pick(rng, []string{"LPUSH", "RPUSH", "lpush", "RPUSH"}), key()}
		for n := 1 + rng.IntN(6); n > 0; n-- {
			args = append(args, elem())
		}
		return args
	case 4:
		return []string{pick(rng, []string{"LPUSHX", "RPUSHX"}), key(), elem(), elem()}
	case 5, 6:
		args := []string{pick(rng, []string{"LPOP", "RPOP"}), key()}
		if rng.IntN(2) == 0 {
			args = append(args, pick(rng, poolListCount))
		}
		return args
	case 7:
		return []string{"LLEN", key()}
	case 8:
		return []string{"LINDEX", key(), idx()}
	case 9:
		return []string{"LSET", key(), idx(), elem()}
	case 10:
		return []string{"LRANGE", key(), idx(), idx()}
	case 11:
		return []string{"LTRIM", key(), idx(), idx()}
	case 12:
		return []string{"LREM", key(), pick(rng, poolListIdx), elem()}
	case 13:
		return []string{"LINSERT", key(), pick(rng, []string{"BEFORE", "after", "x"}), elem(), elem()}
	case 14:
		args := []string{"LPOS", key(), elem()}
		for n := rng.IntN(3); n > 0; n-- {
			args = append(args, pick(rng, []string{"RANK", "COUNT", "MAXLEN", "rank"}), pick(rng, poolListIdx))
		}
		return args
	case 15:
		return []string{"LMOVE", key(), key(), side(), side()}
	case 16:
		return []string{"RPOPLPUSH", key(), key()}
	case 17:
		n := 1 + rng.IntN(3)
		args := []string{"LMPOP", pick(rng, []string{itoa(n), itoa(n), "0", "9"})}
		for ; n > 0; n-- {
			args = append(args, key())
		}
		args = append(args, side())
		if rng.IntN(2) == 0 {
			args = append(args, "COUNT", pick(rng, poolListCount))
		}
		return args
	case 18:
		return []string{"SET", "s", elem()}
	default:
		if rng.IntN(2) == 0 {
			return []string{"OBJECT", "ENCODING", key()}
		}
		return []string{pick(rng, []string{"EXISTS", "TYPE"}), key()}
	}
}

// TestListDiffBig compares a list large enough for the ring to grow and
// wrap many times, with edits in the middle and big pops at both ends.
func TestListDiffBig(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		d := newListDiffSession(t, dialRedis(t, addr, proto), proto)
		for i := 0; i < 300; i++ {
			d.check([]string{"RPUSH", "big", "r" + itoa(i%7)})
			d.check([]string{"LPUSH", "big", "l" + itoa(i%5)})
		}
		for _, args := range [][]string{{"LRANGE", "big", "0", "-1"}, {"LINSERT", "big", "BEFORE", "r3", "mid"},
			{"LINSERT", "big", "AFTER", "l4", "mid2"}, {"LPOS", "big", "r2", "RANK", "-3", "COUNT", "5"}, {"LREM", "big", "-40", "r1"},
			{"LREM", "big", "7", "l0"}, {"LTRIM", "big", "50", "-60"}, {"LPOP", "big", "100"}, {"RPOP", "big", "100"},
			{"LSET", "big", "77", "x"}, {"LRANGE", "big", "0", "-1"}, {"LMPOP", "1", "big", "RIGHT", "COUNT", "1000"}, {"EXISTS", "big"}} {
			if !d.check(args) {
				break
			}
		}
	}
}
