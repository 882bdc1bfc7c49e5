package storage

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/shardis/shardis/router"
)

// Eviction: maxmemory and the eight maxmemory-policy values, with Redis's
// approximated algorithms.
//
// The limit is one for the whole process: every instance's charged bytes
// count (accounting.go). Before a command runs, the proxy calls Evict,
// Redis's performEvictions: while the data set is over maxmemory it
// deletes keys chosen by the policy, for at most the tenacity's time
// budget; a command flagged denyoom is refused with -OOM only when
// nothing could be evicted (noeviction, or a volatile policy and no key
// with a deadline). The engine's background goroutine keeps evicting when
// a budget ran out, as Redis's evictionTimeProc does, so memory also comes
// down after CONFIG SET maxmemory lowers the limit with no writes coming.
//
// The LRU, LFU and TTL policies keep Redis's eviction pool: 16 candidates
// sorted by score (idle time, 255 minus the LFU counter, or the inverse of
// the deadline), refilled each round with maxmemory-samples keys sampled
// from one instance drawn with probability proportional to its key count,
// so the pool sees the data set as one keyspace, as Redis's pool sees one
// dict. The best candidate still present is evicted; the others stay for
// the next round, which is what makes the approximation close to true LRU.
//
// Sampling: volatile policies draw from the instance's volatile index
// (volindex.go), uniformly. allkeys policies draw a random occupied slot
// (DB.occupied) and read keys from its map from a random starting point;
// Go randomises where a map iteration starts, so this is the same kind of
// sample as Redis's dictGetSomeKeys (consecutive buckets from a random
// one): not uniform, and not required to be, since the pool corrects for
// it over rounds.
//
// Locking: Evict runs with no instance locked and takes one instance lock
// at a time, to sample and then to delete; the pool has its own mutex, so
// concurrent event loops evict one after another rather than racing for
// the same candidates.

// Policy is a maxmemory-policy.
type Policy uint8

// The policies, as redis.conf names them.
const (
	PolicyNoEviction Policy = iota
	PolicyAllKeysLRU
	PolicyVolatileLRU
	PolicyAllKeysLFU
	PolicyVolatileLFU
	PolicyAllKeysRandom
	PolicyVolatileRandom
	PolicyVolatileTTL
)

var policyNames = [...]string{
	"noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu",
	"allkeys-random", "volatile-random", "volatile-ttl",
}

// String is the redis.conf name.
func (p Policy) String() string { return policyNames[p] }

// ParsePolicy reads a maxmemory-policy name.
func ParsePolicy(s string) (Policy, error) {
	for i, n := range policyNames {
		if n == s {
			return Policy(i), nil
		}
	}
	return 0, fmt.Errorf("storage: unknown maxmemory-policy %q", s)
}

func (p Policy) lfu() bool { return p == PolicyAllKeysLFU || p == PolicyVolatileLFU }
func (p Policy) volatile() bool {
	return p == PolicyVolatileLRU || p == PolicyVolatileLFU || p == PolicyVolatileRandom || p == PolicyVolatileTTL
}
func (p Policy) random() bool { return p == PolicyAllKeysRandom || p == PolicyVolatileRandom }

// EvictionConfig is what CONFIG SET can change about eviction.
type EvictionConfig struct {
	MaxMemory    int64 // bytes; 0: no limit
	Policy       Policy
	Samples      int   // maxmemory-samples
	Tenacity     int   // maxmemory-eviction-tenacity, 0..100
	LFULogFactor int64 // lfu-log-factor
	LFUDecayTime int64 // lfu-decay-time, minutes
}

// DefaultEvictionConfig is redis.conf's.
var DefaultEvictionConfig = EvictionConfig{Policy: PolicyNoEviction, Samples: 5, Tenacity: 10, LFULogFactor: 10, LFUDecayTime: 1}

// evictPolicy is the published EvictionConfig, read on every key access
// (the LFU test in touch) through one atomic pointer load.
type evictPolicy struct {
	EvictionConfig
	lfu          bool
	lfuLogFactor int64
	lfuDecayTime int64
}

// SetEviction publishes new eviction settings; they apply to the next
// command.
func (e *Engine) SetEviction(c EvictionConfig) {
	c.Samples = max(c.Samples, 1)
	c.Tenacity = min(max(c.Tenacity, 0), 100)
	e.policy.Store(&evictPolicy{EvictionConfig: c, lfu: c.Policy.lfu(),
		lfuLogFactor: c.LFULogFactor, lfuDecayTime: c.LFUDecayTime})
	e.maxMemory.Store(c.MaxMemory)
}

// Eviction is the current eviction configuration.
func (e *Engine) Eviction() EvictionConfig { return e.policy.Load().EvictionConfig }

