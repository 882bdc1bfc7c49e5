package storage

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"

	"github.com/shardis/shardis/storage/glob"
)

// Commands from https://redis.io/commands/?group=hash
//
// The structure lives in hash_value.go. Every write goes through hashFor
// (lookup or create, type check) and ends with hashDone (encoding, memory
// accounting, removal of an emptied hash), so those rules are in one place.

func registerHashes(r *registry) {
	r.add("hset", cmdHSet)
	r.add("hmset", cmdHSet)
	r.add("hsetnx", cmdHSetNX)
	r.add("hget", cmdHGet)
	r.add("hmget", cmdHMGet)
	r.add("hdel", cmdHDel)
	r.add("hexists", cmdHExists)
	r.add("hlen", cmdHLen)
	r.add("hstrlen", cmdHStrlen)
	r.add("hkeys", cmdHKeys)
	r.add("hvals", cmdHVals)
	r.add("hgetall", cmdHGetAll)
	r.add("hincrby", cmdHIncrBy)
	r.add("hincrbyfloat", cmdHIncrByFloat)
	r.add("hrandfield", cmdHRandField)
	r.add("hscan", cmdHScan)
}

// Errors only the hash family returns, built once.
var (
	errHashNotInteger error = replyError(ErrHashNotInteger)
	errHashNotFloat   error = replyError(ErrHashNotFloat)
)

// readHash is lookupKeyRead plus checkType: key's hash, nil when missing.
func readHash(ks *Keyspace, key []byte) (*hashValue, error) {
	v, err := ks.ReadKind(key, KindHash)
	if v == nil {
		return nil, err
	}
	return v.Obj().(*hashValue), nil
}

// writeHash is lookupKeyWrite plus checkType, counting no hit or miss.
func writeHash(ks *Keyspace, key []byte) (*Value, error) {
	return ks.WriteKind(key, KindHash)
}

// hashFor is hashTypeLookupWriteOrCreate: key's hash value, or (isNew) a
// new empty one not yet stored. hashDone stores it, unless it stayed
// empty, so a failing command leaves no empty key behind.
func hashFor(ks *Keyspace, key []byte) (v *Value, isNew bool, err error) {
	v, err = writeHash(ks, key)
	if err != nil || v != nil {
		return v, false, err
	}
	return objValue(KindHash, EncListpack, newHashValue()), true, nil
}

// hashDone publishes changes to v: it refreshes the encoding, stores a new
// value, accounts an updated one and deletes an emptied one (Redis never
// keeps an empty hash).
func hashDone(ks *Keyspace, key []byte, v *Value, isNew bool) {
	h := v.Obj().(*hashValue)
	v.Enc = h.encoding()
	switch {
	case h.Len() == 0:
		if !isNew {
			ks.Delete(key)
		}
	case isNew:
		ks.Put(key, v)
	default:
		ks.Updated(key, v)
	}
}

// HSET key field value [field value ...]
// HMSET key field value [field value ...]
func cmdHSet(c *Ctx) {
	if len(c.Args)%2 == 1 {
		c.W.Error(ErrWrongArgs(c.Cmd.Name))
		return
	}
	n, err := opHSet(&c.KS, c.Args[1], c.Args[2:])
	switch {
	case err != nil:
		writeErr(c, err)
	case c.Cmd.Name == "hmset":
		c.W.OK()
	default:
		c.W.Int(n)
	}
}

// opHSet sets field/value pairs and returns how many fields are new. As
// hashTypeTryConversion does, any element over the listpack value limit
// converts the hash before the first insertion.
func opHSet(ks *Keyspace, key []byte, pairs [][]byte) (int64, error) {
	v, isNew, err := hashFor(ks, key)
	if err != nil {
		return 0, err
	}
	h := v.Obj().(*hashValue)
	for _, a := range pairs {
		if !fitsListpack(a) {
			h.convert()
			break
		}
	}
	var added int64
	for i := 0; i+1 < len(pairs); i += 2 {
		if h.set(pairs[i], pairs[i+1]) {
			added++
		}
	}
	hashDone(ks, key, v, isNew)
	return added, nil
}

// HSETNX key field value
func cmdHSetNX(c *Ctx) {
	ok, err := opHSetNX(&c.KS, c.Args[1], c.Args[2], c.Args[3])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(b2i(ok))
}

