package storage

import (
	"strconv"
	"testing"
)

func TestPFAddCountMerge(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("list")
	h.run([]step{
		expect("PFADD", "h", rOne),
		expect("PFADD", "h", rZero),
		expect("PFCOUNT", "h", rZero),
		expect("GET", "h", rBulk(hllSparseEmpty)),
		expect("OBJECT", "ENCODING", "h", rBulk("raw")),
		expect("PFADD", "h", "a", "b", "c", rOne),
		expect("PFADD", "h", "a", rZero),
		expect("PFCOUNT", "h", rInt(3)),
		expect("PFCOUNT", "nokey", rZero),
		expect("EXISTS", "nokey", rZero),
		expect("PFADD", "list", "a", rErr(ErrWrongType)),
		expect("SET", "s", "hello", rOK),
		expect("PFADD", "s", "a", rErr(ErrHLLInvalid)),
		expect("PFCOUNT", "s", rErr(ErrHLLInvalid)),
		expect("PFCOUNT", "h", "s", rErr(ErrHLLInvalid)),
		expect("PFMERGE", "d", "s", rErr(ErrHLLInvalid)),
		expect("PFMERGE", "s", rErr(ErrHLLInvalid)),
		expect("SET", "i", "123", rOK),
		expect("PFCOUNT", "i", rErr(ErrHLLInvalid)),
	})
}

// TestPFCountCache checks the cached cardinality: PFADD marks it stale,
// PFCOUNT of one key fills it (a write), PFCOUNT of several leaves it.
func TestPFCountCache(t *testing.T) {
	h := newHarness(t, 4)
	h.do("PFADD", "h", "a", "b")
	if v := h.peek(0, "h"); hllValidCache(v.Str()) {
		t.Fatalf("cache valid after PFADD: %q", v.Str()[:16])
	}
	h.do("PFCOUNT", "h", "other")
	if v := h.peek(0, "h"); hllValidCache(v.Str()) {
		t.Fatalf("multi-key PFCOUNT wrote the cache: %q", v.Str()[:16])
	}
	if got := h.do("PFCOUNT", "h"); got != rInt(2) {
		t.Fatalf("PFCOUNT = %q", got)
	}
	v := h.peek(0, "h")
	if !hllValidCache(v.Str()) || leUint64(v.Str()[8:16]) != 2 {
		t.Fatalf("cache after PFCOUNT: %q", v.Str()[:16])
	}
	// A forged cache is trusted, as in Redis.
	v.Str()[8] = 42
	if got := h.do("PFCOUNT", "h"); got != rInt(42) {
		t.Fatalf("PFCOUNT with a cached 42 = %q", got)
	}
}

// TestPFMergeAcrossInstances merges keys living on different instances,
// sparse with dense, into a missing destination.
func TestPFMergeAcrossInstances(t *testing.T) {
	h := newHarness(t, 4)
	keys := h.keysOnDistinctInstances("hll", 4)
	for i := 0; i < 3000; i++ {
		h.do("PFADD", keys[0], "a"+strconv.Itoa(i))
	}
	h.do("PFADD", keys[1], "a1", "zz")
	if v := h.peek(0, keys[0]); v.Str()[4] != hllDense || len(v.Str()) != hllDenseSize {
		t.Fatalf("3000 elements did not promote to dense")
	}
	if v := h.peek(0, keys[1]); v.Str()[4] != hllSparse {
		t.Fatalf("2 elements are not sparse")
	}
	want := h.do("PFCOUNT", keys[0], keys[1])
	if got := h.do("PFMERGE", keys[2], keys[0], keys[1], keys[3]); got != rOK {
		t.Fatalf("PFMERGE = %q", got)
	}
	if got := h.do("PFCOUNT", keys[2]); got != want {
		t.Fatalf("PFCOUNT of the merge = %q, want %q", got, want)
	}
	if h.peek(0, keys[2]).Str()[4] != hllDense {
		t.Fatalf("merge with a dense source is not dense")
	}
	if h.do("EXISTS", keys[3]) != rZero {
		t.Fatalf("PFMERGE created a source")
	}
}

