package storage

import (
	"math"
	"unsafe"
)

// The listpack form of a sorted set is one immutable string packing the
// members in (score, member) order. Each member is a flat entry (its
// length as a uvarint, then its bytes) followed by its score as 8 raw
// bytes, the little-endian IEEE 754 bits. A fixed-width score costs one
// byte more than Redis's text for small integers but decodes without
// parsing, and there is no length to read. Like hash listpacks (see flat)
// a small set costs one allocation plus about 9 bytes per member, and is
// scanned linearly: at most zset-max-listpack-entries short entries.
//
// The buffer is copy-on-write: every edit builds a new string and never
// writes to the old one. So a member returned by each or at is a
// substring of the buffer, which costs no allocation (ZRANGE of a small
// set allocates nothing per member) and stays valid, unchanged, however
// the set is edited afterwards. The price is one allocation per edit,
// which a listpack pays in Redis too (lpInsert reallocates), and a
// substring kept for long pins the whole buffer: whatever stores members
// (convert, storeZSet through add) copies them.

// zlpScoreSize is the width of a packed score.
const zlpScoreSize = 8

// zlpEntry decodes the member and score at off and returns the offset of
// the next member.
func zlpEntry(lp string, off int) (string, float64, int) {
	n, k := int(lp[off]), 1
	if n >= 0x80 {
		n, k = zlpUvarint(lp, off)
	}
	start := off + k
	end := start + n
	return lp[start:end], zlpScoreAt(lp, end), end + zlpScoreSize
}

// zlpScoreAt decodes the 8 score bytes at off.
func zlpScoreAt(lp string, off int) float64 {
	b := lp[off : off+zlpScoreSize]
	return math.Float64frombits(uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56)
}

// zlpUvarint decodes a multi-byte member length at off: the length and
// how many bytes it took.
func zlpUvarint(lp string, off int) (int, int) {
	var n, shift, k int
	for {
		c := lp[off+k]
		k++
		n |= int(c&0x7f) << shift
		if c < 0x80 {
			return n, k
		}
		shift += 7
	}
}

// zlpSkip returns the offset i members after off.
func zlpSkip(lp string, off, i int) int {
	for ; i > 0; i-- {
		_, _, off = zlpEntry(lp, off)
	}
	return off
}

// zlpPut writes member and score at the start of dst and returns the
// bytes written.
func zlpPut(dst []byte, member []byte, score float64) int {
	k := putEntry(dst, member)
	u := math.Float64bits(score)
	for i := range zlpScoreSize {
		dst[k+i] = byte(u >> (8 * i))
	}
	return k + zlpScoreSize
}

// zlpEdit returns a new buffer: lp without the bytes [del, delEnd) and,
// when put, with (member, score) inserted at offset ins of lp, which
// must not fall strictly inside the deleted span. lp is left untouched.
func zlpEdit(lp string, del, delEnd, ins int, put bool, member []byte, score float64) string {
	size := len(lp) - (delEnd - del)
	need := 0
	if put {
		need = entrySize(len(member)) + zlpScoreSize
		size += need
	} else {
		ins = del
	}
	if size == 0 {
		return ""
	}
	b := make([]byte, size)
	// Three spans of lp around the insertion point and the hole, in order.
	w := 0
	if ins <= del {
		w += copy(b, lp[:ins])
		if put {
			w += zlpPut(b[w:], member, score)
		}
		w += copy(b[w:], lp[ins:del])
		copy(b[w:], lp[delEnd:])
	} else {
		w += copy(b, lp[:del])
		w += copy(b[w:], lp[delEnd:ins])
		w += zlpPut(b[w:], member, score)
		copy(b[w:], lp[ins:])
	}
	return unsafe.String(&b[0], len(b)) // b is never written again
}

// zlpFromEntries packs es, which must be in order.
func zlpFromEntries(es []zentry) string {
	size := 0
	for _, e := range es {
		size += entrySize(len(e.member)) + zlpScoreSize
	}
	if size == 0 {
		return ""
	}
	b := make([]byte, size)
	w := 0
	for _, e := range es {
		w += zlpPut(b[w:], strBytes(e.member), e.score)
	}
	return unsafe.String(&b[0], len(b))
}

// zlpFind returns the offsets of member's entry and of the next one, and
// its score, or ok false.
func (z *zsetValue) zlpFind(member []byte) (off, end int, score float64, ok bool) {
	for off < len(z.lp) {
		m, s, next := zlpEntry(z.lp, off)
		if m == string(member) {
			return off, next, s, true
		}
		off = next
	}
	return 0, 0, 0, false
}

// zlpInsertAt is the offset where (score, member) belongs, skipping the
// entry [skip, skipEnd) (the member's old place when it moves).
func (z *zsetValue) zlpInsertAt(member []byte, score float64, skip, skipEnd int) int {
	m := unsafe.String(unsafe.SliceData(member), len(member)) // only compared
	off := 0
	for off < len(z.lp) {
		if off == skip {
			off = skipEnd
			continue
		}
		em, es, next := zlpEntry(z.lp, off)
		if zless(score, m, es, em) {
			return off
		}
		off = next
	}
	return off
}

// zlpEachRev calls fn for the members at ranks [start, end] from end down
// to start. A listpack has no backward links here, so the offsets are
// collected first (on the stack for a default-sized set).
func (z *zsetValue) zlpEachRev(start, end int, fn func(e zentry) bool) {
	var buf [128]int
	offs := buf[:0]
	off := zlpSkip(z.lp, 0, start)
	for i := start; i <= end; i++ {
		offs = append(offs, off)
		_, _, off = zlpEntry(z.lp, off)
	}
	for i := len(offs) - 1; i >= 0; i-- {
		m, s, _ := zlpEntry(z.lp, offs[i])
		if !fn(zentry{m, s}) {
			return
		}
	}
}
