package storage

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/shardis/shardis/router"
)

// TestValueSize pins the Value at 48 bytes, a Go size class: one byte
// more and every key costs 16 more.
func TestValueSize(t *testing.T) {
	if got := unsafe.Sizeof(Value{}); got != 48 {
		t.Fatalf("unsafe.Sizeof(Value{}) = %d, want 48", got)
	}
}

func TestValueMetaPacking(t *testing.T) {
	var v Value
	v.setAcct(12345)
	v.setAccess(lruClockMax)
	if v.acct() != 12345 || v.access() != lruClockMax {
		t.Fatalf("acct %d access %d", v.acct(), v.access())
	}
	v.setAccess(7)
	v.setAcct(acctMax + 10) // clamps, leaves the clock alone
	if v.acct() != acctMax || v.access() != 7 {
		t.Fatalf("acct %d access %d", v.acct(), v.access())
	}
	v.setAcct(0)
	if v.acct() != 0 || v.access() != 7 {
		t.Fatalf("acct %d access %d", v.acct(), v.access())
	}
}

// checkExpireIndex is the brute-force check of the volatile-key index:
// every database of every instance is scanned, and the set of keys with a
// deadline must be exactly the index, each entry at the position its
// Value records, with the per-slot and per-database counts matching. It
// reports false after an error. Every differential session runs it at
// its end (newDiffSession), so each family's commands are checked.
func checkExpireIndex(t testing.TB, e *Engine) bool {
	t.Helper()
	ok := true
	e.Locked(func() {
		for _, in := range e.insts {
			var withDeadlines int32
			for dbi := range in.dbs {
				if err := indexError(&in.dbs[dbi]); err != nil {
					t.Errorf("expiry index: instance %d db %d: %v", in.id, dbi, err)
					ok = false
					return
				}
				if in.dbs[dbi].vol.len() > 0 {
					withDeadlines++
				}
			}
			if got := in.volDBs.Load(); got != withDeadlines {
				t.Errorf("instance %d: volDBs = %d, want %d", in.id, got, withDeadlines)
				ok = false
				return
			}
		}
	})
	return ok
}

// keyIndexError checks one stored key against its slot and the volatile
// index, and reports whether it has a deadline.
func keyIndexError(db *DB, slot int, k string, v *Value) (bool, error) {
	if router.Slot([]byte(k)) != slot {
		return false, fmt.Errorf("key %q stored in slot %d", k, slot)
	}
	if v.expireAt == 0 {
		if v.vidx != 0 {
			return false, fmt.Errorf("persistent key %q has index %d", k, v.vidx)
		}
		return false, nil
	}
	i := int(v.vidx) - 1
	if i < 0 || i >= db.vol.len() {
		return true, fmt.Errorf("volatile key %q has index %d of %d", k, v.vidx, db.vol.len())
	}
	if ent := db.vol.at(i); ent.v != v || ent.key != k {
		return true, fmt.Errorf("volatile key %q: entry %d holds %q", k, i, ent.key)
	}
	return true, nil
}

func indexError(db *DB) error {
	var keys, volatile int64
	for slot := 0; slot < router.SlotCount; slot++ {
		if db.dir[slot/slotChunkLen] == nil {
			slot += slotChunkLen - 1
			continue
		}
		s := db.slot(slot)
		if s == nil {
			continue
		}
		n := 0
		var err error
		s.keys.each(func(k string, v *Value) bool {
			keys++
			var isVolatile bool
			isVolatile, err = keyIndexError(db, slot, k, v)
			if isVolatile {
				n++
				volatile++
			}
			return err == nil
		})
		if err != nil {
			return err
		}
		if n != int(s.expires) {
			return fmt.Errorf("slot %d counts %d volatile keys, has %d", slot, s.expires, n)
		}
	}
	if keys != db.keys {
		return fmt.Errorf("counts %d keys, has %d", db.keys, keys)
	}
	if volatile != int64(db.vol.len()) {
		return fmt.Errorf("index holds %d entries, %d keys have a deadline", db.vol.len(), volatile)
	}
	if used := (db.vol.len() + volPageLen - 1) / volPageLen; len(db.vol.pages) > used+1 {
		return fmt.Errorf("index keeps %d pages for %d entries", len(db.vol.pages), db.vol.len())
	}
	for i := range db.vol.len() {
		ent := db.vol.at(i)
		if ent.v.vidx != uint32(i+1) {
			return fmt.Errorf("entry %d (%q) records index %d", i, ent.key, ent.v.vidx)
		}
		if db.get(router.Slot([]byte(ent.key)), []byte(ent.key)) != ent.v {
			return fmt.Errorf("entry %d (%q) is not the stored value", i, ent.key)
		}
	}
	return nil
}

