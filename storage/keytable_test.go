package storage

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// checkKeyTable verifies the table's invariants: its count, a free entry,
// and every key found where it sits.
func checkKeyTable(t *testing.T, kt *keyTable, want map[string]*Value) {
	t.Helper()
	if kt.len() != len(want) {
		t.Fatalf("len = %d, want %d", kt.len(), len(want))
	}
	if big := kt.big(); big != nil {
		if len(big.m) != len(want) || kt.len() < keyTableUnbig {
			t.Fatalf("map of %d keys, len %d, want %d", len(big.m), kt.len(), len(want))
		}
		for k, v := range want {
			if big.m[k] != v {
				t.Fatalf("map holds %p for %q, want %p", big.m[k], k, v)
			}
		}
		return
	}
	ents := kt.slice()
	if kt.len() == 0 {
		if ents != nil {
			t.Fatalf("empty table keeps %d entries", len(ents))
		}
		return
	}
	if c := len(ents); kt.len() > c/4*3 {
		t.Fatalf("capacity %d for %d keys", c, kt.len())
	}
	seen := 0
	for i := range ents {
		e := &ents[i]
		if e.v == nil {
			continue
		}
		seen++
		k := e.key()
		if want[k] != e.v {
			t.Fatalf("entry %d: %q holds %p, want %p", i, k, e.v, want[k])
		}
		if got := kt.find(ents, []byte(k), keyTag([]byte(k))); got != i {
			t.Fatalf("find(%q) = %d, want %d", k, got, i)
		}
	}
	if seen != kt.len() {
		t.Fatalf("%d entries hold keys, len = %d", seen, kt.len())
	}
}

// TestKeyTableAgainstMap runs random sets and deletes against a map,
// through growth to a few thousand keys and shrinking back to none.
func TestKeyTableAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var kt keyTable
	want := map[string]*Value{}
	key := func(n int) []byte { return fmt.Appendf(nil, "key:%d", rng.IntN(n)) }
	sawBig := false
	for round, phase := range []struct{ ops, space, delPct int }{
		{2000, 50, 40},    // small tables around the shrink line
		{20000, 4000, 20}, // growth
		{30000, 4000, 80}, // shrink to nearly nothing
		{5000, 4000, 100}, // and to empty
		// Past the largest table into a map, and back.
		{40000, 30000, 10},
		{100000, 30000, 95},
		{20000, 30000, 100},
	} {
		for i := 0; i < phase.ops; i++ {
			k := key(phase.space)
			if rng.IntN(100) < phase.delPct {
				got := kt.del(k)
				if got != want[string(k)] {
					t.Fatalf("round %d: del(%q) = %p, want %p", round, k, got, want[string(k)])
				}
				delete(want, string(k))
			} else {
				v := &Value{}
				old, stored := kt.set(k, "", v)
				if old != want[string(k)] || stored != string(k) {
					t.Fatalf("round %d: set(%q) = %p %q, want %p", round, k, old, stored, want[string(k)])
				}
				want[string(k)] = v
			}
			if i%97 == 0 {
				checkKeyTable(t, &kt, want)
			}
			if kt.big() != nil {
				sawBig = true
			}
		}
		checkKeyTable(t, &kt, want)
		for k, v := range want {
			if got := kt.get([]byte(k)); got != v {
				t.Fatalf("round %d: get(%q) = %p, want %p", round, k, got, v)
			}
		}
	}
	if !sawBig {
		t.Error("the table never grew into a map")
	}
	if kt.get([]byte("absent")) != nil || kt.del([]byte("absent")) != nil {
		t.Fatal("absent key found")
	}
}

// TestKeyTableWrappedDeletes fills a small table with keys whose homes
// are its last entry, so their probe runs wrap to the front, and deletes
// them in every order: backward shifting across the wrap is where a
// mistake would hide a key.
func TestKeyTableWrappedDeletes(t *testing.T) {
	var keys [][]byte
	for i := 0; len(keys) < 3; i++ {
		k := fmt.Appendf(nil, "k%d", i)
		if keyTag(k)&7 == 7 {
			keys = append(keys, k)
		}
	}
	orders := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	for _, order := range orders {
		var kt keyTable
		want := map[string]*Value{}
		for _, k := range keys {
			v := &Value{}
			kt.set(k, "", v)
			want[string(k)] = v
		}
		kt.resize(3) // 3 keys fit 4 entries; force the 8 whose last entry is their home
		checkKeyTable(t, &kt, want)
		for _, i := range order {
			if kt.del(keys[i]) == nil {
				t.Fatalf("order %v: %q not found", order, keys[i])
			}
			delete(want, string(keys[i]))
			checkKeyTable(t, &kt, want)
		}
	}
}

// TestKeyTableOverwriteKeepsName checks an overwrite returns the old value
// and the name already stored, which the expiry index may point at.
func TestKeyTableOverwriteKeepsName(t *testing.T) {
	var kt keyTable
	v1, v2 := &Value{}, &Value{}
	_, first := kt.set([]byte("k"), "k", v1)
	old, second := kt.set([]byte("k"), "", v2)
	if old != v1 || kt.get([]byte("k")) != v2 || kt.len() != 1 {
		t.Fatalf("overwrite: old %p len %d", old, kt.len())
	}
	if unsafe.StringData(first) != unsafe.StringData(second) {
		t.Fatal("overwrite stored a new name")
	}
}

// TestKeyTableEmptyKey stores the empty key, which Redis allows.
func TestKeyTableEmptyKey(t *testing.T) {
	var kt keyTable
	v := &Value{}
	kt.set(nil, "", v)
	if kt.get([]byte{}) != v || kt.get([]byte("x")) != nil {
		t.Fatal("empty key not found")
	}
	if kt.del(nil) != v || kt.len() != 0 {
		t.Fatal("empty key not deleted")
	}
}

// TestKeyTableWalkWhileDeleting drains a table by deleting what the walk
// gives, as the migration's drain does: repeated walks must empty it.
func TestKeyTableWalkWhileDeleting(t *testing.T) {
	var kt keyTable
	for i := range 1000 {
		kt.set(fmt.Appendf(nil, "key:%d", i), "", &Value{})
	}
	for walks := 0; kt.len() > 0; walks++ {
		if walks > 20 {
			t.Fatalf("%d keys left after 20 walks", kt.len())
		}
		kt.each(func(k string, _ *Value) bool {
			kt.del([]byte(k))
			return true
		})
	}
}

// BenchmarkKeyTableGet looks up keys spread over many small tables, as a
// keyspace of 200,000 keys over 16,384 slots is, beside Go maps.
func BenchmarkKeyTableGet(b *testing.B) {
	const slots, keys = 16384, 200000
	kts := make([]keyTable, slots)
	maps := make([]map[string]*Value, slots)
	names := make([][]byte, keys)
	for i := range keys {
		names[i] = fmt.Appendf(nil, "key:%012d", i)
		s := i % slots
		kts[s].set(names[i], "", &Value{})
		if maps[s] == nil {
			maps[s] = map[string]*Value{}
		}
		maps[s][string(names[i])] = &Value{}
	}
	order := rand.Perm(keys)
	b.Run("keyTable", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			j := order[i%keys]
			if kts[j%slots].get(names[j]) == nil {
				b.Fatal("missing")
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			j := order[i%keys]
			if maps[j%slots][string(names[j])] == nil {
				b.Fatal("missing")
			}
		}
	})
}
