package storage

import (
	"math"
	"strings"
	"testing"
	"unsafe"
)

func TestZlpRoundTrip(t *testing.T) {
	scores := []float64{0, 1, -1, 31, -32, 32, 63, 64, -64, 1000, -1000, 1 << 40, 1.7e12,
		zlpMaxInt, -zlpMaxInt, zlpMaxInt + 2, -zlpMaxInt - 2, 0.5, -2.25, 1e300, -1e300,
		math.SmallestNonzeroFloat64, math.MaxFloat64, math.Inf(1), math.Inf(-1), 3.14159}
	members := []string{"", "a", "member:1", strings.Repeat("x", 127), strings.Repeat("y", 128), strings.Repeat("z", 300)}
	for _, m := range members {
		for _, s := range scores {
			b := zlpAppend(nil, []byte(m), s)
			if n := zlpSize([]byte(m), s); n != len(b) {
				t.Fatalf("append(%q, %v) wrote %d, size says %d", m, s, len(b), n)
			}
			gm, gs, next := zlpEntry(string(b), 0)
			if gm != m || gs != s || next != len(b) {
				t.Errorf("round trip (%q, %v): got (%q, %v) next %d of %d", m, s, gm, gs, next, len(b))
			}
		}
	}
	// -0 packs as the integer 0, as a listpack's text does.
	b := zlpAppend(nil, nil, math.Copysign(0, -1))
	if _, s, _ := zlpEntry(string(b), 0); math.Signbit(s) {
		t.Errorf("-0 read back with its sign")
	}
}

func TestZlpSizes(t *testing.T) {
	tests := []struct {
		score float64
		want  int // bytes of the score
	}{{0, 1}, {31, 1}, {-32, 1}, {32, 2}, {-33, 2}, {0.5, 9}, {math.Inf(1), 9}, {zlpMaxInt, 8}, {zlpMaxInt + 2, 9}}
	for _, tt := range tests {
		if got := zlpSize(nil, tt.score) - 1; got != tt.want {
			t.Errorf("score %v: %d bytes, want %d", tt.score, got, tt.want)
		}
	}
}

// A small set's struct stays small: the skiplist form is behind a pointer.
func TestZSetValueSize(t *testing.T) {
	if got := unsafe.Sizeof(zsetValue{}); got != 32 {
		t.Errorf("zsetValue is %d bytes, want 32", got)
	}
}

// Members handed out by a listpack stay valid and unchanged across edits
// (the buffer is copy-on-write), and Clone shares the buffer safely.
func TestZSetListpackViews(t *testing.T) {
	z := newZSetValue()
	for i, m := range []string{"c", "a", "e", "b", "d"} {
		z.add([]byte(m), float64(i%3))
	}
	var before []zentry
	z.each(0, z.Len()-1, false, func(e zentry) bool { before = append(before, e); return true })
	var rev []zentry
	z.each(1, 3, true, func(e zentry) bool { rev = append(rev, e); return true })
	first := z.at(0)
	c := z.Clone().(*zsetValue)

	z.update([]byte("a"), 1, -5)
	z.remove([]byte("e"))
	z.add([]byte("zz"), 0.25)
	z.removeRanks(0, 1)

	got := ""
	for _, e := range before {
		got += e.member + " "
	}
	if want := "b c a d e "; got != want {
		t.Errorf("views after edits: %q, want %q", got, want)
	}
	if first.member != "b" || first.score != 0 {
		t.Errorf("at(0) after edits: %v", first)
	}
	if len(rev) != 3 || rev[0].member != "d" || rev[1].member != "a" || rev[2].member != "c" {
		t.Errorf("reverse views: %v", rev)
	}
	var cl []string
	c.each(0, c.Len()-1, false, func(e zentry) bool { cl = append(cl, e.member); return true })
	if strings.Join(cl, " ") != "b c a d e" || c.Len() != 5 {
		t.Errorf("clone after edits of the original: %v", cl)
	}
	var now []string
	z.each(0, z.Len()-1, false, func(e zentry) bool { now = append(now, e.member); return true })
	if strings.Join(now, " ") != "c zz d" || z.Len() != 3 {
		t.Errorf("set after edits: %v (len %d)", now, z.Len())
	}
	if z.rank([]byte("d")) != 2 || z.rank([]byte("a")) != -1 || z.countBelow(1, true) != 3 || z.countBelow(1, false) != 2 {
		t.Errorf("rank/countBelow wrong")
	}
	if want := allocSize(int64(unsafe.Sizeof(*z))) + allocSize(int64(len(z.lp))); z.MemoryUsage() != want {
		t.Errorf("MemoryUsage %d, want %d (header and buffer of %d bytes)", z.MemoryUsage(), want, len(z.lp))
	}
	z.removeRanks(0, 2)
	if z.Len() != 0 || z.lp != "" {
		t.Errorf("emptied set: len %d, buffer %q", z.Len(), z.lp)
	}
}
