package storage

import (
	"fmt"
	"slices"

	"github.com/shardis/shardis/router"
)

// Instances at run time. The engine creates its spare instances at start
// (Options.MaxInstances), empty and outside the routing table, so the hot
// path indexes a slice that never changes; adding an instance publishes a
// table one instance wider. Removing one marks it retired (no migration
// may target it) and drains its slots; a retired instance keeps its ID,
// owns nothing, and is the first one a later AddInstance puts back in
// service. Placement follows the sharding mode: in ring mode the ring is
// recomputed without or with the instance and only the slots whose ring
// owner changed move; in slots mode the rebalance plan evens slots out.

// active lists the instances in service under t; m.mu is held.
func (m *Migrator) active(t *router.Table) []int {
	var ids []int
	for id := range t.Instances() {
		if !m.removing[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

// AddInstance puts an instance in service, a retired one if there is one
// with nothing left on it, else the next spare one, and queues the
// migrations that give it its share of slots.
func (m *Migrator) AddInstance() (InstanceChange, error) {
	m.pubMu.Lock()
	t := m.e.router.Table()
	m.mu.Lock()
	before := m.active(t)
	id := -1
	for r := range m.removing {
		if (id < 0 || r < id) && m.idle(t, r) {
			id = r
		}
	}
	if id >= 0 {
		delete(m.removing, id)
	} else {
		if t.Instances() >= len(m.e.insts) {
			m.mu.Unlock()
			m.pubMu.Unlock()
			return InstanceChange{}, fmt.Errorf("%w: all %d instances are in service; start shardis with a larger max-instances",
				ErrMigrationConflict, len(m.e.insts))
		}
		id = t.Instances()
		grown, err := t.WithInstances(id + 1)
		if err == nil {
			m.mu.Unlock()
			err = m.install(grown)
			m.mu.Lock()
		}
		if err != nil {
			m.mu.Unlock()
			m.pubMu.Unlock()
			return InstanceChange{}, err
		}
		t = grown
	}
	after := m.active(t)
	m.persistLocked()
	m.mu.Unlock()
	m.pubMu.Unlock()
	ids, err := m.replace(before, after)
	return InstanceChange{Instance: id, Instances: len(after), Migrations: ids}, err
}

// idle reports whether instance id owns no slot and is no migration's
// source or target; m.mu is held.
func (m *Migrator) idle(t *router.Table, id int) bool {
	for s := range router.SlotCount {
		if t.Owner(s) == id || t.Target(s) == id {
			return false
		}
	}
	for _, mg := range m.migs {
		if (mg.State == MigrationPending || mg.State == MigrationMigrating) && mg.Target == id {
			return false
		}
	}
	return true
}

// RemoveInstance retires instance id and queues the migrations that
// drain it. It is refused while a migration still targets it.
func (m *Migrator) RemoveInstance(id int) (InstanceChange, error) {
	t := m.e.router.Table()
	m.mu.Lock()
	if id < 0 || id >= t.Instances() {
		m.mu.Unlock()
		return InstanceChange{}, fmt.Errorf("%w: unknown instance %d (instances are 0..%d)",
			ErrMigrationNotFound, id, t.Instances()-1)
	}
	if m.removing[id] {
		m.mu.Unlock()
		return InstanceChange{}, fmt.Errorf("%w: instance %d is already removed or being removed", ErrMigrationConflict, id)
	}
	before := m.active(t)
	if len(before) == 1 {
		m.mu.Unlock()
		return InstanceChange{}, fmt.Errorf("%w: instance %d is the last one in service", ErrMigrationConflict, id)
	}
	for _, mg := range m.migs {
		if (mg.State == MigrationPending || mg.State == MigrationMigrating) && mg.Target == id {
			m.mu.Unlock()
			return InstanceChange{}, fmt.Errorf("%w: migration %d moves slots to instance %d; cancel it or let it finish first",
				ErrMigrationConflict, mg.ID, id)
		}
	}
	m.removing[id] = true
	after := m.active(t)
	m.persistLocked()
	m.mu.Unlock()
	ids, err := m.replace(before, after)
	return InstanceChange{Instance: id, Instances: len(after), Migrations: ids}, err
}

// replace queues the migrations that take the slots from the placement
// over instances before to the one over after.
func (m *Migrator) replace(before, after []int) ([]int64, error) {
	t := m.e.router.Table()
	want := make(map[int][]int) // target → slots
	if m.e.router.Mode() == router.ModeRing {
		old, err := router.Placement(router.ModeRing, before)
		if err != nil {
			return nil, err
		}
		next, err := router.Placement(router.ModeRing, after)
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		for s := range router.SlotCount {
			_, held := m.reserved[s]
			// Slots whose ring owner changed, and any slot still on a
			// retired instance, go to their new ring owner.
			if !held && t.Owner(s) != next[s] && (old[s] != next[s] || m.removing[t.Owner(s)]) {
				want[next[s]] = append(want[next[s]], s)
			}
		}
		m.mu.Unlock()
	} else {
		pl, err := m.Plan()
		if err != nil {
			return nil, err
		}
		for _, mv := range pl.Moves {
			for _, r := range mv.Slots {
				for s := r[0]; s <= r[1]; s++ {
					want[mv.To] = append(want[mv.To], s)
				}
			}
		}
	}
	targets := make([]int, 0, len(want))
	for tg := range want {
		targets = append(targets, tg)
	}
	slices.Sort(targets)
	ids := []int64{}
	for _, tg := range targets {
		slots := want[tg]
		slices.Sort(slots)
		mg, err := m.Migrate(spans(slots), tg)
		if err != nil {
			return ids, err
		}
		ids = append(ids, mg.ID)
	}
	return ids, nil
}
