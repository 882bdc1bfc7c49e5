package storage

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// buildStream fills key with entries over several nodes, deletions, two
// groups with PELs and an idle consumer.
func buildStream(t *testing.T, h *harness, key string) {
	t.Helper()
	big := strings.Repeat("y", 700)
	for i := 1; i <= 260; i++ {
		args := []string{"XADD", key, itoa(i*10) + "-" + itoa(i%4), "f", itoa(i)}
		if i%9 == 0 {
			args = append(args, "extra", big)
		}
		if r := h.do(args...); !strings.HasPrefix(r, "$") {
			t.Fatalf("%q = %q", args, r)
		}
	}
	for i := 3; i <= 260; i += 11 {
		h.do("XDEL", key, itoa(i*10)+"-"+itoa(i%4))
	}
	h.do("XTRIM", key, "MAXLEN", "230")
	h.do("XGROUP", "CREATE", key, "g", "0")
	h.do("XGROUP", "CREATE", key, "12345", "$")
	h.do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "40", "STREAMS", key, ">")
	h.advance(1000)
	h.do("XREADGROUP", "GROUP", "g", "bob", "COUNT", "5", "STREAMS", key, ">")
	h.do("XACK", key, "g", "400-0", "410-1")
	h.do("XGROUP", "CREATECONSUMER", key, "12345", "idle")
}

// streamReads is what a stream reads back as, for round trips.
func streamReads(h *harness, key string) string {
	return h.do("XRANGE", key, "-", "+") + h.do("XINFO", "STREAM", key, "FULL", "COUNT", "0") +
		h.do("XPENDING", key, "g", "-", "+", "100") + h.do("XINFO", "GROUPS", key)
}

func TestStreamDumpRoundTrip(t *testing.T) {
	h := newHarness(t, 4)
	buildStream(t, h, "s")
	p := dumpOf(t, h, "s")
	if p[0] != rdbTypeStreamListpack2 {
		t.Fatalf("type byte %d", p[0])
	}
	if r := h.do("RESTORE", "r", "0", p); r != rOK {
		t.Fatalf("RESTORE = %q", r)
	}
	want := strings.ReplaceAll(streamReads(h, "s"), "$1\r\ns\r\n", "")
	if got := strings.ReplaceAll(streamReads(h, "r"), "$1\r\nr\r\n", ""); got != want {
		t.Errorf("restored stream reads\n %q\nwant\n %q", got, want)
	}
	if got := dumpOf(t, h, "r"); got != p {
		t.Errorf("restored stream dumps as\n %q\nwant\n %q", got, p)
	}
	// Both go on alike.
	for _, k := range []string{"s", "r"} {
		for i := 0; i < 150; i++ {
			h.do("XADD", k, itoa(5000+i)+"-0", "f", itoa(i))
		}
		h.do("XREADGROUP", "GROUP", "g", "carol", "COUNT", "20", "STREAMS", k, ">")
		h.do("XDEL", k, "5010-0")
	}
	if got, want := dumpOf(t, h, "r"), dumpOf(t, h, "s"); got != want {
		t.Errorf("after XADDs the restored stream dumps differently")
	}
	if got, want := h.do("XINFO", "STREAM", "r"), h.do("XINFO", "STREAM", "s"); got != want {
		t.Errorf("XINFO STREAM r = %q, s %q", got, want)
	}
}

func TestStreamDumpEmpty(t *testing.T) {
	h := newHarness(t, 4)
	h.do("XADD", "s", "5-5", "f", "v")
	h.do("XDEL", "s", "5-5")
	h.do("XGROUP", "CREATE", "s", "g", "$")
	p := dumpOf(t, h, "s")
	h.do("RESTORE", "r", "0", p)
	for _, args := range [][]string{{"XLEN", "%s"}, {"XINFO", "STREAM", "%s"}, {"XADD", "%s", "5-5", "f", "v"}, {"XADD", "%s", "5-6", "f", "v"}} {
		on := func(key string) []string {
			out := slices.Clone(args)
			for i, a := range out {
				out[i] = strings.ReplaceAll(a, "%s", key)
			}
			return out
		}
		if got, want := h.do(on("r")...), h.do(on("s")...); got != want {
			t.Errorf("%q = %q, want %q", on("r"), got, want)
		}
	}
}

