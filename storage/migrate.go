package storage

import (
	"time"
	"unsafe"

	"github.com/shardis/shardis/router"
)

// The data side of slot migration: moving one key, forwarding a command's
// key on access, and routing again when the table changed under a
// command. The Migrator (migrator.go) drives these; see doc.go,
// "Migration", for the protocol and its invariants.

// moveKey moves key, of slot in database dbi, from src to dst, both
// locked; it is the only code that moves keys between instances. The
// *Value changes hands, so the cost is O(1) however large the value; owned,
// when not "", is the string the source's map keeps for key, which the
// target's map then keeps too (no copy of the name, and a string made
// with its bytes, PutString's, stays one allocation). An expired key is
// deleted through the expiry path instead (counted, reported to
// OnExpire), so a move never resurrects one. It reports whether a live
// key moved and the bytes charged for it, which pass from src to dst.
func (e *Engine) moveKey(src, dst *Instance, dbi, slot int, key []byte, owned string, now int64) (bool, int64) {
	sdb := &src.dbs[dbi]
	v := sdb.get(slot, key)
	if v == nil {
		return false, 0
	}
	if v.expireAt != 0 && now > v.expireAt {
		e.expireKey(src, dbi, sdb, slot, key)
		return false, 0
	}
	if owned == "" {
		owned = string(key) // a command's key, on the forward path
	}
	sdb.remove(slot, key)
	n := chargedSize(key, v)
	src.keys.Add(-1)
	src.addUsed(-n)
	if old := dst.dbs[dbi].putOwned(slot, key, owned, v); old != nil {
		// Cannot happen: a slot's keys are on one side or the other.
		// Keep the counters right if it ever does.
		dst.keys.Add(-1)
		uncharge(dst, key, old)
	}
	dst.keys.Add(1)
	dst.addUsed(n)
	e.logMove(src.id, dst.id, dbi, owned, v)
	return true, n
}

// forward is locate for a migrating slot: the key moves to the target
// first, if the source still has it, and the command then works on the
// target. Every key of the slot a command touches is so found on the
// target, and the source only ever loses keys of the slot. Both
// instances are locked: the command was routed with both owners.
func (k *Keyspace) forward(slot int, key []byte) (*Instance, *DB, int) {
	src := k.eng.insts[k.table.Owner(slot)]
	dst := k.eng.insts[k.table.Target(slot)]
	if src.dbs[k.db].get(slot, key) != nil {
		if moved, n := k.eng.moveKey(src, dst, k.db, slot, key, "", k.now); moved {
			k.eng.mig.countForwarded(n)
		}
	}
	return dst, &dst.dbs[k.db], slot
}

// relock is Run's slow path, taken when the routing table changed between
// routing a command and locking its instances: it drops the locks, routes
// the command's slots again with the current table and locks anew, until
// the table it holds is the current one. Every table change is published
// before the migrator touches keys under it, so a command holding the
// locks of the current table's owners sees every key where that table
// says (or, for a migrating slot, on one of its two owners).
func (e *Engine) relock(c *Ctx, table *router.Table, ids []int) (*router.Table, []int) {
	slots := c.KeySlots
	if len(slots) == 0 && c.Cmd != nil {
		for _, p := range c.Cmd.RouteKeys(c.Args, nil) {
			slots = append(slots, router.Slot(c.Args[p]))
		}
	}
	if len(slots) == 0 {
		// No key to route by: the caller locked every instance (a keyed
		// command whose keys cannot be found), and every table agrees.
		return table, ids
	}
	for {
		e.unlock(ids)
		ids = ids[:0]
		for _, s := range slots {
			ids = table.AppendOwners(ids, s)
		}
		ids = sortUnique(ids)
		for _, id := range ids {
			e.insts[id].lock()
		}
		cur := e.router.Table()
		if cur == table {
			return table, ids
		}
		table = cur
	}
}

// lockSlot locks the current owners of slot (two while it migrates) and
// returns them with the table they were read from; the table is the
// current one while the locks are held.
func (e *Engine) lockSlot(slot int, buf []int) (*router.Table, []int) {
	for {
		t := e.router.Table()
		ids := sortUnique(t.AppendOwners(buf[:0], slot))
		for _, id := range ids {
			e.insts[id].lock()
		}
		if e.router.Table() == t {
			return t, ids
		}
		e.unlock(ids)
	}
}

// visitSlot calls fn for every key of slot in database dbi, wherever it
// lives now, under the locks of the slot's owners: a key in the middle of
// a migration is seen exactly once. fn must not add or remove keys.
func (e *Engine) visitSlot(dbi, slot int, fn func(k string, v *Value) bool) {
	var buf [2]int
	_, ids := e.lockSlot(slot, buf[:])
	defer e.unlock(ids)
	for _, id := range ids {
		e.insts[id].dbs[dbi].EachInSlot(slot, fn)
	}
}

// lockAll runs fn with every instance locked and the Keyspace routing
// with the current table: commands whose keys are not known in advance
// (SORT's BY and GET patterns) need both.
func (k *Keyspace) lockAll(fn func()) {
	k.eng.Locked(func() {
		k.table = k.eng.router.Table()
		fn()
	})
}

// drainBatch moves keys of slot in database dbi from src to dst: at most
// maxKeys, and no longer than about hold, with both locked, so a command
// waits well under a millisecond whatever the slot holds. It reports the
// live keys and bytes moved, and whether the source has none of the
// slot's keys left in that database.
func (e *Engine) drainBatch(src, dst *Instance, dbi, slot, maxKeys int, hold time.Duration) (keys int, bytes int64, empty bool) {
	ids := sortUnique([]int{src.id, dst.id})
	for _, id := range ids {
		e.insts[id].lock()
	}
	defer e.unlock(ids)
	s := src.dbs[dbi].slot(slot)
	if s == nil || s.keys.len() == 0 {
		return 0, 0, true
	}
	start := time.Now()
	now := e.now()
	n := 0
	// Each move deletes from the table being walked, so the walk is loose
	// (keyTable.each): a key given twice or after its move is one that
	// moveKey finds gone and skips, and one skipped is left for the next
	// batch, as the caller drains until the slot is empty.
	s.keys.each(func(k string, _ *Value) bool {
		kb := unsafe.Slice(unsafe.StringData(k), len(k))
		if moved, b := e.moveKey(src, dst, dbi, slot, kb, k, now); moved {
			keys++
			bytes += b
		}
		n++
		return n < maxKeys && (n%16 != 0 || time.Since(start) < hold)
	})
	return keys, bytes, src.dbs[dbi].SlotLen(slot) == 0
}
