package storage

import "math/bits"

// Commands from https://redis.io/commands/?group=bitmap: bitmaps are
// string values addressed bit by bit, most significant bit of each byte
// first. BITFIELD and BITFIELD_RO live in bitfield.go.

func registerBitmaps(r *registry) {
	r.add("setbit", cmdSetBit)
	r.add("getbit", cmdGetBit)
	r.add("bitcount", cmdBitCount)
	r.add("bitpos", cmdBitPos)
	r.add("bitop", cmdBitOp)
	r.add("bitfield", cmdBitField)
	r.add("bitfield_ro", cmdBitFieldRO)
}

// parseBitOffset is getBitOffsetFromArgument: a bit offset, or with hash
// a "#n" offset counted in fields of width bits. Offsets whose byte would
// reach proto-max-bulk-len are refused.
func parseBitOffset(a []byte, hash bool, width int64, maxLen int64) (int64, bool) {
	usehash := hash && len(a) > 1 && a[0] == '#'
	if usehash {
		a = a[1:]
	}
	n, ok := parseCanonicalInt(a)
	if !ok {
		return 0, false
	}
	if usehash {
		n *= width // wraps on overflow as Redis's multiplication does
	}
	if n < 0 || n>>3 >= maxLen {
		return 0, false
	}
	return n, true
}

// bitString is lookupStringForBitCommand: key's string, created or grown
// with zero bytes so that bit maxbit exists, and made raw as
// dbUnshareStringValue makes it. The caller must call ks.Updated after
// changing it.
func bitString(ks *Keyspace, key []byte, maxbit int64) (*Value, error) {
	v, err := writeString(ks, key)
	if err != nil {
		return nil, err
	}
	need := int(maxbit>>3) + 1
	if v == nil {
		v = strValue(EncRaw, make([]byte, need))
		ks.Put(key, v)
		return v, nil
	}
	if need > len(v.Str()) {
		v.SetStr(append(v.Str(), make([]byte, need-len(v.Str()))...))
	}
	v.Enc = EncRaw
	return v, nil
}

// SETBIT key offset value
func cmdSetBit(c *Ctx) {
	off, ok := parseBitOffset(c.Args[2], false, 0, c.Limits.maxBulk())
	if !ok {
		c.W.Error(ErrBitOffset)
		return
	}
	on, ok := parseCanonicalInt(c.Args[3])
	if !ok || on&^1 != 0 {
		c.W.Error(ErrBitValue)
		return
	}
	old, err := opSetBit(&c.KS, c.Args[1], off, on == 1)
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(old)
}

// opSetBit sets or clears bit off of key's string and returns its old
// value.
func opSetBit(ks *Keyspace, key []byte, off int64, on bool) (int64, error) {
	v, err := bitString(ks, key, off)
	if err != nil {
		return 0, err
	}
	b, mask := &v.Str()[off>>3], byte(1)<<(7-off&7)
	old := int64(0)
	if *b&mask != 0 {
		old = 1
	}
	if on {
		*b |= mask
	} else {
		*b &^= mask
	}
	ks.Updated(key, v)
	return old, nil
}

