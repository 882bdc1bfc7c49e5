package storage

import "bytes"

// Commands from https://redis.io/commands/?group=list (the non-blocking
// ones).
//
// The structure lives in list_value.go. Every write goes through listFor
// or writeList (lookup, type check) and ends with listDone (memory
// accounting, removal of an emptied list), so those rules are in one
// place. Argument parsing follows Redis's order of checks exactly, since
// which error wins is visible to clients.

func registerLists(r *registry) {
	r.add("lpush", cmdLPush)
	r.add("rpush", cmdRPush)
	r.add("lpushx", cmdLPushX)
	r.add("rpushx", cmdRPushX)
	r.add("lpop", cmdLPop)
	r.add("rpop", cmdRPop)
	r.add("llen", cmdLLen)
	r.add("lindex", cmdLIndex)
	r.add("lset", cmdLSet)
	r.add("lrange", cmdLRange)
	r.add("ltrim", cmdLTrim)
	r.add("lrem", cmdLRem)
	r.add("linsert", cmdLInsert)
	r.add("lpos", cmdLPos)
	r.add("lmove", cmdLMove)
	r.add("rpoplpush", cmdRPopLPush)
	r.add("lmpop", cmdLMPop)
}

// readList is lookupKeyRead plus checkType: key's list, nil when missing.
func readList(ks *Keyspace, key []byte) (*listValue, error) {
	v, err := ks.ReadKind(key, KindList)
	if v == nil {
		return nil, err
	}
	return v.Obj().(*listValue), nil
}

// writeList is lookupKeyWrite plus checkType, counting no hit or miss.
func writeList(ks *Keyspace, key []byte) (*Value, error) {
	return ks.WriteKind(key, KindList)
}

// listFor is writeList that creates: key's list value, or (isNew) a new
// empty one not yet stored, which listDone stores.
func listFor(ks *Keyspace, key []byte) (v *Value, isNew bool, err error) {
	v, err = writeList(ks, key)
	if err != nil || v != nil {
		return v, false, err
	}
	return objValue(KindList, EncQuicklist, newListValue()), true, nil
}

// listDone publishes changes to v: it stores a new value, accounts an
// updated one and deletes an emptied one (Redis never keeps an empty
// list).
func listDone(ks *Keyspace, key []byte, v *Value, isNew bool) {
	switch {
	case v.Obj().(*listValue).Len() == 0:
		if !isNew {
			ks.Delete(key)
		}
	case isNew:
		ks.Put(key, v)
	default:
		ks.Updated(key, v)
	}
}

// LPUSH key element [element ...]
func cmdLPush(c *Ctx) { pushGeneric(c, true, false) }

// RPUSH key element [element ...]
func cmdRPush(c *Ctx) { pushGeneric(c, false, false) }

// LPUSHX key element [element ...]
func cmdLPushX(c *Ctx) { pushGeneric(c, true, true) }

// RPUSHX key element [element ...]
func cmdRPushX(c *Ctx) { pushGeneric(c, false, true) }

