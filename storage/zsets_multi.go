package storage

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/shardis/shardis/proxy/wire"
	"github.com/shardis/shardis/storage/glob"
)

// The multi-key sorted set commands: ZUNION, ZINTER, ZDIFF, their STORE
// forms and ZINTERCARD, all zunionInterDiffGenericCommand in Redis, and
// ZRANGESTORE and ZMPOP; with them ZRANDMEMBER and ZSCAN. Keys
// may live on different instances; the command holds every owner's lock
// for its whole run, so a STORE reads its sources and replaces its
// destination atomically, as one Redis would.

func registerZSetsMulti(r *registry) {
	r.add("zunion", func(c *Ctx) { zsetAlgebra(c, zopUnion, false, false) })
	r.add("zinter", func(c *Ctx) { zsetAlgebra(c, zopInter, false, false) })
	r.add("zdiff", func(c *Ctx) { zsetAlgebra(c, zopDiff, false, false) })
	r.add("zunionstore", func(c *Ctx) { zsetAlgebra(c, zopUnion, true, false) })
	r.add("zinterstore", func(c *Ctx) { zsetAlgebra(c, zopInter, true, false) })
	r.add("zdiffstore", func(c *Ctx) { zsetAlgebra(c, zopDiff, true, false) })
	r.add("zintercard", func(c *Ctx) { zsetAlgebra(c, zopInter, false, true) })
	r.add("zrangestore", cmdZRangeStore)
	r.add("zrandmember", cmdZRandMember)
	r.add("zscan", cmdZScan)
	r.add("zmpop", cmdZMPop)
}

// The operations (SET_OP_*) and aggregates (REDIS_AGGR_*).
const (
	zopUnion = iota
	zopInter
	zopDiff
)

const (
	zaggSum = iota
	zaggMin
	zaggMax
)

// zsrc is one input (zsetopsrc): a sorted set, a plain set (every member
// scoring 1) or nothing, with its weight.
type zsrc struct {
	z      *zsetValue
	s      *setObj
	weight float64
}

func (s *zsrc) card() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.s != nil:
		return s.s.card()
	}
	return 0
}

// each calls fn with every member and score, stopping when fn is false.
func (s *zsrc) each(fn func(m string, score float64) bool) {
	switch {
	case s.z != nil:
		s.z.each(0, s.z.Len()-1, false, func(e zentry) bool { return fn(e.member, e.score) })
	case s.s != nil:
		s.s.each(func(m []byte) bool { return fn(string(m), 1) })
	}
}

// find is zuiFind: member's score in the input.
func (s *zsrc) find(m string) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.score([]byte(m))
	case s.s != nil:
		if s.s.has([]byte(m)) {
			return 1, true
		}
	}
	return 0, false
}

// zaggregate is zunionInterAggregate; a NaN sum (inf + -inf) is 0.
func zaggregate(target *float64, val float64, agg int) {
	switch agg {
	case zaggSum:
		*target += val
		if math.IsNaN(*target) {
			*target = 0
		}
	case zaggMin:
		if val < *target {
			*target = val
		}
	case zaggMax:
		if val > *target {
			*target = val
		}
	}
}

