package storage

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Differential tests of the HyperLogLog family against redis-server (see
// diff_test.go): the raw bytes GET returns (sparse and dense encodings,
// cached cardinality) and every PFCOUNT estimate must be Redis's own.

// hllSparseEmpty is an empty sparse HLL as Redis writes it.
const hllSparseEmpty = "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"

// hllDiffScripts run from a keyspace holding only "list", a list.
var hllDiffScripts = [][][]string{
	{{"PFADD", "h"}, {"PFADD", "h"}, {"GET", "h"}, {"OBJECT", "ENCODING", "h"}, {"PFCOUNT", "h"}, {"PFADD", "h", "a", "b", "c"},
		{"GET", "h"}, {"PFCOUNT", "h"}, {"GET", "h"}, {"PFADD", "h", "a"}, {"PFCOUNT", "h", "nokey"}, {"PFCOUNT", "nokey"},
		{"PFCOUNT", "nokey", "nokey2"}, {"EXISTS", "nokey"}, {"TYPE", "h"}, {"STRLEN", "h"}},
	{{"PFADD", "list", "a"}, {"PFCOUNT", "list"}, {"PFCOUNT", "h", "list"}, {"PFMERGE", "list", "h"}, {"PFMERGE", "h", "list"},
		{"SET", "s", "hello"}, {"PFADD", "s", "a"}, {"PFCOUNT", "s"}, {"PFCOUNT", "nokey", "s"}, {"PFMERGE", "d", "s"}, {"EXISTS", "d"},
		{"PFMERGE", "s"}, {"SET", "i", "12345678901234567"}, {"PFADD", "i"}, {"SET", "e", ""}, {"PFCOUNT", "e"}},
	{{"SET", "h", hllSparseEmpty}, {"OBJECT", "ENCODING", "h"}, {"PFCOUNT", "h"}, {"OBJECT", "ENCODING", "h"}, {"PFADD", "h", "x"},
		{"GET", "h"}, {"APPEND", "h", "x"}, {"PFCOUNT", "h"}, {"PFADD", "h", "y"}, {"PFMERGE", "m", "h"}, {"PFCOUNT", "h", "h"}},
	// Headers: bad magic, unknown encoding, short, dense of the wrong size.
	{{"SET", "a", "HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"}, {"PFCOUNT", "a"}, {"PFADD", "a", "x"},
		{"SET", "b", "HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"}, {"PFCOUNT", "b"},
		{"SET", "c", "HYLL\x01\x00\x00"}, {"PFCOUNT", "c"}, {"SET", "d", "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"},
		{"PFCOUNT", "d"}, {"PFMERGE", "x", "d"}, {"SET", "e", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"}, {"PFCOUNT", "e"}},
	// Sparse streams that do not cover 16384 registers, a stale cache.
	{{"SET", "a", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe"}, {"PFCOUNT", "a"}, {"PFCOUNT", "a", "b"},
		{"PFADD", "a", "x"}, {"PFMERGE", "m", "a"}, {"SET", "b", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x80"},
		{"PFCOUNT", "b"}, {"PFADD", "b", "foo"}, {"SET", "c", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f"},
		{"PFCOUNT", "c"}, {"PFADD", "c", "foo"}, {"GET", "c"}, {"SET", "d", "HYLL\x01\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x7f\xff"},
		{"PFCOUNT", "d"}, {"PFADD", "d"}, {"PFCOUNT", "d"}, {"PFADD", "d", "z"}, {"PFCOUNT", "d"}},
	{{"PFDEBUG", "ENCODING", "h"}, {"PFDEBUG", "nope", "h"}, {"PFADD", "h", "a", "b", "c", "d", "e"}, {"PFDEBUG", "nope", "h"},
		{"PFDEBUG", "nope\x00x", "h"}, {"PFDEBUG", "no\r\npe\r\n", "h"}, {"PFDEBUG", "ENCODING", "h"}, {"PFDEBUG", "decode", "h"}, {"PFDEBUG", "TODENSE", "h"},
		{"PFDEBUG", "decode", "h"}, {"PFDEBUG", "encoding", "h"}, {"PFDEBUG", "TODENSE", "h"}, {"PFCOUNT", "h"}, {"GET", "h"},
		{"PFADD", "s", "x"}, {"PFDEBUG", "GETREG", "s"}, {"PFDEBUG", "ENCODING", "s"}, {"PFDEBUG", "GETREG", "list"},
		{"SET", "str", "abc"}, {"PFDEBUG", "GETREG", "str"}, {"PFSELFTEST"}},
	{{"PFADD", "a", "1", "2", "3"}, {"PFADD", "b", "3", "4", "5"}, {"PFMERGE", "c", "a", "b"}, {"GET", "c"}, {"PFCOUNT", "c"},
		{"PFCOUNT", "a", "b"}, {"PFMERGE", "a", "nokey"}, {"GET", "a"}, {"PFMERGE", "new"}, {"GET", "new"}, {"COPY", "c", "c2"},
		{"PFCOUNT", "c2"}, {"GET", "c2"}},
}

func TestHLLDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, script := range hllDiffScripts {
			d := newDiffSession(t, rc, proto)
			for _, args := range script {
				if !d.check(args) {
					break
				}
			}
		}
	}
}

// hllRandomElems returns n distinct-ish elements: numbers, words and
// binary strings, so hashing sees every tail length.
func hllRandomElems(rng *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		switch rng.IntN(3) {
		case 0:
			out[i] = strconv.Itoa(rng.IntN(1 << 30))
		case 1:
			out[i] = "el:" + strconv.Itoa(i) + ":" + strconv.Itoa(rng.IntN(1000))
		default:
			b := make([]byte, rng.IntN(24))
			for j := range b {
				b[j] = byte(rng.IntN(256))
			}
			out[i] = string(b)
		}
	}
	return out
}

// TestHLLDiffRandom fills HLLs of seeded random sizes up to 100k elements
// in random batches, checking bytes and estimates after every batch, then
// merges sparse and dense ones.
func TestHLLDiffRandom(t *testing.T) {
	addr := startRedis(t)
	rc := dialRedis(t, addr, 2)
	sizes := []int{0, 1, 5, 40, 200, 700, 1500, 3000, 8000, 20000, 100000}
	for seed := uint64(1); seed <= 14; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x411))
		d := newDiffSession(t, rc, 2)
		keys := []string{"{h}a", "{h}b", "{h}c"}
		ok := true
		for ki, key := range keys {
			n := sizes[(int(seed)+ki*4)%len(sizes)]
			if testing.Short() && n > 3000 {
				n = 3000
			}
			elems := hllRandomElems(rng, n)
			for len(elems) > 0 && ok {
				b := 1 + rng.IntN(min(len(elems), 2000))
				if !d.check(append([]string{"PFADD", key}, elems[:b]...)) {
					ok = false
					break
				}
				elems = elems[b:]
				ok = d.check([]string{"GET", key}) && d.check([]string{"PFCOUNT", key}) && d.check([]string{"GET", key})
			}
			// Re-adding some keeps the registers.
			ok = ok && d.check([]string{"PFADD", key, "el:0:1", "1"})
		}
		ok = ok && d.check([]string{"PFCOUNT", keys[0], keys[1], keys[2]}) &&
			d.check([]string{"PFMERGE", keys[0], keys[1]}) && d.check([]string{"GET", keys[0]}) &&
			d.check([]string{"PFMERGE", "{h}new", keys[2], keys[1]}) && d.check([]string{"GET", "{h}new"}) &&
			d.check([]string{"PFCOUNT", "{h}new"}) && d.check([]string{"PFMERGE", keys[2], keys[0], "{h}missing"}) &&
			d.check([]string{"GET", keys[2]}) && d.check([]string{"PFCOUNT", keys[2]})
		if !ok {
			t.Logf("seed %d", seed)
		}
	}
}

