package storage

import (
	"math"
	"strconv"
)

// Counters and in-place edits of string values: INCR, DECR, INCRBY,
// DECRBY, INCRBYFLOAT, APPEND, GETRANGE, SETRANGE. They keep the key's
// deadline, as Redis's dbOverwrite does.

// maxBulk is proto-max-bulk-len, the cap on strings commands build.
func (l *Limits) maxBulk() int64 {
	if l == nil || l.ProtoMaxBulkLen == nil {
		return 512 << 20
	}
	return l.ProtoMaxBulkLen()
}

// fitsBulk is checkStringLength: whether a string of size+grow bytes stays
// within max, with the overflow of the sum caught too.
func fitsBulk(size, grow, max int64) bool {
	total := int64(uint64(size) + uint64(grow))
	return total <= max && total >= size && total >= grow
}

// INCR key
func cmdIncr(c *Ctx) { incrBy(c, 1) }

// DECR key
func cmdDecr(c *Ctx) { incrBy(c, -1) }

// INCRBY key increment
func cmdIncrBy(c *Ctx) {
	by, ok := parseCanonicalInt(c.Args[2])
	if !ok {
		c.W.Error(ErrNotInteger)
		return
	}
	incrBy(c, by)
}

// DECRBY key decrement
func cmdDecrBy(c *Ctx) {
	by, ok := parseCanonicalInt(c.Args[2])
	if !ok {
		c.W.Error(ErrNotInteger)
		return
	}
	if by == math.MinInt64 { // its negation overflows
		c.W.Error(ErrDecrOverflow)
		return
	}
	incrBy(c, -by)
}

func incrBy(c *Ctx, by int64) {
	digits, err := opIncrBy(&c.KS, c.Args[1], by)
	if err != nil {
		writeErr(c, err)
		return
	}
	// The reply is the stored digits: formatting the integer a second time
	// cost as much as storing it.
	c.W.IntDigits(digits)
}

// counterRoom is the digits a new counter has room for: up to 99,999,999
// (or -9,999,999) it never moves out of its name's block.
const counterRoom = 8

// opIncrBy adds by to the integer stored at key (0 when missing) and
// returns the new value's digits as stored (valid while the instance is
// locked). The result is int-encoded, as Redis stores it, whatever the
// old encoding.
func opIncrBy(ks *Keyspace, key []byte, by int64) ([]byte, error) {
	v, err := writeString(ks, key)
	if err != nil {
		return nil, err
	}
	var cur int64
	if v != nil {
		var ok bool
		if cur, ok = parseCanonicalInt(v.Str()); !ok {
			return nil, errNotInteger
		}
	}
	if by < 0 && cur < 0 && by < math.MinInt64-cur || by > 0 && cur > 0 && by > math.MaxInt64-cur {
		return nil, replyError(ErrOverflow)
	}
	var tmp [20]byte
	digits := strconv.AppendInt(tmp[:0], cur+by, 10)
	if v == nil {
		// A counter is read and rewritten by every INCR: its digits sit
		// in its name's block, with room to grow to counterRoom digits in
		// place, so an INCR reads one block where it read two.
		v = ks.putString(key, digits, max(len(digits), counterRoom), 0)
		return v.Str(), nil
	}
	v.SetStr(append(v.Str()[:0], digits...))
	v.Enc = EncInt
	ks.Updated(key, v)
	return v.Str(), nil
}

// INCRBYFLOAT key increment
func cmdIncrByFloat(c *Ctx) {
	s, err := opIncrByFloat(&c.KS, c.Args[1], c.Args[2])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Bulk(s)
}

