package storage

import "unsafe"

// listValue is the structure of a list value (Value.Obj() of a KindList).
//
// It is a quicklist, as Redis 7.0 keeps every list: a deque of nodes,
// each one flat buffer of entries (see listNode), each node bounded by
// list-max-listpack-size as Redis bounds its listpacks. An element costs
// its bytes plus two, where a slice per element cost a 24-byte header and
// a separate allocation.
//
// The nodes sit by value in a ring (a power-of-two slice and the position
// of the first node), so pushes and pops at both ends are O(1) amortised:
// they touch only the end node, which has room reserved on its outer side
// (see listNode.room). Positional access walks the nodes from the nearer
// end, skipping whole nodes by their counts, then scans one node from its
// nearer end. Edits in the middle splice one node and split it (repack)
// when it outgrows the fill; bulk removals merge neighbours that fit
// together again.
//
// Elements handed out alias the node buffers: they stay valid until the
// list next changes (pop's until the next push onto the same list), so
// replies are written before the next edit.
type listValue struct {
	nodes []listNode // ring; len(nodes) is 0 or a power of two
	head  int32      // ring position of the first node
	nn    int32      // nodes in use
	n     int        // elements
	// bytes is the sum of the elements' lengths, kept up to date so
	// MemoryUsage is O(1).
	bytes int64
}

func newListValue() *listValue { return &listValue{} }

// Len is the number of elements.
func (l *listValue) Len() int { return l.n }

// node returns node k (0 ≤ k < nn) in list order.
func (l *listValue) node(k int) *listNode {
	return &l.nodes[(int(l.head)+k)&(len(l.nodes)-1)]
}

// resizeRing moves the nodes, in order, into a ring of capacity size.
func (l *listValue) resizeRing(size int) {
	nodes := make([]listNode, size)
	for k := 0; k < int(l.nn); k++ {
		nodes[k] = *l.node(k)
	}
	l.nodes, l.head = nodes, 0
}

// insertNode opens an empty node at position k (0 ≤ k ≤ nn), moving the
// shorter side of the ring by one.
func (l *listValue) insertNode(k int) *listNode {
	if int(l.nn) == len(l.nodes) {
		l.resizeRing(max(1, 2*len(l.nodes)))
	}
	nn := int(l.nn)
	if k < nn/2 {
		l.head = int32((int(l.head) - 1) & (len(l.nodes) - 1))
		for j := 0; j < k; j++ {
			*l.node(j) = *l.node(j + 1)
		}
	} else {
		for j := nn; j > k; j-- {
			*l.node(j) = *l.node(j - 1)
		}
	}
	l.nn++
	nd := l.node(k)
	*nd = listNode{}
	return nd
}

// removeNode drops node k, moving the shorter side of the ring by one.
func (l *listValue) removeNode(k int) {
	nn := int(l.nn)
	if k < nn/2 {
		for j := k; j > 0; j-- {
			*l.node(j) = *l.node(j - 1)
		}
		*l.node(0) = listNode{}
		l.head = int32((int(l.head) + 1) & (len(l.nodes) - 1))
	} else {
		for j := k; j < nn-1; j++ {
			*l.node(j) = *l.node(j + 1)
		}
		*l.node(nn - 1) = listNode{}
	}
	l.nn--
	if len(l.nodes) > 1 && int(l.nn) < len(l.nodes)/4 {
		l.resizeRing(len(l.nodes) / 2)
	}
}

// locate finds element i (0 ≤ i < n): its node and the offset of its
// entry, walking from the nearer end.
func (l *listValue) locate(i int) (k, off int) {
	if i < l.n/2 {
		for ; ; k++ {
			c := int(l.node(k).count)
			if i < c {
				break
			}
			i -= c
		}
	} else {
		j := l.n - 1 - i // index from the tail
		for k = int(l.nn) - 1; ; k-- {
			c := int(l.node(k).count)
			if j < c {
				i = c - 1 - j
				break
			}
			j -= c
		}
	}
	// Within the node, skip entries from its nearer end; short ones (one
	// length byte each side) without a call.
	nd := l.node(k)
	b := nd.buf
	if c := int(nd.count); i < c/2 {
		off = int(nd.off)
		for ; i > 0; i-- {
			if n := b[off]; n < 0x80 {
				off += int(n) + 2
			} else {
				_, off = listEntryNext(b, off)
			}
		}
	} else {
		off = len(b)
		for j := c - i; j > 0; j-- {
			if n := b[off-1]; n < 0x80 {
				off -= int(n) + 2
			} else {
				_, off = listEntryPrev(b, off)
			}
		}
	}
	return k, off
}

