package storage

import (
	"strings"
	"testing"
)

// Unit tests of the bitmap family. Expected replies were checked against
// redis-server 7.0.

func TestSetBitGetBit(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("list")
	h.run([]step{
		expect("SETBIT", "b", "7", "1", rInt(0)),
		expect("SETBIT", "b", "7", "1", rInt(1)),
		expect("GET", "b", rBulk("\x01")),
		expect("SETBIT", "b", "0", "1", rInt(0)),
		expect("GET", "b", rBulk("\x81")),
		expect("SETBIT", "b", "7", "0", rInt(1)),
		expect("SETBIT", "b", "23", "0", rInt(0)),
		expect("GET", "b", rBulk("\x80\x00\x00")),
		expect("OBJECT", "ENCODING", "b", rBulk("raw")),
		expect("GETBIT", "b", "0", rInt(1)),
		expect("GETBIT", "b", "1", rInt(0)),
		expect("GETBIT", "b", "4294967295", rInt(0)),
		expect("GETBIT", "missing", "3", rInt(0)),
		expect("SETBIT", "b", "-1", "1", rErr(ErrBitOffset)),
		expect("SETBIT", "b", "4294967296", "1", rErr(ErrBitOffset)),
		expect("SETBIT", "b", "01", "1", rErr(ErrBitOffset)),
		expect("SETBIT", "b", "x", "2", rErr(ErrBitOffset)),
		expect("SETBIT", "b", "1", "2", rErr(ErrBitValue)),
		expect("SETBIT", "b", "1", "-1", rErr(ErrBitValue)),
		expect("SETBIT", "b", "1", "", rErr(ErrBitValue)),
		expect("GETBIT", "b", "-1", rErr(ErrBitOffset)),
		expect("GETBIT", "list", "0", rErr(ErrWrongType)),
		expect("GETBIT", "list", "x", rErr(ErrBitOffset)),
		expect("SETBIT", "list", "0", "1", rErr(ErrWrongType)),
		expect("SETBIT", "list", "0", "5", rErr(ErrBitValue)),
		// An int-encoded value is read as its digits and becomes raw.
		expect("SET", "n", "1", rSimple("OK")),
		expect("GETBIT", "n", "2", rInt(1)),
		expect("SETBIT", "n", "6", "1", rInt(0)),
		expect("GET", "n", rBulk("3")),
		expect("OBJECT", "ENCODING", "n", rBulk("raw")),
	})
}

func rSimple(s string) string { return "+" + s + "\r\n" }

func TestSetBitKeepsTTL(t *testing.T) {
	h := newHarness(t, 4)
	h.run([]step{
		expect("SET", "b", "a", "EX", "100", rSimple("OK")),
		expect("SETBIT", "b", "15", "1", rInt(0)),
		expect("TTL", "b", rInt(100)),
		expect("GET", "b", rBulk("a\x01")),
	})
}

// TestBitOffsetLimit checks offsets against proto-max-bulk-len: the byte
// holding the bit must lie below it.
func TestBitOffsetLimit(t *testing.T) {
	h := newHarness(t, 4)
	h.limits = &Limits{ProtoMaxBulkLen: func() int64 { return 4 }}
	h.run([]step{
		expect("SETBIT", "b", "32", "1", rErr(ErrBitOffset)),
		expect("GETBIT", "b", "32", rErr(ErrBitOffset)),
		expect("SETBIT", "b", "31", "1", rInt(0)),
		expect("STRLEN", "b", rInt(4)),
		expect("BITFIELD", "b", "GET", "u8", "#4", rErr(ErrBitOffset)),
		expect("BITFIELD", "b", "GET", "u8", "#3", rArr(rInt(1))),
		// A field may end past the limit: the string grows by a byte.
		expect("BITFIELD", "b", "SET", "u8", "31", "255", rArr(rInt(128))),
		expect("STRLEN", "b", rInt(5)),
		// #n times the width wraps, as Redis's multiplication does: 2^61*8 is 0.
		expect("BITFIELD", "b", "GET", "u8", "#2305843009213693952", rArr(rInt(0))),
		expect("BITFIELD", "b", "GET", "u8", "#1152921504606846976", rErr(ErrBitOffset)),
		expect("BITFIELD", "b", "GET", "i8", "#-1", rErr(ErrBitOffset)),
	})
}

