package storage

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

func TestRebalanceEvensSlotsThenKeys(t *testing.T) {
	h := newHarness(t, 4)
	m := h.eng.Migrator()
	if _, err := m.Rebalance(false); !errors.Is(err, ErrMigrationConflict) {
		t.Errorf("balanced table: err = %v, want an empty-plan conflict", err)
	}
	// Pile keys into instance 0's slots, then move 1000 of instance 1's
	// slots to instance 3.
	for i := range 3000 {
		h.route("SET", "{"+strconv.Itoa(i%40)+"}k"+strconv.Itoa(i), "x")
	}
	m.Start()
	defer m.Stop()
	mg, err := m.Migrate([]SlotSpan{{4096, 5095}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := m.Wait(mg.ID, 10*time.Second); err != nil || got.State != MigrationDone {
		t.Fatal(got, err)
	}
	dry, err := m.Rebalance(true)
	if err != nil {
		t.Fatal(err)
	}
	if len(dry.Migrations) != 0 || len(dry.Moves) == 0 {
		t.Fatalf("dry run: %+v", dry)
	}
	if o := h.eng.Router().Table().Owner(4096); o != 3 {
		t.Fatalf("dry run moved slot 4096 to %d", o)
	}
	pl, err := m.Rebalance(false)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Migrations) == 0 {
		t.Fatal("no migration queued")
	}
	for _, id := range pl.Migrations {
		if got, err := m.Wait(id, 30*time.Second); err != nil || got.State != MigrationDone {
			t.Fatal(got, err)
		}
	}
	counts := h.eng.Router().Table().SlotCounts()
	var keys [4]int64
	for i, in := range h.eng.insts {
		keys[i] = in.keys.Load()
		if counts[i] != 4096 {
			t.Errorf("instance %d owns %d slots after rebalance, want 4096", i, counts[i])
		}
	}
	lo, hi := keys[0], keys[0]
	for _, k := range keys {
		lo, hi = min(lo, k), max(hi, k)
	}
	// 40 hash tags of 75 keys each: the best split is within a tag.
	if hi-lo > 150 {
		t.Errorf("keys per instance after rebalance %v: spread %d", keys, hi-lo)
	}
	for _, ld := range pl.Instances {
		if ld.KeysAfter != keys[ld.Instance] {
			t.Errorf("plan said instance %d would hold %d keys, holds %d", ld.Instance, ld.KeysAfter, keys[ld.Instance])
		}
	}
}
