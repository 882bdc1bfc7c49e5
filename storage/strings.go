package storage

import "math"

// Commands from https://redis.io/commands/?group=string
//
// The family is split by concern: strings.go (reads, SET and its
// variants, multi-key), strings_update.go (counters and in-place edits:
// INCR*, APPEND, GETRANGE, SETRANGE) and strings_lcs.go (LCS).

func registerStrings(r *registry) {
	r.add("get", cmdGet)
	r.add("set", cmdSet)
	r.add("setnx", cmdSetNX)
	r.add("setex", cmdSetEX)
	r.add("psetex", cmdPSetEX)
	r.add("getset", cmdGetSet)
	r.add("getdel", cmdGetDel)
	r.add("getex", cmdGetEx)
	r.add("mget", cmdMGet)
	r.add("mset", cmdMSet)
	r.add("msetnx", cmdMSetNX)
	r.add("strlen", cmdStrlen)
	r.add("append", cmdAppend)
	r.add("incr", cmdIncr)
	r.add("decr", cmdDecr)
	r.add("incrby", cmdIncrBy)
	r.add("decrby", cmdDecrBy)
	r.add("incrbyfloat", cmdIncrByFloat)
	r.add("getrange", cmdGetRange)
	r.add("substr", cmdGetRange)
	r.add("setrange", cmdSetRange)
	r.add("lcs", cmdLCS)
}

// readString is lookupKeyRead plus checkType: key's string value, nil when
// missing, errWrongType when key holds another type.
func readString(ks *Keyspace, key []byte) (*Value, error) {
	return ks.ReadKind(key, KindString)
}

// writeString is lookupKeyWrite plus checkType: as readString, without
// counting a keyspace hit or miss (Redis counts reads only).
func writeString(ks *Keyspace, key []byte) (*Value, error) {
	return ks.WriteKind(key, KindString)
}

// replyValue writes a string value, or the null reply for nil.
func replyValue(c *Ctx, v *Value) {
	if v == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(v.Str())
}

