package storage

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// The listpack form of a sorted set is one immutable string packing the
// members in (score, member) order. Each member is a flat entry (its
// length as a uvarint, then its bytes) followed by its score as a
// uvarint u: an integral score i within ±2^53 (exact in a float64) is
// u = zigzag(i) << 1, even, so scores -32..31 take one byte (Redis's
// listpack keeps a score as its d2string text, stored as an integer when
// integral: two bytes with the back-length); any other score is u = 1 followed by its 8 raw bytes,
// the little-endian IEEE 754 bits. Like hash listpacks (see flat) a small
// set costs one allocation plus a few bytes per member, and is scanned
// linearly: at most zset-max-listpack-entries short entries.
//
// The buffer is copy-on-write: every edit builds a new string and never
// writes to the old one. So a member returned by each or at is a
// substring of the buffer, which costs no allocation (ZRANGE of a small
// set allocates nothing per member) and stays valid, unchanged, however
// the set is edited afterwards. The price is one allocation per edit,
// which a listpack pays in Redis too (lpInsert reallocates), and a
// substring kept for long pins the whole buffer: whatever stores members
// (convert, storeZSet through add) copies them.

// zlpMaxInt bounds the scores packed as integers: every integer within
// it is exact in a float64, so the round trip is lossless.
const zlpMaxInt = 1 << 53

// zlpFloatTag is the u that announces 8 raw score bytes.
const zlpFloatTag = 1

// zlpEntry decodes the member and score at off and returns the offset of
// the next member.
func zlpEntry(lp string, off int) (string, float64, int) {
	n, k := int(lp[off]), 1
	if n >= 0x80 {
		n, k = zlpUvarint(lp, off)
	}
	start := off + k
	end := start + n
	if c := lp[end]; c < 0x80 && c != zlpFloatTag { // a small integer
		z := uint64(c >> 1)
		return lp[start:end], float64(int64(z>>1) ^ -int64(z&1)), end + 1
	}
	s, next := zlpScoreAt(lp, end)
	return lp[start:end], s, next
}

// zlpMember decodes only the member at off (lookups by member skip the
// score without decoding it) and returns the offset of the next member.
func zlpMember(lp string, off int) (string, int) {
	n, k := int(lp[off]), 1
	if n >= 0x80 {
		n, k = zlpUvarint(lp, off)
	}
	start := off + k
	end := start + n
	switch c := lp[end]; {
	case c == zlpFloatTag:
		return lp[start:end], end + 9
	case c < 0x80:
		return lp[start:end], end + 1
	}
	_, k = zlpUvarint(lp, end)
	return lp[start:end], end + k
}

// zlpScoreAt decodes the score at off and returns the offset after it.
func zlpScoreAt(lp string, off int) (float64, int) {
	u, k := int(lp[off]), 1
	if u >= 0x80 {
		u, k = zlpUvarint(lp, off)
	}
	if u != zlpFloatTag {
		z := uint64(u) >> 1
		return float64(int64(z>>1) ^ -int64(z&1)), off + k
	}
	b := lp[off+1 : off+9]
	return math.Float64frombits(uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56), off + 9
}

// zlpScoreCode is the u that packs score, and whether 8 raw bytes follow.
func zlpScoreCode(score float64) (int, bool) {
	if score >= -zlpMaxInt && score <= zlpMaxInt {
		if i := int64(score); float64(i) == score {
			return int((uint64(i<<1) ^ uint64(i>>63)) << 1), false
		}
	}
	return zlpFloatTag, true
}

// zlpSize is how many bytes member and score take packed.
func zlpSize(member []byte, score float64) int {
	u, raw := zlpScoreCode(score)
	n := entrySize(len(member)) + 1
	for ; u >= 0x80; u >>= 7 {
		n++
	}
	if raw {
		n += 8
	}
	return n
}

// zlpUvarint decodes a multi-byte uvarint at off: its value and how many
// bytes it took.
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