// at returns element i (0 ≤ i < n).
func (l *listValue) at(i int) []byte {
	k, off := l.locate(i)
	e, _ := listEntryNext(l.node(k).buf, off)
	return e
}

// set replaces element i (0 ≤ i < n) with b.
func (l *listValue) set(i int, b []byte) {
	k, off := l.locate(i)
	nd := l.node(k)
	old, end := listEntryNext(nd.buf, off)
	l.bytes += int64(len(b) - len(old))
	fill := encoding().ListMaxListpackSize
	nd.splice(off, end, b, fill)
	if listNodeOver(nd.used(), int(nd.count), fill) {
		l.repack(k, fill)
	}
}

// pushFront inserts b before element 0.
func (l *listValue) pushFront(b []byte) {
	fill := encoding().ListMaxListpackSize
	if l.nn == 0 || !listNodeAllows(l.node(0), fill, len(b)) {
		l.insertNode(0)
	}
	nd := l.node(0)
	sz := listEntrySize(len(b))
	if nd.count == 0 {
		// A new node is filled as an append, so off stays small (it is
		// 32 bits) even for an element of gigabytes, which always gets
		// a node of its own; the next push makes room at the front.
		nd.room(sz, false, fill)
		end := len(nd.buf)
		nd.buf = nd.buf[:end+sz]
		putListEntry(nd.buf[end:], b)
	} else {
		if int(nd.off) < sz {
			nd.room(sz, true, fill)
		}
		nd.off -= int32(sz)
		putListEntry(nd.buf[nd.off:], b)
	}
	nd.count++
	l.n++
	l.bytes += int64(len(b))
}

// pushBack appends b.
func (l *listValue) pushBack(b []byte) {
	fill := encoding().ListMaxListpackSize
	if l.nn == 0 || !listNodeAllows(l.node(int(l.nn)-1), fill, len(b)) {
		l.insertNode(int(l.nn))
	}
	nd := l.node(int(l.nn) - 1)
	sz := listEntrySize(len(b))
	end := len(nd.buf)
	if cap(nd.buf)-end < sz {
		nd.room(sz, false, fill)
		end = len(nd.buf)
	}
	nd.buf = nd.buf[:end+sz]
	putListEntry(nd.buf[end:], b)
	nd.count++
	l.n++
	l.bytes += int64(len(b))
}

// push adds b at the head (left) or the tail.
func (l *listValue) push(b []byte, left bool) {
	if left {
		l.pushFront(b)
	} else {
		l.pushBack(b)
	}
}

// pop removes and returns the head (left) or tail element; the list must
// not be empty. The bytes alias the node they came from and stay intact
// until the next push onto this list, which may reuse the room.
func (l *listValue) pop(left bool) []byte {
	k := 0
	if !left {
		k = int(l.nn) - 1
	}
	nd := l.node(k)
	var e []byte
	if left {
		var next int
		e, next = listEntryNext(nd.buf, int(nd.off))
		nd.off = int32(next)
	} else {
		var start int
		e, start = listEntryPrev(nd.buf, len(nd.buf))
		nd.buf = nd.buf[:start]
	}
	l.n--
	l.bytes -= int64(len(e))
	if nd.count--; nd.count == 0 {
		l.removeNode(k)
	} else {
		nd.shrink()
	}
	return e
}

// insert puts b at index i (0 ≤ i ≤ n).
func (l *listValue) insert(i int, b []byte) {
	switch i {
	case 0:
		l.pushFront(b)
		return
	case l.n:
		l.pushBack(b)
		return
	}
	k, off := l.locate(i)
	nd := l.node(k)
	fill := encoding().ListMaxListpackSize
	nd.splice(off, off, b, fill)
	nd.count++
	l.n++
	l.bytes += int64(len(b))
	if listNodeOver(nd.used(), int(nd.count), fill) {
		l.repack(k, fill)
	}
}

