package storage

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
)

// The RDB value encoding, shared by DUMP (and, later, snapshots). Each
// value is written as redis-server 7.0 writes it (rdbSaveObject), choosing
// the RDB type from the value's encoding, so small values dump
// byte-identically and every dump loads into a real Redis.

// rdbVersion is RDB_VERSION of Redis 7.0: DUMP payloads carry it, and
// RESTORE refuses newer ones.
const rdbVersion = 10

// RDB object types (RDB_TYPE_*).
const (
	rdbTypeString          = 0
	rdbTypeList            = 1
	rdbTypeSet             = 2
	rdbTypeZSet            = 3
	rdbTypeHash            = 4
	rdbTypeZSet2           = 5
	rdbTypeModule          = 6
	rdbTypeModule2         = 7
	rdbTypeHashZipmap      = 9
	rdbTypeListZiplist     = 10
	rdbTypeSetIntset       = 11
	rdbTypeZSetZiplist     = 12
	rdbTypeHashZiplist     = 13
	rdbTypeListQuicklist   = 14
	rdbTypeStreamListpacks = 15
	rdbTypeHashListpack    = 16
	rdbTypeZSetListpack    = 17
	rdbTypeListQuicklist2  = 18
	rdbTypeStreamListpack2 = 19
)

// Length and string encodings (RDB_6BITLEN ... RDB_ENC_LZF).
const (
	rdb32BitLen = 0x80
	rdb64BitLen = 0x81
	rdbEncVal   = 3
	rdbEncInt8  = 0
	rdbEncInt16 = 1
	rdbEncInt32 = 2
	rdbEncLZF   = 3
)

// Quicklist node containers, and what decides a node's fill: its byte
// size for the negative list-max-listpack-size settings, a count (under a
// safety size) for the positive ones, with quicklist's per-entry
// overestimate.
const (
	quicklistPlain       = 1
	quicklistPacked      = 2
	quicklistSafetyLimit = 8192
	quicklistEntryExtra  = 8
)

// quicklistAllowInsert is _quicklistNodeAllowInsert for a node of size
// bytes and count entries receiving an sz-byte element under fill.
func quicklistAllowInsert(size, count int, fill int64, sz int) bool {
	newSz := size + sz + quicklistEntryExtra
	if fill < 0 {
		if off := -fill - 1; off < 5 {
			return newSz <= 4096<<off
		}
		return false
	}
	return newSz <= quicklistSafetyLimit && int64(count) < fill
}

// rdbAppendLen is rdbSaveLen.
func rdbAppendLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, 0x40|byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, rdb32BitLen), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, rdb64BitLen), n)
}

// rdbEncodeInteger is rdbEncodeInteger: v in the smallest of the 8, 16
// and 32-bit encodings, or ok false when it needs more.
func rdbEncodeInteger(b []byte, v int64) ([]byte, bool) {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(b, rdbEncVal<<6|rdbEncInt8, byte(v)), true
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return binary.LittleEndian.AppendUint16(append(b, rdbEncVal<<6|rdbEncInt16), uint16(v)), true
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return binary.LittleEndian.AppendUint32(append(b, rdbEncVal<<6|rdbEncInt32), uint32(v)), true
	}
	return b, false
}

// rdbAppendString is rdbSaveRawString: a short canonical integer as an
// integer, a string over 20 bytes LZF-compressed when that saves at least
// four bytes, anything else length-prefixed.
func rdbAppendString(b []byte, s []byte) []byte {
	if len(s) <= 11 {
		if v, ok := parseCanonicalInt(s); ok {
			if out, ok := rdbEncodeInteger(b, v); ok {
				return out
			}
		}
	}
	if len(s) > 20 {
		if c := lzfCompress(s, len(s)-4); c != nil {
			b = append(b, rdbEncVal<<6|rdbEncLZF)
			b = rdbAppendLen(b, uint64(len(c)))
			b = rdbAppendLen(b, uint64(len(s)))
			return append(b, c...)
		}
	}
	return append(rdbAppendLen(b, uint64(len(s))), s...)
}

// rdbAppendObject appends v's RDB type byte and its encoded value
// (rdbSaveObjectType plus rdbSaveObject).
func rdbAppendObject(b []byte, v *Value) ([]byte, error) {
	switch v.Kind {
	case KindString:
		return rdbAppendString(append(b, rdbTypeString), v.Str()), nil
	case KindList:
		return rdbAppendList(b, v), nil
	case KindSet:
		return rdbAppendSet(b, v.Obj().(*setObj)), nil
	case KindZSet:
		return rdbAppendZSet(b, v.Obj().(*zsetValue)), nil
	case KindHash:
		return rdbAppendHash(b, v.Obj().(*hashValue)), nil
	case KindStream:
		return rdbAppendStream(b, v)
	}
	return b, errors.New("storage: no RDB encoding for kind " + v.Kind.String())
}

// rdbAppendStream writes a stream as RDB_TYPE_STREAM_LISTPACKS_2: see
// rdb_stream.go.
func rdbAppendStream(b []byte, v *Value) ([]byte, error) {
	s, _ := v.Obj().(*streamValue)
	if s == nil {
		s = newStreamValue()
	}
	return rdbAppendStreamValue(b, s), nil
}

