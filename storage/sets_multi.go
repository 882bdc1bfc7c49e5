package storage

import "slices"

// The set algebra: SINTER, SINTERCARD, SUNION, SDIFF and the STORE forms.
// Keys may live on different instances; the command holds every owner's
// lock for its whole run, so a STORE reads its sources and replaces its
// destination atomically, as one Redis would.

// loadSets looks up every key as a set (lookupKeyRead, so hits and misses
// count); a missing key is nil. Like Redis 7.0 it checks every key's type
// before computing anything, even after a missing one.
func loadSets(ks *Keyspace, keys [][]byte) ([]*setObj, error) {
	sets := make([]*setObj, len(keys))
	for i, k := range keys {
		_, s, err := readSet(ks, k)
		if err != nil {
			return nil, err
		}
		sets[i] = s
	}
	return sets, nil
}

// interEach calls fn with each member of the intersection of sets, in
// the iteration order of the smallest set (ascending when it is an
// intset, as in Redis), until fn returns false. A missing set empties the
// intersection.
func interEach(sets []*setObj, fn func(m []byte) bool) {
	if slices.Contains(sets, nil) {
		return
	}
	// Smallest first, as sinterGenericCommand sorts: fewer membership
	// tests, and its order is the reply order.
	sorted := slices.Clone(sets)
	slices.SortStableFunc(sorted, func(a, b *setObj) int { return a.card() - b.card() })
	sorted[0].each(func(m []byte) bool {
		for _, o := range sorted[1:] {
			if o != sorted[0] && !o.has(m) {
				return true
			}
		}
		return fn(m)
	})
}

// opSInter is the intersection of keys as a new structure.
func opSInter(ks *Keyspace, keys [][]byte) (*setObj, error) {
	sets, err := loadSets(ks, keys)
	if err != nil {
		return nil, err
	}
	out := newSetObj()
	interEach(sets, func(m []byte) bool { out.add(m); return true })
	return out, nil
}

// opSInterCard counts the intersection, stopping at limit (0: no limit).
func opSInterCard(ks *Keyspace, keys [][]byte, limit int64) (int64, error) {
	sets, err := loadSets(ks, keys)
	if err != nil {
		return 0, err
	}
	var n int64
	interEach(sets, func([]byte) bool {
		n++
		return limit == 0 || n < limit
	})
	return n, nil
}

// opSUnion is the union of keys (missing keys are empty) as a new
// structure, built member by member from an intset as Redis builds it, so
// its encoding is what Redis's would be.
func opSUnion(ks *Keyspace, keys [][]byte) (*setObj, error) {
	sets, err := loadSets(ks, keys)
	if err != nil {
		return nil, err
	}
	out := newSetObj()
	for _, s := range sets {
		if s != nil {
			s.each(func(m []byte) bool { out.add(m); return true })
		}
	}
	return out, nil
}

// opSDiff is the members of the first key in none of the others.
func opSDiff(ks *Keyspace, keys [][]byte) (*setObj, error) {
	sets, err := loadSets(ks, keys)
	if err != nil {
		return nil, err
	}
	out := newSetObj()
	if sets[0] == nil {
		return out, nil
	}
	sets[0].each(func(m []byte) bool {
		for _, o := range sets[1:] {
			if o != nil && o.has(m) {
				return true
			}
		}
		out.add(m)
		return true
	})
	return out, nil
}

// storeSet is the STORE forms' ending: the result replaces dst (any type,
// any deadline), or deletes it when empty. It returns the cardinality.
func storeSet(ks *Keyspace, dst []byte, s *setObj) int64 {
	if s.card() == 0 {
		ks.Delete(dst)
		return 0
	}
	ks.Put(dst, objValue(KindSet, s.enc(), s))
	return int64(s.card())
}

// SINTER key [key ...]
func cmdSInter(c *Ctx) {
	sets, err := loadSets(&c.KS, c.Args[1:])
	if err != nil {
		writeErr(c, err)
		return
	}
	// Streamed from the smallest set, with the count patched in after,
	// as Redis's deferred length does: no result structure is built.
	var members [][]byte
	interEach(sets, func(m []byte) bool {
		members = append(members, []byte(string(m)))
		return true
	})
	c.W.Set(len(members))
	for _, m := range members {
		c.W.Bulk(m)
	}
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func cmdSInterCard(c *Ctx) {
	numkeys, ok := parseCanonicalInt(c.Args[1])
	if !ok || numkeys < 1 {
		c.W.Error(ErrNumKeysPositive)
		return
	}
	if numkeys > int64(len(c.Args)-2) {
		c.W.Error(ErrNumKeysTooMany)
		return
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(c.Args); j++ {
		if !isOpt(c.Args[j], "limit") || j+1 >= len(c.Args) {
			c.W.Error(ErrSyntax)
			return
		}
		j++
		// getPositiveLongFromObjectOrReply with a message: one text for
		// a non-integer and a negative number alike.
		n, ok := parseCanonicalInt(c.Args[j])
		if !ok || n < 0 {
			c.W.Error(ErrLimitNegative)
			return
		}
		limit = n
	}
	n, err := opSInterCard(&c.KS, c.Args[2:2+numkeys], limit)
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// replySet writes a computed set as a set reply.
func replySet(c *Ctx, s *setObj) {
	c.W.Set(s.card())
	s.each(func(m []byte) bool { c.W.Bulk(m); return true })
}

// setAlgebra runs one of the ops above, replying with the set (store
// false, keys from Args[1]) or storing it in Args[1] (keys from Args[2]).
func setAlgebra(c *Ctx, op func(*Keyspace, [][]byte) (*setObj, error), store bool) {
	first := 1
	if store {
		first = 2
	}
	s, err := op(&c.KS, c.Args[first:])
	switch {
	case err != nil:
		writeErr(c, err)
	case store:
		c.W.Int(storeSet(&c.KS, c.Args[1], s))
	default:
		replySet(c, s)
	}
}

// SINTERSTORE destination key [key ...]
func cmdSInterStore(c *Ctx) { setAlgebra(c, opSInter, true) }

// SUNION key [key ...]
func cmdSUnion(c *Ctx) { setAlgebra(c, opSUnion, false) }

// SUNIONSTORE destination key [key ...]
func cmdSUnionStore(c *Ctx) { setAlgebra(c, opSUnion, true) }

// SDIFF key [key ...]
func cmdSDiff(c *Ctx) { setAlgebra(c, opSDiff, false) }

// SDIFFSTORE destination key [key ...]
func cmdSDiffStore(c *Ctx) { setAlgebra(c, opSDiff, true) }
