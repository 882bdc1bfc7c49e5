package router

import (
	"fmt"
	"maps"
)

// Migration state in the routing table.
//
// A slot being migrated has two owners: the source (Owner) that still
// holds some of its keys and the target (Target) that receives them. The
// high bit of the owner entry flags it, so the hot path pays one load and
// one predictable branch for a slot that is not moving; the targets of the
// few migrating slots live in a small map beside the array.

// migFlag marks a migrating slot in Table.owner; instance IDs stay below
// SlotCount (1<<14), so the bit is free.
const migFlag = 1 << 15

// SlotState is one slot's routing: its owner, and the instance it is
// migrating to (-1 when it is not migrating).
type SlotState struct {
	Slot, Owner, Target int
}

// Route is Owner and Migrating from one load: the request path's lookup.
func (t *Table) Route(slot int) (owner int, migrating bool) {
	o := t.owner[slot]
	return int(o &^ migFlag), o&migFlag != 0
}

// Migrating reports whether slot is being migrated.
func (t *Table) Migrating(slot int) bool { return t.owner[slot]&migFlag != 0 }

// Target is the instance slot is migrating to, or -1.
func (t *Table) Target(slot int) int {
	if t.owner[slot]&migFlag == 0 {
		return -1
	}
	return t.targets[slot]
}

// MigratingSlots is the number of slots being migrated.
func (t *Table) MigratingSlots() int { return len(t.targets) }

// Targets lists the migrating slots and their targets (a copy).
func (t *Table) Targets() map[int]int { return maps.Clone(t.targets) }

// AppendOwners appends the instances a command touching slot must lock:
// the owner, and the target too while the slot migrates.
func (t *Table) AppendOwners(dst []int, slot int) []int {
	o := t.owner[slot]
	dst = append(dst, int(o&^migFlag))
	if o&migFlag != 0 {
		dst = append(dst, t.targets[slot])
	}
	return dst
}

// With returns a copy of t, one version later, with the given slots
// changed. Target -1 ends a slot's migration; a target equal to the owner
// is refused by Validate, not here.
func (t *Table) With(changes []SlotState) *Table {
	n := *t
	n.version = t.version + 1
	n.targets = maps.Clone(t.targets)
	for _, c := range changes {
		n.owner[c.Slot] = uint16(c.Owner)
		delete(n.targets, c.Slot)
		if c.Target >= 0 {
			if n.targets == nil {
				n.targets = make(map[int]int)
			}
			n.owner[c.Slot] |= migFlag
			n.targets[c.Slot] = c.Target
		}
	}
	if len(n.targets) == 0 {
		n.targets = nil
	}
	return &n
}

// WithInstances returns a copy of t, one version later, spanning n
// instances. Shrinking is refused while a removed instance owns a slot or
// is a migration target.
func (t *Table) WithInstances(n int) (*Table, error) {
	if n < 1 || n > SlotCount {
		return nil, fmt.Errorf("router: instance count %d out of range 1..%d", n, SlotCount)
	}
	for s := range SlotCount {
		if t.Owner(s) >= n || t.Target(s) >= n {
			return nil, fmt.Errorf("router: slot %d still lives on an instance past %d", s, n-1)
		}
	}
	c := *t
	c.version = t.version + 1
	c.instances = n
	c.targets = maps.Clone(t.targets)
	return &c, nil
}

// FromOwners builds a table from a slot → owner list and the targets of
// migrating slots, checking both: how persisted routing state is loaded.
func FromOwners(instances int, owners []int, targets map[int]int, version uint64) (*Table, error) {
	if instances < 1 || instances > SlotCount {
		return nil, fmt.Errorf("router: instance count %d out of range 1..%d", instances, SlotCount)
	}
	if len(owners) != SlotCount {
		return nil, fmt.Errorf("router: %d slot owners, want %d", len(owners), SlotCount)
	}
	t := &Table{instances: instances, version: version}
	for s, o := range owners {
		if o < 0 || o >= instances {
			return nil, fmt.Errorf("router: slot %d owned by unknown instance %d", s, o)
		}
		t.owner[s] = uint16(o)
	}
	var ch []SlotState
	for s, tg := range targets {
		if s < 0 || s >= SlotCount || tg < 0 || tg >= instances || tg == owners[s] {
			return nil, fmt.Errorf("router: bad migration of slot %d to %d", s, tg)
		}
		ch = append(ch, SlotState{Slot: s, Owner: owners[s], Target: tg})
	}
	if len(ch) > 0 {
		t = t.With(ch)
		t.version = version
	}
	return t, nil
}

// Placement computes where mode would put every slot over the instances
// in ids (ring mode: only slots whose ring owner changed move when ids
// grow or shrink by one). The result is indexed by slot.
func Placement(mode Mode, ids []int) ([]int, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("router: no instances to place slots on")
	}
	out := make([]int, SlotCount)
	switch mode {
	case ModeSlots:
		n := len(ids)
		for i, id := range ids {
			for s := i * SlotCount / n; s < (i+1)*SlotCount/n; s++ {
				out[s] = id
			}
		}
	case ModeRing:
		owners, err := ringOwners(ids)
		if err != nil {
			return nil, err
		}
		copy(out, owners)
	default:
		return nil, fmt.Errorf("router: unknown sharding mode %q", mode)
	}
	return out, nil
}
