package storage

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// rEntry is one stream entry as XRANGE replies it.
func rEntry(id string, kv ...string) string {
	fields := make([]string, len(kv))
	for i, x := range kv {
		fields[i] = rBulk(x)
	}
	return rArr(rBulk(id), rArr(fields...))
}

func TestStreamAutoIDs(t *testing.T) {
	h := newHarness(t, 4)
	h.run([]step{
		expect("XADD", "s", "*", "f", "v", rBulk("1700000000000-0")),
		expect("XADD", "s", "*", "f", "v", rBulk("1700000000000-1")),
		expect("XADD", "s", "1700000000000-*", "f", "v", rBulk("1700000000000-2")),
		expect("XADD", "s", "1700000000001-*", "f", "v", rBulk("1700000000001-0")),
	})
	// The clock going back never makes IDs go back.
	h.advance(-5000)
	h.run([]step{
		expect("XADD", "s", "*", "f", "v", rBulk("1700000000001-1")),
		expect("XADD", "t", "1700000000000-18446744073709551615", "f", "v", rBulk("1700000000000-18446744073709551615")),
		expect("XADD", "t", "*", "f", "v", rBulk("1700000000001-0")),
	})
	h.advance(10000)
	h.run([]step{
		expect("XADD", "s", "*", "f", "v", rBulk("1700000005000-0")),
		expect("XLEN", "s", rInt(6)),
		expect("TYPE", "s", "+stream\r\n"),
		expect("OBJECT", "ENCODING", "s", rBulk("stream")),
	})
}

func TestStreamRangeAndDelete(t *testing.T) {
	h := newHarness(t, 4)
	h.run([]step{
		expect("XADD", "s", "1-1", "a", "1", rBulk("1-1")),
		expect("XADD", "s", "1-2", "b", "2", "c", "3", rBulk("1-2")),
		expect("XADD", "s", "2-0", "d", "4", rBulk("2-0")),
		expect("XRANGE", "s", "-", "+", "COUNT", "2", rArr(rEntry("1-1", "a", "1"), rEntry("1-2", "b", "2", "c", "3"))),
		expect("XREVRANGE", "s", "+", "(1-1", rArr(rEntry("2-0", "d", "4"), rEntry("1-2", "b", "2", "c", "3"))),
		expect("XRANGE", "s", "1", "1", rArr(rEntry("1-1", "a", "1"), rEntry("1-2", "b", "2", "c", "3"))),
		expect("XRANGE", "s", "-", "+", "COUNT", "0", "*-1\r\n"),
		expect("XDEL", "s", "1-2", "1-2", "7-7", rOne),
		expect("XRANGE", "s", "-", "+", rArr(rEntry("1-1", "a", "1"), rEntry("2-0", "d", "4"))),
		expect("XDEL", "s", "1-1", "2-0", rInt(2)),
		expect("XLEN", "s", rZero),
		expect("EXISTS", "s", rOne),
		expect("XADD", "s", "2-0", "x", "y", rErr(ErrStreamXAddSmaller)),
		expect("XADD", "s", "0-0", "x", "y", rErr(ErrStreamXAddZero)),
		expect("XADD", "s", "2-1", "x", "y", rBulk("2-1")),
	})
}

