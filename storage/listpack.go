package storage

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
)

// Blob codecs of Redis's compact encodings, as they travel inside RDB
// payloads: listpack (hashes, sorted sets, quicklist nodes), intset (sets)
// and, for reading only, the ziplist of older RDB versions. The encoders
// produce the exact bytes Redis's lpAppend and intsetAdd would, so a DUMP
// is byte-identical to redis-server's.

var errBlob = errors.New("storage: corrupt listpack, intset or ziplist")

const (
	lpHeaderSize   = 6
	lpEOF          = 0xFF
	lpCountUnknown = 65535
)

// listpack builds a listpack blob one entry at a time.
type listpack struct {
	b []byte
	n int
}

func newListpack() *listpack { return &listpack{b: make([]byte, lpHeaderSize, 64)} }

// lpIntSize is how many bytes appendInt(v) adds: encoding, data and
// back-length.
func lpIntSize(v int64) int {
	var n int
	switch {
	case v >= 0 && v <= 127:
		n = 1
	case v >= -4096 && v <= 4095:
		n = 2
	case v >= -32768 && v <= 32767:
		n = 3
	case v >= -8388608 && v <= 8388607:
		n = 4
	case v >= math.MinInt32 && v <= math.MaxInt32:
		n = 5
	default:
		n = 9
	}
	return n + lpBacklenSize(n)
}

// lpStrSize is how many bytes appendString(s) adds: a listpack stores s
// as an integer when it is one (string2ll), as text otherwise.
func lpStrSize(s []byte) int {
	if len(s) > 0 && len(s) <= 20 {
		if v, ok := parseCanonicalInt(s); ok {
			return lpIntSize(v)
		}
	}
	var n int
	switch {
	case len(s) < 64:
		n = 1 + len(s)
	case len(s) < 4096:
		n = 2 + len(s)
	default:
		n = 5 + len(s)
	}
	return n + lpBacklenSize(n)
}

// appendString adds s, stored as an integer when it is one (string2ll
// syntax, at most 20 bytes), as lpAppend does.
func (lp *listpack) appendString(s []byte) {
	if len(s) > 0 && len(s) <= 20 {
		if v, ok := parseCanonicalInt(s); ok {
			lp.appendInt(v)
			return
		}
	}
	start := len(lp.b)
	n := len(s)
	switch {
	case n < 64:
		lp.b = append(lp.b, 0x80|byte(n))
	case n < 4096:
		lp.b = append(lp.b, 0xE0|byte(n>>8), byte(n))
	default:
		lp.b = append(lp.b, 0xF0)
		lp.b = binary.LittleEndian.AppendUint32(lp.b, uint32(n))
	}
	lp.b = append(lp.b, s...)
	lp.finishEntry(start)
}

