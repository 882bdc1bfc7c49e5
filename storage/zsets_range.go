package storage

// The range commands of the sorted set family: ZRANGE and its older
// forms, ZLEXCOUNT, ZPOPMIN/ZPOPMAX and ZREMRANGEBY*. Every range is turned
// into a span of ranks first (O(log n) on the skiplist), then walked.

func registerZSetRanges(r *registry) {
	r.add("zrange", func(c *Ctx) { zrangeGeneric(c, zrangeAuto, false, false) })
	r.add("zrevrange", func(c *Ctx) { zrangeGeneric(c, zrangeRank, true, true) })
	r.add("zrangebyscore", func(c *Ctx) { zrangeGeneric(c, zrangeScore, false, true) })
	r.add("zrevrangebyscore", func(c *Ctx) { zrangeGeneric(c, zrangeScore, true, true) })
	r.add("zrangebylex", func(c *Ctx) { zrangeGeneric(c, zrangeLex, false, true) })
	r.add("zrevrangebylex", func(c *Ctx) { zrangeGeneric(c, zrangeLex, true, true) })
	r.add("zlexcount", cmdZLexCount)
	r.add("zpopmin", cmdZPop)
	r.add("zpopmax", cmdZPop)
	r.add("zremrangebyrank", func(c *Ctx) { zremrangeGeneric(c, zrangeRank) })
	r.add("zremrangebyscore", func(c *Ctx) { zremrangeGeneric(c, zrangeScore) })
	r.add("zremrangebylex", func(c *Ctx) { zremrangeGeneric(c, zrangeLex) })
}

// Range types (zrange_type).
const (
	zrangeAuto = iota
	zrangeRank
	zrangeScore
	zrangeLex
)

// lexBound is one end of a lex range: "-" (inf < 0), "+" (inf > 0), or
// "[s" / "(s" (ex).
type lexBound struct {
	s   string
	ex  bool
	inf int
}

// parseLexBound is zslParseLexRangeItem. "+" and "-" are tested as C
// strings (so "+\x00x" is "+"); the bracketed forms keep every byte.
func parseLexBound(b []byte) (lexBound, bool) {
	if len(b) == 0 {
		return lexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		if len(b) > 1 && b[1] != 0 {
			return lexBound{}, false
		}
		if b[0] == '+' {
			return lexBound{inf: 1}, true
		}
		return lexBound{inf: -1}, true
	case '(', '[':
		return lexBound{s: string(b[1:]), ex: b[0] == '('}, true
	}
	return lexBound{}, false
}

func parseLexRange(min, max []byte) (lexBound, lexBound, error) {
	lo, ok1 := parseLexBound(min)
	hi, ok2 := parseLexBound(max)
	if !ok1 || !ok2 {
		return lo, hi, replyError(ErrZSetMinMaxLex)
	}
	return lo, hi, nil
}

// gteMin is zslLexValueGteMin with b as the range's min.
func (b lexBound) gteMin(m string) bool {
	switch {
	case b.inf != 0:
		return b.inf < 0
	case b.ex:
		return m > b.s
	}
	return m >= b.s
}

// lteMax is zslLexValueLteMax with b as the range's max.
func (b lexBound) lteMax(m string) bool {
	switch {
	case b.inf != 0:
		return b.inf > 0
	case b.ex:
		return m < b.s
	}
	return m <= b.s
}

// lexEmpty is the first test of zslIsInLexRange: min above max, or equal
// with an exclusive end, can hold nothing.
func lexEmpty(min, max lexBound) bool {
	cmp := 0
	switch {
	case min.inf != 0 && min.inf == max.inf:
	case min.inf < 0 || max.inf > 0:
		cmp = -1
	case min.inf > 0 || max.inf < 0:
		cmp = 1
	case min.s < max.s:
		cmp = -1
	case min.s > max.s:
		cmp = 1
	}
	return cmp > 0 || cmp == 0 && (min.ex || max.ex)
}

