package storage

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// Commands from https://redis.io/commands/?group=hyperloglog
//
// An HLL is an ordinary string value (hll_encoding.go has the format), so
// GET, SET, APPEND and COPY work on it as in Redis. Commands that change
// it, PFCOUNT's cache update included, leave it raw-encoded, as Redis's
// dbUnshareStringValue does.

func registerHyperLogLog(r *registry) {
	r.add("pfadd", cmdPFAdd)
	r.add("pfcount", cmdPFCount)
	r.add("pfmerge", cmdPFMerge)
	r.add("pfdebug", cmdPFDebug)
	r.add("pfselftest", cmdPFSelfTest)
}

var (
	errHLLInvalid error = replyError(ErrHLLInvalid)
	errHLLCorrupt error = replyError(ErrHLLCorrupt)
)

// checkHLL is isHLLObjectOrReply for a value already known to be a string.
func checkHLL(v *Value) error {
	if !isHLL(v) {
		return errHLLInvalid
	}
	return nil
}

// hllSparseMax is hll-sparse-max-bytes, as CONFIG SET last set it.
func hllSparseMax() int64 { return encoding().HLLSparseMaxBytes }

// hllStore publishes an HLL edited in place: raw encoding and memory
// accounting.
func hllStore(ks *Keyspace, key []byte, v *Value, b []byte) {
	v.SetStr(b)
	v.Enc = EncRaw
	ks.Updated(key, v)
}

