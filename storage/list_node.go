package storage

import "slices"

// A quicklist node (see listValue) is one flat buffer of entries. An entry
// is flat's (its length as a uvarint, then its bytes) followed by the same
// length written backwards, Redis's listpack "backlen": the trailer lets a
// node be read from its tail, which RPOP and negative indexes need. An
// element shorter than 128 bytes costs two bytes of framing.
//
// The entries occupy buf[off:len(buf)]. Room before off takes prepends and
// room between len(buf) and cap(buf) takes appends, so pushing at either
// end of a node writes one entry and moves nothing: the head node of a
// list built by LPUSH fills from the back of its buffer.

// listNode is one node of a list's quicklist.
type listNode struct {
	buf   []byte
	off   int32 // offset of the first entry in buf
	count int32 // entries in the node, never 0 while the node is in a list
}

// listNodeOverhead is what a node costs besides its buffer, for memory
// accounting: the ring slot and the allocator's rounding of the buffer.
const listNodeOverhead = 32 + 16

// listEntrySize is how many bytes an element of n bytes takes in a node.
func listEntrySize(n int) int { return 2*entrySize(n) - n }

// putListEntry writes the entry of e at the start of dst, which must have
// room for it, and returns its size.
func putListEntry(dst, e []byte) int {
	if n := len(e); n < 0x80 {
		dst[0] = byte(n)
		copy(dst[1:], e)
		dst[n+1] = byte(n)
		return n + 2
	}
	k := putEntry(dst, e)
	p := k - len(e) // the prefix's size, which the trailer repeats
	v := len(e)
	for i := k + p - 1; i >= k; i-- {
		if i > k {
			dst[i] = byte(v) | 0x80
		} else {
			dst[i] = byte(v)
		}
		v >>= 7
	}
	return k + p
}

// listEntryNext decodes the entry starting at off of b: the element, whose
// capacity ends with it, and the offset of the next entry.
func listEntryNext(b []byte, off int) ([]byte, int) {
	n, k := int(b[off]), 1
	if n >= 0x80 {
		n, k = flat(b).uvarint(off)
	}
	s := off + k
	return b[s : s+n : s+n], s + n + k
}

// listEntryPrev decodes the entry ending at end of b: the element and the
// offset where its entry starts.
func listEntryPrev(b []byte, end int) ([]byte, int) {
	n, k := int(b[end-1]), 1
	if n >= 0x80 {
		n, k = 0, 0
		for shift := 0; ; shift += 7 {
			c := b[end-1-k]
			k++
			n |= int(c&0x7f) << shift
			if c < 0x80 {
				break
			}
		}
	}
	s := end - k - n
	return b[s : s+n : s+n], s - k
}

// used is the bytes the node's entries take.
func (nd *listNode) used() int { return len(nd.buf) - int(nd.off) }

// listNodeAllows is quicklistAllowInsert for a node: whether an element of
// sz bytes may join it under list-max-listpack-size fill. The node's size
// is counted as a listpack's (header and end byte included), so nodes hold
// about as many elements as Redis's.
func listNodeAllows(nd *listNode, fill int64, sz int) bool {
	return nd.count == 0 || quicklistAllowInsert(nd.used()+lpHeaderSize+1, int(nd.count), fill, sz)
}

// listNodeOver reports whether a node of count entries taking used bytes
// is past what fill allows (an edit in the middle can make it so), which
// a node of one element never is.
func listNodeOver(used, count int, fill int64) bool {
	if count <= 1 {
		return false
	}
	size := used + lpHeaderSize + 1
	if fill < 0 {
		return size > listNodeMaxBytes(fill)
	}
	return size > quicklistSafetyLimit || int64(count) > fill
}

// listNodeMaxBytes is the largest node fill allows, in bytes; growth never
// reserves room past it.
func listNodeMaxBytes(fill int64) int {
	if fill < 0 && fill >= -5 {
		return 4096 << (-fill - 1)
	}
	return quicklistSafetyLimit
}

// room makes sure need bytes are free before the entries (front) or after
// them. It moves the entries within the buffer when at least a quarter of
// it would stay free, and otherwise reallocates with a quarter to spare
// (never reserving past a full node): fewer, larger steps than flat's
// eighth leave fewer freed buffers behind to fragment the heap, and a
// full node wastes nothing. Either way the free
// space is split three to one in favour of the side that asked, so pushes
// alternating between the ends of a single node do not move it every time.
func (nd *listNode) room(need int, front bool, fill int64) {
	head, tail := int(nd.off), cap(nd.buf)-len(nd.buf)
	if front && head >= need || !front && tail >= need {
		return
	}
	used := nd.used()
	size := cap(nd.buf)
	if extra := size - used - need; extra < size/4 {
		want := used + need
		slack := max(want/4, 16)
		if limit := listNodeMaxBytes(fill); want+slack > limit {
			slack = max(limit-want, 0)
		}
		size = want + slack
	}
	nd.place(size, need, front)
}

// place lays the entries out in a buffer of capacity size (the current
// one when size fits in it, a new one otherwise) with need bytes plus
// three quarters of the rest free on the front or back side.
func (nd *listNode) place(size, need int, front bool) {
	used := nd.used()
	var b []byte
	if size <= cap(nd.buf) {
		b = nd.buf[:cap(nd.buf)]
	} else {
		b = slices.Grow([]byte(nil), size) // capacity rounded up to the size class
		b = b[:cap(b)]
	}
	extra := len(b) - used - need
	off := extra / 4
	if front {
		off = len(b) - used - off
	}
	copy(b[off:off+used], nd.buf[nd.off:])
	nd.buf, nd.off = b[:off+used], int32(off)
}

// shrink gives memory back once a node is mostly free, as a listpack is
// reallocated on every deletion; the quarter threshold keeps push and pop
// at one size from reallocating each time.
func (nd *listNode) shrink() {
	if used := nd.used(); cap(nd.buf) > 64 && used < cap(nd.buf)/4 {
		b := make([]byte, used, used+used/8)
		copy(b, nd.buf[nd.off:])
		nd.buf, nd.off = b, 0
	}
}

// splice replaces the entries in [p, q) of buf with the entry of e (none
// when e is nil), in place when the buffer has room.
func (nd *listNode) splice(p, q int, e []byte, fill int64) {
	sz := 0
	if e != nil {
		sz = listEntrySize(len(e))
	}
	end := len(nd.buf)
	if grow := sz - (q - p); grow > 0 && end+grow > cap(nd.buf) {
		before := p - int(nd.off)
		nd.room(grow, false, fill)
		p, q, end = int(nd.off)+before, int(nd.off)+before+(q-p), len(nd.buf)
	}
	newEnd := end + sz - (q - p)
	nd.buf = nd.buf[:max(end, newEnd)]
	copy(nd.buf[p+sz:], nd.buf[q:end])
	nd.buf = nd.buf[:newEnd]
	if e != nil {
		putListEntry(nd.buf[p:], e)
	}
}

// clone is a copy of the node with no spare room.
func (nd *listNode) clone() listNode {
	return listNode{buf: append([]byte(nil), nd.buf[nd.off:]...), count: nd.count}
}