func opHSetNX(ks *Keyspace, key, field, value []byte) (bool, error) {
	v, isNew, err := hashFor(ks, key)
	if err != nil {
		return false, err
	}
	h := v.Obj().(*hashValue)
	if h.has(field) {
		return false, nil
	}
	h.set(field, value)
	hashDone(ks, key, v, isNew)
	return true, nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// HGET key field
func cmdHGet(c *Ctx) {
	h, err := readHash(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if h == nil {
		c.W.Null()
		return
	}
	if s, ok := h.get(c.Args[2]); ok {
		c.W.Bulk(s)
		return
	}
	c.W.Null()
}

// HMGET key field [field ...]
func cmdHMGet(c *Ctx) {
	h, err := readHash(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	fields := c.Args[2:]
	c.W.Array(len(fields))
	for _, f := range fields {
		if h == nil {
			c.W.Null()
		} else if s, ok := h.get(f); ok {
			c.W.Bulk(s)
		} else {
			c.W.Null()
		}
	}
}

// HDEL key field [field ...]
func cmdHDel(c *Ctx) {
	n, err := opHDel(&c.KS, c.Args[1], c.Args[2:])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opHDel removes fields and returns how many existed; the key goes with
// the last field.
func opHDel(ks *Keyspace, key []byte, fields [][]byte) (int64, error) {
	v, err := writeHash(ks, key)
	if err != nil || v == nil {
		return 0, err
	}
	h := v.Obj().(*hashValue)
	var n int64
	for _, f := range fields {
		if h.del(f) {
			n++
			if h.Len() == 0 {
				break
			}
		}
	}
	if n > 0 {
		hashDone(ks, key, v, false)
	}
	return n, nil
}

// HEXISTS key field
func cmdHExists(c *Ctx) {
	h, err := readHash(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(b2i(h != nil && h.has(c.Args[2])))
}

// HLEN key
func cmdHLen(c *Ctx) {
	h, err := readHash(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if h == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(h.Len()))
}

// HSTRLEN key field
func cmdHStrlen(c *Ctx) {
	h, err := readHash(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	var n int
	if h != nil {
		s, _ := h.get(c.Args[2])
		n = len(s)
	}
	c.W.Int(int64(n))
}

// What genericHgetallCommand replies with.
const (
	hashKeys = 1 << iota
	hashVals
)

// HKEYS key
func cmdHKeys(c *Ctx) { hashGetAll(c, hashKeys) }

// HVALS key
func cmdHVals(c *Ctx) { hashGetAll(c, hashVals) }

// HGETALL key
func cmdHGetAll(c *Ctx) { hashGetAll(c, hashKeys|hashVals) }

// hashGetAll is genericHgetallCommand: HGETALL is a map in RESP3 (a flat
// array in RESP2), HKEYS and HVALS arrays; a missing key is an empty one.
func hashGetAll(c *Ctx, what int) {
	h, err := readHash(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if what == hashKeys|hashVals {
		c.W.Map(n)
	} else {
		c.W.Array(n)
	}
	if h == nil {
		return
	}
	h.each(func(f, v []byte) bool {
		if what&hashKeys != 0 {
			c.W.Bulk(f)
		}
		if what&hashVals != 0 {
			c.W.Bulk(v)
		}
		return true
	})
}

// HINCRBY key field increment
func cmdHIncrBy(c *Ctx) {
	by, ok := parseCanonicalInt(c.Args[3])
	if !ok {
		c.W.Error(ErrNotInteger)
		return
	}
	n, err := opHIncrBy(&c.KS, c.Args[1], c.Args[2], by)
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opHIncrBy adds by to field's integer (0 when missing) and returns the
// result. The stored value must be a canonical integer (string2ll).
func opHIncrBy(ks *Keyspace, key, field []byte, by int64) (int64, error) {
	v, isNew, err := hashFor(ks, key)
	if err != nil {
		return 0, err
	}
	h := v.Obj().(*hashValue)
	var cur int64
	if s, ok := h.get(field); ok {
		if cur, ok = parseCanonicalInt([]byte(s)); !ok {
			return 0, errHashNotInteger
		}
	}
	if by < 0 && cur < 0 && by < math.MinInt64-cur || by > 0 && cur > 0 && by > math.MaxInt64-cur {
		return 0, replyError(ErrOverflow)
	}
	cur += by
	var tmp [24]byte
	h.set(field, strconv.AppendInt(tmp[:0], cur, 10))
	hashDone(ks, key, v, isNew)
	return cur, nil
}

// HINCRBYFLOAT key field increment
func cmdHIncrByFloat(c *Ctx) {
	by := newLongDouble()
	if !parseLongDouble(by, c.Args[3]) {
		c.W.Error(ErrNotFloat)
		return
	}
	if by.IsInf() {
		c.W.Error(ErrHashIncrNaNOrInf)
		return
	}
	s, err := opHIncrByFloat(&c.KS, c.Args[1], c.Args[2], by)
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Bulk(s)
}

// opHIncrByFloat adds in x87 long-double precision, exactly as
// INCRBYFLOAT does, stores the human-formatted result and returns it.
func opHIncrByFloat(ks *Keyspace, key, field []byte, by *big.Float) ([]byte, error) {
	v, isNew, err := hashFor(ks, key)
	if err != nil {
		return nil, err
	}
	h := v.Obj().(*hashValue)
	cur := newLongDouble()
	if s, ok := h.get(field); ok && !parseLongDouble(cur, []byte(s)) {
		return nil, errHashNotFloat
	}
	sum, ok := addLongDouble(cur, by)
	if !ok {
		return nil, replyError(ErrIncrNaNOrInf)
	}
	out := formatLongDoubleHuman(sum)
	h.set(field, out)
	hashDone(ks, key, v, isNew)
	return out, nil
}

// HRANDFIELD key [count [WITHVALUES]]
func cmdHRandField(c *Ctx) {
	if len(c.Args) == 2 {
		h, err := readHash(&c.KS, c.Args[1])
		switch {
		case err != nil:
			writeErr(c, err)
		case h == nil:
			c.W.Null()
		default:
			f, _ := h.positions().at(rand.IntN(h.Len()))
			c.W.Bulk(f)
		}
		return
	}
	count, withValues, ok := parseRandomCount(c, "withvalues")
	if !ok {
		return
	}
	h, err := readHash(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if h == nil || count == 0 {
		c.W.Array(0)
		return
	}
	// A huge negative count would build a reply that exhausts memory
	// (Redis itself tries): treat it as passing the output limit.
	if count < 0 && -count > c.Limits.maxReplyItems()/2 {
		c.ReplyOverflow = true
		return
	}
	replyRandFields(c, h, count, withValues)
}

// replyRandFields is hrandfieldWithCountCommand. A negative count samples
// with repetition; a positive one returns distinct fields, the whole hash
// (in its order) when count reaches its size. RESP3 nests each pair
// WITHVALUES in its own array, RESP2 flattens.
func replyRandFields(c *Ctx, h *hashValue, count int64, withValues bool) {
	pos := h.positions()
	pair := func(i int) {
		if withValues && c.W.Proto >= 3 {
			c.W.Array(2)
		}
		f, v := pos.at(i)
		c.W.Bulk(f)
		if withValues {
			c.W.Bulk(v)
		}
	}
	header := func(n int64) {
		if withValues && c.W.Proto < 3 {
			n *= 2
		}
		c.W.Array(int(n))
	}
	size := int64(h.Len())
	switch {
	case count < 0 || count == 1:
		if count < 0 {
			count = -count
		}
		header(count)
		for ; count > 0; count-- {
			pair(rand.IntN(int(size)))
		}
	case count >= size:
		header(size)
		for i := 0; i < int(size); i++ {
			pair(i)
		}
	default:
		// A partial Fisher-Yates shuffle of the positions picks count
		// distinct fields in random order.
		perm := make([]int, size)
		for i := range perm {
			perm[i] = i
		}
		header(count)
		for i := 0; i < int(count); i++ {
			j := i + rand.IntN(len(perm)-i)
			perm[i], perm[j] = perm[j], perm[i]
			pair(perm[i])
		}
	}
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
func cmdHScan(c *Ctx) {
	cursor, ok := parseCursor(c.Args[2])
	if !ok {
		c.W.Error(ErrInvalidCursor)
		return
	}
	h, err := readHash(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if h == nil {
		// Redis answers a missing key before looking at the options.
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
	pos := h.positions()
	next, idx := opHScan(h, pos, cursor, count, match)
	c.W.Array(2)
	var tmp [24]byte
	c.W.Bulk(strconv.AppendUint(tmp[:0], next, 10))
	c.W.Array(2 * len(idx))
	for _, i := range idx {
		f, v := pos.at(i)
		c.W.Bulk(f)
		c.W.Bulk(v)
	}
}

// opHScan returns the next cursor and the positions of the pairs to
// reply. A listpack is returned whole with cursor 0, as Redis does.
//
// A hashtable is walked from its last position down: cursor r means
// positions [0, r) are still to visit (0 starts a walk at the end).
// Deletion moves the last pair into the hole, i.e. from the visited part
// into the unvisited one or within either, never out of the unvisited
// part, so a field present for the whole walk is returned at least once,
// Redis's guarantee. Fields added during the walk may be missed.
func opHScan(h *hashValue, pos hashPositions, cursor uint64, count int64, match []byte) (uint64, []int) {
	n := uint64(h.Len())
	lo, hi := uint64(0), n
	if h.ht != nil {
		if cursor != 0 && cursor < n {
			hi = cursor
		}
		if uint64(count) < hi {
			lo = hi - uint64(count)
		}
	}
	var out []int
	for i := hi; i > lo; i-- {
		p := int(i - 1)
		if h.ht == nil {
			p = int(lo + hi - i) // a listpack replies in its order
		}
		if f, _ := pos.at(p); match == nil || glob.Match(match, f, false) {
			out = append(out, p)
		}
	}
	return lo, out
}
