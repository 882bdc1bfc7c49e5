package router

import (
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/buraksezer/consistent"
	"github.com/cespare/xxhash/v2"
)

// Mode names how slots are first assigned to instances.
type Mode string

const (
	// ModeSlots gives each instance one contiguous range of slots.
	ModeSlots Mode = "slots"
	// ModeRing places slots with a bounded-load consistent-hash ring, so
	// adding or removing an instance moves few slots.
	ModeRing Mode = "ring"
)

// ParseMode validates a --sharding value.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case ModeSlots, ModeRing:
		return Mode(s), nil
	}
	return "", fmt.Errorf("router: unknown sharding mode %q (want slots or ring)", s)
}

// Table maps every slot to the instance that owns it. A Table is immutable
// once published; changes build a new Table and swap it in.
type Table struct {
	// owner is the instance owning each slot; migFlag marks a slot being
	// migrated, whose target is in targets (migration.go).
	owner     [SlotCount]uint16
	instances int
	version   uint64
	targets   map[int]int
}

// Owner is the instance owning slot (the source, while it migrates).
func (t *Table) Owner(slot int) int { return int(t.owner[slot] &^ migFlag) }

// OwnerOf is the instance owning key.
func (t *Table) OwnerOf(key []byte) int { return t.Owner(Slot(key)) }

// Instances is the number of instances the table spreads slots over.
func (t *Table) Instances() int { return t.instances }

// Version increases with every change published through a Router.
func (t *Table) Version() uint64 { return t.version }

// SlotsOf lists the slots instance id owns, in ascending order.
func (t *Table) SlotsOf(id int) []int {
	var out []int
	for s, o := range t.owner {
		if int(o&^migFlag) == id {
			out = append(out, s)
		}
	}
	return out
}

// SlotCounts is the number of slots each instance owns, by ID.
func (t *Table) SlotCounts() []int {
	out := make([]int, t.instances)
	for _, o := range t.owner {
		out[o&^migFlag]++
	}
	return out
}

// Range is a run of consecutive slots with one owner.
type Range struct {
	Start, End int // inclusive
	Instance   int
}

// Ranges compresses the table into runs of consecutive slots.
func (t *Table) Ranges() []Range {
	var out []Range
	for s := 0; s < SlotCount; s++ {
		o := t.Owner(s)
		if n := len(out); n > 0 && out[n-1].Instance == o && out[n-1].End == s-1 {
			out[n-1].End = s
			continue
		}
		out = append(out, Range{Start: s, End: s, Instance: o})
	}
	return out
}

// WithOwner returns a copy of t in which slot belongs to id, and is not
// migrating.
func (t *Table) WithOwner(slot, id int) *Table {
	return t.With([]SlotState{{Slot: slot, Owner: id, Target: -1}})
}

// NewTable assigns the slots to n instances as mode says.
func NewTable(mode Mode, n int) (*Table, error) {
	if n < 1 || n > SlotCount {
		return nil, fmt.Errorf("router: instance count %d out of range 1..%d", n, SlotCount)
	}
	t := &Table{instances: n}
	switch mode {
	case ModeSlots:
		// Instance i gets [i*16384/n, (i+1)*16384/n): equal contiguous
		// ranges, 256 slots each for the default 64 instances.
		for i := 0; i < n; i++ {
			for s := i * SlotCount / n; s < (i+1)*SlotCount/n; s++ {
				t.owner[s] = uint16(i)
			}
		}
	case ModeRing:
		ids := make([]int, n)
		for i := range ids {
			ids[i] = i
		}
		owners, err := ringOwners(ids)
		if err != nil {
			return nil, err
		}
		for s, id := range owners {
			t.owner[s] = uint16(id)
		}
	default:
		return nil, fmt.Errorf("router: unknown sharding mode %q", mode)
	}
	return t, nil
}

// ringOwners places the slots on a ring of the instances ids.
func ringOwners(ids []int) ([]int, error) {
	ring := consistent.New(nil, ringConfig())
	for _, id := range ids {
		ring.Add(member(id))
	}
	out := make([]int, SlotCount)
	for s := range out {
		id, err := strconv.Atoi(ring.GetPartitionOwner(s).String())
		if err != nil {
			return nil, fmt.Errorf("router: ring member name: %w", err)
		}
		out[s] = id
	}
	return out, nil
}

// ringConfig uses the 16384 slots as the ring's partitions, so both modes
// share one slot space and one migration mechanism. 100 virtual nodes per
// member and a 1.25 load bound keep movement near the 1/n minimum.
func ringConfig() consistent.Config {
	return consistent.Config{
		Hasher:            xxHasher{},
		PartitionCount:    SlotCount,
		ReplicationFactor: 100,
		Load:              1.25,
	}
}

type xxHasher struct{}

func (xxHasher) Sum64(b []byte) uint64 { return xxhash.Sum64(b) }

type member int

func (m member) String() string { return strconv.Itoa(int(m)) }

// Router publishes the current Table. Readers on the request path load it
// with one atomic pointer read and never lock.
type Router struct {
	mode  Mode
	table atomic.Pointer[Table]
}

// New returns a Router over a fresh table for n instances.
func New(mode Mode, n int) (*Router, error) {
	t, err := NewTable(mode, n)
	if err != nil {
		return nil, err
	}
	r := &Router{mode: mode}
	r.table.Store(t)
	return r, nil
}

// Mode is the sharding mode the router was created with.
func (r *Router) Mode() Mode { return r.mode }

// Table is the current routing table.
func (r *Router) Table() *Table { return r.table.Load() }

// Publish atomically replaces the routing table.
func (r *Router) Publish(t *Table) { r.table.Store(t) }
