package storage

import "sort"

// The large sorted set's ordered index: a B+tree whose inner nodes count
// the entries under each child, so rank and "rank of a score" queries are
// O(log n), as Redis's skiplist with spans makes them.
//
// Why not Redis's skiplist: a ZADD that moves a member walks the list
// twice (out of its old place, into its new one), and every node a walk
// visits is one cache miss. With 100,000 members that walk was 47% of a
// ZADD's CPU time and ZADD ran at 0.90x redis-server (redis-benchmark
// -P 16). Here an entry is 24 bytes in an array of up to ztCap, so a
// descent touches a few cache lines per level and there are 3 to 4 levels
// for 100,000 members; the entries also cost a third of a skiplist node.
//
// Invariants:
//   - a leaf holds its entries in order (zless); leaves are chained both
//     ways in order, so a range is a descent then a walk;
//   - inner node x routes to kid i the keys in [lo(i), lo(i+1)), where
//     lo(i) is the separator (seps[i], for i > 0) and lo(0) is the lower
//     bound x itself was reached with. A separator may be older than the
//     current smallest key of its kid (deletes leave it): it stays a valid
//     lower bound, which is all routing needs;
//   - counts[i] is the number of entries under kid i;
//   - every node but the root holds at least ztMin entries or kids; a node
//     that falls below takes from a neighbour or merges with it. The one
//     exception is the last leaf: an append at the end of the set splits
//     a full last leaf into a full one and a one-entry one, so loading in
//     order fills leaves instead of leaving each half empty.
//
// Node arrays have one slot more than ztCap: an insert goes in first and
// an overfull node then splits, which keeps the split code in one place.

const (
	ztCap = 32
	ztMin = ztCap / 4
	// ztMaxHeight bounds the inner levels: with ztMin kids per node,
	// 16 levels hold far more entries than memory can.
	ztMaxHeight = 16
)

type ztLeaf struct {
	n          int
	scores     [ztCap + 1]float64
	members    [ztCap + 1]string
	prev, next *ztLeaf
}

type ztInner struct {
	n      int
	sepS   [ztCap + 1]float64 // separators; index 0 unused
	sepM   [ztCap + 1]string
	counts [ztCap + 1]int
	// Exactly one of these is in use: leaves on the lowest inner level.
	kids   [ztCap + 1]*ztInner
	leaves [ztCap + 1]*ztLeaf
}

type ztree struct {
	// height is the number of inner levels; with 0 the root is a leaf.
	height   int
	root     *ztInner
	rootLeaf *ztLeaf
	length   int
}

// ztPath is a descent: the inner node and kid index at each level, then
// the leaf and the position in it.
type ztPath struct {
	inner [ztMaxHeight]*ztInner
	idx   [ztMaxHeight]int
	leaf  *ztLeaf
	pos   int
}

func (t *ztree) init() {
	*t = ztree{rootLeaf: &ztLeaf{}}
}

// route is the kid of x holding (score, member): the last separator not
// above it, or kid 0.
func (x *ztInner) route(score float64, member string) int {
	lo, hi := 1, x.n // the answer is in [lo-1, hi-1]
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if zless(score, member, x.sepS[mid], x.sepM[mid]) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo - 1
}

