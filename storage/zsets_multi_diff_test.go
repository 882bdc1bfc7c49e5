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
	// Redis aggregates from the smallest input to the largest: the float
	// sum and where inf + -inf (made 0) falls depend on that order.
	{{"SADD", "big", "r", "q", "m", "n"}, {"ZADD", "small", "0.1", "r", "inf", "q"}, {"ZADD", "mid", "0.1", "r", "-inf", "q", "-1", "m"},
		{"ZUNION", "3", "big", "small", "mid", "WITHSCORES"}, {"ZUNION", "3", "mid", "big", "small", "WITHSCORES"},
		{"ZUNIONSTORE", "u", "3", "big", "mid", "small", "WEIGHTS", "1", "1", "-1"}, {"ZRANGE", "u", "0", "-1", "WITHSCORES"},
		{"ZINTER", "3", "big", "mid", "small", "WITHSCORES"}},
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
	{{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"}, {"ZRANGESTORE", "d", "z", "0", "-1"}, {"ZRANGE", "d", "0", "-1", "WITHSCORES"},
		{"ZRANGESTORE", "d", "z", "1", "2", "REV"}, {"ZRANGE", "d", "0", "-1", "WITHSCORES"}, {"ZRANGESTORE", "d", "z", "(1", "+inf", "BYSCORE", "LIMIT", "1", "1"},
		{"ZRANGE", "d", "0", "-1", "WITHSCORES"}, {"ZRANGESTORE", "d", "z", "[c", "-", "BYLEX", "REV"}, {"ZRANGE", "d", "0", "-1"},
		{"ZRANGESTORE", "d", "z", "5", "9"}, {"EXISTS", "d"}, {"ZRANGESTORE", "d", "z", "0", "1"}, {"ZRANGESTORE", "d", "nokey", "0", "1"},
		{"EXISTS", "d"}, {"ZRANGESTORE", "d", "z", "0", "1", "WITHSCORES"}, {"ZRANGESTORE", "d", "z", "0", "1", "LIMIT", "x", "1", "WITHSCORES"},
		{"ZRANGESTORE", "d", "z", "0", "1", "LIMIT", "0", "1"}, {"ZRANGESTORE", "d", "z", "a", "1"}, {"ZRANGESTORE", "d", "z", "x", "1", "BYSCORE"},
		{"ZRANGESTORE", "d", "z", "x", "1", "BYLEX"}, {"ZRANGESTORE", "d", "list", "0", "1"}, {"ZRANGESTORE", "list", "z", "0", "0"},
		{"TYPE", "list"}, {"ZRANGESTORE", "d", "z", "0", "1", "REV", "REV"}, {"ZRANGESTORE", "d", "z", "0", "1", "BYLEX", "WITHSCORES"},
		{"ZRANDMEMBER", "nokey"}, {"ZRANDMEMBER", "nokey", "5"}, {"ZRANDMEMBER", "list"}, {"ZRANDMEMBER", "list", "1"},
		{"ZRANDMEMBER", "z", "0"}, {"ZRANDMEMBER", "z", "4", "WITHSCORES"}, {"ZRANDMEMBER", "z", "9"}, {"ZRANDMEMBER", "z", "x"},
		{"ZRANDMEMBER", "z", "1", "foo"}, {"ZRANDMEMBER", "z", "1", "withscores", "x"}, {"ZRANDMEMBER", "z", "-9223372036854775808"},
		{"ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"}, {"ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"}, {"ZRANDMEMBER", "nokey", "x"}, {"ZRANDMEMBER", "nokey", "1", "x"},
		{"ZADD", "big", "1", strings.Repeat("m", 65), "0", "x", "2", "y"}, {"ZRANDMEMBER", "big", "3", "WITHSCORES"}, {"ZRANDMEMBER", "big", "5"}},
	{{"ZADD", "z", "1.5", "a", "2", "b", "inf", "c", "-inf", "d", "1e20", "e", "0.1", "f", "-3", "g"}, {"ZSCAN", "z", "0"},
		{"ZSCAN", "z", "0", "MATCH", "[a-c]", "COUNT", "1"}, {"ZSCAN", "z", "0", "match", "*"}, {"ZSCAN", "z", "0", "COUNT", "0"},
		{"ZSCAN", "z", "0", "COUNT", "x"}, {"ZSCAN", "z", "0", "COUNT"}, {"ZSCAN", "z", "0", "FOO", "1"}, {"ZSCAN", "z", "x"},
		{"ZSCAN", "z", "-1"}, {"ZSCAN", "nokey", "0", "COUNT", "0"}, {"ZSCAN", "list", "0"}, {"ZSCAN", "nokey", "x"},
		{"ZADD", "y", "1", "p", "2", "q"}, {"ZMPOP", "1", "z", "MIN"}, {"ZMPOP", "1", "z", "max", "COUNT", "2"},
		{"ZMPOP", "3", "nokey", "y", "z", "MIN", "COUNT", "10"}, {"EXISTS", "y"}, {"ZMPOP", "2", "nokey", "y", "MIN"},
		{"ZMPOP", "2", "nokey", "list", "MIN"}, {"ZMPOP", "2", "z", "list", "MAX"}, {"ZMPOP", "0", "z", "MIN"}, {"ZMPOP", "x", "z", "MIN"},
		{"ZMPOP", "2", "z", "MIN"}, {"ZMPOP", "1", "z", "FOO"}, {"ZMPOP", "1", "z", "MIN", "COUNT", "0"}, {"ZMPOP", "1", "z", "MIN", "COUNT", "x"},
		{"ZMPOP", "1", "z", "MIN", "COUNT"}, {"ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"}, {"ZMPOP", "1", "z", "MIN", "FOO"},
		{"ZMPOP", "1", "z", "MAX", "count", "9223372036854775807"}, {"EXISTS", "z"}, {"ZMPOP", "1", "z", "MIN"},
		{"ZMPOP", "-1", "z", "MIN"}, {"ZMPOP", "9223372036854775807", "z", "MIN"}},
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
	first, sessions := diffSeeds(t, 200)
	for seed := first; seed < first+sessions; seed++ {
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
	case 4:
		if rng.IntN(2) == 0 {
			args := []string{"ZMPOP", "2", pick(rng, keys), pick(rng, keys), pick(rng, []string{"MIN", "max"})}
			if rng.IntN(2) == 0 {
				args = append(args, "COUNT", pick(rng, []string{"1", "2", "5", "0"}))
			}
			return args
		}
		args := []string{"ZRANGESTORE", pick(rng, []string{"d", "a", "list"}), pick(rng, keys)}
		switch rng.IntN(3) {
		case 0:
			args = append(args, itoa(rng.IntN(5)-2), itoa(rng.IntN(5)-1))
		case 1:
			args = append(args, score(), pick(rng, []string{"+inf", "(3", "1"}), "BYSCORE")
		default:
			args = append(args, pick(rng, []string{"-", "[q", "(r"}), pick(rng, []string{"+", "[t"}), "BYLEX")
		}
		if rng.IntN(3) == 0 {
			args = append(args, "REV")
		}
		if rng.IntN(3) == 0 {
			args = append(args, "LIMIT", itoa(rng.IntN(3)), itoa(rng.IntN(4)-1))
		}
		return args
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

// TestZSetMultiDiffRandMember checks random replies by invariants against
// what redis-server holds: lengths, membership, scores and distinctness.
func TestZSetMultiDiffRandMember(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		d := newDiffSession(t, dialRedis(t, addr, proto), proto)
		for _, size := range []int{5, 200} {
			key := "r" + itoa(size)
			for i := 0; i < size; i++ {
				d.check([]string{"ZADD", key, itoa(i % 7), "m" + itoa(i)})
			}
			for _, count := range []int{1, 3, size - 1, -3, -2 * size} {
				for _, ws := range []bool{false, true} {
					args := []string{"ZRANDMEMBER", key, itoa(count)}
					if ws {
						args = append(args, "WITHSCORES")
					}
					checkRandMember(t, d, args, size, count, ws)
				}
			}
		}
	}
}

func checkRandMember(t *testing.T, d *diffSession, args []string, size, count int, ws bool) {
	t.Helper()
	got := d.h.exec(d.proto, byteArgs(args))
	want := count
	if count > size {
		want = size
	}
	if count < 0 {
		want = -count
	}
	items := want
	if ws && d.proto == 2 {
		items *= 2
	}
	if !strings.HasPrefix(string(got), "*"+itoa(items)+"\r\n") {
		t.Fatalf("%q: reply %q does not hold %d items", args, got, items)
	}
	seen := map[string]bool{}
	for _, m := range strings.Split(string(got), "\r\n") {
		if !strings.HasPrefix(m, "m") {
			continue
		}
		if count > 0 && seen[m] {
			t.Fatalf("%q: %s twice", args, m)
		}
		seen[m] = true
		if ws {
			score := string(d.rc.do(t, []string{"ZSCORE", args[1], m}))
			if !strings.Contains(string(got), m+"\r\n"+score) {
				t.Fatalf("%q: %s has not its score %q in %q", args, m, score, got)
			}
		} else if r := d.rc.do(t, []string{"ZSCORE", args[1], m}); r[0] != '$' && r[0] != ',' || string(r) == "$-1\r\n" {
			t.Fatalf("%q: %s is no member", args, m)
		}
	}
}

// TestZSetMultiDiffScan walks a skiplist-encoded set with ZSCAN: the
// cursors differ from Redis's, so the walk is checked by invariants
// (every member exactly once, with redis-server's score text).
func TestZSetMultiDiffScan(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		d := newDiffSession(t, dialRedis(t, addr, proto), proto)
		want := map[string]string{}
		for i := 0; i < 300; i++ {
			m := "m" + itoa(i)
			score := pick(rand.New(rand.NewPCG(uint64(i), 3)), []string{"1", "-2.5", "0.1", "1e20", "inf", "-inf", "7"})
			d.check([]string{"ZADD", "big", score, m})
			r := string(d.rc.do(t, []string{"ZSCORE", "big", m}))
			if proto == 3 { // ZSCAN replies the score as a bulk string
				r = rBulk(strings.TrimSuffix(r[1:], "\r\n"))
			}
			want[m] = r
		}
		d.check([]string{"OBJECT", "ENCODING", "big"})
		seen := map[string]bool{}
		cursor := "0"
		for calls := 0; ; calls++ {
			reply := string(d.h.exec(proto, byteArgs([]string{"ZSCAN", "big", cursor, "COUNT", "25", "MATCH", "m*"})))
			parts := strings.Split(reply, "\r\n")
			// *2 $n cursor *2k then $n member $n score ...
			cursor = parts[2]
			for i := 4; i+3 < len(parts); i += 4 {
				m, score := parts[i+1], parts[i+2]+"\r\n"+parts[i+3]+"\r\n"
				if seen[m] {
					t.Fatalf("%s returned twice", m)
				}
				seen[m] = true
				if score != want[m] {
					t.Fatalf("%s: score %q, want %q", m, score, want[m])
				}
			}
			if cursor == "0" || calls > 1000 {
				break
			}
		}
		if len(seen) != len(want) {
			t.Fatalf("ZSCAN walk returned %d members, want %d", len(seen), len(want))
		}
	}
}