// TestStreamIdleTimes drives the injected clock through the
// time-dependent replies the differential tests have to normalise.
func TestStreamIdleTimes(t *testing.T) {
	h := newHarness(t, 4)
	h.run([]step{
		expect("XADD", "s", "1-1", "a", "1", rBulk("1-1")),
		expect("XADD", "s", "2-1", "b", "2", rBulk("2-1")),
		expect("XGROUP", "CREATE", "s", "g", "0", rOK),
		expect("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">",
			rArr(rArr(rBulk("s"), rArr(rEntry("1-1", "a", "1"))))),
	})
	h.advance(1000)
	h.run([]step{
		expect("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">", rArr(rArr(rBulk("s"), rArr(rEntry("2-1", "b", "2"))))),
	})
	h.advance(500)
	h.run([]step{
		expect("XPENDING", "s", "g", "-", "+", "10",
			rArr(rArr(rBulk("1-1"), rBulk("alice"), rInt(1500), rOne), rArr(rBulk("2-1"), rBulk("bob"), rInt(500), rOne))),
		expect("XPENDING", "s", "g", "IDLE", "1000", "-", "+", "10", rArr(rArr(rBulk("1-1"), rBulk("alice"), rInt(1500), rOne))),
		expect("XINFO", "CONSUMERS", "s", "g", rArr(
			rArr(rBulk("name"), rBulk("alice"), rBulk("pending"), rOne, rBulk("idle"), rInt(1500)),
			rArr(rBulk("name"), rBulk("bob"), rBulk("pending"), rOne, rBulk("idle"), rInt(500)))),
		// Only 1-1 has been idle for a second.
		expect("XCLAIM", "s", "g", "carol", "1000", "1-1", "2-1", "JUSTID", rArr(rBulk("1-1"))),
		expect("XCLAIM", "s", "g", "carol", "0", "2-1", "IDLE", "300", "RETRYCOUNT", "5", rArr(rEntry("2-1", "b", "2"))),
		expect("XPENDING", "s", "g", "-", "+", "10",
			rArr(rArr(rBulk("1-1"), rBulk("carol"), rZero, rOne), rArr(rBulk("2-1"), rBulk("carol"), rInt(300), rInt(5)))),
		expect("XCLAIM", "s", "g", "dave", "0", "1-1", "TIME", itoa64(h.now-42), "JUSTID", rArr(rBulk("1-1"))),
		expect("XPENDING", "s", "g", "-", "1-1", "1", rArr(rArr(rBulk("1-1"), rBulk("dave"), rInt(42), rOne))),
		expect("XAUTOCLAIM", "s", "g", "erin", "200", "0", rArr(rBulk("0-0"), rArr(rEntry("2-1", "b", "2")), rArr())),
	})
	full := h.do("XINFO", "STREAM", "s", "FULL")
	if !strings.Contains(full, rBulk("seen-time")+rInt(h.now)) || !strings.Contains(full, rArr(rBulk("2-1"), rBulk("erin"), rInt(h.now), rInt(6))) {
		t.Errorf("XINFO STREAM FULL = %q, want erin seen and delivered at %d", full, h.now)
	}
}

func TestStreamRESP3(t *testing.T) {
	h := newHarness(t, 4)
	h.do("XADD", "s", "1-1", "a", "1")
	if got, want := h.do3("XREAD", "STREAMS", "s", "0"), "%1\r\n"+rBulk("s")+rArr(rEntry("1-1", "a", "1")); got != want {
		t.Errorf("XREAD RESP3 = %q, want %q", got, want)
	}
	if got := h.do3("XREAD", "BLOCK", "10", "STREAMS", "s", "$"); got != rNil3 {
		t.Errorf("XREAD with nothing new in RESP3 = %q, want %q", got, rNil3)
	}
	if got := h.do3("XINFO", "STREAM", "s"); !strings.HasPrefix(got, "%10\r\n") {
		t.Errorf("XINFO STREAM RESP3 = %q, want a map of 10", got)
	}
}

func TestStreamCopyIsDeep(t *testing.T) {
	h := newHarness(t, 4)
	h.run([]step{
		expect("XADD", "s", "1-1", "a", "1", rBulk("1-1")),
		expect("XGROUP", "CREATE", "s", "g", "0", rOK),
		expect("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">", rArr(rArr(rBulk("s"), rArr(rEntry("1-1", "a", "1"))))),
		expect("COPY", "s", "t", rOne),
		expect("XACK", "t", "g", "1-1", rOne),
		expect("XADD", "t", "2-1", "b", "2", rBulk("2-1")),
		expect("XGROUP", "DELCONSUMER", "t", "g", "c", rZero),
		expect("XLEN", "s", rOne),
		expect("XPENDING", "s", "g", "-", "+", "10", rArr(rArr(rBulk("1-1"), rBulk("c"), rZero, rOne))),
		expect("XGROUP", "DELCONSUMER", "s", "g", "c", rOne),
		expect("XPENDING", "s", "g", rArr(rZero, rNil, rNil, "*-1\r\n")),
	})
}

func TestStreamMemoryAccounting(t *testing.T) {
	h := newHarness(t, 1)
	used := func() int64 { return h.eng.insts[0].used.Load() }
	base := used()
	h.do("XADD", "s", "1-1", "f", strings.Repeat("v", 1000))
	one := used()
	if one < base+1000 {
		t.Errorf("used %d after a 1000-byte entry, was %d", one, base)
	}
	for i := 2; i <= 300; i++ {
		h.do("XADD", "s", itoa(i)+"-1", "f", "v")
	}
	h.do("XGROUP", "CREATE", "s", "g", "0")
	h.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
	many := used()
	if many <= one {
		t.Errorf("used %d after 300 entries and a PEL, was %d", many, one)
	}
	h.do("XTRIM", "s", "MAXLEN", "0")
	if used() >= many {
		t.Errorf("used %d after trimming, was %d", used(), many)
	}
	h.do("DEL", "s")
	if used() != base {
		t.Errorf("used %d after the stream went, want %d", used(), base)
	}
}

func TestParseStreamID(t *testing.T) {
	tests := []struct {
		in      string
		strict  bool
		want    streamID
		ok      bool
		noSeqOK bool
	}{
		{"1-2", false, streamID{1, 2}, true, false},
		{"5", false, streamID{5, 7}, true, false},
		{"-", false, streamMinID, true, false},
		{"+", false, streamMaxID, true, false},
		{"-", true, streamID{}, false, false},
		{"+", true, streamID{}, false, false},
		{" 7-01", false, streamID{7, 1}, true, false},
		{"+8-1", false, streamID{8, 1}, true, false},
		{"-01", false, streamID{}, false, false},              // the '-' splits: empty ms
		{"1--1", false, streamID{}, false, false},             // string2ll takes -1: negative
		{"1--01", false, streamID{1, 1<<64 - 1}, true, false}, // strtoull wraps -01
		{"1-", false, streamID{}, false, false},
		{"18446744073709551616", false, streamID{}, false, false},
		{"1-*", false, streamID{}, false, false},
		{"1-*", true, streamID{1, 0}, true, true},
		{"1\x00junk", false, streamID{1, 7}, true, false},
		{strings.Repeat("1", 128), false, streamID{}, false, false},
		{"0x10", false, streamID{}, false, false},
	}
	for _, tt := range tests {
		var seqGiven bool
		var sg *bool
		if tt.noSeqOK {
			sg = &seqGiven
		}
		got, err := parseStreamID([]byte(tt.in), 7, tt.strict, sg)
		if (err == nil) != tt.ok || err == nil && got != tt.want {
			t.Errorf("parseStreamID(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.noSeqOK && seqGiven {
			t.Errorf("parseStreamID(%q) reported a sequence", tt.in)
		}
	}
}

// TestStreamStructureModel checks ranges, lookups, deletion and
// trimming of streamValue against a plain sorted slice, across many
// nodes.
func TestStreamStructureModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := newStreamValue()
	var model []streamID
	next := streamID{1, 0}
	for i := 0; i < 3000; i++ {
		switch op := rng.IntN(10); {
		case op < 6:
			s.add(next, [][]byte{[]byte("f"), []byte(strings.Repeat("x", rng.IntN(200)))})
			model = append(model, next)
			next = streamID{next.ms + uint64(rng.IntN(3)), next.seq + 1}
		case op < 8 && len(model) > 0:
			id := model[rng.IntN(len(model))]
			if !s.del(id) {
				t.Fatalf("del(%v) found nothing", id)
			}
			model = slices.DeleteFunc(model, func(x streamID) bool { return x == id })
		case op == 8 && len(model) > 0 && rng.IntN(20) == 0:
			keep := int64(rng.IntN(len(model) + 1))
			n := s.trim(&streamTrimArgs{strategy: trimMaxLen, maxLen: keep})
			if n != int64(len(model))-keep {
				t.Fatalf("trim to %d removed %d of %d", keep, n, len(model))
			}
			model = model[len(model)-int(keep):]
		default:
			a, b := randomID(rng, next), randomID(rng, next)
			if a.cmp(b) > 0 {
				a, b = b, a
			}
			var fwd, rev []streamID
			s.rangeFwd(a, b, func(e *streamEntry) bool { fwd = append(fwd, e.id); return true })
			s.rangeRev(a, b, func(e *streamEntry) bool { rev = append(rev, e.id); return true })
			var want []streamID
			for _, id := range model {
				if id.cmp(a) >= 0 && id.cmp(b) <= 0 {
					want = append(want, id)
				}
			}
			slices.Reverse(rev)
			if !slices.Equal(fwd, want) || !slices.Equal(rev, want) {
				t.Fatalf("range [%v, %v]: fwd %v rev %v, want %v", a, b, fwd, rev, want)
			}
		}
		if s.Len() != int64(len(model)) {
			t.Fatalf("length %d, model %d", s.Len(), len(model))
		}
		for _, n := range s.nodes {
			if len(n.entries) > int(encoding().StreamNodeMaxEntries) {
				t.Fatalf("node of %d entries", len(n.entries))
			}
		}
	}
}

func randomID(rng *rand.Rand, next streamID) streamID {
	return streamID{uint64(rng.IntN(int(next.ms) + 2)), uint64(rng.IntN(int(next.seq) + 2))}
}

// TestPELList checks the chunked PEL against a sorted slice through
// enough entries to split and empty chunks.
func TestPELList(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var p pelList
	var model []uint64
	for i := 0; i < 20000; i++ {
		ms := uint64(rng.IntN(3000))
		if rng.IntN(3) > 0 {
			p.put(&streamNACK{id: streamID{ms, 0}})
			if j, found := slices.BinarySearch(model, ms); !found {
				model = slices.Insert(model, j, ms)
			}
		} else {
			j, found := slices.BinarySearch(model, ms)
			if p.remove(streamID{ms, 0}) != found {
				t.Fatalf("remove(%d) disagrees with the model", ms)
			}
			if found {
				model = slices.Delete(model, j, j+1)
			}
		}
		if p.Len() != len(model) {
			t.Fatalf("len %d, model %d", p.Len(), len(model))
		}
	}
	var got []uint64
	p.ascend(streamMinID, func(n *streamNACK) bool { got = append(got, n.id.ms); return true })
	if !slices.Equal(got, model) {
		t.Fatalf("ascend differs from the model")
	}
	for _, c := range p.chunks {
		if len(c) == 0 || len(c) > pelChunkMax {
			t.Fatalf("chunk of %d entries", len(c))
		}
	}
	if p.first().id.ms != model[0] || p.last().id.ms != model[len(model)-1] {
		t.Errorf("first/last %v %v, want %d %d", p.first().id, p.last().id, model[0], model[len(model)-1])
	}
	if n := p.from(streamID{model[10] - 1, 1}); n == nil || n.id.ms != model[10] {
		t.Errorf("from lands on %v, want %d", n, model[10])
	}
	if h := p.head(streamMinID, 3); len(h) != 3 || h[2].id.ms != model[2] {
		t.Errorf("head(3) = %d entries", len(h))
	}
}

func TestStreamWrongTypeAndMissing(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("l")
	wt := rErr(ErrWrongType)
	h.run([]step{
		expect("XADD", "l", "1-1", "f", "v", wt),
		expect("XLEN", "l", wt),
		expect("XRANGE", "l", "-", "+", wt),
		expect("XREAD", "STREAMS", "l", "0", wt),
		expect("XINFO", "STREAM", "l", wt),
		expect("XINFO", "STREAM", "nokey", rErr(ErrNoSuchKey)),
		expect("XLEN", "nokey", rZero),
		expect("XRANGE", "nokey", "-", "+", rArr()),
		expect("XREAD", "STREAMS", "nokey", "0", "*-1\r\n"),
		expect("XADD", "nokey", "NOMKSTREAM", "*", "f", "v", rNil),
		expect("XGROUP", "CREATE", "nokey", "g", "$", rErr(ErrStreamNoKeyGroup)),
		expect("XACK", "nokey", "g", "1-1", rZero),
		expect("XPENDING", "nokey", "g", rErr(ErrStreamNoKeyOrGroup([]byte("nokey"), []byte("g")))),
		expect("XSETID", "nokey", "1-1", rErr(ErrNoSuchKey)),
		expect("EXISTS", "nokey", rZero),
	})
}

// TestStreamNodeSettingsAgainstRedis: stream-node-max-entries and
// stream-node-max-bytes decide where nodes split, which XINFO STREAM's
// radix-tree-keys, XTRIM ~ and DUMP all show; set the same on both sides.
func TestStreamNodeSettingsAgainstRedis(t *testing.T) {
	addr := startRedis(t)
	rc := dialRedis(t, addr, 2)
	for _, tt := range []struct{ entries, bytes int64 }{{3, 4096}, {0, 100}, {5, 0}, {1, 1}} {
		c := DefaultEncodingConfig()
		c.StreamNodeMaxEntries, c.StreamNodeMaxBytes = tt.entries, tt.bytes
		withEncoding(t, c)
		rc.do(t, []string{"CONFIG", "SET", "stream-node-max-entries", itoa64(tt.entries), "stream-node-max-bytes", itoa64(tt.bytes)})
		d := newDiffSession(t, rc, 2)
		for i := 1; i <= 12; i++ {
			if !d.check([]string{"XADD", "s", itoa(i) + "-1", "field", strings.Repeat("v", 7*i)}) {
				return
			}
		}
		for _, args := range [][]string{{"XINFO", "STREAM", "s"}, {"DUMP", "s"}, {"XTRIM", "s", "MAXLEN", "~", "4"}, {"XLEN", "s"}, {"DUMP", "s"}} {
			if !streamCheck(d, args) {
				return
			}
		}
	}
	rc.do(t, []string{"CONFIG", "SET", "stream-node-max-entries", "100", "stream-node-max-bytes", "4096"})
}