// lowerBound is the position of the first entry not below (score,
// member).
func (l *ztLeaf) lowerBound(score float64, member string) int {
	lo, hi := 0, l.n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if zless(l.scores[mid], l.members[mid], score, member) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

func (t *ztree) find(score float64, member string, p *ztPath) {
	if t.height == 0 {
		p.leaf = t.rootLeaf
	} else {
		x := t.root
		for d := 0; d < t.height; d++ {
			i := x.route(score, member)
			p.inner[d], p.idx[d] = x, i
			if d == t.height-1 {
				p.leaf = x.leaves[i]
			} else {
				x = x.kids[i]
			}
		}
	}
	p.pos = p.leaf.lowerBound(score, member)
}

// insert adds (score, member), which must not be present.
func (t *ztree) insert(score float64, member string) {
	var p ztPath
	t.find(score, member, &p)
	for d := 0; d < t.height; d++ {
		p.inner[d].counts[p.idx[d]]++
	}
	t.length++
	l := p.leaf
	copy(l.scores[p.pos+1:l.n+1], l.scores[p.pos:l.n])
	copy(l.members[p.pos+1:l.n+1], l.members[p.pos:l.n])
	l.scores[p.pos], l.members[p.pos] = score, member
	l.n++
	if l.n <= ztCap {
		return
	}
	// Split. An append at the end of the set (as loading in order does)
	// leaves the left leaf full rather than half empty.
	keep := l.n / 2
	if p.pos == l.n-1 && l.next == nil {
		keep = l.n - 1
	}
	r := &ztLeaf{n: l.n - keep}
	copy(r.scores[:], l.scores[keep:l.n])
	copy(r.members[:], l.members[keep:l.n])
	clear(l.members[keep:l.n])
	l.n = keep
	r.prev, r.next = l, l.next
	if l.next != nil {
		l.next.prev = r
	}
	l.next = r
	t.addKid(&p, t.height-1, r.scores[0], r.members[0], nil, r, l.n, r.n)
}

// addKid puts a new kid (inner or leaf) right after p.idx[d] in the inner
// node at level d, after its left neighbour split off from it; leftN and
// rightN are their entry counts. It splits upward as needed.
func (t *ztree) addKid(p *ztPath, d int, sepS float64, sepM string, kid *ztInner, leaf *ztLeaf, leftN, rightN int) {
	for ; d >= 0; d-- {
		x, i := p.inner[d], p.idx[d]+1
		x.counts[i-1] = leftN
		copy(x.sepS[i+1:x.n+1], x.sepS[i:x.n])
		copy(x.sepM[i+1:x.n+1], x.sepM[i:x.n])
		copy(x.counts[i+1:x.n+1], x.counts[i:x.n])
		copy(x.kids[i+1:x.n+1], x.kids[i:x.n])
		copy(x.leaves[i+1:x.n+1], x.leaves[i:x.n])
		x.sepS[i], x.sepM[i], x.counts[i], x.kids[i], x.leaves[i] = sepS, sepM, rightN, kid, leaf
		x.n++
		if x.n <= ztCap {
			return
		}
		keep := x.n / 2
		r := &ztInner{n: x.n - keep}
		copy(r.sepS[:], x.sepS[keep:x.n])
		copy(r.sepM[:], x.sepM[keep:x.n])
		copy(r.counts[:], x.counts[keep:x.n])
		copy(r.kids[:], x.kids[keep:x.n])
		copy(r.leaves[:], x.leaves[keep:x.n])
		clear(x.sepM[keep:x.n])
		clear(x.kids[keep:x.n])
		clear(x.leaves[keep:x.n])
		x.n = keep
		sepS, sepM, kid, leaf = r.sepS[0], r.sepM[0], r, nil
		r.sepM[0] = ""
		leftN, rightN = x.total(), r.total()
	}
	// The root split: a new root above the two halves.
	nr := &ztInner{n: 2}
	if t.height == 0 {
		nr.leaves[0], nr.leaves[1] = t.rootLeaf, leaf
		t.rootLeaf = nil
	} else {
		nr.kids[0], nr.kids[1] = t.root, kid
	}
	nr.sepS[1], nr.sepM[1] = sepS, sepM
	nr.counts[0], nr.counts[1] = leftN, rightN
	t.root = nr
	t.height++
}

func (x *ztInner) total() int {
	n := 0
	for _, c := range x.counts[:x.n] {
		n += c
	}
	return n
}

// delete removes (score, member) and reports whether it was there.
func (t *ztree) delete(score float64, member string) bool {
	var p ztPath
	t.find(score, member, &p)
	l := p.leaf
	if p.pos >= l.n || l.scores[p.pos] != score || l.members[p.pos] != member {
		return false
	}
	t.removeAt(&p)
	return true
}

// removeAt removes the entry p points at.
func (t *ztree) removeAt(p *ztPath) {
	for d := 0; d < t.height; d++ {
		p.inner[d].counts[p.idx[d]]--
	}
	t.length--
	l := p.leaf
	copy(l.scores[p.pos:l.n-1], l.scores[p.pos+1:l.n])
	copy(l.members[p.pos:l.n-1], l.members[p.pos+1:l.n])
	l.n--
	l.members[l.n] = ""
	if t.height == 0 || l.n >= ztMin {
		return
	}
	t.fixLeaf(p)
}

// fixLeaf brings the underfull leaf of p back to ztMin entries, taking
// from a neighbour under the same parent or merging with it.
func (t *ztree) fixLeaf(p *ztPath) {
	d := t.height - 1
	x, i := p.inner[d], p.idx[d]
	j := i - 1 // the pair is kids j and j+1
	if i == 0 {
		j = 0
	}
	a, b := x.leaves[j], x.leaves[j+1]
	if a.n+b.n <= ztCap {
		copy(a.scores[a.n:], b.scores[:b.n])
		copy(a.members[a.n:], b.members[:b.n])
		a.n += b.n
		a.next = b.next
		if b.next != nil {
			b.next.prev = a
		}
		x.counts[j] = a.n
		t.dropKid(p, d, j+1)
		return
	}
	// Even them out; the separator of b becomes b's new first key.
	total := a.n + b.n
	want := total / 2
	if a.n < want { // b gives its first entries to a
		k := want - a.n
		copy(a.scores[a.n:], b.scores[:k])
		copy(a.members[a.n:], b.members[:k])
		copy(b.scores[:], b.scores[k:b.n])
		copy(b.members[:], b.members[k:b.n])
		clear(b.members[b.n-k : b.n])
		a.n, b.n = want, b.n-k
	} else { // a gives its last entries to b
		k := a.n - want
		copy(b.scores[k:], b.scores[:b.n])
		copy(b.members[k:], b.members[:b.n])
		copy(b.scores[:k], a.scores[want:a.n])
		copy(b.members[:k], a.members[want:a.n])
		clear(a.members[want:a.n])
		a.n, b.n = want, b.n+k
	}
	x.counts[j], x.counts[j+1] = a.n, b.n
	x.sepS[j+1], x.sepM[j+1] = b.scores[0], b.members[0]
}

// dropKid removes kid k of the inner node at level d (merged into its
// left neighbour), then mends that node in turn.
func (t *ztree) dropKid(p *ztPath, d, k int) {
	for {
		x := p.inner[d]
		copy(x.sepS[k:x.n-1], x.sepS[k+1:x.n])
		copy(x.sepM[k:x.n-1], x.sepM[k+1:x.n])
		copy(x.counts[k:x.n-1], x.counts[k+1:x.n])
		copy(x.kids[k:x.n-1], x.kids[k+1:x.n])
		copy(x.leaves[k:x.n-1], x.leaves[k+1:x.n])
		x.n--
		x.sepM[x.n], x.kids[x.n], x.leaves[x.n] = "", nil, nil
		if d == 0 {
			// The root keeps any number of kids, but one is a level too many.
			if x.n == 1 {
				if t.height == 1 {
					t.rootLeaf, t.root = x.leaves[0], nil
				} else {
					t.root = x.kids[0]
				}
				t.height--
			}
			return
		}
		if x.n >= ztMin {
			return
		}
		// x is underfull: pair it with a neighbour under its parent.
		up, i := p.inner[d-1], p.idx[d-1]
		j := i - 1
		if i == 0 {
			j = 0
		}
		a, b := up.kids[j], up.kids[j+1]
		// b's kid 0 has its lower bound in up, not in b.
		b.sepS[0], b.sepM[0] = up.sepS[j+1], up.sepM[j+1]
		if a.n+b.n <= ztCap {
			copy(a.sepS[a.n:], b.sepS[:b.n])
			copy(a.sepM[a.n:], b.sepM[:b.n])
			copy(a.counts[a.n:], b.counts[:b.n])
			copy(a.kids[a.n:], b.kids[:b.n])
			copy(a.leaves[a.n:], b.leaves[:b.n])
			a.n += b.n
			up.counts[j] += up.counts[j+1]
			d, k = d-1, j+1
			continue
		}
		want := (a.n + b.n) / 2
		if a.n < want {
			k := want - a.n
			copy(a.sepS[a.n:], b.sepS[:k])
			copy(a.sepM[a.n:], b.sepM[:k])
			copy(a.counts[a.n:], b.counts[:k])
			copy(a.kids[a.n:], b.kids[:k])
			copy(a.leaves[a.n:], b.leaves[:k])
			copy(b.sepS[:], b.sepS[k:b.n])
			copy(b.sepM[:], b.sepM[k:b.n])
			copy(b.counts[:], b.counts[k:b.n])
			copy(b.kids[:], b.kids[k:b.n])
			copy(b.leaves[:], b.leaves[k:b.n])
			b.n -= k
			clear(b.sepM[b.n : b.n+k])
			clear(b.kids[b.n : b.n+k])
			clear(b.leaves[b.n : b.n+k])
			a.n = want
		} else {
			k := a.n - want
			copy(b.sepS[k:], b.sepS[:b.n])
			copy(b.sepM[k:], b.sepM[:b.n])
			copy(b.counts[k:], b.counts[:b.n])
			copy(b.kids[k:], b.kids[:b.n])
			copy(b.leaves[k:], b.leaves[:b.n])
			copy(b.sepS[:k], a.sepS[want:a.n])
			copy(b.sepM[:k], a.sepM[want:a.n])
			copy(b.counts[:k], a.counts[want:a.n])
			copy(b.kids[:k], a.kids[want:a.n])
			copy(b.leaves[:k], a.leaves[want:a.n])
			clear(a.sepM[want:a.n])
			clear(a.kids[want:a.n])
			clear(a.leaves[want:a.n])
			a.n, b.n = want, b.n+k
		}
		up.counts[j], up.counts[j+1] = a.total(), b.total()
		up.sepS[j+1], up.sepM[j+1] = b.sepS[0], b.sepM[0]
		b.sepM[0] = ""
		return
	}
}

// at is the leaf and position of the entry at 0-based rank r (valid).
func (t *ztree) at(r int) (*ztLeaf, int) {
	if t.height == 0 {
		return t.rootLeaf, r
	}
	x := t.root
	for d := 0; ; d++ {
		i := 0
		for r >= x.counts[i] {
			r -= x.counts[i]
			i++
		}
		if d == t.height-1 {
			return x.leaves[i], r
		}
		x = x.kids[i]
	}
}

// rank is the 0-based rank of (score, member), which must be present.
func (t *ztree) rank(score float64, member string) int {
	var p ztPath
	t.find(score, member, &p)
	r := p.pos
	for d := 0; d < t.height; d++ {
		for _, c := range p.inner[d].counts[:p.idx[d]] {
			r += c
		}
	}
	return r
}

// countWhile is how many entries, from the first, satisfy in, which must
// hold for a prefix of the order (a score bound; a lex bound when the
// scores are equal). Separators are lower bounds of their kids, so the
// boundary lies under the last kid whose separator satisfies in.
func (t *ztree) countWhile(in func(score float64, member string) bool) int {
	r := 0
	var l *ztLeaf
	if t.height == 0 {
		l = t.rootLeaf
	} else {
		x := t.root
		for d := 0; d < t.height; d++ {
			// The last separator that satisfies in (index 0 has none).
			i := sort.Search(x.n-1, func(j int) bool { return !in(x.sepS[j+1], x.sepM[j+1]) })
			for _, c := range x.counts[:i] {
				r += c
			}
			if d == t.height-1 {
				l = x.leaves[i]
			} else {
				x = x.kids[i]
			}
		}
	}
	return r + sort.Search(l.n, func(j int) bool { return !in(l.scores[j], l.members[j]) })
}

// each calls fn for the entries at ranks [start, end] (valid), ascending,
// or descending from end when rev, until fn returns false.
func (t *ztree) each(start, end int, rev bool, fn func(e zentry) bool) {
	n := end - start + 1
	if n <= 0 {
		return
	}
	if rev {
		l, i := t.at(end)
		for ; n > 0; n-- {
			if !fn(zentry{l.members[i], l.scores[i]}) {
				return
			}
			if i--; i < 0 && l.prev != nil {
				l = l.prev
				i = l.n - 1
			}
		}
		return
	}
	l, i := t.at(start)
	for ; n > 0; n-- {
		if !fn(zentry{l.members[i], l.scores[i]}) {
			return
		}
		if i++; i == l.n && l.next != nil {
			l, i = l.next, 0
		}
	}
}