// TestHLLDiffSparseEdits replays Redis's own bytes after random
// single-register edits, so every opcode split and merge path is
// compared, including promotion by value (> 32) through SET of crafted
// dense-free streams.
func TestHLLDiffSparseEdits(t *testing.T) {
	addr := startRedis(t)
	rc := dialRedis(t, addr, 3)
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x5a5))
		d := newDiffSession(t, rc, 3)
		ok := true
		for i := 0; i < 60 && ok; i++ {
			// Short elements from a small pool hit the same registers
			// again, so VAL runs split, grow and merge.
			args := []string{"PFADD", "s"}
			for j := rng.IntN(4); j >= 0; j-- {
				args = append(args, strings.Repeat("x", rng.IntN(3))+strconv.Itoa(rng.IntN(400)))
			}
			ok = d.check(args) && d.check([]string{"GET", "s"})
		}
		if ok {
			d.check([]string{"PFCOUNT", "s"})
		} else {
			t.Logf("seed %d", seed)
		}
	}
}

// TestHLLDiffPromotion adds one element at a time across the sparse
// limit (hll-sparse-max-bytes, 3000), comparing the bytes after each add,
// so promotion happens at the very same element as in Redis.
func TestHLLDiffPromotion(t *testing.T) {
	addr := startRedis(t)
	rc := dialRedis(t, addr, 2)
	for seed := uint64(1); seed <= 3; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x9e0))
		d := newDiffSession(t, rc, 2)
		for i := 0; ; i++ {
			e := strconv.FormatUint(rng.Uint64(), 36)
			if !d.check([]string{"PFADD", "p", e}) || !d.check([]string{"GET", "p"}) {
				t.Logf("seed %d", seed)
				break
			}
			if r := d.rc.do(t, []string{"GETRANGE", "p", "4", "4"}); string(r) == "$1\r\n\x00\r\n" {
				d.check([]string{"PFCOUNT", "p"})
				break
			}
		}
	}
}

