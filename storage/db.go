package storage

import "github.com/shardis/shardis/router"

// slotKeys holds one slot's keys in one database.
type slotKeys struct {
	m       map[string]*Value
	expires int
}

// slotChunk is one page of the two-level slot directory.
type slotChunk [slotChunkLen]*slotKeys

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
	return c[slot%slotChunkLen]
}

func (db *DB) slotForWrite(slot int) *slotKeys {
	c := db.dir[slot/slotChunkLen]
	if c == nil {
		c = new(slotChunk)
		db.dir[slot/slotChunkLen] = c
	}
	s := c[slot%slotChunkLen]
	if s == nil {
		s = &slotKeys{m: make(map[string]*Value)}
		c[slot%slotChunkLen] = s
	}
	return s
}

// get returns key's value without looking at its deadline.
func (db *DB) get(slot int, key []byte) *Value {
	s := db.slot(slot)
	if s == nil {
		return nil
	}
	return s.m[string(key)]
}

// put stores v under key and returns the value it replaced. v's deadline
// (already set on it, or 0) enters the index; old's leaves it.
func (db *DB) put(slot int, key []byte, v *Value) *Value {
	s := db.slotForWrite(slot)
	old, ok := s.m[string(key)]
	if !ok {
		db.keys++
	}
	if old != nil && old.expireAt != 0 {
		s.expires--
		db.vol.remove(old)
	}
	k := string(key)
	s.m[k] = v
	v.vidx = 0
	if v.expireAt != 0 {
		s.expires++
		db.vol.add(k, v)
	}
	return old
}

// remove deletes key and returns its value, or nil.
func (db *DB) remove(slot int, key []byte) *Value {
	s := db.slot(slot)
	if s == nil {
		return nil
	}
	v, ok := s.m[string(key)]
	if !ok {
		return nil
	}
	delete(s.m, string(key))
	db.keys--
	if v.expireAt != 0 {
		s.expires--
		db.vol.remove(v)
	}
	return v
}

// setExpire changes the deadline of v, stored under key, keeping the
// counts and the index right.
func (db *DB) setExpire(slot int, key []byte, v *Value, at int64) {
	s := db.slot(slot)
	switch {
	case v.expireAt == 0 && at != 0:
		s.expires++
		db.vol.add(string(key), v)
	case v.expireAt != 0 && at == 0:
		s.expires--
		db.vol.remove(v)
	}
	v.expireAt = at
}

// SlotLen is the number of keys stored in slot.
func (db *DB) SlotLen(slot int) int {
	if s := db.slot(slot); s != nil {
		return len(s.m)
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
	for k, v := range s.m {
		if !fn(k, v) {
			return
		}
	}
}

// flush empties the database and returns how many keys it held.
func (db *DB) flush() int64 {
	n := db.keys
	*db = DB{}
	return n
}
