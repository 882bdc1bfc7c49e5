package storage

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// withEviction sets the eviction settings on h's engine, starting from
// Redis's defaults.
func withEviction(h *harness, policy Policy, maxMemory int64) {
	c := DefaultEvictionConfig
	c.Policy, c.MaxMemory = policy, maxMemory
	h.eng.SetEviction(c)
}

// evictTo lowers maxmemory to limit and evicts until the engine is under
// it (or can evict nothing more), returning the last verdict.
func evictTo(h *harness, policy Policy, limit int64) EvictResult {
	withEviction(h, policy, limit)
	for {
		if r := h.eng.Evict(); r != EvictRunning {
			return r
		}
	}
}

func TestEvictionPoolKeepsBestSorted(t *testing.T) {
	var p evictionPool
	for i, score := range []uint64{5, 1, 9, 3, 7} {
		p.insert(score, i, 0, []byte(fmt.Sprint("k", score)))
	}
	var got []uint64
	for i := 0; i < p.n; i++ {
		got = append(got, p.e[i].score)
	}
	if want := []uint64{1, 3, 5, 7, 9}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pool scores = %v, want %v", got, want)
	}
	// Fill past capacity: the worst (lowest) scores fall out, keys stay
	// attached to their scores.
	for s := uint64(100); s < 100+evictPoolSize; s++ {
		p.insert(s, 0, 0, []byte(fmt.Sprint("k", s)))
	}
	if p.n != evictPoolSize || p.e[0].score != 100 {
		t.Fatalf("full pool: n=%d lowest=%d, want %d and 100", p.n, p.e[0].score, evictPoolSize)
	}
	p.insert(1, 0, 0, []byte("worse"))
	if p.e[0].score != 100 {
		t.Fatalf("a candidate worse than a full pool's entries got in")
	}
	for p.n > 0 {
		e := p.pop()
		if want := fmt.Sprint("k", e.score); string(e.key) != want {
			t.Fatalf("entry scored %d holds key %q, want %q", e.score, e.key, want)
		}
	}
}

func TestEvictTimeLimit(t *testing.T) {
	tests := []struct {
		tenacity int
		want     string
	}{{0, "0s"}, {1, "50µs"}, {10, "500µs"}, {11, "575µs"}, {100, "2562047h47m16.854775807s"}}
	for _, tt := range tests {
		if got := evictTimeLimit(tt.tenacity).String(); got != tt.want {
			t.Errorf("evictTimeLimit(%d) = %s, want %s", tt.tenacity, got, tt.want)
		}
	}
}

// TestEvictLRUKeepsRecentlyRead is Redis's LRU test in spirit: of keys
// written at once, those read again since survive an eviction of half the
// data set far more often than those never read.
func TestEvictLRUKeepsRecentlyRead(t *testing.T) {
	h := newHarness(t, 8)
	const n = 4000
	for i := range n {
		h.do("SET", fmt.Sprint("key:", i), "value")
	}
	h.advance(60_000)
	for i := range n / 10 { // the first tenth is read again, a minute later
		h.do("GET", fmt.Sprint("key:", i))
	}
	h.advance(60_000)
	if r := evictTo(h, PolicyAllKeysLRU, h.eng.UsedMemory()/2); r != EvictOK {
		t.Fatalf("Evict = %d, want EvictOK", r)
	}
	hot, cold := survivors(h, 0, n/10), survivors(h, n/10, n)
	hotShare, coldShare := float64(hot)/float64(n/10), float64(cold)/float64(n-n/10)
	t.Logf("survived: read keys %.1f%%, unread keys %.1f%%", 100*hotShare, 100*coldShare)
	if hotShare < 0.95 || coldShare > 0.5 {
		t.Fatalf("read keys survived %.2f, unread %.2f: want >= 0.95 and <= 0.5", hotShare, coldShare)
	}
	if got := h.eng.EvictedKeys(); got != int64(n-hot-cold) {
		t.Fatalf("evicted_keys = %d, want %d", got, n-hot-cold)
	}
}

func survivors(h *harness, from, to int) int {
	n := 0
	for i := from; i < to; i++ {
		if h.peek(0, fmt.Sprint("key:", i)) != nil {
			n++
		}
	}
	return n
}