// MaxMemory is the limit in bytes, 0 for none: one atomic load, so the
// proxy can skip Evict entirely when no limit is set.
func (e *Engine) MaxMemory() int64 { return e.maxMemory.Load() }

// EvictedKeys is INFO's evicted_keys.
func (e *Engine) EvictedKeys() int64 { return e.evicted.Load() }

// EvictResult is performEvictions' verdict.
type EvictResult int

const (
	// EvictOK: under the limit (now or already).
	EvictOK EvictResult = iota
	// EvictRunning: still over, but keys remain to evict and the time
	// budget ran out; commands go ahead, eviction continues.
	EvictRunning
	// EvictFail: over the limit and nothing left that the policy may
	// evict; denyoom commands get -OOM.
	EvictFail
)

// evictPoolSize is EVPOOL_SIZE.
const evictPoolSize = 16

type poolEntry struct {
	score uint64
	inst  int
	db    int
	key   []byte // reused between candidates, as Redis reuses its cached sds
}

// evictionPool holds the best candidates seen so far, ascending by score:
// the best is last.
type evictionPool struct {
	n int
	e [evictPoolSize]poolEntry
}

// insert is evictionPoolPopulate's placement: a candidate worse than every
// entry of a full pool is dropped; otherwise the worst entry makes room.
func (p *evictionPool) insert(score uint64, inst, db int, key []byte) {
	k := 0
	for k < p.n && p.e[k].score < score {
		k++
	}
	if k == 0 && p.n == evictPoolSize {
		return
	}
	if p.n < evictPoolSize {
		spare := p.e[p.n].key
		copy(p.e[k+1:p.n+1], p.e[k:p.n])
		p.e[k].key = spare
		p.n++
	} else {
		// Full: drop the worst (entry 0) and shift the lower part down.
		spare := p.e[0].key
		copy(p.e[:k-1], p.e[1:k])
		k--
		p.e[k].key = spare
	}
	p.e[k].score, p.e[k].inst, p.e[k].db = score, inst, db
	p.e[k].key = append(p.e[k].key[:0], key...)
}

// pop removes and returns the best entry; its key stays valid until the
// next insert.
func (p *evictionPool) pop() *poolEntry {
	p.n--
	return &p.e[p.n]
}

// evictTimeLimit is evictionTimeLimitUs: 50µs per tenacity step up to 10,
// then 15% more per step, unlimited at 100.
func evictTimeLimit(tenacity int) time.Duration {
	switch {
	case tenacity <= 10:
		return time.Duration(50*tenacity) * time.Microsecond
	case tenacity < 100:
		return time.Duration(500*math.Pow(1.15, float64(tenacity-10))) * time.Microsecond
	}
	return time.Duration(math.MaxInt64)
}

// Evict is performEvictions: it deletes keys as the policy says until the
// data set is within maxmemory or its time budget is spent.
func (e *Engine) Evict() EvictResult {
	max := e.maxMemory.Load()
	if max <= 0 || !e.overLimit(max) {
		return EvictOK
	}
	p := e.policy.Load()
	if p.Policy == PolicyNoEviction {
		return EvictFail
	}
	e.evictMu.Lock()
	defer e.evictMu.Unlock()
	used := e.UsedMemory()
	if used <= max {
		return EvictOK
	}
	toFree := used - max
	var freed int64
	start := time.Now()
	limit := evictTimeLimit(p.Tenacity)
	for n := 1; freed < toFree; n++ {
		got, ok := e.evictOne(p)
		if !ok {
			if e.UsedMemory() <= max {
				return EvictOK
			}
			return EvictFail
		}
		freed += got
		if n%16 == 0 && time.Since(start) > limit {
			if e.UsedMemory() <= max {
				return EvictOK
			}
			return EvictRunning
		}
	}
	return EvictOK
}

// evictInBackground is evictionTimeProc: it keeps evicting, for up to
// budget, while a budget-limited Evict left the data set over the limit
// (or CONFIG SET lowered maxmemory), so memory comes down even when no
// command arrives.
func (e *Engine) evictInBackground(budget time.Duration) {
	if e.maxMemory.Load() <= 0 {
		return
	}
	end := time.Now().Add(budget)
	for e.Evict() == EvictRunning && time.Now().Before(end) {
		runtime.Gosched()
	}
}

// evictOne deletes the key the policy picks and reports the bytes freed;
// false when no key is eligible.
func (e *Engine) evictOne(p *evictPolicy) (int64, bool) {
	if p.Policy.random() {
		return e.evictRandom(p)
	}
	pool := &e.evictPool
	// A few rounds at most: each either finds a live candidate or shows
	// there are no keys, except when every pooled key was already gone.
	for round := 0; round < 2*len(e.insts)+4; round++ {
		if !e.fillPool(p, pool) && pool.n == 0 {
			return 0, false
		}
		for pool.n > 0 {
			c := pool.pop()
			if got, ok := e.evictKey(c.inst, c.db, c.key); ok {
				return got, true
			}
		}
	}
	return 0, false
}

