package router

import (
	"math/rand"
	"strconv"
	"testing"
)

func TestCRC16(t *testing.T) {
	tests := []struct {
		in   string
		want uint16
	}{
		{"", 0},
		{"123456789", 0x31C3}, // the CRC16/XMODEM check value
		{"foo", 0xAF96},
	}
	for _, tt := range tests {
		if got := CRC16([]byte(tt.in)); got != tt.want {
			t.Errorf("CRC16(%q) = %#04x, want %#04x", tt.in, got, tt.want)
		}
	}
}

// crc16Bitwise is the CRC computed bit by bit from its definition, the
// reference the sliced tables are checked against.
func crc16Bitwise(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// FuzzCRC16 checks slicing by 8 against the bitwise definition, at every
// length around the 8-byte stride.
func FuzzCRC16(f *testing.F) {
	for _, s := range []string{"", "a", "1234567", "12345678", "123456789", "key:000000012345", "{user}:profile:9"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := CRC16(b), crc16Bitwise(b); got != want {
			t.Fatalf("CRC16(%q) = %#04x, want %#04x", b, got, want)
		}
	})
}

// slotCases are keys and their Redis Cluster slots (CLUSTER KEYSLOT).
var slotCases = []struct {
	key  string
	want int
}{
	{"foo", 12182},
	{"bar", 5061},
	{"hello", 866},
	{"", 0},
	{"user1000", 3443},
	{"{user1000}.following", 3443},
	{"{user1000}.followers", 3443},
	{"foo{}{bar}", 8363},    // empty tag: the whole key
	{"foo{{bar}}zap", 4015}, // the tag is "{bar"
	{"{bar", 4015},
	{"{}", 15257},
	{"{", 4092},
	{"}{", 12793}, // no '}' after the '{'
	{"a{b}{c}", 3300},
	{"b", 3300}, // the first tag wins
	{"{a}", 15495},
	{"a", 15495},
}

func TestSlot(t *testing.T) {
	for _, tt := range slotCases {
		if got := Slot([]byte(tt.key)); got != tt.want {
			t.Errorf("Slot(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
}

func TestHashTag(t *testing.T) {
	tests := []struct{ key, want string }{
		{"foo", "foo"},
		{"{user1000}.following", "user1000"},
		{"foo{}{bar}", "foo{}{bar}"},
		{"foo{{bar}}zap", "{bar"},
		{"{}", "{}"},
		{"{", "{"},
		{"}{", "}{"},
		{"a{b}{c}", "b"},
		{"x{y", "x{y"},
	}
	for _, tt := range tests {
		if got := string(HashTag([]byte(tt.key))); got != tt.want {
			t.Errorf("HashTag(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

// TestSlotMatchesRedisCluster asks a cluster-enabled redis-server for the
// slots of the cases above and of random keys rich in braces.
func TestSlotMatchesRedisCluster(t *testing.T) {
	requireRedisServer(t)
	srv, err := startRedis("--cluster-enabled", "yes")
	if err != nil {
		t.Fatalf("start cluster-enabled redis-server: %v", err)
	}
	t.Cleanup(srv.stop)
	conn := srv.dial(t, 2)

	keys := make([]string, 0, len(slotCases)+2000)
	for _, tt := range slotCases {
		keys = append(keys, tt.key)
	}
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte("{}{}ab\x00\xff")
	for i := 0; i < 2000; i++ {
		k := make([]byte, rng.Intn(12))
		for j := range k {
			k[j] = alphabet[rng.Intn(len(alphabet))]
		}
		keys = append(keys, string(k))
	}
	for _, k := range keys {
		if err := conn.send("CLUSTER", "KEYSLOT", k); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range keys {
		raw, err := readReply(conn.rd)
		if err != nil {
			t.Fatalf("CLUSTER KEYSLOT %q: %v", k, err)
		}
		want, err := strconv.Atoi(string(raw[1 : len(raw)-2]))
		if raw[0] != ':' || err != nil {
			t.Fatalf("CLUSTER KEYSLOT %q = %q", k, raw)
		}
		if got := Slot([]byte(k)); got != want {
			t.Errorf("Slot(%q) = %d, CLUSTER KEYSLOT says %d", k, got, want)
		}
	}
}

func BenchmarkSlot(b *testing.B) {
	key := []byte("{user1000}.following")
	b.ReportAllocs()
	for b.Loop() {
		Slot(key)
	}
}