// lexSpan is the ranks [lo, hi] of the members in [min, max] that remain
// after skipping skip of them, at most limit (all when negative); lo > hi
// when none. Like zslIsInLexRange it gives up when the last member is
// below min or the first above max. Then it walks as Redis does, which
// matters only for mixed scores (where Redis leaves the result
// unspecified, but deterministic): from the first member at or past min,
// or when rev the last at or before max, provided that member is in
// range; it steps over skip members without looking at them, then takes
// members while they stay at most max (rev: at least min). With mixed
// scores a member past the skip may be back in range.
func lexSpan(z *zsetValue, min, max lexBound, rev bool, skip, limit int64) (int, int) {
	n := z.Len()
	if skip < 0 || lexEmpty(min, max) || !min.gteMin(z.at(n-1).member) || !max.lteMax(z.at(0).member) {
		return 0, -1
	}
	if skip > int64(n) {
		skip = int64(n) // min is the bound here, not the builtin
	}
	if rev {
		first := z.lexLast(max)
		if first < 0 || !min.gteMin(z.at(first).member) || int64(first) < skip {
			return 0, -1
		}
		hi := first - int(skip)
		lo := hi + 1
		z.each(0, hi, true, func(e zentry) bool {
			if limit >= 0 && int64(hi-lo+1) >= limit || !min.gteMin(e.member) {
				return false
			}
			lo--
			return true
		})
		return lo, hi
	}
	first := z.lexFirst(min)
	if first >= n || !max.lteMax(z.at(first).member) || int64(first)+skip >= int64(n) {
		return 0, -1
	}
	lo := first + int(skip)
	hi := lo - 1
	z.each(lo, n-1, false, func(e zentry) bool {
		if limit >= 0 && int64(hi-lo+1) >= limit || !max.lteMax(e.member) {
			return false
		}
		hi++
		return true
	})
	return lo, hi
}

// lexCount is ZLEXCOUNT's answer: a listpack counts forward from the
// first member in range, a skiplist subtracts the ranks of the first and
// last members in range, each checked against the other end.
func lexCount(z *zsetValue, min, max lexBound) int {
	if z.tree == nil {
		lo, hi := lexSpan(z, min, max, false, 0, -1)
		return hi - lo + 1
	}
	n := z.Len()
	if lexEmpty(min, max) || !min.gteMin(z.at(n-1).member) || !max.lteMax(z.at(0).member) {
		return 0
	}
	lo, hi := z.lexFirst(min), z.lexLast(max)
	if lo >= n || !max.lteMax(z.at(lo).member) || hi < 0 || !min.gteMin(z.at(hi).member) {
		return 0
	}
	return hi - lo + 1
}

// scoreSpan is the ranks [lo, hi] of the members in r; lo > hi when none.
func scoreSpan(z *zsetValue, r scoreRange) (int, int) {
	return z.countBelow(r.min, r.minex), z.countBelow(r.max, !r.maxex) - 1
}

// rankSpan sanitizes start and end as Redis does (negative counts from the
// end); lo > hi when the range is empty.
func rankSpan(n int, start, end int64) (int, int) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if end < 0 {
		end += ln
	}
	start = max(start, 0)
	if start > end || start >= ln {
		return 0, -1
	}
	return int(start), int(min(end, ln-1))
}

// zrangeArgs is a parsed ZRANGE (or older form).
type zrangeArgs struct {
	kind          int
	rev           bool
	withScores    bool
	offset, limit int64
	start, end    int64
	score         scoreRange
	lexMin        lexBound
	lexMax        lexBound
}

