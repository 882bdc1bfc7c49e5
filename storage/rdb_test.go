package storage

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Unit tests of the RDB codec pieces: CRC64, LZF, listpack, intset,
// ziplist and whole values. Byte-level agreement with redis-server is in
// dump_diff_test.go; these pin known vectors and round trips.

func TestCRC64(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"", 0},
		{"123456789", 0xe9c6d914c4b8d9ca},
	}
	for _, tt := range tests {
		if got := crc64(0, []byte(tt.in)); got != tt.want {
			t.Errorf("crc64(%q) = %#x, want %#x", tt.in, got, tt.want)
		}
	}
	// Incremental use gives the same value.
	if got := crc64(crc64(0, []byte("1234")), []byte("56789")); got != 0xe9c6d914c4b8d9ca {
		t.Errorf("incremental crc64 = %#x", got)
	}
}

func TestLZFVector(t *testing.T) {
	// What redis-server 7.0 writes for SET k 1234567890 x5 (DUMP bytes
	// after the 0xC3 marker and the two lengths).
	in := []byte(strings.Repeat("1234567890", 5))
	want := []byte("\x0a12345678901\xe0\x1c\x09\x0190")
	if got := lzfCompress(in, len(in)-4); !bytes.Equal(got, want) {
		t.Errorf("lzfCompress = %q, want %q", got, want)
	}
}

func TestLZFRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 500; i++ {
		n := 1 + rng.IntN(3000)
		in := make([]byte, n)
		alphabet := 1 + rng.IntN(255)
		for j := range in {
			if j > 8 && rng.IntN(3) == 0 {
				in[j] = in[j-1-rng.IntN(8)]
			} else {
				in[j] = byte(rng.IntN(alphabet))
			}
		}
		c := lzfCompress(in, n+n/16+64)
		if c == nil {
			t.Fatalf("case %d: no output for %d bytes with a roomy buffer", i, n)
		}
		out, err := lzfDecompress(c, n)
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("case %d: round trip failed (%v)", i, err)
		}
		// A buffer too small to gain four bytes refuses, as Redis's does.
		if n > 4 {
			if c := lzfCompress(in, n-4); c != nil && len(c) > n-4 {
				t.Fatalf("case %d: output %d bytes over the %d limit", i, len(c), n-4)
			}
		}
	}
}

func TestLZFDecompressCorrupt(t *testing.T) {
	tests := [][]byte{
		{0x05, 'a'},             // literal run past the end
		{0x20, 0x00},            // back reference before the start
		{0x00, 'a', 0xe0},       // long match without its length byte
		{0x00, 'a', 0x20, 0x00}, // expands past the declared length
	}
	for _, in := range tests {
		if _, err := lzfDecompress(in, 2); err == nil {
			t.Errorf("lzfDecompress(%q) accepted corrupt input", in)
		}
	}
}

// TestLZFLengthBound: a declared length beyond what the input could
// expand to is refused before anything is allocated, and the bound holds
// for LZF's best case, a long run of one byte.
func TestLZFLengthBound(t *testing.T) {
	in := []byte(strings.Repeat("a", 1<<20))
	c := lzfCompress(in, len(in))
	if out, err := lzfDecompress(c, len(in)); err != nil || !bytes.Equal(out, in) {
		t.Fatalf("1 MiB of one byte (%d compressed bytes, ratio %d) does not round trip: %v", len(c), len(in)/len(c), err)
	}
	huge := func() {
		if _, err := lzfDecompress([]byte{0x00, 'a'}, 1<<32-1); err == nil {
			t.Error("a 4 GiB length for 2 bytes of input was accepted")
		}
	}
	if n := testing.AllocsPerRun(3, huge); n != 0 {
		t.Errorf("refusing a 4 GiB length allocated %v times", n)
	}
	h := newHarness(t, 1)
	// A string object: LZF-encoded, 1 compressed byte said to be 4 GiB.
	body := "\x00\xc3\x01\x80\xff\xff\xff\xff\x00"
	if got := h.do("RESTORE", "k", "0", withFooter(body, rdbVersion)); got != rErr(ErrBadDataFormat) {
		t.Errorf("RESTORE of a 4 GiB LZF claim = %q", got)
	}
}

