package storage

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shardis/shardis/router"
)

// route is the harness's dispatch as the proxy does it: a migrating slot
// is routed to both of its owners, and the slots travel with the command
// so the engine can route it again when the table changed.
func (h *harness) route(args ...string) string {
	h.t.Helper()
	b := byteArgs(args)
	cmd := router.Lookup(b[0])
	if cmd != nil && cmd.Subcommands != nil && len(b) > 1 {
		cmd = cmd.Sub(b[1])
	}
	handler, global := h.eng.Handler(cmd)
	h.w.Reset()
	h.w.Proto = 2
	h.ctx = Ctx{W: &h.w, Args: b, Cmd: cmd, Limits: h.limits, Now: h.now}
	table := h.eng.Router().Table()
	if global {
		h.eng.RunGlobal(&h.ctx, handler, table, h.db)
		return string(h.w.B)
	}
	h.pos = cmd.KeyPositions(b, h.pos[:0])
	h.owners = h.owners[:0]
	var slots []int
	for _, p := range h.pos {
		s := router.Slot(b[p])
		slots = append(slots, s)
		h.owners = table.AppendOwners(h.owners, s)
	}
	h.ctx.KeyPos, h.ctx.KeySlots = h.pos, slots
	h.eng.Run(&h.ctx, handler, table, h.db, h.owners)
	return string(h.w.B)
}

// holder is the instance whose database db stores key now, or -1; it
// fails the test when two instances hold it.
func (h *harness) holder(db int, key string) int {
	h.t.Helper()
	slot := router.Slot([]byte(key))
	at := -1
	h.eng.Locked(func() {
		for _, in := range h.eng.insts {
			if in.dbs[db].get(slot, []byte(key)) != nil {
				if at >= 0 {
					h.t.Errorf("key %q on instances %d and %d", key, at, in.id)
				}
				at = in.id
			}
		}
	})
	return at
}

// checkCounters recomputes every instance's key count and charged bytes
// and compares them with the counters the moves kept.
func (h *harness) checkCounters() {
	h.t.Helper()
	h.eng.Locked(func() {
		for _, in := range h.eng.insts {
			var keys, used int64
			for d := range in.dbs {
				db := &in.dbs[d]
				used += db.keyTableBytes
				var n int64
				for s := range router.SlotCount {
					db.EachInSlot(s, func(k string, v *Value) bool {
						n++
						used += chargedSize([]byte(k), v)
						return true
					})
				}
				if n != db.keys {
					h.t.Errorf("instance %d db %d: %d keys stored, counter says %d", in.id, d, n, db.keys)
				}
				keys += n
				if got := int64(db.vol.len()); got > n {
					h.t.Errorf("instance %d db %d: %d keys in the expiry index, %d keys", in.id, d, got, n)
				}
			}
			if got := in.keys.Load(); got != keys {
				h.t.Errorf("instance %d: keys counter %d, stored %d", in.id, got, keys)
			}
			if got := in.used.Load(); got != used {
				h.t.Errorf("instance %d: used counter %d, recomputed %d", in.id, got, used)
			}
		}
	})
}

// keyIn returns a key named prefix... that hashes to slot.
func keyIn(slot int, prefix string) string {
	for i := 0; ; i++ {
		k := prefix + strconv.Itoa(i)
		if router.Slot([]byte(k)) == slot {
			return k
		}
	}
}

