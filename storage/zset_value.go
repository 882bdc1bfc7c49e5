package storage

import (
	"strings"
	"unsafe"
)

// zsetEntryOverhead is one large set member's heap cost beyond its name
// (its tree entry at the tree's fill, map slot, string rounding), for
// memory accounting: measured with 50,000-member sets filled out of order
// (TestUsedMemoryTracksHeap); in order, leaves are full and a member costs
// 80. The skiplist this tree replaced cost 118.
const zsetEntryOverhead = 92

// zentry is one member and its score.
type zentry struct {
	member string
	score  float64
}

// zless is the sorted set order: by score, then by member bytes (Go
// compares strings as memcmp then length, exactly as sdscmp does).
func zless(s1 float64, m1 string, s2 float64, m2 string) bool {
	return s1 < s2 || s1 == s2 && m1 < m2
}

// zentryCompare orders entries as zless does, for slices.SortFunc.
func zentryCompare(a, b zentry) int {
	switch {
	case zless(a.score, a.member, b.score, b.member):
		return -1
	case zless(b.score, b.member, a.score, a.member):
		return 1
	}
	return 0
}

// zsetValue is the structure of a sorted set (Value.Obj() of a KindZSet).
//
// Small sets mirror Redis's listpack: lp packs the members in order in
// one copy-on-write string (see zset_listpack.go), scanned linearly,
// which for at most 128 short entries is cheap and compact. Past the
// limits the set converts, once and for good as in Redis 7.0, to the
// large form: what Redis calls (and OBJECT ENCODING reports as) the
// skiplist encoding, here an ordered tree (zset_tree.go) plus a map. That
// form lives behind a pointer so that a small set's struct stays at 32
// bytes.
type zsetValue struct {
	lp   string // the listpack form; unused once tree is set
	n    int    // members in lp
	tree *zsetTree
}

// zsetTree is the large form: an ordered tree counting its entries (so
// ranks and rank ranges are O(log n)) plus a map from member to score.
type zsetTree struct {
	ztree
	dict map[string]float64
	// bytes is the sum of member lengths, so MemoryUsage is O(1).
	bytes int64
}

func newZsetTree(n int) *zsetTree {
	t := &zsetTree{dict: make(map[string]float64, n)}
	t.ztree.init()
	return t
}

// add inserts a member the set does not hold. member is kept: it must
// not be a view of a listpack buffer (convert copies).
func (t *zsetTree) add(score float64, member string) {
	t.ztree.insert(score, member)
	t.dict[member] = score
	t.bytes += int64(len(member))
}

func newZSetValue() *zsetValue { return &zsetValue{} }

// Len is the number of members.
func (z *zsetValue) Len() int {
	if z.tree != nil {
		return z.tree.length
	}
	return z.n
}

// encoding is what OBJECT ENCODING reports.
func (z *zsetValue) encoding() Encoding {
	if z.tree != nil {
		return EncSkiplist
	}
	return EncListpack
}

// score returns member's score.
func (z *zsetValue) score(member []byte) (float64, bool) {
	if z.tree != nil {
		s, ok := z.tree.dict[string(member)] // no allocation for the lookup
		return s, ok
	}
	_, _, s, ok := z.zlpFind(member)
	return s, ok
}

// convert switches a listpack to the large form. Members are copied
// out of the buffer, so it can be collected.
func (z *zsetValue) convert() {
	if z.tree != nil {
		return
	}
	t := newZsetTree(z.n)
	for off := 0; off < len(z.lp); {
		m, s, next := zlpEntry(z.lp, off)
		t.add(s, strings.Clone(m))
		off = next
	}
	z.tree, z.lp, z.n = t, "", 0
}

// add inserts a new member (the caller checked it is absent). Like
// zsetAdd it converts first when the set would pass the entry limit or
// the member is too long.
func (z *zsetValue) add(member []byte, score float64) {
	if cfg := encoding(); z.tree == nil && (int64(z.n)+1 > cfg.ZSetMaxListpackEntries || int64(len(member)) > cfg.ZSetMaxListpackValue) {
		z.convert()
	}
	if z.tree != nil {
		z.tree.add(score, string(member))
		return
	}
	// A listpack stores scores as text: -0 reads back as 0.
	if score == 0 {
		score = 0
	}
	ins := z.zlpInsertAt(member, score)
	z.lp = zlpEdit(z.lp, ins, ins, ins, true, member, score)
	z.n++
}

// update moves an existing member from old to score.
func (z *zsetValue) update(member []byte, old, score float64) {
	if old == score {
		return
	}
	if z.tree != nil {
		// The entry keeps the member string the map holds: no allocation.
		t := z.tree
		var p ztPath
		t.find(old, string(member), &p)
		m := p.leaf.members[p.pos]
		t.removeAt(&p)
		t.insert(score, m)
		t.dict[m] = score
		return
	}
	if score == 0 {
		score = 0
	}
	// One new buffer: the entry leaves its place and enters its new one.
	off, end, ins := z.zlpMove(member, score)
	z.lp = zlpEdit(z.lp, off, end, ins, true, member, score)
}

// remove deletes member and reports whether it was there.
func (z *zsetValue) remove(member []byte) bool {
	s, ok := z.score(member)
	if ok {
		z.del(member, s)
	}
	return ok
}

