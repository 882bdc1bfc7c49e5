package storage

import (
	"encoding/binary"
	"math"
)

// The HyperLogLog representation, bit for bit Redis 7.0's, so that GET of
// an HLL key, a later SET of those bytes and PFCOUNT all agree with a real
// server. A value is a string: a 16-byte header ("HYLL", the encoding, 3
// unused bytes, the cached cardinality in little endian whose top bit
// marks it stale) followed by either the dense registers (16384 six-bit
// registers packed little endian) or the sparse opcode stream:
//
//	ZERO  00xxxxxx           xxxxxx+1 registers at 0 (1..64)
//	XZERO 01xxxxxx yyyyyyyy  14-bit length+1 registers at 0 (1..16384)
//	VAL   1vvvvvxx           xx+1 registers (1..4) at vvvvv+1 (1..32)
//
// Functions take and return the whole string: sparse edits may grow or
// shrink it and promotion replaces it with a dense one.

const (
	hllP           = 14
	hllQ           = 64 - hllP
	hllRegisters   = 1 << hllP
	hllPMask       = hllRegisters - 1
	hllBits        = 6
	hllRegMax      = 1<<hllBits - 1
	hllHdrSize     = 16
	hllDenseSize   = hllHdrSize + (hllRegisters*hllBits+7)/8
	hllDense       = 0
	hllSparse      = 1
	hllMaxEncoding = 1

	hllSparseValMaxValue = 32
	hllSparseValMaxLen   = 4
	hllSparseZeroMaxLen  = 64
	hllSparseXZeroMaxLen = 16384

	hllAlphaInf = 0.721347520444481703680
	hllSeed     = 0xadc83b19
)

// newHLL is createHLLObject: an empty sparse HLL (one XZERO covering
// every register) with a valid cached cardinality of 0.
func newHLL() []byte {
	b := make([]byte, hllHdrSize, hllHdrSize+2)
	copy(b, "HYLL")
	b[4] = hllSparse
	return hllXZeroAppend(b, hllRegisters)
}

// isHLL is isHLLObjectOrReply's shape test: a non-integer string with the
// header, a known encoding and, for dense, the exact size.
func isHLL(v *Value) bool {
	b := v.Str()
	if v.Enc == EncInt || len(b) < hllHdrSize || string(b[:4]) != "HYLL" || b[4] > hllMaxEncoding {
		return false
	}
	return b[4] != hllDense || len(b) == hllDenseSize
}

func hllInvalidateCache(b []byte) { b[15] |= 1 << 7 }

func hllValidCache(b []byte) bool { return b[15]&(1<<7) == 0 }

// at is b[i], or 0 past the end: Redis reads an sds's NUL terminator
// where a corrupt sparse stream ends inside a two-byte opcode.
func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// Sparse opcode accessors.
func hllIsZero(op byte) bool  { return op&0xc0 == 0 }
func hllIsXZero(op byte) bool { return op&0xc0 == 0x40 }
func hllIsVal(op byte) bool   { return op&0x80 != 0 }
func hllZeroLen(op byte) int  { return int(op&0x3f) + 1 }
func hllValValue(op byte) int { return int(op>>2&0x1f) + 1 }
func hllValLen(op byte) int   { return int(op&3) + 1 }
func hllXZeroLen(b []byte, p int) int {
	return (int(b[p]&0x3f)<<8 | int(at(b, p+1))) + 1
}
func hllVal(val, n int) byte { return byte((val-1)<<2|(n-1)) | 0x80 }

func hllXZeroAppend(b []byte, n int) []byte {
	n--
	return append(b, byte(n>>8)|0x40, byte(n))
}

// hllZerosAppend appends the shortest opcode for a run of n zeros.
func hllZerosAppend(b []byte, n int) []byte {
	if n > hllSparseZeroMaxLen {
		return hllXZeroAppend(b, n)
	}
	return append(b, byte(n-1))
}

// hllGetReg reads dense register i from the register area regs.
func hllGetReg(regs []byte, i int) int {
	byt, fb := i*hllBits/8, uint(i*hllBits&7)
	b0, b1 := uint(regs[byt]), uint(at(regs, byt+1))
	return int((b0>>fb | b1<<(8-fb)) & hllRegMax)
}

func hllSetReg(regs []byte, i, val int) {
	byt, fb := i*hllBits/8, uint(i*hllBits&7)
	v := uint(val)
	regs[byt] &^= byte(hllRegMax << fb)
	regs[byt] |= byte(v << fb)
	if byt+1 < len(regs) {
		regs[byt+1] &^= byte(hllRegMax >> (8 - fb))
		regs[byt+1] |= byte(v >> (8 - fb))
	}
}