// keyDump is DUMP's payload of a string, so the random test can RESTORE.
func keyDump(h *harness, key string) string {
	r := h.do("dump", key)
	if !strings.HasPrefix(r, "$") || r == rNil {
		return ""
	}
	i := strings.Index(r, "\r\n")
	return r[i+2 : len(r)-2]
}

// TestExpireIndexRandomized drives every command that stores, removes,
// renames, moves, copies or re-times keys in a random order, across two
// databases and instances, with the clock moving and the active cycle
// running in between, and checks the index against a full scan after
// every step.
func TestExpireIndexRandomized(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			h := newHarness(t, 4)
			rng := rand.New(rand.NewPCG(seed, 99))
			key := func() string { return "k" + itoa(rng.IntN(24)) }
			ttl := func() string { return itoa(1 + rng.IntN(400)) }
			for step := 0; step < 3000; step++ {
				var args []string
				op := rng.IntN(28 + len(familyOps))
				if op >= 28 {
					f := familyOps[op-28]
					if !h.implements(f[0]) {
						continue
					}
					args = make([]string, len(f))
					for i, a := range f {
						switch a {
						case "K":
							a = key()
						case "T":
							a = ttl()
						}
						args[i] = a
					}
					h.do(args...)
					if !checkExpireIndex(t, h.eng) {
						t.Fatalf("after step %d: %q", step, args)
					}
					continue
				}
				switch op {
				case 0:
					args = []string{"set", key(), "v"}
				case 1:
					args = []string{"set", key(), "v", "px", ttl()}
				case 2:
					args = []string{"set", key(), "vv", "keepttl"}
				case 3:
					args = []string{"set", key(), "w", "px", ttl(), []string{"nx", "xx", "get"}[rng.IntN(3)]}
				case 4:
					args = []string{"pexpire", key(), ttl()}
				case 5:
					args = []string{"pexpire", key(), ttl(), []string{"nx", "xx", "gt", "lt"}[rng.IntN(4)]}
				case 6:
					args = []string{"pexpireat", key(), itoa64(h.now - 5)}
				case 7:
					args = []string{"persist", key()}
				case 8:
					args = []string{"del", key(), key()}
				case 9:
					args = []string{"rename", key(), key()}
				case 10:
					args = []string{"renamenx", key(), key()}
				case 11:
					args = []string{"copy", key(), key(), "replace"}
				case 12:
					args = []string{"copy", key(), key(), "db", itoa(rng.IntN(2)), "replace"}
				case 13:
					args = []string{"move", key(), itoa(1 - h.db)}
				case 14:
					k := key()
					if p := keyDump(h, k); p != "" {
						args = []string{"restore", key(), ttl(), p, "replace"}
					} else {
						args = []string{"get", k}
					}
				case 15:
					k := key()
					if p := keyDump(h, k); p != "" {
						args = []string{"restore", key(), itoa64(h.now + int64(rng.IntN(400)) - 100), p, "replace", "absttl"}
					} else {
						args = []string{"get", k}
					}
				case 16:
					args = []string{"getex", key(), []string{"persist", "px"}[rng.IntN(2)]}
					if args[2] == "px" {
						args = append(args, ttl())
					}
				case 17:
					args = []string{"getdel", key()}
				case 18:
					args = []string{"incrbyfloat", key(), "1.5"}
				case 19:
					args = []string{"append", key(), "x"}
				case 20:
					args = []string{"setrange", key(), "3", "zz"}
				case 21:
					args = []string{"sadd", key(), "m" + itoa(rng.IntN(3))}
				case 22:
					args = []string{"hset", key(), "f", "v"}
				case 23:
					args = []string{"lpush", key(), "e"}
				case 24:
					args = []string{"psetex", key(), ttl(), "v"}
				case 25:
					h.advance(int64(rng.IntN(60)))
					args = []string{"get", key()}
				case 26:
					h.eng.activeExpireCycle(time.Second)
					args = []string{"exists", key()}
				case 27:
					if rng.IntN(40) == 0 {
						args = []string{"flushdb"}
					} else {
						h.db = rng.IntN(2)
						args = []string{"mset", key(), "a", key(), "b"}
					}
				}
				h.do(args...)
				if !checkExpireIndex(t, h.eng) {
					t.Fatalf("after step %d: %q", step, args)
				}
			}
		})
	}
}