// TestStreamRestoreRejects feeds payloads a shallow loader would take but
// whose stream would be inconsistent.
func TestStreamRestoreRejects(t *testing.T) {
	h := newHarness(t, 4)
	h.do("XADD", "s", "1-1", "f", "v")
	h.do("XADD", "s", "2-1", "f", "w")
	s := h.peek(0, "s").Obj().(*streamValue)
	node := func(master streamID, n *streamNode) []byte {
		k := streamIDKey(master)
		b := rdbAppendString(nil, k[:])
		return rdbAppendString(b, streamNodeListpack(n))
	}
	tail := func(length, lastMS uint64, groups []byte) []byte {
		b := rdbAppendLen(nil, length)
		for _, v := range []uint64{lastMS, 1, 1, 1, 0, 0, 2} {
			b = rdbAppendLen(b, v)
		}
		if groups == nil {
			groups = []byte{0}
		}
		return append(b, groups...)
	}
	body := func(parts ...[]byte) string {
		b := []byte{rdbTypeStreamListpack2}
		for _, p := range parts {
			b = append(b, p...)
		}
		return withFooter(string(b), rdbVersion)
	}
	n0 := s.nodes[0]
	one := &streamNode{master: n0.master, fields: n0.fields, entries: n0.entries[:1], live: 1}
	group := func(pel, consumers []byte) []byte {
		b := []byte{1, 1, 'g', 0, 0, 0}
		return append(append(b, pel...), consumers...)
	}
	nack := func(id streamID) []byte {
		k := streamIDKey(id)
		return append(binary.LittleEndian.AppendUint64(k[:], 7), 1)
	}
	id1 := streamID{1, 1}
	k1 := streamIDKey(id1)
	pelOne := append([]byte{1}, nack(id1)...)
	pelTwice := append(append([]byte{2}, nack(id1)...), nack(id1)...)
	// owner lists consumers (seen at 0), each owning entry 1-1.
	owner := func(names ...string) []byte {
		b := []byte{byte(len(names))}
		for _, n := range names {
			b = append(b, 1, n[0], 0, 0, 0, 0, 0, 0, 0, 0, 1)
			b = append(b, k1[:]...)
		}
		return b
	}
	cases := []struct {
		name    string
		payload string
		ok      bool
	}{
		{"valid", body([]byte{1}, node(n0.master, n0), tail(2, 2, nil)), true},
		{"length off", body([]byte{1}, node(n0.master, n0), tail(3, 2, nil)), false},
		{"last ID behind entries", body([]byte{1}, node(n0.master, n0), tail(2, 1, nil)), false},
		{"same node twice", body([]byte{2}, node(n0.master, one), node(n0.master, one), tail(2, 2, nil)), false},
		{"overlapping nodes", body([]byte{2}, node(n0.master, n0), node(streamID{1, 2}, one), tail(3, 2, nil)), false},
		{"node key not 16 bytes", body([]byte{1}, rdbAppendString(nil, []byte("short")), tail(0, 2, nil)), false},
		{"group ok", body([]byte{1}, node(n0.master, n0), tail(2, 2, group(pelOne, owner("c")))), true},
		{"PEL entry without consumer", body([]byte{1}, node(n0.master, n0), tail(2, 2, group(pelOne, []byte{0}))), false},
		{"consumer PEL entry not in group PEL", body([]byte{1}, node(n0.master, n0), tail(2, 2, group([]byte{0}, owner("c")))), false},
		{"duplicate group PEL entry", body([]byte{1}, node(n0.master, n0), tail(2, 2, group(pelTwice, owner("c")))), false},
		{"entry owned twice", body([]byte{1}, node(n0.master, n0), tail(2, 2, group(pelOne, owner("c", "d")))), false},
		{"duplicate consumer", body([]byte{1}, node(n0.master, n0), tail(2, 2, group(pelOne, owner("c", "c")))), false},
		{"truncated", withFooter(body([]byte{1}, node(n0.master, n0))[:20], rdbVersion), false},
	}
	for _, c := range cases {
		got := h.do("RESTORE", "k", "0", c.payload, "REPLACE")
		want := rErr(ErrBadDataFormat)
		if c.ok {
			want = rOK
		}
		if got != want {
			t.Errorf("%s: RESTORE = %q, want %q", c.name, got, want)
		}
	}
}

func TestStreamNodeListpackRejects(t *testing.T) {
	lp := func(items ...int64) []byte {
		l := newListpack()
		for _, v := range items {
			l.appendInt(v)
		}
		return l.bytes()
	}
	master := streamID{10, 0}
	cases := []struct {
		name string
		blob []byte
		ok   bool
	}{
		// count 1, deleted 0, 1 master field "7", terminator; entry:
		// flags SAMEFIELDS, deltas 0 0, value 8, lp-count 4.
		{"valid", lp(1, 0, 1, 7, 0, 2, 0, 0, 8, 4), true},
		{"bad lp-count", lp(1, 0, 1, 7, 0, 2, 0, 0, 8, 5), false},
		{"count off", lp(2, 0, 1, 7, 0, 2, 0, 0, 8, 4), false},
		{"deleted off", lp(1, 1, 1, 7, 0, 2, 0, 0, 8, 4), false},
		{"no terminator", lp(1, 0, 1, 7, 1, 2, 0, 0, 8, 4), false},
		{"unknown flag", lp(1, 0, 1, 7, 0, 6, 0, 0, 8, 4), false},
		{"no entries", lp(0, 0, 1, 7, 0), false},
		{"truncated entry", lp(1, 0, 1, 7, 0, 2, 0, 0), false},
		{"negative field count", lp(1, 0, 1, 7, 0, 0, 0, 0, -1, 2), false},
		{"own fields", lp(1, 0, 1, 7, 0, 0, 0, 0, 1, 5, 6, 6), true},
		{"deleted entry", lp(0, 1, 1, 7, 0, 3, 0, 0, 8, 4), true},
	}
	for _, c := range cases {
		n, err := streamNodeFromListpack(master, c.blob)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v", c.name, err)
			continue
		}
		if c.ok && !slices.Equal(streamNodeListpack(n), c.blob) {
			t.Errorf("%s: re-encoded as %q", c.name, streamNodeListpack(n))
		}
	}
}

