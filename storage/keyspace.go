package storage

import (
	"unsafe"

	"github.com/shardis/shardis/router"
)

// Keyspace is what a command sees of the data: one database number across
// the instances whose locks the command holds. Every key access and every
// mutation goes through it, so routing, lazy expiry, memory accounting and
// (later) change notification live in one place. The routing table is the
// snapshot the command was dispatched with, so a command never sees a key
// move under it.
type Keyspace struct {
	eng   *Engine
	table *router.Table
	db    int
	now   int64
	// The slots of the command's key arguments, hashed once by the
	// dispatcher: a command touches each key several times (lookup, write,
	// accounting). A key is recognised by the address of its bytes, which
	// cannot change during the command; keys built elsewhere are hashed.
	args     [][]byte
	keyPos   []int
	keySlots []int
	warmed   int // see warm
}

// Now is the command's clock in Unix milliseconds, fixed for its run as
// Redis fixes it per command.
func (k *Keyspace) Now() int64 { return k.now }

// DB is the selected database number.
func (k *Keyspace) DB() int { return k.db }

func (k *Keyspace) locate(key []byte) (*Instance, *DB, int) {
	slot := k.slot(key)
	o, migrating := k.table.Route(slot)
	if migrating {
		return k.forward(slot, key)
	}
	in := k.eng.insts[o]
	return in, &in.dbs[k.db], slot
}

func (k *Keyspace) slot(key []byte) int {
	if p := unsafe.SliceData(key); p != nil {
		for i, pos := range k.keyPos {
			if a := k.args[pos]; unsafe.SliceData(a) == p && len(a) == len(key) {
				return k.keySlots[i]
			}
		}
	}
	return router.Slot(key)
}

func (k *Keyspace) instance(key []byte) *Instance {
	in, _, _ := k.locate(key)
	return in
}

// Get returns key's live value, or nil. An expired key is deleted on the
// way (lazy expiry), so callers never see one. Like Redis's
// lookupKeyWrite it counts the access in the value's LRU clock.
func (k *Keyspace) Get(key []byte) *Value {
	v, _ := k.lookup(key)
	if v != nil {
		k.touch(v)
	}
	return v
}

// Read is Get for commands that read the value, counting keyspace hits and
// misses as Redis's lookupKeyRead does.
func (k *Keyspace) Read(key []byte) *Value {
	v := k.ReadNoTouch(key)
	if v != nil {
		k.touch(v)
	}
	return v
}

// touch counts an access in v's LRU clock. The store is skipped while the
// clock (one-second ticks) has not moved, so a hot key read from several
// event loops does not bounce its cache line between cores.
func (k *Keyspace) touch(v *Value) {
	if p := k.eng.policy.Load(); p.lfu {
		v.setAccess(lfuTouched(v.access(), k.now, p))
		return
	}
	if c := lruClock(k.now); v.access() != c {
		v.setAccess(c)
	}
}

// ReadNoTouch is Read without counting an access in the LRU clock: the
// lookup of commands that inspect a key without using it (EXISTS, TYPE,
// TTL, OBJECT), Redis's LOOKUP_NOTOUCH.
func (k *Keyspace) ReadNoTouch(key []byte) *Value {
	v, in := k.lookup(key)
	if v == nil {
		in.misses++
	} else {
		in.hits++
	}
	return v
}

func (k *Keyspace) lookup(key []byte) (*Value, *Instance) {
	in, db, slot := k.locate(key)
	v := db.get(slot, key)
	if v == nil || v.expireAt == 0 || k.now <= v.expireAt {
		return v, in
	}
	k.expire(in, db, slot, key)
	return nil, in
}

// ReadKind is Redis's lookupKeyRead plus checkType: key's live value when
// it is of the given kind, nil when key is missing, errWrongType when it
// holds another type. Reads count a keyspace hit or miss.
func (k *Keyspace) ReadKind(key []byte, kind Kind) (*Value, error) {
	return checkKind(k.Read(key), kind)
}

// WriteKind is lookupKeyWrite plus checkType: ReadKind without counting a
// hit or miss, for commands that write.
func (k *Keyspace) WriteKind(key []byte, kind Kind) (*Value, error) {
	return checkKind(k.Get(key), kind)
}

