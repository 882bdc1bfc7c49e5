package storage

import "github.com/shardis/shardis/proxy/wire"

// parseCanonicalInt is Redis's string2ll: the only integer syntax commands
// accept (no '+', no leading zeros or spaces, fits in int64).
func parseCanonicalInt(b []byte) (int64, bool) { return wire.ParseInt(b) }