// appendInt adds v in the smallest integer encoding that holds it.
func (lp *listpack) appendInt(v int64) {
	start := len(lp.b)
	switch {
	case v >= 0 && v <= 127:
		lp.b = append(lp.b, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint16(v) & 0x1FFF
		lp.b = append(lp.b, 0xC0|byte(u>>8), byte(u))
	case v >= -32768 && v <= 32767:
		lp.b = append(lp.b, 0xF1)
		lp.b = binary.LittleEndian.AppendUint16(lp.b, uint16(v))
	case v >= -8388608 && v <= 8388607:
		u := uint32(v)
		lp.b = append(lp.b, 0xF2, byte(u), byte(u>>8), byte(u>>16))
	case v >= -1<<31 && v <= 1<<31-1:
		lp.b = append(lp.b, 0xF3)
		lp.b = binary.LittleEndian.AppendUint32(lp.b, uint32(v))
	default:
		lp.b = append(lp.b, 0xF4)
		lp.b = binary.LittleEndian.AppendUint64(lp.b, uint64(v))
	}
	lp.finishEntry(start)
}

// finishEntry appends the back-length of the entry that began at start.
func (lp *listpack) finishEntry(start int) {
	l := uint64(len(lp.b) - start)
	switch {
	case l <= 127:
		lp.b = append(lp.b, byte(l))
	case l < 16383:
		lp.b = append(lp.b, byte(l>>7), byte(l&127)|128)
	case l < 2097151:
		lp.b = append(lp.b, byte(l>>14), byte(l>>7&127)|128, byte(l&127)|128)
	case l < 268435455:
		lp.b = append(lp.b, byte(l>>21), byte(l>>14&127)|128, byte(l>>7&127)|128, byte(l&127)|128)
	default:
		lp.b = append(lp.b, byte(l>>28), byte(l>>21&127)|128, byte(l>>14&127)|128, byte(l>>7&127)|128, byte(l&127)|128)
	}
	lp.n++
}

// size is the blob's length once finished, what quicklist fill limits
// measure.
func (lp *listpack) size() int { return len(lp.b) + 1 }

// bytes finishes the blob: EOF byte and header.
func (lp *listpack) bytes() []byte {
	b := append(lp.b, lpEOF)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint16(b[4:], uint16(min(lp.n, lpCountUnknown)))
	return b
}

// lpBacklenSize is how many bytes the back-length of an l-byte entry takes.
func lpBacklenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// decodeListpack returns every entry of a listpack blob as a string
// (integers in decimal). It checks the header, each entry's bounds and
// back-length, and the EOF byte, which is more than Redis's shallow
// RESTORE check, so corrupt payloads fail here instead of later.
func decodeListpack(b []byte) ([]string, error) {
	if len(b) < lpHeaderSize+1 || int(binary.LittleEndian.Uint32(b)) != len(b) || b[len(b)-1] != lpEOF {
		return nil, errBlob
	}
	count := int(binary.LittleEndian.Uint16(b[4:]))
	var out []string
	p := lpHeaderSize
	for b[p] != lpEOF {
		s, n, err := lpEntry(b[p : len(b)-1])
		if err != nil {
			return nil, err
		}
		back := lpBacklenSize(n)
		if p+n+back > len(b)-1 {
			return nil, errBlob
		}
		out = append(out, s)
		p += n + back
	}
	if p != len(b)-1 || count != lpCountUnknown && count != len(out) {
		return nil, errBlob
	}
	return out, nil
}

// lpEntry decodes the entry at the start of b and returns it with the
// length of its encoding and data (without the back-length).
func lpEntry(b []byte) (string, int, error) {
	c := b[0]
	need := func(n int) bool { return len(b) >= n }
	switch {
	case c&0x80 == 0:
		return strconv.Itoa(int(c)), 1, nil
	case c&0xC0 == 0x80:
		n := int(c & 0x3F)
		if !need(1 + n) {
			return "", 0, errBlob
		}
		return string(b[1 : 1+n]), 1 + n, nil
	case c&0xE0 == 0xC0:
		if !need(2) {
			return "", 0, errBlob
		}
		u := uint16(c&0x1F)<<8 | uint16(b[1])
		v := int64(u)
		if u >= 1<<12 {
			v -= 1 << 13
		}
		return strconv.FormatInt(v, 10), 2, nil
	case c&0xF0 == 0xE0:
		if !need(2) {
			return "", 0, errBlob
		}
		n := int(c&0x0F)<<8 | int(b[1])
		if !need(2 + n) {
			return "", 0, errBlob
		}
		return string(b[2 : 2+n]), 2 + n, nil
	}
	switch c {
	case 0xF0:
		if !need(5) {
			return "", 0, errBlob
		}
		n := int(binary.LittleEndian.Uint32(b[1:]))
		if n < 0 || !need(5+n) {
			return "", 0, errBlob
		}
		return string(b[5 : 5+n]), 5 + n, nil
	case 0xF1:
		if !need(3) {
			return "", 0, errBlob
		}
		return strconv.FormatInt(int64(int16(binary.LittleEndian.Uint16(b[1:]))), 10), 3, nil
	case 0xF2:
		if !need(4) {
			return "", 0, errBlob
		}
		u := uint32(b[1]) | uint32(b[2])<<8 | uint32(b[3])<<16
		return strconv.FormatInt(int64(int32(u<<8)>>8), 10), 4, nil
	case 0xF3:
		if !need(5) {
			return "", 0, errBlob
		}
		return strconv.FormatInt(int64(int32(binary.LittleEndian.Uint32(b[1:]))), 10), 5, nil
	case 0xF4:
		if !need(9) {
			return "", 0, errBlob
		}
		return strconv.FormatInt(int64(binary.LittleEndian.Uint64(b[1:])), 10), 9, nil
	}
	return "", 0, errBlob
}

// decodeZiplist returns every entry of a ziplist blob (RDB versions
// before 10) as a string.
func decodeZiplist(b []byte) ([]string, error) {
	if len(b) < 11 || int(binary.LittleEndian.Uint32(b)) != len(b) || b[len(b)-1] != 0xFF {
		return nil, errBlob
	}
	var out []string
	p, last := 10, 10
	for p < len(b)-1 {
		last = p
		if b[p] == 0xFE { // prevlen: one byte, or 0xFE and four
			p += 5
		} else {
			p++
		}
		if p >= len(b)-1 {
			return nil, errBlob
		}
		s, n, err := zlEntry(b[p : len(b)-1])
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		p += n
	}
	if p != len(b)-1 || int(binary.LittleEndian.Uint32(b[4:])) != last {
		return nil, errBlob
	}
	return out, nil
}

func zlEntry(b []byte) (string, int, error) {
	c := b[0]
	str := func(hdr, n int) (string, int, error) {
		if n < 0 || len(b) < hdr+n {
			return "", 0, errBlob
		}
		return string(b[hdr : hdr+n]), hdr + n, nil
	}
	num := func(hdr int, v int64) (string, int, error) {
		if len(b) < hdr {
			return "", 0, errBlob
		}
		return strconv.FormatInt(v, 10), hdr, nil
	}
	le := func(n int) uint64 {
		var u uint64
		for i := n; i >= 1 && i < len(b); i-- {
			u = u<<8 | uint64(b[i])
		}
		return u
	}
	switch c >> 6 {
	case 0:
		return str(1, int(c&0x3F))
	case 1:
		if len(b) < 2 {
			return "", 0, errBlob
		}
		return str(2, int(c&0x3F)<<8|int(b[1]))
	case 2:
		if c != 0x80 || len(b) < 5 {
			return "", 0, errBlob
		}
		return str(5, int(binary.BigEndian.Uint32(b[1:])))
	}
	switch {
	case c == 0xC0:
		return num(3, int64(int16(le(2))))
	case c == 0xD0:
		return num(5, int64(int32(le(4))))
	case c == 0xE0:
		return num(9, int64(le(8)))
	case c == 0xF0:
		return num(4, int64(int32(uint32(le(3))<<8)>>8))
	case c == 0xFE:
		return num(2, int64(int8(le(1))))
	case c >= 0xF1 && c <= 0xFD:
		return num(1, int64(c&0x0F)-1)
	}
	return "", 0, errBlob
}
