package storage

import (
	"hash/maphash"
	"math/rand/v2"
	"unsafe"
)

// keyTable is one slot's keys: an open-addressing hash table with linear
// probing, in place of a map[string]*Value.
//
// Why not a Go map: a GET on a keyspace larger than the caches is a
// chain of dependent cache misses, and a Go map puts four of them in
// front of the key (map header, directory, table, control group) where
// this table puts one: the slot record holds the table itself, and each
// entry carries the key's pointer, length and a 32-bit hash tag beside
// the value pointer, so a probe reads one entry and touches the key's
// bytes only when the tag and length already match. On redis-benchmark
// -P 16 over 100,000 keys, GET, SET and INCR went 30-38% faster.
//
// The table is 16 bytes, so a slot's record stays 32 (a directory page of
// 128 slots is 4 KiB): the entry array is a bare pointer, and its
// capacity, a power of two, is kept as its logarithm.
//
// Growing copies the whole array with the instance locked, which is
// microseconds at the few dozen keys a slot holds, but a slot can hold
// millions under one hash tag, and copying those would stall every
// command of the instance (390 ms at 800,000 keys). Past keyTableMaxLg a
// slot's keys move once into a Go map, which grows in small steps (its
// tables split one at a time), and back into a table when few are left.
//
// Invariants: the capacity is 0 (ents nil) or a power of two above n, so
// there is always an empty entry and probes end. An entry is empty when
// its v is nil. An entry's home is tag & mask, and no empty entry lies
// between its home and where it sits. Deletion shifts the entries after
// it back (no tombstones), so lookups never probe past the first empty
// entry. The index is the tag's low bits, so growing never rereads a key.
type keyTable struct {
	// p is the first of 1<<lg entries (*keyEnt), or the *bigKeys when lg
	// is keyTableBig; nil when the table is empty.
	p  unsafe.Pointer
	n  uint32
	lg uint8
}

// bigKeys holds a slot's keys past keyTableMaxLg. peak is the most keys
// the map has held: a Go map keeps its size when keys leave.
type bigKeys struct {
	m    map[string]*Value
	peak int
}

// keyEnt is one stored key: 24 bytes, so 8 entries span 3 cache lines.
type keyEnt struct {
	k   unsafe.Pointer // the key's bytes, kept alive by this pointer
	n   uint32         // the key's length
	tag uint32         // the key's hash
	v   *Value
}

func (e *keyEnt) key() string { return unsafe.String((*byte)(e.k), int(e.n)) }

// keySeed is the process's hash seed: per process, so no client can
// choose keys that collide on every server.
var keySeed = maphash.MakeSeed()

func keyTag(key []byte) uint32 { return uint32(maphash.Bytes(keySeed, key)) }

// Loads: a table grows past 3/4 full (linear probing's misses get long
// beyond) and shrinks under 1/8 full, once it is past a few cache lines,
// so a slot that hovers around one size does not resize again and again.
const (
	keyTableMinLg    = 2  // 4 entries
	keyTableShrinkLg = 5  // 32 entries
	keyTableMaxLg    = 14 // 16,384 entries (12,288 keys): growing to it takes about 0.6 ms
	keyTableBig      = 255
	// A map goes back to a table under an eighth of the keys it took.
	keyTableUnbig = (1 << keyTableMaxLg) / 4 * 3 / 8
)

// keyTableCap is the log2 of the smallest capacity that holds n keys at
// most 3/4 full.
func keyTableCap(n uint32) uint8 {
	lg := uint8(keyTableMinLg)
	for n > (uint32(1)<<lg)/4*3 {
		lg++
	}
	return lg
}

// slice is the entry array: nil when the table is empty or a map.
func (t *keyTable) slice() []keyEnt {
	if t.p == nil || t.lg == keyTableBig {
		return nil
	}
	return unsafe.Slice((*keyEnt)(t.p), 1<<t.lg)
}

// big is the map of a slot past keyTableMaxLg, or nil.
func (t *keyTable) big() *bigKeys {
	if t.lg != keyTableBig {
		return nil
	}
	return (*bigKeys)(t.p)
}

// find returns key's index in ents, or -1.
func (t *keyTable) find(ents []keyEnt, key []byte, tag uint32) int {
	mask := uint32(len(ents) - 1)
	for i := tag & mask; ; i = (i + 1) & mask {
		e := &ents[i]
		if e.v == nil {
			return -1
		}
		if e.tag == tag && int(e.n) == len(key) && e.key() == string(key) {
			return int(i)
		}
	}
}

func (t *keyTable) get(key []byte) *Value {
	if t.n == 0 {
		return nil
	}
	if b := t.big(); b != nil {
		return b.m[string(key)]
	}
	ents := t.slice()
	if i := t.find(ents, key, keyTag(key)); i >= 0 {
		return ents[i].v
	}
	return nil
}

// set stores v under key (owned: the string to keep, equal to key) and
// returns the value it replaced. An overwrite keeps the stored name.
func (t *keyTable) set(key []byte, owned string, v *Value) (old *Value, stored string) {
	if b := t.big(); b != nil {
		if owned == "" {
			owned = string(key) // a map assignment stores the string it is given
		}
		old = b.m[owned]
		b.m[owned] = v
		if old == nil {
			t.n++
			b.peak = max(b.peak, int(t.n))
		}
		return old, owned
	}
	tag := keyTag(key)
	if t.n > 0 {
		ents := t.slice()
		if i := t.find(ents, key, tag); i >= 0 {
			e := &ents[i]
			old, e.v = e.v, v
			return old, e.key()
		}
	}
	if owned == "" {
		owned = string(key)
	}
	if t.p == nil || t.n+1 > (uint32(1)<<t.lg)/4*3 {
		lg := keyTableCap(t.n + 1)
		if lg > keyTableMaxLg {
			t.toMap()
			return t.set(key, owned, v)
		}
		t.resize(lg)
	}
	insertEnt(t.slice(), keyEnt{k: unsafe.Pointer(unsafe.StringData(owned)), n: uint32(len(owned)), tag: tag, v: v})
	t.n++
	return nil, owned
}

