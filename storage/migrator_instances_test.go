package storage

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/shardis/shardis/router"
)

func newRingHarness(t *testing.T, mode router.Mode, n, max int) *harness {
	t.Helper()
	rt, err := router.New(mode, n)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, now: testEpoch, proto: 2}
	h.eng, err = NewEngine(Options{Instances: n, MaxInstances: max, Databases: 16, Router: rt, Now: func() int64 { return h.now }})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func waitAll(t *testing.T, m *Migrator, ids []int64) {
	t.Helper()
	for _, id := range ids {
		if got, err := m.Wait(id, 30*time.Second); err != nil || got.State != MigrationDone {
			t.Fatalf("migration %d: %+v %v", id, got, err)
		}
	}
}

func TestAddRemoveInstanceRing(t *testing.T) {
	h := newRingHarness(t, router.ModeRing, 4, 6)
	for i := range 2000 {
		h.route("SET", "k"+strconv.Itoa(i), strconv.Itoa(i))
	}
	m := h.eng.Migrator()
	m.Start()
	defer m.Stop()
	before := h.eng.Router().Table()
	ch, err := m.AddInstance()
	if err != nil {
		t.Fatal(err)
	}
	if ch.Instance != 4 || ch.Instances != 5 || len(ch.Migrations) == 0 {
		t.Fatalf("add: %+v", ch)
	}
	waitAll(t, m, ch.Migrations)
	after := h.eng.Router().Table()
	want, _ := router.Placement(router.ModeRing, []int{0, 1, 2, 3, 4})
	moved := 0
	for s := range router.SlotCount {
		if after.Owner(s) != want[s] {
			t.Fatalf("slot %d on %d, ring says %d", s, after.Owner(s), want[s])
		}
		if after.Owner(s) != before.Owner(s) {
			moved++
		}
	}
	if moved > router.SlotCount/4 {
		t.Errorf("adding a fifth instance moved %d slots", moved)
	}

	ch, err = m.RemoveInstance(1)
	if err != nil {
		t.Fatal(err)
	}
	waitAll(t, m, ch.Migrations)
	final := h.eng.Router().Table()
	want, _ = router.Placement(router.ModeRing, []int{0, 2, 3, 4})
	for s := range router.SlotCount {
		if final.Owner(s) != want[s] {
			t.Fatalf("after removal slot %d on %d, ring says %d", s, final.Owner(s), want[s])
		}
	}
	if n := h.eng.insts[1].keys.Load(); n != 0 {
		t.Errorf("removed instance still holds %d keys", n)
	}
	if _, err := m.Migrate([]SlotSpan{{0, 0}}, 1); !errors.Is(err, ErrMigrationConflict) {
		t.Errorf("migrate to a removed instance: %v", err)
	}
	if _, err := m.RemoveInstance(1); !errors.Is(err, ErrMigrationConflict) {
		t.Errorf("remove twice: %v", err)
	}
	for i := range 2000 {
		k := "k" + strconv.Itoa(i)
		if got, want := h.route("GET", k), "$"+strconv.Itoa(len(strconv.Itoa(i)))+"\r\n"+strconv.Itoa(i)+"\r\n"; got != want {
			t.Fatalf("GET %s = %q", k, got)
		}
	}
	// The retired instance comes back first, then the spare one; then
	// there is no room left.
	ch, err = m.AddInstance()
	if err != nil || ch.Instance != 1 {
		t.Fatalf("re-add: %+v %v", ch, err)
	}
	waitAll(t, m, ch.Migrations)
	ch, err = m.AddInstance()
	if err != nil || ch.Instance != 5 {
		t.Fatalf("add spare: %+v %v", ch, err)
	}
	waitAll(t, m, ch.Migrations)
	if _, err := m.AddInstance(); !errors.Is(err, ErrMigrationConflict) {
		t.Errorf("add past max-instances: %v", err)
	}
	h.checkCounters()
}

func TestAddInstanceSlotsMode(t *testing.T) {
	h := newRingHarness(t, router.ModeSlots, 3, 4)
	m := h.eng.Migrator()
	m.Start()
	defer m.Stop()
	ch, err := m.AddInstance()
	if err != nil {
		t.Fatal(err)
	}
	waitAll(t, m, ch.Migrations)
	for id, n := range h.eng.Router().Table().SlotCounts() {
		if n != router.SlotCount/4 {
			t.Errorf("instance %d owns %d slots, want %d", id, n, router.SlotCount/4)
		}
	}
}