// GETBIT key offset
func cmdGetBit(c *Ctx) {
	off, ok := parseBitOffset(c.Args[2], false, 0, c.Limits.maxBulk())
	if !ok {
		c.W.Error(ErrBitOffset)
		return
	}
	v, err := readString(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(int64(bitAt(v, off)))
}

// bitAt is bit off of v's string, 0 past its end or for a missing key.
func bitAt(v *Value, off int64) byte {
	if v == nil || off>>3 >= int64(len(v.Str())) {
		return 0
	}
	return v.Str()[off>>3] >> (7 - off&7) & 1
}

// bitRange applies BITCOUNT's and BITPOS's index rules to start and end,
// in bytes or (isbit) bits of a string of n bytes, and returns the byte
// range and the masks of the bits outside the range in its first and last
// byte (Redis's first_byte_neg_mask and last_byte_neg_mask).
func bitRange(n, start, end int64, isbit bool) (s, e int64, first, last byte) {
	total := n
	if isbit {
		total <<= 3
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start, end = max(start, 0), max(end, 0)
	if end >= total {
		end = total - 1
	}
	if isbit && start <= end {
		first = ^byte((1 << (8 - start&7)) - 1)
		last = byte((1 << (7 - end&7)) - 1)
		start >>= 3
		end >>= 3
	}
	return start, end, first, last
}

// parseBitUnit parses BYTE or BIT.
func parseBitUnit(a []byte) (isbit bool, err error) {
	switch {
	case isOpt(a, "bit"):
		return true, nil
	case isOpt(a, "byte"):
		return false, nil
	}
	return false, errSyntax
}

// BITCOUNT key [start end [BYTE|BIT]]
func cmdBitCount(c *Ctx) {
	v, err := readString(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if v == nil {
		c.W.Int(0)
		return
	}
	p := v.Str()
	var start, end int64
	var first, last byte
	switch len(c.Args) {
	case 4, 5:
		var ok1, ok2 bool
		start, ok1 = parseCanonicalInt(c.Args[2])
		if !ok1 {
			c.W.Error(ErrNotInteger)
			return
		}
		end, ok2 = parseCanonicalInt(c.Args[3])
		if !ok2 {
			c.W.Error(ErrNotInteger)
			return
		}
		if start < 0 && end < 0 && start > end { // before BYTE|BIT is read
			c.W.Int(0)
			return
		}
		isbit := false
		if len(c.Args) == 5 {
			if isbit, err = parseBitUnit(c.Args[4]); err != nil {
				writeErr(c, err)
				return
			}
		}
		start, end, first, last = bitRange(int64(len(p)), start, end, isbit)
	case 2:
		start, end = 0, int64(len(p))-1
	default:
		c.W.Error(ErrSyntax)
		return
	}
	if start > end {
		c.W.Int(0)
		return
	}
	var n int
	for _, b := range p[start : end+1] {
		n += bits.OnesCount8(b)
	}
	n -= bits.OnesCount8(p[start]&first) + bits.OnesCount8(p[end]&last)
	c.W.Int(int64(n))
}

// BITPOS key bit [start [end [BYTE|BIT]]]
func cmdBitPos(c *Ctx) {
	bit, ok := parseCanonicalInt(c.Args[2])
	if !ok {
		c.W.Error(ErrNotInteger)
		return
	}
	if bit != 0 && bit != 1 {
		c.W.Error(ErrBitArgument)
		return
	}
	v, err := readString(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if v == nil {
		c.W.Int(-bit) // an endless run of zeros: -1 for a 1, 0 for a 0
		return
	}
	p := v.Str()
	n := int64(len(p))
	var start, end int64
	var first, last byte
	endGiven := false
	switch len(c.Args) {
	case 4, 5, 6:
		if start, ok = parseCanonicalInt(c.Args[3]); !ok {
			c.W.Error(ErrNotInteger)
			return
		}
		isbit := false
		if len(c.Args) == 6 {
			if isbit, err = parseBitUnit(c.Args[5]); err != nil {
				writeErr(c, err)
				return
			}
		}
		if len(c.Args) >= 5 {
			if end, ok = parseCanonicalInt(c.Args[4]); !ok {
				c.W.Error(ErrNotInteger)
				return
			}
			endGiven = true
		} else if isbit {
			end = n<<3 + 7
		} else {
			end = n - 1
		}
		start, end, first, last = bitRange(n, start, end, isbit)
	case 3:
		start, end = 0, n-1
	default:
		c.W.Error(ErrSyntax)
		return
	}
	c.W.Int(bitPos(p, start, end, first, last, byte(bit), endGiven))
}

// bitPos is the first bit equal to bit in bytes start..end of p, less the
// masked bits at either end. Not finding a 0 answers the bit past the
// range, as if the string went on with zeros, unless the range was
// explicit.
func bitPos(p []byte, start, end int64, first, last, bit byte, endGiven bool) int64 {
	if start > end {
		return -1
	}
	for i := start; i <= end; i++ {
		b := p[i]
		var mask byte
		if i == start {
			mask |= first
		}
		if i == end {
			mask |= last
		}
		if bit == 1 {
			b &^= mask
		} else {
			b |= mask
			b = ^b
		}
		if b != 0 {
			return i<<3 + int64(bits.LeadingZeros8(b))
		}
	}
	if bit == 1 || endGiven {
		return -1
	}
	return (end + 1) << 3
}

// BITOP AND|OR|XOR|NOT destkey key [key ...]
func cmdBitOp(c *Ctx) {
	op := c.Args[1]
	var kind byte
	switch {
	case isOpt(op, "and"):
		kind = '&'
	case isOpt(op, "or"):
		kind = '|'
	case isOpt(op, "xor"):
		kind = '^'
	case isOpt(op, "not"):
		kind = '~'
	default:
		c.W.Error(ErrSyntax)
		return
	}
	if kind == '~' && len(c.Args) != 4 {
		c.W.Error(ErrBitOpNot)
		return
	}
	n, err := opBitOp(&c.KS, kind, c.Args[2], c.Args[3:])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opBitOp stores the bitwise kind ('&', '|', '^' or '~') of the source
// strings, missing ones read as empty and shorter ones zero-padded, under
// dest and returns its length. An empty result deletes dest.
func opBitOp(ks *Keyspace, kind byte, dest []byte, keys [][]byte) (int64, error) {
	srcs := make([][]byte, len(keys))
	maxlen := 0
	for i, k := range keys {
		v, err := readString(ks, k)
		if err != nil {
			return 0, err
		}
		if v != nil {
			srcs[i] = v.Str()
			maxlen = max(maxlen, len(v.Str()))
		}
	}
	if maxlen == 0 {
		ks.Delete(dest)
		return 0, nil
	}
	res := make([]byte, maxlen)
	copy(res, srcs[0])
	switch kind {
	case '~':
		for j := range res {
			res[j] = ^res[j]
		}
	case '&':
		for _, s := range srcs[1:] {
			for j := range res {
				if j < len(s) {
					res[j] &= s[j]
				} else {
					res[j] = 0
				}
			}
		}
	case '|':
		for _, s := range srcs[1:] {
			for j := range s {
				res[j] |= s[j]
			}
		}
	case '^':
		for _, s := range srcs[1:] {
			for j := range s {
				res[j] ^= s[j]
			}
		}
	}
	ks.Put(dest, strValue(EncRaw, res))
	return int64(maxlen), nil
}