// rdbAppendList writes a quicklist as RDB_TYPE_LIST_QUICKLIST_2, cutting
// nodes where tail pushes under the default fill would have: a list built
// by RPUSH dumps node for node as in Redis.
func rdbAppendList(b []byte, v *Value) []byte {
	b = append(b, rdbTypeListQuicklist2)
	l, _ := v.Obj().(*listValue)
	nodes := quicklistNodes(l)
	b = rdbAppendLen(b, uint64(len(nodes)))
	for _, n := range nodes {
		b = rdbAppendLen(b, quicklistPacked)
		b = rdbAppendString(b, n)
	}
	return b
}

// quicklistNodes cuts l into the listpack nodes tail pushes under the
// list-max-listpack-size in force would have made.
func quicklistNodes(l *listValue) [][]byte {
	var nodes [][]byte
	if l == nil || l.Len() == 0 {
		return nil
	}
	it := l.iterFrom(0)
	quicklistCuts(l, func(count, _ int) {
		lp := newListpack()
		for ; count > 0; count-- {
			lp.appendString(it.next())
		}
		nodes = append(nodes, lp.bytes())
	})
	return nodes
}

// quicklistCuts calls node with the element count and listpack size of
// each node quicklistNodes makes, without building them.
func quicklistCuts(l *listValue, node func(count, size int)) {
	fill := encoding().ListMaxListpackSize
	if l == nil || l.Len() == 0 {
		return
	}
	count, size := 0, 0
	it := l.iterFrom(0)
	for i := 0; i < l.Len(); i++ {
		e := it.next()
		if count > 0 && !quicklistAllowInsert(size, count, fill, len(e)) {
			node(count, size)
			count = 0
		}
		if count == 0 {
			size = lpHeaderSize + 1
		}
		size += lpStrSize(e)
		count++
	}
	if count > 0 {
		node(count, size)
	}
}

func rdbAppendSet(b []byte, s *setObj) []byte {
	if s.isIntset() {
		return rdbAppendString(append(b, rdbTypeSetIntset), s.ints)
	}
	b = rdbAppendLen(append(b, rdbTypeSet), uint64(len(s.ht.keys)))
	for _, k := range s.ht.keys {
		b = rdbAppendString(b, strBytes(k))
	}
	return b
}

// rdbAppendZSet writes a listpack as member/score pairs (scores as
// d2string text) and a skiplist as RDB_TYPE_ZSET_2 from the highest
// member down, as rdbSaveObject walks it so loading appends at the head.
func rdbAppendZSet(b []byte, z *zsetValue) []byte {
	if z.tree == nil {
		return rdbAppendString(append(b, rdbTypeZSetListpack), zsetListpack(z))
	}
	b = rdbAppendLen(append(b, rdbTypeZSet2), uint64(z.tree.length))
	z.tree.each(0, z.tree.length-1, true, func(e zentry) bool {
		b = rdbAppendString(b, strBytes(e.member))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.score))
		return true
	})
	return b
}

func rdbAppendHash(b []byte, h *hashValue) []byte {
	if h.ht == nil {
		return rdbAppendString(append(b, rdbTypeHashListpack), hashListpack(h))
	}
	b = rdbAppendLen(append(b, rdbTypeHash), uint64(h.Len()))
	h.each(func(f, v []byte) bool {
		b = rdbAppendString(b, f)
		b = rdbAppendString(b, v)
		return true
	})
	return b
}

// zsetListpack is the listpack of a listpack-encoded sorted set.
func zsetListpack(z *zsetValue) []byte {
	lp := newListpack()
	var tmp [32]byte
	z.each(0, z.Len()-1, false, func(e zentry) bool {
		lp.appendString(strBytes(e.member))
		lp.appendString(appendD2String(tmp[:0], e.score))
		return true
	})
	return lp.bytes()
}

// appendD2String is Redis 7.0's d2string, the text a listpack keeps for
// a score: an integral value within ±LLONG_MAX/2 as an integer (so -0 is
// "0" and 1.2345678901234568e17 is "123456789012345680"), anything else
// as %.17g, infinities as "inf" and "-inf".
func appendD2String(b []byte, f float64) []byte {
	if f >= -math.MaxInt64/2 && f <= math.MaxInt64/2 {
		if i := int64(f); float64(i) == f {
			return strconv.AppendInt(b, i, 10)
		}
	}
	return appendScoreText(b, f)
}

// hashListpack is the listpack of a listpack-encoded hash.
func hashListpack(h *hashValue) []byte {
	lp := newListpack()
	h.each(func(f, v []byte) bool {
		lp.appendString(f)
		lp.appendString(v)
		return true
	})
	return lp.bytes()
}

// dumpPayload is createDumpPayload: the encoded object, the RDB version
// (2 bytes little endian) and the CRC64 of all that (8 bytes little
// endian).
func dumpPayload(v *Value) ([]byte, error) {
	b, err := rdbAppendObject(make([]byte, 0, 64), v)
	if err != nil {
		return nil, err
	}
	b = binary.LittleEndian.AppendUint16(b, rdbVersion)
	return binary.LittleEndian.AppendUint64(b, crc64(0, b)), nil
}
