package storage

// listEntryOverhead approximates the bytes one element costs beyond its
// payload (its slice header in the ring), for memory accounting.
const listEntryOverhead = 24

// listMinCap is the smallest ring allocated; a power of two, as every
// capacity is, so positions wrap with a mask instead of a division.
const listMinCap = 8

// listValue is the structure of a list value (Value.Obj of a KindList).
//
// It is a ring-buffer deque: LPUSH/RPUSH/LPOP/RPOP are O(1) at both ends
// (amortised over growth) and LINDEX/LSET are O(1) anywhere, where a plain
// slice would copy the whole list on every LPUSH. Redis 7.0 keeps every
// list in a quicklist, and OBJECT ENCODING says so whatever the size; the
// in-memory layout is ours.
//
// Elements are copied in when stored (command arguments alias the
// connection's buffer) and never modified in place afterwards: LSET
// replaces the slice. That is what lets Clone share element bytes.
type listValue struct {
	buf  [][]byte // len(buf) is 0 or a power of two
	head int      // position of element 0 in buf
	n    int      // number of elements
	// bytes is the sum of the elements' lengths, kept up to date so
	// MemoryUsage is O(1).
	bytes int64
}

func newListValue() *listValue { return &listValue{} }

// Len is the number of elements.
func (l *listValue) Len() int { return l.n }

// pos maps index i (0 ≤ i < n) to its position in buf.
func (l *listValue) pos(i int) int { return (l.head + i) & (len(l.buf) - 1) }

// at returns element i (0 ≤ i < n).
func (l *listValue) at(i int) []byte { return l.buf[l.pos(i)] }

// set replaces element i (0 ≤ i < n) with a copy of b.
func (l *listValue) set(i int, b []byte) {
	p := l.pos(i)
	l.bytes += int64(len(b) - len(l.buf[p]))
	l.buf[p] = copyBytes(b)
}

// copyBytes copies b so the list never aliases a request buffer.
func copyBytes(b []byte) []byte { return append(make([]byte, 0, len(b)), b...) }

// resize moves the elements, in order, into a ring of capacity size.
func (l *listValue) resize(size int) {
	nb := make([][]byte, size)
	for i := 0; i < l.n; i++ {
		nb[i] = l.at(i)
	}
	l.buf, l.head = nb, 0
}

func (l *listValue) grow() {
	if l.n < len(l.buf) {
		return
	}
	l.resize(max(listMinCap, 2*len(l.buf)))
}

// shrink gives memory back once the ring is mostly empty, so a list that
// was once large does not pin its peak size forever. The quarter
// threshold (not half) keeps push/pop around a boundary from thrashing.
func (l *listValue) shrink() {
	if len(l.buf) > listMinCap && l.n < len(l.buf)/4 {
		l.resize(len(l.buf) / 2)
	}
}

// pushFront inserts a copy of b before element 0.
func (l *listValue) pushFront(b []byte) {
	l.grow()
	l.head = (l.head - 1) & (len(l.buf) - 1)
	l.buf[l.head] = copyBytes(b)
	l.n++
	l.bytes += int64(len(b))
}

// pushBack appends a copy of b.
func (l *listValue) pushBack(b []byte) {
	l.grow()
	l.buf[l.pos(l.n)] = copyBytes(b)
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
// not be empty. The caller owns the returned bytes: nothing else holds
// them once popped.
func (l *listValue) pop(left bool) []byte {
	var p int
	if left {
		p = l.head
		l.head = l.pos(1)
	} else {
		p = l.pos(l.n - 1)
	}
	b := l.buf[p]
	l.buf[p] = nil // let the element be collected
	l.n--
	l.bytes -= int64(len(b))
	l.shrink()
	return b
}

// insert puts a copy of b at index i (0 ≤ i ≤ n), shifting the shorter
// side of the list by one.
func (l *listValue) insert(i int, b []byte) {
	l.grow()
	if i < l.n/2 {
		l.head = (l.head - 1) & (len(l.buf) - 1)
		for j := 0; j < i; j++ {
			l.buf[l.pos(j)] = l.buf[l.pos(j+1)]
		}
	} else {
		for j := l.n; j > i; j-- {
			l.buf[l.pos(j)] = l.buf[l.pos(j-1)]
		}
	}
	l.buf[l.pos(i)] = copyBytes(b)
	l.n++
	l.bytes += int64(len(b))
}

// trim keeps the elements [start, start+keep) and drops the rest.
func (l *listValue) trim(start, keep int) {
	for i := 0; i < l.n; i++ {
		if i < start || i >= start+keep {
			p := l.pos(i)
			l.bytes -= int64(len(l.buf[p]))
			l.buf[p] = nil
		}
	}
	l.head = l.pos(start)
	l.n = keep
	l.shrink()
}

// removeIf drops every element i for which drop(i, element) is true, in
// one O(n) compaction, and returns how many went. drop sees the elements
// in the order of fromTail, so LREM with a negative count can stop after
// the last |count| matches.
func (l *listValue) removeIf(fromTail bool, drop func(b []byte) bool) int {
	keep := make([]bool, l.n)
	for k := 0; k < l.n; k++ {
		i := k
		if fromTail {
			i = l.n - 1 - k
		}
		keep[i] = !drop(l.at(i))
	}
	w := 0
	for i := 0; i < l.n; i++ {
		b := l.at(i)
		if keep[i] {
			l.buf[l.pos(w)] = b
			w++
		} else {
			l.bytes -= int64(len(b))
		}
	}
	for i := w; i < l.n; i++ {
		l.buf[l.pos(i)] = nil
	}
	removed := l.n - w
	l.n = w
	l.shrink()
	return removed
}

// Clone is a copy for COPY. The ring is copied; the elements are shared,
// which is safe because they are never modified in place (see listValue).
func (l *listValue) Clone() any {
	c := &listValue{bytes: l.bytes}
	if l.n > 0 {
		c.buf = make([][]byte, len(l.buf))
		for i := 0; i < l.n; i++ {
			c.buf[i] = l.at(i)
		}
		c.n = l.n
	}
	return c
}

// MemoryUsage is the approximate payload size, for memory accounting.
func (l *listValue) MemoryUsage() int64 {
	return l.bytes + int64(len(l.buf))*listEntryOverhead
}