func TestListpackEncoding(t *testing.T) {
	tests := []struct {
		elem string
		want string // the entry: encoding, data, back-length
	}{
		{"0", "\x00\x01"},
		{"127", "\x7f\x01"},
		{"128", "\xc0\x80\x02"},
		{"-1", "\xdf\xff\x02"},
		{"-4096", "\xd0\x00\x02"},
		{"4096", "\xf1\x00\x10\x03"},
		{"-32769", "\xf2\xff\x7f\xff\x04"},
		{"8388608", "\xf3\x00\x00\x80\x00\x05"},
		{"2147483648", "\xf4\x00\x00\x00\x80\x00\x00\x00\x00\x09"},
		{"a", "\x81a\x02"},
		{"007", "\x83007\x04"},
		{"", "\x80\x01"},
		{strings.Repeat("x", 64), "\xe0\x40" + strings.Repeat("x", 64) + "\x42"},
		{strings.Repeat("x", 200), "\xe0\xc8" + strings.Repeat("x", 200) + "\x01\xca"},
		{strings.Repeat("x", 4096), "\xf0\x00\x10\x00\x00" + strings.Repeat("x", 4096) + "\x20\x85"},
	}
	for _, tt := range tests {
		lp := newListpack()
		lp.appendString([]byte(tt.elem))
		b := lp.bytes()
		if got := string(b[6 : len(b)-1]); got != tt.want {
			t.Errorf("entry of %.20q = %q, want %q", tt.elem, got, tt.want)
		}
		if got := lpStrSize([]byte(tt.elem)); got != len(tt.want) {
			t.Errorf("lpStrSize(%.20q) = %d, want %d", tt.elem, got, len(tt.want))
		}
		if binary.LittleEndian.Uint32(b) != uint32(len(b)) || binary.LittleEndian.Uint16(b[4:]) != 1 || b[len(b)-1] != 0xFF {
			t.Errorf("header or EOF of %.20q wrong: % x", tt.elem, b[:6])
		}
		items, err := decodeListpack(b)
		if err != nil || len(items) != 1 || items[0] != tt.elem {
			t.Errorf("decodeListpack of %.20q = %q, %v", tt.elem, items, err)
		}
	}
}

func TestListpackCorrupt(t *testing.T) {
	lp := newListpack()
	lp.appendString([]byte("hello"))
	lp.appendString([]byte("12"))
	good := lp.bytes()
	bad := [][]byte{
		good[:len(good)-1],                   // no EOF
		append([]byte{}, good[:5]...),        // short
		append(append([]byte{}, good...), 0), // total bytes disagree
	}
	wrongCount := append([]byte{}, good...)
	wrongCount[4] = 3
	bad = append(bad, wrongCount)
	for _, b := range bad {
		if _, err := decodeListpack(b); err == nil {
			t.Errorf("decodeListpack(% x) accepted a corrupt blob", b)
		}
	}
}

func TestIntset(t *testing.T) {
	tests := []struct {
		ints  []int64
		width int
	}{
		{nil, 2},
		{[]int64{-32768, 32767}, 2},
		{[]int64{1, 32768}, 4},
		{[]int64{math.MinInt32, 0}, 4},
		{[]int64{-1, 1 << 40}, 8},
	}
	for _, tt := range tests {
		b := intsetOf(tt.ints)
		if w := int(binary.LittleEndian.Uint32(b)); w != tt.width || len(b) != 8+w*len(tt.ints) {
			t.Errorf("intsetOf(%v): width %d, %d bytes", tt.ints, w, len(b))
		}
		got, ok := intsetFromBlob(b)
		if !ok || got.len() != len(tt.ints) {
			t.Errorf("intsetFromBlob(%v) = %v, %v", tt.ints, got, ok)
		}
		for i, v := range tt.ints {
			if got.at(i) != v {
				t.Errorf("intsetFromBlob(%v) member %d = %d", tt.ints, i, got.at(i))
			}
		}
	}
	repeated := intsetOf([]int64{1, 2})
	repeated.set(1, 1)
	if _, ok := intsetFromBlob(repeated); ok {
		t.Error("intsetFromBlob accepted a repeated member")
	}
}

