package storage

import "unsafe"

// hashEntryOverhead is what one field/value pair of a hashtable costs on
// the heap beyond its bytes (two strings' rounding, their headers in two
// slices with append's slack, a map slot), for memory accounting:
// measured with 50,000-field hashes (TestUsedMemoryTracksHeap).
const hashEntryOverhead = 88

// hashValue is the structure of a hash value (Value.Obj() of a KindHash).
//
// Small hashes mirror Redis's listpack: lp packs field, value, field,
// value... in insertion order (see flat), found by a linear scan. Order
// matters: Redis replies HGETALL, HKEYS, HVALS and HSCAN of a listpack
// hash in that order, and so must we. Past hash-max-listpack-entries or
// -value the hash converts, once and for good as in Redis, to the
// hashtable form ht. Deletion there swaps the last pair into the hole
// (O(1)), so the order is no longer insertion order, which Redis does not
// promise for a dict either.
type hashValue struct {
	lp    flat
	count int // pairs in lp
	ht    *hashTable
	// bytes is the sum of the lengths of every field and value, kept up
	// to date so MemoryUsage is O(1).
	bytes int64
}

// hashTable is the hashtable form: pairs in slices (O(1) random picks for
// HRANDFIELD) and an index from field to position.
type hashTable struct {
	fields []string
	vals   []string
	index  map[string]int
}

func newHashValue() *hashValue { return &hashValue{} }

// Len is the number of fields.
func (h *hashValue) Len() int {
	if h.ht != nil {
		return len(h.ht.fields)
	}
	return h.count
}

// encoding is what OBJECT ENCODING reports.
func (h *hashValue) encoding() Encoding {
	if h.ht != nil {
		return EncHashtable
	}
	return EncListpack
}

// lpFind scans the listpack for field: the offsets of its entry, of its
// value and of the pair's end, or ok false.
func (h *hashValue) lpFind(field []byte) (off, voff, end int, ok bool) {
	for off < len(h.lp) {
		f, vo := h.lp.entry(off)
		_, e := h.lp.entry(vo)
		if string(f) == string(field) {
			return off, vo, e, true
		}
		off = e
	}
	return 0, 0, 0, false
}

// has reports whether field exists.
func (h *hashValue) has(field []byte) bool {
	_, ok := h.get(field)
	return ok
}

// get returns field's value. The bytes alias the hash: valid until it
// changes, never to be modified.
func (h *hashValue) get(field []byte) ([]byte, bool) {
	if h.ht != nil {
		if i, ok := h.ht.index[string(field)]; ok { // no allocation for the lookup
			return strBytes(h.ht.vals[i]), true
		}
		return nil, false
	}
	if _, vo, _, ok := h.lpFind(field); ok {
		v, _ := h.lp.entry(vo)
		return v, true
	}
	return nil, false
}

// fitsListpack is the per-element test of hashTypeTryConversion and
// hashTypeSet: an element longer than hash-max-listpack-value forces the
// hashtable encoding.
func fitsListpack(b []byte) bool { return int64(len(b)) <= encoding().HashMaxListpackValue }

// convert switches a listpack to the hashtable form.
func (h *hashValue) convert() {
	if h.ht != nil {
		return
	}
	t := &hashTable{
		fields: make([]string, 0, h.count),
		vals:   make([]string, 0, h.count),
		index:  make(map[string]int, h.count),
	}
	h.each(func(f, v []byte) bool {
		t.index[string(f)] = len(t.fields)
		t.fields = append(t.fields, string(f))
		t.vals = append(t.vals, string(v))
		return true
	})
	h.ht, h.lp, h.count = t, nil, 0
}

