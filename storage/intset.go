package storage

import (
	"encoding/binary"
	"math"
)

// intset is Redis's intset, in Redis's own layout: the member width
// (2, 4 or 8 bytes) as a little-endian uint32, the member count as a
// little-endian uint32, then the members ascending, little endian, in that
// width. A small set of integers costs 8 bytes plus 2 per member, as in
// Redis, and DUMP writes the blob as it is, byte for byte what Redis
// writes. Like Redis's, the width only ever grows: removing the one wide
// member does not narrow the others.
type intset []byte

const intsetHeader = 8

func newIntset() intset {
	is := make(intset, intsetHeader, intsetHeader+8)
	binary.LittleEndian.PutUint32(is, 2)
	return is
}

func (is intset) width() int { return int(binary.LittleEndian.Uint32(is)) }

func (is intset) len() int { return int(binary.LittleEndian.Uint32(is[4:])) }

// at is the i-th smallest member.
func (is intset) at(i int) int64 {
	switch w := is.width(); w {
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(is[intsetHeader+2*i:])))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(is[intsetHeader+4*i:])))
	default:
		return int64(binary.LittleEndian.Uint64(is[intsetHeader+8*i:]))
	}
}

func (is intset) set(i int, v int64) {
	switch w := is.width(); w {
	case 2:
		binary.LittleEndian.PutUint16(is[intsetHeader+2*i:], uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(is[intsetHeader+4*i:], uint32(v))
	default:
		binary.LittleEndian.PutUint64(is[intsetHeader+8*i:], uint64(v))
	}
}

// search is a binary search: v's position, or where it would go.
func (is intset) search(v int64) (int, bool) {
	lo, hi := 0, is.len()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if is.at(m) < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < is.len() && is.at(lo) == v
}

// intsetWidth is the width v needs (_intsetValueEncoding).
func intsetWidth(v int64) int {
	switch {
	case v < math.MinInt32 || v > math.MaxInt32:
		return 8
	case v < math.MinInt16 || v > math.MaxInt16:
		return 4
	}
	return 2
}

// insert adds v (absent) and returns the new intset, widening every
// member first when v needs it, as intsetUpgradeAndAdd does.
func (is intset) insert(v int64) intset {
	n := is.len()
	if w := intsetWidth(v); w > is.width() {
		wide := make(intset, intsetHeader+w*(n+1))
		binary.LittleEndian.PutUint32(wide, uint32(w))
		binary.LittleEndian.PutUint32(wide[4:], uint32(n))
		for i := 0; i < n; i++ {
			wide.set(i, is.at(i))
		}
		is = wide[:intsetHeader+w*n]
	}
	i, _ := is.search(v)
	w := is.width()
	is = append(is, make([]byte, w)...)
	copy(is[intsetHeader+w*(i+1):], is[intsetHeader+w*i:intsetHeader+w*n])
	binary.LittleEndian.PutUint32(is[4:], uint32(n+1))
	is.set(i, v)
	return is
}

// removeAt deletes the i-th member.
func (is intset) removeAt(i int) intset {
	n, w := is.len(), is.width()
	copy(is[intsetHeader+w*i:], is[intsetHeader+w*(i+1):intsetHeader+w*n])
	binary.LittleEndian.PutUint32(is[4:], uint32(n-1))
	return is[:intsetHeader+w*(n-1)]
}

// intsetFromBlob validates an intset blob (from RESTORE): a known width, a
// length that matches, members strictly ascending. It returns a copy.
func intsetFromBlob(b []byte) (intset, bool) {
	if len(b) < intsetHeader {
		return nil, false
	}
	is := intset(b)
	w, n := is.width(), is.len()
	if w != 2 && w != 4 && w != 8 || len(b) != intsetHeader+w*n {
		return nil, false
	}
	for i := 1; i < n; i++ {
		if is.at(i-1) >= is.at(i) {
			return nil, false
		}
	}
	return append(intset(nil), b...), true
}

// intsetOf builds the intset of distinct ints, in the narrowest width
// that holds them all (tests and tools build blobs with it).
func intsetOf(ints []int64) intset {
	is := newIntset()
	for _, v := range ints {
		if _, found := is.search(v); !found {
			is = is.insert(v)
		}
	}
	return is
}
