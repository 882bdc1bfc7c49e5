package storage

import (
	"sync"
	"sync/atomic"
)

// Instance is one embedded storage engine: the databases holding the keys
// of the slots it owns. Its mutex guards every database; a command holds
// the locks of all instances its keys live on for its whole run, taken in
// ascending ID order (Engine.Run), which makes multi-instance commands
// atomic and deadlock-free.
type Instance struct {
	id  int
	mu  sync.Mutex
	dbs []DB

	// used and keys are atomics: memory accounting reads them across
	// instances without taking 64 locks.
	used atomic.Int64 // bytes charged for keys and values
	keys atomic.Int64 // keys in all databases
	// volDBs counts the databases holding a key with a deadline. The
	// active expire cycle reads it without the lock to pass over the
	// instances with nothing to expire: an idle engine's 64 instances
	// times 16 databases would otherwise cost 10,240 lock holds a second.
	volDBs atomic.Int32
	// total is the engine-wide charge this instance publishes its own to
	// in steps (accounting.go); published is its last step, under mu.
	total     *atomic.Int64
	published int64

	// Guarded by mu: bumped on every read, so plain increments under the
	// lock the command already holds, not atomics.
	hits, misses, expiredKeys int64
}

func newInstance(id, databases int, total *atomic.Int64) *Instance {
	in := &Instance{id: id, dbs: make([]DB, databases), total: total}
	for i := range in.dbs {
		in.dbs[i].in = in
	}
	return in
}

// ID is the instance number, 0..N-1.
func (in *Instance) ID() int { return in.id }

// Lock and Unlock guard the instance's databases. Code outside the package
// locks instances only through Engine.Run / Engine.Locked.
func (in *Instance) lock()   { in.mu.Lock() }
func (in *Instance) unlock() { in.mu.Unlock() }

// Stats is a snapshot of an instance's counters.
type InstanceStats struct {
	ID          int
	Keys        int64
	UsedMemory  int64
	Hits        int64
	Misses      int64
	ExpiredKeys int64
}

// Stats snapshots the counters, briefly taking the instance lock.
func (in *Instance) Stats() InstanceStats {
	in.lock()
	hits, misses, expired := in.hits, in.misses, in.expiredKeys
	in.unlock()
	return InstanceStats{
		ID:          in.id,
		Keys:        in.keys.Load(),
		UsedMemory:  in.used.Load(),
		Hits:        hits,
		Misses:      misses,
		ExpiredKeys: expired,
	}
}

// DBStats is the INFO keyspace line of one database. AvgTTL is Redis's
// avg_ttl: the active expire cycle's running estimate, in ms, of the time
// to live left to the keys with a deadline (0 until it has sampled one).
type DBStats struct {
	Keys, Expires, AvgTTL int64
}

// DBStats reports per-database key and expiry counts under the lock.
func (in *Instance) DBStats() []DBStats {
	in.lock()
	defer in.unlock()
	out := make([]DBStats, len(in.dbs))
	for i := range in.dbs {
		db := &in.dbs[i]
		out[i] = DBStats{Keys: db.keys, Expires: db.Expires(), AvgTTL: db.avgTTL}
	}
	return out
}