// repack cuts node k into as many nodes as fill needs, greedily as tail
// pushes would have filled them.
func (l *listValue) repack(k int, fill int64) {
	src := *l.node(k)
	var parts []listNode
	start, count := int(src.off), 0
	for p := start; p < len(src.buf); {
		e, next := listEntryNext(src.buf, p)
		if count > 0 && !quicklistAllowInsert(p-start+lpHeaderSize+1, count, fill, len(e)) {
			parts = append(parts, listNode{buf: append([]byte(nil), src.buf[start:p]...), count: int32(count)})
			start, count = p, 0
		}
		count++
		p = next
	}
	parts = append(parts, listNode{buf: append([]byte(nil), src.buf[start:]...), count: int32(count)})
	*l.node(k) = parts[0]
	for j, nd := range parts[1:] {
		*l.insertNode(k + 1 + j) = nd
	}
}

// dropFront removes the first m elements (m < n), whole nodes at a time.
func (l *listValue) dropFront(m int) {
	for m > 0 {
		nd := l.node(0)
		take := min(m, int(nd.count))
		off := int(nd.off)
		for j := 0; j < take; j++ {
			var e []byte
			e, off = listEntryNext(nd.buf, off)
			l.bytes -= int64(len(e))
		}
		m -= take
		l.n -= take
		if nd.count -= int32(take); nd.count == 0 {
			l.removeNode(0)
			continue
		}
		nd.off = int32(off)
		nd.shrink()
	}
}

// dropBack removes the last m elements (m < n), whole nodes at a time.
func (l *listValue) dropBack(m int) {
	for m > 0 {
		k := int(l.nn) - 1
		nd := l.node(k)
		take := min(m, int(nd.count))
		end := len(nd.buf)
		for j := 0; j < take; j++ {
			var e []byte
			e, end = listEntryPrev(nd.buf, end)
			l.bytes -= int64(len(e))
		}
		m -= take
		l.n -= take
		if nd.count -= int32(take); nd.count == 0 {
			l.removeNode(k)
			continue
		}
		nd.buf = nd.buf[:end]
		nd.shrink()
	}
}

// trim keeps the elements [start, start+keep) and drops the rest.
func (l *listValue) trim(start, keep int) {
	if keep == 0 {
		*l = listValue{}
		return
	}
	l.dropBack(l.n - start - keep)
	l.dropFront(start)
}

// removeIf drops every element for which drop(element) is true and
// returns how many went. drop sees the elements in the order of fromTail,
// so LREM with a negative count can stop after the last |count| matches.
// Each node is compacted in one pass; nodes left small are merged.
func (l *listValue) removeIf(fromTail bool, drop func(b []byte) bool) int {
	var dead []int // start and end offsets of the entries to drop, in node order
	removed := 0
	for kk := 0; kk < int(l.nn); kk++ {
		k := kk
		if fromTail {
			k = int(l.nn) - 1 - kk
		}
		nd := l.node(k)
		dead = dead[:0]
		if fromTail {
			for end := len(nd.buf); end > int(nd.off); {
				e, start := listEntryPrev(nd.buf, end)
				if drop(e) {
					dead = append(dead, start, end)
					l.bytes -= int64(len(e))
				}
				end = start
			}
			for i, j := 0, len(dead)-2; i < j; i, j = i+2, j-2 {
				dead[i], dead[i+1], dead[j], dead[j+1] = dead[j], dead[j+1], dead[i], dead[i+1]
			}
		} else {
			for off := int(nd.off); off < len(nd.buf); {
				e, next := listEntryNext(nd.buf, off)
				if drop(e) {
					dead = append(dead, off, next)
					l.bytes -= int64(len(e))
				}
				off = next
			}
		}
		if len(dead) == 0 {
			continue
		}
		w := dead[0]
		for i := 0; i < len(dead); i += 2 {
			keepTo := len(nd.buf)
			if i+2 < len(dead) {
				keepTo = dead[i+2]
			}
			w += copy(nd.buf[w:], nd.buf[dead[i+1]:keepTo])
		}
		nd.buf = nd.buf[:w]
		nd.count -= int32(len(dead) / 2)
		removed += len(dead) / 2
	}
	if removed > 0 {
		l.n -= removed
		l.mergeNodes()
	}
	return removed
}