func TestBitCount(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("list")
	h.run([]step{
		expect("SET", "s", "foobar", rSimple("OK")),
		expect("BITCOUNT", "s", rInt(26)),
		expect("BITCOUNT", "s", "0", "0", rInt(4)),
		expect("BITCOUNT", "s", "1", "1", "BYTE", rInt(6)),
		expect("BITCOUNT", "s", "5", "30", "BIT", rInt(17)),
		expect("BITCOUNT", "s", "-2", "-1", rInt(7)),
		expect("BITCOUNT", "s", "-100", "100", rInt(26)),
		expect("BITCOUNT", "s", "3", "1", rInt(0)),
		expect("BITCOUNT", "s", "-1", "-3", "BOGUS", rInt(0)),
		expect("BITCOUNT", "s", "0", "1", "BOGUS", rErr(ErrSyntax)),
		expect("BITCOUNT", "s", "0", rErr(ErrSyntax)),
		expect("BITCOUNT", "s", "x", "1", rErr(ErrNotInteger)),
		expect("BITCOUNT", "s", "0", "1", "BIT", "x", rErr(ErrSyntax)),
		expect("BITCOUNT", "missing", "x", rInt(0)),
		expect("BITCOUNT", "list", rErr(ErrWrongType)),
		expect("SET", "e", "", rSimple("OK")),
		expect("BITCOUNT", "e", "0", "-1", "BIT", rInt(0)),
	})
}

func TestBitPos(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("list")
	h.run([]step{
		expect("SET", "p", "\xff\xf0\x00", rSimple("OK")),
		expect("BITPOS", "p", "0", rInt(12)),
		expect("BITPOS", "p", "1", rInt(0)),
		expect("BITPOS", "p", "1", "2", rInt(-1)),
		expect("BITPOS", "p", "0", "7", "15", "BIT", rInt(12)),
		expect("BITPOS", "p", "0", "0", "11", "BIT", rInt(-1)),
		expect("BITPOS", "p", "1", "9", "-1", "bit", rInt(9)),
		expect("SET", "f", "\xff\xff", rSimple("OK")),
		expect("BITPOS", "f", "0", rInt(16)), // past the end: zero padding
		expect("BITPOS", "f", "0", "1", rInt(16)),
		expect("BITPOS", "f", "0", "0", "-1", rInt(-1)), // explicit end
		expect("BITPOS", "missing", "0", rInt(0)),
		expect("BITPOS", "missing", "1", rInt(-1)),
		expect("BITPOS", "p", "2", rErr(ErrBitArgument)),
		expect("BITPOS", "p", "x", rErr(ErrNotInteger)),
		expect("BITPOS", "p", "1", "0", "1", "bits", rErr(ErrSyntax)),
		expect("BITPOS", "p", "1", "0", "1", "BIT", "x", rErr(ErrSyntax)),
		expect("BITPOS", "list", "1", rErr(ErrWrongType)),
		expect("BITPOS", "list", "3", rErr(ErrBitArgument)),
	})
}

func TestBitOp(t *testing.T) {
	h := newHarness(t, 8)
	h.putList("list")
	k := h.keysOnDistinctInstances("bo", 4)
	a, b, dst, miss := k[0], k[1], k[2], k[3]
	h.run([]step{
		expect("SET", a, "foobar", rSimple("OK")),
		expect("SET", b, "abc", rSimple("OK")),
		expect("BITOP", "AND", dst, a, b, rInt(6)),
		expect("GET", dst, rBulk("`bc\x00\x00\x00")),
		expect("OBJECT", "ENCODING", dst, rBulk("raw")),
		expect("BITOP", "or", dst, a, b, rInt(6)),
		expect("GET", dst, rBulk("goobar")),
		expect("BITOP", "XOR", dst, a, b, miss, rInt(6)),
		expect("GET", dst, rBulk("\x07\r\x0cbar")),
		expect("BITOP", "NOT", dst, b, rInt(3)),
		expect("GET", dst, rBulk("\x9e\x9d\x9c")),
		expect("BITOP", "NOT", dst, a, b, rErr(ErrBitOpNot)),
		expect("BITOP", "NAND", dst, a, rErr(ErrSyntax)),
		expect("BITOP", "AND", dst, a, "list", rErr(ErrWrongType)),
		expect("BITOP", "OR", dst, miss, miss, rInt(0)),
		expect("EXISTS", dst, rInt(0)),
		expect("SET", dst, "x", "EX", "100", rSimple("OK")),
		expect("BITOP", "AND", dst, a, rInt(6)),
		expect("TTL", dst, rInt(-1)),
		expect("BITOP", "NOT", "list", miss, rInt(0)),
		expect("EXISTS", "list", rInt(0)),
	})
}