// ziplistOf builds a ziplist blob (the pre-7.0 encoding) of items, for
// the decoder's tests and RESTORE of old payloads.
func ziplistOf(items ...string) []byte {
	b := make([]byte, 10)
	prev, tail := 0, 10
	for _, it := range items {
		start := len(b)
		tail = start
		if prev < 254 {
			b = append(b, byte(prev))
		} else {
			b = append(b, 0xFE)
			b = binary.LittleEndian.AppendUint32(b, uint32(prev))
		}
		if v, err := strconv.ParseInt(it, 10, 64); err == nil && strconv.FormatInt(v, 10) == it {
			switch {
			case v >= 0 && v <= 12:
				b = append(b, 0xF1+byte(v))
			case v >= math.MinInt8 && v <= math.MaxInt8:
				b = append(b, 0xFE, byte(v))
			case v >= math.MinInt16 && v <= math.MaxInt16:
				b = binary.LittleEndian.AppendUint16(append(b, 0xC0), uint16(v))
			case v >= -1<<23 && v < 1<<23:
				b = append(b, 0xF0, byte(v), byte(v>>8), byte(v>>16))
			case v >= math.MinInt32 && v <= math.MaxInt32:
				b = binary.LittleEndian.AppendUint32(append(b, 0xD0), uint32(v))
			default:
				b = binary.LittleEndian.AppendUint64(append(b, 0xE0), uint64(v))
			}
		} else {
			switch n := len(it); {
			case n < 64:
				b = append(b, byte(n))
			case n < 16384:
				b = append(b, 0x40|byte(n>>8), byte(n))
			default:
				b = binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
			}
			b = append(b, it...)
		}
		prev = len(b) - start
	}
	b = append(b, 0xFF)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint32(b[4:], uint32(tail))
	binary.LittleEndian.PutUint16(b[8:], uint16(len(items)))
	return b
}

func TestZiplistDecode(t *testing.T) {
	items := []string{"a", "0", "12", "13", "-1", "300", "-70000", "9000000", "4000000000", strings.Repeat("z", 300), ""}
	got, err := decodeZiplist(ziplistOf(items...))
	if err != nil || strings.Join(got, ",") != strings.Join(items, ",") {
		t.Errorf("decodeZiplist = %q, %v; want %q", got, err, items)
	}
	if _, err := decodeZiplist([]byte("\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00\xfe")); err == nil {
		t.Error("decodeZiplist accepted a truncated entry")
	}
}

func TestRDBLength(t *testing.T) {
	for _, n := range []uint64{0, 63, 64, 16383, 16384, math.MaxUint32, math.MaxUint32 + 1} {
		b := rdbAppendLen(nil, n)
		r := &rdbReader{b: b}
		got, enc, err := r.length()
		if err != nil || enc || got != n || r.p != len(b) {
			t.Errorf("length %d: encoded % x, read %d (%v, %v)", n, b, got, enc, err)
		}
	}
}

func TestRDBStringEncodings(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "\xc0\x00"},
		{"-128", "\xc0\x80"},
		{"200", "\xc1\xc8\x00"},
		{"-2147483648", "\xc2\x00\x00\x00\x80"},
		{"2147483648", "\x0a2147483648"},
		{"007", "\x03007"},
		{"abc", "\x03abc"},
		{strings.Repeat("a", 21), "(compressed)"},
	}
	for _, tt := range tests {
		got := rdbAppendString(nil, []byte(tt.in))
		if tt.in == strings.Repeat("a", 21) {
			// Check only that it compressed and decodes.
			if got[0] != 0xC3 {
				t.Errorf("21 a's were not LZF-compressed: % x", got)
			}
		} else if string(got) != tt.want {
			t.Errorf("rdbAppendString(%q) = %q, want %q", tt.in, got, tt.want)
		}
		r := &rdbReader{b: got}
		back, err := r.str()
		if err != nil || string(back) != tt.in {
			t.Errorf("reading back %q gave %q, %v", tt.in, back, err)
		}
	}
}

// TestRDBValueRoundTrip encodes values of every kind and encoding and
// decodes them back.
func TestRDBValueRoundTrip(t *testing.T) {
	h := newHarness(t, 4)
	var cmds [][]string
	cmds = append(cmds, []string{"SET", "str", strings.Repeat("abc", 30)}, []string{"SET", "int", "-12345"})
	big := []string{"RPUSH", "list"}
	for i := 0; i < 2000; i++ {
		big = append(big, strings.Repeat("v", i%50)+strconv.Itoa(i))
	}
	cmds = append(cmds, big)
	cmds = append(cmds, []string{"SADD", "iset", "1", "-5", "70000"}, []string{"SADD", "hset", "a", "b", "3"})
	cmds = append(cmds, []string{"ZADD", "zlp", "1.5", "a", "-inf", "b"}, []string{"HSET", "hlp", "f", "1", "g", "x"})
	zbig, hbig := []string{"ZADD", "zsl"}, []string{"HSET", "hht"}
	for i := 0; i < 300; i++ {
		zbig = append(zbig, strconv.Itoa(i%7), "m"+strconv.Itoa(i))
		hbig = append(hbig, "f"+strconv.Itoa(i), strconv.Itoa(i))
	}
	cmds = append(cmds, zbig, append(hbig, "long", strings.Repeat("L", 100)))
	for _, c := range cmds {
		h.do(c...)
	}
	for _, key := range []string{"str", "int", "list", "iset", "hset", "zlp", "hlp", "zsl", "hht"} {
		v := h.peek(0, key)
		p, err := dumpPayload(v)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if !verifyDumpPayload(p) {
			t.Fatalf("%s: payload footer does not verify", key)
		}
		back, err := restorePayload(p)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if back.Kind != v.Kind || back.Enc != v.Enc {
			t.Errorf("%s: restored as %s/%s, want %s/%s", key, back.Kind, back.Enc, v.Kind, v.Enc)
		}
		p2, _ := dumpPayload(back)
		if v.Enc != EncHashtable && !bytes.Equal(p, p2) {
			t.Errorf("%s: dump of the restored value differs", key)
		}
	}
}

