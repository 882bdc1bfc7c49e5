package storage

import "math"

// Commands from https://redis.io/commands/?group=generic: existence, type,
// expiry, renaming and copying. They see values only through Value.Kind
// and Value.Enc (and Cloner for COPY), so every later family works with
// them unchanged.

func registerKeyspace(r *registry) {
	r.add("del", cmdDel)
	r.add("unlink", cmdDel)
	r.add("exists", cmdExists)
	r.add("touch", cmdTouch)
	r.add("type", cmdType)
	r.add("expire", func(c *Ctx) { expireGeneric(c, true, true) })
	r.add("pexpire", func(c *Ctx) { expireGeneric(c, true, false) })
	r.add("expireat", func(c *Ctx) { expireGeneric(c, false, true) })
	r.add("pexpireat", func(c *Ctx) { expireGeneric(c, false, false) })
	r.add("ttl", func(c *Ctx) { replyTTL(c, opTTL(&c.KS, c.Args[1]), true) })
	r.add("pttl", func(c *Ctx) { replyTTL(c, opTTL(&c.KS, c.Args[1]), false) })
	r.add("expiretime", func(c *Ctx) { replyTTL(c, opExpireTime(&c.KS, c.Args[1]), true) })
	r.add("pexpiretime", func(c *Ctx) { replyTTL(c, opExpireTime(&c.KS, c.Args[1]), false) })
	r.add("persist", cmdPersist)
	r.add("rename", cmdRename)
	r.add("renamenx", cmdRenameNX)
	r.add("copy", cmdCopy)
	r.add("move", cmdMove)
	r.add("object|encoding", cmdObjectEncoding)
	r.add("object|idletime", cmdObjectIdleTime)
	r.add("object|freq", cmdObjectFreq)
	r.add("object|refcount", cmdObjectRefCount)
	r.add("object|help", cmdObjectHelp)
}

// DEL key [key ...] and UNLINK key [key ...]. Both free synchronously:
// dropping the reference is O(1) here, and Go's collector reclaims large
// values in the background, which is what UNLINK buys in Redis.
func cmdDel(c *Ctx) { c.W.Int(opDel(&c.KS, c.Args[1:])) }

// opDel deletes keys and counts those that held a live value; a key named
// twice counts once.
func opDel(ks *Keyspace, keys [][]byte) int64 {
	var n int64
	for _, key := range keys {
		if ks.Delete(key) {
			n++
		}
	}
	return n
}

// EXISTS key [key ...]
func cmdExists(c *Ctx) { c.W.Int(opExists(&c.KS, c.Args[1:])) }

// opExists counts the keys that exist; as in Redis a key named twice
// counts twice.
func opExists(ks *Keyspace, keys [][]byte) int64 {
	var n int64
	for _, key := range keys {
		if ks.ReadNoTouch(key) != nil {
			n++
		}
	}
	return n
}

// TOUCH key [key ...] counts the keys that exist, as EXISTS does, and
// unlike EXISTS counts an access to each in its LRU clock.
func cmdTouch(c *Ctx) { c.W.Int(opTouch(&c.KS, c.Args[1:])) }

func opTouch(ks *Keyspace, keys [][]byte) int64 {
	var n int64
	for _, key := range keys {
		if ks.Read(key) != nil {
			n++
		}
	}
	return n
}

// TYPE key
func cmdType(c *Ctx) { c.W.Simple(opType(&c.KS, c.Args[1]).String()) }

func opType(ks *Keyspace, key []byte) Kind {
	if v := ks.ReadNoTouch(key); v != nil {
		return v.Kind
	}
	return KindNone
}

// expireFlags are EXPIRE's NX/XX/GT/LT options.
type expireFlags uint8

const (
	expireNX expireFlags = 1 << iota
	expireXX
	expireGT
	expireLT
)

// parseExpireFlags is parseExtendedExpireArgumentsOrReply: options are
// checked, and conflicts reported, before the time argument is parsed.
func parseExpireFlags(args [][]byte) (expireFlags, error) {
	var f expireFlags
	for _, a := range args {
		switch {
		case isOpt(a, "nx"):
			f |= expireNX
		case isOpt(a, "xx"):
			f |= expireXX
		case isOpt(a, "gt"):
			f |= expireGT
		case isOpt(a, "lt"):
			f |= expireLT
		default:
			return 0, replyError(ErrUnsupportedOptionIn(a))
		}
	}
	if f&expireNX != 0 && f&(expireXX|expireGT|expireLT) != 0 {
		return 0, replyError(ErrNXWithOthers)
	}
	if f&expireGT != 0 && f&expireLT != 0 {
		return 0, replyError(ErrGTAndLT)
	}
	return f, nil
}

// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX|XX|GT|LT]
//
// expireGeneric is expireGenericCommand: unlike SET's EX, the time may be
// zero or negative (the key is then deleted); only overflow of the unit
// conversion or of the base-time addition is an error.
func expireGeneric(c *Ctx, relative, seconds bool) {
	flags, err := parseExpireFlags(c.Args[3:])
	if err != nil {
		writeErr(c, err)
		return
	}
	when, ok := parseCanonicalInt(c.Args[2])
	if !ok {
		c.W.Error(ErrNotInteger)
		return
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.W.Error(ErrInvalidExpireIn(c.Cmd.Name))
			return
		}
		when *= 1000
	}
	if relative {
		if when > math.MaxInt64-c.KS.Now() {
			c.W.Error(ErrInvalidExpireIn(c.Cmd.Name))
			return
		}
		when += c.KS.Now()
	}
	replyBool(c, opExpire(&c.KS, c.Args[1], when, flags))
}

// opExpire sets key's deadline to when (absolute ms) if the NX/XX/GT/LT
// condition holds; a key without a deadline counts as expiring never. A
// deadline not in the future deletes the key (and still reports success).
func opExpire(ks *Keyspace, key []byte, when int64, flags expireFlags) bool {
	v := ks.Get(key)
	if v == nil {
		return false
	}
	cur, persistent := v.expireAt, v.expireAt == 0
	switch {
	case flags&expireNX != 0 && !persistent,
		flags&expireXX != 0 && persistent,
		flags&expireGT != 0 && (persistent || when <= cur),
		flags&expireLT != 0 && !persistent && when >= cur:
		return false
	}
	if when <= ks.Now() {
		ks.Delete(key)
		return true
	}
	ks.SetExpire(key, v, when)
	return true
}

// Replies of TTL-like commands for a missing key and a persistent one.
const (
	ttlMissing    = -2
	ttlPersistent = -1
)

// opTTL is key's remaining time to live in ms, or ttlMissing or
// ttlPersistent.
func opTTL(ks *Keyspace, key []byte) int64 {
	at := opExpireTime(ks, key)
	if at < 0 {
		return at
	}
	return max(at-ks.Now(), 0)
}

// opExpireTime is key's absolute deadline in Unix ms, or ttlMissing or
// ttlPersistent.
func opExpireTime(ks *Keyspace, key []byte) int64 {
	v := ks.ReadNoTouch(key)
	switch {
	case v == nil:
		return ttlMissing
	case v.expireAt == 0:
		return ttlPersistent
	}
	return v.expireAt
}

// replyTTL writes a millisecond time (or a negative status) in ms or,
// rounded to the nearest second as Redis rounds ((ms+500)/1000), in
// seconds. The sum is split so a deadline near MaxInt64 (PEXPIREAT
// accepts it) rounds as Redis's compiled code does instead of wrapping.
func replyTTL(c *Ctx, ms int64, seconds bool) {
	if ms >= 0 && seconds {
		ms = ms/1000 + (ms%1000+500)/1000
	}
	c.W.Int(ms)
}

// PERSIST key
func cmdPersist(c *Ctx) { replyBool(c, opPersist(&c.KS, c.Args[1])) }

// opPersist removes key's deadline and reports whether it had one.
func opPersist(ks *Keyspace, key []byte) bool {
	v := ks.Get(key)
	if v == nil || v.expireAt == 0 {
		return false
	}
	ks.SetExpire(key, v, 0)
	return true
}

// RENAME key newkey
func cmdRename(c *Ctx) {
	if _, err := opRename(&c.KS, c.Args[1], c.Args[2], false); err != nil {
		writeErr(c, err)
		return
	}
	c.W.OK()
}

// RENAMENX key newkey
func cmdRenameNX(c *Ctx) {
	renamed, err := opRename(&c.KS, c.Args[1], c.Args[2], true)
	if err != nil {
		writeErr(c, err)
		return
	}
	replyBool(c, renamed)
}

// opRename moves key's value, deadline included, to newkey, replacing
// what newkey held unless nx is set, in which case an existing newkey
// refuses the move. Renaming a key to itself succeeds without doing
// anything (RENAMENX reports it as not renamed). The keys may live on
// different instances: the caller holds both locks, so the move is atomic.
func opRename(ks *Keyspace, key, newkey []byte, nx bool) (bool, error) {
	v := ks.Get(key)
	if v == nil {
		return false, errNoSuchKey
	}
	if string(key) == string(newkey) {
		return !nx, nil
	}
	if nx && ks.Exists(newkey) {
		return false, nil
	}
	ks.Delete(key)
	ks.Put(newkey, v)
	return true, nil
}

// Cloner is implemented by the structure (Value.Obj()) of every collection
// type, so COPY can duplicate a value without knowing its type: Clone
// returns a deep copy sharing no mutable memory with the original. Each
// collection family (lists, hashes, sets, sorted sets, streams) must
// implement it; COPY panics on an Obj that does not, because sharing the
// structure between two keys would corrupt both.
type Cloner interface {
	Clone() any
}

