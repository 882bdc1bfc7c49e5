package storage

import (
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"strconv"
	"unsafe"
)

// setObj is the structure of a set value (Value.Obj()), in one of the two
// encodings Redis 7.0 uses for sets:
//
//   - intset: ints, Redis's intset blob (intset.go), while every member is
//     a canonical integer (string2ll) and there are at most
//     set-max-intset-entries of them. Sorted order is observable: Redis
//     replies intset members ascending.
//   - hashtable: ht, the members in a slice plus their positions in a map.
//     The slice gives O(1) random picks (SPOP, SRANDMEMBER), which a Go
//     map alone cannot; removal swaps the last member into the hole.
//
// Like Redis 7.0 it never converts back from hashtable to intset; only a
// freshly built set (SADD on a new key, the STORE commands, SPOP's rebuild)
// starts as an intset. Redis 7.2's listpack sets are deliberately absent.
type setObj struct {
	ints intset // nil once a hashtable
	ht   *setTable
}

// setTable is the hashtable form of a set.
type setTable struct {
	keys []string
	idx  map[string]int
	// bytes is the sum of the members' lengths, kept up to date so
	// MemoryUsage is O(1): it runs after every write.
	bytes int64
}

// newSetValue is an empty set value, encoded as Redis's createIntsetObject:
// the first non-integer member converts it.
func newSetValue() *Value {
	return objValue(KindSet, EncIntset, newSetObj())
}

func newSetObj() *setObj { return &setObj{ints: newIntset()} }

func (s *setObj) isIntset() bool { return s.ht == nil }

// enc is the encoding OBJECT ENCODING must report.
func (s *setObj) enc() Encoding {
	if s.isIntset() {
		return EncIntset
	}
	return EncHashtable
}

func (s *setObj) card() int {
	if s.isIntset() {
		return s.ints.len()
	}
	return len(s.ht.keys)
}

func (s *setObj) has(m []byte) bool {
	if s.isIntset() {
		n, ok := parseCanonicalInt(m)
		if !ok {
			return false
		}
		_, found := s.ints.search(n)
		return found
	}
	_, ok := s.ht.idx[string(m)] // no allocation: the compiler special-cases this lookup
	return ok
}

// add inserts a copy of m and reports whether it was new, converting to a
// hashtable on a non-integer member or past set-max-intset-entries, as
// setTypeAdd does.
func (s *setObj) add(m []byte) bool {
	if s.isIntset() {
		if n, ok := parseCanonicalInt(m); ok {
			if _, found := s.ints.search(n); found {
				return false
			}
			s.ints = s.ints.insert(n)
			if int64(s.ints.len()) > encoding().SetMaxIntsetEntries {
				s.toHashtable()
			}
			return true
		}
		s.toHashtable()
	}
	t := s.ht
	if _, ok := t.idx[string(m)]; ok {
		return false
	}
	k := string(m) // the copy: m may alias the connection's input buffer
	t.idx[k] = len(t.keys)
	t.keys = append(t.keys, k)
	t.bytes += int64(len(k))
	return true
}

func (s *setObj) toHashtable() {
	n := s.ints.len()
	t := &setTable{idx: make(map[string]int, n+1), keys: make([]string, 0, n+1)}
	for i := 0; i < n; i++ {
		k := strconv.FormatInt(s.ints.at(i), 10)
		t.idx[k] = len(t.keys)
		t.keys = append(t.keys, k)
		t.bytes += int64(len(k))
	}
	s.ints, s.ht = nil, t
}

// remove deletes m and reports whether it was there.
func (s *setObj) remove(m []byte) bool {
	if s.isIntset() {
		n, ok := parseCanonicalInt(m)
		if !ok {
			return false
		}
		i, found := s.ints.search(n)
		if found {
			s.ints = s.ints.removeAt(i)
		}
		return found
	}
	i, ok := s.ht.idx[string(m)]
	if !ok {
		return false
	}
	s.removeAt(i)
	return true
}

// removeAt deletes the member at position i (ascending for an intset).
func (s *setObj) removeAt(i int) {
	if s.isIntset() {
		s.ints = s.ints.removeAt(i)
		return
	}
	t := s.ht
	last := len(t.keys) - 1
	t.bytes -= int64(len(t.keys[i]))
	delete(t.idx, t.keys[i])
	if i != last {
		t.keys[i] = t.keys[last]
		t.idx[t.keys[i]] = i
	}
	t.keys[last] = ""
	t.keys = t.keys[:last]
}