func TestRDBDecodeErrors(t *testing.T) {
	tests := []struct {
		name, body string
	}{
		{"empty", ""},
		{"unknown type", "\x08"},
		{"module type", "\x06\x00"},
		{"empty set", "\x02\x00"},
		{"empty list", "\x12\x00"},
		{"bad container", "\x12\x01\x03\x00"},
		{"duplicate set member", "\x02\x02\x01a\x01a"},
		{"duplicate hash field", "\x04\x02\x01a\x01b\x01a\x01c"},
		{"nan zset score", "\x03\x01\x01a\xfd"},
		{"odd hash listpack", "\x10" + string(rdbAppendString(nil, oneEntryListpack("x")))},
		{"bad length byte", "\x00\x82"},
		{"stream", "\x13\x00"},
	}
	for _, tt := range tests {
		if _, err := rdbReadObject(&rdbReader{b: []byte(tt.body)}); err == nil {
			t.Errorf("%s: decoded without error", tt.name)
		}
	}
}

func oneEntryListpack(s string) []byte {
	lp := newListpack()
	lp.appendString([]byte(s))
	return lp.bytes()
}

func TestRDBOldEncodings(t *testing.T) {
	tests := []struct {
		name, body string
		kind       Kind
		enc        Encoding
	}{
		{"list ziplist", "\x0a" + string(rdbAppendString(nil, ziplistOf("a", "1"))), KindList, EncQuicklist},
		{"quicklist of ziplists", "\x0e\x01" + string(rdbAppendString(nil, ziplistOf("a", "b", "c"))), KindList, EncQuicklist},
		{"zset ziplist", "\x0c" + string(rdbAppendString(nil, ziplistOf("a", "1.5", "b", "2"))), KindZSet, EncListpack},
		{"hash ziplist", "\x0d" + string(rdbAppendString(nil, ziplistOf("f", "v"))), KindHash, EncListpack},
		{"hash ziplist with a long value", "\x0d" + string(rdbAppendString(nil, ziplistOf("f", strings.Repeat("v", 65)))), KindHash, EncListpack},
		{"plain list", "\x01\x02\x01a\x01b", KindList, EncQuicklist},
		{"text zset", "\x03\x01\x01a\x031.5", KindZSet, EncListpack},
	}
	for _, tt := range tests {
		v, err := rdbReadObject(&rdbReader{b: []byte(tt.body)})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if v.Kind != tt.kind || v.Enc != tt.enc {
			t.Errorf("%s: %s/%s, want %s/%s", tt.name, v.Kind, v.Enc, tt.kind, tt.enc)
		}
	}
}

// TestQuicklistCuts checks the size-only node walk MEMORY USAGE uses
// against the nodes DUMP builds.
func TestQuicklistCuts(t *testing.T) {
	l := newListValue()
	rng := rand.New(rand.NewPCG(3, 3))
	for i := 0; i < 5000; i++ {
		l.pushBack([]byte(strings.Repeat("x", rng.IntN(100)) + strconv.Itoa(rng.IntN(1<<20)-1<<19)))
	}
	nodes := quicklistNodes(l)
	i := 0
	quicklistCuts(l, func(count, size int) {
		if i >= len(nodes) || len(nodes[i]) != size {
			t.Fatalf("node %d: cut size %d, built %d bytes", i, size, len(nodes[min(i, len(nodes)-1)]))
		}
		i++
	})
	if i != len(nodes) || len(nodes) < 2 {
		t.Errorf("%d cuts for %d nodes", i, len(nodes))
	}
}