// familyOps are commands of the other families that create, empty (and
// so delete), overwrite or move keys; "K" is a random key, "T" a TTL.
var familyOps = [][]string{
	{"sunionstore", "K", "K", "K"}, {"sinterstore", "K", "K", "K"}, {"smove", "K", "K", "m1"}, {"spop", "K"}, {"srem", "K", "m0", "m1", "m2"},
	{"zadd", "K", "1", "a"}, {"zunionstore", "K", "2", "K", "K"}, {"zpopmin", "K", "2"}, {"zrangestore", "K", "K", "0", "-1"},
	{"rpush", "K", "a", "b"}, {"lmove", "K", "K", "left", "right"}, {"lpop", "K", "3"}, {"rpoplpush", "K", "K"},
	{"hdel", "K", "f"}, {"hincrby", "K", "n", "1"}, {"sort", "K", "alpha", "store", "K"},
	{"setbit", "K", "7", "1"}, {"bitop", "or", "K", "K", "K"}, {"pfadd", "K", "x"}, {"pfmerge", "K", "K"},
	{"geoadd", "K", "13.36", "38.11", "p"}, {"geosearchstore", "K", "K", "fromlonlat", "13", "38", "byradius", "500", "km"},
	{"xadd", "K", "*", "f", "v"}, {"xtrim", "K", "maxlen", "0"}, {"xdel", "K", "0-1"},
	{"pexpire", "K", "T"}, {"set", "K", "v", "px", "T"},
}

// implements reports whether the engine has a handler for the command
// (families still being written are skipped).
func (h *harness) implements(name string) bool {
	cmd := router.Lookup([]byte(name))
	if cmd == nil {
		return false
	}
	handler, _ := h.eng.Handler(cmd)
	return handler != nil
}

// TestExpireIndexSetBack covers paths that store a value already stored:
// SET over itself with KEEPTTL, RENAME to itself and a Put of the value
// a key already holds.
func TestExpireIndexSetBack(t *testing.T) {
	h := newHarness(t, 2)
	h.run([]step{
		expect("set", "a", "1", "px", "1000", rOK),
		expect("set", "a", "2", "keepttl", rOK),
		expect("rename", "a", "a", rOK),
		expect("pttl", "a", rInt(1000)),
	})
	v := h.peek(0, "a")
	h.put("a", v)
	checkExpireIndex(t, h.eng)
	h.run([]step{
		expect("pttl", "a", rInt(1000)),
		expect("persist", "a", rOne),
		expect("pexpire", "a", "5", rOne),
	})
	checkExpireIndex(t, h.eng)
	h.advance(6)
	h.eng.activeExpireCycle(time.Second)
	checkExpireIndex(t, h.eng)
	if got := h.do("dbsize"); got != rZero {
		t.Fatalf("dbsize = %q after the cycle", got)
	}
}

// expiredTotal sums expired_keys over the instances.
func expiredTotal(e *Engine) int64 {
	var n int64
	for _, in := range e.insts {
		n += in.Stats().ExpiredKeys
	}
	return n
}

// TestActiveExpireReclaims: 10,000 keys set with PX deadlines are
// reclaimed by the cycle alone, without a read: DBSIZE counts them (as
// Redis's does) until the cycle runs, expired_keys counts every one, the
// memory they were charged is given back and OnExpire hears of each.
// TestActiveExpireSkipsIdleInstances checks that a cycle takes no lock
// of an instance holding no deadline (an idle engine's 64 instances of 16
// databases cost 10,240 lock holds a second before), and still reaches
// the one that has one.
func TestActiveExpireSkipsIdleInstances(t *testing.T) {
	h := newHarness(t, 64)
	for i := range 1000 {
		h.do("set", "k"+itoa(i), "v")
	}
	if run := h.eng.activeExpireCycle(time.Second); run.holds != 0 {
		t.Fatalf("cycle over keys without deadlines took %d lock holds, want 0", run.holds)
	}
	h.db = 5
	h.do("set", "k1", "v", "px", "10")
	h.advance(11)
	run := h.eng.activeExpireCycle(time.Second)
	// Only the databases of the instance holding the key are visited.
	if run.holds < 1 || run.holds > 16 || run.expired != 1 {
		t.Fatalf("cycle with one deadline: %d holds, %d expired, want 1 to 16 and 1", run.holds, run.expired)
	}
	if got := h.do("dbsize"); got != rZero {
		t.Fatalf("db 5 dbsize = %q after the cycle", got)
	}
}