// each calls fn with every member in the encoding's order (ascending for
// an intset) until fn returns false. The slice fn gets is only valid
// during the call and must not be modified.
func (s *setObj) each(fn func(m []byte) bool) {
	if s.isIntset() {
		var buf [20]byte
		for i, n := 0, s.ints.len(); i < n; i++ {
			if !fn(strconv.AppendInt(buf[:0], s.ints.at(i), 10)) {
				return
			}
		}
		return
	}
	for _, k := range s.ht.keys {
		if !fn(strBytes(k)) {
			return
		}
	}
}

// strBytes views k as bytes without copying; callers only read it.
func strBytes(k string) []byte { return unsafe.Slice(unsafe.StringData(k), len(k)) }

// member returns the member at position i (0 <= i < card) as a fresh string.
func (s *setObj) member(i int) string {
	if s.isIntset() {
		return strconv.FormatInt(s.ints.at(i), 10)
	}
	return s.ht.keys[i]
}

// random returns the position of a uniformly chosen member; s is not empty.
func (s *setObj) random() int { return rand.IntN(s.card()) }

// popAt removes and returns the member at position i.
func (s *setObj) popAt(i int) string {
	m := s.member(i)
	s.removeAt(i)
	return m
}

// Clone is the deep copy COPY stores (Cloner). Member strings are
// immutable, so sharing them is safe.
func (s *setObj) Clone() any {
	if s.isIntset() {
		return &setObj{ints: append(intset(nil), s.ints...)}
	}
	t := &setTable{keys: slices.Clone(s.ht.keys), idx: make(map[string]int, len(s.ht.idx)), bytes: s.ht.bytes}
	for k, i := range s.ht.idx {
		t.idx[k] = i
	}
	return &setObj{ht: t}
}

// setEntryOverhead is a hashtable member's heap cost beyond its bytes
// (string rounding, map slot, header in keys), for memory accounting:
// measured with 50,000-member sets (TestUsedMemoryTracksHeap).
const setEntryOverhead = 64

// MemoryUsage is the approximate payload size, for memory accounting.
func (s *setObj) MemoryUsage() int64 {
	self := allocSize(int64(unsafe.Sizeof(*s)))
	if s.isIntset() {
		return self + allocSize(int64(cap(s.ints)))
	}
	return self + int64(len(s.ht.keys))*setEntryOverhead + s.ht.bytes
}

// scanSeed orders hashtable members for SSCAN; fixed per process so a
// cursor stays meaningful across calls.
var scanSeed = maphash.MakeSeed()

// scanHash is a member's position in SSCAN order: never 0, so cursor 0
// can mean both "start" and "done" as in Redis.
func scanHash(k string) uint64 { return maphash.String(scanSeed, k)>>1 + 1 }

// scan returns the members at or after cursor in SSCAN order, at least
// count of them unless the walk ends, and the cursor to continue from (0
// when done). An intset is returned whole with cursor 0, as Redis does.
// The cursor is a hash position, not an index, so a member present for a
// whole walk is returned exactly once however the set changes meanwhile;
// members sharing a hash are never split across calls.
func (s *setObj) scan(cursor uint64, count int) ([]string, uint64) {
	if s.isIntset() {
		out := make([]string, s.ints.len())
		for i := range out {
			out[i] = strconv.FormatInt(s.ints.at(i), 10)
		}
		return out, 0
	}
	type hk struct {
		h uint64
		k string
	}
	var todo []hk
	for _, k := range s.ht.keys {
		if h := scanHash(k); h >= cursor {
			todo = append(todo, hk{h, k})
		}
	}
	slices.SortFunc(todo, func(a, b hk) int {
		switch {
		case a.h < b.h:
			return -1
		case a.h > b.h:
			return 1
		}
		return 0
	})
	var out []string
	for i, e := range todo {
		if len(out) >= count && e.h != todo[i-1].h {
			return out, e.h
		}
		out = append(out, e.k)
	}
	return out, 0
}
