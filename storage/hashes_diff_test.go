package storage

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of the hash family against redis-server (see
// diff_test.go). Replies whose order Redis leaves undefined are compared
// as sorted multisets of their top-level elements: HGETALL, HKEYS, HVALS
// and HSCAN of a hashtable, and HRANDFIELD. Sampling HRANDFIELD calls
// (negative counts, counts below the size) are compared by shape only.

// hashDiffScripts run from a keyspace holding only "list", a list.
var hashDiffScripts = [][][]string{
	{{"HSET", "h", "z", "1", "a", "2", "m", "3"}, {"HDEL", "h", "a"}, {"HSET", "h", "a", "4", "z", "5"}, {"HGETALL", "h"},
		{"HKEYS", "h"}, {"HVALS", "h"}, {"HSCAN", "h", "0"}, {"HSCAN", "h", "0", "MATCH", "[am]*", "COUNT", "1"},
		{"HSCAN", "h", "0", "COUNT", "0"}, {"HSCAN", "h", "0", "TYPE", "hash"}, {"HSCAN", "h", "x"}, {"HSCAN", "nokey", "0", "COUNT", "x"},
		{"HSCAN", "list", "0"}, {"OBJECT", "ENCODING", "h"}, {"HDEL", "h", "a", "z", "m", "q"}, {"EXISTS", "h"}},
	{{"HSET", "h", "a"}, {"HMSET", "h", "a", "1", "b"}, {"HMSET", "h", "a", "1"}, {"HSETNX", "h", "a", "2"}, {"HSETNX", "h", "b", "2"},
		{"HMGET", "h", "a", "b", "c"}, {"HMGET", "nokey", "a"}, {"HMGET", "list", "a"}, {"HGET", "list", "a"}, {"HLEN", "h"},
		{"HSTRLEN", "h", "a"}, {"HSTRLEN", "h", "zz"}, {"HEXISTS", "h", "b"}, {"HEXISTS", "nokey", "b"}, {"HGETALL", "nokey"}},
	{{"HINCRBY", "h", "n", "5"}, {"HINCRBY", "h", "n", "x"}, {"HINCRBY", "h", "n", "9223372036854775807"}, {"HSET", "h", "s", "007"},
		{"HINCRBY", "h", "s", "1"}, {"HINCRBY", "nokey", "s", "x"}, {"EXISTS", "nokey"}, {"HINCRBYFLOAT", "h", "f", "10.5"},
		{"HINCRBYFLOAT", "h", "f", "0.1"}, {"HINCRBYFLOAT", "h", "f", "-5.0e3"}, {"HINCRBYFLOAT", "h", "f", "inf"},
		{"HINCRBYFLOAT", "h", "f", "nan"}, {"HINCRBYFLOAT", "h", "s", "0x10"}, {"HINCRBYFLOAT", "h", "g", "1e4932"},
		{"HINCRBYFLOAT", "h", "g", "1e4932"}, {"HSET", "h", "w", "x"}, {"HINCRBYFLOAT", "h", "w", "1"}, {"HGETALL", "h"},
		{"HINCRBY", "list", "a", "1"}, {"HINCRBYFLOAT", "list", "a", "1"}},
	{{"HRANDFIELD", "nokey"}, {"HRANDFIELD", "nokey", "3"}, {"HRANDFIELD", "nokey", "0", "WITHVALUES"}, {"HRANDFIELD", "list"},
		{"HSET", "h", "a", "1"}, {"HRANDFIELD", "h"}, {"HRANDFIELD", "h", "-3", "WITHVALUES"}, {"HRANDFIELD", "h", "1", "withvalues"},
		{"HSET", "h", "b", "2", "c", "3"}, {"HRANDFIELD", "h", "3", "WITHVALUES"}, {"HRANDFIELD", "h", "10"}, {"HRANDFIELD", "h", "0"},
		{"HRANDFIELD", "h", "x"}, {"HRANDFIELD", "h", "1", "bogus"}, {"HRANDFIELD", "h", "1", "WITHVALUES", "x"},
		{"HRANDFIELD", "h", "-9223372036854775808"}, {"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"}},
	{{"HSET", "e", "f", strings.Repeat("x", 64)}, {"OBJECT", "ENCODING", "e"}, {"HSET", "e", "g", strings.Repeat("x", 65)},
		{"OBJECT", "ENCODING", "e"}, {"HINCRBY", "i", strings.Repeat("k", 65), "1"}, {"OBJECT", "ENCODING", "i"},
		{"HINCRBYFLOAT", "j", strings.Repeat("k", 65), "1"}, {"OBJECT", "ENCODING", "j"}, {"HSETNX", "k", "f", strings.Repeat("v", 65)},
		{"OBJECT", "ENCODING", "k"}, {"HGETALL", "e"}, {"COPY", "e", "e2"}, {"OBJECT", "ENCODING", "e2"}, {"HGETALL", "e2"}},
}

// hashUnordered reports whether args' reply order is undefined for key
// encodings Redis hashes with a dict; listpack order is compared exactly.
func hashUnordered(args []string) bool {
	switch strings.ToLower(args[0]) {
	case "hgetall", "hkeys", "hvals", "hscan", "hrandfield":
		return true
	}
	return false
}

// hashCheck is diffSession.check with order-insensitive comparison where
// Redis's order is undefined.
func hashCheck(d *diffSession, args []string) bool {
	d.t.Helper()
	d.log = append(d.log, quoteArgs(args))
	sampling := strings.EqualFold(args[0], "hrandfield") && hrandSamples(d, args) ||
		strings.EqualFold(args[0], "hscan") && hscanPartial(d, args)
	want := slices.Clone(d.rc.do(d.t, args))
	d.h.now = time.Now().UnixMilli()
	got := slices.Clone(d.h.exec(d.proto, byteArgs(args)))
	switch {
	case sampling:
		got, want = replyShape(got), replyShape(want)
	case hashUnordered(args) && (strings.EqualFold(args[0], "hrandfield") || d.rc.encoding(d.t, args[1]) == "hashtable"):
		got, want = canonicalReply(d.t, args, got), canonicalReply(d.t, args, want)
	}
	if !bytes.Equal(got, want) {
		d.t.Errorf("RESP%d reply differs from redis-server:\n  got  %q\n  want %q\nsession:\n  %s",
			d.proto, got, want, strings.Join(d.log, "\n  "))
		return false
	}
	return true
}

// hrandSamples reports whether HRANDFIELD args picks at random on Redis's
// current data: more than one field, and no count or one below the size.
func hrandSamples(d *diffSession, args []string) bool {
	r := string(d.rc.do(d.t, []string{"HLEN", args[1]}))
	size, _ := strconv.ParseInt(strings.TrimSpace(r[1:]), 10, 64)
	if r[0] != ':' || size <= 1 {
		return false
	}
	if len(args) == 2 {
		return true
	}
	n, err := strconv.ParseInt(args[2], 10, 64)
	return err == nil && n < size
}

// hscanPartial reports whether one HSCAN call on Redis may return only
// part of a hashtable, which part depending on its dict layout.
func hscanPartial(d *diffSession, args []string) bool {
	if d.rc.encoding(d.t, args[1]) != "hashtable" {
		return false
	}
	r := string(d.rc.do(d.t, []string{"HLEN", args[1]}))
	size, _ := strconv.ParseInt(strings.TrimSpace(r[1:]), 10, 64)
	return size >= 10 || slices.ContainsFunc(args, func(a string) bool { return strings.EqualFold(a, "count") })
}

// replyShape is a random reply's type and, for aggregates, length.
func replyShape(reply []byte) []byte {
	if len(reply) > 0 && reply[0] == '$' {
		return reply[:1]
	}
	if i := bytes.IndexByte(reply, '\n'); i >= 0 {
		return reply[:i+1]
	}
	return reply
}

// encoding asks redis-server for key's encoding ("" when missing).
func (rc *redisConn) encoding(t testing.TB, key string) string {
	r := string(rc.do(t, []string{"OBJECT", "ENCODING", key}))
	if i := strings.Index(r, "\r\n"); i >= 0 && r[0] == '$' {
		return strings.TrimSuffix(r[i+2:], "\r\n")
	}
	return ""
}

// canonicalReply sorts the elements of an aggregate reply (for HSCAN, of
// its second element; the cursor is dropped, its value being an
// implementation detail).
func canonicalReply(t testing.TB, args []string, reply []byte) []byte {
	if len(reply) == 0 || reply[0] != '*' && reply[0] != '%' {
		return reply
	}
	r := bufio.NewReader(bytes.NewReader(reply))
	header, _ := r.ReadBytes('\n')
	var elems []string
	for {
		e, err := readRawReply(r, nil)
		if err != nil {
			break
		}
		elems = append(elems, string(e))
	}
	if strings.EqualFold(args[0], "hscan") && len(elems) == 2 {
		return canonicalReply(t, []string{"x"}, []byte(elems[1]))
	}
	slices.Sort(elems)
	return append(header, strings.Join(elems, "")...)
}

func TestHashDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, script := range hashDiffScripts {
			d := newDiffSession(t, rc, proto)
			for _, args := range script {
				if !hashCheck(d, args) {
					break
				}
			}
		}
	}
}