func TestActiveExpireReclaims(t *testing.T) {
	h := newHarness(t, 4)
	var mu sync.Mutex
	heard := map[string]int{}
	h.eng.onExpire = func(instance, db int, key []byte) {
		mu.Lock()
		heard[fmt.Sprintf("%d/%d/%s", instance, db, key)]++
		mu.Unlock()
	}
	for i := range 100 {
		h.do("set", "keep"+itoa(i), "v")
	}
	base := h.eng.UsedMemory()
	const n = 10000
	for i := range n {
		h.do("set", "k"+itoa(i), strings.Repeat("x", i%50), "px", itoa(1+i%5000))
	}
	h.advance(5001)
	if got := h.do("dbsize"); got != rInt(n+100) {
		t.Fatalf("dbsize before the cycle = %q, want %d (expired keys count until reclaimed)", got, n+100)
	}
	runs := 0
	for ; runs < 100 && h.do("dbsize") != rInt(100); runs++ {
		h.eng.activeExpireCycle(25 * time.Millisecond)
	}
	if got := h.do("dbsize"); got != rInt(100) {
		t.Fatalf("dbsize after %d runs = %q, want 100", runs, got)
	}
	t.Logf("reclaimed %d keys in %d runs", n, runs)
	if got := expiredTotal(h.eng); got != n {
		t.Errorf("expired_keys = %d, want %d", got, n)
	}
	if got := h.eng.UsedMemory(); got != base {
		t.Errorf("used memory %d, was %d before the keys were set", got, base)
	}
	if len(heard) != n {
		t.Errorf("OnExpire heard %d keys, want %d", len(heard), n)
	}
	for i := range n {
		k := "k" + itoa(i)
		if heard[fmt.Sprintf("%d/0/%s", h.instanceOf(k), k)] != 1 {
			t.Fatalf("OnExpire did not hear %s exactly once", k)
		}
	}
	for _, st := range h.eng.insts[0].DBStats()[:1] {
		if st.Expires != 0 || st.AvgTTL != 0 {
			t.Errorf("db 0 stats %+v after the reclaim", st)
		}
	}
	checkExpireIndex(t, h.eng)
}

// TestActiveExpireLeavesFewStale: with half the volatile keys expired the
// cycle keeps sampling until a sample is at most 10% stale, and avg_ttl
// follows the live keys' TTL.
func TestActiveExpireLeavesFewStale(t *testing.T) {
	h := newHarness(t, 4)
	const n = 20000
	for i := range n {
		ttl := "100"
		if i%2 == 0 {
			ttl = "100101" // 100,000 ms left once the clock moves on
		}
		h.do("set", "k"+itoa(i), "v", "px", ttl)
	}
	h.advance(101)
	h.eng.activeExpireCycle(25 * time.Millisecond)
	stale := func() int {
		var c int
		h.eng.Locked(func() {
			for _, in := range h.eng.insts {
				vol := &in.dbs[0].vol
				for i := range vol.len() {
					if h.now > vol.at(i).v.expireAt {
						c++
					}
				}
			}
		})
		return c
	}
	// The stop test is a 20-key sample, so a run may stop well above 10%
	// stale; runs hz times a second bring it down, as in Redis.
	left := stale()
	t.Logf("stale keys after one run: %d of %d", left, n/2)
	if left > n/2*9/10 {
		t.Errorf("%d of %d expired keys left after a run", left, n/2)
	}
	for range 49 {
		h.eng.activeExpireCycle(25 * time.Millisecond)
	}
	left = stale()
	perc := 100 * float64(left) / float64(left+n/2)
	t.Logf("stale keys after 50 runs: %d (%.1f%% of the keys with a deadline)", left, perc)
	if perc > 25 {
		t.Errorf("%.1f%% of the keys with a deadline are stale after 50 runs", perc)
	}
	for _, in := range h.eng.insts {
		if st := in.DBStats()[0]; st.AvgTTL != 100000 {
			t.Errorf("instance %d avg_ttl = %d, want 100000", in.id, st.AvgTTL)
		}
	}
	checkExpireIndex(t, h.eng)
}

