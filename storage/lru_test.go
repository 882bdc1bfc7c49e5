package storage

import "testing"

// TestObjectIdleTime: reads and writes reset the idle time; EXISTS, TYPE,
// TTL and OBJECT look without touching, as Redis's LOOKUP_NOTOUCH.
func TestObjectIdleTime(t *testing.T) {
	h := newHarness(t, 2)
	h.do("SET", "k", "v")
	h.advance(5_000)
	h.run([]step{
		expect("OBJECT", "IDLETIME", "k", rInt(5)),
		expect("EXISTS", "k", rInt(1)),
		expect("TYPE", "k", "+string\r\n"),
		expect("TTL", "k", rInt(-1)),
		expect("OBJECT", "ENCODING", "k", rBulk("embstr")),
		expect("OBJECT", "IDLETIME", "k", rInt(5)),
		expect("GET", "k", rBulk("v")),
		expect("OBJECT", "IDLETIME", "k", rInt(0)),
		expect("OBJECT", "IDLETIME", "nokey", "$-1\r\n"),
	})
	h.advance(3_500)
	h.run([]step{
		expect("OBJECT", "IDLETIME", "k", rInt(3)),
		expect("TOUCH", "k", "nokey", rInt(1)),
		expect("OBJECT", "IDLETIME", "k", rInt(0)),
	})
	h.advance(2_000)
	h.do("APPEND", "k", "w")
	h.run([]step{expect("OBJECT", "IDLETIME", "k", rInt(0))})
}

// TestIdleTimeWraps: the 24-bit clock wraps after 2^24 seconds and the
// idle time stays meaningful across the wrap. It is Redis's formula,
// which comes out one tick short once the clock has wrapped.
func TestIdleTimeWraps(t *testing.T) {
	v := &Value{}
	start := int64(lruClockMax-10) * 1000
	v.setAccess(lruClock(start))
	for _, tt := range []struct{ after, want int64 }{{0, 0}, {10_000, 10_000}, {11_000, 10_000}, {20_000, 19_000}} {
		if got := v.idleMS(start + tt.after); got != tt.want {
			t.Errorf("idle %d ms after: got %d, want %d", tt.after, got, tt.want)
		}
	}
}

func TestObjectRefCountFreqHelp(t *testing.T) {
	h := newHarness(t, 1)
	h.do("SET", "small", "100")
	h.do("SET", "big", "10000")
	h.do("SET", "neg", "-1")
	h.do("SET", "str", "hello")
	h.do("RPUSH", "l", "x")
	h.run([]step{
		expect("OBJECT", "REFCOUNT", "small", rInt(2147483647)),
		expect("OBJECT", "REFCOUNT", "big", rInt(1)),
		expect("OBJECT", "REFCOUNT", "neg", rInt(1)),
		expect("OBJECT", "REFCOUNT", "str", rInt(1)),
		expect("OBJECT", "REFCOUNT", "l", rInt(1)),
		expect("OBJECT", "REFCOUNT", "nokey", "$-1\r\n"),
		expect("OBJECT", "FREQ", "nokey", "$-1\r\n"),
		expect("OBJECT", "FREQ", "l", rErr(ErrObjectFreqNoLFU)),
	})
	if got := h.do("OBJECT", "HELP"); got[:4] != "*15\r" {
		t.Errorf("OBJECT HELP = %q", got)
	}
}
