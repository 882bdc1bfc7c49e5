package storage

import (
	"math/rand/v2"
	"strings"
	"unsafe"
)

// zsetEntryOverhead is one skiplist member's heap cost beyond its name
// (skiplist node with its levels, map slot, string rounding), for memory
// accounting: measured with 50,000-member sets (TestUsedMemoryTracksHeap).
const zsetEntryOverhead = 118

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

// zsetValue is the structure of a sorted set (Value.Obj() of a KindZSet).
//
// Small sets mirror Redis's listpack: lp packs the members in order in
// one copy-on-write string (see zset_listpack.go), scanned linearly,
// which for at most 128 short entries is cheap and compact. Past the
// limits the set converts, once and for good as in Redis 7.0, to Redis's
// skiplist form zsl. That form lives behind a pointer so that a small
// set's struct stays at 32 bytes.
type zsetValue struct {
	lp  string // the listpack form; unused once zsl is set
	n   int    // members in lp
	zsl *zsetSkiplist
}

// zsetSkiplist is the skiplist form: a skiplist with spans (so ranks and
// rank ranges are O(log n)) plus a map from member to score.
type zsetSkiplist struct {
	skiplist
	dict map[string]float64
	// bytes is the sum of member lengths, so MemoryUsage is O(1).
	bytes int64
}

func newZsetSkiplist(n int) *zsetSkiplist {
	t := &zsetSkiplist{dict: make(map[string]float64, n)}
	t.skiplist.init()
	return t
}

// add inserts a member the set does not hold. member is kept: it must
// not be a view of a listpack buffer (convert copies).
func (t *zsetSkiplist) add(score float64, member string) {
	t.skiplist.insert(score, member)
	t.dict[member] = score
	t.bytes += int64(len(member))
}

func newZSetValue() *zsetValue { return &zsetValue{} }

// Len is the number of members.
func (z *zsetValue) Len() int {
	if z.zsl != nil {
		return z.zsl.length
	}
	return z.n
}

// encoding is what OBJECT ENCODING reports.
func (z *zsetValue) encoding() Encoding {
	if z.zsl != nil {
		return EncSkiplist
	}
	return EncListpack
}

// score returns member's score.
func (z *zsetValue) score(member []byte) (float64, bool) {
	if z.zsl != nil {
		s, ok := z.zsl.dict[string(member)] // no allocation for the lookup
		return s, ok
	}
	_, _, s, ok := z.zlpFind(member)
	return s, ok
}

// convert switches a listpack to the skiplist form. Members are copied
// out of the buffer, so it can be collected.
func (z *zsetValue) convert() {
	if z.zsl != nil {
		return
	}
	t := newZsetSkiplist(z.n)
	for off := 0; off < len(z.lp); {
		m, s, next := zlpEntry(z.lp, off)
		t.add(s, strings.Clone(m))
		off = next
	}
	z.zsl, z.lp, z.n = t, "", 0
}

