package storage

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/shardis/shardis/router"
)

// The mover: the Migrator's goroutine, which runs queued migrations one at
// a time. A migration goes through its slots in groups: publish a table
// marking the group migrating, drain each slot of the group from its
// source in small batches, then publish a table giving the group to the
// target. See doc.go, "Migration".

var (
	errStopped   = errors.New("storage: migrator stopped")
	errCancelled = errors.New("storage: migration cancelled")
)

func (m *Migrator) loop(stop, done chan struct{}) {
	defer close(done)
	if err := m.settleOrphans(stop); err != nil {
		return
	}
	for {
		mg := m.runnable()
		if mg == nil {
			select {
			case <-stop:
				return
			case <-m.wake:
			}
			continue
		}
		m.e.jobs.begin()
		err := m.run(mg, stop)
		m.e.jobs.end()
		if errors.Is(err, errStopped) {
			return
		}
	}
}

// runnable is the oldest unfinished migration, unless paused.
func (m *Migrator) runnable() *migration {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.paused {
		return nil
	}
	for _, mg := range m.migs {
		if mg.State == MigrationPending || mg.State == MigrationMigrating {
			return mg
		}
	}
	return nil
}

// run takes mg from where it is to done, cancelled or failed, or returns
// errStopped with its slots in flight left migrating.
func (m *Migrator) run(mg *migration, stop chan struct{}) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("storage: migration %d: %v", mg.ID, v)
		}
		if err == nil || errors.Is(err, errStopped) {
			return
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		if errors.Is(err, errCancelled) {
			m.finishLocked(mg, MigrationCancelled)
		} else {
			mg.Errors = append(mg.Errors, err.Error())
			m.finishLocked(mg, MigrationFailed)
		}
		m.persistLocked()
	}()
	m.mu.Lock()
	first := mg.State == MigrationPending
	if first {
		mg.State = MigrationMigrating
		mg.Started = time.Now().UTC()
	} else if mg.Started.IsZero() {
		mg.Started = time.Now().UTC()
	}
	mg.startKeys, mg.startBytes = mg.KeysMoved, mg.BytesMoved
	cancel, next := mg.cancel, mg.next
	m.mu.Unlock()
	if first {
		// Progress is kept in memory only: writing the routing state
		// costs fsyncs, and a restart finds what is done from the table
		// (a slot already on the target is skipped).
		k, b := m.estimate(mg.slots[next:])
		m.mu.Lock()
		mg.KeysTotal, mg.BytesTotal = k, b
		m.mu.Unlock()
	}
	if cancel {
		// Resumed after a restart in the middle of a cancel: settle
		// whatever of it is still in flight, as the cancel left it.
		for _, s := range mg.slots {
			if err := m.settle(mg, s, stop); err != nil {
				return err
			}
		}
		return errCancelled
	}
	for next < len(mg.slots) {
		end := min(next+m.groupSlots, len(mg.slots))
		group := mg.slots[next:end]
		following := mg.slots[end:min(end+m.groupSlots, len(mg.slots))]
		if err := m.moveGroup(mg, group, following, stop); err != nil {
			return err
		}
		m.mu.Lock()
		mg.next = end
		next = end
		m.mu.Unlock()
	}
	m.mu.Lock()
	m.finishLocked(mg, MigrationDone)
	m.persistLocked()
	m.mu.Unlock()
	return nil
}

// estimate counts the keys slots hold now, and estimates their bytes from
// each source's average key size (what moving a key counts: its charge,
// not the key tables', which shrink and grow on their own).
func (m *Migrator) estimate(slots []int) (keys, bytes int64) {
	var buf [2]int
	for _, s := range slots {
		_, ids := m.e.lockSlot(s, buf[:])
		in := m.e.insts[ids[0]]
		var n, tables int64
		for _, id := range ids {
			for d := range m.e.insts[id].dbs {
				n += int64(m.e.insts[id].dbs[d].SlotLen(s))
			}
		}
		for d := range in.dbs {
			tables += in.dbs[d].keyTableBytes
		}
		used, k := in.used.Load(), in.keys.Load()
		m.e.unlock(ids)
		keys += n
		if k > 0 {
			bytes += n * max(used-tables, 0) / k
		}
	}
	return keys, bytes
}

