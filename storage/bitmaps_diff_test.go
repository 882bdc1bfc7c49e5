package storage

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Differential tests of the bitmap family against redis-server (see
// diff_test.go).

// bitmapDiffScripts run from a keyspace holding only "list", a list.
var bitmapDiffScripts = [][][]string{
	{{"SETBIT", "b", "7", "1"}, {"SETBIT", "b", "7", "0"}, {"SETBIT", "b", "100", "1"}, {"GET", "b"}, {"STRLEN", "b"},
		{"OBJECT", "ENCODING", "b"}, {"GETBIT", "b", "100"}, {"GETBIT", "b", "101"}, {"GETBIT", "b", "1000000"},
		{"GETBIT", "nokey", "5"}, {"SETBIT", "b", "-1", "1"}, {"SETBIT", "b", "x", "1"}, {"SETBIT", "b", "1", "2"},
		{"SETBIT", "b", "1", "-1"}, {"SETBIT", "b", "1", "x"}, {"SETBIT", "b", "x", "x"}, {"SETBIT", "b", "4294967296", "1"},
		{"SETBIT", "b", "9223372036854775807", "1"}, {"GETBIT", "b", "4294967296"}, {"GETBIT", "b", "-1"},
		{"GETBIT", "list", "0"}, {"SETBIT", "list", "0", "1"}, {"SETBIT", "list", "-1", "1"}, {"SETBIT", "list", "0", "3"},
		{"GETBIT", "list", "x"}, {"SETBIT", "b", "01", "1"}, {"SETBIT", "b", "+1", "1"}, {"SETBIT", "b", "1", " 1"}},
	{{"SET", "n", "12"}, {"OBJECT", "ENCODING", "n"}, {"GETBIT", "n", "2"}, {"SETBIT", "n", "7", "1"}, {"OBJECT", "ENCODING", "n"},
		{"GET", "n"}, {"SET", "e", "ab"}, {"OBJECT", "ENCODING", "e"}, {"SETBIT", "e", "0", "0"}, {"OBJECT", "ENCODING", "e"},
		{"SET", "t", "v", "EX", "1000"}, {"SETBIT", "t", "3", "1"}, {"TTL", "t"}},
	{{"SET", "s", "foobar"}, {"BITCOUNT", "s"}, {"BITCOUNT", "s", "0", "0"}, {"BITCOUNT", "s", "1", "1"}, {"BITCOUNT", "s", "1", "1", "BYTE"},
		{"BITCOUNT", "s", "5", "30", "BIT"}, {"BITCOUNT", "s", "5", "30", "bit"}, {"BITCOUNT", "s", "-3", "-1"}, {"BITCOUNT", "s", "-1", "-3"},
		{"BITCOUNT", "s", "-100", "100"}, {"BITCOUNT", "s", "-100", "100", "BIT"}, {"BITCOUNT", "s", "3", "1"}, {"BITCOUNT", "s", "0"},
		{"BITCOUNT", "s", "0", "1", "BITS"}, {"BITCOUNT", "s", "x", "1"}, {"BITCOUNT", "s", "0", "x"}, {"BITCOUNT", "s", "0", "1", "BIT", "x"},
		{"BITCOUNT", "s", "x", "y", "z"}, {"BITCOUNT", "nokey", "x"}, {"BITCOUNT", "nokey", "0", "1", "BITS"}, {"BITCOUNT", "list"},
		{"BITCOUNT", "list", "x"}, {"BITCOUNT", "s", "9", "9", "BIT"}, {"BITCOUNT", "s", "47", "47", "BIT"}, {"BITCOUNT", "s", "-9223372036854775808", "9223372036854775807", "BIT"},
		{"SET", "i", "1234"}, {"BITCOUNT", "i"}, {"SET", "z", ""}, {"BITCOUNT", "z"}, {"BITCOUNT", "z", "0", "-1"}},
	{{"SET", "p", "\xff\xf0\x00"}, {"BITPOS", "p", "0"}, {"BITPOS", "p", "1"}, {"BITPOS", "p", "0", "2"}, {"BITPOS", "p", "1", "2"},
		{"BITPOS", "p", "0", "2", "-1"}, {"BITPOS", "p", "1", "2", "-1"}, {"BITPOS", "p", "1", "7", "15", "BIT"},
		{"BITPOS", "p", "0", "7", "15", "BIT"}, {"BITPOS", "p", "0", "0", "11", "BIT"}, {"BITPOS", "p", "0", "0", "12", "BIT"},
		{"BITPOS", "p", "1", "12", "-1", "BIT"}, {"BITPOS", "p", "0", "-1", "-2"}, {"BITPOS", "p", "2"}, {"BITPOS", "p", "-1"},
		{"BITPOS", "p", "x"}, {"BITPOS", "p", "1", "x"}, {"BITPOS", "p", "1", "0", "x"}, {"BITPOS", "p", "1", "0", "1", "bits"},
		{"BITPOS", "p", "1", "0", "x", "bits"}, {"BITPOS", "p", "1", "0", "1", "BYTE", "x"}, {"BITPOS", "nokey", "0"}, {"BITPOS", "nokey", "1"},
		{"BITPOS", "nokey", "1", "x"}, {"BITPOS", "nokey", "2"}, {"BITPOS", "list", "1"}, {"BITPOS", "list", "3"},
		{"SET", "f", "\xff\xff"}, {"BITPOS", "f", "0"}, {"BITPOS", "f", "0", "1"}, {"BITPOS", "f", "0", "0", "-1"}, {"BITPOS", "f", "0", "3", "9", "BIT"},
		{"BITPOS", "f", "0", "3", "BIT"}, {"SET", "z", ""}, {"BITPOS", "z", "0"}, {"BITPOS", "z", "1"}, {"BITPOS", "z", "0", "0", "-1", "BIT"},
		{"SET", "q", "\x00\x00\x01"}, {"BITPOS", "q", "1"}, {"BITPOS", "q", "1", "0", "22", "BIT"}, {"BITPOS", "q", "1", "0", "23", "BIT"},
		{"BITPOS", "q", "0", "-9223372036854775808", "9223372036854775807", "BIT"}},
	{{"SET", "a", "foobar"}, {"SET", "b", "abc"}, {"BITOP", "AND", "d", "a", "b"}, {"GET", "d"}, {"OBJECT", "ENCODING", "d"},
		{"BITOP", "or", "d", "a", "b"}, {"GET", "d"}, {"BITOP", "Xor", "d", "a", "b", "nokey"}, {"GET", "d"},
		{"BITOP", "AND", "d", "a", "nokey"}, {"GET", "d"}, {"BITOP", "NOT", "d", "b"}, {"GET", "d"}, {"BITOP", "NOT", "d", "a", "b"},
		{"BITOP", "NAND", "d", "a"}, {"BITOP", "AND", "d", "a", "list"},
		{"GET", "d"}, {"BITOP", "OR", "d", "nokey", "nokey2"}, {"EXISTS", "d"}, {"BITOP", "NOT", "list", "nokey"}, {"EXISTS", "list"},
		{"SET", "t", "x", "EX", "100"}, {"BITOP", "OR", "t", "a"}, {"TTL", "t"}, {"BITOP", "XOR", "a", "a", "b"}, {"GET", "a"},
		{"SET", "e", ""}, {"BITOP", "OR", "d", "e"}, {"EXISTS", "d"}, {"SET", "n", "77"}, {"BITOP", "NOT", "d", "n"}, {"GET", "d"},
		{"BITOP", "and\x00x", "d", "n"}},
	{{"BITFIELD", "bf", "SET", "i8", "0", "100"}, {"BITFIELD", "bf", "GET", "i8", "0"}, {"BITFIELD", "bf", "INCRBY", "i8", "0", "100"},
		{"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100", "INCRBY", "i8", "0", "-1000"},
		{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "-1", "INCRBY", "u4", "#3", "17", "GET", "u4", "#3"},
		{"BITFIELD", "bf", "SET", "u63", "0", "-1"}, {"BITFIELD", "bf", "GET", "u63", "0", "GET", "i64", "0", "GET", "i64", "1"},
		{"BITFIELD", "bf", "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-1"},
		{"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1", "INCRBY", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "9223372036854775807"},
		{"BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "u8", "0", "-5", "SET", "u8", "0", "300", "SET", "i8", "0", "300", "SET", "i8", "0", "-300"},
		{"BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "u8", "0", "-5", "SET", "u8", "0", "300", "SET", "i8", "0", "300", "SET", "i8", "0", "-300"},
		{"BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "u8", "0", "-5", "SET", "u8", "0", "300", "SET", "i8", "0", "300", "SET", "i8", "0", "-300"},
		{"GET", "bf"}, {"OBJECT", "ENCODING", "bf"}, {"BITFIELD", "bf"}, {"BITFIELD", "nokey"}, {"EXISTS", "nokey"}, {"BITFIELD", "nokey", "GET", "u8", "0"},
		{"EXISTS", "nokey"}, {"BITFIELD", "nk", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "8"}, {"GET", "nk"},
		{"BITFIELD", "bf", "GET", "u64", "0"}, {"BITFIELD", "bf", "GET", "i65", "0"}, {"BITFIELD", "bf", "GET", "i0", "0"}, {"BITFIELD", "bf", "GET", "I8", "0"},
		{"BITFIELD", "bf", "GET", "i", "0"}, {"BITFIELD", "bf", "GET", "i08", "0"}, {"BITFIELD", "bf", "GET", "i8\x00zz", "0"}, {"BITFIELD", "bf", "GET", "", "0"},
		{"BITFIELD", "bf", "GET", "i8", "-1"}, {"BITFIELD", "bf", "GET", "i8", "#"}, {"BITFIELD", "bf", "GET", "i8", "#-1"}, {"BITFIELD", "bf", "GET", "i8", "##1"},
		{"BITFIELD", "bf", "GET", "i8", "4294967296"}, {"BITFIELD", "bf", "GET", "i8", "#536870912"}, {"BITFIELD", "bf", "GET", "i64", "#1152921504606846976"},
		{"BITFIELD", "bf", "GET", "i8", "0", "GET"}, {"BITFIELD", "bf", "SET", "i8", "0"}, {"BITFIELD", "bf", "FOO", "i8", "0"},
		{"BITFIELD", "bf", "OVERFLOW", "BAD", "GET", "i8", "0"}, {"BITFIELD", "bf", "OVERFLOW"}, {"BITFIELD", "bf", "SET", "i8", "0", "x"},
		{"BITFIELD", "bf", "INCRBY", "i8", "0", "1.5"}, {"BITFIELD", "bf", "GET", "u8", "0", "SET", "i8", "x", "1"},
		{"BITFIELD", "list", "GET", "u8", "0"}, {"BITFIELD", "list", "SET", "u8", "0", "1"}, {"BITFIELD", "list"}, {"BITFIELD", "list", "GET", "u9", "x"},
		{"BITFIELD_RO", "bf", "GET", "u8", "0", "get", "i4", "#1"}, {"BITFIELD_RO", "bf", "SET", "u8", "0", "1"}, {"BITFIELD_RO", "bf", "INCRBY", "u8", "0", "x"},
		{"BITFIELD_RO", "bf", "OVERFLOW", "SAT", "GET", "u8", "0"}, {"BITFIELD_RO", "bf"}, {"BITFIELD_RO", "list", "GET", "u8", "0"}, {"BITFIELD_RO", "list", "SET", "u8", "0", "1"},
		{"BITFIELD_RO", "nokey", "GET", "i8", "0"}, {"BITFIELD", "bf", "GET", "i8", "100", "SET", "i8", "100", "1"}},
	{{"SET", "s", "hello"}, {"BITFIELD", "s", "GET", "u4", "0", "GET", "i5", "3", "GET", "u63", "1", "GET", "i64", "30"},
		{"BITFIELD", "s", "INCRBY", "u1", "0", "1", "INCRBY", "u1", "0", "1", "INCRBY", "i1", "3", "-1", "INCRBY", "i1", "3", "-1"},
		{"BITFIELD", "s", "OVERFLOW", "SAT", "INCRBY", "u3", "5", "-9223372036854775808", "INCRBY", "u3", "5", "9223372036854775807"},
		{"BITFIELD", "s", "OVERFLOW", "WRAP", "INCRBY", "u63", "5", "-9223372036854775808", "INCRBY", "i64", "5", "9223372036854775807"},
		{"GET", "s"}, {"SET", "n", "123"}, {"BITFIELD", "n", "GET", "u8", "0"}, {"OBJECT", "ENCODING", "n"}, {"BITFIELD", "n", "SET", "u8", "0", "65"}, {"GET", "n"}},
}

func TestBitmapDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, script := range bitmapDiffScripts {
			d := newDiffSession(t, rc, proto)
			for _, args := range script {
				if !d.check(args) {
					break
				}
			}
		}
	}
}

// TestBitmapDiffRandom runs seeded random sessions of bitmap commands
// mixed with SET and APPEND; the seed is logged on a failure.
func TestBitmapDiffRandom(t *testing.T) {
	addr := startRedis(t)
	conns := map[int]*redisConn{2: dialRedis(t, addr, 2), 3: dialRedis(t, addr, 3)}
	first, sessions := diffSeeds(t, 300)
	for seed := first; seed < first+sessions; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0xb175))
		proto := 2 + rng.IntN(2)
		d := newDiffSession(t, conns[proto], proto)
		for i := 0; i < 50; i++ {
			if !d.check(randomBitmapCommand(rng)) {
				t.Logf("seed %d", seed)
				break
			}
		}
	}
}

