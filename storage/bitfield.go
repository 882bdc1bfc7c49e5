package storage

// BITFIELD and BITFIELD_RO: integers of 1 to 64 bits (unsigned up to 63)
// at arbitrary bit offsets of a string, as Redis's bitfieldGeneric.

type bfOverflow uint8

const (
	bfWrap bfOverflow = iota
	bfSat
	bfFail
)

type bfOpcode uint8

const (
	bfGet bfOpcode = iota
	bfSet
	bfIncrBy
)

// bfOp is one parsed BITFIELD operation.
type bfOp struct {
	op     bfOpcode
	signed bool
	bits   uint
	offset int64
	arg    int64
	ow     bfOverflow
}

// BITFIELD key [GET type offset] [SET type offset value]
// [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ...
func cmdBitField(c *Ctx) { bitField(c, false) }

// BITFIELD_RO key [GET type offset ...]
func cmdBitFieldRO(c *Ctx) { bitField(c, true) }

// parseBitFieldType is getBitfieldTypeFromArgument: i1..i64 or u1..u63.
func parseBitFieldType(a []byte) (signed bool, width uint, ok bool) {
	a = cString(a)
	if len(a) == 0 || a[0] != 'i' && a[0] != 'u' {
		return false, 0, false
	}
	signed = a[0] == 'i'
	n, ok := parseCanonicalInt(a[1:])
	if !ok || n < 1 || signed && n > 64 || !signed && n > 63 {
		return false, 0, false
	}
	return signed, uint(n), true
}

func bitField(c *Ctx, ro bool) {
	var ops []bfOp
	ow := bfWrap
	readonly := true
	var highest int64
	args := c.Args
	maxLen := c.Limits.maxBulk()
	for j := 2; j < len(args); j++ {
		rem := len(args) - j - 1
		var o bfOp
		switch a := args[j]; {
		case isOpt(a, "get") && rem >= 2:
			o.op = bfGet
		case isOpt(a, "set") && rem >= 3:
			o.op = bfSet
		case isOpt(a, "incrby") && rem >= 3:
			o.op = bfIncrBy
		case isOpt(a, "overflow") && rem >= 1:
			j++
			switch t := args[j]; {
			case isOpt(t, "wrap"):
				ow = bfWrap
			case isOpt(t, "sat"):
				ow = bfSat
			case isOpt(t, "fail"):
				ow = bfFail
			default:
				c.W.Error(ErrBitFieldOverflowType)
				return
			}
			continue
		default:
			c.W.Error(ErrSyntax)
			return
		}
		var ok bool
		if o.signed, o.bits, ok = parseBitFieldType(args[j+1]); !ok {
			c.W.Error(ErrBitFieldType)
			return
		}
		if o.offset, ok = parseBitOffset(args[j+2], true, int64(o.bits), maxLen); !ok {
			c.W.Error(ErrBitOffset)
			return
		}
		if o.op != bfGet {
			readonly = false
			highest = max(highest, o.offset+int64(o.bits)-1)
			if o.arg, ok = parseCanonicalInt(args[j+3]); !ok {
				c.W.Error(ErrNotInteger)
				return
			}
			j++
		}
		o.ow = ow
		ops = append(ops, o)
		j += 2
	}
	ks := &c.KS
	key := args[1]
	var v *Value
	var err error
	if readonly {
		v, err = readString(ks, key)
	} else if ro {
		c.W.Error(ErrBitFieldRO)
		return
	} else {
		v, err = bitString(ks, key, highest)
	}
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Array(len(ops))
	for _, o := range ops {
		if o.op == bfGet {
			var p []byte
			if v != nil {
				p = v.Str()
			}
			u := getBitField(p, o.offset, o.bits)
			if o.signed {
				c.W.Int(signExtend(u, o.bits))
			} else {
				c.W.Int(int64(u))
			}
			continue
		}
		old := getBitField(v.Str(), o.offset, o.bits)
		var newval, ret uint64
		var overflow bool
		if o.signed {
			oldS := signExtend(old, o.bits)
			var n int64
			if o.op == bfIncrBy {
				var w int64
				overflow, w = signedOverflow(oldS, o.arg, o.bits, o.ow)
				n = oldS + o.arg
				if overflow {
					n = w
				}
				ret = uint64(n)
			} else {
				var w int64
				n = o.arg
				if overflow, w = signedOverflow(n, 0, o.bits, o.ow); overflow {
					n = w
				}
				ret = uint64(oldS)
			}
			newval = uint64(n)
		} else {
			var w uint64
			if o.op == bfIncrBy {
				newval = old + uint64(o.arg)
				if overflow, w = unsignedOverflow(old, o.arg, o.bits, o.ow); overflow {
					newval = w
				}
				ret = newval
			} else {
				newval = uint64(o.arg)
				if overflow, w = unsignedOverflow(newval, 0, o.bits, o.ow); overflow {
					newval = w
				}
				ret = old
			}
		}
		if overflow && o.ow == bfFail {
			c.W.Null()
			continue
		}
		c.W.Int(int64(ret))
		setBitField(v.Str(), o.offset, o.bits, newval)
	}
	if !readonly {
		ks.Updated(key, v)
	}
}

