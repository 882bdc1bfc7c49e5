package storage

import (
	"bytes"
	"math/rand/v2"
	"strconv"

	"github.com/shardis/shardis/router"
	"github.com/shardis/shardis/storage/glob"
)

// The server family: keyless commands that span every instance. They are
// registered as global handlers and lock one instance at a time, except
// FLUSHALL, FLUSHDB and SWAPDB, which change all instances inside one
// engine-wide critical section so no client sees a half-done change.

func registerServer(r *registry) {
	r.addGlobal("dbsize", cmdDBSize)
	r.addGlobal("flushdb", cmdFlushDB)
	r.addGlobal("flushall", cmdFlushAll)
	r.addGlobal("swapdb", cmdSwapDB)
	r.addGlobal("keys", cmdKeys)
	r.addGlobal("scan", cmdScan)
	r.addGlobal("randomkey", cmdRandomKey)
}

// DBSIZE
func cmdDBSize(c *Ctx) {
	c.W.Int(opDBSize(&c.KS))
}

func opDBSize(ks *Keyspace) int64 {
	// All locks at once: a migrating key could otherwise be counted on
	// both sides of its move, or on neither. 64 uncontended locks cost
	// about a microsecond.
	var n int64
	ks.eng.Locked(func() {
		for _, in := range ks.eng.insts {
			n += in.dbs[ks.db].keys
		}
	})
	return n
}

// parseFlushMode accepts FLUSHDB/FLUSHALL's optional ASYNC or SYNC. Both
// flush synchronously: dropping the maps is already O(1) for the caller,
// the garbage collector reclaims the memory in the background.
func parseFlushMode(args [][]byte) bool {
	if len(args) == 1 {
		return true
	}
	if len(args) > 2 {
		return false
	}
	return bytes.EqualFold(args[1], []byte("async")) || bytes.EqualFold(args[1], []byte("sync"))
}

// FLUSHDB [ASYNC|SYNC]
func cmdFlushDB(c *Ctx) {
	if !parseFlushMode(c.Args) {
		c.W.Error(ErrSyntax)
		return
	}
	c.KS.eng.Locked(func() { opFlush(&c.KS, c.KS.db) })
	c.W.OK()
}

// FLUSHALL [ASYNC|SYNC]
func cmdFlushAll(c *Ctx) {
	if !parseFlushMode(c.Args) {
		c.W.Error(ErrSyntax)
		return
	}
	c.KS.eng.Locked(func() {
		for db := 0; db < c.KS.eng.databases; db++ {
			opFlush(&c.KS, db)
		}
	})
	c.W.OK()
}

// opFlush empties database db on every instance; all instances are locked.
func opFlush(ks *Keyspace, db int) {
	if p := ks.eng.persist; p != nil {
		p.logFlush(db)
	}
	for _, in := range ks.eng.insts {
		d := &in.dbs[db]
		in.keys.Add(-d.keys)
		d.flush()
	}
	ks.eng.recountMemory()
}

// SWAPDB index1 index2
func cmdSwapDB(c *Ctx) {
	a, err1 := parseInt32(c.Args[1])
	b, err2 := parseInt32(c.Args[2])
	switch n := c.KS.eng.databases; {
	case err1 != nil:
		c.W.Error(ErrFirstDBIndex)
	case err2 != nil:
		c.W.Error(ErrSecondDBIndex)
	case a < 0 || a >= n || b < 0 || b >= n:
		c.W.Error(ErrDBIndexRange)
	default:
		if a != b {
			c.KS.eng.Locked(func() { opSwapDB(&c.KS, a, b) })
		}
		c.W.OK()
	}
}

// opSwapDB exchanges databases a and b on every instance; all instances
// are locked. A slot being migrated stays consistent because both of its
// instances swap together, and its keys keep moving database by database.
func opSwapDB(ks *Keyspace, a, b int) {
	if p := ks.eng.persist; p != nil {
		p.logSwap(a, b)
	}
	for _, in := range ks.eng.insts {
		in.swapDBs(a, b)
	}
}

// swapDBs exchanges two databases' contents; the caller holds the lock.
// A DB's only tie to its index is its place in dbs, and the count of
// databases with deadlines (volDBs) does not change.
func (in *Instance) swapDBs(a, b int) {
	in.dbs[a], in.dbs[b] = in.dbs[b], in.dbs[a]
}

// recountMemory recomputes each instance's charged bytes after a bulk
// change; callers hold every instance lock.
func (e *Engine) recountMemory() {
	for _, in := range e.insts {
		in.recountMemory()
	}
}

// recountMemory recomputes the instance's charged bytes; the caller
// holds its lock.
func (in *Instance) recountMemory() {
	var used int64
	for db := range in.dbs {
		d := &in.dbs[db]
		used += d.keyTableBytes
		for _, c := range d.dir {
			if c == nil {
				continue
			}
			for i := range c {
				c[i].keys.each(func(k string, v *Value) bool {
					used += allocSize(int64(len(k))) + valueOverhead + v.acct()
					return true
				})
			}
		}
	}
	in.addUsed(used - in.used.Load())
}

// KEYS pattern
func cmdKeys(c *Ctx) {
	keys := opKeys(&c.KS, c.Args[1])
	c.W.Array(len(keys))
	for _, k := range keys {
		c.W.BulkString(k)
	}
}

