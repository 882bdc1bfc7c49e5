package storage

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Differential tests of the stream RDB codec and of MEMORY USAGE for
// streams against redis-server. DUMP bytes are compared exactly where
// they cannot depend on the clock; delivery and seen times (in consumer
// groups) differ by the milliseconds between the two servers, so those
// payloads are compared with the times zeroed, and each side's payload is
// restored into the other, where the restored stream must dump back to
// the very same bytes, times included, and read back the same.

// streamDumpNorm re-encodes a stream payload with every delivery and
// seen time zeroed; ok is false when our decoder rejects it or does not
// re-encode it byte for byte (then the times could not be masked
// faithfully).
func streamDumpNorm(p []byte) ([]byte, bool) {
	if !verifyDumpPayload(p) {
		return p, false
	}
	v, err := restorePayload(p)
	if err != nil || v.Kind != KindStream {
		return p, false
	}
	again, err := dumpPayload(v)
	if err != nil || !bytes.Equal(again, p) {
		return p, false
	}
	s := v.Obj().(*streamValue)
	for _, g := range s.groups {
		g.pel.ascend(streamMinID, func(n *streamNACK) bool { n.deliveryTime = 0; return true })
		for _, c := range g.consumers {
			c.seenTime = 0
		}
	}
	out, _ := dumpPayload(v)
	return out, true
}

// streamContents is what a stream reads back as: entries, and XINFO
// STREAM FULL (groups, PELs with delivery times and counts, consumers
// with seen times, counters, radix tree sizes).
func streamContents(do func(args ...string) []byte, key string) string {
	return string(do("XRANGE", key, "-", "+")) + string(do("XINFO", "STREAM", key, "FULL", "COUNT", "0"))
}

// streamDumpCheck compares key's DUMP (times zeroed), XINFO STREAM,
// MEMORY USAGE, and cross-restores each side's payload into the other.
func streamDumpCheck(t *testing.T, d *diffSession, key, what string) {
	t.Helper()
	ours := func(args ...string) []byte { return slices.Clone(d.h.exec(d.proto, byteArgs(args))) }
	theirs := func(args ...string) []byte { return d.rc.do(t, args) }
	if d.rc.encoding(t, key) != "stream" {
		return
	}
	d.check([]string{"XINFO", "STREAM", key})
	for _, samples := range []string{"0", "1", "5"} {
		d.check([]string{"MEMORY", "USAGE", key, "SAMPLES", samples})
	}
	op, tp := []byte(bulkBody(ours("DUMP", key))), []byte(bulkBody(theirs("DUMP", key)))
	on, ok1 := streamDumpNorm(op)
	tn, ok2 := streamDumpNorm(tp)
	if !ok1 || !ok2 {
		t.Fatalf("%s: a payload does not round-trip through our codec (ours %v, Redis's %v):\n ours %q\n redis %q",
			what, ok1, ok2, op, tp)
	}
	if !bytes.Equal(on, tn) {
		t.Errorf("%s: DUMP %s (times zeroed) differs:\n got  %q\n want %q\nsession:\n  %s", what, key, on, tn, strings.Join(d.log, "\n  "))
	}
	// Ours into Redis and Redis's into ours: same contents, and the
	// restored streams dump back byte for byte and weigh the same.
	if r := string(theirs("RESTORE", "fromus", "0", string(op), "REPLACE")); r != rOK {
		t.Fatalf("%s: Redis refuses our DUMP: %q", what, r)
	}
	if r := string(ours("RESTORE", "fromth", "0", string(tp), "REPLACE")); r != rOK {
		t.Fatalf("%s: RESTORE of Redis's DUMP: %q", what, r)
	}
	if got, want := streamContents(theirs, "fromus"), streamContents(ours, key); got != want {
		t.Errorf("%s: our DUMP restored into Redis reads\n %q\nwant\n %q", what, got, want)
	}
	if got, want := streamContents(ours, "fromth"), streamContents(theirs, key); got != want {
		t.Errorf("%s: Redis's DUMP restored here reads\n %q\nwant\n %q", what, got, want)
	}
	if got := bulkBody(theirs("DUMP", "fromus")); got != string(op) {
		t.Errorf("%s: our DUMP restored into Redis dumps back as\n %q\nwant\n %q", what, got, op)
	}
	if got := bulkBody(ours("DUMP", "fromth")); got != string(tp) {
		t.Errorf("%s: Redis's DUMP restored here dumps back as\n %q\nwant\n %q", what, got, tp)
	}
	// Both restored copies hold the same structure, loaded.
	for _, samples := range []string{"0", "5"} {
		got := string(ours("MEMORY", "USAGE", "fromth", "SAMPLES", samples))
		want := string(theirs("MEMORY", "USAGE", "fromus", "SAMPLES", samples))
		if got != want {
			t.Errorf("%s: MEMORY USAGE of a restored stream (SAMPLES %s) = %q, Redis %q", what, samples, got, want)
		}
	}
	theirs("DEL", "fromus")
	ours("DEL", "fromth")
}