// TestAvgTTLRunningAverage checks Redis's 2% weighting: seeded by the
// first sample, then moving 1/50 of the way to each new sample mean.
func TestAvgTTLRunningAverage(t *testing.T) {
	h := newHarness(t, 1)
	h.do("set", "a", "v", "px", "10000")
	h.eng.activeExpireCycle(time.Second)
	if got := h.eng.insts[0].DBStats()[0].AvgTTL; got != 10000 {
		t.Fatalf("avg_ttl = %d, want 10000", got)
	}
	h.do("pexpire", "a", "60000")
	h.eng.activeExpireCycle(time.Second)
	if got, want := int64(10000/50*49+60000/50), h.eng.insts[0].DBStats()[0].AvgTTL; got != want {
		t.Fatalf("avg_ttl = %d, want %d", want, got)
	}
	h.do("del", "a")
	h.eng.activeExpireCycle(time.Second)
	if got := h.eng.insts[0].DBStats()[0].AvgTTL; got != 0 {
		t.Fatalf("avg_ttl = %d with no keys to expire, want 0", got)
	}
}

// TestOnExpireLazy: OnExpire hears of keys a command found expired, on
// every lazy path, and not of keys deleted by EXPIRE with a past time
// (Redis propagates that as the command's own DEL, not as an expiry).
func TestOnExpireLazy(t *testing.T) {
	h := newHarness(t, 4)
	var heard []string
	h.eng.onExpire = func(instance, db int, key []byte) {
		heard = append(heard, fmt.Sprintf("%d/%d/%s", instance, db, key))
	}
	h.db = 3
	for _, k := range []string{"g", "d", "r"} {
		h.do("set", k, "v", "px", "10")
	}
	h.do("set", "x", "v")
	h.advance(11)
	h.run([]step{
		expect("get", "g", rNil),
		expect("del", "d", rZero),
		expect("pexpire", "x", "-1", rOne),
	})
	for i := 0; i < 200 && h.do("dbsize") != rZero; i++ {
		h.do("randomkey")
	}
	want := []string{
		fmt.Sprintf("%d/3/g", h.instanceOf("g")),
		fmt.Sprintf("%d/3/d", h.instanceOf("d")),
		fmt.Sprintf("%d/3/r", h.instanceOf("r")),
	}
	if fmt.Sprint(heard) != fmt.Sprint(want) {
		t.Fatalf("OnExpire heard %q, want %q", heard, want)
	}
	if got := expiredTotal(h.eng); got != 3 {
		t.Fatalf("expired_keys = %d, want 3", got)
	}
}

// fillVolatile stores n string keys named prefix0.. with deadlines ttl ms
// away, straight through the Keyspace (the commands would only be slower).
func fillVolatile(h *harness, prefix string, n int, ttl int64) {
	h.eng.Locked(func() {
		ks := Keyspace{eng: h.eng, table: h.eng.Router().Table(), db: h.db, now: h.now}
		for i := range n {
			v := NewString([]byte("value"))
			v.expireAt = h.now + ttl
			ks.Put([]byte(prefix+itoa(i)), v)
		}
	})
}