// PFADD key [element [element ...]]
func cmdPFAdd(c *Ctx) {
	n, err := opPFAdd(&c.KS, c.Args[1], c.Args[2:], hllSparseMax())
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opPFAdd adds elements, creating the key even with none; the reply is 1
// when the key was created or a register changed. A corrupt sparse HLL
// fails at the element that meets the damage, keeping earlier changes.
func opPFAdd(ks *Keyspace, key []byte, elems [][]byte, maxSparse int64) (int64, error) {
	v, err := writeString(ks, key)
	if err != nil {
		return 0, err
	}
	updated := false
	if v == nil {
		v = strValue(EncRaw, newHLL())
		ks.Put(key, v)
		updated = true
	} else if err := checkHLL(v); err != nil {
		return 0, err
	}
	b := v.Str()
	for _, e := range elems {
		var r int
		b, r = hllAdd(b, e, maxSparse)
		if r < 0 {
			hllStore(ks, key, v, b)
			return 0, errHLLCorrupt
		}
		updated = updated || r == 1
	}
	if updated {
		hllInvalidateCache(b)
	}
	hllStore(ks, key, v, b)
	return b2i(updated), nil
}

// PFCOUNT key [key ...]
func cmdPFCount(c *Ctx) {
	n, err := opPFCount(&c.KS, c.Args[1:])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(int64(n))
}

// opPFCount estimates one key's cardinality, from and into its cache
// (so it writes), or the union of several keys' registers, writing
// nothing. Missing keys count as empty HLLs.
func opPFCount(ks *Keyspace, keys [][]byte) (uint64, error) {
	if len(keys) > 1 {
		max := make([]uint8, hllRegisters)
		for _, k := range keys {
			v, err := readString(ks, k)
			if err != nil {
				return 0, err
			}
			if v == nil {
				continue
			}
			if err := checkHLL(v); err != nil {
				return 0, err
			}
			if !hllMerge(max, v.Str()) {
				return 0, errHLLCorrupt
			}
		}
		return hllCountRegs(max), nil
	}
	key := keys[0]
	v, err := readString(ks, key)
	if v == nil {
		return 0, err
	}
	if err := checkHLL(v); err != nil {
		return 0, err
	}
	b := v.Str()
	v.Enc = EncRaw
	if hllValidCache(b) {
		return leUint64(b[8:16]), nil
	}
	card, invalid := hllCount(b)
	if invalid {
		return 0, errHLLCorrupt
	}
	for i := range 8 {
		b[8+i] = byte(card >> (8 * i))
	}
	return card, nil
}

func leUint64(b []byte) uint64 {
	var n uint64
	for i := 7; i >= 0; i-- {
		n = n<<8 | uint64(b[i])
	}
	return n
}

// PFMERGE destkey [sourcekey [sourcekey ...]]
func cmdPFMerge(c *Ctx) {
	if err := opPFMerge(&c.KS, c.Args[1], c.Args[2:], hllSparseMax()); err != nil {
		writeErr(c, err)
		return
	}
	c.W.OK()
}

// opPFMerge stores the union of dest and the sources in dest. The result
// is dense when any input was, sparse otherwise (promoted on the way
// when it outgrows the sparse limit), as in Redis.
func opPFMerge(ks *Keyspace, dest []byte, srcs [][]byte, maxSparse int64) error {
	max := make([]uint8, hllRegisters)
	dense := false
	for _, k := range append([][]byte{dest}, srcs...) {
		v, err := readString(ks, k)
		if err != nil {
			return err
		}
		if v == nil {
			continue
		}
		if err := checkHLL(v); err != nil {
			return err
		}
		dense = dense || v.Str()[4] == hllDense
		if !hllMerge(max, v.Str()) {
			return errHLLCorrupt
		}
	}
	v, err := writeString(ks, dest)
	if err != nil {
		return err
	}
	if v == nil {
		v = strValue(EncRaw, newHLL())
		ks.Put(dest, v)
	}
	b := v.Str()
	if dense {
		var ok bool
		if b, ok = hllSparseToDense(b); !ok {
			return errHLLCorrupt
		}
	}
	for j, m := range max {
		if m == 0 {
			continue
		}
		if b[4] == hllDense {
			hllDenseSet(b[hllHdrSize:], j, int(m))
		} else {
			b, _ = hllSparseSet(b, j, int(m), maxSparse)
		}
	}
	hllInvalidateCache(b)
	hllStore(ks, dest, v, b)
	return nil
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key
func cmdPFDebug(c *Ctx) {
	ks, key := &c.KS, c.Args[2]
	v, err := writeString(ks, key)
	switch {
	case err != nil:
		writeErr(c, err)
		return
	case v == nil:
		c.W.Error(ErrHLLDebugNoKey)
		return
	}
	if err := checkHLL(v); err != nil {
		writeErr(c, err)
		return
	}
	v.Enc = EncRaw
	sub := c.Args[1]
	switch {
	case isOpt(sub, "getreg"):
		b, ok := hllSparseToDense(v.Str())
		if !ok {
			writeErr(c, errHLLCorrupt)
			return
		}
		hllStore(ks, key, v, b)
		c.W.Array(hllRegisters)
		for i := range hllRegisters {
			c.W.Int(int64(hllGetReg(b[hllHdrSize:], i)))
		}
	case isOpt(sub, "decode"):
		if v.Str()[4] != hllSparse {
			c.W.Error(ErrHLLNotSparse)
			return
		}
		c.W.BulkString(hllDecodeSparse(v.Str()))
	case isOpt(sub, "encoding"):
		c.W.Simple([]string{"dense", "sparse"}[v.Str()[4]])
	case isOpt(sub, "todense"):
		conv := v.Str()[4] == hllSparse
		b, ok := hllSparseToDense(v.Str())
		if !ok {
			writeErr(c, errHLLCorrupt)
			return
		}
		hllStore(ks, key, v, b)
		c.W.Int(b2i(conv))
	default:
		c.W.Error(ErrHLLDebugUnknown(sub))
	}
}

// hllDecodeSparse spells the opcodes: "z:len", "Z:len", "v:value,len".
func hllDecodeSparse(b []byte) string {
	var out []string
	for p := hllHdrSize; p < len(b); {
		switch op := b[p]; {
		case hllIsZero(op):
			out = append(out, "z:"+strconv.Itoa(hllZeroLen(op)))
			p++
		case hllIsXZero(op):
			out = append(out, "Z:"+strconv.Itoa(hllXZeroLen(b, p)))
			p += 2
		default:
			out = append(out, "v:"+strconv.Itoa(hllValValue(op))+","+strconv.Itoa(hllValLen(op)))
			p++
		}
	}
	return strings.Join(out, " ")
}

// PFSELFTEST checks the register packing and that the sparse and dense
// encodings estimate alike, as Redis's self test does, and replies OK.
func cmdPFSelfTest(c *Ctx) {
	regs := make([]byte, hllDenseSize-hllHdrSize)
	want := make([]int, hllRegisters)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range want {
		want[i] = rng.IntN(hllRegMax + 1)
		hllSetReg(regs, i, want[i])
	}
	for i, w := range want {
		if hllGetReg(regs, i) != w {
			c.W.Error("TESTFAILED Register error at " + strconv.Itoa(i))
			return
		}
	}
	sparse := newHLL()
	for i := 0; i < 1000; i++ {
		sparse, _ = hllAdd(sparse, []byte(strconv.Itoa(i)), 1<<30)
	}
	dense, _ := hllSparseToDense(sparse)
	sc, _ := hllCount(sparse)
	dc, _ := hllCount(dense)
	if sc != dc {
		c.W.Error("TESTFAILED sparse and dense estimates differ")
		return
	}
	c.W.OK()
}