func opKeys(ks *Keyspace, pattern []byte) []string {
	var out []string
	all := len(pattern) == 1 && pattern[0] == '*'
	// Slot by slot, each under the locks of its current owners
	// (visitSlot), so a key moving between instances meanwhile is seen
	// exactly once.
	for slot := 0; slot < router.SlotCount; slot++ {
		ks.eng.visitSlot(ks.db, slot, func(k string, v *Value) bool {
			if v.expireAt != 0 && ks.now > v.expireAt {
				return true
			}
			if all || glob.Match(pattern, []byte(k), false) {
				out = append(out, k)
			}
			return true
		})
	}
	return out
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
//
// The cursor is the next slot to visit, so one walk covers every instance
// and a key present for the whole walk is returned exactly once, even
// while keys are added or removed (Redis promises at least once). Each
// call returns whole slots until at least COUNT keys were collected.
func cmdScan(c *Ctx) {
	cursor, ok := parseCursor(c.Args[1])
	if !ok {
		c.W.Error(ErrInvalidCursor)
		return
	}
	o, ok := parseScanOptions(c, 2, true)
	if !ok {
		return
	}
	next, keys := opScan(&c.KS, cursor, o)
	c.W.Array(2)
	var tmp [24]byte
	c.W.Bulk(strconv.AppendUint(tmp[:0], next, 10))
	c.W.Array(len(keys))
	for _, k := range keys {
		c.W.BulkString(k)
	}
}

// parseScanOptions parses the MATCH and COUNT options, and TYPE when
// allowType (SCAN only), that SCAN, HSCAN, SSCAN and ZSCAN share, from
// Args[from:], as scanGenericCommand does. MATCH "*" matches everything,
// the empty key included, as in Redis. On failure the error reply has been
// written.
func parseScanOptions(c *Ctx, from int, allowType bool) (scanOpts, bool) {
	o := scanOpts{count: 10}
	for i := from; i < len(c.Args); i += 2 {
		if i+1 >= len(c.Args) {
			c.W.Error(ErrSyntax)
			return o, false
		}
		arg, val := c.Args[i], c.Args[i+1]
		switch {
		case isOpt(arg, "match"):
			o.match = val
			if len(val) == 1 && val[0] == '*' {
				o.match = nil
			}
		case isOpt(arg, "count"):
			n, ok := parseCanonicalInt(val)
			if !ok {
				c.W.Error(ErrNotInteger)
				return o, false
			}
			if n < 1 {
				c.W.Error(ErrSyntax)
				return o, false
			}
			o.count = n
		case allowType && isOpt(arg, "type"):
			o.typ, o.typed = kindByName(val), true
		default:
			c.W.Error(ErrSyntax)
			return o, false
		}
	}
	return o, true
}

type scanOpts struct {
	match []byte
	count int64
	typ   Kind
	typed bool
}

func kindByName(b []byte) Kind {
	for k, name := range kindNames {
		if k != int(KindNone) && bytes.EqualFold(b, []byte(name)) {
			return Kind(k)
		}
	}
	return KindNone
}

// parseCursor accepts what strtoull accepts for a cursor: an optional
// sign and decimal digits that fit in 64 bits (a '-' wraps, as in C).
func parseCursor(b []byte) (uint64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	v, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

func opScan(ks *Keyspace, cursor uint64, o scanOpts) (uint64, []string) {
	var out []string
	slot := cursor
	// Empty slots are skipped without counting against COUNT (checking one
	// costs a lock and a nil test), so an empty keyspace finishes in one
	// call, as in Redis.
	for ; slot < router.SlotCount && int64(len(out)) < o.count; slot++ {
		ks.eng.visitSlot(ks.db, int(slot), func(k string, v *Value) bool {
			if v.expireAt != 0 && ks.now > v.expireAt {
				return true
			}
			if o.typed && v.Kind != o.typ {
				return true
			}
			if o.match != nil && !glob.Match(o.match, []byte(k), false) {
				return true
			}
			out = append(out, k)
			return true
		})
	}
	if slot >= router.SlotCount {
		slot = 0
	}
	return slot, out
}

// RANDOMKEY
func cmdRandomKey(c *Ctx) {
	k, ok := opRandomKey(&c.KS)
	if !ok {
		c.W.Null()
		return
	}
	c.W.BulkString(k)
}

// opRandomKey picks an instance weighted by its key count, then a random
// non-empty slot of it, then a random key of that slot.
func opRandomKey(ks *Keyspace) (string, bool) {
	for tries := 0; tries < 100; tries++ {
		var total int64
		counts := make([]int64, len(ks.eng.insts))
		for i, in := range ks.eng.insts {
			in.lock()
			counts[i] = in.dbs[ks.db].keys
			in.unlock()
			total += counts[i]
		}
		if total == 0 {
			return "", false
		}
		pick := rand.Int64N(total)
		id := 0
		for ; pick >= counts[id]; id++ {
			pick -= counts[id]
		}
		in := ks.eng.insts[id]
		in.lock()
		key, found := randomKeyOf(ks, in)
		in.unlock()
		if found {
			return key, true
		}
	}
	return "", false
}

func randomKeyOf(ks *Keyspace, in *Instance) (string, bool) {
	db := &in.dbs[ks.db]
	var slots []int
	for s := 0; s < router.SlotCount; s++ {
		if db.SlotLen(s) > 0 {
			slots = append(slots, s)
		}
	}
	if len(slots) == 0 {
		return "", false
	}
	slot := slots[rand.IntN(len(slots))]
	n := rand.IntN(db.SlotLen(slot))
	var key string
	var val *Value
	db.EachInSlot(slot, func(k string, v *Value) bool {
		if n == 0 {
			key, val = k, v
			return false
		}
		n--
		return true
	})
	if val.expireAt != 0 && ks.now > val.expireAt {
		ks.expire(in, db, slot, []byte(key))
		return "", false
	}
	return key, true
}
