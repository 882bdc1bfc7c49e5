package storage

import (
	"bytes"
	"strconv"
)

// Commands from https://redis.io/commands/?group=string

func registerStrings(r *registry) {
	r.add("get", cmdGet)
	r.add("set", cmdSet)
	r.add("setnx", cmdSetNX)
	r.add("setex", cmdSetEX)
	r.add("psetex", cmdPSetEX)
	r.add("getset", cmdGetSet)
	r.add("getdel", cmdGetDel)
	r.add("getex", cmdGetEx)
	r.add("append", cmdAppend)
	r.add("strlen", cmdStrlen)
	r.add("incr", cmdIncr)
	r.add("decr", cmdDecr)
	r.add("incrby", cmdIncrBy)
	r.add("decrby", cmdDecrBy)
	r.add("incrbyfloat", cmdIncrByFloat)
	r.add("getrange", cmdGetRange)
	r.add("substr", cmdGetRange)
	r.add("setrange", cmdSetRange)
	r.add("mget", cmdMGet)
	r.add("mset", cmdMSet)
	r.add("msetnx", cmdMSetNX)
	r.add("lcs", cmdLCS)
}

// getString returns key's string value; ok is false when key holds
// another type.
func getString(ks *Keyspace, key []byte) (v *Value, ok bool) {
	v = ks.Read(key)
	if v != nil && v.Kind != KindString {
		return nil, false
	}
	return v, true
}

// replyString writes a string value or the null reply.
func replyString(c *Ctx, v *Value) {
	if v == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(v.Str)
}

// GET key
func cmdGet(c *Ctx) {
	v, ok := getString(&c.KS, c.Args[1])
	if !ok {
		c.W.Error(ErrWrongType)
		return
	}
	replyString(c, v)
}

// Flags of SET and GETEX options (parseExtendedStringArgumentsOrReply).
const (
	setNX = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT
	setExpireAny = setEX | setPX | setEXAT | setPXAT
)

type setOpts struct {
	flags  int
	expire []byte // the EX/PX/EXAT/PXAT argument
}

// parseSetOptions parses the options of SET (getex=false) or GETEX.
func parseSetOptions(args [][]byte, getex bool) (setOpts, bool) {
	var o setOpts
	for j := 0; j < len(args); j++ {
		a := args[j]
		hasNext := j+1 < len(args)
		switch {
		case !getex && eqFold(a, "nx") && o.flags&setXX == 0:
			o.flags |= setNX
		case !getex && eqFold(a, "xx") && o.flags&setNX == 0:
			o.flags |= setXX
		case !getex && eqFold(a, "get"):
			o.flags |= setGet
		case !getex && eqFold(a, "keepttl") && o.flags&(setPersist|setExpireAny) == 0:
			o.flags |= setKeepTTL
		case getex && eqFold(a, "persist") && o.flags&(setExpireAny|setKeepTTL) == 0:
			o.flags |= setPersist
		case eqFold(a, "ex") && o.flags&(setKeepTTL|setPersist|setPX|setEXAT|setPXAT) == 0 && hasNext:
			o.flags |= setEX
			o.expire = args[j+1]
			j++
		case eqFold(a, "px") && o.flags&(setKeepTTL|setPersist|setEX|setEXAT|setPXAT) == 0 && hasNext:
			o.flags |= setPX
			o.expire = args[j+1]
			j++
		case eqFold(a, "exat") && o.flags&(setKeepTTL|setPersist|setEX|setPX|setPXAT) == 0 && hasNext:
			o.flags |= setEXAT
			o.expire = args[j+1]
			j++
		case eqFold(a, "pxat") && o.flags&(setKeepTTL|setPersist|setEX|setPX|setEXAT) == 0 && hasNext:
			o.flags |= setPXAT
			o.expire = args[j+1]
			j++
		default:
			return o, false
		}
	}
	return o, true
}

// expireAt converts an EX/PX/EXAT/PXAT argument to an absolute deadline in
// ms, with Redis's errors (getExpireMillisecondsOrReply).
func expireAt(c *Ctx, flags int, arg []byte) (int64, bool) {
	n, ok := parseCanonicalInt(arg)
	if !ok {
		c.W.Error(ErrNotInteger)
		return 0, false
	}
	seconds := flags&(setEX|setEXAT) != 0
	if n <= 0 || (seconds && n > maxInt64/1000) {
		c.W.Error(ErrInvalidExpireIn(c.Cmd.Name))
		return 0, false
	}
	if seconds {
		n *= 1000
	}
	if flags&(setEX|setPX) != 0 {
		if n > maxInt64-c.KS.Now() {
			c.W.Error(ErrInvalidExpireIn(c.Cmd.Name))
			return 0, false
		}
		n += c.KS.Now()
	}
	return n, true
}