// add inserts a new member (the caller checked it is absent). Like
// zsetAdd it converts first when the set would pass the entry limit or
// the member is too long.
func (z *zsetValue) add(member []byte, score float64) {
	if cfg := encoding(); z.zsl == nil && (int64(z.n)+1 > cfg.ZSetMaxListpackEntries || int64(len(member)) > cfg.ZSetMaxListpackValue) {
		z.convert()
	}
	if z.zsl != nil {
		z.zsl.add(score, string(member))
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
	if z.zsl != nil {
		// Relink the same node, as zslUpdateScore does: no allocation,
		// and the dict keeps its key.
		x := z.zsl.delete(old, string(member))
		x.score = score
		z.zsl.insertNode(x)
		z.zsl.dict[x.member] = score
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
	if t := z.zsl; t != nil {
		t.bytes -= int64(len(member))
		t.delete(s, string(member))
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
	if z.zsl != nil {
		s, ok := z.score(member)
		if !ok {
			return -1
		}
		return z.zsl.rank(s, string(member)) - 1
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
	if z.zsl != nil {
		return z.zsl.countBelow(s, inclusive)
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
	if z.zsl == nil {
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
	from := start
	if rev {
		from = end
	}
	x := z.zsl.byRank(from + 1)
	for n := end - start + 1; n > 0 && x != nil; n-- {
		if !fn(zentry{x.member, x.score}) {
			return
		}
		if rev {
			x = x.backward
		} else {
			x = x.level()[0].forward
		}
	}
}

// at is the member at 0-based rank i (valid).
func (z *zsetValue) at(i int) zentry {
	if z.zsl == nil {
		m, s, _ := zlpEntry(z.lp, zlpSkip(z.lp, 0, i))
		return zentry{m, s}
	}
	x := z.zsl.byRank(i + 1)
	return zentry{x.member, x.score}
}

// lexFirst is the rank of the first member at or past min, searched as
// Redis does (a scan of a listpack, a walk down the skiplist), so even a
// set with mixed scores, where Redis leaves the result unspecified, gives
// Redis's answer. It is Len() when there is none.
func (z *zsetValue) lexFirst(min lexBound) int {
	if z.zsl == nil {
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
	r, x := 0, z.zsl.header
	for i := z.zsl.level - 1; i >= 0; i-- {
		for f := x.level()[i].forward; f != nil && !min.gteMin(f.member); f = x.level()[i].forward {
			r += x.level()[i].span
			x = f
		}
	}
	return r
}

// lexLast is the rank of the last member at or before max, -1 if none.
func (z *zsetValue) lexLast(max lexBound) int {
	if z.zsl == nil {
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
	r, x := 0, z.zsl.header
	for i := z.zsl.level - 1; i >= 0; i-- {
		for f := x.level()[i].forward; f != nil && max.lteMax(f.member); f = x.level()[i].forward {
			r += x.level()[i].span
			x = f
		}
	}
	return r - 1
}

// removeRanks deletes the members at ranks [start, end] (valid).
func (z *zsetValue) removeRanks(start, end int) {
	if z.zsl == nil {
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
	if z.zsl == nil {
		return c
	}
	c.zsl = newZsetSkiplist(len(z.zsl.dict))
	for x := z.zsl.header.level()[0].forward; x != nil; x = x.level()[0].forward {
		c.zsl.add(x.score, x.member)
	}
	return c
}

// MemoryUsage is the approximate payload size, for memory accounting: a
// listpack costs its buffer, a skiplist its members plus per-member
// overhead.
func (z *zsetValue) MemoryUsage() int64 {
	self := allocSize(int64(unsafe.Sizeof(*z)))
	if z.zsl == nil {
		return self + allocSize(int64(len(z.lp)))
	}
	return self + z.zsl.bytes + int64(z.zsl.length)*zsetEntryOverhead
}

// The skiplist is Redis's t_zset.c zskiplist: levels drawn with p = 1/4,
// each forward link carrying its span (how many level-0 steps it skips),
// so the walk to a node sums its rank.
const (
	zslMaxLevel = 32
	zslP        = 0.25
)

type zslLevel struct {
	forward *zslNode
	span    int
}

type zslNode struct {
	member   string
	score    float64
	backward *zslNode
	// nlevel is the length of the level array that lives right behind the
	// node in the same allocation (see newZslNode); level() views it.
	nlevel int
}

// level is the node's level array. Nodes are only ever allocated as one of
// the zslNodeN types below, whose array directly follows the zslNode, so
// the pointer stays inside the node's own allocation.
func (n *zslNode) level() []zslLevel {
	return unsafe.Slice((*zslLevel)(unsafe.Add(unsafe.Pointer(n), unsafe.Sizeof(zslNode{}))), n.nlevel)
}

type skiplist struct {
	header, tail *zslNode
	length       int
	level        int
}

// Nodes are allocated together with their level array: a walk reads a
// node's score and the link it follows from one place in memory, instead
// of chasing a separate slice, which halves the cache misses of ZADD on a
// large set. Level counts are rounded up to these sizes.
type (
	zslNode1 struct {
		zslNode
		lv [1]zslLevel
	}
	zslNode2 struct {
		zslNode
		lv [2]zslLevel
	}
	zslNode4 struct {
		zslNode
		lv [4]zslLevel
	}
	zslNode8 struct {
		zslNode
		lv [8]zslLevel
	}
	zslNodeMax struct {
		zslNode
		lv [zslMaxLevel]zslLevel
	}
)

func newZslNode(score float64, member string, lvl int) *zslNode {
	var n *zslNode
	switch {
	case lvl == 1:
		c := &zslNode1{}
		n = &c.zslNode
	case lvl == 2:
		c := &zslNode2{}
		n = &c.zslNode
	case lvl <= 4:
		c := &zslNode4{}
		n = &c.zslNode
	case lvl <= 8:
		c := &zslNode8{}
		n = &c.zslNode
	default:
		c := &zslNodeMax{}
		n = &c.zslNode
	}
	n.score, n.member, n.nlevel = score, member, lvl
	return n
}

// init makes l an empty skiplist.
func (l *skiplist) init() {
	*l = skiplist{header: newZslNode(0, "", zslMaxLevel), level: 1}
}

func zslRandomLevel() int {
	l := 1
	for l < zslMaxLevel && rand.Float64() < zslP {
		l++
	}
	return l
}

// insert adds a node; the member must not be present.
func (l *skiplist) insert(score float64, member string) {
	l.insertNode(newZslNode(score, member, zslRandomLevel()))
}

// insertNode links x, whose score, member and level count are set, in
// its place; delete's result can be linked again with a new score, which
// is how a score update avoids any allocation.
func (l *skiplist) insertNode(node *zslNode) {
	score, member := node.score, node.member
	var update [zslMaxLevel]*zslNode
	var rank [zslMaxLevel]int
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		if i < l.level-1 {
			rank[i] = rank[i+1]
		}
		for f := x.level()[i].forward; f != nil && zless(f.score, f.member, score, member); f = x.level()[i].forward {
			rank[i] += x.level()[i].span
			x = f
		}
		update[i] = x
	}
	lvl := node.nlevel
	if lvl > l.level {
		for i := l.level; i < lvl; i++ {
			rank[i] = 0
			update[i] = l.header
			update[i].level()[i].span = l.length
		}
		l.level = lvl
	}
	x = node
	for i := 0; i < lvl; i++ {
		x.level()[i].forward = update[i].level()[i].forward
		update[i].level()[i].forward = x
		x.level()[i].span = update[i].level()[i].span - (rank[0] - rank[i])
		update[i].level()[i].span = rank[0] - rank[i] + 1
	}
	for i := lvl; i < l.level; i++ {
		update[i].level()[i].span++
	}
	x.backward = nil
	if update[0] != l.header {
		x.backward = update[0]
	}
	if f := x.level()[0].forward; f != nil {
		f.backward = x
	} else {
		l.tail = x
	}
	l.length++
}

// delete unlinks the node (score, member) and returns it (nil when it is
// not there).
func (l *skiplist) delete(score float64, member string) *zslNode {
	var update [zslMaxLevel]*zslNode
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for f := x.level()[i].forward; f != nil && zless(f.score, f.member, score, member); f = x.level()[i].forward {
			x = f
		}
		update[i] = x
	}
	x = x.level()[0].forward
	if x == nil || x.score != score || x.member != member {
		return nil
	}
	for i := 0; i < l.level; i++ {
		if update[i].level()[i].forward == x {
			update[i].level()[i].span += x.level()[i].span - 1
			update[i].level()[i].forward = x.level()[i].forward
		} else {
			update[i].level()[i].span--
		}
	}
	if f := x.level()[0].forward; f != nil {
		f.backward = x.backward
	} else {
		l.tail = x.backward
	}
	for l.level > 1 && l.header.level()[l.level-1].forward == nil {
		l.level--
	}
	l.length--
	return x
}

// rank is the 1-based rank of (score, member), which must be present.
func (l *skiplist) rank(score float64, member string) int {
	r := 0
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for f := x.level()[i].forward; f != nil && !zless(score, member, f.score, f.member); f = x.level()[i].forward {
			r += x.level()[i].span
			x = f
		}
		if x.member == member && x != l.header {
			return r
		}
	}
	return 0
}

// countBelow counts nodes scoring below s (at most s when inclusive).
func (l *skiplist) countBelow(s float64, inclusive bool) int {
	r := 0
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for f := x.level()[i].forward; f != nil && (f.score < s || inclusive && f.score == s); f = x.level()[i].forward {
			r += x.level()[i].span
			x = f
		}
	}
	return r
}

// byRank returns the node at 1-based rank.
func (l *skiplist) byRank(rank int) *zslNode {
	r := 0
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for x.level()[i].forward != nil && r+x.level()[i].span <= rank {
			r += x.level()[i].span
			x = x.level()[i].forward
		}
		if r == rank {
			return x
		}
	}
	return nil
}