// parseZRange is the first two steps of zrangeGenericCommand, its checks
// in its order. args is key min max [options]; fixed is whether the
// direction is the command's own (REV is then a syntax error).
func parseZRange(args [][]byte, kind int, rev, fixed bool) (zrangeArgs, error) {
	a := zrangeArgs{kind: kind, rev: rev, limit: -1}
	for j := 3; j < len(args); j++ {
		left := len(args) - j - 1
		switch arg := args[j]; {
		case isOpt(arg, "withscores"):
			a.withScores = true
		case isOpt(arg, "limit") && left >= 2:
			var ok bool
			if a.offset, ok = parseCanonicalInt(args[j+1]); !ok {
				return a, errNotInteger
			}
			if a.limit, ok = parseCanonicalInt(args[j+2]); !ok {
				return a, errNotInteger
			}
			j += 2
		case !fixed && !a.rev && isOpt(arg, "rev"):
			a.rev = true
		case a.kind == zrangeAuto && isOpt(arg, "bylex"):
			a.kind = zrangeLex
		case a.kind == zrangeAuto && isOpt(arg, "byscore"):
			a.kind = zrangeScore
		default:
			return a, errSyntax
		}
	}
	if a.kind == zrangeAuto {
		a.kind = zrangeRank
	}
	if a.limit != -1 && a.kind == zrangeRank {
		return a, replyError(ErrZRangeLimit)
	}
	if a.withScores && a.kind == zrangeLex {
		return a, replyError(ErrZRangeLexScores)
	}
	from, to := args[1], args[2]
	if a.rev && a.kind != zrangeRank {
		from, to = to, from // given as max, min
	}
	var err error
	switch a.kind {
	case zrangeRank:
		var ok1, ok2 bool
		a.start, ok1 = parseCanonicalInt(from)
		a.end, ok2 = parseCanonicalInt(to)
		if !ok1 || !ok2 {
			err = errNotInteger
		}
	case zrangeScore:
		a.score, err = parseScoreRange(from, to)
	case zrangeLex:
		a.lexMin, a.lexMax, err = parseLexRange(from, to)
	}
	return a, err
}

func zrangeGeneric(c *Ctx, kind int, rev, fixed bool) {
	a, err := parseZRange(c.Args[1:], kind, rev, fixed)
	if err != nil {
		writeErr(c, err)
		return
	}
	z, err := readZSet(&c.KS, c.Args[1])
	switch {
	case err != nil:
		writeErr(c, err)
	case z == nil:
		c.W.Array(0)
	default:
		// Written straight from the set: no slice of entries, and a
		// listpack's members are views of its buffer, so a small set's
		// range allocates nothing.
		lo, hi := a.span(z)
		n := max(hi-lo+1, 0)
		writeZHeader(c, n, a.withScores, true)
		z.each(lo, hi, a.rev, func(e zentry) bool {
			writeZEntry(c, e, a.withScores, true)
			return true
		})
	}
}

// collect returns the members a selects, in reply order.
func (a *zrangeArgs) collect(z *zsetValue) []zentry {
	lo, hi := a.span(z)
	if lo > hi {
		return nil
	}
	out := make([]zentry, 0, hi-lo+1)
	z.each(lo, hi, a.rev, func(e zentry) bool { out = append(out, e); return true })
	return out
}

// span is the rank range [lo, hi] a selects (empty when lo > hi); the
// reply walks it backwards when a.rev.
func (a *zrangeArgs) span(z *zsetValue) (lo, hi int) {
	n := z.Len()
	switch a.kind {
	case zrangeRank:
		lo, hi = rankSpan(n, a.start, a.end)
		if a.rev {
			lo, hi = n-1-hi, n-1-lo
		}
	case zrangeScore:
		lo, hi = scoreSpan(z, a.score)
	case zrangeLex:
		// The lex walk applies offset and limit itself: with mixed
		// scores, Redis's skip can land back in range.
		return lexSpan(z, a.lexMin, a.lexMax, a.rev, a.offset, a.limit)
	}
	if a.kind == zrangeScore {
		// Redis skips offset members, then takes limit (all when
		// negative); a negative offset skips everything.
		if a.offset < 0 || a.offset > int64(hi-lo) {
			return 0, -1
		}
		span := int64(hi-lo) + 1 - a.offset
		if a.limit >= 0 && a.limit < span {
			span = a.limit
		}
		if a.rev {
			hi -= int(a.offset)
			lo = hi - int(span) + 1
		} else {
			lo += int(a.offset)
			hi = lo + int(span) - 1
		}
	}
	return lo, hi
}

// writeZEntries replies members, with their scores when withScores:
// RESP2 flattens the pairs, RESP3 nests each pair in its own array unless
// nested is false (ZPOPMIN without a count replies one flat pair).
func writeZEntries(c *Ctx, es []zentry, withScores, nested bool) {
	writeZHeader(c, len(es), withScores, nested)
	for _, e := range es {
		writeZEntry(c, e, withScores, nested)
	}
}