// TestHashDiffBig compares a hash past the listpack limits, including a
// full HSCAN walk on each side.
func TestHashDiffBig(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		d := newDiffSession(t, dialRedis(t, addr, proto), proto)
		for i := 0; i < int(encoding().HashMaxListpackEntries)+2; i++ {
			hashCheck(d, []string{"HSET", "big", "f" + itoa(i), "v" + itoa(i)})
			if i == int(encoding().HashMaxListpackEntries)-1 || i == int(encoding().HashMaxListpackEntries) {
				hashCheck(d, []string{"OBJECT", "ENCODING", "big"})
			}
		}
		for _, args := range [][]string{{"HGETALL", "big"}, {"HKEYS", "big"}, {"HVALS", "big"}, {"HDEL", "big", "f3", "f4"},
			{"HLEN", "big"}, {"HRANDFIELD", "big", "1000", "WITHVALUES"}, {"HRANDFIELD", "big", "5"}, {"HRANDFIELD", "big", "-5"}} {
			if !hashCheck(d, args) {
				return
			}
		}
		redisWalk := hscanWalk(func(cursor string) []byte { return d.rc.do(t, []string{"HSCAN", "big", cursor, "COUNT", "7"}) })
		ourWalk := hscanWalk(func(cursor string) []byte {
			return slices.Clone(d.h.exec(proto, byteArgs([]string{"HSCAN", "big", cursor, "COUNT", "7"})))
		})
		if !slices.Equal(redisWalk, ourWalk) {
			t.Errorf("RESP%d HSCAN walk differs: got %d pairs, want %d", proto, len(ourWalk), len(redisWalk))
		}
	}
}