var streamDumpScripts = []struct {
	name string
	cmds [][]string
}{
	{"one entry", [][]string{{"XADD", "s", "1-1", "f", "v"}}},
	{"integers and binary", [][]string{{"XADD", "s", "5-10", "1", "-1", "f", "123456789012", "\x00\xff", ""},
		{"XADD", "s", "6-0", "1", "x", "f", "-4097"}, {"XADD", "s", "6-1", "1", "y", "g", "z"},
		{"XADD", "s", "100000-3", "1", "9223372036854775807", "f", "-9223372036854775808"},
		{"XADD", "s", "18446744073709551615-0", "1", strings.Repeat("long ", 30)}}},
	{"xdel and tombstones", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "1-2", "a", "2"}, {"XADD", "s", "2-0", "b", "3"},
		{"XDEL", "s", "1-2"}, {"XADD", "s", "3-0", "a", "4"}}},
	{"emptied by xdel", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"XDEL", "s", "1-1"}}},
	{"xsetid", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"XSETID", "s", "99-7", "ENTRIESADDED", "40", "MAXDELETEDID", "50-1"}}},
	{"group without consumers", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "a", "2"},
		{"XGROUP", "CREATE", "s", "g2", "0"}, {"XGROUP", "CREATE", "s", "1234", "1-1", "ENTRIESREAD", "1"},
		{"XGROUP", "CREATE", "s", strings.Repeat("g", 40), "$"}, {"XGROUP", "CREATE", "s", "unk", "0", "ENTRIESREAD", "-1"}}},
	{"groups and pels", [][]string{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "a", "2"}, {"XADD", "s", "3-1", "b", "3"},
		{"XGROUP", "CREATE", "s", "g", "0"}, {"XGROUP", "CREATE", "s", "h", "0"},
		{"XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"},
		{"XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"}, {"XACK", "s", "g", "1-1"},
		{"XCLAIM", "s", "g", "carol", "0", "2-1"}, {"XREADGROUP", "GROUP", "h", "alice", "STREAMS", "s", ">"},
		{"XGROUP", "CREATECONSUMER", "s", "h", "dave"}, {"XDEL", "s", "3-1"}}},
}

func TestStreamDumpDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, sc := range streamDumpScripts {
			d := newDiffSession(t, rc, proto)
			for _, c := range sc.cmds {
				if !streamCheck(d, c) {
					t.Fatalf("%s: building the stream failed", sc.name)
				}
			}
			if !slices.ContainsFunc(sc.cmds, func(c []string) bool { return c[0] == "XREADGROUP" || c[1] == "CREATECONSUMER" }) {
				d.check([]string{"DUMP", "s"}) // no clock in it: byte for byte
			}
			streamDumpCheck(t, d, "s", sc.name)
		}
	}
}