// writeZHeader starts a reply of n entries as writeZEntries does.
func writeZHeader(c *Ctx, n int, withScores, nested bool) {
	if withScores && !(nested && c.W.Proto >= 3) {
		n *= 2
	}
	c.W.Array(n)
}

// writeZEntry writes one entry of a reply writeZHeader started.
func writeZEntry(c *Ctx, e zentry, withScores, nested bool) {
	if withScores && nested && c.W.Proto >= 3 {
		c.W.Array(2)
	}
	c.W.BulkString(e.member)
	if withScores {
		c.W.Double(e.score)
	}
}

// ZLEXCOUNT key min max
func cmdZLexCount(c *Ctx) {
	from, to, err := parseLexRange(c.Args[2], c.Args[3])
	if err != nil {
		writeErr(c, err)
		return
	}
	z, err := readZSet(&c.KS, c.Args[1])
	switch {
	case err != nil:
		writeErr(c, err)
	case z == nil:
		c.W.Int(0)
	default:
		c.W.Int(int64(lexCount(z, from, to)))
	}
}

// ZPOPMIN key [count]
// ZPOPMAX key [count]
func cmdZPop(c *Ctx) {
	if len(c.Args) > 3 {
		c.W.Error(ErrSyntax)
		return
	}
	count := int64(1)
	if len(c.Args) == 3 {
		n, ok := parseCanonicalInt(c.Args[2])
		if !ok || n < 0 {
			c.W.Error(ErrOutOfRangePositive)
			return
		}
		count = n
	}
	es, err := opZPop(&c.KS, c.Args[1], count, c.Cmd.Name == "zpopmax")
	if err != nil {
		writeErr(c, err)
		return
	}
	writeZEntries(c, es, true, len(c.Args) == 3)
}

// opZPop removes and returns up to count members from the low end, or
// the high end when fromMax, in that order.
func opZPop(ks *Keyspace, key []byte, count int64, fromMax bool) ([]zentry, error) {
	v, err := writeZSet(ks, key)
	if err != nil || v == nil || count == 0 {
		return nil, err // the type is checked even for count 0
	}
	z := v.Obj().(*zsetValue)
	n := int(min(count, int64(z.Len())))
	lo, hi := 0, n-1
	if fromMax {
		lo, hi = z.Len()-n, z.Len()-1
	}
	es := make([]zentry, 0, n)
	z.each(lo, hi, fromMax, func(e zentry) bool { es = append(es, e); return true })
	z.removeRanks(lo, hi)
	zsetDone(ks, key, v, false)
	return es, nil
}

// ZREMRANGEBYRANK key start stop
// ZREMRANGEBYSCORE key min max
// ZREMRANGEBYLEX key min max
func zremrangeGeneric(c *Ctx, kind int) {
	a := zrangeArgs{kind: kind}
	var err error
	switch kind {
	case zrangeRank:
		var ok1, ok2 bool
		a.start, ok1 = parseCanonicalInt(c.Args[2])
		a.end, ok2 = parseCanonicalInt(c.Args[3])
		if !ok1 || !ok2 {
			err = errNotInteger
		}
	case zrangeScore:
		a.score, err = parseScoreRange(c.Args[2], c.Args[3])
	case zrangeLex:
		a.lexMin, a.lexMax, err = parseLexRange(c.Args[2], c.Args[3])
	}
	if err != nil {
		writeErr(c, err)
		return
	}
	n, err := opZRemRange(&c.KS, c.Args[1], &a)
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opZRemRange deletes the members a selects and returns how many.
func opZRemRange(ks *Keyspace, key []byte, a *zrangeArgs) (int64, error) {
	v, err := writeZSet(ks, key)
	if err != nil || v == nil {
		return 0, err
	}
	z := v.Obj().(*zsetValue)
	var lo, hi int
	switch a.kind {
	case zrangeRank:
		lo, hi = rankSpan(z.Len(), a.start, a.end)
	case zrangeScore:
		lo, hi = scoreSpan(z, a.score)
	default:
		lo, hi = lexSpan(z, a.lexMin, a.lexMax, false, 0, -1)
	}
	if lo > hi {
		return 0, nil
	}
	z.removeRanks(lo, hi)
	zsetDone(ks, key, v, false)
	return int64(hi - lo + 1), nil
}