// TestHLLDiffCorrupt damages sparse HLLs at random (flipped, dropped
// and added bytes, a stale or forged cache) and compares what every
// command makes of them: errors, estimates and the bytes left behind.
func TestHLLDiffCorrupt(t *testing.T) {
	addr := startRedis(t)
	rc := dialRedis(t, addr, 2)
	first, sessions := diffSeeds(t, 150)
	for seed := first; seed < first+sessions; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0xbad))
		d := newDiffSession(t, rc, 2)
		args := append([]string{"PFADD", "{c}ok"}, hllRandomElems(rng, rng.IntN(300))...)
		if !d.check(args) {
			break
		}
		b := []byte(readBulk(d.rc.do(t, []string{"GET", "{c}ok"})))
		for n := 1 + rng.IntN(3); n > 0; n-- {
			i := hllHdrSize + rng.IntN(len(b)-hllHdrSize)
			switch rng.IntN(4) {
			case 0:
				b[i] = byte(rng.IntN(256))
			case 1:
				b = append(b[:i], b[i+1:]...)
			case 2:
				b = append(b[:i], append([]byte{byte(rng.IntN(256))}, b[i:]...)...)
			default:
				b[8+rng.IntN(8)] = byte(rng.IntN(256))
			}
			if len(b) <= hllHdrSize {
				b = append(b, 0x7f)
			}
		}
		ok := d.check([]string{"SET", "{c}h", string(b)})
		for _, cmd := range [][]string{{"PFCOUNT", "{c}h"}, {"PFCOUNT", "{c}h", "{c}ok"}, {"PFMERGE", "{c}m", "{c}ok", "{c}h"},
			{"GET", "{c}m"}, {"PFADD", "{c}h", "a", "b", "c"}, {"GET", "{c}h"}, {"PFADD", "{c}h"}, {"PFCOUNT", "{c}h"}, {"GET", "{c}h"},
			{"PFMERGE", "{c}h", "{c}ok"}, {"GET", "{c}h"}} {
			if !ok {
				t.Logf("seed %d", seed)
				break
			}
			ok = d.check(cmd)
		}
	}
}

// readBulk is the payload of a raw bulk string reply.
func readBulk(reply []byte) string {
	i := bytes.Index(reply, []byte("\r\n"))
	return string(reply[i+2 : len(reply)-2])
}

// randomHLLCommand draws a HyperLogLog command for the mixed sessions
// (mixed_diff_test.go), on keys other families use too.
func randomHLLCommand(rng *rand.Rand) []string {
	keys := []string{"k1", "k2", "{t}a", "{t}b", "list", "hll"}
	key := func() string { return pick(rng, keys) }
	elems := func(args []string) []string {
		for n := rng.IntN(5); n > 0; n-- {
			args = append(args, pick(rng, poolVals))
		}
		return args
	}
	switch rng.IntN(7) {
	case 0, 1, 2:
		return elems([]string{"PFADD", key()})
	case 3, 4:
		return []string{"PFCOUNT", key()}
	case 5:
		args := []string{"PFCOUNT", key()}
		for n := rng.IntN(3); n > 0; n-- {
			args = append(args, key())
		}
		return args
	}
	args := []string{"PFMERGE", key()}
	for n := rng.IntN(3); n > 0; n-- {
		args = append(args, key())
	}
	return args
}

