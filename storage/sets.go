package storage

import (
	"math/rand/v2"
	"strconv"

	"github.com/shardis/shardis/storage/glob"
)

// Commands from https://redis.io/commands/?group=set
//
// sets.go holds the single-key commands and SMOVE, sets_multi.go the
// algebra (SINTER, SUNION, SDIFF and their STORE and CARD forms),
// set_value.go the structure.

func registerSets(r *registry) {
	r.add("sadd", cmdSAdd)
	r.add("srem", cmdSRem)
	r.add("sismember", cmdSIsMember)
	r.add("smismember", cmdSMIsMember)
	r.add("smembers", cmdSMembers)
	r.add("scard", cmdSCard)
	r.add("spop", cmdSPop)
	r.add("srandmember", cmdSRandMember)
	r.add("smove", cmdSMove)
	r.add("sscan", cmdSScan)
	r.add("sinter", cmdSInter)
	r.add("sintercard", cmdSInterCard)
	r.add("sinterstore", cmdSInterStore)
	r.add("sunion", cmdSUnion)
	r.add("sunionstore", cmdSUnionStore)
	r.add("sdiff", cmdSDiff)
	r.add("sdiffstore", cmdSDiffStore)
}

// readSet is lookupKeyRead plus checkType: key's set, nil when missing.
func readSet(ks *Keyspace, key []byte) (*Value, *setObj, error) {
	return asSet(ks.Read(key))
}

// writeSet is lookupKeyWrite plus checkType (no hit/miss counting).
func writeSet(ks *Keyspace, key []byte) (*Value, *setObj, error) {
	return asSet(ks.Get(key))
}

func asSet(v *Value) (*Value, *setObj, error) {
	v, err := checkKind(v, KindSet)
	if v == nil {
		return nil, nil, err
	}
	return v, v.Obj().(*setObj), nil
}

// setChanged finishes an in-place change: an emptied set is deleted, as
// Redis never keeps empty collections; otherwise the encoding and the
// memory accounting follow the structure.
func setChanged(ks *Keyspace, key []byte, v *Value, s *setObj) {
	if s.card() == 0 {
		ks.Delete(key)
		return
	}
	v.Enc = s.enc()
	ks.Updated(key, v)
}

// replyMembers writes members as a set reply (RESP3 '~').
func replyMembers(c *Ctx, members []string) {
	c.W.Set(len(members))
	for _, m := range members {
		c.W.BulkString(m)
	}
}