// hscanWalk runs a full HSCAN walk and returns the sorted distinct pairs.
func hscanWalk(scan func(cursor string) []byte) []string {
	seen := map[string]bool{}
	cursor := "0"
	for n := 0; n < 1000; n++ {
		r := bufio.NewReader(bytes.NewReader(scan(cursor)))
		r.ReadBytes('\n')
		c, _ := readRawReply(r, nil)
		cursor = strings.Split(string(c), "\r\n")[1]
		r.ReadBytes('\n')
		for {
			f, err := readRawReply(r, nil)
			if err != nil {
				break
			}
			v, _ := readRawReply(r, nil)
			seen[string(f)+string(v)] = true
		}
		if cursor == "0" {
			break
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// TestHashDiffRandom runs seeded random sessions of hash commands.
func TestHashDiffRandom(t *testing.T) {
	addr := startRedis(t)
	conns := map[int]*redisConn{2: dialRedis(t, addr, 2), 3: dialRedis(t, addr, 3)}
	first, sessions := diffSeeds(t, 300)
	for seed := first; seed < first+sessions; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x4a5))
		proto := 2 + rng.IntN(2)
		d := newDiffSession(t, conns[proto], proto)
		for i := 0; i < 40; i++ {
			if !hashCheck(d, randomHashCommand(rng)) {
				t.Logf("seed %d", seed)
				break
			}
		}
	}
}

var (
	poolHashKeys   = []string{"h1", "h2", "{t}h", "", "list", "s"}
	poolHashFields = []string{"a", "b", "c", "", "n", "f", "bin\x00\xff", strings.Repeat("F", 65)}
	poolHashVals   = []string{"", "0", "1", "-1", "007", "1.5", "10.5", "abc", "9223372036854775807",
		"-9223372036854775808", "inf", "1e4932", "0x10", strings.Repeat("v", 64), strings.Repeat("w", 65)}
	poolHashCounts = []string{"0", "1", "2", "5", "100", "-1", "-3", "x", "-9223372036854775808", "4611686018427387904"}
)

// randomHashCommand draws one hash command with a valid argument count.
func randomHashCommand(rng *rand.Rand) []string {
	key := pick(rng, poolHashKeys)
	field := func() string { return pick(rng, poolHashFields) }
	val := func() string { return pick(rng, poolHashVals) }
	switch rng.IntN(18) {
	case 0, 1, 2:
		args := []string{randCase(rng, "HSET"), key}
		for n := 1 + rng.IntN(3); n > 0; n-- {
			args = append(args, field(), val())
		}
		if rng.IntN(10) == 0 {
			args = args[:len(args)-1] // wrong number of arguments
		}
		return args
	case 3:
		return []string{"HMSET", key, field(), val()}
	case 4:
		return []string{"HSETNX", key, field(), val()}
	case 5:
		return []string{"HGET", key, field()}
	case 6:
		return []string{"HMGET", key, field(), field()}
	case 7:
		return []string{"HDEL", key, field(), field()}
	case 8:
		return []string{"HEXISTS", key, field()}
	case 9:
		return []string{"HLEN", key}
	case 10:
		return []string{"HSTRLEN", key, field()}
	case 11:
		return []string{pick(rng, []string{"HKEYS", "HVALS", "HGETALL"}), key}
	case 12:
		return []string{"HINCRBY", key, field(), pick(rng, []string{"1", "-1", "100", "x", "9223372036854775807", "-9223372036854775808"})}
	case 13:
		return []string{"HINCRBYFLOAT", key, field(), val()}
	case 14:
		args := []string{"HRANDFIELD", key}
		if rng.IntN(3) > 0 {
			args = append(args, pick(rng, poolHashCounts))
			if rng.IntN(2) == 0 {
				args = append(args, randCase(rng, "withvalues"))
			}
		}
		return args
	case 15:
		args := []string{"HSCAN", key, pick(rng, []string{"0", "x"})}
		if rng.IntN(2) == 0 {
			args = append(args, "MATCH", pick(rng, []string{"*", "a*", "[ab]", "?"}))
		}
		if rng.IntN(3) == 0 {
			args = append(args, "COUNT", pick(rng, []string{"1", "0", "x"}))
		}
		return args
	case 16:
		return []string{"SET", "s", val()}
	default:
		return []string{"OBJECT", "ENCODING", key}
	}
}
