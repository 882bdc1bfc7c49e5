package router

import (
	"slices"
	"testing"
)

func TestTableMigrationState(t *testing.T) {
	base := table(t, ModeSlots, 4)
	m := base.With([]SlotState{{Slot: 5, Owner: 0, Target: 3}, {Slot: 6000, Owner: 1, Target: 2}})
	if m.Version() != base.Version()+1 {
		t.Errorf("version %d, want %d", m.Version(), base.Version()+1)
	}
	if base.Migrating(5) || base.MigratingSlots() != 0 {
		t.Error("With changed the table it was built from")
	}
	for _, c := range []struct {
		slot, owner, target int
		owners              []int
	}{
		{5, 0, 3, []int{0, 3}},
		{6000, 1, 2, []int{1, 2}},
		{7, 0, -1, []int{0}},
		{16383, 3, -1, []int{3}},
	} {
		if got := m.Owner(c.slot); got != c.owner {
			t.Errorf("Owner(%d) = %d, want %d", c.slot, got, c.owner)
		}
		if got := m.Target(c.slot); got != c.target {
			t.Errorf("Target(%d) = %d, want %d", c.slot, got, c.target)
		}
		if got := m.Migrating(c.slot); got != (c.target >= 0) {
			t.Errorf("Migrating(%d) = %v", c.slot, got)
		}
		if got := m.AppendOwners(nil, c.slot); !slices.Equal(got, c.owners) {
			t.Errorf("AppendOwners(%d) = %v, want %v", c.slot, got, c.owners)
		}
	}
	if got := m.SlotCounts(); !slices.Equal(got, base.SlotCounts()) {
		t.Errorf("SlotCounts while migrating = %v, want %v", got, base.SlotCounts())
	}
	if got := m.Ranges(); !slices.Equal(got, base.Ranges()) {
		t.Errorf("Ranges while migrating = %v", got)
	}
	done := m.With([]SlotState{{Slot: 5, Owner: 3, Target: -1}})
	if done.Migrating(5) || done.Owner(5) != 3 || done.MigratingSlots() != 1 {
		t.Errorf("after flip: owner %d migrating %v (%d slots)", done.Owner(5), done.Migrating(5), done.MigratingSlots())
	}
	if w := done.WithOwner(6000, 1); w.Migrating(6000) || w.MigratingSlots() != 0 {
		t.Error("WithOwner left the slot migrating")
	}
}

func TestFromOwners(t *testing.T) {
	base := table(t, ModeRing, 5)
	owners := make([]int, SlotCount)
	for s := range owners {
		owners[s] = base.Owner(s)
	}
	got, err := FromOwners(5, owners, map[int]int{9: (owners[9] + 1) % 5}, 42)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version() != 42 || got.Target(9) != (owners[9]+1)%5 || got.Instances() != 5 {
		t.Errorf("FromOwners: version %d target %d", got.Version(), got.Target(9))
	}
	for s := range SlotCount {
		if got.Owner(s) != owners[s] {
			t.Fatalf("slot %d: %d, want %d", s, got.Owner(s), owners[s])
		}
	}
	bad := slices.Clone(owners)
	bad[3] = 5
	for name, f := range map[string]func() error{
		"owner out of range":  func() error { _, err := FromOwners(5, bad, nil, 1); return err },
		"short":               func() error { _, err := FromOwners(5, owners[:10], nil, 1); return err },
		"target is the owner": func() error { _, err := FromOwners(5, owners, map[int]int{1: owners[1]}, 1); return err },
		"target out of range": func() error { _, err := FromOwners(5, owners, map[int]int{1: 7}, 1); return err },
	} {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestPlacementRingMovesFewSlots(t *testing.T) {
	before, err := Placement(ModeRing, []int{0, 1, 2, 3, 4, 5, 6, 7})
	if err != nil {
		t.Fatal(err)
	}
	tbl := table(t, ModeRing, 8)
	for s := range SlotCount {
		if before[s] != tbl.Owner(s) {
			t.Fatalf("Placement differs from NewTable at slot %d", s)
		}
	}
	after, err := Placement(ModeRing, []int{0, 1, 2, 3, 4, 5, 6, 7, 8})
	if err != nil {
		t.Fatal(err)
	}
	moved := 0
	for s := range SlotCount {
		if before[s] != after[s] {
			moved++
			if after[s] != 8 {
				t.Errorf("slot %d moved from %d to %d, not to the new instance", s, before[s], after[s])
			}
		}
	}
	// About 1/9 of the slots; bounded loads may move a few more.
	if moved < SlotCount/12 || moved > SlotCount/6 {
		t.Errorf("adding a ninth instance moved %d slots, want about %d", moved, SlotCount/9)
	}
}
