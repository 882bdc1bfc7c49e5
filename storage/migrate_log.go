package storage

// logMove is called after every key moved between instances by a slot
// migration, with both instances locked: the hook through which
// persistence records that key now lives on dst. It is a stub until the
// append-only file learns to log moves.
func (e *Engine) logMove(src, dst, db int, key string, v *Value) {}