// zlpAppendScore appends the packed score.
func zlpAppendScore(dst []byte, score float64) []byte {
	u, raw := zlpScoreCode(score)
	dst = binary.AppendUvarint(dst, uint64(u))
	if raw {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(score))
	}
	return dst
}

// zlpAppend appends member and score packed (flat's entry, then the
// score).
func zlpAppend(dst []byte, member []byte, score float64) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(member)))
	dst = append(dst, member...)
	return zlpAppendScore(dst, score)
}

// zlpEdit returns a new buffer: lp without the bytes [del, delEnd) and,
// when put, with (member, score) inserted at offset ins of lp, which
// must not fall strictly inside the deleted span. lp is left untouched.
func zlpEdit(lp string, del, delEnd, ins int, put bool, member []byte, score float64) string {
	size := len(lp) - (delEnd - del)
	if put {
		size += zlpSize(member, score)
	} else {
		ins = del
	}
	if size == 0 {
		return ""
	}
	// The spans of lp around the hole and the insertion point are copied
	// once, in order, into a buffer of the exact size, which is never
	// written again once it is the string.
	b := make([]byte, 0, size)
	if ins <= del {
		b = append(b, lp[:ins]...)
		if put {
			b = zlpAppend(b, member, score)
		}
		b = append(b, lp[ins:del]...)
		b = append(b, lp[delEnd:]...)
	} else {
		b = append(b, lp[:del]...)
		b = append(b, lp[delEnd:ins]...)
		b = zlpAppend(b, member, score)
		b = append(b, lp[ins:]...)
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// zlpFromEntries packs es, which must be in order.
func zlpFromEntries(es []zentry) string {
	size := 0
	for _, e := range es {
		size += zlpSize(strBytes(e.member), e.score)
	}
	if size == 0 {
		return ""
	}
	b := make([]byte, 0, size)
	for _, e := range es {
		b = zlpAppend(b, strBytes(e.member), e.score)
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// zlpSame is a == b, testing the last byte first: members often share a
// prefix ("user:1001", "user:1002"), so most misses end there without
// a call to compare the bytes.
func zlpSame(a, b string) bool {
	return len(a) == len(b) && (len(a) == 0 || a[len(a)-1] == b[len(a)-1]) && a == b
}

// zlpFind returns the offsets of member's entry and of the next one, and
// its score, or ok false.
func (z *zsetValue) zlpFind(member []byte) (off, end int, score float64, ok bool) {
	mb := unsafe.String(unsafe.SliceData(member), len(member)) // only compared
	for off < len(z.lp) {
		m, next := zlpMember(z.lp, off)
		if zlpSame(m, mb) {
			s, _ := zlpScoreAt(z.lp, off+entrySize(len(m)))
			return off, next, s, true
		}
		off = next
	}
	return 0, 0, 0, false
}

// zlpInsertAt is the offset where (score, member) belongs.
func (z *zsetValue) zlpInsertAt(member []byte, score float64) int {
	m := unsafe.String(unsafe.SliceData(member), len(member)) // only compared
	off := 0
	for off < len(z.lp) {
		em, es, next := zlpEntry(z.lp, off)
		if zless(score, m, es, em) {
			return off
		}
		off = next
	}
	return off
}

// zlpMove finds, in one scan, the entry [off, end) of member, which must
// be present, and the offset ins where it belongs with score, counting
// without its old place.
func (z *zsetValue) zlpMove(member []byte, score float64) (off, end, ins int) {
	m := unsafe.String(unsafe.SliceData(member), len(member)) // only compared
	off, ins = -1, -1
	for p := 0; p < len(z.lp) && (off < 0 || ins < 0); {
		if ins >= 0 { // only the member's place is left to find
			em, next := zlpMember(z.lp, p)
			if zlpSame(em, m) {
				off, end = p, next
			}
			p = next
			continue
		}
		em, es, next := zlpEntry(z.lp, p)
		switch {
		case off < 0 && zlpSame(em, m):
			off, end = p, next
		case zless(score, m, es, em):
			ins = p
		}
		p = next
	}
	if ins < 0 {
		ins = len(z.lp)
	}
	return off, end, ins
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