// TestEvictLFUKeepsFrequentlyRead: under allkeys-lfu, keys read many times
// survive, however recently the rarely read keys were touched.
func TestEvictLFUKeepsFrequentlyRead(t *testing.T) {
	h := newHarness(t, 8)
	withEviction(h, PolicyAllKeysLFU, 0)
	const n = 4000
	for i := range n {
		h.do("SET", fmt.Sprint("key:", i), "value")
	}
	// 200 reads lift a counter to about 11 (the increments are random,
	// 1/((c-5)*10+1) each); one read lifts it to 6 exactly.
	for range 200 {
		for i := range n / 10 {
			h.do("GET", fmt.Sprint("key:", i))
		}
	}
	for i := n / 10; i < n; i++ { // the rest read once, and last
		h.do("GET", fmt.Sprint("key:", i))
	}
	if r := evictTo(h, PolicyAllKeysLFU, h.eng.UsedMemory()/2); r != EvictOK {
		t.Fatalf("Evict = %d, want EvictOK", r)
	}
	hot := survivors(h, 0, n/10)
	if share := float64(hot) / float64(n/10); share < 0.95 {
		t.Fatalf("frequently read keys survived %.2f, want >= 0.95", share)
	}
}

// TestEvictVolatileTTL evicts the nearest deadlines first and never a
// persistent key.
func TestEvictVolatileTTL(t *testing.T) {
	h := newHarness(t, 8)
	const n = 2000
	for i := range n {
		h.do("SET", fmt.Sprint("key:", i), "value", "EX", fmt.Sprint(1000+i))
		h.do("SET", fmt.Sprint("keep:", i), "value")
	}
	volatileBytes := h.eng.UsedMemory() / 2
	if r := evictTo(h, PolicyVolatileTTL, h.eng.UsedMemory()-volatileBytes/2); r != EvictOK {
		t.Fatalf("Evict = %d, want EvictOK", r)
	}
	for i := range n {
		if h.peek(0, fmt.Sprint("keep:", i)) == nil {
			t.Fatalf("volatile-ttl evicted the persistent key keep:%d", i)
		}
	}
	early, late := survivors(h, 0, n/4), survivors(h, 3*n/4, n)
	if early > n/4/5 || late < n/4*9/10 {
		t.Fatalf("survivors: nearest-deadline quarter %d, farthest quarter %d (of %d): want few and most", early, late, n/4)
	}
	// With only persistent keys left, volatile-ttl can evict nothing.
	h.do("FLUSHALL")
	h.do("SET", "p", "v")
	if r := evictTo(h, PolicyVolatileTTL, 1); r != EvictFail {
		t.Fatalf("Evict with no volatile keys = %d, want EvictFail", r)
	}
	if h.peek(0, "p") == nil {
		t.Fatal("persistent key evicted")
	}
}

func TestEvictPolicies(t *testing.T) {
	for _, p := range []Policy{PolicyAllKeysLRU, PolicyVolatileLRU, PolicyAllKeysLFU, PolicyVolatileLFU,
		PolicyAllKeysRandom, PolicyVolatileRandom, PolicyVolatileTTL, PolicyNoEviction} {
		t.Run(p.String(), func(t *testing.T) {
			h := newHarness(t, 4)
			for i := range 500 {
				h.do("SET", fmt.Sprint("vol:", i), "value", "PX", "100000")
				h.do("SET", fmt.Sprint("per:", i), "value")
			}
			h.db = 3
			for i := range 500 {
				h.do("SET", fmt.Sprint("db3:", i), "value")
			}
			h.db = 0
			before := h.eng.UsedMemory()
			r := evictTo(h, p, before*3/4)
			if p == PolicyNoEviction {
				if r != EvictFail || h.eng.UsedMemory() != before {
					t.Fatalf("noeviction: Evict = %d, used %d -> %d; want EvictFail and nothing freed", r, before, h.eng.UsedMemory())
				}
				return
			}
			if r != EvictOK || h.eng.UsedMemory() > before*3/4 {
				t.Fatalf("Evict = %d with used %d (limit %d), want EvictOK under the limit", r, h.eng.UsedMemory(), before*3/4)
			}
			if p.volatile() {
				for i := range 500 {
					if h.peek(0, fmt.Sprint("per:", i)) == nil {
						t.Fatalf("%s evicted a persistent key", p)
					}
				}
			}
			// Evicting everything the policy allows: an allkeys policy
			// empties the data set (the limit is then met), a volatile one
			// fails with the persistent keys left.
			r = evictTo(h, p, 1)
			left := h.eng.UsedMemory()
			if p.volatile() && (r != EvictFail || left == 0) || !p.volatile() && (r != EvictOK || left != 0) {
				t.Fatalf("Evict to 1 byte = %d leaving %d bytes charged", r, left)
			}
		})
	}
}