// COPY source destination [DB destination-db] [REPLACE]
func cmdCopy(c *Ctx) {
	dstDB, replace := c.KS.DB(), false
	for i := 3; i < len(c.Args); i++ {
		switch {
		case isOpt(c.Args[i], "replace"):
			replace = true
		case isOpt(c.Args[i], "db") && i+1 < len(c.Args):
			n, err := parseInt32(c.Args[i+1])
			if err != nil {
				writeErr(c, err)
				return
			}
			if n < 0 || n >= c.KS.eng.Databases() {
				c.W.Error(ErrDBIndexRange)
				return
			}
			dstDB = n
			i++
		default:
			c.W.Error(ErrSyntax)
			return
		}
	}
	src, dst := c.Args[1], c.Args[2]
	if dstDB == c.KS.DB() && string(src) == string(dst) {
		c.W.Error(ErrSameObject)
		return
	}
	replyBool(c, opCopy(&c.KS, src, dst, dstDB, replace))
}

// opCopy stores a deep copy of src, deadline and encoding included, as dst
// in database dstDB. It refuses (false) when src is missing, or when dst
// exists and replace is not set.
func opCopy(ks *Keyspace, src, dst []byte, dstDB int, replace bool) bool {
	v := ks.Read(src)
	if v == nil {
		return false
	}
	to := ks
	if dstDB != ks.DB() {
		to = ks.InDB(dstDB)
	}
	if !replace && to.Exists(dst) {
		return false
	}
	to.Put(dst, cloneValue(v))
	return true
}

// MOVE key db
func cmdMove(c *Ctx) {
	db, err := parseInt32(c.Args[2])
	if err != nil {
		writeErr(c, err)
		return
	}
	if db < 0 || db >= c.KS.eng.Databases() {
		c.W.Error(ErrDBIndexRange)
		return
	}
	if db == c.KS.DB() {
		c.W.Error(ErrSameObject)
		return
	}
	replyBool(c, opMove(&c.KS, c.Args[1], db))
}

// opMove moves key, deadline included, to database db, unless it is
// missing or db already holds the name. Both databases live on the
// instance that owns the key's slot, whose lock the command holds.
func opMove(ks *Keyspace, key []byte, db int) bool {
	v := ks.Get(key)
	if v == nil {
		return false
	}
	to := ks.InDB(db)
	if to.Get(key) != nil {
		return false
	}
	ks.Delete(key)
	to.Put(key, v)
	return true
}

// cloneValue deep-copies v, keeping kind, encoding and deadline.
func cloneValue(v *Value) *Value {
	cp := &Value{Kind: v.Kind, Enc: v.Enc, expireAt: v.expireAt}
	if v.Str() != nil {
		cp.SetStr(append([]byte(nil), v.Str()...))
	}
	if v.Obj() != nil {
		cl, ok := v.Obj().(Cloner)
		if !ok {
			panic("storage: COPY of a " + v.Kind.String() + " value whose structure does not implement Cloner")
		}
		cp.SetObj(cl.Clone())
	}
	return cp
}

// OBJECT ENCODING key
func cmdObjectEncoding(c *Ctx) {
	enc, ok := opObjectEncoding(&c.KS, c.Args[2])
	if !ok {
		c.W.Null()
		return
	}
	c.W.BulkString(enc.String())
}

func opObjectEncoding(ks *Keyspace, key []byte) (Encoding, bool) {
	v := ks.ReadNoTouch(key)
	if v == nil {
		return 0, false
	}
	return v.Enc, true
}

// OBJECT IDLETIME key: seconds since the key was last accessed.
func cmdObjectIdleTime(c *Ctx) {
	v := c.KS.ReadNoTouch(c.Args[2])
	if v == nil {
		c.W.Null()
		return
	}
	if c.KS.eng.policy.Load().lfu {
		c.W.Error(ErrObjectIdleLFU)
		return
	}
	c.W.Int(v.idleMS(c.KS.Now()) / 1000)
}

// OBJECT FREQ key: the LFU counter (after its decay), tracked only under
// an LFU maxmemory-policy.
func cmdObjectFreq(c *Ctx) {
	v := c.KS.ReadNoTouch(c.Args[2])
	if v == nil {
		c.W.Null()
		return
	}
	p := c.KS.eng.policy.Load()
	if !p.lfu {
		c.W.Error(ErrObjectFreqNoLFU)
		return
	}
	c.W.Int(int64(lfuDecayed(v.access(), c.KS.Now(), p.lfuDecayTime)))
}

// OBJECT REFCOUNT key
func cmdObjectRefCount(c *Ctx) {
	v := c.KS.ReadNoTouch(c.Args[2])
	if v == nil {
		c.W.Null()
		return
	}
	c.W.Int(v.refCount())
}

// OBJECT HELP
func cmdObjectHelp(c *Ctx) { writeHelp(c, objectHelp) }

var objectHelp = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}