var (
	poolBitKeys = []string{"b1", "b2", "{t}b3", "", "list"}
	poolBitVals = []string{"", "a", "foobar", "\xff\x00\xf0", "\x00\x00\x00\x01", "123", "-1", strings.Repeat("\xaa", 20)}
	poolBitOffs = []string{"0", "1", "7", "8", "15", "63", "64", "100", "-1", "x", "#0", "#1", "#7", "4294967296", "01"}
	poolBitIdx  = []string{"0", "1", "2", "-1", "-2", "-7", "5", "7", "8", "9", "13", "100", "-100", "x", "9223372036854775807", "-9223372036854775808"}
	poolBitOne  = []string{"0", "1", "1", "0", "2", "-1", "x"}
	poolBFTypes = []string{"u1", "u3", "u8", "i1", "i5", "i8", "u16", "i32", "u63", "i64", "u64", "i65", "I8", "x"}
	poolBFNums  = []string{"0", "1", "-1", "5", "-5", "100", "-128", "255", "256", "9223372036854775807", "-9223372036854775808", "x"}
)

// randomBitmapCommand draws one bitmap command or a string write.
func randomBitmapCommand(rng *rand.Rand) []string {
	key := func() string { return pick(rng, poolBitKeys) }
	idx := func() string { return pick(rng, poolBitIdx) }
	unit := func() string { return randCase(rng, pick(rng, []string{"BIT", "BYTE", "BITS"})) }
	switch rng.IntN(14) {
	case 0:
		return []string{"SET", key(), pick(rng, poolBitVals)}
	case 1:
		return []string{"APPEND", key(), pick(rng, poolBitVals)}
	case 2, 3:
		return []string{"SETBIT", key(), pick(rng, poolBitOffs), pick(rng, poolBitOne)}
	case 4:
		return []string{"GETBIT", key(), pick(rng, poolBitOffs)}
	case 5, 6:
		args := []string{"BITCOUNT", key()}
		switch rng.IntN(4) {
		case 1:
			args = append(args, idx(), idx())
		case 2:
			args = append(args, idx(), idx(), unit())
		case 3:
			args = append(args, idx())
		}
		return args
	case 7, 8:
		args := []string{"BITPOS", key(), pick(rng, poolBitOne)}
		switch rng.IntN(4) {
		case 1:
			args = append(args, idx())
		case 2:
			args = append(args, idx(), idx())
		case 3:
			args = append(args, idx(), idx(), unit())
		}
		return args
	case 9:
		args := []string{"BITOP", randCase(rng, pick(rng, []string{"AND", "OR", "XOR", "NOT", "NOR"})), key()}
		for n := 1 + rng.IntN(3); n > 0; n-- {
			args = append(args, key())
		}
		return args
	case 10:
		return []string{"GET", key()}
	default:
		name := "BITFIELD"
		if rng.IntN(4) == 0 {
			name = "BITFIELD_RO"
		}
		args := []string{name, key()}
		for n := rng.IntN(4); n > 0; n-- {
			switch rng.IntN(5) {
			case 0:
				args = append(args, "GET", pick(rng, poolBFTypes), pick(rng, poolBitOffs))
			case 1:
				args = append(args, "SET", pick(rng, poolBFTypes), pick(rng, poolBitOffs), pick(rng, poolBFNums))
			case 2, 3:
				args = append(args, randCase(rng, "INCRBY"), pick(rng, poolBFTypes), pick(rng, poolBitOffs), pick(rng, poolBFNums))
			case 4:
				args = append(args, "OVERFLOW", randCase(rng, pick(rng, []string{"WRAP", "SAT", "FAIL", "BAD"})))
			}
		}
		return args
	}
}