func TestBitField(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("list")
	h.run([]step{
		expect("BITFIELD", "bf", "SET", "i8", "0", "100", "GET", "i8", "0", rArr(rInt(0), rInt(100))),
		expect("BITFIELD", "bf", "INCRBY", "i8", "0", "100", rArr(rInt(-56))),
		expect("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "-1000", "INCRBY", "u4", "#3", "100",
			rArr(rInt(-128), rInt(15))),
		expect("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u4", "#3", "1", "INCRBY", "u4", "#3", "-1",
			"\x2a2\r\n$-1\r\n"+rInt(14)),
		expect("BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "u8", "0", "-5", "SET", "i8", "0", "300", rArr(rInt(128), rInt(-5))),
		expect("BITFIELD", "bf", "GET", "i8", "0", rArr(rInt(44))),
		expect("BITFIELD", "bf", "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-1",
			rArr(rInt(3174474787342778368), rInt(9223372036854775807))),
		expect("BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "u63", "0", "-1", "GET", "u63", "0",
			rArr(rInt(4611686018427387903), rInt(9223372036854775807))),
		expect("BITFIELD", "bf", rArr()),
		expect("BITFIELD", "missing", "GET", "u8", "100", rArr(rInt(0))),
		expect("EXISTS", "missing", rInt(0)),
		expect("BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "8", "\x2a1\r\n$-1\r\n"),
		expect("STRLEN", "new", rInt(13)), // the key is made even when no write happens
		expect("BITFIELD", "bf", "GET", "u64", "0", rErr(ErrBitFieldType)),
		expect("BITFIELD", "bf", "GET", "i65", "0", rErr(ErrBitFieldType)),
		expect("BITFIELD", "bf", "GET", "I8", "0", rErr(ErrBitFieldType)),
		expect("BITFIELD", "bf", "GET", "i0", "0", rErr(ErrBitFieldType)),
		expect("BITFIELD", "bf", "GET", "i8\x00z", "0", rArr(rInt(-1))),
		expect("BITFIELD", "bf", "GET", "i8", "#", rErr(ErrBitOffset)),
		expect("BITFIELD", "bf", "GET", "i8", "0", "GET", rErr(ErrSyntax)),
		expect("BITFIELD", "bf", "OVERFLOW", "BAD", rErr(ErrBitFieldOverflowType)),
		expect("BITFIELD", "bf", "SET", "i8", "0", "x", rErr(ErrNotInteger)),
		expect("BITFIELD", "list", "GET", "u8", "0", rErr(ErrWrongType)),
		expect("BITFIELD", "list", "GET", "u9", "x", rErr(ErrBitOffset)),
		expect("BITFIELD_RO", "bf", "GET", "u8", "0", rArr(rInt(255))),
		expect("BITFIELD_RO", "bf", "SET", "u8", "0", "1", rErr(ErrBitFieldRO)),
		expect("BITFIELD_RO", "bf", "INCRBY", "u8", "0", "x", rErr(ErrNotInteger)),
		expect("BITFIELD_RO", "list", "SET", "u8", "0", "1", rErr(ErrBitFieldRO)),
	})
	if got := h.do3("BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "8"); got != "*1\r\n_\r\n" {
		t.Errorf("RESP3 null element: got %q", got)
	}
}

// TestBitFieldModel checks random fields against a bit-by-bit model.
func TestBitFieldModel(t *testing.T) {
	p := []byte(strings.Repeat("\x5a\xc3", 12))
	for off := int64(0); off < 64; off += 7 {
		for width := uint(1); width <= 64; width++ {
			var want uint64
			for j := int64(0); j < int64(width); j++ {
				b := off + j
				want = want<<1 | uint64(p[b>>3]>>(7-b&7)&1)
			}
			if got := getBitField(p, off, width); got != want {
				t.Fatalf("getBitField(%d, %d) = %x, want %x", off, width, got, want)
			}
			q := make([]byte, len(p))
			setBitField(q, off, width, want)
			if got := getBitField(q, off, width); got != want {
				t.Fatalf("setBitField round trip (%d, %d) = %x, want %x", off, width, got, want)
			}
		}
	}
}