// moveGroup migrates one group of mg's slots: mark, drain, flip. The
// table that gives the group to the target also marks the following
// group migrating, so each group costs one table (and one write of the
// routing state), not two.
func (m *Migrator) moveGroup(mg *migration, group, following []int, stop chan struct{}) error {
	// A slot left migrating elsewhere (a failed migration) is settled
	// first: keys of one slot must never be on three instances.
	t := m.e.router.Table()
	for _, s := range group {
		if tg := t.Target(s); tg >= 0 && tg != mg.Target {
			if err := m.settle(mg, s, stop); err != nil {
				return err
			}
		}
	}
	var mark []router.SlotState
	err := m.publish(func(t *router.Table) []router.SlotState {
		for _, s := range group {
			if !t.Migrating(s) && t.Owner(s) != mg.Target {
				mark = append(mark, router.SlotState{Slot: s, Owner: t.Owner(s), Target: mg.Target})
			}
		}
		return mark
	})
	if err != nil {
		return err
	}
	t = m.e.router.Table()
	for _, s := range group {
		if !t.Migrating(s) {
			continue
		}
		err := m.drain(mg, s, t.Owner(s), t.Target(s), stop)
		if errors.Is(err, errCancelled) {
			// Put the group back: every slot of it that is migrating
			// goes back to where it came from, by the same machinery.
			err := m.publish(func(t *router.Table) []router.SlotState {
				var back []router.SlotState
				for _, s := range group {
					if t.Migrating(s) {
						back = append(back, router.SlotState{Slot: s, Owner: t.Target(s), Target: t.Owner(s)})
					}
				}
				return back
			})
			if err != nil {
				return err
			}
			for _, s := range group {
				if err := m.settle(mg, s, stop); err != nil {
					return err
				}
			}
			return errCancelled
		}
		if err != nil {
			return err
		}
	}
	return m.flip(group, following, mg.Target)
}

// settle finishes slot's migration toward whatever target the table
// names, ignoring pause and cancel (it is the way out of both).
func (m *Migrator) settle(mg *migration, slot int, stop chan struct{}) error {
	t := m.e.router.Table()
	if !t.Migrating(slot) {
		return nil
	}
	if err := m.drainWith(mg, slot, t.Owner(slot), t.Target(slot), stop, false); err != nil {
		return err
	}
	return m.flip([]int{slot}, nil, -1)
}

// flip gives the migrating slots among group to their targets, once
// their sources are empty, and marks the slots of next that are neither
// migrating nor on target as migrating to it. Nothing writes to a
// migrating slot's source, so a source found empty stays empty.
func (m *Migrator) flip(group, next []int, target int) error {
	var err error
	perr := m.publish(func(t *router.Table) []router.SlotState {
		var ch []router.SlotState
		for _, s := range group {
			if !t.Migrating(s) {
				continue
			}
			if n := m.sourceLen(s, t.Owner(s)); n > 0 {
				err = fmt.Errorf("storage: slot %d still has %d keys on instance %d", s, n, t.Owner(s))
				continue
			}
			ch = append(ch, router.SlotState{Slot: s, Owner: t.Target(s), Target: -1})
		}
		if err != nil {
			return ch
		}
		for _, s := range next {
			if !t.Migrating(s) && t.Owner(s) != target {
				ch = append(ch, router.SlotState{Slot: s, Owner: t.Owner(s), Target: target})
			}
		}
		return ch
	})
	return cmp.Or(perr, err)
}

// sourceLen counts slot's keys on instance id in every database.
func (m *Migrator) sourceLen(slot, id int) int {
	in := m.e.insts[id]
	in.lock()
	defer in.unlock()
	n := 0
	for d := range in.dbs {
		n += in.dbs[d].SlotLen(slot)
	}
	return n
}

// publish builds a table from the current one with the changes fn
// returns and installs it when there are any. Tables are built and
// published one at a time.
func (m *Migrator) publish(fn func(t *router.Table) []router.SlotState) error {
	m.pubMu.Lock()
	defer m.pubMu.Unlock()
	t := m.e.router.Table()
	ch := fn(t)
	if len(ch) == 0 {
		return nil
	}
	return m.install(t.With(ch))
}

// install makes t the routing table: on disk first, when persistence is
// on, then published. So the file never names an older table than the
// one commands route with, and a crash can only leave it one step ahead
// of the keys, which a migrating slot tolerates (its keys may be on
// either owner) and a flip too (the source was empty). If the write
// fails, nothing is published. m.pubMu is held.
func (m *Migrator) install(t *router.Table) error {
	m.mu.Lock()
	prev := m.table
	m.table = t
	if m.dir != "" {
		if err := m.writeLocked(); err != nil {
			m.table = prev
			m.persistErr = err.Error()
			m.mu.Unlock()
			return err
		}
		m.persistErr = ""
	}
	m.mu.Unlock()
	m.e.router.Publish(t)
	return nil
}

