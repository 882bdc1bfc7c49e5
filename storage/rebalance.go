package storage

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	"github.com/shardis/shardis/router"
)

// Rebalance planning: which slots should move where so that instances
// hold even shares, first of slots, then of keys. Keys are counted per
// slot from the key tables (O(1) per slot and database); bytes would need a
// walk over every value, so the plan balances keys and reports bytes
// nowhere.

// PlanMove is one group of slots the plan moves from one instance to
// another, with why.
type PlanMove struct {
	Slots  []SlotSpan `json:"slots"`
	From   int        `json:"from"`
	To     int        `json:"to"`
	Keys   int64      `json:"keys"`
	Reason string     `json:"reason"`
}

// PlanLoad is one instance's share before and after the plan.
type PlanLoad struct {
	Instance    int   `json:"instance"`
	SlotsBefore int   `json:"slots_before"`
	SlotsAfter  int   `json:"slots_after"`
	KeysBefore  int64 `json:"keys_before"`
	KeysAfter   int64 `json:"keys_after"`
}

// Plan is a rebalance plan.
type Plan struct {
	Moves      []PlanMove `json:"moves"`
	SlotsMoved int        `json:"slots_moved"`
	KeysMoved  int64      `json:"keys_moved"`
	Instances  []PlanLoad `json:"instances"`
	// Migrations are the IDs the plan was queued as (not for dry runs).
	Migrations []int64 `json:"migrations"`
}

// keyImbalance is how far (as a share of the mean) the most loaded
// instance may be above the least before keys are rebalanced.
const keyImbalance = 0.10

type planner struct {
	owner  []int   // by slot, updated as moves are planned
	keys   []int64 // by slot
	fixed  []bool  // by slot: held by a migration, not to be moved
	active []int   // instances that should hold slots
	slots  map[int]int
	load   map[int]int64
	orig   []int    // by slot: the owner before the plan
	why    []string // by slot: the reason of its last planned move
}

// Plan computes a rebalance plan over the instances that are not being
// removed. Slots held by unfinished migrations stay where they are.
func (m *Migrator) Plan() (Plan, error) {
	t := m.e.router.Table()
	p := &planner{
		owner: make([]int, router.SlotCount), keys: make([]int64, router.SlotCount),
		fixed: make([]bool, router.SlotCount), slots: map[int]int{}, load: map[int]int64{},
		why: make([]string, router.SlotCount),
	}
	var buf [2]int
	for s := range router.SlotCount {
		tbl, ids := m.e.lockSlot(s, buf[:])
		var n int64
		for _, id := range ids {
			for d := range m.e.insts[id].dbs {
				n += int64(m.e.insts[id].dbs[d].SlotLen(s))
			}
		}
		m.e.unlock(ids)
		p.keys[s] = n
		p.owner[s] = tbl.Owner(s)
		if tg := tbl.Target(s); tg >= 0 {
			p.owner[s], p.fixed[s] = tg, true
		}
	}
	m.mu.Lock()
	for s := range m.reserved {
		p.fixed[s] = true
		p.owner[s] = m.find(m.reserved[s]).Target
	}
	for id := range t.Instances() {
		if !m.removing[id] {
			p.active = append(p.active, id)
		}
	}
	m.mu.Unlock()
	if len(p.active) == 0 {
		return Plan{}, fmt.Errorf("%w: no instance left to hold slots", ErrMigrationInvalid)
	}
	p.orig = slices.Clone(p.owner)
	before := p.tally(t.Instances())
	p.balanceSlots()
	p.balanceKeys()
	return p.result(before, t.Instances()), nil
}

func (p *planner) tally(n int) []PlanLoad {
	clear(p.slots)
	clear(p.load)
	out := make([]PlanLoad, n)
	for i := range out {
		out[i].Instance = i
	}
	for s, o := range p.owner {
		p.slots[o]++
		p.load[o] += p.keys[s]
		out[o].SlotsBefore++
		out[o].KeysBefore += p.keys[s]
	}
	return out
}

func (p *planner) move(s, to int, reason string) {
	from := p.owner[s]
	p.owner[s] = to
	p.slots[from]--
	p.slots[to]++
	p.load[from] -= p.keys[s]
	p.load[to] += p.keys[s]
	p.why[s] = reason
}

// balanceSlots gives every active instance 16384/n slots (the remainder
// one more each, to those holding most already), taking slots from
// instances over their quota and from instances being removed.
func (p *planner) balanceSlots() {
	n := len(p.active)
	order := slices.Clone(p.active)
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p.slots[b], p.slots[a]) })
	quota := map[int]int{}
	for i, id := range order {
		quota[id] = router.SlotCount / n
		if i < router.SlotCount%n {
			quota[id]++
		}
	}
	isActive := func(id int) bool { _, ok := quota[id]; return ok }
	mean := int64(0)
	for _, id := range p.active {
		mean += p.load[id]
	}
	for s, o := range p.owner {
		if !isActive(o) && !p.fixed[s] {
			to := p.neediest(quota)
			p.move(s, to, fmt.Sprintf("instance %d is being removed", o))
		}
	}
	mean = mean / int64(n)
	for {
		to := p.neediest(quota)
		if p.slots[to] >= quota[to] {
			return
		}
		from, excess := -1, 0
		for _, id := range p.active {
			if e := p.slots[id] - quota[id]; e > excess {
				from, excess = id, e
			}
		}
		if from < 0 {
			return
		}
		// The donor's slot whose keys best even out both sides.
		want := max(0, min(p.load[from]-mean, mean-p.load[to]))
		best := -1
		for s, o := range p.owner {
			if o != from || p.fixed[s] {
				continue
			}
			if best < 0 || abs64(p.keys[s]-want) < abs64(p.keys[best]-want) {
				best = s
			}
		}
		if best < 0 {
			return
		}
		p.move(best, to, fmt.Sprintf("instance %d holds %d slots, more than its share %d", from, p.slots[from], quota[from]))
	}
}