func TestForwardOnAccess(t *testing.T) {
	h := newHarness(t, 4)
	k := keyIn(10, "k")
	h.route("SET", k, "v1")
	h.route("RPUSH", "{"+k+"}l", "a", "b")
	src := h.eng.Router().Table().Owner(10)
	if src != 0 {
		t.Fatalf("slot 10 owned by %d", src)
	}
	// Mark the slot migrating by hand: no mover runs, so only commands
	// move keys.
	h.eng.Router().Publish(h.eng.Router().Table().With([]router.SlotState{{Slot: 10, Owner: 0, Target: 3}}))
	if got := h.holder(0, k); got != 0 {
		t.Fatalf("before access key on %d, want 0", got)
	}
	if got, want := h.route("GET", k), "$2\r\nv1\r\n"; got != want {
		t.Errorf("GET = %q, want %q", got, want)
	}
	if got := h.holder(0, k); got != 3 {
		t.Errorf("after GET key on %d, want 3 (the target)", got)
	}
	// A multi-key command over a moved and an unmoved key of the slot.
	if got, want := h.route("RENAME", "{"+k+"}l", k), "+OK\r\n"; got != want {
		t.Errorf("RENAME = %q, want %q", got, want)
	}
	if got, want := h.route("LRANGE", k, "0", "-1"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n"; got != want {
		t.Errorf("LRANGE = %q, want %q", got, want)
	}
	if got := h.holder(0, "{"+k+"}l"); got != -1 {
		t.Errorf("renamed-away key still on %d", got)
	}
	h.checkCounters()
}

func TestForwardExpiredKeyIsNotResurrected(t *testing.T) {
	var expired []string
	rt, _ := router.New(router.ModeSlots, 2)
	h := &harness{t: t, now: testEpoch, proto: 2}
	var err error
	h.eng, err = NewEngine(Options{Instances: 2, Databases: 16, Router: rt, Now: func() int64 { return h.now },
		OnExpire: func(in, db int, key []byte) { expired = append(expired, fmt.Sprint(in, db, string(key))) }})
	if err != nil {
		t.Fatal(err)
	}
	k := keyIn(5, "x")
	h.route("SET", k, "v", "PX", "100")
	h.advance(200)
	h.eng.Router().Publish(rt.Table().With([]router.SlotState{{Slot: 5, Owner: 0, Target: 1}}))
	if got, want := h.route("GET", k), "$-1\r\n"; got != want {
		t.Errorf("GET expired = %q, want %q", got, want)
	}
	if got := h.holder(0, k); got != -1 {
		t.Errorf("expired key still stored on %d", got)
	}
	if want := fmt.Sprint(0, 0, k); len(expired) != 1 || expired[0] != want {
		t.Errorf("OnExpire calls %q, want [%q]", expired, want)
	}
	h.checkCounters()
}

// fillTypes stores n keys of every type in db 0 and a few in db 3, some
// with a deadline, and returns them with their TYPE.
func fillTypes(h *harness, n int) map[string]string {
	out := map[string]string{}
	for i := range n {
		s := strconv.Itoa(i)
		h.route("SET", "s"+s, "v"+s)
		h.route("RPUSH", "l"+s, "a", s)
		h.route("HSET", "h"+s, "f", s)
		h.route("SADD", "set"+s, s, "x")
		h.route("ZADD", "z"+s, "1", s)
		h.route("SET", "t"+s, s, "EX", "1000")
		for _, p := range []string{"s", "t"} {
			out[p+s] = "string"
		}
		out["l"+s], out["h"+s], out["set"+s], out["z"+s] = "list", "hash", "set", "zset"
	}
	h.db = 3
	for i := range 20 {
		h.route("SET", "db3:"+strconv.Itoa(i), "x")
	}
	h.db = 0
	return out
}