// opIncrByFloat adds in x87 long-double precision, as Redis does, and
// stores the result in Redis's human-friendly format, which it also
// returns. The result is a plain string (embstr or raw), never int-encoded:
// Redis builds it with createStringObject.
func opIncrByFloat(ks *Keyspace, key, incr []byte) ([]byte, error) {
	v, err := writeString(ks, key)
	if err != nil {
		return nil, err
	}
	cur := newLongDouble()
	if v != nil && !parseLongDouble(cur, v.Str()) {
		return nil, errNotFloat
	}
	by := newLongDouble()
	if !parseLongDouble(by, incr) {
		return nil, errNotFloat
	}
	sum, ok := addLongDouble(cur, by)
	if !ok {
		return nil, replyError(ErrIncrNaNOrInf)
	}
	out := formatLongDoubleHuman(sum)
	nv := strValue(plainEncoding(out), out)
	if v != nil {
		nv.expireAt = v.expireAt
	}
	ks.Put(key, nv)
	return out, nil
}

// plainEncoding is the encoding createStringObject gives b: embstr when
// short, raw otherwise, never int.
func plainEncoding(b []byte) Encoding {
	if len(b) <= embstrMax {
		return EncEmbstr
	}
	return EncRaw
}

// APPEND key value
func cmdAppend(c *Ctx) {
	n, err := opAppend(&c.KS, c.Args[1], c.Args[2], c.Limits.maxBulk())
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opAppend appends val to key's string and returns the new length. A new
// key is stored as SET would store val; an existing one becomes raw, even
// when val is empty, as dbUnshareStringValue makes it in Redis.
func opAppend(ks *Keyspace, key, val []byte, maxLen int64) (int64, error) {
	v, err := writeString(ks, key)
	if err != nil {
		return 0, err
	}
	if v == nil {
		storeString(ks, key, val, nil, false, 0, false)
		return int64(len(val)), nil
	}
	if !fitsBulk(int64(len(v.Str())), int64(len(val)), maxLen) {
		return 0, replyError(ErrStringTooLong)
	}
	v.SetStr(append(v.Str(), val...))
	v.Enc = EncRaw
	ks.Updated(key, v)
	return int64(len(v.Str())), nil
}

// GETRANGE key start end (and its old name SUBSTR)
func cmdGetRange(c *Ctx) {
	start, ok1 := parseCanonicalInt(c.Args[2])
	end, ok2 := parseCanonicalInt(c.Args[3])
	if !ok1 || !ok2 {
		c.W.Error(ErrNotInteger)
		return
	}
	s, err := opGetRange(&c.KS, c.Args[1], start, end)
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Bulk(s) // a missing key or an empty range is the empty string
}

// opGetRange returns the bytes of key's string from start to end,
// inclusive, negative indexes counting from the end. The result aliases
// the stored value: write it out before changing the key.
func opGetRange(ks *Keyspace, key []byte, start, end int64) ([]byte, error) {
	v, err := readString(ks, key)
	if v == nil {
		return nil, err
	}
	return substr(v.Str(), start, end), nil
}

// substr applies GETRANGE's index rules (getrangeCommand).
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
	start, end = max(start, 0), max(end, 0)
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
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opSetRange overwrites key's string from offset off with val, padding
// with zero bytes, and returns the new length. Writing nothing never
// creates the key nor changes its encoding; writing anything makes it raw.
func opSetRange(ks *Keyspace, key []byte, off int64, val []byte, maxLen int64) (int64, error) {
	v, err := writeString(ks, key)
	if err != nil {
		return 0, err
	}
	if len(val) == 0 {
		if v == nil {
			return 0, nil
		}
		return int64(len(v.Str())), nil
	}
	if !fitsBulk(off, int64(len(val)), maxLen) {
		return 0, replyError(ErrStringTooLong)
	}
	if v == nil {
		v = &Value{Kind: KindString, Enc: EncRaw}
		ks.Put(key, v)
	}
	if need := int(off) + len(val); need > len(v.Str()) {
		v.SetStr(append(v.Str(), make([]byte, need-len(v.Str()))...))
	}
	copy(v.Str()[off:], val)
	v.Enc = EncRaw
	ks.Updated(key, v)
	return int64(len(v.Str())), nil
}