// GET key
func cmdGet(c *Ctx) {
	v, err := readString(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	replyValue(c, v)
}

// setFlags are the options of SET and GETEX
// (parseExtendedStringArgumentsOrReply's OBJ_* flags).
type setFlags uint16

const (
	setNX setFlags = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT
	setExpire = setEX | setPX | setEXAT | setPXAT
)

// setOpts are parsed SET or GETEX options; expire is the argument of
// EX/PX/EXAT/PXAT, nil without one.
type setOpts struct {
	flags  setFlags
	expire []byte
}

// parseSetOpts parses SET's options (getex false) or GETEX's. Like Redis it
// accepts a repeated option (the last EX wins) but no conflicting pair.
func parseSetOpts(args [][]byte, getex bool) (setOpts, error) {
	var o setOpts
	for j := 0; j < len(args); j++ {
		a, hasNext := args[j], j+1 < len(args)
		f := o.flags
		var unit setFlags
		switch {
		case !getex && isOpt(a, "nx") && f&setXX == 0:
			o.flags |= setNX
		case !getex && isOpt(a, "xx") && f&setNX == 0:
			o.flags |= setXX
		case !getex && isOpt(a, "get"):
			o.flags |= setGet
		case !getex && isOpt(a, "keepttl") && f&(setPersist|setExpire) == 0:
			o.flags |= setKeepTTL
		case getex && isOpt(a, "persist") && f&(setKeepTTL|setExpire) == 0:
			o.flags |= setPersist
		case isOpt(a, "ex"):
			unit = setEX
		case isOpt(a, "px"):
			unit = setPX
		case isOpt(a, "exat"):
			unit = setEXAT
		case isOpt(a, "pxat"):
			unit = setPXAT
		default:
			return o, errSyntax
		}
		if unit == 0 {
			continue
		}
		// One expiry form only, and never with KEEPTTL or PERSIST.
		if !hasNext || f&(setKeepTTL|setPersist|setExpire&^unit) != 0 {
			return o, errSyntax
		}
		o.flags |= unit
		o.expire = args[j+1]
		j++
	}
	return o, nil
}

// deadline turns an EX/PX/EXAT/PXAT argument into an absolute Unix-ms
// deadline: getExpireMillisecondsOrReply. name is the command, for the
// error text. Relative forms overflow into a negative sum, which is
// rejected as Redis rejects it.
func deadline(now int64, unit setFlags, arg []byte, name string) (int64, error) {
	n, ok := parseCanonicalInt(arg)
	if !ok {
		return 0, errNotInteger
	}
	seconds := unit&(setEX|setEXAT) != 0
	if n <= 0 || seconds && n > math.MaxInt64/1000 {
		return 0, replyError(ErrInvalidExpireIn(name))
	}
	if seconds {
		n *= 1000
	}
	if unit&(setEX|setPX) != 0 {
		n += now
	}
	if n <= 0 {
		return 0, replyError(ErrInvalidExpireIn(name))
	}
	return n, nil
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL]
func cmdSet(c *Ctx) {
	o, err := parseSetOpts(c.Args[3:], false)
	if err != nil {
		writeErr(c, err)
		return
	}
	var at int64
	if o.expire != nil {
		if at, err = deadline(c.KS.Now(), o.flags, o.expire, c.Cmd.Name); err != nil {
			writeErr(c, err)
			return
		}
	}
	prev, stored, err := opSet(&c.KS, c.Args[1], c.Args[2], o.flags, at)
	switch {
	case err != nil:
		writeErr(c, err)
	case o.flags&setGet != 0:
		replyValue(c, prev)
	case stored:
		c.W.OK()
	default:
		c.W.Null()
	}
}

// opSet is setGenericCommand's data part: it stores a copy of val under
// key unless NX or XX forbid it, with deadline at (0: none) or, with
// KEEPTTL, the old one. With GET it fails on a non-string and returns the
// previous value, which then stays intact for the reply.
func opSet(ks *Keyspace, key, val []byte, flags setFlags, at int64) (prev *Value, stored bool, err error) {
	get := flags&setGet != 0
	if get {
		if prev, err = readString(ks, key); err != nil {
			return nil, false, err
		}
	} else {
		prev = ks.Get(key)
	}
	if flags&setNX != 0 && prev != nil || flags&setXX != 0 && prev == nil {
		return prev, false, nil
	}
	storeString(ks, key, val, prev, flags&setKeepTTL != 0, at, !get)
	return prev, true, nil
}

// storeString is setKey for a string: it stores a copy of val under key,
// replacing old (key's current value or nil). keepTTL keeps old's deadline,
// otherwise at becomes the deadline. The encoding is what Redis's
// tryObjectEncoding picks for val.
//
// With reuse, a string whose buffer fits val is overwritten in place, so a
// SET over an existing key of similar size allocates nothing. The cap
// bound keeps a once-huge buffer from pinning its memory under a small
// value.
func storeString(ks *Keyspace, key, val []byte, old *Value, keepTTL bool, at int64, reuse bool) {
	if reuse && old != nil && old.Kind == KindString && cap(old.Str()) >= len(val) && cap(old.Str()) <= 2*len(val)+16 {
		old.SetStr(append(old.Str()[:0], val...))
		old.Enc = stringEncoding(val)
		if !keepTTL && old.expireAt != at {
			ks.SetExpire(key, old, at)
		}
		ks.Updated(key, old)
		return
	}
	if keepTTL {
		at = 0
		if old != nil {
			at = old.expireAt
		}
	}
	ks.PutString(key, val, at)
}

// SETNX key value
func cmdSetNX(c *Ctx) {
	_, stored, _ := opSet(&c.KS, c.Args[1], c.Args[2], setNX, 0)
	replyBool(c, stored)
}

// SETEX key seconds value
func cmdSetEX(c *Ctx) { setWithTTL(c, setEX) }

// PSETEX key milliseconds value
func cmdPSetEX(c *Ctx) { setWithTTL(c, setPX) }

func setWithTTL(c *Ctx, unit setFlags) {
	at, err := deadline(c.KS.Now(), unit, c.Args[2], c.Cmd.Name)
	if err != nil {
		writeErr(c, err)
		return
	}
	opSet(&c.KS, c.Args[1], c.Args[3], 0, at)
	c.W.OK()
}

// GETSET key value
func cmdGetSet(c *Ctx) {
	prev, _, err := opSet(&c.KS, c.Args[1], c.Args[2], setGet, 0)
	if err != nil {
		writeErr(c, err)
		return
	}
	replyValue(c, prev)
}

// GETDEL key
func cmdGetDel(c *Ctx) {
	v, err := opGetDel(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	replyValue(c, v)
}

// opGetDel removes key and returns its string value. The value is detached
// from the keyspace but intact, for the reply.
func opGetDel(ks *Keyspace, key []byte) (*Value, error) {
	v, err := readString(ks, key)
	if v != nil {
		ks.Delete(key)
	}
	return v, err
}

// GETEX key [EX s|PX ms|EXAT ts|PXAT ts|PERSIST]
func cmdGetEx(c *Ctx) {
	o, err := parseSetOpts(c.Args[2:], true)
	if err != nil {
		writeErr(c, err)
		return
	}
	v, err := opGetEx(&c.KS, c.Args[1], o, c.Cmd.Name)
	if err != nil {
		writeErr(c, err)
		return
	}
	replyValue(c, v)
}

// opGetEx returns key's string value and then changes its deadline. As in
// Redis, a missing key or a wrong type is reported before an invalid
// expire time, and an EXAT/PXAT already past deletes the key.
func opGetEx(ks *Keyspace, key []byte, o setOpts, name string) (*Value, error) {
	v, err := readString(ks, key)
	if v == nil || err != nil {
		return nil, err
	}
	var at int64
	if o.expire != nil {
		if at, err = deadline(ks.Now(), o.flags, o.expire, name); err != nil {
			return nil, err
		}
	}
	switch {
	case o.flags&(setEXAT|setPXAT) != 0 && at <= ks.Now():
		ks.Delete(key)
	case o.expire != nil:
		ks.SetExpire(key, v, at)
	case o.flags&setPersist != 0:
		ks.SetExpire(key, v, 0)
	}
	return v, nil
}

// MGET key [key ...]
func cmdMGet(c *Ctx) {
	var buf [16]*Value
	vals := opMGet(&c.KS, c.Args[1:], buf[:0])
	c.W.Array(len(vals))
	for _, v := range vals {
		replyValue(c, v)
	}
}

// opMGet appends to dst each key's string value, nil for a missing key or
// one of another type (MGET never fails on types).
func opMGet(ks *Keyspace, keys [][]byte, dst []*Value) []*Value {
	for _, key := range keys {
		v := ks.Read(key)
		if v != nil && v.Kind != KindString {
			v = nil
		}
		dst = append(dst, v)
	}
	return dst
}

// MSET key value [key value ...]
func cmdMSet(c *Ctx) {
	// Arity -3 admits an even count; Redis checks pairs in the handler.
	if len(c.Args)%2 == 0 {
		c.W.Error(ErrWrongArgs(c.Cmd.Name))
		return
	}
	opMSet(&c.KS, c.Args[1:])
	c.W.OK()
}

// opMSet stores each key/value pair; a key named twice keeps its last
// value. The caller holds every key's instance, so no reader sees part
// of it.
func opMSet(ks *Keyspace, pairs [][]byte) {
	for i := 0; i < len(pairs); i += 2 {
		key := pairs[i]
		storeString(ks, key, pairs[i+1], ks.Get(key), false, 0, true)
	}
}

// MSETNX key value [key value ...]
func cmdMSetNX(c *Ctx) {
	if len(c.Args)%2 == 0 {
		c.W.Error(ErrWrongArgs(c.Cmd.Name))
		return
	}
	replyBool(c, opMSetNX(&c.KS, c.Args[1:]))
}

// opMSetNX stores the pairs only if none of the keys exists, on whichever
// instances they live.
func opMSetNX(ks *Keyspace, pairs [][]byte) bool {
	for i := 0; i < len(pairs); i += 2 {
		if ks.Exists(pairs[i]) {
			return false
		}
	}
	opMSet(ks, pairs)
	return true
}

// STRLEN key
func cmdStrlen(c *Ctx) {
	n, err := opStrlen(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

func opStrlen(ks *Keyspace, key []byte) (int64, error) {
	v, err := readString(ks, key)
	if v == nil {
		return 0, err
	}
	return int64(len(v.Str())), nil
}

// replyBool writes the :1 / :0 integer replies of predicate commands.
func replyBool(c *Ctx, ok bool) {
	if ok {
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}