const maxInt64 = 1<<63 - 1

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL]
func cmdSet(c *Ctx) {
	o, ok := parseSetOptions(c.Args[3:], false)
	if !ok {
		c.W.Error(ErrSyntax)
		return
	}
	var at int64
	if o.flags&setExpireAny != 0 {
		if at, ok = expireAt(c, o.flags, o.expire); !ok {
			return
		}
	}
	setGeneric(c, c.Args[1], c.Args[2], o.flags, at)
}

// setGeneric is setGenericCommand: the common tail of SET, SETNX, SETEX
// and PSETEX.
func setGeneric(c *Ctx, key, val []byte, flags int, at int64) {
	ks := &c.KS
	if flags&setGet != 0 {
		old, ok := getString(ks, key)
		if !ok {
			c.W.Error(ErrWrongType)
			return
		}
		replyString(c, old)
	}
	found := ks.Exists(key)
	if (flags&setNX != 0 && found) || (flags&setXX != 0 && !found) {
		if flags&setGet == 0 {
			c.W.Null()
		}
		return
	}
	opSet(ks, key, val, flags&setKeepTTL != 0, at)
	if flags&setGet == 0 {
		c.W.OK()
	}
}

// opSet stores a copy of val under key; keepTTL keeps the old deadline,
// otherwise at (0: none) becomes the deadline.
//
// Overwriting a string whose buffer fits the new value reuses it, so a
// SET over an existing key allocates nothing.
func opSet(ks *Keyspace, key, val []byte, keepTTL bool, at int64) {
	old := ks.Get(key)
	if old != nil && old.Kind == KindString && cap(old.Str) >= len(val) && cap(old.Str) <= 2*len(val)+16 {
		old.Str = append(old.Str[:0], val...)
		old.Enc = stringEncoding(val)
		if !keepTTL {
			ks.SetExpire(key, old, at)
		}
		ks.Updated(key, old)
		return
	}
	v := NewString(append([]byte(nil), val...))
	if keepTTL && old != nil {
		v.expireAt = old.expireAt
	} else if !keepTTL {
		v.expireAt = at
	}
	ks.Put(key, v)
}

// SETNX key value
func cmdSetNX(c *Ctx) {
	if c.KS.Exists(c.Args[1]) {
		c.W.Int(0)
		return
	}
	opSet(&c.KS, c.Args[1], c.Args[2], false, 0)
	c.W.Int(1)
}

// SETEX key seconds value
func cmdSetEX(c *Ctx) { setWithTTL(c, setEX) }

// PSETEX key milliseconds value
func cmdPSetEX(c *Ctx) { setWithTTL(c, setPX) }

func setWithTTL(c *Ctx, unit int) {
	at, ok := expireAt(c, unit, c.Args[2])
	if !ok {
		return
	}
	setGeneric(c, c.Args[1], c.Args[3], unit, at)
}

// GETSET key value
func cmdGetSet(c *Ctx) {
	old, ok := getString(&c.KS, c.Args[1])
	if !ok {
		c.W.Error(ErrWrongType)
		return
	}
	replyString(c, old)
	opSet(&c.KS, c.Args[1], c.Args[2], false, 0)
}

// GETDEL key
func cmdGetDel(c *Ctx) {
	v, ok := getString(&c.KS, c.Args[1])
	if !ok {
		c.W.Error(ErrWrongType)
		return
	}
	replyString(c, v)
	if v != nil {
		c.KS.Delete(c.Args[1])
	}
}