// TestBitmapDiffLarge diffs range queries over longer random bitmaps,
// where runs of 0x00 and 0xff bytes cross the masked first and last bytes.
func TestBitmapDiffLarge(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		rng := rand.New(rand.NewPCG(uint64(proto), 0x1a76e))
		d := newDiffSession(t, rc, proto)
		val := make([]byte, 300)
		for i := range val {
			switch rng.IntN(4) {
			case 0:
				val[i] = 0
			case 1:
				val[i] = 0xff
			default:
				val[i] = byte(rng.UintN(256))
			}
		}
		if !d.check([]string{"SET", "big", string(val)}) {
			return
		}
		ends := func(n int) string { return strconv.Itoa(rng.IntN(2*n) - n) }
		for i := 0; i < 400; i++ {
			var args []string
			switch rng.IntN(5) {
			case 0:
				args = []string{"BITCOUNT", "big", ends(320), ends(320)}
			case 1:
				args = []string{"BITCOUNT", "big", ends(2500), ends(2500), "BIT"}
			case 2:
				args = []string{"BITPOS", "big", strconv.Itoa(rng.IntN(2)), ends(320), ends(320)}
				if rng.IntN(3) == 0 {
					args = args[:4] // no end: zeros past the string count
				}
			case 3:
				args = []string{"BITPOS", "big", strconv.Itoa(rng.IntN(2)), ends(2500), ends(2500), "BIT"}
			default:
				args = []string{"BITFIELD", "big", "OVERFLOW", "SAT", "INCRBY", pick(rng, []string{"i7", "u9", "i64", "u63"}),
					strconv.Itoa(rng.IntN(2500)), ends(1000), "GET", "i13", strconv.Itoa(rng.IntN(2500))}
			}
			if !d.check(args) {
				return
			}
		}
	}
}
