package storage

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of the set family against redis-server (skipped
// without one, see startRedis). Where Redis's member order is undefined
// (hashtable iteration) the elements of each reply aggregate are sorted on
// both sides before comparing; everything else is compared byte for byte.
// SPOP and SRANDMEMBER only appear with counts whose result is not random.

// setReplyUnordered lists the commands whose reply order is undefined.
var setReplyUnordered = map[string]bool{
	"smembers": true, "sinter": true, "sunion": true, "sdiff": true, "sscan": true,
	"spop": true, "srandmember": true,
}

// sortAggregates parses one raw reply and sorts the items of every
// aggregate (arrays and sets, also nested) as byte strings.
func sortAggregates(raw []byte) []byte {
	r := bufio.NewReader(bytes.NewReader(raw))
	out, err := sortedReply(r)
	if err != nil {
		return raw
	}
	return out
}

func sortedReply(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadBytes('\n')
	if err != nil || len(line) < 3 {
		return nil, fmt.Errorf("bad reply line %q: %v", line, err)
	}
	n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
	switch line[0] {
	case '$', '=', '!':
		if n < 0 {
			return line, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return append(line, buf...), nil
	case '*', '~':
		items := make([][]byte, 0, max(n, 0))
		for i := 0; i < n; i++ {
			item, err := sortedReply(r)
			if err != nil {
				return nil, err
			}
			items = append(items, item)
		}
		slices.SortFunc(items, bytes.Compare)
		return append(line, bytes.Join(items, nil)...), nil
	}
	return line, nil
}

// setCheck runs args on both sides, like diffSession.check, sorting the
// replies of commands with an undefined order.
func setCheck(d *diffSession, args []string) bool {
	d.t.Helper()
	d.log = append(d.log, quoteArgs(args))
	want := slices.Clone(d.rc.do(d.t, args))
	d.h.now = time.Now().UnixMilli()
	got := slices.Clone(d.h.exec(d.proto, byteArgs(args)))
	if setReplyUnordered[strings.ToLower(args[0])] {
		want, got = sortAggregates(want), sortAggregates(got)
	}
	if !bytes.Equal(got, want) {
		d.t.Errorf("RESP%d reply differs from redis-server:\n  got  %q\n  want %q\nsession:\n  %s",
			d.proto, got, want, strings.Join(d.log, "\n  "))
		return false
	}
	return true
}

func intRange(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(from + i)
	}
	return out
}

func cmd(parts ...any) []string {
	var out []string
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			out = append(out, p)
		case []string:
			out = append(out, p...)
		}
	}
	return out
}

// setDiffScripts run from a keyspace holding only "list", a list.
var setDiffScripts = [][][]string{
	{{"SADD", "s", "3", "1", "2"}, {"SMEMBERS", "s"}, {"OBJECT", "ENCODING", "s"}, {"SADD", "s", "a"}, {"OBJECT", "ENCODING", "s"},
		{"SMEMBERS", "s"}, {"SREM", "s", "a", "1", "zz"}, {"OBJECT", "ENCODING", "s"}, {"SISMEMBER", "s", "2"}, {"SMISMEMBER", "s", "2", "x", "3"},
		{"SCARD", "s"}, {"SREM", "s", "2", "3"}, {"EXISTS", "s"}, {"TYPE", "s"}},
	{cmd("SADD", "big", intRange(0, 512)), {"OBJECT", "ENCODING", "big"}, {"SADD", "big", "511"}, {"SADD", "big", "512"},
		{"OBJECT", "ENCODING", "big"}, {"SCARD", "big"}, {"SINTERSTORE", "d", "big", "big"}, {"OBJECT", "ENCODING", "d"},
		{"SADD", "small", "5", "600", "x"}, {"SINTERSTORE", "d", "big", "small"}, {"OBJECT", "ENCODING", "d"}, {"SMEMBERS", "d"}},
	{{"SADD", "a", "1", "2", "3", "x"}, {"SADD", "b", "2", "3", "y"}, {"SINTER", "a", "b"}, {"SINTER", "a", "missing", "list"},
		{"SUNION", "a", "b", "missing"}, {"SDIFF", "a", "b"}, {"SDIFF", "b", "a", "a"}, {"SINTERCARD", "2", "a", "b"},
		{"SINTERCARD", "2", "a", "b", "LIMIT", "1"}, {"SINTERCARD", "2", "a", "b", "LIMIT", "0"}, {"SINTERCARD", "0", "a"},
		{"SINTERCARD", "3", "a", "b"}, {"SINTERCARD", "1", "a", "LIMIT", "-1"}, {"SINTERCARD", "1", "a", "LIMIT", "x"},
		{"SINTERCARD", "1", "a", "LIMIT"}, {"SINTERCARD", "1", "a", "foo", "1"}, {"SINTERCARD", "x", "a"}, {"SINTERCARD", "1", "list"},
		{"SET", "str", "v"}, {"SUNIONSTORE", "str", "a", "b"}, {"TYPE", "str"}, {"SDIFFSTORE", "str", "a", "a"}, {"EXISTS", "str"},
		{"SINTERSTORE", "d", "b", "a"}, {"OBJECT", "ENCODING", "d"}, {"SMEMBERS", "d"}, {"SDIFFSTORE", "d", "list", "a"}},
	{{"SMOVE", "missing", "list", "a"}, {"SADD", "src", "a", "1"}, {"SMOVE", "src", "list", "a"}, {"SMOVE", "src", "src", "a"},
		{"SMOVE", "src", "src", "q"}, {"SMOVE", "src", "dst", "1"}, {"OBJECT", "ENCODING", "dst"}, {"SMOVE", "src", "dst", "a"},
		{"EXISTS", "src"}, {"OBJECT", "ENCODING", "dst"}, {"SMEMBERS", "dst"}, {"SMOVE", "dst", "dst2", "zz"}, {"EXISTS", "dst2"}},
	{{"SPOP", "missing"}, {"SPOP", "missing", "3"}, {"SRANDMEMBER", "missing"}, {"SRANDMEMBER", "missing", "-3"},
		{"SADD", "s", "1", "2", "b"}, {"SPOP", "s", "-1"}, {"SPOP", "s", "x"}, {"SPOP", "s", "0"}, {"SPOP", "s", "1", "2"},
		{"SRANDMEMBER", "s", "0"}, {"SRANDMEMBER", "s", "-9223372036854775808"}, {"SRANDMEMBER", "s", "1.5"},
		{"SRANDMEMBER", "s", "1", "2"}, {"SRANDMEMBER", "s", "3"}, {"SRANDMEMBER", "s", "9223372036854775807"},
		{"SPOP", "list", "0"}, {"SRANDMEMBER", "list", "0"}, {"SPOP", "s", "3"}, {"EXISTS", "s"}},
	{{"SSCAN", "missing", "0", "COUNT", "0"}, {"SSCAN", "missing", "x"}, {"SSCAN", "list", "0"}, {"SADD", "s", "1", "12", "3"},
		{"SSCAN", "s", "0"}, {"SSCAN", "s", "0", "MATCH", "1*"}, {"SSCAN", "s", "0", "COUNT", "0"}, {"SSCAN", "s", "0", "COUNT", "x"},
		{"SSCAN", "s", "0", "MATCH"}, {"SSCAN", "s", "0", "TYPE", "set"}, {"SSCAN", "s", "0", "FOO", "bar"}, {"SADD", "h", "a", "ab", "b"},
		{"SSCAN", "h", "0", "MATCH", "a*", "COUNT", "100"}, {"SSCAN", "h", "-0"}},
}

func TestSetDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, script := range setDiffScripts {
			d := newDiffSession(t, rc, proto)
			for _, args := range script {
				if !setCheck(d, args) {
					break
				}
			}
		}
	}
}

// Pools for the random set sessions: few keys so commands meet, members
// that are and are not canonical integers.
var (
	setPoolKeys    = []string{"s1", "s2", "s3", "{t}a", "list", "str"}
	setPoolMembers = []string{"0", "1", "2", "3", "-1", "10", "007", "+1", " 1", "1.5", "a", "b", "c", "",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808", "\x00\xff"}
)

// randomSetCommand draws a set command whose reply is deterministic.
func randomSetCommand(rng *rand.Rand) []string {
	key := func() string { return pick(rng, setPoolKeys) }
	mem := func() string { return pick(rng, setPoolMembers) }
	keys := func() []string {
		out := make([]string, 1+rng.IntN(3))
		for i := range out {
			out[i] = key()
		}
		return out
	}
	members := func() []string {
		out := make([]string, 1+rng.IntN(4))
		for i := range out {
			out[i] = mem()
		}
		return out
	}
	switch rng.IntN(22) {
	case 0, 1, 2:
		return cmd("SADD", key(), members())
	case 3:
		// Sometimes enough integers to cross set-max-intset-entries.
		return cmd("SADD", key(), intRange(rng.IntN(100), 400+rng.IntN(200)))
	case 4, 5:
		return cmd("SREM", key(), members())
	case 6:
		return cmd("SISMEMBER", key(), mem())
	case 7:
		return cmd("SMISMEMBER", key(), members())
	case 8:
		return cmd("SMEMBERS", key())
	case 9:
		return cmd("SCARD", key())
	case 10:
		return cmd("SMOVE", key(), key(), mem())
	case 11:
		return cmd(randCase(rng, "SINTER"), keys())
	case 12:
		ks := keys()
		c := cmd("SINTERCARD", strconv.Itoa(len(ks)), ks)
		if rng.IntN(2) == 0 {
			c = append(c, randCase(rng, "limit"), pick(rng, []string{"0", "1", "2", "-1"}))
		}
		return c
	case 13:
		return cmd("SUNION", keys())
	case 14:
		return cmd("SDIFF", keys())
	case 15:
		return cmd(pick(rng, []string{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}), key(), keys())
	case 16:
		return cmd("OBJECT", "ENCODING", key())
	case 17:
		// Counts that make the result independent of chance.
		return cmd(pick(rng, []string{"SPOP", "SRANDMEMBER"}), key(), pick(rng, []string{"0", "100000", "x", "-9223372036854775808", "1.5"}))
	case 18:
		return cmd("SSCAN", key(), "0", "COUNT", "100000", "MATCH", pick(rng, []string{"*", "1*", "[a-b]", "?"}))
	case 19:
		return cmd("TYPE", key())
	case 20:
		return cmd("SET", "str", mem())
	}
	return cmd("DEL", keys())
}

func TestSetDiffRandom(t *testing.T) {
	addr := startRedis(t)
	conns := map[int]*redisConn{2: dialRedis(t, addr, 2), 3: dialRedis(t, addr, 3)}
	first, sessions := diffSeeds(t, 200)
	for seed := first; seed < first+sessions; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x5e75))
		proto := 2 + rng.IntN(2)
		d := newDiffSession(t, conns[proto], proto)
		for i := 0; i < 40; i++ {
			args := randomSetCommand(rng)
			if !setCheck(d, args) {
				t.Logf("seed %d", seed)
				break
			}
		}
	}
}