// pickInstance draws an instance with probability proportional to its key
// count; false when there are no keys at all.
func (e *Engine) pickInstance() (*Instance, bool) {
	var total int64
	for _, in := range e.insts {
		total += max(in.keys.Load(), 0)
	}
	if total == 0 {
		return nil, false
	}
	r := rand.Int64N(total)
	for _, in := range e.insts {
		if r -= max(in.keys.Load(), 0); r < 0 {
			return in, true
		}
	}
	return e.insts[len(e.insts)-1], true
}

// fillPool is evictionPoolPopulate over one sampled instance (more if the
// first has nothing the policy may evict); false when no instance had an
// eligible key.
func (e *Engine) fillPool(p *evictPolicy, pool *evictionPool) bool {
	first, ok := e.pickInstance()
	if !ok {
		return false
	}
	now := e.now()
	for i := 0; i < len(e.insts); i++ {
		in := e.insts[(first.id+i)%len(e.insts)]
		sampled := 0
		in.lock()
		for dbi := range in.dbs {
			db := &in.dbs[dbi]
			if db.keys == 0 {
				continue
			}
			sampled += db.sample(p.Policy.volatile(), p.Samples, func(key string, v *Value) {
				pool.insert(evictScore(p, v, now), in.id, dbi, unsafe.Slice(unsafe.StringData(key), len(key)))
			})
		}
		in.unlock()
		if sampled > 0 {
			return true
		}
	}
	return false
}

// evictScore orders candidates: higher is evicted first.
func evictScore(p *evictPolicy, v *Value, now int64) uint64 {
	switch {
	case p.Policy == PolicyVolatileTTL:
		return math.MaxUint64 - uint64(v.expireAt)
	case p.lfu:
		return lfuCounterMax - uint64(lfuDecayed(v.access(), now, p.lfuDecayTime))
	}
	return uint64(v.idleMS(now))
}

// sample calls fn for up to n keys: with a deadline (volatile) or any.
func (db *DB) sample(volatile bool, n int, fn func(key string, v *Value)) int {
	got := 0
	if volatile {
		for ; got < n && db.vol.len() > 0; got++ {
			ent := db.vol.at(rand.IntN(db.vol.len()))
			fn(ent.key, ent.v)
		}
		return got
	}
	for tries := 0; got < n && tries < 2*n && len(db.occupied) > 0; tries++ {
		s := db.occupied[rand.IntN(len(db.occupied))]
		s.keys.eachFrom(s.keys.randomStart(), func(k string, v *Value) bool {
			fn(k, v)
			got++
			return got < n
		})
	}
	return got
}

// evictRandom deletes a random key (allkeys-random) or a random key with a
// deadline (volatile-random).
func (e *Engine) evictRandom(p *evictPolicy) (int64, bool) {
	first, ok := e.pickInstance()
	if !ok {
		return 0, false
	}
	var key []byte
	for i := 0; i < len(e.insts); i++ {
		in := e.insts[(first.id+i)%len(e.insts)]
		dbi := -1
		in.lock()
		for d := range in.dbs {
			if in.dbs[d].sample(p.Policy.volatile(), 1, func(k string, _ *Value) { key = append(e.randKey[:0], k...) }) > 0 {
				dbi = d
				break
			}
		}
		in.unlock()
		if dbi >= 0 {
			e.randKey = key
			return e.evictKey(in.id, dbi, key)
		}
	}
	return 0, false
}

// evictKey deletes key from database dbi of instance id if it is still
// there, and reports the bytes given back.
func (e *Engine) evictKey(id, dbi int, key []byte) (int64, bool) {
	in := e.insts[id]
	in.lock()
	defer in.unlock()
	db := &in.dbs[dbi]
	slot := router.Slot(key)
	v := db.get(slot, key)
	if v == nil {
		return 0, false
	}
	freed := chargedSize(key, v)
	if v.expireAt != 0 && e.now() > v.expireAt {
		// Its deadline passed: it goes as an expiry, which frees the same.
		e.expireKey(in, dbi, db, slot, key)
		return freed, true
	}
	db.remove(slot, key)
	in.keys.Add(-1)
	uncharge(in, key, v)
	e.evicted.Add(1)
	if e.onEvict != nil {
		e.onEvict(in.id, dbi, key)
	}
	return freed, true
}

// evictState is the Engine's eviction state.
type evictState struct {
	evictMu   sync.Mutex // guards evictPool and randKey
	evictPool evictionPool
	randKey   []byte
}