// zweighted is weight*score, 0 when NaN (0 * inf), as Redis does.
func zweighted(w, s float64) float64 {
	v := w * s
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// zalgebraArgs is a parsed command.
type zalgebraArgs struct {
	keys       [][]byte
	weights    []float64
	agg        int
	withScores bool
	limit      int64
}

// parseZAlgebra parses args (from numkeys on) with Redis's checks in
// Redis's order: numkeys, the key count, every key's type, then the
// options. It returns the inputs too, since the type check comes first.
func parseZAlgebra(c *Ctx, args [][]byte, op int, store, cardOnly bool) (zalgebraArgs, []zsrc, error) {
	var a zalgebraArgs
	n, ok := parseCanonicalInt(args[0])
	if !ok {
		return a, nil, errNotInteger
	}
	if n < 1 {
		return a, nil, replyError(ErrZSetNeedKey(c.Cmd.Name))
	}
	if n > int64(len(args)-1) {
		return a, nil, errSyntax
	}
	a.keys = args[1 : 1+n]
	srcs := make([]zsrc, n)
	for i, k := range a.keys {
		v := c.KS.Read(k)
		if v == nil {
			continue
		}
		switch v.Kind {
		case KindZSet:
			srcs[i].z = v.Obj().(*zsetValue)
		case KindSet:
			_, srcs[i].s, _ = asSet(v)
		default:
			return a, nil, errWrongType
		}
	}
	for i := range srcs {
		srcs[i].weight = 1
	}
	rest := args[1+n:]
	for j := 0; j < len(rest); j++ {
		remaining := len(rest) - j
		switch o := rest[j]; {
		case op != zopDiff && !cardOnly && remaining >= int(n)+1 && isOpt(o, "weights"):
			for i := range srcs {
				j++
				w, ok := parseScore(rest[j])
				if !ok {
					return a, nil, replyError(ErrZSetWeightFloat)
				}
				srcs[i].weight = w
			}
		case op != zopDiff && !cardOnly && remaining >= 2 && isOpt(o, "aggregate"):
			j++
			switch t := rest[j]; {
			case isOpt(t, "sum"):
				a.agg = zaggSum
			case isOpt(t, "min"):
				a.agg = zaggMin
			case isOpt(t, "max"):
				a.agg = zaggMax
			default:
				return a, nil, errSyntax
			}
		case !store && !cardOnly && isOpt(o, "withscores"):
			a.withScores = true
		case cardOnly && remaining >= 2 && isOpt(o, "limit"):
			j++
			l, ok := parseCanonicalInt(rest[j])
			if !ok || l < 0 {
				return a, nil, replyError(ErrLimitNegative)
			}
			a.limit = l
		default:
			return a, nil, errSyntax
		}
	}
	return a, srcs, nil
}

// zunionSrcs is the union of srcs as a new sorted set. Like Redis it
// aggregates the inputs from the smallest to the largest (a stable sort,
// as glibc's qsort is for so few), and the order matters: float sums
// round differently ((1+0.1)+0.1 is not 1+(0.1+0.1)), and inf + -inf,
// which becomes 0, may come before or after a third score.
func zunionSrcs(srcs []zsrc, agg int) []zentry {
	scores := map[string]float64{}
	var order []string
	srcs = slices.Clone(srcs)
	slices.SortStableFunc(srcs, func(a, b zsrc) int { return a.card() - b.card() })
	for i := range srcs {
		src := &srcs[i]
		src.each(func(m string, s float64) bool {
			v := zweighted(src.weight, s)
			if cur, ok := scores[m]; ok {
				zaggregate(&cur, v, agg)
				scores[m] = cur
			} else {
				scores[m] = v
				order = append(order, m)
			}
			return true
		})
	}
	return zsetFromScores(order, scores)
}

// zinterEach calls fn with each member of the intersection and its
// aggregated score, walking the smallest input, until fn returns false.
func zinterEach(srcs []zsrc, agg int, fn func(m string, score float64) bool) {
	for i := range srcs {
		if srcs[i].card() == 0 {
			return
		}
	}
	sorted := slices.Clone(srcs)
	slices.SortStableFunc(sorted, func(a, b zsrc) int { return a.card() - b.card() })
	first := &sorted[0]
	first.each(func(m string, s float64) bool {
		score := zweighted(first.weight, s)
		for j := 1; j < len(sorted); j++ {
			o := &sorted[j]
			v, ok := o.find(m)
			if !ok {
				return true
			}
			// Only the first weighted score has NaN made 0, as in Redis.
			zaggregate(&score, o.weight*v, agg)
		}
		return fn(m, score)
	})
}

// zdiffSrcs is the members of the first input in none of the others,
// with their first scores.
func zdiffSrcs(srcs []zsrc) []zentry {
	scores := map[string]float64{}
	var order []string
	srcs[0].each(func(m string, s float64) bool {
		for j := 1; j < len(srcs); j++ {
			if _, ok := srcs[j].find(m); ok {
				return true
			}
		}
		scores[m] = s
		order = append(order, m)
		return true
	})
	return zsetFromScores(order, scores)
}

// zsetFromScores is the result in sorted set order. Redis builds it as a
// skiplist, so a reply keeps a -0 score that a stored listpack loses.
func zsetFromScores(order []string, scores map[string]float64) []zentry {
	es := make([]zentry, len(order))
	for i, m := range order {
		es[i] = zentry{m, scores[m]}
	}
	slices.SortFunc(es, zentryCompare)
	return es
}

// zsetAlgebra runs a command: Args[1] is numkeys, or the destination
// when store.
func zsetAlgebra(c *Ctx, op int, store, cardOnly bool) {
	first := 1
	if store {
		first = 2
	}
	a, srcs, err := parseZAlgebra(c, c.Args[first:], op, store, cardOnly)
	if err != nil {
		writeErr(c, err)
		return
	}
	if cardOnly {
		var n int64
		zinterEach(srcs, a.agg, func(string, float64) bool {
			n++
			return a.limit == 0 || n < a.limit
		})
		c.W.Int(n)
		return
	}
	var es []zentry
	switch op {
	case zopUnion:
		es = zunionSrcs(srcs, a.agg)
	case zopInter:
		var order []string
		scores := map[string]float64{}
		zinterEach(srcs, a.agg, func(m string, s float64) bool {
			if _, ok := scores[m]; !ok {
				order = append(order, m)
			}
			scores[m] = s
			return true
		})
		es = zsetFromScores(order, scores)
	default:
		es = zdiffSrcs(srcs)
	}
	if store {
		c.W.Int(storeZSet(&c.KS, c.Args[1], es))
		return
	}
	writeZEntries(c, es, a.withScores, true)
}

// storeZSet replaces dst (any type, any deadline) with the entries es,
// or deletes it when es is empty, and returns the cardinality. Built by
// add, the set ends in the encoding Redis's conversion gives it (a
// listpack when small enough and short enough).
func storeZSet(ks *Keyspace, dst []byte, es []zentry) int64 {
	if len(es) == 0 {
		ks.Delete(dst)
		return 0
	}
	z := newZSetValue()
	for _, e := range es {
		z.add([]byte(e.member), e.score)
	}
	ks.Put(dst, objValue(KindZSet, z.encoding(), z))
	return int64(z.Len())
}

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
func cmdZRangeStore(c *Ctx) {
	args := c.Args[2:]
	// Redis parses the options with WITHSCORES unknown to the store form:
	// a syntax error where the parse meets it.
	for j := 3; j < len(args); j++ {
		if isOpt(args[j], "withscores") {
			c.W.Error(ErrSyntax)
			return
		}
		if isOpt(args[j], "limit") && len(args)-j-1 >= 2 {
			_, ok1 := parseCanonicalInt(args[j+1])
			_, ok2 := parseCanonicalInt(args[j+2])
			if !ok1 || !ok2 {
				break // parseZRange reports it
			}
			j += 2
		}
	}
	a, err := parseZRange(args, zrangeAuto, false, false)
	if err != nil {
		writeErr(c, err)
		return
	}
	z, err := readZSet(&c.KS, args[0])
	switch {
	case err != nil:
		writeErr(c, err)
	case z == nil:
		c.W.Int(storeZSet(&c.KS, c.Args[1], nil))
	default:
		c.W.Int(storeZSet(&c.KS, c.Args[1], a.collect(z)))
	}
}

// ZRANDMEMBER key [count [WITHSCORES]]
func cmdZRandMember(c *Ctx) {
	if len(c.Args) == 2 {
		z, err := readZSet(&c.KS, c.Args[1])
		switch {
		case err != nil:
			writeErr(c, err)
		case z == nil:
			c.W.Null()
		default:
			c.W.BulkString(z.at(rand.IntN(z.Len())).member)
		}
		return
	}
	count, withScores, ok := parseRandomCount(c, "withscores")
	if !ok {
		return
	}
	z, err := readZSet(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if z == nil || count == 0 {
		c.W.Array(0)
		return
	}
	// A huge negative count would build a reply that exhausts memory
	// (Redis itself tries): treat it as passing the output limit.
	if count < 0 && -count > c.Limits.maxReplyItems()/2 {
		c.ReplyOverflow = true
		return
	}
	writeZEntries(c, randZEntries(z, count), withScores, true)
}

// randZEntries is zrandmemberWithCountCommand's choice. A negative count
// samples with repetition; a positive one returns distinct members, the
// whole set (in descending order, as Redis replies it) when count
// reaches its size.
func randZEntries(z *zsetValue, count int64) []zentry {
	size := int64(z.Len())
	at := z.at
	if z.tree == nil && count != 1 && count < size {
		// A listpack has no random access: index it once.
		all := make([]zentry, 0, size)
		z.each(0, int(size)-1, false, func(e zentry) bool { all = append(all, e); return true })
		at = func(i int) zentry { return all[i] }
	}
	switch {
	case count < 0 || count == 1:
		count = max(count, -count)
		out := make([]zentry, count)
		for i := range out {
			out[i] = at(rand.IntN(int(size)))
		}
		return out
	case count >= size:
		out := make([]zentry, 0, size)
		z.each(0, int(size)-1, true, func(e zentry) bool { out = append(out, e); return true })
		return out
	}
	// A partial Fisher-Yates shuffle of the ranks picks count distinct
	// members in random order.
	perm := make([]int, size)
	for i := range perm {
		perm[i] = i
	}
	out := make([]zentry, count)
	for i := range out {
		j := i + rand.IntN(len(perm)-i)
		perm[i], perm[j] = perm[j], perm[i]
		out[i] = at(perm[i])
	}
	return out
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
func cmdZScan(c *Ctx) {
	cursor, ok := parseCursor(c.Args[2])
	if !ok {
		c.W.Error(ErrInvalidCursor)
		return
	}
	// A missing key replies the empty scan before the options are read.
	z, err := readZSet(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if z == nil {
		c.W.Array(2)
		c.W.BulkString("0")
		c.W.Array(0)
		return
	}
	o, ok := parseScanOptions(c, 3, false)
	if !ok {
		return
	}
	match, count := o.match, o.count
	es, next := z.scan(cursor, int(min(count, 1<<30)))
	if match != nil {
		kept := es[:0]
		for _, e := range es {
			if glob.Match(match, strBytes(e.member), false) {
				kept = append(kept, e)
			}
		}
		es = kept
	}
	c.W.Array(2)
	var tmp [40]byte
	c.W.Bulk(strconv.AppendUint(tmp[:0], next, 10))
	c.W.Array(2 * len(es))
	for _, e := range es {
		c.W.BulkString(e.member)
		c.W.Bulk(appendScoreText(tmp[:0], e.score))
	}
}

// appendScoreText is d2string: what ZSCAN replies for a score, a bulk
// string even in RESP3.
func appendScoreText(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	return wire.AppendG17(b, f)
}

// scan returns the entries at or after cursor in ZSCAN order, at least
// count of them unless the walk ends, and the cursor to continue from (0
// when done). A listpack is returned whole with cursor 0, as Redis does.
// The cursor is a hash position (scanHash, as SSCAN's), so a member
// present for a whole walk is returned exactly once.
func (z *zsetValue) scan(cursor uint64, count int) ([]zentry, uint64) {
	if z.tree == nil {
		out := make([]zentry, 0, z.Len())
		z.each(0, z.Len()-1, false, func(e zentry) bool { out = append(out, e); return true })
		return out, 0
	}
	type hk struct {
		h uint64
		e zentry
	}
	var todo []hk
	for m, s := range z.tree.dict {
		if h := scanHash(m); h >= cursor {
			todo = append(todo, hk{h, zentry{m, s}})
		}
	}
	slices.SortFunc(todo, func(a, b hk) int {
		switch {
		case a.h != b.h:
			return cmpU64(a.h, b.h)
		case a.e.member < b.e.member:
			return -1
		case a.e.member > b.e.member:
			return 1
		}
		return 0
	})
	var out []zentry
	for i, e := range todo {
		if len(out) >= count && e.h != todo[i-1].h {
			return out, e.h
		}
		out = append(out, e.e)
	}
	return out, 0
}

func cmpU64(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
func cmdZMPop(c *Ctx) {
	keys, fromMax, count, ok := parseZMPop(c, 1)
	if !ok {
		return
	}
	if served, ok := zmpopFirst(c, keys, fromMax, count); ok && !served {
		c.W.NullArray()
	}
}

// parseZMPop parses ZMPOP's arguments from numkeys at position at (BZMPOP
// has its timeout first), replying the error itself when they are wrong.
func parseZMPop(c *Ctx, at int) (keys [][]byte, fromMax bool, count int64, ok bool) {
	// getRangeLongFromObjectOrReply with a message: one text for a
	// non-integer and an out-of-range number alike.
	numkeys, ok := parseCanonicalInt(c.Args[at])
	if !ok || numkeys < 1 {
		c.W.Error(ErrNumKeysPositive)
		return nil, false, 0, false
	}
	if numkeys >= int64(len(c.Args)-at-1) { // no MIN|MAX after the keys
		c.W.Error(ErrSyntax)
		return nil, false, 0, false
	}
	where := int64(at) + 1 + numkeys
	switch a := c.Args[where]; {
	case isOpt(a, "min"):
	case isOpt(a, "max"):
		fromMax = true
	default:
		c.W.Error(ErrSyntax)
		return nil, false, 0, false
	}
	count = -1
	for j := int(where) + 1; j < len(c.Args); j++ {
		if count != -1 || !isOpt(c.Args[j], "count") || j+1 >= len(c.Args) {
			c.W.Error(ErrSyntax)
			return nil, false, 0, false
		}
		j++
		n, ok := parseCanonicalInt(c.Args[j])
		if !ok || n < 1 {
			c.W.Error(ErrCountPositive)
			return nil, false, 0, false
		}
		count = n
	}
	return c.Args[at+1 : where], fromMax, max(count, 1), true
}

// zmpopFirst pops up to count members from the first non-empty sorted set
// of keys and replies [key, [[member, score]...]]. It reports whether a
// set served, and ok false after an error reply.
func zmpopFirst(c *Ctx, keys [][]byte, fromMax bool, count int64) (served, ok bool) {
	for _, key := range keys {
		v, err := writeZSet(&c.KS, key)
		if err != nil {
			writeErr(c, err)
			return false, false
		}
		if v == nil {
			continue
		}
		es, err := opZPop(&c.KS, key, count, fromMax)
		if err != nil {
			writeErr(c, err)
			return false, false
		}
		c.W.Array(2)
		c.W.Bulk(key)
		c.W.Array(len(es))
		for _, e := range es {
			c.W.Array(2)
			c.W.BulkString(e.member)
			c.W.Double(e.score)
		}
		return true, true
	}
	return false, true
}
