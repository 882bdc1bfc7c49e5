package storage

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestFlatAgainstSlices applies random splices to a flat and to a slice of
// strings and requires the same entries after each.
func TestFlatAgainstSlices(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randEntry := func() []byte {
		switch rng.IntN(4) {
		case 0:
			return nil
		case 1:
			return []byte(strings.Repeat("x", 127+rng.IntN(3))) // around the 1-byte length limit
		case 2:
			return []byte(strings.Repeat("y", 20000+rng.IntN(5)))
		}
		return []byte{byte(rng.IntN(256)), 'a'}
	}
	var f flat
	var want [][]byte
	for i := 0; i < 3000; i++ {
		// Offsets of the entries, to splice by index.
		offs := []int{0}
		for off := 0; off < len(f); {
			off = f.skip(off)
			offs = append(offs, off)
		}
		if len(offs)-1 != len(want) {
			t.Fatalf("step %d: %d entries, want %d", i, len(offs)-1, len(want))
		}
		lo := rng.IntN(len(want) + 1)
		hi := lo + rng.IntN(len(want)-lo+1)
		var es [][]byte
		for j := rng.IntN(3); j > 0; j-- {
			es = append(es, randEntry())
		}
		f = f.splice(offs[lo], offs[hi], es...)
		want = append(want[:lo:lo], append(es, want[hi:]...)...)
		off := 0
		for j, w := range want {
			var e []byte
			e, off = f.entry(off)
			if !bytes.Equal(e, w) {
				t.Fatalf("step %d entry %d = %q, want %q", i, j, e, w)
			}
		}
		if off != len(f) {
			t.Fatalf("step %d: entries end at %d of %d bytes", i, off, len(f))
		}
	}
}