// set stores value under field (both copied) and reports whether the
// field is new. An existing field keeps its position, as in a listpack.
// Like Redis's hashTypeSet it converts before inserting an element that is
// too long, and after growing past the entry limit.
func (h *hashValue) set(field, value []byte) bool {
	if h.ht == nil && (!fitsListpack(field) || !fitsListpack(value)) {
		h.convert()
	}
	if t := h.ht; t != nil {
		if i, ok := t.index[string(field)]; ok {
			h.bytes += int64(len(value) - len(t.vals[i]))
			t.vals[i] = string(value)
			return false
		}
		f := string(field)
		t.index[f] = len(t.fields)
		t.fields = append(t.fields, f)
		t.vals = append(t.vals, string(value))
		h.bytes += int64(len(field) + len(value))
		return true
	}
	if _, vo, end, ok := h.lpFind(field); ok {
		old, _ := h.lp.entry(vo)
		h.bytes += int64(len(value) - len(old))
		h.lp = h.lp.splice(vo, end, value)
		return false
	}
	h.lp = h.lp.splice(len(h.lp), len(h.lp), field, value)
	h.count++
	h.bytes += int64(len(field) + len(value))
	if int64(h.count) > encoding().HashMaxListpackEntries {
		h.convert()
	}
	return true
}

// del removes field and reports whether it was there.
func (h *hashValue) del(field []byte) bool {
	if t := h.ht; t != nil {
		i, ok := t.index[string(field)]
		if !ok {
			return false
		}
		h.bytes -= int64(len(t.fields[i]) + len(t.vals[i]))
		last := len(t.fields) - 1
		delete(t.index, t.fields[i])
		if i != last {
			t.fields[i], t.vals[i] = t.fields[last], t.vals[last]
			t.index[t.fields[i]] = i
		}
		// Clear the vacated slot so the strings can be collected.
		t.fields[last], t.vals[last] = "", ""
		t.fields, t.vals = t.fields[:last], t.vals[:last]
		return true
	}
	off, vo, end, ok := h.lpFind(field)
	if !ok {
		return false
	}
	v, _ := h.lp.entry(vo)
	h.bytes -= int64(len(field) + len(v))
	h.lp = h.lp.splice(off, end)
	h.count--
	return true
}

// each calls fn with every pair in the hash's order until fn returns
// false. The slices alias the hash and must not be kept or modified.
func (h *hashValue) each(fn func(f, v []byte) bool) {
	if t := h.ht; t != nil {
		for i, f := range t.fields {
			if !fn(strBytes(f), strBytes(t.vals[i])) {
				return
			}
		}
		return
	}
	for off := 0; off < len(h.lp); {
		f, vo := h.lp.entry(off)
		v, next := h.lp.entry(vo)
		if !fn(f, v) {
			return
		}
		off = next
	}
}

// positions gives positional access to the pairs (for random picks and
// HSCAN): O(1) per pair in a hashtable; a listpack is indexed once.
func (h *hashValue) positions() hashPositions {
	p := hashPositions{h: h}
	if h.ht == nil {
		p.offs = make([]int, 0, h.count)
		for off := 0; off < len(h.lp); off = h.lp.skip(h.lp.skip(off)) {
			p.offs = append(p.offs, off)
		}
	}
	return p
}

// hashPositions indexes a hash's pairs by position, in the hash's order.
type hashPositions struct {
	h    *hashValue
	offs []int // entry offset of each listpack pair
}

// at returns the pair at position i.
func (p hashPositions) at(i int) (f, v []byte) {
	if t := p.h.ht; t != nil {
		return strBytes(t.fields[i]), strBytes(t.vals[i])
	}
	f, vo := p.h.lp.entry(p.offs[i])
	v, _ = p.h.lp.entry(vo)
	return f, v
}

// Clone is a deep copy, for COPY. Strings are immutable, so copying the
// slices and the index suffices.
func (h *hashValue) Clone() any {
	c := &hashValue{lp: h.lp.clone(), count: h.count, bytes: h.bytes}
	if t := h.ht; t != nil {
		c.ht = &hashTable{
			fields: append([]string(nil), t.fields...),
			vals:   append([]string(nil), t.vals...),
			index:  make(map[string]int, len(t.index)),
		}
		for f, i := range t.index {
			c.ht.index[f] = i
		}
	}
	return c
}

// MemoryUsage is the approximate payload size, for memory accounting: a
// listpack costs its buffer, a hashtable its strings plus per-pair
// overhead.
func (h *hashValue) MemoryUsage() int64 {
	self := allocSize(int64(unsafe.Sizeof(*h)))
	if h.ht == nil {
		return self + allocSize(int64(cap(h.lp)))
	}
	return self + h.bytes + int64(len(h.ht.fields))*hashEntryOverhead
}