// TestHLLDiffMergePromotion merges sparse HLLs whose union outgrows the
// sparse limit, so the destination is promoted halfway through the merge.
func TestHLLDiffMergePromotion(t *testing.T) {
	addr := startRedis(t)
	rc := dialRedis(t, addr, 2)
	for _, n := range []int{300, 600, 900, 1200} {
		rng := rand.New(rand.NewPCG(uint64(n), 1))
		d := newDiffSession(t, rc, 2)
		ok := d.check(append([]string{"PFADD", "{m}a"}, hllRandomElems(rng, n)...)) &&
			d.check(append([]string{"PFADD", "{m}b"}, hllRandomElems(rng, n)...)) &&
			d.check([]string{"PFDEBUG", "ENCODING", "{m}a"}) && d.check([]string{"PFDEBUG", "ENCODING", "{m}b"}) &&
			d.check([]string{"PFMERGE", "{m}c", "{m}a", "{m}b"}) && d.check([]string{"GET", "{m}c"}) &&
			d.check([]string{"PFMERGE", "{m}a", "{m}b"}) && d.check([]string{"GET", "{m}a"}) && d.check([]string{"PFCOUNT", "{m}a"})
		if !ok {
			t.Logf("n %d", n)
		}
	}
}

// hllHighRun is an element whose hash leaves 32 zero bits above its
// register index (found by search), so its register value, 33, does not
// fit a sparse VAL opcode and forces promotion to dense.
const hllHighRun = "\xba\x09\x9d\xba\x00\x00\x00\x00"

func TestHLLDiffPromotionByValue(t *testing.T) {
	if _, count := hllPatLen([]byte(hllHighRun)); count <= hllSparseValMaxValue {
		t.Fatalf("%q runs %d, not past %d", hllHighRun, count, hllSparseValMaxValue)
	}
	addr := startRedis(t)
	rc := dialRedis(t, addr, 2)
	d := newDiffSession(t, rc, 2)
	for _, args := range [][]string{{"PFADD", "{v}a", "x", "y"}, {"PFADD", "{v}a", hllHighRun}, {"PFDEBUG", "ENCODING", "{v}a"},
		{"GET", "{v}a"}, {"PFCOUNT", "{v}a"}, {"PFADD", "{v}b", "z"}, {"PFCOUNT", "{v}a", "{v}b"}, {"PFMERGE", "{v}b", "{v}a"},
		{"GET", "{v}b"}, {"PFDEBUG", "GETREG", "{v}b"}} {
		if !d.check(args) {
			break
		}
	}
}

// TestHLLDiffSparseLimit runs PFADD and PFMERGE under other values of
// hll-sparse-max-bytes (CONFIG SET on both sides).
func TestHLLDiffSparseLimit(t *testing.T) {
	addr := startRedis(t)
	rc := dialRedis(t, addr, 2)
	for _, limit := range []int64{0, 18, 19, 20, 100, 600, 10000} {
		rc.do(t, []string{"CONFIG", "SET", "hll-sparse-max-bytes", strconv.FormatInt(limit, 10)})
		d := newDiffSession(t, rc, 2)
		c := DefaultEncodingConfig()
		c.HLLSparseMaxBytes = limit
		withEncoding(t, c)
		rng := rand.New(rand.NewPCG(uint64(limit), 2))
		ok := d.check([]string{"PFADD", "{l}e"}) && d.check([]string{"GET", "{l}e"})
		for i := 0; i < 40 && ok; i++ {
			ok = d.check(append([]string{"PFADD", "{l}a"}, hllRandomElems(rng, 1+rng.IntN(60))...)) && d.check([]string{"GET", "{l}a"})
		}
		ok = ok && d.check([]string{"PFADD", "{l}b", "x"}) && d.check([]string{"PFMERGE", "{l}c", "{l}b", "{l}e"}) &&
			d.check([]string{"GET", "{l}c"}) && d.check([]string{"PFMERGE", "{l}b", "{l}a"}) && d.check([]string{"GET", "{l}b"})
		if !ok {
			t.Logf("hll-sparse-max-bytes %d", limit)
		}
	}
	rc.do(t, []string{"CONFIG", "SET", "hll-sparse-max-bytes", "3000"})
}