func TestHLLEstimateAccuracy(t *testing.T) {
	for _, n := range []int{10, 1000, 50000} {
		b := newHLL()
		for i := 0; i < n; i++ {
			b, _ = hllAdd(b, []byte("e"+strconv.Itoa(i)), hllSparseMax())
		}
		got, invalid := hllCount(b)
		if invalid {
			t.Fatalf("n=%d: invalid", n)
		}
		if d := float64(got)/float64(n) - 1; d > 0.03 || d < -0.03 {
			t.Errorf("n=%d: estimate %d off by %.3f", n, got, d)
		}
	}
}

func TestMurmurHash64A(t *testing.T) {
	// Every tail length must hash differently from its neighbours and
	// the same twice.
	seen := map[uint64]bool{}
	for n := 0; n <= 17; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + i)
		}
		h := murmurHash64A(b)
		if seen[h] || murmurHash64A(b) != h {
			t.Fatalf("len %d: hash %x repeated or unstable", n, h)
		}
		seen[h] = true
	}
}

func TestHLLSparseCodec(t *testing.T) {
	tests := []struct {
		name  string
		index int
		count int
		want  string
	}{
		{"first register", 0, 3, "\x88\x7f\xfe"},
		{"last register", hllRegisters - 1, 1, "\x7f\xfe\x80"},
		{"middle, short zero runs", 10, 2, "\x09\x84\x7f\xf4"},
		{"value over 32 promotes", 5, 40, ""},
	}
	for _, tt := range tests {
		b, r := hllSparseSet(newHLL(), tt.index, tt.count, hllSparseMax())
		if r != 1 {
			t.Errorf("%s: result %d", tt.name, r)
			continue
		}
		if tt.want == "" {
			if b[4] != hllDense || hllGetReg(b[hllHdrSize:], tt.index) != tt.count {
				t.Errorf("%s: not promoted", tt.name)
			}
			continue
		}
		if got := string(b[hllHdrSize:]); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestPFDebug(t *testing.T) {
	h := newHarness(t, 4)
	h.do("PFADD", "h", "a")
	h.run([]step{
		expect("PFDEBUG", "ENCODING", "nokey", rErr(ErrHLLDebugNoKey)),
		expect("PFDEBUG", "encoding", "h", "+sparse\r\n"),
		expect("PFDEBUG", "DECODE", "h", rBulk("Z:12711 v:2,1 Z:3672")),
		expect("PFDEBUG", "TODENSE", "h", rOne),
		expect("PFDEBUG", "TODENSE", "h", rZero),
		expect("PFDEBUG", "DECODE", "h", rErr(ErrHLLNotSparse)),
		expect("PFDEBUG", "bogus", "h", rErr(ErrHLLDebugUnknown([]byte("bogus")))),
		expect("PFCOUNT", "h", rOne),
		expect("PFSELFTEST", rOK),
	})
}

// TestPFAddPromotesOnValue adds an element whose register value (33)
// no sparse opcode holds: the HLL turns dense at once.
func TestPFAddPromotesOnValue(t *testing.T) {
	h := newHarness(t, 4)
	h.do("PFADD", "h", "a")
	if got := h.do("PFADD", "h", hllHighRun); got != rOne {
		t.Fatalf("PFADD = %q", got)
	}
	v := h.peek(0, "h")
	idx, count := hllPatLen([]byte(hllHighRun))
	if v.Str()[4] != hllDense || hllGetReg(v.Str()[hllHdrSize:], idx) != count {
		t.Fatalf("not dense with register %d at %d", idx, count)
	}
	if got := h.do("PFCOUNT", "h"); got != rInt(2) {
		t.Fatalf("PFCOUNT = %q", got)
	}
}