// TestActiveExpireLockHold: 200,000 keys on one instance expire at once.
// The cycle reclaims them over several runs, never holding the instance
// lock much longer than expireLockHold, and a client hammering the same
// instance meanwhile is never kept waiting long.
//
// The bound is checked on the CPU time each hold took, which is the work
// the cycle does under the lock; wall times are reported too, but on a
// shared machine they include any time the thread was descheduled.
func TestActiveExpireLockHold(t *testing.T) {
	h := newHarness(t, 1)
	const n = 200000
	fillVolatile(h, "k", n, 10)
	h.advance(11)
	h.eng.cron.threadCPU = threadCPUClock()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	stop := make(chan struct{})
	waits := make(chan time.Duration, 1)
	go func() {
		c := h.fork()
		var worst time.Duration
		for {
			select {
			case <-stop:
				waits <- worst
				return
			default:
			}
			start := time.Now()
			c.dispatch(2, [][]byte{[]byte("get"), []byte("nosuchkey")})
			worst = max(worst, time.Since(start))
			time.Sleep(50 * time.Microsecond)
		}
	}()

	var worst, worstCPU time.Duration
	var runCPU []time.Duration
	var runs, capped, holds, long int
	start := time.Now()
	for h.eng.insts[0].dbs[0].Expires() > 0 && runs < 10000 {
		run := h.eng.activeExpireCycle(25 * time.Millisecond)
		worst = max(worst, run.maxHold)
		worstCPU = max(worstCPU, run.maxHoldCPU)
		runCPU = append(runCPU, run.maxHoldCPU)
		holds += run.holds
		long += run.longHolds
		runs++
		if run.timeCapped {
			capped++
		}
	}
	took := time.Since(start)
	close(stop)
	clientWorst := <-waits
	t.Logf("%d keys reclaimed in %d runs (%d time-capped), %v of cycle time; %d lock holds: longest %v of CPU time; in wall time longest %v, %d over 1ms; longest GET by a concurrent client %v",
		n, runs, capped, took.Round(time.Microsecond), holds, worstCPU, worst, long, clientWorst)
	if got := h.do("dbsize"); got != rZero {
		t.Fatalf("dbsize = %q after %d runs", got, runs)
	}
	if got := expiredTotal(h.eng); got != n {
		t.Fatalf("expired_keys = %d, want %d", got, n)
	}
	// The bound is held by nine runs in ten, which still fails a cycle
	// that holds the lock for its whole budget or longer. A hold's thread
	// also pays the collector's mark assists (under the race detector,
	// with the whole suite beside it, CI saw them push two runs of 94 past
	// 5ms), and on a virtual machine its CPU clock counts the time the
	// host took the CPU away (1.35ms for one hold of 11 at 18% steal).
	limit, allowed := time.Millisecond, len(runCPU)/10
	if raceEnabled {
		limit = 5 * time.Millisecond
	}
	over := 0
	for _, d := range runCPU {
		if d > limit {
			over++
		}
	}
	if h.eng.cron.threadCPU != nil && over > allowed {
		slices.Sort(runCPU)
		t.Errorf("%d of %d runs held the lock over %v of CPU time (%d allowed); slowest %v",
			over, len(runCPU), limit, allowed, runCPU[len(runCPU)-min(len(runCPU), 5):])
	}
	st := h.eng.ExpireStats()
	if st.TimeCapReached != int64(capped) || capped == 0 || st.StalePerc <= 0 || st.StalePerc > 1 || st.CycleTime <= 0 {
		t.Errorf("ExpireStats %+v after %d time-capped runs", st, capped)
	}
}

// TestEngineStartStop: the background goroutine reclaims expired keys at
// the configured hz without being asked, follows hz changes, and stops.
func TestEngineStartStop(t *testing.T) {
	rt, err := router.New(router.ModeSlots, 4)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now, hz := int64(testEpoch), 50
	e, err := NewEngine(Options{Instances: 4, Databases: 4, Router: rt,
		Now: func() int64 { mu.Lock(); defer mu.Unlock(); return now },
		Hz:  func() int { mu.Lock(); defer mu.Unlock(); return hz },
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Hz(); got != 50 {
		t.Fatalf("Hz() = %d", got)
	}
	h := &harness{t: t, eng: e, now: testEpoch, proto: 2}
	fillVolatile(h, "k", 1000, 5)
	e.Start()
	e.Start() // a second Start is a no-op
	defer e.Stop()
	mu.Lock()
	now += 6
	hz = 500 // read again after the next run
	mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && h.do("dbsize") != rZero {
		time.Sleep(time.Millisecond)
	}
	if got := h.do("dbsize"); got != rZero {
		t.Fatalf("dbsize = %q: the background cycle did not reclaim the keys", got)
	}
	e.Stop()
	e.Stop()
	fillVolatile(h, "j", 10, -1) // already expired, but nothing runs now
	time.Sleep(30 * time.Millisecond)
	if got := h.do("dbsize"); got != rInt(10) {
		t.Fatalf("dbsize = %q after Stop, want 10", got)
	}
	for _, bad := range []int{0, -3, 9999} {
		mu.Lock()
		hz = bad
		mu.Unlock()
		if got := e.Hz(); got < 1 || got > 500 {
			t.Errorf("Hz() = %d for hz %d", got, bad)
		}
	}
}