// TestStreamRestoreFuzz flips bytes of valid payloads (checksum
// recomputed) and truncates them: RESTORE may accept or refuse, never
// panic, and whatever it accepts must stand every stream command.
func TestStreamRestoreFuzz(t *testing.T) {
	h := newHarness(t, 4)
	buildStream(t, h, "s")
	h.do("XADD", "small", "1-1", "a", "1", "b", "2")
	h.do("XADD", "small", "1-2", "a", "3")
	h.do("XGROUP", "CREATE", "small", "g", "0")
	h.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "small", ">")
	rng := rand.New(rand.NewPCG(7, 11))
	ops := [][]string{
		{"XRANGE", "k", "-", "+"}, {"XREVRANGE", "k", "+", "-", "COUNT", "3"}, {"XLEN", "k"},
		{"XINFO", "STREAM", "k", "FULL"}, {"XINFO", "GROUPS", "k"}, {"XINFO", "CONSUMERS", "k", "g"},
		{"XPENDING", "k", "g"}, {"XPENDING", "k", "g", "-", "+", "10"}, {"XREADGROUP", "GROUP", "g", "z", "COUNT", "3", "STREAMS", "k", ">"},
		{"XAUTOCLAIM", "k", "g", "z", "0", "0-0"}, {"XCLAIM", "k", "g", "y", "0", "1-1", "20-1"}, {"XACK", "k", "g", "1-1", "20-1"},
		{"XDEL", "k", "1-2", "20-1", "30-2"}, {"XADD", "k", "*", "f", "v"}, {"XTRIM", "k", "MAXLEN", "~", "5"},
		{"XTRIM", "k", "MINID", "100"}, {"XSETID", "k", "18446744073709551615-18446744073709551615"},
		{"DUMP", "k"}, {"MEMORY", "USAGE", "k", "SAMPLES", "0"}, {"COPY", "k", "k2", "REPLACE"},
	}
	accepted := 0
	for _, src := range []string{"small", "s"} {
		p := []byte(dumpOf(t, h, src))
		body := p[:len(p)-10]
		for i := 0; i < 3000; i++ {
			b := slices.Clone(body)
			if rng.IntN(10) == 0 {
				b = b[:rng.IntN(len(b))]
			}
			for n := 1 + rng.IntN(3); n > 0 && len(b) > 0; n-- {
				b[rng.IntN(len(b))] ^= byte(1 << rng.IntN(8))
			}
			payload := withFooter(string(b), rdbVersion)
			r := h.do("RESTORE", "k", "0", payload, "REPLACE")
			if r != rOK {
				if r != rErr(ErrBadDataFormat) {
					t.Fatalf("RESTORE of a corrupt payload = %q", r)
				}
				continue
			}
			accepted++
			for _, op := range ops {
				h.do(op...)
			}
		}
	}
	t.Logf("%d corrupt payloads accepted (and exercised)", accepted)
}

func TestRaxNodes(t *testing.T) {
	key := func(ms, seq uint64) [16]byte { return streamIDKey(streamID{ms, seq}) }
	cases := []struct {
		name string
		keys [][16]byte
		want int64
	}{
		{"empty", nil, 1},
		{"one key", [][16]byte{key(1, 1)}, 2},
		// root chain to the branch at the last byte, two leaves.
		{"siblings", [][16]byte{key(1, 1), key(1, 2)}, 4},
		// branch at byte 7: chains to a branch at 15 each side.
		{"two pairs", [][16]byte{key(1, 1), key(1, 2), key(2, 1), key(2, 2)}, 10},
		// branch right at the root: each side a chain and a leaf.
		{"root branch", [][16]byte{key(1, 1), key(1<<63, 1)}, 5},
	}
	for _, c := range cases {
		if got := raxNodes(c.keys, 0); got != c.want {
			t.Errorf("%s: raxNodes = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestStreamMemoryUsage(t *testing.T) {
	h := newHarness(t, 4)
	h.do("XADD", "list2", "1-1", "f", "v")
	// robj+stream 96, rax (1 key, 2 nodes) 16+488, preallocated node
	// 4096, key "list2" 8, dict entry 24.
	if got, want := h.do("MEMORY", "USAGE", "list2"), rInt(96+504+4096+8+24); got != want {
		t.Errorf("MEMORY USAGE = %q, want %q", got, want)
	}
	p := dumpOf(t, h, "list2")
	h.do("RESTORE", "list3", "0", p)
	// Restored: the listpack has its exact size (a 32-byte class).
	if got, want := h.do("MEMORY", "USAGE", "list3"), rInt(96+504+32+8+24); got != want {
		t.Errorf("MEMORY USAGE of a restored stream = %q, want %q", got, want)
	}
}
