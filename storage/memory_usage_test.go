package storage

import (
	"strconv"
	"strings"
	"testing"
)

func TestJemallocSize(t *testing.T) {
	tests := []struct{ n, want int64 }{
		{1, 8}, {8, 8}, {9, 16}, {17, 32}, {33, 48}, {128, 128}, {129, 160}, {160, 160}, {161, 192},
		{257, 320}, {513, 640}, {1025, 1280}, {4097, 5120}, {8193, 10240}, {14337, 16384}, {16385, 20480},
	}
	for _, tt := range tests {
		if got := jemallocSize(tt.n); got != tt.want {
			t.Errorf("jemallocSize(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

func TestSdsAllocSize(t *testing.T) {
	tests := []struct {
		n    int
		want int64
	}{
		{0, 8},       // sdshdr8 for the empty string: 3+0+1
		{1, 8},       // sdshdr5: 1+1+1
		{31, 48},     // 1+31+1 = 33
		{32, 48},     // sdshdr8: 3+32+1 = 36
		{255, 320},   // 3+255+1
		{256, 320},   // sdshdr16: 5+256+1
		{1000, 1024}, // 5+1000+1
	}
	for _, tt := range tests {
		if got := sdsAllocSize(tt.n); got != tt.want {
			t.Errorf("sdsAllocSize(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

// TestMemoryUsage pins numbers redis-server 7.0.15 (jemalloc 5.3)
// reports for the same commands.
func TestMemoryUsage(t *testing.T) {
	h := newHarness(t, 4)
	tests := []struct {
		build []string
		key   string
		want  int64
	}{
		{[]string{"SET", "k", "v"}, "k", 64},
		{[]string{"SET", "k", "123"}, "k", 48},
		{[]string{"SET", "k", strings.Repeat("x", 50)}, "k", 112},
		{[]string{"RPUSH", "l", "a"}, "l", 144},
		{[]string{"HSET", "h", "f", "v"}, "h", 64},
		{[]string{"SADD", "s", "1", "2", "3"}, "s", 64},
		{[]string{"ZADD", "z", "1", "a"}, "z", 64},
	}
	for _, tt := range tests {
		h.do(tt.build...)
		if got := h.do("MEMORY", "USAGE", tt.key); got != rInt(tt.want) {
			t.Errorf("%q: MEMORY USAGE = %q, want %d", tt.build, got, tt.want)
		}
		h.do("DEL", tt.key)
	}
}

func TestMemoryUsageCommand(t *testing.T) {
	h := newHarness(t, 4)
	h.do("SET", "k", "v")
	big := []string{"SADD", "big"}
	for i := 0; i < 600; i++ {
		big = append(big, "m"+strconv.Itoa(i))
	}
	h.do(big...)
	h.run([]step{
		expect("MEMORY", "USAGE", "nokey", rNil),
		expect("MEMORY", "USAGE", "k", "SAMPLES", rErr(ErrSyntax)),
		expect("MEMORY", "USAGE", "k", "SAMPLES", "-1", rErr(ErrSyntax)),
		expect("MEMORY", "USAGE", "k", "SAMPLES", "x", rErr(ErrNotInteger)),
		expect("MEMORY", "USAGE", "k", "bogus", rErr(ErrSyntax)),
		expect("MEMORY", "USAGE", "k", "samples", "0", rInt(64)),
	})
	if got := h.do3("MEMORY", "USAGE", "nokey"); got != rNil3 {
		t.Errorf("RESP3 MEMORY USAGE of a missing key = %q", got)
	}
	// Sampling every member and sampling five agree here: same-size members.
	all, five := h.do("MEMORY", "USAGE", "big", "SAMPLES", "0"), h.do("MEMORY", "USAGE", "big")
	if all[0] != ':' || five[0] != ':' {
		t.Fatalf("MEMORY USAGE of a hashtable set: %q, %q", all, five)
	}
	if help := h.do("MEMORY", "HELP"); !strings.HasPrefix(help, "*14\r\n+MEMORY <subcommand>") {
		t.Errorf("MEMORY HELP = %.60q", help)
	}
}