// TestStreamDumpDiffNodes fills streams past many nodes (cut by count
// and by bytes), deletes and trims, reads a large PEL, and compares DUMP
// byte for byte, MEMORY USAGE and radix-tree-nodes exactly.
func TestStreamDumpDiffNodes(t *testing.T) {
	rc := dialRedis(t, startRedis(t), 2)
	d := newDiffSession(t, rc, 2)
	big := strings.Repeat("x", 1500)
	for i := 1; i <= 700; i++ {
		val := itoa(i)
		if i%37 == 0 {
			val = big
		}
		args := []string{"XADD", "s", itoa(i*1000+i%7) + "-" + itoa(i%3), "f", val}
		if i%5 == 0 {
			args = append(args, "other", "field")
		}
		d.check(args)
	}
	d.check([]string{"DUMP", "s"})
	for i := 2; i <= 700; i += 9 {
		d.check([]string{"XDEL", "s", itoa(i*1000+i%7) + "-" + itoa(i%3)})
	}
	d.check([]string{"XTRIM", "s", "MAXLEN", "~", "550"})
	d.check([]string{"XTRIM", "s", "MAXLEN", "=", "500"})
	d.check([]string{"DUMP", "s"})
	streamDumpCheck(t, d, "s", "700 entries")
	d.check([]string{"XGROUP", "CREATE", "s", "g", "0"})
	d.check([]string{"XREADGROUP", "GROUP", "g", "c1", "COUNT", "300", "STREAMS", "s", ">"})
	d.check([]string{"XREADGROUP", "GROUP", "g", "c2", "COUNT", "50", "STREAMS", "s", ">"})
	for i := 400; i <= 600; i += 3 {
		d.check([]string{"XACK", "s", "g", itoa(i*1000+i%7) + "-" + itoa(i%3)})
	}
	streamDumpCheck(t, d, "s", "700 entries and a PEL")
	// Restored nodes keep filling as Redis's do.
	p := bulkBody(d.rc.do(t, []string{"DUMP", "s"}))
	d.check([]string{"RESTORE", "r", "0", p})
	for i := 701; i <= 900; i++ {
		d.check([]string{"XADD", "r", itoa(i*1000) + "-0", "f", itoa(i)})
		if i%50 == 0 {
			d.check([]string{"MEMORY", "USAGE", "r", "SAMPLES", "0"})
		}
	}
	d.check([]string{"DUMP", "r"})
	d.check([]string{"XINFO", "STREAM", "r"})
}

// TestStreamDumpDiffRandom runs random stream sessions (the stream
// family's generator) and checks every stream key's DUMP, MEMORY USAGE
// and cross restores.
func TestStreamDumpDiffRandom(t *testing.T) {
	addr := startRedis(t)
	rc := dialRedis(t, addr, 2)
	first, sessions := diffSeeds(t, 150)
	for seed := first; seed < first+sessions; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x57d))
		d := newDiffSession(t, rc, 2)
		for i := 0; i < 40; i++ {
			if !streamCheck(d, randomStreamCommand(rng)) {
				t.Fatalf("seed %d: the stream session differs", seed)
			}
		}
		for _, key := range []string{"s1", "s2", "{x}s", "list"} {
			streamDumpCheck(t, d, key, "seed "+strconv.FormatUint(seed, 10)+" key "+key)
		}
		if t.Failed() {
			t.Fatalf("seed %d failed", seed)
		}
	}
}

// streamV1Body encodes s as RDB_TYPE_STREAM_LISTPACKS (Redis before 7.0):
// no first ID, tombstone, entries-added or entries-read counters.
func streamV1Body(s *streamValue) []byte {
	b := []byte{rdbTypeStreamListpacks}
	b = rdbAppendLen(b, uint64(len(s.nodes)))
	for _, n := range s.nodes {
		k := streamIDKey(n.master)
		b = rdbAppendString(b, k[:])
		b = rdbAppendString(b, streamNodeListpack(n))
	}
	b = rdbAppendLen(b, uint64(s.length))
	b = rdbAppendLen(b, s.lastID.ms)
	b = rdbAppendLen(b, s.lastID.seq)
	groups := s.sortedGroups()
	b = rdbAppendLen(b, uint64(len(groups)))
	for _, g := range groups {
		b = rdbAppendString(b, strBytes(g.name))
		b = rdbAppendLen(b, g.lastID.ms)
		b = rdbAppendLen(b, g.lastID.seq)
		b = rdbAppendPEL(b, &g.pel, true)
		consumers := g.sortedConsumers()
		b = rdbAppendLen(b, uint64(len(consumers)))
		for _, c := range consumers {
			b = rdbAppendString(b, strBytes(c.name))
			b = binary.LittleEndian.AppendUint64(b, uint64(c.seenTime))
			b = rdbAppendPEL(b, &c.pel, false)
		}
	}
	return b
}