// getBitField reads width bits from bit offset of p, most significant
// first; bits past p's end read as zero.
func getBitField(p []byte, offset int64, width uint) uint64 {
	var val uint64
	for j := uint(0); j < width; j++ {
		var bit uint64
		if i := offset >> 3; i < int64(len(p)) {
			bit = uint64(p[i]>>(7-offset&7)) & 1
		}
		val = val<<1 | bit
		offset++
	}
	return val
}

// setBitField writes the low width bits of val at bit offset of p, which
// is long enough.
func setBitField(p []byte, offset int64, width uint, val uint64) {
	for j := uint(0); j < width; j++ {
		bit := byte(val>>(width-1-j)) & 1
		mask := byte(1) << (7 - offset&7)
		if bit == 1 {
			p[offset>>3] |= mask
		} else {
			p[offset>>3] &^= mask
		}
		offset++
	}
}

// signExtend is getSignedBitfield's sign propagation.
func signExtend(u uint64, width uint) int64 {
	if width < 64 && u&(1<<(width-1)) != 0 {
		u |= ^uint64(0) << width
	}
	return int64(u)
}

// signedOverflow is checkSignedBitfieldOverflow: whether value+incr leaves
// the range of a signed field of width bits, and the wrapped or saturated
// result.
func signedOverflow(value, incr int64, width uint, ow bfOverflow) (bool, int64) {
	maxv := int64(1)<<(width-1) - 1
	if width == 64 {
		maxv = 1<<63 - 1
	}
	minv := -maxv - 1
	maxincr := int64(uint64(maxv) - uint64(value))
	minincr := minv - value
	var limit int64
	switch {
	case value > maxv || width != 64 && incr > maxincr || value >= 0 && incr > 0 && incr > maxincr:
		limit = maxv
	case value < minv || width != 64 && incr < minincr || value < 0 && incr < 0 && incr < minincr:
		limit = minv
	default:
		return false, 0
	}
	if ow == bfWrap {
		c := uint64(value) + uint64(incr)
		if width < 64 {
			mask := ^uint64(0) << width
			if c&(1<<(width-1)) != 0 {
				c |= mask
			} else {
				c &^= mask
			}
		}
		limit = int64(c)
	}
	return true, limit
}

// unsignedOverflow is checkUnsignedBitfieldOverflow.
func unsignedOverflow(value uint64, incr int64, width uint, ow bfOverflow) (bool, uint64) {
	maxv := uint64(1)<<width - 1
	maxincr := int64(maxv - value)
	minincr := -int64(value)
	var limit uint64
	switch {
	case value > maxv || incr > 0 && incr > maxincr:
		limit = maxv
	case incr < 0 && incr < minincr:
		limit = 0
	default:
		return false, 0
	}
	if ow == bfWrap {
		limit = (value + uint64(incr)) &^ (^uint64(0) << width)
	}
	return true, limit
}