func pushGeneric(c *Ctx, left, onlyExisting bool) {
	n, err := opPush(&c.KS, c.Args[1], c.Args[2:], left, onlyExisting)
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opPush pushes elems one by one (so LPUSH a b c leaves c first) and
// returns the new length; onlyExisting (the X variants) does nothing and
// returns 0 for a missing key.
func opPush(ks *Keyspace, key []byte, elems [][]byte, left, onlyExisting bool) (int64, error) {
	v, isNew, err := listFor(ks, key)
	if err != nil {
		return 0, err
	}
	if isNew && onlyExisting {
		return 0, nil
	}
	l := v.Obj().(*listValue)
	for _, e := range elems {
		l.push(e, left)
	}
	listDone(ks, key, v, isNew)
	return int64(l.Len()), nil
}

// LPOP key [count]
func cmdLPop(c *Ctx) { popGeneric(c, true) }

// RPOP key [count]
func cmdRPop(c *Ctx) { popGeneric(c, false) }

// popGeneric is popGenericCommand: without a count it replies one bulk
// (null for a missing key), with one an array in pop order (a null array
// for a missing key, an empty one for COUNT 0).
func popGeneric(c *Ctx, left bool) {
	if len(c.Args) > 3 {
		c.W.Error(ErrWrongArgs(c.Cmd.Name))
		return
	}
	hasCount := len(c.Args) == 3
	var count int64
	if hasCount {
		var ok bool
		count, ok = parseCanonicalInt(c.Args[2])
		if !ok || count < 0 {
			c.W.Error(ErrOutOfRangePositive)
			return
		}
	}
	v, err := writeList(&c.KS, c.Args[1])
	switch {
	case err != nil:
		writeErr(c, err)
		return
	case v == nil && hasCount:
		c.W.NullArray()
		return
	case v == nil:
		c.W.Null()
		return
	case hasCount && count == 0:
		c.W.Array(0)
		return
	}
	l := v.Obj().(*listValue)
	if !hasCount {
		c.W.Bulk(l.pop(left))
	} else {
		n := min(count, int64(l.Len()))
		c.W.Array(int(n))
		for ; n > 0; n-- {
			c.W.Bulk(l.pop(left))
		}
	}
	listDone(&c.KS, c.Args[1], v, false)
}

// LLEN key
func cmdLLen(c *Ctx) {
	l, err := readList(&c.KS, c.Args[1])
	switch {
	case err != nil:
		writeErr(c, err)
	case l == nil:
		c.W.Int(0)
	default:
		c.W.Int(int64(l.Len()))
	}
}

// listIndex resolves a possibly negative index against length n; ok is
// false when it falls outside the list.
func listIndex(idx int64, n int) (int, bool) {
	if idx < 0 {
		idx += int64(n)
	}
	if idx < 0 || idx >= int64(n) {
		return 0, false
	}
	return int(idx), true
}

// LINDEX key index
func cmdLIndex(c *Ctx) {
	// Redis looks the key up before parsing the index: a missing key
	// replies null whatever the index says.
	l, err := readList(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if l == nil {
		c.W.Null()
		return
	}
	idx, ok := parseCanonicalInt(c.Args[2])
	if !ok {
		c.W.Error(ErrNotInteger)
		return
	}
	if i, ok := listIndex(idx, l.Len()); ok {
		c.W.Bulk(l.at(i))
		return
	}
	c.W.Null()
}

// LSET key index element
func cmdLSet(c *Ctx) {
	if err := opLSet(&c.KS, c.Args[1], c.Args[2], c.Args[3]); err != nil {
		writeErr(c, err)
		return
	}
	c.W.OK()
}

// opLSet replaces one element. The key is checked before the index, as
// in Redis.
func opLSet(ks *Keyspace, key, index, elem []byte) error {
	v, err := writeList(ks, key)
	if err != nil {
		return err
	}
	if v == nil {
		return errNoSuchKey
	}
	idx, ok := parseCanonicalInt(index)
	if !ok {
		return errNotInteger
	}
	l := v.Obj().(*listValue)
	i, ok := listIndex(idx, l.Len())
	if !ok {
		return replyError(ErrOutOfRange)
	}
	l.set(i, elem)
	listDone(ks, key, v, false)
	return nil
}

// parseRange parses LRANGE/LTRIM's start and stop, which Redis reads
// before the key.
func parseRange(c *Ctx) (start, stop int64, ok bool) {
	start, ok1 := parseCanonicalInt(c.Args[2])
	stop, ok2 := parseCanonicalInt(c.Args[3])
	if !ok1 || !ok2 {
		c.W.Error(ErrNotInteger)
		return 0, 0, false
	}
	return start, stop, true
}

// clampRange is the range arithmetic LRANGE and LTRIM share: the first
// index and the number of elements of [start, stop] in a list of n.
func clampRange(start, stop int64, n int) (from, count int) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if stop < 0 {
		stop += ln
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= ln {
		return 0, 0
	}
	if stop >= ln {
		stop = ln - 1
	}
	return int(start), int(stop - start + 1)
}

// LRANGE key start stop
func cmdLRange(c *Ctx) {
	start, stop, ok := parseRange(c)
	if !ok {
		return
	}
	l, err := readList(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if l == nil {
		c.W.Array(0)
		return
	}
	from, n := clampRange(start, stop, l.Len())
	c.W.Array(n)
	if n == 0 {
		return
	}
	it := l.iterFrom(from)
	for ; n > 0; n-- {
		e, ok := it.nextFast() // inlined: short elements cost no call
		if !ok {
			e = it.nextSlow()
		}
		c.W.Bulk(e)
	}
}

// LTRIM key start stop
func cmdLTrim(c *Ctx) {
	start, stop, ok := parseRange(c)
	if !ok {
		return
	}
	v, err := writeList(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if v != nil {
		l := v.Obj().(*listValue)
		from, n := clampRange(start, stop, l.Len())
		l.trim(from, n)
		listDone(&c.KS, c.Args[1], v, false)
	}
	c.W.OK()
}

// LREM key count element
func cmdLRem(c *Ctx) {
	count, ok := parseCanonicalInt(c.Args[2])
	if !ok {
		c.W.Error(ErrNotInteger)
		return
	}
	n, err := opLRem(&c.KS, c.Args[1], count, c.Args[3])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opLRem removes up to |count| occurrences of elem (all of them for 0),
// from the tail when count is negative, and returns how many went.
func opLRem(ks *Keyspace, key []byte, count int64, elem []byte) (int64, error) {
	v, err := writeList(ks, key)
	if err != nil || v == nil {
		return 0, err
	}
	fromTail := count < 0
	if fromTail {
		count = -count // -MinInt64 stays negative: treated as "no limit" below
	}
	var removed int64
	n := v.Obj().(*listValue).removeIf(fromTail, func(b []byte) bool {
		if count > 0 && removed == count || !bytes.Equal(b, elem) {
			return false
		}
		removed++
		return true
	})
	if n > 0 {
		listDone(ks, key, v, false)
	}
	return int64(n), nil
}

// LINSERT key BEFORE|AFTER pivot element
func cmdLInsert(c *Ctx) {
	var after bool
	switch {
	case isOpt(c.Args[2], "after"):
		after = true
	case isOpt(c.Args[2], "before"):
	default:
		c.W.Error(ErrSyntax)
		return
	}
	n, err := opLInsert(&c.KS, c.Args[1], after, c.Args[3], c.Args[4])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opLInsert inserts elem next to the first occurrence of pivot and returns
// the new length: 0 for a missing key, -1 when pivot is absent.
func opLInsert(ks *Keyspace, key []byte, after bool, pivot, elem []byte) (int64, error) {
	v, err := writeList(ks, key)
	if err != nil || v == nil {
		return 0, err
	}
	l := v.Obj().(*listValue)
	if l.Len() == 0 {
		return -1, nil
	}
	it := l.iterFrom(0)
	for i := 0; i < l.Len(); i++ {
		if bytes.Equal(it.next(), pivot) {
			if after {
				i++
			}
			l.insert(i, elem)
			listDone(ks, key, v, false)
			return int64(l.Len()), nil
		}
	}
	return -1, nil
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func cmdLPos(c *Ctx) {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(c.Args); j++ {
		more := j+1 < len(c.Args)
		switch {
		case more && isOpt(c.Args[j], "rank"):
			j++
			n, ok := parseCanonicalInt(c.Args[j])
			if !ok {
				c.W.Error(ErrNotInteger)
				return
			}
			if n == 0 {
				c.W.Error(ErrLPosRankZero)
				return
			}
			rank = n
		case more && isOpt(c.Args[j], "count"):
			j++
			n, ok := parseCanonicalInt(c.Args[j])
			if !ok || n < 0 {
				c.W.Error(ErrLPosCountNegative)
				return
			}
			count = n
		case more && isOpt(c.Args[j], "maxlen"):
			j++
			n, ok := parseCanonicalInt(c.Args[j])
			if !ok || n < 0 {
				c.W.Error(ErrLPosMaxlenNegative)
				return
			}
			maxlen = n
		default:
			c.W.Error(ErrSyntax)
			return
		}
	}
	l, err := readList(&c.KS, c.Args[1])
	switch {
	case err != nil:
		writeErr(c, err)
		return
	case l == nil && count != -1:
		c.W.Array(0)
		return
	case l == nil:
		c.W.Null()
		return
	}
	matches := opLPos(l, c.Args[2], rank, count, maxlen)
	if count != -1 {
		c.W.Array(len(matches))
		for _, m := range matches {
			c.W.Int(int64(m))
		}
		return
	}
	if len(matches) == 0 {
		c.W.Null()
		return
	}
	c.W.Int(int64(matches[0]))
}

// opLPos returns the indexes of the matches of elem, skipping the first
// |rank|-1, scanning from the tail for a negative rank and looking at no
// more than maxlen elements (0: all). count caps the result (0: no cap,
// -1: one match, the form without COUNT).
func opLPos(l *listValue, elem []byte, rank, count, maxlen int64) []int {
	// Redis 7.0 accepts RANK -9223372036854775808 (7.2 rejects it) and
	// negates it into itself: a negative rank then counts every match, so
	// it finds the first match from the tail, and its COUNT test
	// (matches-rank+1 >= count) overflows and never stops the scan.
	// Go's wrapping arithmetic here does the same.
	fromTail := rank < 0
	if fromTail {
		rank = -rank
	}
	single := count == -1
	var out []int
	var matches int64
	n := l.Len()
	if n == 0 {
		return nil
	}
	var it listIter
	if fromTail {
		it = l.iterBefore(n - 1)
	} else {
		it = l.iterFrom(0)
	}
	for k := 0; k < n && (maxlen == 0 || int64(k) < maxlen); k++ {
		i, e := k, []byte(nil)
		if fromTail {
			i, e = n-1-k, it.prev()
		} else {
			e = it.next()
		}
		if !bytes.Equal(e, elem) {
			continue
		}
		if matches++; matches < rank {
			continue
		}
		out = append(out, i)
		if single || count > 0 && matches-rank+1 >= count {
			break
		}
	}
	return out
}

// parseWhere reads LEFT or RIGHT (getListPositionFromObjectOrReply).
func parseWhere(a []byte) (left, ok bool) {
	switch {
	case isOpt(a, "left"):
		return true, true
	case isOpt(a, "right"):
		return false, true
	}
	return false, false
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
func cmdLMove(c *Ctx) {
	from, ok1 := parseWhere(c.Args[3])
	to, ok2 := parseWhere(c.Args[4])
	if !ok1 || !ok2 {
		c.W.Error(ErrSyntax)
		return
	}
	moveGeneric(c, from, to)
}

// RPOPLPUSH source destination
func cmdRPopLPush(c *Ctx) { moveGeneric(c, false, true) }

func moveGeneric(c *Ctx, from, to bool) {
	elem, err := opLMove(&c.KS, c.Args[1], c.Args[2], from, to)
	switch {
	case err != nil:
		writeErr(c, err)
	case elem == nil:
		c.W.Null()
	default:
		c.W.Bulk(elem)
	}
}

// opLMove pops from src's from end and pushes onto dst's to end, returning
// the element (nil when src is missing). Both types are checked before
// anything changes, so a WRONGTYPE destination leaves src intact. The keys
// may live on different instances: the engine holds both locks, so the
// move is atomic. src == dst rotates the list.
func opLMove(ks *Keyspace, src, dst []byte, from, to bool) ([]byte, error) {
	sv, err := writeList(ks, src)
	if err != nil || sv == nil {
		return nil, err
	}
	dv, dstNew, err := sv, false, error(nil)
	if !bytes.Equal(src, dst) {
		if dv, dstNew, err = listFor(ks, dst); err != nil {
			return nil, err
		}
	}
	sl := sv.Obj().(*listValue)
	elem := sl.pop(from)
	if dv == sv {
		// The popped bytes alias the node they left, which the push
		// below may reuse or move.
		elem = append([]byte{}, elem...) // non-nil: nil means no element
	}
	dv.Obj().(*listValue).push(elem, to)
	listDone(ks, dst, dv, dstNew)
	if dv != sv {
		listDone(ks, src, sv, false)
	}
	// elem is not the stored copy (push copies) and src does not change
	// again, so the caller may reply with it.
	return elem, nil
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
func cmdLMPop(c *Ctx) {
	keys, left, count, ok := parseLMPop(c, 1)
	if !ok {
		return
	}
	if served, ok := lmpopFirst(c, keys, left, count); ok && !served {
		c.W.NullArray()
	}
}

// parseLMPop parses LMPOP's arguments from numkeys at position at (BLMPOP
// has its timeout first), replying the error itself when they are wrong.
func parseLMPop(c *Ctx, at int) (keys [][]byte, left bool, count int64, ok bool) {
	numkeys, ok := parseCanonicalInt(c.Args[at])
	if !ok || numkeys < 1 {
		c.W.Error(ErrNumKeysPositive)
		return nil, false, 0, false
	}
	// Compared before adding, so a huge numkeys cannot overflow.
	if numkeys >= int64(len(c.Args)-at-1) {
		c.W.Error(ErrSyntax)
		return nil, false, 0, false
	}
	whereAt := int64(at) + 1 + numkeys
	if whereAt >= int64(len(c.Args)) {
		c.W.Error(ErrSyntax)
		return nil, false, 0, false
	}
	left, ok = parseWhere(c.Args[whereAt])
	if !ok {
		c.W.Error(ErrSyntax)
		return nil, false, 0, false
	}
	count = -1
	for j := int(whereAt) + 1; j < len(c.Args); j++ {
		if count == -1 && j+1 < len(c.Args) && isOpt(c.Args[j], "count") {
			j++
			n, ok := parseCanonicalInt(c.Args[j])
			if !ok || n < 1 {
				c.W.Error(ErrCountPositive)
				return nil, false, 0, false
			}
			count = n
			continue
		}
		c.W.Error(ErrSyntax)
		return nil, false, 0, false
	}
	return c.Args[at+1 : whereAt], left, max(count, 1), true
}

// lmpopFirst pops up to count elements from the first non-empty list of
// keys and replies [key, [elements...]] (an array in RESP3 too). It
// reports whether a list served, and ok false after an error reply.
func lmpopFirst(c *Ctx, keys [][]byte, left bool, count int64) (served, ok bool) {
	for _, key := range keys {
		v, err := writeList(&c.KS, key)
		if err != nil {
			writeErr(c, err)
			return false, false
		}
		if v == nil {
			continue
		}
		l := v.Obj().(*listValue)
		n := min(count, int64(l.Len()))
		c.W.Array(2)
		c.W.Bulk(key)
		c.W.Array(int(n))
		for ; n > 0; n-- {
			c.W.Bulk(l.pop(left))
		}
		listDone(&c.KS, key, v, false)
		return true, true
	}
	return false, true
}
