package storage

import (
	"errors"
	"sync"
)

// LZF as Redis uses it for RDB strings: liblzf 3.6 configured with HLOG
// 16 and VERY_FAST. lzfCompress follows lzf_compress step by step (hash
// function, match search, the two positions re-hashed after a match,
// output limits) because DUMP must be byte-identical to Redis's; the
// format alone would allow other encoders.
//
// One difference cannot be ported: Redis does not clear its hash table
// (INIT_HTAB 0), so a slot this input never wrote still holds a position
// from an earlier call, which on rare inputs yields a match a cleared
// table would not find. Both outputs decompress to the same bytes; ours
// is what a cleared table gives.

const (
	lzfHLog   = 16
	lzfHSize  = 1 << lzfHLog
	lzfMaxLit = 1 << 5
	lzfMaxOff = 1 << 13
	lzfMaxRef = 1<<8 + 1<<3
)

func lzfIdx(h uint32) uint32 { return (h>>(3*8-lzfHLog) - h*5) & (lzfHSize - 1) }

// lzfTable is lzf_compress's hash table, reused across calls: a slot
// holds the call's generation in its high half and position+1 in its low
// half, so a new call sees every slot of earlier calls as empty without
// clearing 64Ki slots each time (DUMP compresses every long element).
type lzfTable struct {
	slots []uint64
	gen   uint64
}

var lzfTables = sync.Pool{New: func() any { return &lzfTable{slots: make([]uint64, lzfHSize)} }}

// lzfCompress compresses in into at most outLen bytes. It returns nil when
// the result would not fit (Redis then stores the string uncompressed).
func lzfCompress(in []byte, outLen int) []byte {
	n := len(in)
	if n == 0 || outLen <= 0 {
		return nil
	}
	t := lzfTables.Get().(*lzfTable)
	defer lzfTables.Put(t)
	if t.gen++; t.gen == 1<<32 { // generations wrapped: start afresh
		clear(t.slots)
		t.gen = 1
	}
	gen := t.gen << 32
	// get is the slot's position+1 for this call, 0 for "never set",
	// which the ref > in_data test rejects exactly like a zeroed table.
	get := func(slot uint32) int {
		if v := t.slots[slot]; v&^0xFFFFFFFF == gen {
			return int(v & 0xFFFFFFFF)
		}
		return 0
	}
	set := func(slot uint32, pos int) { t.slots[slot] = gen | uint64(pos+1) }
	out := make([]byte, outLen)
	op, ip, lit := 1, 0, 0 // op: start a literal run
	var hval uint32
	if n >= 2 {
		hval = uint32(in[0])<<8 | uint32(in[1])
	}
	for ip < n-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := lzfIdx(hval)
		ref := get(slot) - 1
		set(slot, ip)
		if ref > 0 && ref < ip && ip-ref-1 < lzfMaxOff &&
			in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			off := ip - ref - 1
			length := 2
			maxlen := n - ip - length
			if maxlen > lzfMaxRef {
				maxlen = lzfMaxRef
			}
			if op+3+1 >= outLen {
				if op-b2int(lit == 0)+3+1 >= outLen {
					return nil
				}
			}
			out[op-lit-1] = byte(lit - 1)
			op -= b2int(lit == 0)
			length = lzfMatchLen(in, ref, ip, length, maxlen)
			length -= 2
			ip++
			if length < 7 {
				out[op] = byte(off>>8 + length<<5)
				op++
			} else {
				out[op] = byte(off>>8 + 7<<5)
				out[op+1] = byte(length - 7)
				op += 2
			}
			out[op] = byte(off)
			op++
			lit = 0
			op++
			ip += length + 1
			if ip >= n-2 {
				break
			}
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			set(lzfIdx(hval), ip)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			set(lzfIdx(hval), ip)
			ip++
			continue
		}
		if op >= outLen {
			return nil
		}
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	if op+3 > outLen {
		return nil
	}
	for ip < n {
		if op >= outLen {
			return nil
		}
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			if op >= outLen {
				return nil
			}
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1)
	op -= b2int(lit == 0)
	return out[:op]
}

// lzfMatchLen extends a 3-byte match as lzf_compress does: sixteen
// unchecked-bound steps when more than 16 bytes may match, then a bounded
// scan. The unrolled steps can pass maxlen, and so must we.
func lzfMatchLen(in []byte, ref, ip, length, maxlen int) int {
	if maxlen > 16 {
		for k := 0; k < 16; k++ {
			length++
			if in[ref+length] != in[ip+length] {
				return length
			}
		}
	}
	for {
		length++
		if !(length < maxlen && in[ref+length] == in[ip+length]) {
			return length
		}
	}
}

func b2int(b bool) int {
	if b {
		return 1
	}
	return 0
}

var errLZF = errors.New("storage: corrupt LZF data")

// lzfMaxExpansion bounds what LZF can expand a byte to: its best token,
// a long back-reference, is 3 bytes standing for at most 264.
const lzfMaxExpansion = 88

// lzfDecompress expands in, which must produce exactly outLen bytes.
func lzfDecompress(in []byte, outLen int) ([]byte, error) {
	// The length comes from the input (a RESTORE payload is a client's),
	// so it is checked against what in could expand to before anything is
	// allocated: a 4 GiB claim in a 10-byte payload must cost nothing.
	if outLen > lzfMaxExpansion*len(in) {
		return nil, errLZF
	}
	out := make([]byte, 0, outLen)
	for ip := 0; ip < len(in); {
		ctrl := int(in[ip])
		ip++
		if ctrl < 1<<5 {
			ctrl++
			if ip+ctrl > len(in) || len(out)+ctrl > outLen {
				return nil, errLZF
			}
			out = append(out, in[ip:ip+ctrl]...)
			ip += ctrl
			continue
		}
		length := ctrl >> 5
		if length == 7 {
			if ip >= len(in) {
				return nil, errLZF
			}
			length += int(in[ip])
			ip++
		}
		if ip >= len(in) {
			return nil, errLZF
		}
		ref := len(out) - (ctrl&0x1f)<<8 - int(in[ip]) - 1
		ip++
		length += 2
		if ref < 0 || len(out)+length > outLen {
			return nil, errLZF
		}
		for k := 0; k < length; k++ { // byte by byte: the copy may overlap
			out = append(out, out[ref+k])
		}
	}
	if len(out) != outLen {
		return nil, errLZF
	}
	return out, nil
}