// TestStreamDumpDiffV1 restores pre-7.0 stream payloads (type 15) on
// both sides: the derived counters (entries-added, first ID, groups'
// entries-read) must be Redis's, and the 7.0 DUMP of the result too.
func TestStreamDumpDiffV1(t *testing.T) {
	rc := dialRedis(t, startRedis(t), 2)
	builds := [][][]string{
		{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "a", "2"}, {"XADD", "s", "3-1", "b", "3"}, {"XDEL", "s", "1-1"},
			{"XGROUP", "CREATE", "s", "g", "0"}, {"XGROUP", "CREATE", "s", "h", "$"}, {"XGROUP", "CREATE", "s", "i", "2-1"},
			{"XGROUP", "CREATE", "s", "j", "1-5"}, {"XGROUP", "CREATE", "s", "k", "9-0"}},
		{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "a", "2"}, {"XGROUP", "CREATE", "s", "g", "0"}, {"XDEL", "s", "1-1", "2-1"}},
		{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "a", "2"}, {"XADD", "s", "3-1", "b", "3"}, {"XDEL", "s", "2-1"},
			{"XGROUP", "CREATE", "s", "g", "0"}, {"XGROUP", "CREATE", "s", "h", "1-1"}, {"XGROUP", "CREATE", "s", "i", "2-1"}},
	}
	for _, cmds := range builds {
		d := newDiffSession(t, rc, 2)
		for _, c := range cmds {
			d.check(c)
		}
		d.check([]string{"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"})
		p := withFooter(string(streamV1Body(d.h.peek(0, "s").Obj().(*streamValue))), 9)
		d.check([]string{"RESTORE", "v1", "0", p})
		d.check([]string{"XINFO", "STREAM", "v1", "FULL"})
		d.check([]string{"XINFO", "GROUPS", "v1"})
		d.check([]string{"DUMP", "v1"})
		d.check([]string{"MEMORY", "USAGE", "v1"})
	}
}

// streamDumpCheckNorm is dumpCheck's DUMP of a stream: the payloads
// compared with delivery and seen times zeroed, which are each server's
// own clock.
func streamDumpCheckNorm(d *diffSession, args []string) bool {
	d.t.Helper()
	d.log = append(d.log, quoteArgs(args))
	want, wok := streamDumpNorm([]byte(bulkBody(d.rc.do(d.t, args))))
	got, gok := streamDumpNorm([]byte(bulkBody(slices.Clone(d.h.exec(d.proto, byteArgs(args))))))
	if !wok || !gok || !bytes.Equal(got, want) {
		d.t.Errorf("RESP%d DUMP of a stream differs from redis-server (times zeroed; decoded %v/%v):\n  got  %q\n  want %q\nsession:\n  %s",
			d.proto, gok, wok, got, want, strings.Join(d.log, "\n  "))
		return false
	}
	return true
}

