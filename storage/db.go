package storage

import "github.com/shardis/shardis/router"

// slotKeys holds one slot's keys in one database.
type slotKeys struct {
	keys    keyTable
	expires int32
	// pos is the slot's position plus one in DB.occupied while it holds
	// keys (0 when empty); slot is its number.
	pos  uint32
	slot uint16
}

// slotChunk is one page of the two-level slot directory. The slots are
// held by value: a lookup is a chain of cache misses on large keyspaces,
// and a pointer to each slot would add one.
type slotChunk [slotChunkLen]slotKeys

const (
	slotChunkLen = 128
	slotChunks   = router.SlotCount / slotChunkLen
)

// DB is one numbered database of an instance. Keys are kept per slot, so a
// slot's keys can be enumerated and moved as a unit without scanning the
// rest; the directory is two-level so an instance pays only for the slot
// pages it has keys in (an instance owns 256 of 16384 slots by default).
//
// vol lists every key with a deadline for the active expire cycle's
// sampling (volindex.go). put, remove and setExpire keep it right; nothing
// else changes a stored key's deadline.
type DB struct {
	dir  [slotChunks]*slotChunk
	keys int64
	vol  volIndex
	// avgTTL is Redis's db->avg_ttl: a running estimate, in ms, of the
	// remaining time to live of the keys the expire cycle samples.
	avgTTL int64
	// occupied lists the slots holding keys, densely, so eviction draws
	// a random slot in O(1) however the instance's slots are scattered
	// (ring placement spreads them over the whole directory).
	occupied []*slotKeys
	// keyTableBytes is the heap the slot key tables take (accounting.go),
	// charged to in as it changes.
	keyTableBytes int64
	in            *Instance
}

// Len is the number of keys, including expired keys not yet reclaimed.
func (db *DB) Len() int64 { return db.keys }

// Expires is the number of keys with a deadline.
func (db *DB) Expires() int64 { return int64(db.vol.len()) }

func (db *DB) slot(slot int) *slotKeys {
	c := db.dir[slot/slotChunkLen]
	if c == nil {
		return nil
	}
	return &c[slot%slotChunkLen]
}

func (db *DB) slotForWrite(slot int) *slotKeys {
	c := db.dir[slot/slotChunkLen]
	if c == nil {
		c = new(slotChunk)
		first := slot / slotChunkLen * slotChunkLen
		for i := range c {
			c[i].slot = uint16(first + i)
		}
		db.dir[slot/slotChunkLen] = c
	}
	return &c[slot%slotChunkLen]
}

// get returns key's value without looking at its deadline.
func (db *DB) get(slot int, key []byte) *Value {
	s := db.slot(slot)
	if s == nil {
		return nil
	}
	return s.keys.get(key)
}

// put stores v under key and returns the value it replaced. v's deadline
// (already set on it, or 0) enters the index; old's leaves it.
func (db *DB) put(slot int, key []byte, v *Value) *Value {
	return db.putOwned(slot, key, "", v)
}

// putOwned is put with the string the table keeps for key: owned when it
// is not "" (it must equal key), a copy of key otherwise. An overwrite
// keeps the name already stored.
func (db *DB) putOwned(slot int, key []byte, owned string, v *Value) *Value {
	s := db.slotForWrite(slot)
	if s.keys.n == 0 {
		db.occupied = append(db.occupied, s)
		s.pos = uint32(len(db.occupied))
	}
	before := slotCost(&s.keys)
	old, k := s.keys.set(key, owned, v)
	if old == nil {
		db.keys++
		db.chargeKeyTable(before, slotCost(&s.keys))
	} else if old.expireAt != 0 {
		s.expires--
		db.volRemove(old)
	}
	v.vidx = 0
	if v.expireAt != 0 {
		s.expires++
		db.volAdd(k, v)
	}
	return old
}

// remove deletes key and returns its value, or nil.
func (db *DB) remove(slot int, key []byte) *Value {
	s := db.slot(slot)
	if s == nil {
		return nil
	}
	before := slotCost(&s.keys)
	v := s.keys.del(key)
	if v == nil {
		return nil
	}
	db.keys--
	if s.keys.n == 0 {
		db.vacate(s)
	}
	db.chargeKeyTable(before, slotCost(&s.keys))
	if v.expireAt != 0 {
		s.expires--
		db.volRemove(v)
	}
	return v
}

// chargeKeyTable charges the instance for a slot's key table going from
// before to after bytes (it grows and shrinks only in keyTable.set and
// del).
func (db *DB) chargeKeyTable(before, after int64) {
	if before == after {
		return
	}
	d := after - before
	db.keyTableBytes += d
	if db.in != nil {
		db.in.addUsed(d)
	}
}

// vacate takes the emptied slot s out of the occupied list, moving the
// last entry into its place.
func (db *DB) vacate(s *slotKeys) {
	i, last := int(s.pos)-1, len(db.occupied)-1
	if i != last {
		moved := db.occupied[last]
		db.occupied[i] = moved
		moved.pos = uint32(i + 1)
	}
	db.occupied[last] = nil
	db.occupied = db.occupied[:last]
	s.pos = 0
}

// setExpire changes the deadline of v, stored under key, keeping the
// counts and the index right.
func (db *DB) setExpire(slot int, key []byte, v *Value, at int64) {
	s := db.slot(slot)
	switch {
	case v.expireAt == 0 && at != 0:
		s.expires++
		db.volAdd(string(key), v)
	case v.expireAt != 0 && at == 0:
		s.expires--
		db.volRemove(v)
	}
	v.expireAt = at
}

// SlotLen is the number of keys stored in slot.
func (db *DB) SlotLen(slot int) int {
	if s := db.slot(slot); s != nil {
		return s.keys.len()
	}
	return 0
}

// EachInSlot calls fn for every key in slot until fn returns false. fn must
// not add or remove keys of that slot.
func (db *DB) EachInSlot(slot int, fn func(key string, v *Value) bool) {
	s := db.slot(slot)
	if s == nil {
		return
	}
	s.keys.each(fn)
}

// volAdd and volRemove keep the index and the instance's count of
// databases with deadlines (Instance.volDBs) right; only the index's
// first entry and its last change the count.
func (db *DB) volAdd(key string, v *Value) {
	if db.vol.len() == 0 && db.in != nil {
		db.in.volDBs.Add(1)
	}
	db.vol.add(key, v)
}

func (db *DB) volRemove(v *Value) {
	db.vol.remove(v)
	if db.vol.len() > 0 {
		return
	}
	// Redis's cycle zeroes avg_ttl on finding no deadlines; ours no longer
	// visits such a database.
	db.avgTTL = 0
	if db.in != nil {
		db.in.volDBs.Add(-1)
	}
}

// flush empties the database and returns how many keys it held.
func (db *DB) flush() int64 {
	n := db.keys
	if db.vol.len() > 0 && db.in != nil {
		db.in.volDBs.Add(-1)
	}
	*db = DB{in: db.in}
	return n
}