// GETEX key [EX s|PX ms|EXAT ts|PXAT ts|PERSIST]
func cmdGetEx(c *Ctx) {
	o, ok := parseSetOptions(c.Args[2:], true)
	if !ok {
		c.W.Error(ErrSyntax)
		return
	}
	var at int64
	if o.flags&setExpireAny != 0 {
		if at, ok = expireAt(c, o.flags, o.expire); !ok {
			return
		}
	}
	key := c.Args[1]
	v, ok := getString(&c.KS, key)
	if !ok {
		c.W.Error(ErrWrongType)
		return
	}
	if v == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(v.Str)
	switch {
	case o.flags&(setEXAT|setPXAT) != 0 && at <= c.KS.Now():
		c.KS.Delete(key)
	case o.flags&setExpireAny != 0:
		c.KS.SetExpire(key, v, at)
	case o.flags&setPersist != 0:
		c.KS.SetExpire(key, v, 0)
	}
}

// APPEND key value
func cmdAppend(c *Ctx) {
	n, err := opAppend(&c.KS, c.Args[1], c.Args[2], c.Limits.maxBulk())
	if err != "" {
		c.W.Error(err)
		return
	}
	c.W.Int(n)
}

func opAppend(ks *Keyspace, key, val []byte, maxLen int64) (int64, string) {
	v, ok := getString(ks, key)
	if !ok {
		return 0, ErrWrongType
	}
	if v == nil {
		opSet(ks, key, val, false, 0)
		return int64(len(val)), ""
	}
	if int64(len(v.Str))+int64(len(val)) > maxLen {
		return 0, ErrStringTooLong
	}
	v.Str = append(v.Str, val...)
	v.Enc = EncRaw
	ks.Updated(key, v)
	return int64(len(v.Str)), ""
}

// maxBulk is proto-max-bulk-len, the cap on strings commands build.
func (l *Limits) maxBulk() int64 {
	if l == nil || l.ProtoMaxBulkLen == nil {
		return 512 << 20
	}
	return l.ProtoMaxBulkLen()
}

// STRLEN key
func cmdStrlen(c *Ctx) {
	v, ok := getString(&c.KS, c.Args[1])
	if !ok {
		c.W.Error(ErrWrongType)
		return
	}
	if v == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(len(v.Str)))
}

// INCR key
func cmdIncr(c *Ctx) { incrDecr(c, 1) }

// DECR key
func cmdDecr(c *Ctx) { incrDecr(c, -1) }

// INCRBY key increment
func cmdIncrBy(c *Ctx) {
	by, ok := parseCanonicalInt(c.Args[2])
	if !ok {
		c.W.Error(ErrNotInteger)
		return
	}
	incrDecr(c, by)
}

// DECRBY key decrement
func cmdDecrBy(c *Ctx) {
	by, ok := parseCanonicalInt(c.Args[2])
	if !ok {
		c.W.Error(ErrNotInteger)
		return
	}
	if by == -1<<63 {
		c.W.Error(ErrDecrOverflow)
		return
	}
	incrDecr(c, -by)
}

func incrDecr(c *Ctx, by int64) {
	n, err := opIncrBy(&c.KS, c.Args[1], by)
	if err != "" {
		c.W.Error(err)
		return
	}
	c.W.Int(n)
}

// opIncrBy adds by to the integer stored at key, keeping its deadline.
func opIncrBy(ks *Keyspace, key []byte, by int64) (int64, string) {
	v, ok := getString(ks, key)
	if !ok {
		return 0, ErrWrongType
	}
	var cur int64
	if v != nil {
		if cur, ok = parseCanonicalInt(v.Str); !ok {
			return 0, ErrNotInteger
		}
	}
	if (by < 0 && cur < 0 && by < -1<<63-cur) || (by > 0 && cur > 0 && by > maxInt64-cur) {
		return 0, ErrOverflow
	}
	n := cur + by
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], n, 10)
	if v == nil {
		ks.Put(key, NewString(append([]byte(nil), s...)))
		return n, ""
	}
	v.Str = append(v.Str[:0], s...)
	v.Enc = EncInt
	ks.Updated(key, v)
	return n, ""
}

// INCRBYFLOAT key increment
func cmdIncrByFloat(c *Ctx) {
	s, err := opIncrByFloat(&c.KS, c.Args[1], c.Args[2])
	if err != "" {
		c.W.Error(err)
		return
	}
	c.W.Bulk(s)
}