// SADD key member [member ...]
func cmdSAdd(c *Ctx) {
	n, err := opSAdd(&c.KS, c.Args[1], c.Args[2:])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opSAdd adds copies of members and returns how many were new.
func opSAdd(ks *Keyspace, key []byte, members [][]byte) (int64, error) {
	v, s, err := writeSet(ks, key)
	if err != nil {
		return 0, err
	}
	created := v == nil
	if created {
		v = newSetValue()
		s = v.Obj().(*setObj)
	}
	var n int64
	for _, m := range members {
		if s.add(m) {
			n++
		}
	}
	v.Enc = s.enc()
	if created {
		ks.Put(key, v)
	} else {
		ks.Updated(key, v)
	}
	return n, nil
}

// SREM key member [member ...]
func cmdSRem(c *Ctx) {
	n, err := opSRem(&c.KS, c.Args[1], c.Args[2:])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opSRem removes members and returns how many were there. Like Redis it
// stops looking once the set is empty (and deleted).
func opSRem(ks *Keyspace, key []byte, members [][]byte) (int64, error) {
	v, s, err := writeSet(ks, key)
	if v == nil || err != nil {
		return 0, err
	}
	var n int64
	for _, m := range members {
		if s.remove(m) {
			n++
			if s.card() == 0 {
				break
			}
		}
	}
	if n > 0 {
		setChanged(ks, key, v, s)
	}
	return n, nil
}

// SISMEMBER key member
func cmdSIsMember(c *Ctx) {
	_, s, err := readSet(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	replyBool(c, s != nil && s.has(c.Args[2]))
}

// SMISMEMBER key member [member ...]: an array of 0/1 integers, also in
// RESP3 (Redis replies integers, not booleans).
func cmdSMIsMember(c *Ctx) {
	_, s, err := readSet(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if s != nil && s.has(m) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	}
}

// SMEMBERS key: Redis runs it as a one-key SINTER, so the reply is a set
// and a missing key is the empty set.
func cmdSMembers(c *Ctx) {
	_, s, err := readSet(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if s == nil {
		c.W.Set(0)
		return
	}
	c.W.Set(s.card())
	s.each(func(m []byte) bool { c.W.Bulk(m); return true })
}

// SCARD key
func cmdSCard(c *Ctx) {
	_, s, err := readSet(&c.KS, c.Args[1])
	switch {
	case err != nil:
		writeErr(c, err)
	case s == nil:
		c.W.Int(0)
	default:
		c.W.Int(int64(s.card()))
	}
}

// SPOP key [count]
func cmdSPop(c *Ctx) {
	switch {
	case len(c.Args) > 3:
		c.W.Error(ErrSyntax)
		return
	case len(c.Args) == 2:
		m, ok, err := opSPop(&c.KS, c.Args[1])
		switch {
		case err != nil:
			writeErr(c, err)
		case !ok:
			c.W.Null()
		default:
			c.W.BulkString(m)
		}
		return
	}
	// getPositiveLongFromObjectOrReply: parsed before the key is looked
	// at, with one text for a non-integer and a negative count alike.
	n, ok := parseCanonicalInt(c.Args[2])
	if !ok || n < 0 {
		c.W.Error(ErrOutOfRangePositive)
		return
	}
	members, err := opSPopCount(&c.KS, c.Args[1], n)
	if err != nil {
		writeErr(c, err)
		return
	}
	replyMembers(c, members)
}

// opSPop removes and returns one random member.
func opSPop(ks *Keyspace, key []byte) (string, bool, error) {
	v, s, err := writeSet(ks, key)
	if v == nil || err != nil {
		return "", false, err
	}
	m := s.popAt(s.random())
	setChanged(ks, key, v, s)
	return m, true, nil
}

// spopMoveStrategyMul is SPOP_MOVE_STRATEGY_MUL: when few members would
// remain, Redis picks the remaining ones instead and rebuilds the set.
const spopMoveStrategyMul = 5

// opSPopCount removes and returns count distinct random members (all of
// them, deleting the key, when count >= the cardinality).
func opSPopCount(ks *Keyspace, key []byte, count int64) ([]string, error) {
	v, s, err := writeSet(ks, key)
	if v == nil || err != nil || count == 0 {
		return nil, err
	}
	size := int64(s.card())
	if count >= size {
		out := make([]string, 0, size)
		s.each(func(m []byte) bool { out = append(out, string(m)); return true })
		ks.Delete(key)
		return out, nil
	}
	remaining := size - count
	if remaining*spopMoveStrategyMul > count {
		out := make([]string, 0, count)
		for ; count > 0; count-- {
			out = append(out, s.popAt(s.random()))
		}
		setChanged(ks, key, v, s)
		return out, nil
	}
	// Few members remain: move them to a fresh set, which (as Redis's
	// setTypeCreate does) starts as an intset, so a hashtable whose
	// survivors are all integers becomes an intset again. The rest is the
	// reply.
	ns := newSetObj()
	for ; remaining > 0; remaining-- {
		ns.add(strBytes(s.popAt(s.random())))
	}
	out := make([]string, 0, count)
	s.each(func(m []byte) bool { out = append(out, string(m)); return true })
	v.SetObj(ns)
	setChanged(ks, key, v, ns)
	return out, nil
}

// SRANDMEMBER key [count]
func cmdSRandMember(c *Ctx) {
	switch {
	case len(c.Args) > 3:
		c.W.Error(ErrSyntax)
		return
	case len(c.Args) == 2:
		_, s, err := readSet(&c.KS, c.Args[1])
		switch {
		case err != nil:
			writeErr(c, err)
		case s == nil:
			c.W.Null()
		default:
			c.W.BulkString(s.member(s.random()))
		}
		return
	}
	// getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): LLONG_MIN has
	// no positive counterpart.
	n, ok := parseCanonicalInt(c.Args[2])
	if !ok {
		c.W.Error(ErrNotInteger)
		return
	}
	if n == -1<<63 {
		c.W.Error(ErrOutOfRangeLong)
		return
	}
	if n < 0 && -n > c.Limits.maxReplyItems() {
		c.ReplyOverflow = true
		return
	}
	members, err := opSRandMember(&c.KS, c.Args[1], n)
	if err != nil {
		writeErr(c, err)
		return
	}
	// An array, not a set: a negative count repeats members.
	c.W.Array(len(members))
	for _, m := range members {
		c.W.BulkString(m)
	}
}

// opSRandMember returns count random members: distinct ones (at most the
// cardinality) for count >= 0, count picks with repetition for count < 0.
func opSRandMember(ks *Keyspace, key []byte, count int64) ([]string, error) {
	_, s, err := readSet(ks, key)
	if s == nil || err != nil || count == 0 {
		return nil, err
	}
	size := int64(s.card())
	if count < 0 {
		count = -count
		out := make([]string, 0, min(count, 1<<16))
		for ; count > 0; count-- {
			out = append(out, s.member(s.random()))
		}
		return out, nil
	}
	if count >= size {
		out := make([]string, 0, size)
		s.each(func(m []byte) bool { out = append(out, string(m)); return true })
		return out, nil
	}
	// A partial Fisher-Yates shuffle over positions: count distinct picks
	// in O(count) without touching the set.
	swapped := make(map[int64]int64, count)
	at := func(i int64) int64 {
		if j, ok := swapped[i]; ok {
			return j
		}
		return i
	}
	out := make([]string, 0, count)
	for i := int64(0); i < count; i++ {
		j := i + rand.Int64N(size-i)
		pi, pj := at(i), at(j)
		swapped[j] = pi
		out = append(out, s.member(int(pj)))
	}
	return out, nil
}

// SMOVE source destination member
func cmdSMove(c *Ctx) {
	moved, err := opSMove(&c.KS, c.Args[1], c.Args[2], c.Args[3])
	if err != nil {
		writeErr(c, err)
		return
	}
	replyBool(c, moved)
}

// opSMove is smoveCommand: a missing source is 0 whatever the
// destination holds; otherwise both must be sets; moving within one set
// only tests membership. Source and destination may be on different
// instances: the command holds both locks, so the move is atomic.
func opSMove(ks *Keyspace, src, dst, member []byte) (bool, error) {
	sv, ss, err := writeSet(ks, src)
	if sv == nil || err != nil {
		return false, err
	}
	dv, ds, err := writeSet(ks, dst)
	if err != nil {
		return false, err
	}
	if sv == dv {
		return ss.has(member), nil
	}
	if !ss.remove(member) {
		return false, nil
	}
	setChanged(ks, src, sv, ss)
	if dv == nil {
		dv = newSetValue()
		dv.Obj().(*setObj).add(member)
		dv.Enc = dv.Obj().(*setObj).enc()
		ks.Put(dst, dv)
		return true, nil
	}
	ds.add(member)
	setChanged(ks, dst, dv, ds)
	return true, nil
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
func cmdSScan(c *Ctx) {
	cursor, ok := parseCursor(c.Args[2])
	if !ok {
		c.W.Error(ErrInvalidCursor)
		return
	}
	// A missing key replies the empty scan before the options are read.
	_, s, err := readSet(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if s == nil {
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
	members, next := s.scan(cursor, int(min(count, 1<<30)))
	if match != nil {
		kept := members[:0]
		for _, m := range members {
			if glob.Match(match, strBytes(m), false) {
				kept = append(kept, m)
			}
		}
		members = kept
	}
	c.W.Array(2)
	var tmp [24]byte
	c.W.Bulk(strconv.AppendUint(tmp[:0], next, 10))
	c.W.Array(len(members))
	for _, m := range members {
		c.W.BulkString(m)
	}
}