func TestMigrateSlotsMovesEverything(t *testing.T) {
	h := newHarness(t, 4)
	keys := fillTypes(h, 300)
	m := h.eng.Migrator()
	m.batchKeys = 7 // many batches
	m.Start()
	defer m.Stop()
	// Instance 0 owns 0..4095; move half of it to 2 and one slot to 3.
	mg, err := m.Migrate([]SlotSpan{{0, 2047}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	mg2, err := m.Migrate([]SlotSpan{{4095, 4095}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{mg.ID, mg2.ID} {
		got, err := m.Wait(id, 30*time.Second)
		if err != nil || got.State != MigrationDone {
			t.Fatalf("migration %d: %+v, %v", id, got, err)
		}
	}
	tbl := h.eng.Router().Table()
	if tbl.MigratingSlots() != 0 {
		t.Errorf("%d slots still migrating", tbl.MigratingSlots())
	}
	for s := range router.SlotCount {
		want := s * 4 / router.SlotCount
		switch {
		case s <= 2047:
			want = 2
		case s == 4095:
			want = 3
		}
		if got := tbl.Owner(s); got != want {
			t.Fatalf("slot %d owned by %d, want %d", s, got, want)
		}
	}
	for k, typ := range keys {
		if got := h.holder(0, k); got != tbl.OwnerOf([]byte(k)) {
			t.Errorf("key %q on instance %d, table says %d", k, got, tbl.OwnerOf([]byte(k)))
		}
		if got, want := h.route("TYPE", k), "+"+typ+"\r\n"; got != want {
			t.Errorf("TYPE %s = %q, want %q", k, got, want)
		}
	}
	h.db = 3
	for i := range 20 {
		if got := h.route("GET", "db3:"+strconv.Itoa(i)); got != "$1\r\nx\r\n" {
			t.Errorf("db3 GET = %q", got)
		}
	}
	h.db = 0
	info, _ := m.Migration(mg.ID)
	if info.KeysMoved == 0 || info.KeysMoved != info.KeysTotal || info.SlotsDone != 2048 {
		t.Errorf("progress %+v: want every key and slot counted", info)
	}
	h.checkCounters()
}

func TestMigrateErrors(t *testing.T) {
	h := newHarness(t, 4)
	m := h.eng.Migrator()
	m.Pause() // keep the first migration pending
	if _, err := m.Migrate([]SlotSpan{{0, 10}}, 1); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		slots  []SlotSpan
		target int
		want   error
	}{
		{"unknown instance", []SlotSpan{{20, 30}}, 9, ErrMigrationInvalid},
		{"negative instance", []SlotSpan{{20, 30}}, -1, ErrMigrationInvalid},
		{"no slots", nil, 1, ErrMigrationInvalid},
		{"reversed range", []SlotSpan{{30, 20}}, 1, ErrMigrationInvalid},
		{"slot out of range", []SlotSpan{{16380, 16384}}, 1, ErrMigrationInvalid},
		{"slot already migrating", []SlotSpan{{5, 5}}, 2, ErrMigrationConflict},
		{"empty plan", []SlotSpan{{4096, 4100}}, 1, ErrMigrationConflict},
	} {
		if _, err := m.Migrate(c.slots, c.target); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := m.Cancel(99); !errors.Is(err, ErrMigrationNotFound) {
		t.Errorf("cancel unknown: %v", err)
	}
	got, err := m.Cancel(1)
	if err != nil || got.State != MigrationCancelled {
		t.Errorf("cancel pending: %+v, %v", got, err)
	}
	if _, err := m.Cancel(1); !errors.Is(err, ErrMigrationConflict) {
		t.Errorf("cancel twice: %v", err)
	}
	// Freed by the cancel.
	if _, err := m.Migrate([]SlotSpan{{5, 5}}, 2); err != nil {
		t.Errorf("migrate after cancel: %v", err)
	}
}

func TestMigrateCancelMovesInFlightSlotsBack(t *testing.T) {
	h := newHarness(t, 2)
	for i := range 2000 {
		h.route("SET", "k"+strconv.Itoa(i), strconv.Itoa(i))
	}
	m := h.eng.Migrator()
	m.batchKeys = 1
	m.SetThrottle(Throttle{KeysPerSec: 5})
	m.Start()
	defer m.Stop()
	mg, err := m.Migrate([]SlotSpan{{0, 8191}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for {
		in, _ := m.Migration(mg.ID)
		if in.KeysMoved > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	// Paused, the mover parks before its next batch, with a group of
	// slots in flight.
	m.Pause()
	time.Sleep(300 * time.Millisecond)
	inflight := h.eng.Router().Table().Targets()
	if len(inflight) == 0 {
		t.Fatal("no slot in flight")
	}
	if _, err := m.Cancel(mg.ID); err != nil {
		t.Fatal(err)
	}
	m.SetThrottle(Throttle{})
	m.Resume()
	got, err := m.Wait(mg.ID, 30*time.Second)
	if err != nil || got.State != MigrationCancelled {
		t.Fatalf("after cancel: %+v, %v", got, err)
	}
	tbl := h.eng.Router().Table()
	for s := range inflight {
		if tbl.Owner(s) != 0 || tbl.Migrating(s) {
			t.Errorf("slot %d in flight at cancel: owner %d migrating %v, want back on 0", s, tbl.Owner(s), tbl.Migrating(s))
		}
	}
	for i := range 2000 {
		k := "k" + strconv.Itoa(i)
		if got, want := h.route("GET", k), fmt.Sprintf("$%d\r\n%d\r\n", len(strconv.Itoa(i)), i); got != want {
			t.Fatalf("GET %s = %q, want %q", k, got, want)
		}
		if got := h.holder(0, k); got != tbl.OwnerOf([]byte(k)) {
			t.Errorf("%s on %d, table says %d", k, got, tbl.OwnerOf([]byte(k)))
		}
	}
	h.checkCounters()
}

// TestMigrateUnderLoad runs clients incrementing counters and listing
// keys while every slot moves to another instance and back: no increment
// may be lost or doubled, and KEYS, SCAN and DBSIZE must count every key
// exactly once at all times.
func TestMigrateUnderLoad(t *testing.T) {
	const n = 4
	h := newHarness(t, n)
	const keys = 400
	for i := range keys {
		h.route("SET", "c"+strconv.Itoa(i), "0")
	}
	m := h.eng.Migrator()
	m.batchKeys = 3
	m.groupSlots = 64
	m.Start()
	defer m.Stop()
	var stop atomic.Bool
	var wg sync.WaitGroup
	counts := make([][]int64, 4)
	for c := range counts {
		counts[c] = make([]int64, keys)
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			cl := h.fork()
			for i := 0; !stop.Load(); i++ {
				k := (i*7 + c*13) % keys
				if got := cl.route("INCR", "c"+strconv.Itoa(k)); !strings.HasPrefix(got, ":") {
					t.Errorf("INCR: %q", got)
					return
				}
				counts[c][k]++
				if i%50 == 0 {
					if got := cl.route("MGET", "c1", "c2", "c3"); !strings.HasPrefix(got, "*3") {
						t.Errorf("MGET: %q", got)
					}
				}
			}
		}(c)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		cl := h.fork()
		want := fmt.Sprintf(":%d\r\n", keys)
		for !stop.Load() {
			if got := cl.route("DBSIZE"); got != want {
				t.Errorf("DBSIZE = %q, want %q", got, want)
				return
			}
			if got := cl.route("KEYS", "c*"); !strings.HasPrefix(got, fmt.Sprintf("*%d\r\n", keys)) {
				t.Errorf("KEYS found %q keys, want %d", strings.SplitN(got, "\r\n", 2)[0], keys)
				return
			}
			seen := map[string]bool{}
			cursor := "0"
			for {
				reply := cl.route("SCAN", cursor, "COUNT", "100")
				parts := strings.Split(reply, "\r\n")
				cursor = parts[2]
				for i := 4; i+1 < len(parts); i += 2 {
					if seen[parts[i+1]] {
						t.Errorf("SCAN returned %s twice", parts[i+1])
					}
					seen[parts[i+1]] = true
				}
				if cursor == "0" {
					break
				}
			}
			if len(seen) != keys {
				t.Errorf("SCAN saw %d keys, want %d", len(seen), keys)
				return
			}
		}
	}()
	// Every instance's slots to the next instance, then back.
	for round := range 2 {
		var ids []int64
		for id := range n {
			first := id * router.SlotCount / n
			last := (id+1)*router.SlotCount/n - 1
			to := (id + 1) % n
			if round == 1 {
				to = id
			}
			mg, err := m.Migrate([]SlotSpan{{first, last}}, to)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, mg.ID)
		}
		for _, id := range ids {
			if got, err := m.Wait(id, time.Minute); err != nil || got.State != MigrationDone {
				t.Fatalf("migration %d: %+v %v", id, got, err)
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	for i := range keys {
		var want int64
		for c := range counts {
			want += counts[c][i]
		}
		k := "c" + strconv.Itoa(i)
		if got := h.route("GET", k); got != fmt.Sprintf("$%d\r\n%d\r\n", len(strconv.FormatInt(want, 10)), want) {
			t.Errorf("GET %s = %q, want %d", k, got, want)
		}
	}
	st := m.Stats()
	if st.KeysMoved < 2*keys {
		t.Errorf("moved %d keys, want at least %d", st.KeysMoved, 2*keys)
	}
	h.checkCounters()
}

func TestRoutingStatePersists(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, 4)
	m := h.eng.Migrator()
	if err := m.Open(dir); err != nil {
		t.Fatal(err)
	}
	m.Start()
	mg, err := m.Migrate([]SlotSpan{{0, 99}, {512, 512}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := m.Wait(mg.ID, 10*time.Second); err != nil || got.State != MigrationDone {
		t.Fatalf("%+v %v", got, err)
	}
	m.Pause()
	pending, err := m.Migrate([]SlotSpan{{200, 210}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// A slot left in flight, as a crash mid-migration leaves it.
	m.publish(func(t *router.Table) []router.SlotState {
		return []router.SlotState{{Slot: 300, Owner: 0, Target: 1}}
	})
	m.Stop()

	h2 := newHarness(t, 4)
	m2 := h2.eng.Migrator()
	if err := m2.Open(dir); err != nil {
		t.Fatal(err)
	}
	t1, t2 := h.eng.Router().Table(), h2.eng.Router().Table()
	for s := range router.SlotCount {
		if t1.Owner(s) != t2.Owner(s) || t1.Target(s) != t2.Target(s) {
			t.Fatalf("slot %d: owner %d→%d target %d→%d after reload", s, t1.Owner(s), t2.Owner(s), t1.Target(s), t2.Target(s))
		}
	}
	if t2.Version() != t1.Version() {
		t.Errorf("version %d, want %d", t2.Version(), t1.Version())
	}
	if !m2.Paused() {
		t.Error("pause not restored")
	}
	got, err := m2.Migration(pending.ID)
	if err != nil || got.State != MigrationPending {
		t.Fatalf("pending migration after reload: %+v %v", got, err)
	}
	if _, err := m2.Migrate([]SlotSpan{{205, 205}}, 1); !errors.Is(err, ErrMigrationConflict) {
		t.Errorf("reserved slot after reload: %v", err)
	}
	m2.Resume()
	m2.Start()
	defer m2.Stop()
	if got, err := m2.Wait(pending.ID, 10*time.Second); err != nil || got.State != MigrationDone {
		t.Fatalf("resumed migration: %+v %v", got, err)
	}
	if o := h2.eng.Router().Table().Owner(205); o != 2 {
		t.Errorf("slot 205 on %d after the resumed migration, want 2", o)
	}
}

func TestMigrateThrottle(t *testing.T) {
	h := newHarness(t, 2)
	for i := range 1000 {
		h.route("SET", "k"+strconv.Itoa(i), "v")
	}
	m := h.eng.Migrator()
	if err := m.SetThrottle(Throttle{KeysPerSec: 2500}); err != nil {
		t.Fatal(err)
	}
	m.Start()
	defer m.Stop()
	start := time.Now()
	mg, err := m.Migrate([]SlotSpan{{0, 8191}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Wait(mg.ID, 30*time.Second)
	if err != nil || got.State != MigrationDone {
		t.Fatal(got, err)
	}
	// About 500 keys at 2500 keys/s: 200ms; the last batch's sleep may be
	// cut short, so allow some slack below.
	if took := time.Since(start); took < 150*time.Millisecond || got.KeysMoved < 400 {
		t.Errorf("moved %d keys in %v: the throttle did not hold it back", got.KeysMoved, took)
	}
}

// TestMultiKeyAtomicWhileMigrating: MSET over a key in a moving slot and
// a key in a stable slot is never seen half done by MGET.
func TestMultiKeyAtomicWhileMigrating(t *testing.T) {
	h := newHarness(t, 4)
	moving, stable := keyIn(100, "a"), keyIn(9000, "b")
	h.route("MSET", moving, "0", stable, "0")
	m := h.eng.Migrator()
	m.batchKeys = 1
	m.Start()
	defer m.Stop()
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		w := h.fork()
		for i := 1; !stop.Load(); i++ {
			v := strconv.Itoa(i)
			w.route("MSET", moving, v, stable, v)
		}
	}()
	go func() {
		defer wg.Done()
		r := h.fork()
		for !stop.Load() {
			got := r.route("MGET", moving, stable)
			parts := strings.Split(got, "\r\n")
			if len(parts) < 5 || parts[2] != parts[4] {
				t.Errorf("MGET saw a half-done MSET: %q", got)
				return
			}
		}
	}()
	for round := range 40 {
		to := 3
		if round%2 == 1 {
			to = 0
		}
		mg, err := m.Migrate([]SlotSpan{{90, 110}}, to)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := m.Wait(mg.ID, 10*time.Second); err != nil || got.State != MigrationDone {
			t.Fatal(got, err)
		}
	}
	stop.Store(true)
	wg.Wait()
	h.checkCounters()
}

// TestMigrationFailsWhenRoutingStateCannotBeWritten: with persistence on,
// a table that cannot be written is not published, and the migration
// fails with the reason instead of moving keys the file would not know of.
func TestMigrationFailsWhenRoutingStateCannotBeWritten(t *testing.T) {
	dir := t.TempDir() + "/state"
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, 2)
	h.route("SET", keyIn(3, "k"), "v")
	m := h.eng.Migrator()
	if err := m.Open(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	m.Start()
	defer m.Stop()
	mg, err := m.Migrate([]SlotSpan{{0, 10}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Wait(mg.ID, 10*time.Second)
	if err != nil || got.State != MigrationFailed || len(got.Errors) == 0 || !strings.Contains(got.Errors[0], "routing.json") {
		t.Fatalf("migration %+v, %v: want failed with the write error", got, err)
	}
	if tb := h.eng.Router().Table(); tb.MigratingSlots() != 0 || tb.Owner(3) != 0 {
		t.Errorf("table changed although it could not be written")
	}
	if got := h.holder(0, keyIn(3, "k")); got != 0 {
		t.Errorf("key moved to %d", got)
	}
}

// TestMigrateWhileEvicting: eviction deletes keys where they are while
// slots move; no key ends up on two instances or back after eviction,
// and the counters stay exact.
func TestMigrateWhileEvicting(t *testing.T) {
	for _, policy := range []Policy{PolicyAllKeysLRU, PolicyAllKeysRandom} {
		h := newHarness(t, 4)
		for i := range 3000 {
			h.route("SET", "k"+strconv.Itoa(i), strings.Repeat("x", 100))
		}
		used := h.eng.UsedMemory()
		h.eng.SetEviction(EvictionConfig{MaxMemory: used * 3 / 4, Policy: policy, Samples: 5, Tenacity: 10})
		m := h.eng.Migrator()
		m.batchKeys = 5
		m.Start()
		var stop atomic.Bool
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := h.fork()
			for i := 3000; !stop.Load(); i++ {
				h.eng.Evict()
				w.route("SET", "k"+strconv.Itoa(i), strings.Repeat("y", 100))
			}
		}()
		for round := range 2 {
			var ids []int64
			for id := range 4 {
				lo, hi := id*4096, id*4096+4095
				to := (id + 1) % 4
				if round == 1 {
					to = id
				}
				mg, err := m.Migrate([]SlotSpan{{lo, hi}}, to)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, mg.ID)
			}
			for _, id := range ids {
				if got, err := m.Wait(id, time.Minute); err != nil || got.State != MigrationDone {
					t.Fatal(got, err)
				}
			}
		}
		stop.Store(true)
		wg.Wait()
		m.Stop()
		if h.eng.evicted.Load() == 0 {
			t.Errorf("policy %v: nothing was evicted", policy)
		}
		tbl := h.eng.Router().Table()
		for i := range 3000 {
			k := "k" + strconv.Itoa(i)
			if at := h.holder(0, k); at >= 0 && at != tbl.OwnerOf([]byte(k)) {
				t.Errorf("%s on instance %d, owner %d", k, at, tbl.OwnerOf([]byte(k)))
			}
		}
		h.checkCounters()
	}
}

// TestGlobalCommandsOnMigratingSlots: SORT's BY and GET patterns and
// FLUSHALL see keys of a migrating slot wherever they are.
func TestGlobalCommandsOnMigratingSlots(t *testing.T) {
	h := newHarness(t, 4)
	w1, w2 := keyIn(20, "w_"), keyIn(5000, "w_")
	h.route("RPUSH", "list", w1[2:], w2[2:])
	h.route("SET", w1, "2")
	h.route("SET", w2, "1")
	// Slot 20 migrates 0 → 2, slot 5000 1 → 3; w2 is forwarded, w1 not.
	h.eng.Router().Publish(h.eng.Router().Table().With([]router.SlotState{
		{Slot: 20, Owner: 0, Target: 2}, {Slot: 5000, Owner: 1, Target: 3}}))
	h.route("GET", w2)
	want := fmt.Sprintf("*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(w2)-2, w2[2:], len(w1)-2, w1[2:])
	if got := h.route("SORT", "list", "BY", "w_*"); got != want {
		t.Errorf("SORT BY = %q, want %q", got, want)
	}
	if got := h.route("DBSIZE"); got != ":3\r\n" {
		t.Errorf("DBSIZE = %q", got)
	}
	h.route("FLUSHALL")
	if got := h.route("DBSIZE"); got != ":0\r\n" {
		t.Errorf("DBSIZE after FLUSHALL = %q", got)
	}
	for _, k := range []string{w1, w2, "list"} {
		if at := h.holder(0, k); at >= 0 {
			t.Errorf("%s still on %d after FLUSHALL", k, at)
		}
	}
	// The mover finds the sources empty and finishes.
	m := h.eng.Migrator()
	m.Start()
	defer m.Stop()
	deadline := time.Now().Add(5 * time.Second)
	for h.eng.Router().Table().MigratingSlots() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("orphaned migrating slots not settled")
		}
		time.Sleep(time.Millisecond)
	}
	if tb := h.eng.Router().Table(); tb.Owner(20) != 2 || tb.Owner(5000) != 3 {
		t.Errorf("settled to %d and %d, want 2 and 3", tb.Owner(20), tb.Owner(5000))
	}
	h.checkCounters()
}

func TestFinishedMigrationsAreBounded(t *testing.T) {
	h := newHarness(t, 2)
	m := h.eng.Migrator()
	m.Pause()
	for range keepFinishedInMemory + 5 {
		mg, err := m.Migrate([]SlotSpan{{0, 0}}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Cancel(mg.ID); err != nil {
			t.Fatal(err)
		}
	}
	pending, _ := m.Migrate([]SlotSpan{{1, 1}}, 1)
	list := m.Migrations()
	if len(list) != keepFinishedInMemory+1 || list[0].ID != 6 || list[len(list)-1].ID != pending.ID {
		t.Errorf("%d migrations listed, first %d, last %d", len(list), list[0].ID, list[len(list)-1].ID)
	}
	if _, err := m.Migration(3); !errors.Is(err, ErrMigrationNotFound) {
		t.Errorf("dropped migration: %v", err)
	}
}
