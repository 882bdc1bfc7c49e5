package storage

// logMove is called after every key moved between instances by a slot
// migration, with both instances locked: the hook through which
// persistence records that key now lives on dst (aofLogMove: a DEL in
// src's file, the key's state in dst's).
func (e *Engine) logMove(src, dst, db int, key string, v *Value) { e.aofLogMove(src, dst, db, key, v) }