func (m *Migrator) drain(mg *migration, slot, src, dst int, stop chan struct{}) error {
	return m.drainWith(mg, slot, src, dst, stop, true)
}

// drainWith moves slot's keys from src to dst in every database, batch by
// batch, yielding between batches; obey says whether pause, cancel and
// the throttle apply.
func (m *Migrator) drainWith(mg *migration, slot, src, dst int, stop chan struct{}, obey bool) error {
	from, to := m.e.insts[src], m.e.insts[dst]
	for dbi := range from.dbs {
		for {
			th, err := m.checkpoint(mg, stop, obey)
			if err != nil {
				return err
			}
			limit := m.batchKeys
			if th.KeysPerSec > 0 {
				limit = int(min(int64(limit), max(1, th.KeysPerSec/50)))
			}
			fwd := m.forwardedKeys.Load()
			fwdB := m.forwardedBytes.Load()
			t0 := time.Now()
			keys, bytes, empty := m.e.drainBatch(from, to, dbi, slot, limit, m.hold)
			// Work at most half the time: after each millisecond of
			// moving, rest as long. Unbounded, the mover takes a whole
			// core from the event loops; at half duty clients keep most
			// of their throughput and their tail latency (see doc.go).
			if m.busy += time.Since(t0); m.busy >= time.Millisecond {
				time.Sleep(m.busy)
				m.busy = 0
			}
			m.movedKeys.Add(int64(keys))
			m.movedBytes.Add(bytes)
			if mg != nil {
				m.mu.Lock()
				// Keys commands moved meanwhile belong to the one
				// running migration too.
				mg.KeysMoved += int64(keys) + m.forwardedKeys.Load() - fwd
				mg.BytesMoved += bytes + m.forwardedBytes.Load() - fwdB
				m.mu.Unlock()
			}
			if obey && keys > 0 {
				m.pace(th, int64(keys), bytes, stop)
			}
			if empty {
				break
			}
			runtime.Gosched()
		}
	}
	return nil
}

// checkpoint is where the mover waits while paused and notices cancel
// and stop. It returns the throttle to apply.
func (m *Migrator) checkpoint(mg *migration, stop chan struct{}, obey bool) (Throttle, error) {
	for {
		select {
		case <-stop:
			return Throttle{}, errStopped
		default:
		}
		if !obey {
			return Throttle{}, nil
		}
		m.mu.Lock()
		paused, cancel, th := m.paused, mg.cancel, m.throttle
		m.mu.Unlock()
		if cancel {
			return th, errCancelled
		}
		if !paused {
			return th, nil
		}
		select {
		case <-stop:
			return Throttle{}, errStopped
		case <-m.wake:
		}
	}
}

// pacer state lives on the Migrator goroutine only.
type pacer struct {
	th          Throttle
	start       time.Time
	keys, bytes int64
	initialised bool
}

// pace sleeps as long as the throttle asks for the data moved so far.
func (m *Migrator) pace(th Throttle, keys, bytes int64, stop chan struct{}) {
	p := &m.pacer
	now := time.Now()
	if !p.initialised || p.th != th {
		*p = pacer{th: th, start: now, initialised: true}
	}
	p.keys += keys
	p.bytes += bytes
	var need time.Duration
	if th.KeysPerSec > 0 {
		need = max(need, time.Duration(float64(p.keys)/float64(th.KeysPerSec)*float64(time.Second)))
	}
	if th.BytesPerSec > 0 {
		need = max(need, time.Duration(float64(p.bytes)/float64(th.BytesPerSec)*float64(time.Second)))
	}
	elapsed := now.Sub(p.start)
	if need <= elapsed {
		if elapsed > 2*time.Second {
			// Not behind: start a fresh window so idle time is not
			// banked as a burst allowance.
			*p = pacer{th: th, start: now, initialised: true}
		}
		return
	}
	d := min(need-elapsed, 100*time.Millisecond)
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-stop:
	case <-tm.C:
	}
}

// settleOrphans finishes slots the table shows migrating that no
// unfinished migration holds: what a crash between marking a group and
// recording it, or a failed migration, can leave behind.
func (m *Migrator) settleOrphans(stop chan struct{}) error {
	for s := range m.e.router.Table().Targets() {
		m.mu.Lock()
		_, held := m.reserved[s]
		m.mu.Unlock()
		if held {
			continue
		}
		if err := m.settle(nil, s, stop); err != nil {
			return err
		}
	}
	return nil
}