// neediest is the active instance furthest below its slot quota.
func (p *planner) neediest(quota map[int]int) int {
	best, gap := p.active[0], -1<<31
	for _, id := range p.active {
		if g := quota[id] - p.slots[id]; g > gap {
			best, gap = id, g
		}
	}
	return best
}

// balanceKeys swaps slots between the most and the least loaded
// instances while that evens keys out by more than keyImbalance of the
// mean: a swap keeps every instance's slot count.
func (p *planner) balanceKeys() {
	var total int64
	for _, id := range p.active {
		total += p.load[id]
	}
	mean := total / int64(len(p.active))
	if mean < 100 {
		return // too few keys for their spread to matter
	}
	for range 2 * router.SlotCount {
		hi, lo := p.active[0], p.active[0]
		for _, id := range p.active {
			if p.load[id] > p.load[hi] {
				hi = id
			}
			if p.load[id] < p.load[lo] {
				lo = id
			}
		}
		gap := p.load[hi] - p.load[lo]
		if float64(gap) <= keyImbalance*float64(mean) {
			return
		}
		var los []int
		for s, o := range p.owner {
			if o == lo && !p.fixed[s] {
				los = append(los, s)
			}
		}
		sort.Slice(los, func(i, j int) bool { return p.keys[los[i]] < p.keys[los[j]] })
		// Find a (from hi, from lo) pair whose key difference is
		// closest to half the gap without passing it.
		bestA, bestB, bestD := -1, -1, int64(0)
		for a, o := range p.owner {
			if o != hi || p.fixed[a] {
				continue
			}
			want := p.keys[a] - gap/2
			i := sort.Search(len(los), func(i int) bool { return p.keys[los[i]] >= want })
			for _, j := range []int{i, i - 1} {
				if j < 0 || j >= len(los) {
					continue
				}
				b := los[j]
				d := p.keys[a] - p.keys[b]
				if d > 0 && d < gap && d > bestD {
					bestA, bestB, bestD = a, b, d
				}
			}
		}
		if bestA < 0 || float64(bestD) < 0.01*float64(mean) {
			return
		}
		reason := fmt.Sprintf("instance %d holds %d keys, instance %d %d: swap to even keys", hi, p.load[hi], lo, p.load[lo])
		p.move(bestA, lo, reason)
		p.move(bestB, hi, reason)
	}
}

// result turns the planned moves into a Plan: each slot moves at most
// once, from where it is to where the plan leaves it.
func (p *planner) result(before []PlanLoad, n int) Plan {
	var pl Plan
	group := map[[2]int][]int{}
	reason := map[[2]int]string{}
	for s, o := range p.owner {
		if o == p.orig[s] {
			continue // not moved, or moved there and back
		}
		g := [2]int{p.orig[s], o}
		group[g] = append(group[g], s)
		if _, ok := reason[g]; !ok {
			reason[g] = p.why[s]
		}
	}
	keys := make([]int64, router.SlotCount)
	copy(keys, p.keys)
	for g, slots := range group {
		slices.Sort(slots)
		mv := PlanMove{Slots: spans(slots), From: g[0], To: g[1], Reason: reason[g]}
		for _, s := range slots {
			mv.Keys += keys[s]
		}
		pl.Moves = append(pl.Moves, mv)
		pl.SlotsMoved += len(slots)
		pl.KeysMoved += mv.Keys
	}
	slices.SortFunc(pl.Moves, func(a, b PlanMove) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	for s, o := range p.owner {
		before[o].SlotsAfter++
		before[o].KeysAfter += p.keys[s]
	}
	pl.Instances = before[:n]
	if pl.Moves == nil {
		pl.Moves = []PlanMove{}
	}
	pl.Migrations = []int64{}
	return pl
}

// Rebalance plans and, unless dryRun, queues the plan as one migration
// per target instance. An empty plan is an error: nothing to do.
func (m *Migrator) Rebalance(dryRun bool) (Plan, error) {
	pl, err := m.Plan()
	if err != nil {
		return pl, err
	}
	if dryRun {
		return pl, nil
	}
	if len(pl.Moves) == 0 {
		return pl, fmt.Errorf("%w: empty plan: the instances are already balanced", ErrMigrationConflict)
	}
	byTarget := map[int][]SlotSpan{}
	for _, mv := range pl.Moves {
		byTarget[mv.To] = append(byTarget[mv.To], mv.Slots...)
	}
	targets := make([]int, 0, len(byTarget))
	for t := range byTarget {
		targets = append(targets, t)
	}
	slices.Sort(targets)
	for _, t := range targets {
		mg, err := m.Migrate(byTarget[t], t)
		if err != nil {
			return pl, err
		}
		pl.Migrations = append(pl.Migrations, mg.ID)
	}
	return pl, nil
}