// murmurHash64A is the hash Redis feeds HLL with (MurmurHash64A, seed
// 0xadc83b19, little-endian reads).
func murmurHash64A(key []byte) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := uint64(hllSeed) ^ uint64(len(key))*m
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := binary.LittleEndian.Uint64(key[i:])
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	if tail := key[n:]; len(tail) > 0 {
		for i := len(tail) - 1; i >= 0; i-- {
			h ^= uint64(tail[i]) << (8 * uint(i))
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// hllPatLen is the register an element goes to and the length of the
// 000..1 run of the remaining hash bits (1..51).
func hllPatLen(ele []byte) (index, count int) {
	h := murmurHash64A(ele)
	index = int(h & hllPMask)
	h >>= hllP
	h |= 1 << hllQ
	count = 1
	for bit := uint64(1); h&bit == 0; bit <<= 1 {
		count++
	}
	return index, count
}

// hllAdd adds ele to the HLL b: 1 if a register changed, 0 if not, -1 for
// a corrupt sparse stream. The returned slice replaces b; a sparse one
// turns dense past maxSparse bytes.
func hllAdd(b, ele []byte, maxSparse int64) ([]byte, int) {
	index, count := hllPatLen(ele)
	switch b[4] {
	case hllDense:
		return b, hllDenseSet(b[hllHdrSize:], index, count)
	case hllSparse:
		return hllSparseSet(b, index, count, maxSparse)
	}
	return b, -1
}

// hllDenseSet raises register index to count: 1 when it grew.
func hllDenseSet(regs []byte, index, count int) int {
	if count > hllGetReg(regs, index) {
		hllSetReg(regs, index, count)
		return 1
	}
	return 0
}

// hllSparseToDense converts a sparse HLL (header, cached value included,
// kept) to dense; ok is false for a stream that does not cover exactly
// every register. A dense HLL is returned as is.
func hllSparseToDense(b []byte) (out []byte, ok bool) {
	if b[4] == hllDense {
		return b, true
	}
	d := make([]byte, hllDenseSize)
	copy(d, b[:hllHdrSize])
	d[4] = hllDense
	regs := d[hllHdrSize:]
	idx := 0
	for p := hllHdrSize; p < len(b); {
		op := b[p]
		switch {
		case hllIsZero(op):
			idx += hllZeroLen(op)
			p++
		case hllIsXZero(op):
			idx += hllXZeroLen(b, p)
			p += 2
		default:
			n, val := hllValLen(op), hllValValue(op)
			if idx+n > hllRegisters {
				return b, false
			}
			for ; n > 0; n-- {
				hllSetReg(regs, idx, val)
				idx++
			}
			p++
		}
	}
	if idx != hllRegisters {
		return b, false
	}
	return d, true
}

// hllSparseSet is Redis's hllSparseSet: it raises register index to
// count in the sparse stream, splitting the opcode that covers it,
// merging equal neighbouring VAL opcodes after, and promoting to dense
// when count does not fit a VAL opcode or the string would pass
// maxSparse (hll-sparse-max-bytes). It returns 1 when a register
// changed, 0 when not, -1 for a corrupt stream.
func hllSparseSet(b []byte, index, count int, maxSparse int64) ([]byte, int) {
	if count > hllSparseValMaxValue {
		return hllPromote(b, index, count)
	}
	// Find the opcode covering index.
	p, end, first, prev, span := hllHdrSize, len(b), 0, -1, 0
	for p < end {
		oplen := 1
		switch op := b[p]; {
		case hllIsZero(op):
			span = hllZeroLen(op)
		case hllIsVal(op):
			span = hllValLen(op)
		default:
			span = hllXZeroLen(b, p)
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return b, -1
	}
	op := b[p]
	isZero, isXZero, isVal := hllIsZero(op), hllIsXZero(op), hllIsVal(op)
	var runlen int
	switch {
	case isZero:
		runlen = hllZeroLen(op)
	case isXZero:
		runlen = hllXZeroLen(b, p)
	default:
		runlen = hllValLen(op)
	}
	// Cases changing the opcode in place.
	switch {
	case isVal && hllValValue(op) >= count:
		return b, 0
	case (isVal || isZero) && runlen == 1:
		b[p] = hllVal(count, 1)
		return hllSparseMerge(b, prev), 1
	}
	// General case: the opcode becomes up to three.
	last := first + span - 1
	seq := make([]byte, 0, 5)
	if isVal {
		cur := hllValValue(op)
		if index != first {
			seq = append(seq, hllVal(cur, index-first))
		}
		seq = append(seq, hllVal(count, 1))
		if index != last {
			seq = append(seq, hllVal(cur, last-index))
		}
	} else {
		if index != first {
			seq = hllZerosAppend(seq, index-first)
		}
		seq = append(seq, hllVal(count, 1))
		if index != last {
			seq = hllZerosAppend(seq, last-index)
		}
	}
	oldlen := 1
	if isXZero {
		oldlen = 2
	}
	delta := len(seq) - oldlen
	if delta > 0 && int64(len(b)+delta) > maxSparse {
		return hllPromote(b, index, count)
	}
	n := len(b)
	if p+oldlen > n {
		// A truncated trailing XZERO: Redis's length arithmetic drops
		// the last byte written.
		b = append(b[:p], seq...)
		return hllSparseMerge(b[:n+delta], prev), 1
	}
	// Edit in place, as Redis's memmove does: the string usually has room.
	if delta > 0 {
		b = append(b, seq[:delta]...)
	}
	copy(b[p+len(seq):], b[p+oldlen:n])
	copy(b[p:], seq)
	return hllSparseMerge(b[:n+delta], prev), 1
}

func hllPromote(b []byte, index, count int) ([]byte, int) {
	d, ok := hllSparseToDense(b)
	if !ok {
		return b, -1
	}
	hllDenseSet(d[hllHdrSize:], index, count)
	return d, 1
}

// hllSparseMerge joins adjacent VAL opcodes of equal value around an
// edit, scanning at most five opcodes from prev (the opcode before the
// edited one, -1 for none), and invalidates the cached cardinality.
func hllSparseMerge(b []byte, prev int) []byte {
	p := prev
	if p < 0 {
		p = hllHdrSize
	}
	for scan := 5; p < len(b) && scan > 0; scan-- {
		op := b[p]
		if hllIsXZero(op) {
			p += 2
			continue
		}
		if hllIsZero(op) {
			p++
			continue
		}
		if p+1 < len(b) && hllIsVal(b[p+1]) {
			if v := hllValValue(op); v == hllValValue(b[p+1]) {
				if n := hllValLen(op) + hllValLen(b[p+1]); n <= hllSparseValMaxLen {
					b[p+1] = hllVal(v, n)
					copy(b[p:], b[p+1:])
					b = b[:len(b)-1]
					continue
				}
			}
		}
		p++
	}
	hllInvalidateCache(b)
	return b
}

// hllMerge raises max[i] to every register of the HLL b; false for a
// corrupt sparse stream.
func hllMerge(max []uint8, b []byte) bool {
	if b[4] == hllDense {
		regs := b[hllHdrSize:]
		for i := range hllRegisters {
			if v := uint8(hllGetReg(regs, i)); v > max[i] {
				max[i] = v
			}
		}
		return true
	}
	i := 0
	for p := hllHdrSize; p < len(b); {
		op := b[p]
		switch {
		case hllIsZero(op):
			i += hllZeroLen(op)
			p++
		case hllIsXZero(op):
			i += hllXZeroLen(b, p)
			p += 2
		default:
			n, val := hllValLen(op), uint8(hllValValue(op))
			if n+i > hllRegisters {
				return false
			}
			for ; n > 0; n-- {
				if val > max[i] {
					max[i] = val
				}
				i++
			}
			p++
		}
	}
	return i == hllRegisters
}

// hllCount is the cardinality estimate of the HLL b; invalid reports a
// sparse stream not covering exactly every register.
func hllCount(b []byte) (card uint64, invalid bool) {
	var histo [64]int
	regs := b[hllHdrSize:]
	if b[4] == hllDense {
		for i := range hllRegisters {
			histo[hllGetReg(regs, i)]++
		}
		return hllEstimate(&histo), false
	}
	idx := 0
	for p := 0; p < len(regs); {
		op := regs[p]
		switch {
		case hllIsZero(op):
			n := hllZeroLen(op)
			idx += n
			histo[0] += n
			p++
		case hllIsXZero(op):
			n := hllXZeroLen(regs, p)
			idx += n
			histo[0] += n
			p += 2
		default:
			n := hllValLen(op)
			idx += n
			histo[hllValValue(op)] += n
			p++
		}
	}
	return hllEstimate(&histo), idx != hllRegisters
}

// hllCountRegs estimates from raw 8-bit registers (PFCOUNT of several
// keys).
func hllCountRegs(regs []uint8) uint64 {
	var histo [64]int
	for _, v := range regs {
		histo[v&63]++
	}
	return hllEstimate(&histo)
}

// hllEstimate is Ertl's improved estimator ("New cardinality estimation
// algorithms for HyperLogLog sketches") as Redis 5+ computes it, from the
// histogram of register values. Explicit conversions keep the compiler
// from fusing multiply-adds, so the result is the same double as Redis's.
func hllEstimate(histo *[64]int) uint64 {
	const m = float64(hllRegisters)
	z := float64(m * hllTau((m-float64(histo[hllQ+1]))/m))
	for j := hllQ; j >= 1; j-- {
		z += float64(histo[j])
		z *= 0.5
	}
	z += float64(m * hllSigma(float64(histo[0])/m))
	return uint64(math.Round(float64(float64(hllAlphaInf*m)*m) / z))
}

func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x = float64(x * x)
		zPrime := z
		z += float64(x * y)
		y += y
		if zPrime == z {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zPrime := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if zPrime == z {
			return z / 3
		}
	}
}