// mergeNodes drops emptied nodes and joins neighbours that fit in one
// node under the fill in force, rebuilding the ring.
func (l *listValue) mergeNodes() {
	fill := encoding().ListMaxListpackSize
	out := make([]listNode, 0, l.nn)
	for k := 0; k < int(l.nn); k++ {
		nd := *l.node(k)
		if nd.count == 0 {
			continue
		}
		if m := len(out); m > 0 {
			prev := &out[m-1]
			if !listNodeOver(prev.used()+nd.used(), int(prev.count+nd.count), fill) {
				prev.room(nd.used(), false, fill)
				prev.buf = append(prev.buf, nd.buf[nd.off:]...)
				prev.count += nd.count
				continue
			}
		}
		nd.shrink()
		out = append(out, nd)
	}
	*l = listValue{n: l.n, bytes: l.bytes}
	if len(out) > 0 {
		size := 1
		for size < len(out) {
			size *= 2
		}
		l.nodes = make([]listNode, size)
		copy(l.nodes, out)
		l.nn = int32(len(out))
	}
}

// listIter walks a list from a position, forwards (next) or backwards
// (prev), without allocating. The list must not change meanwhile.
type listIter struct {
	l   *listValue
	k   int    // current node
	buf []byte // its buffer
	off int    // next entry's start (forwards) or previous entry's end (backwards)
}

// iterFrom is positioned so next returns element i (0 ≤ i < n).
func (l *listValue) iterFrom(i int) listIter {
	k, off := l.locate(i)
	return listIter{l: l, k: k, buf: l.node(k).buf, off: off}
}

// iterBefore is positioned so prev returns element i (0 ≤ i < n).
func (l *listValue) iterBefore(i int) listIter {
	k, off := l.locate(i)
	buf := l.node(k).buf
	_, end := listEntryNext(buf, off)
	return listIter{l: l, k: k, buf: buf, off: end}
}

// next returns the element at the position and moves past it.
func (it *listIter) next() []byte {
	if e, ok := it.nextFast(); ok {
		return e
	}
	return it.nextSlow()
}

// nextFast is next for an element under 128 bytes in the current node,
// small enough to be inlined into a caller's loop (LRANGE's); ok is false
// otherwise, and nextSlow takes over.
func (it *listIter) nextFast() ([]byte, bool) {
	b, off := it.buf, it.off
	if off < len(b) && b[off] < 0x80 {
		end := off + 1 + int(b[off])
		it.off = end + 1
		return b[off+1 : end : end], true
	}
	return nil, false
}

// nextSlow is next moving to the following node or decoding a long
// element.
func (it *listIter) nextSlow() []byte {
	if it.off >= len(it.buf) {
		it.k++
		nd := it.l.node(it.k)
		it.buf, it.off = nd.buf, int(nd.off)
	}
	e, next := listEntryNext(it.buf, it.off)
	it.off = next
	return e
}

// prev returns the element before the position and moves before it.
func (it *listIter) prev() []byte {
	if it.off <= int(it.l.node(it.k).off) {
		it.k--
		it.buf = it.l.node(it.k).buf
		it.off = len(it.buf)
	}
	if n := int(it.buf[it.off-1]); n < 0x80 {
		s := it.off - 1 - n
		it.off = s - 1
		return it.buf[s : s+n : s+n]
	}
	e, start := listEntryPrev(it.buf, it.off)
	it.off = start
	return e
}

// Clone is a copy for COPY: every node's entries, with no spare room.
func (l *listValue) Clone() any {
	c := &listValue{n: l.n, bytes: l.bytes, nn: l.nn}
	if l.nn > 0 {
		c.nodes = make([]listNode, len(l.nodes))
		for k := 0; k < int(l.nn); k++ {
			c.nodes[k] = l.node(k).clone()
		}
	}
	return c
}

// MemoryUsage is the approximate payload size, for memory accounting: the
// elements, their two bytes of framing and each node's overhead.
func (l *listValue) MemoryUsage() int64 {
	return allocSize(int64(unsafe.Sizeof(*l))) + l.bytes + 2*int64(l.n) + int64(l.nn)*listNodeOverhead
}