// TestStreamMemoryUsageDiff compares MEMORY USAGE of streams with
// redis-server, exactly, over node counts, entry sizes, groups and PELs
// and restored streams. The table is logged (go test -v).
func TestStreamMemoryUsageDiff(t *testing.T) {
	rc := dialRedis(t, startRedis(t), 2)
	d := newDiffSession(t, rc, 2)
	fill := func(key string, n int, val func(i int) string) [][]string {
		var cmds [][]string
		for i := 1; i <= n; i++ {
			cmds = append(cmds, []string{"XADD", key, itoa(i) + "-1", "field", val(i)})
		}
		return cmds
	}
	small := func(i int) string { return "value-" + itoa(i) }
	cases := []struct {
		name  string
		key   string
		build [][]string
	}{
		{"1 entry", "a", fill("a", 1, small)},
		{"100 entries (1 node)", "b", fill("b", 100, small)},
		{"101 entries (2 nodes)", "c", fill("c", 101, small)},
		{"1000 entries", "d", fill("d", 1000, small)},
		{"40 entries of 300 B", "e", fill("e", 40, func(int) string { return strings.Repeat("v", 300) })},
		{"one 5000 B entry", "f", fill("f", 1, func(int) string { return strings.Repeat("w", 5000) })},
		{"xdel + xtrim", "g", append(fill("g", 450, small), []string{"XDEL", "g", "7-1", "300-1"}, []string{"XTRIM", "g", "MAXLEN", "~", "260"})},
		{"groups, PEL 300", "h", append(fill("h", 500, small), []string{"XGROUP", "CREATE", "h", "g1", "0"}, []string{"XGROUP", "CREATE", "h", "g2", "$"},
			[]string{"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "250", "STREAMS", "h", ">"},
			[]string{"XREADGROUP", "GROUP", "g1", "bob", "COUNT", "50", "STREAMS", "h", ">"},
			[]string{"XACK", "h", "g1", "3-1", "90-1", "260-1"}, []string{"XGROUP", "CREATECONSUMER", "h", "g2", "carol"})},
		{"empty after xdel", "i", append(fill("i", 2, small), []string{"XDEL", "i", "1-1", "2-1"})},
		// The big entry closes (and shrinks) the first node; once it is
		// deleted the first node is the last again and takes the next.
		{"reopened node", "j", append(fill("j", 10, func(int) string { return strings.Repeat("v", 300) }),
			[]string{"XADD", "j", "50-1", "f", strings.Repeat("b", 1500)}, []string{"XDEL", "j", "50-1"},
			[]string{"XADD", "j", "51-1", "f", "small"})},
	}
	t.Logf("%-26s %8s %8s  %s", "stream", "shardis", "redis", "samples")
	row := func(name, key, samples string) {
		args := []string{"MEMORY", "USAGE", key, "SAMPLES", samples}
		want := string(d.rc.do(t, args))
		got := string(d.h.exec(2, byteArgs(args)))
		t.Logf("%-26s %8s %8s  %s", name, strings.TrimSpace(got[1:]), strings.TrimSpace(want[1:]), samples)
		if got != want {
			t.Errorf("%s SAMPLES %s: MEMORY USAGE %q, redis-server %q", name, samples, got, want)
		}
	}
	for _, c := range cases {
		for _, cmd := range c.build {
			d.check(cmd)
		}
		for _, samples := range []string{"1", "5", "0"} {
			row(c.name, c.key, samples)
		}
		// The same stream restored on both sides from Redis's payload.
		p := bulkBody(d.rc.do(t, []string{"DUMP", c.key}))
		d.check([]string{"RESTORE", c.key + "r", "0", p})
		row(c.name+" (restored)", c.key+"r", "0")
		d.check([]string{"COPY", c.key, c.key + "c"})
		row(c.name+" (copied)", c.key+"c", "0")
	}
}

// TestStreamDumpDiffRandomLarge builds streams of hundreds of entries
// with random field sets and value sizes (integers, binary, values past
// the node byte limit), random deletions, trims and group activity, and
// checks them as TestStreamDumpDiffRandom does.
func TestStreamDumpDiffRandomLarge(t *testing.T) {
	rc := dialRedis(t, startRedis(t), 2)
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x1a7))
		d := newDiffSession(t, rc, 2)
		value := func() string {
			switch rng.IntN(6) {
			case 0:
				return strconv.FormatInt(rng.Int64N(1<<40)-1<<39, 10)
			case 1:
				return strings.Repeat("\x00\xff", rng.IntN(1200))
			case 2:
				return ""
			}
			return "v" + strconv.Itoa(rng.IntN(1000))
		}
		fields := [][]string{{"f"}, {"f", "g"}, {"g", "f"}, {"1", "2", "3"}}
		var ids []string
		ms, n := uint64(1), 100+rng.IntN(700)
		for i := 0; i < n; i++ {
			ms += uint64(rng.IntN(3))
			id := strconv.FormatUint(ms, 10) + "-" + strconv.Itoa(i)
			args := []string{"XADD", "s", id}
			for _, f := range fields[rng.IntN(len(fields))] {
				args = append(args, f, value())
			}
			if !streamCheck(d, args) {
				t.Fatalf("seed %d: XADD differs", seed)
			}
			ids = append(ids, id)
		}
		for i := rng.IntN(n / 2); i > 0; i-- {
			d.check([]string{"XDEL", "s", ids[rng.IntN(n)]})
		}
		switch rng.IntN(3) {
		case 0:
			d.check([]string{"XTRIM", "s", "MAXLEN", pick(rng, []string{"~", "="}), strconv.Itoa(rng.IntN(n))})
		case 1:
			d.check([]string{"XTRIM", "s", "MINID", pick(rng, []string{"~", "="}), ids[rng.IntN(n)]})
		}
		for g := rng.IntN(3); g > 0; g-- {
			name := "g" + strconv.Itoa(g)
			d.check([]string{"XGROUP", "CREATE", "s", name, pick(rng, []string{"0", ids[rng.IntN(n)]})})
			for c := rng.IntN(4); c > 0; c-- {
				d.check([]string{"XREADGROUP", "GROUP", name, "c" + strconv.Itoa(c), "COUNT", strconv.Itoa(1 + rng.IntN(200)), "STREAMS", "s", ">"})
			}
			for a := rng.IntN(50); a > 0; a-- {
				d.check([]string{"XACK", "s", name, ids[rng.IntN(n)]})
			}
			d.check([]string{"XCLAIM", "s", name, "thief", "0", ids[rng.IntN(n)], ids[rng.IntN(n)]})
		}
		streamDumpCheck(t, d, "s", "seed "+strconv.FormatUint(seed, 10))
		if t.Failed() {
			t.Fatalf("seed %d failed", seed)
		}
	}
}