func checkKind(v *Value, kind Kind) (*Value, error) {
	if v != nil && v.Kind != kind {
		return nil, errWrongType
	}
	return v, nil
}

// Exists reports whether key holds a live value.
func (k *Keyspace) Exists(key []byte) bool { return k.Get(key) != nil }

func (k *Keyspace) expire(in *Instance, db *DB, slot int, key []byte) {
	k.eng.expireKey(in, k.db, db, slot, key)
}

// Put stores v under key, replacing any value (and its deadline), and
// returns the value it replaced. The key bytes are copied; v is kept.
func (k *Keyspace) Put(key []byte, v *Value) *Value {
	return k.putOwned(key, "", v)
}

// PutString stores a new string value holding a copy of val under key,
// name and bytes in one allocation as Redis's embstr keeps an object and
// its bytes together: a million 100-byte values so save the name's own
// allocation. The value's slice is capped at val's length, so growing it
// (APPEND) moves it out; the name keeps the old block until the key is
// next overwritten or deleted.
// at is its deadline (0: none).
func (k *Keyspace) PutString(key, val []byte, at int64) *Value {
	return k.putString(key, val, len(val), at)
}

// putString is PutString with room for room bytes of value (room >=
// len(val)) in the shared block, so the value can change in place up to
// that size without leaving its name's side.
func (k *Keyspace) putString(key, val []byte, room int, at int64) *Value {
	buf := make([]byte, len(key)+room)
	copy(buf, key)
	copy(buf[len(key):], val)
	v := strValue(stringEncoding(val), buf[len(key):len(key)+len(val):len(buf)])
	v.expireAt = at
	var owned string
	if len(key) > 0 {
		owned = unsafe.String(&buf[0], len(key))
	}
	k.putOwned(key, owned, v)
	// Charge the shared block: the name is charged on its own already.
	in := k.instance(key)
	share := allocSize(int64(len(buf))) - allocSize(int64(len(key)))
	in.addUsed(share - v.acct())
	v.setAcct(share)
	return v
}

func (k *Keyspace) putOwned(key []byte, owned string, v *Value) *Value {
	in, db, slot := k.locate(key)
	old := db.putOwned(slot, key, owned, v)
	// A new value starts its LRU clock now; under LFU an overwrite keeps
	// the key's counter, as Redis's dbSetValue does.
	switch {
	case !k.eng.policy.Load().lfu:
		v.setAccess(lruClock(k.now))
	case old != nil:
		v.setAccess(old.access())
	default:
		v.setAccess(lfuInit(k.now))
	}
	if old != nil {
		uncharge(in, key, old)
	} else {
		in.keys.Add(1)
	}
	k.charge(in, key, v)
	return old
}

// Updated must be called after a stored value was changed in place, so
// the memory accounting follows it.
func (k *Keyspace) Updated(key []byte, v *Value) {
	n := min(v.size(), acctMax)
	if n == v.acct() {
		return
	}
	k.instance(key).addUsed(n - v.acct())
	v.setAcct(n)
}

// Delete removes key and reports whether it held a live value.
func (k *Keyspace) Delete(key []byte) bool {
	in, db, slot := k.locate(key)
	v := db.remove(slot, key)
	if v == nil {
		return false
	}
	in.keys.Add(-1)
	uncharge(in, key, v)
	if v.expireAt != 0 && k.now > v.expireAt {
		in.expiredKeys++
		if k.eng.onExpire != nil {
			k.eng.onExpire(in.id, k.db, key)
		}
		return false
	}
	return true
}

// SetExpire sets key's deadline (Unix ms; 0 removes it). v must be the
// value stored under key.
func (k *Keyspace) SetExpire(key []byte, v *Value, at int64) {
	_, db, slot := k.locate(key)
	db.setExpire(slot, key, v, at)
}

// InDB is the same locked instances seen through another database number,
// for commands that cross databases (COPY ... DB n). Instance locks cover
// all of an instance's databases.
func (k *Keyspace) InDB(db int) *Keyspace {
	return &Keyspace{eng: k.eng, table: k.table, db: db, now: k.now}
}