func TestParsePolicy(t *testing.T) {
	for i, name := range policyNames {
		if got, err := ParsePolicy(name); err != nil || got != Policy(i) {
			t.Errorf("ParsePolicy(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := ParsePolicy("lru"); err == nil {
		t.Error("ParsePolicy(lru) did not fail")
	}
}

// TestObjectFreqAndIdleTime: OBJECT FREQ and IDLETIME answer under their
// kind of policy, with Redis's counter arithmetic and errors.
func TestObjectFreqAndIdleTime(t *testing.T) {
	h := newHarness(t, 2)
	h.do("SET", "k", "v")
	h.run([]step{
		expect("OBJECT", "FREQ", "k", rErr(ErrObjectFreqNoLFU)),
		expect("OBJECT", "IDLETIME", "k", rInt(0)),
	})
	withEviction(h, PolicyAllKeysLFU, 0)
	h.do("SET", "f", "v")
	h.run([]step{
		expect("OBJECT", "FREQ", "f", rInt(lfuInitVal)),
		expect("OBJECT", "FREQ", "f", rInt(lfuInitVal)), // OBJECT does not count as an access
		expect("GET", "f", rBulk("v")),
		// At the initial value the first access always counts.
		expect("OBJECT", "FREQ", "f", rInt(lfuInitVal+1)),
		expect("OBJECT", "IDLETIME", "f", rErr(ErrObjectIdleLFU)),
		expect("OBJECT", "FREQ", "missing", "$-1\r\n"),
	})
	// An overwrite keeps the counter (dbSetValue); SET's own lookup may
	// count one more access, with probability 1/11 at 6.
	h.do("SET", "f", "w")
	freq := h.do("OBJECT", "FREQ", "f")
	if freq != rInt(lfuInitVal+1) && freq != rInt(lfuInitVal+2) {
		t.Fatalf("OBJECT FREQ after an overwrite = %q, want 6 or 7", freq)
	}
	h.advance(4 * 60_000) // four lfu-decay-time periods
	want := rInt(lfuInitVal + 1 - 4)
	if freq == rInt(lfuInitVal+2) {
		want = rInt(lfuInitVal + 2 - 4)
	}
	h.run([]step{expect("OBJECT", "FREQ", "f", want)})
	h.advance(60 * 60_000)
	h.run([]step{expect("OBJECT", "FREQ", "f", rInt(0))})
	// RESTORE ... FREQ sets the counter under LFU; IDLETIME is ignored.
	raw := h.do("DUMP", "f")
	payload := raw[strings.Index(raw, "\r\n")+2 : len(raw)-2]
	h.run([]step{
		expect("RESTORE", "g", "0", payload, "FREQ", "100", "+OK\r\n"),
		expect("OBJECT", "FREQ", "g", rInt(100)),
		expect("RESTORE", "i", "0", payload, "IDLETIME", "100", "+OK\r\n"),
		expect("OBJECT", "FREQ", "i", rInt(lfuInitVal)),
	})
}

func TestLFULogIncr(t *testing.T) {
	// With the default factor, 255 takes about a million accesses; 1000
	// accesses reach roughly 18 (Redis's documented table: 100 hits -> 10,
	// 1000 -> 18 with factor 10).
	c := uint32(lfuInitVal)
	for range 1000 {
		c = lfuLogIncr(c, 10)
	}
	if c < 14 || c > 24 {
		t.Fatalf("counter after 1000 increments = %d, want about 18", c)
	}
	if got := lfuLogIncr(lfuCounterMax, 10); got != lfuCounterMax {
		t.Fatalf("saturated counter moved to %d", got)
	}
	// Decay: one off per period, never below zero, none with decay 0.
	field := lfuMinutes(0)<<8 | 10
	tests := []struct {
		nowMS, decay int64
		want         uint32
	}{{0, 1, 10}, {3 * 60_000, 1, 7}, {3 * 60_000, 2, 9}, {30 * 60_000, 1, 0}, {30 * 60_000, 0, 10}}
	for _, tt := range tests {
		if got := lfuDecayed(field, tt.nowMS, tt.decay); got != tt.want {
			t.Errorf("lfuDecayed(now=%d, decay=%d) = %d, want %d", tt.nowMS, tt.decay, got, tt.want)
		}
	}
}

// TestUsedMemoryTracksHeap: used_memory follows the Go heap that the data
// really takes, within 10%, for strings and compact collections.
func TestUsedMemoryTracksHeap(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory skews heap figures")
	}
	cases := []struct {
		name string
		fill func(h *harness, i int)
	}{
		{"string 100B", func(h *harness, i int) {
			h.do("SET", fmt.Sprint("key:", i), fmt.Sprintf("%0100d", i))
		}},
		{"hash 10 fields", func(h *harness, i int) {
			for f := range 10 {
				h.do("HSET", fmt.Sprint("h:", i), fmt.Sprint("field", f), fmt.Sprint("value", f))
			}
		}},
		{"set of integers", func(h *harness, i int) {
			for f := range 10 {
				h.do("SADD", fmt.Sprint("s:", i), fmt.Sprint(f*1000+i))
			}
		}},
		// Large collections: 10 keys of 50,000 elements each.
		{"hash hashtable", func(h *harness, i int) {
			h.do("HSET", fmt.Sprint("h:", i%10), fmt.Sprint("field:", i), fmt.Sprint("value:", i))
		}},
		{"set hashtable", func(h *harness, i int) {
			h.do("SADD", fmt.Sprint("s:", i%10), fmt.Sprint("member:", i))
		}},
		{"zset skiplist", func(h *harness, i int) {
			h.do("ZADD", fmt.Sprint("z:", i%10), fmt.Sprint(i*7919%50000), fmt.Sprint("member:", i)) // scores out of order, as most ZADDs
		}},
		{"list quicklist", func(h *harness, i int) {
			h.do("RPUSH", fmt.Sprint("l:", i%10), fmt.Sprint("element:", i))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 8)
			heap := func() int64 {
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				return int64(m.HeapAlloc)
			}
			before := heap()
			for i := range 50_000 {
				tc.fill(h, i)
			}
			grown, used := heap()-before, h.eng.UsedMemory()
			ratio := float64(used) / float64(grown)
			t.Logf("heap grew %d bytes, used_memory %d: ratio %.3f", grown, used, ratio)
			if ratio < 0.9 || ratio > 1.1 {
				t.Fatalf("used_memory/heap = %.3f, want within 10%%", ratio)
			}
			runtime.KeepAlive(h)
		})
	}
}

// TestUsedTotalStaysWithinSlack: the engine-wide total the maxmemory
// check reads first never strays from the exact sum by more than its
// slack, under concurrent writers on every instance.
func TestUsedTotalStaysWithinSlack(t *testing.T) {
	h := newHarness(t, 8)
	var wg sync.WaitGroup
	for w := range 4 {
		c := h.fork()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3000 {
				k := fmt.Sprint("w", w, ":", i%500)
				if i%3 == 2 {
					c.do("DEL", k)
				} else {
					c.do("APPEND", k, "0123456789")
				}
			}
		}()
	}
	wg.Wait()
	exact, total := h.eng.UsedMemory(), h.eng.usedTotal.Load()
	if d := exact - total; d < 0 || d > int64(len(h.eng.insts))*usedGranule {
		t.Fatalf("published total %d, exact %d: off by %d, slack is %d", total, exact, d, int64(len(h.eng.insts))*usedGranule)
	}
}