// opIncrByFloat adds in x87 long-double precision, as Redis does, and
// stores the result in Redis's human-friendly format.
func opIncrByFloat(ks *Keyspace, key, incr []byte) ([]byte, string) {
	v, ok := getString(ks, key)
	if !ok {
		return nil, ErrWrongType
	}
	cur := newLongDouble()
	if v != nil {
		if !parseLongDouble(cur, v.Str) {
			return nil, ErrNotFloat
		}
	}
	by := newLongDouble()
	if !parseLongDouble(by, incr) {
		return nil, ErrNotFloat
	}
	sum, ok := addLongDouble(cur, by)
	if !ok {
		return nil, ErrIncrNaNOrInf
	}
	out := formatLongDoubleHuman(sum)
	// Redis stores the formatted result without trying the int encoding.
	nv := &Value{Kind: KindString, Enc: EncEmbstr, Str: out}
	if len(out) > embstrMax {
		nv.Enc = EncRaw
	}
	if v != nil {
		nv.expireAt = v.expireAt
	}
	ks.Put(key, nv)
	return out, ""
}

// GETRANGE key start end (and SUBSTR)
func cmdGetRange(c *Ctx) {
	start, ok1 := parseCanonicalInt(c.Args[2])
	end, ok2 := parseCanonicalInt(c.Args[3])
	if !ok1 || !ok2 {
		c.W.Error(ErrNotInteger)
		return
	}
	v, ok := getString(&c.KS, c.Args[1])
	if !ok {
		c.W.Error(ErrWrongType)
		return
	}
	if v == nil {
		c.W.Bulk(nil)
		return
	}
	c.W.Bulk(substr(v.Str, start, end))
}

// substr applies GETRANGE's index rules.
func substr(s []byte, start, end int64) []byte {
	n := int64(len(s))
	if start < 0 && end < 0 && start > end {
		return nil
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		return nil
	}
	return s[start : end+1]
}

// SETRANGE key offset value
func cmdSetRange(c *Ctx) {
	off, ok := parseCanonicalInt(c.Args[2])
	if !ok {
		c.W.Error(ErrNotInteger)
		return
	}
	if off < 0 {
		c.W.Error(ErrOffsetRange)
		return
	}
	n, err := opSetRange(&c.KS, c.Args[1], off, c.Args[3], c.Limits.maxBulk())
	if err != "" {
		c.W.Error(err)
		return
	}
	c.W.Int(n)
}

func opSetRange(ks *Keyspace, key []byte, off int64, val []byte, maxLen int64) (int64, string) {
	v, ok := getString(ks, key)
	if !ok {
		return 0, ErrWrongType
	}
	if v == nil && len(val) == 0 {
		return 0, ""
	}
	if len(val) > 0 && off > maxLen-int64(len(val)) {
		return 0, ErrStringTooLong
	}
	if v == nil {
		v = &Value{Kind: KindString, Enc: EncRaw}
		ks.Put(key, v)
	}
	if len(val) == 0 {
		return int64(len(v.Str)), ""
	}
	if need := int(off) + len(val); need > len(v.Str) {
		v.Str = append(v.Str, make([]byte, need-len(v.Str))...)
	}
	copy(v.Str[off:], val)
	v.Enc = EncRaw
	ks.Updated(key, v)
	return int64(len(v.Str)), ""
}

// MGET key [key ...]
func cmdMGet(c *Ctx) {
	c.W.Array(len(c.Args) - 1)
	for _, key := range c.Args[1:] {
		v := c.KS.Read(key)
		if v == nil || v.Kind != KindString {
			c.W.Null()
			continue
		}
		c.W.Bulk(v.Str)
	}
}

// MSET key value [key value ...]
func cmdMSet(c *Ctx) {
	if len(c.Args)%2 == 0 {
		c.W.Error(ErrWrongArgs(c.Cmd.Name))
		return
	}
	opMSet(&c.KS, c.Args[1:])
	c.W.OK()
}

func opMSet(ks *Keyspace, pairs [][]byte) {
	for i := 0; i < len(pairs); i += 2 {
		opSet(ks, pairs[i], pairs[i+1], false, 0)
	}
}

// MSETNX key value [key value ...]
func cmdMSetNX(c *Ctx) {
	if len(c.Args)%2 == 0 {
		c.W.Error(ErrWrongArgs(c.Cmd.Name))
		return
	}
	for i := 1; i < len(c.Args); i += 2 {
		if c.KS.Exists(c.Args[i]) {
			c.W.Int(0)
			return
		}
	}
	opMSet(&c.KS, c.Args[1:])
	c.W.Int(1)
}

func eqFold(b []byte, lower string) bool { return bytes.EqualFold(b, []byte(lower)) }