// toMap moves the keys into a map, once the table is at its largest.
func (t *keyTable) toMap() {
	b := &bigKeys{m: make(map[string]*Value, 2*t.n), peak: 2 * int(t.n)}
	for _, e := range t.slice() {
		if e.v != nil {
			b.m[e.key()] = e.v
		}
	}
	t.p, t.lg = unsafe.Pointer(b), keyTableBig
}

// fromMap moves the keys of a map that has emptied back into a table.
func (t *keyTable) fromMap() {
	b := t.big()
	lg := keyTableCap(t.n)
	ents := make([]keyEnt, 1<<lg)
	for k, v := range b.m {
		insertEnt(ents, keyEnt{k: unsafe.Pointer(unsafe.StringData(k)), n: uint32(len(k)), tag: keyTag(unsafe.Slice(unsafe.StringData(k), len(k))), v: v})
	}
	t.p, t.lg = unsafe.Pointer(&ents[0]), lg
}

// insertEnt places e, whose key is not in ents, at the first empty entry
// from its home.
func insertEnt(ents []keyEnt, e keyEnt) {
	mask := uint32(len(ents) - 1)
	i := e.tag & mask
	for ents[i].v != nil {
		i = (i + 1) & mask
	}
	ents[i] = e
}

// del removes key and returns its value, or nil.
func (t *keyTable) del(key []byte) *Value {
	if t.n == 0 {
		return nil
	}
	if b := t.big(); b != nil {
		v := b.m[string(key)]
		if v == nil {
			return nil
		}
		delete(b.m, string(key))
		t.n--
		switch {
		case t.n == 0:
			t.p, t.lg = nil, 0
		case t.n < keyTableUnbig:
			t.fromMap()
		}
		return v
	}
	ents := t.slice()
	i := t.find(ents, key, keyTag(key))
	if i < 0 {
		return nil
	}
	v := ents[i].v
	t.deleteAt(ents, uint32(i))
	return v
}

// deleteAt empties entry i and moves back each following entry that the
// hole would otherwise cut off from its home.
func (t *keyTable) deleteAt(ents []keyEnt, i uint32) {
	mask := uint32(len(ents) - 1)
	for j := (i + 1) & mask; ents[j].v != nil; j = (j + 1) & mask {
		home := ents[j].tag & mask
		// The entry may fill the hole when the hole lies between its
		// home and where it sits now.
		if (j-home)&mask >= (j-i)&mask {
			ents[i] = ents[j]
			i = j
		}
	}
	ents[i] = keyEnt{}
	t.n--
	switch {
	case t.n == 0:
		t.p, t.lg = nil, 0
	case t.lg >= keyTableShrinkLg && t.n*8 < uint32(len(ents)):
		t.resize(keyTableCap(t.n))
	}
}

// resize moves every entry into a table of capacity 1<<lg.
func (t *keyTable) resize(lg uint8) {
	old := t.slice()
	ents := make([]keyEnt, 1<<lg)
	for i := range old {
		if old[i].v != nil {
			insertEnt(ents, old[i])
		}
	}
	t.p, t.lg = unsafe.Pointer(&ents[0]), lg
}

// each calls fn for every key until fn returns false. fn may delete the
// key it is given, but then the walk is loose: entries shift back over
// positions it has passed (keys skipped), wrapped entries shift forward
// into positions it has not (keys given twice), and a shrink leaves it on
// the old array (keys given after their deletion). A caller that deletes
// looks each key up again and walks until the table is empty. (A map's
// walk is Go's: deleting as it goes is safe.)
func (t *keyTable) each(fn func(key string, v *Value) bool) {
	t.eachFrom(0, fn)
}

// eachFrom is each starting at entry start (wrapping around), for
// callers that sample: a walk from 0 would favour the first entries.
func (t *keyTable) eachFrom(start int, fn func(key string, v *Value) bool) {
	if b := t.big(); b != nil {
		for k, v := range b.m { // Go starts a map's walk at random
			if !fn(k, v) {
				return
			}
		}
		return
	}
	ents := t.slice()
	for k := range ents {
		e := &ents[(start+k)&(len(ents)-1)]
		if e.v != nil && !fn(e.key(), e.v) {
			return
		}
	}
}

// len is the number of keys.
func (t *keyTable) len() int { return int(t.n) }

// randomStart is a random entry index to begin a sampling walk at.
func (t *keyTable) randomStart() int {
	if t.p == nil || t.lg == keyTableBig {
		return 0
	}
	return rand.IntN(1 << t.lg)
}

// bytes is the heap the entry array takes (every capacity's array is an
// exact Go size class: 24 × 2^k bytes), or the map's.
func (t *keyTable) bytes() int64 {
	if t.p == nil {
		return 0
	}
	if b := t.big(); b != nil {
		return goMapCost(b.peak)
	}
	return int64(unsafe.Sizeof(keyEnt{})) << t.lg
}

// goMapCost models the heap a map[string]*Value of n keys takes on Go
// 1.26: tables of 2^k slots filled to at most 7/8, about 26.7 bytes per
// slot (8 control bits, a 16-byte string header and an 8-byte pointer per
// slot, plus table headers), within 10% of measurements from 16 to
// 100,000 keys.
func goMapCost(n int) int64 {
	c := 16
	for n > c*7/8 {
		c *= 2
	}
	return int64(c)*267/10 + 75
}