// del removes member, whose score is s.
func (z *zsetValue) del(member []byte, s float64) {
	if t := z.tree; t != nil {
		t.bytes -= int64(len(member))
		t.ztree.delete(s, string(member))
		delete(t.dict, string(member))
		return
	}
	off, end, _, ok := z.zlpFind(member)
	if !ok {
		return
	}
	z.lp = zlpEdit(z.lp, off, end, 0, false, nil, 0)
	z.n--
}

// rank is member's 0-based position in ascending order, -1 when absent.
func (z *zsetValue) rank(member []byte) int {
	if z.tree != nil {
		s, ok := z.score(member)
		if !ok {
			return -1
		}
		return z.tree.rank(s, string(member))
	}
	for i, off := 0, 0; off < len(z.lp); i++ {
		m, next := zlpMember(z.lp, off)
		if m == string(member) {
			return i
		}
		off = next
	}
	return -1
}

// countBelow is how many members score below s, or at most s when
// inclusive: ZCOUNT and the score ranges are differences of two of these.
func (z *zsetValue) countBelow(s float64, inclusive bool) int {
	if z.tree != nil {
		return z.tree.countWhile(func(es float64, _ string) bool { return es < s || inclusive && es == s })
	}
	i := 0
	for off := 0; off < len(z.lp); i++ {
		_, es, next := zlpEntry(z.lp, off)
		if es > s || !inclusive && es == s {
			break
		}
		off = next
	}
	return i
}

// each calls fn for the members at ranks [start, end] (0-based, valid),
// ascending, or descending from end down to start when rev, until fn
// returns false. Members of a listpack are substrings of its immutable
// buffer: fn may keep them.
func (z *zsetValue) each(start, end int, rev bool, fn func(e zentry) bool) {
	if start > end {
		return
	}
	if z.tree == nil {
		if rev {
			z.zlpEachRev(start, end, fn)
			return
		}
		off := zlpSkip(z.lp, 0, start)
		for i := start; i <= end; i++ {
			m, s, next := zlpEntry(z.lp, off)
			if !fn(zentry{m, s}) {
				return
			}
			off = next
		}
		return
	}
	z.tree.each(start, end, rev, fn)
}

// at is the member at 0-based rank i (valid).
func (z *zsetValue) at(i int) zentry {
	if z.tree == nil {
		m, s, _ := zlpEntry(z.lp, zlpSkip(z.lp, 0, i))
		return zentry{m, s}
	}
	l, j := z.tree.at(i)
	return zentry{l.members[j], l.scores[j]}
}

// lexFirst is the rank of the first member at or past min, searched as
// Redis does for a listpack (a scan), so even a listpack with mixed
// scores, where Redis leaves the result unspecified, gives Redis's answer.
// (For a large set with mixed scores Redis's answer depends on its
// skiplist's random levels.) It is Len() when there is none.
func (z *zsetValue) lexFirst(min lexBound) int {
	if z.tree == nil {
		i := 0
		for off := 0; off < len(z.lp); i++ {
			m, _, next := zlpEntry(z.lp, off)
			if min.gteMin(m) {
				return i
			}
			off = next
		}
		return i
	}
	return z.tree.countWhile(func(_ float64, m string) bool { return !min.gteMin(m) })
}

// lexLast is the rank of the last member at or before max, -1 if none.
func (z *zsetValue) lexLast(max lexBound) int {
	if z.tree == nil {
		// Redis scans back from the tail; the last match forward is the
		// same member.
		last := -1
		for i, off := 0, 0; off < len(z.lp); i++ {
			m, _, next := zlpEntry(z.lp, off)
			if max.lteMax(m) {
				last = i
			}
			off = next
		}
		return last
	}
	return z.tree.countWhile(func(_ float64, m string) bool { return max.lteMax(m) }) - 1
}

// removeRanks deletes the members at ranks [start, end] (valid).
func (z *zsetValue) removeRanks(start, end int) {
	if z.tree == nil {
		off := zlpSkip(z.lp, 0, start)
		stop := zlpSkip(z.lp, off, end-start+1)
		z.lp = zlpEdit(z.lp, off, stop, 0, false, nil, 0)
		z.n -= end - start + 1
		return
	}
	var doomed []zentry
	z.each(start, end, false, func(e zentry) bool { doomed = append(doomed, e); return true })
	for _, e := range doomed {
		z.del(strBytes(e.member), e.score)
	}
}

// Clone is a deep copy, for COPY. A listpack buffer is immutable and so
// shared, as are member strings.
func (z *zsetValue) Clone() any {
	c := &zsetValue{lp: z.lp, n: z.n}
	if z.tree == nil {
		return c
	}
	c.tree = newZsetTree(len(z.tree.dict))
	z.tree.each(0, z.tree.length-1, false, func(e zentry) bool {
		c.tree.add(e.score, e.member)
		return true
	})
	return c
}

// MemoryUsage is the approximate payload size, for memory accounting: a
// listpack costs its buffer, a skiplist its members plus per-member
// overhead.
func (z *zsetValue) MemoryUsage() int64 {
	self := allocSize(int64(unsafe.Sizeof(*z)))
	if z.tree == nil {
		return self + allocSize(int64(len(z.lp)))
	}
	return self + z.tree.bytes + int64(z.tree.length)*zsetEntryOverhead
}
