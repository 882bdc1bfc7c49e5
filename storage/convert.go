package storage

import (
	"bytes"
	"math"

	"github.com/shardis/shardis/proxy/wire"
)

// parseCanonicalInt is Redis's string2ll: the only integer syntax commands
// accept (no '+', no leading zeros or spaces, fits in int64).
func parseCanonicalInt(b []byte) (int64, bool) { return wire.ParseInt(b) }

// parseInt32 is getIntFromObjectOrReply: a string2ll integer that must also
// fit in a C int, with Redis's two distinct errors.
func parseInt32(b []byte) (int, error) {
	n, ok := parseCanonicalInt(b)
	if !ok {
		return 0, errNotInteger
	}
	if n < -1<<31 || n > 1<<31-1 {
		return 0, replyError(ErrIntRange)
	}
	return int(n), nil
}

// cString is b as C code sees it through its char pointer: up to the first
// NUL. Redis compares options with strcasecmp, so "nx\x00junk" is NX there
// and must be here.
func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// isOpt reports whether the argument a is the option name (given in lower
// case), compared as Redis's strcasecmp does: ASCII case folding, up to the
// first NUL. It allocates nothing.
func isOpt(a []byte, name string) bool { return equalFold(cString(a), name) }

// equalFold reports whether a equals lower (given in lower case) under
// ASCII case folding, without allocating.
func equalFold(a []byte, lower string) bool {
	if len(a) != len(lower) {
		return false
	}
	for i, c := range a {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// parseRandomCount parses the count and optional flag (WITHVALUES,
// WITHSCORES) of HRANDFIELD and ZRANDMEMBER in Redis's order: the count as
// getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX), then the flag, then
// the halved range a reply of pairs needs. On failure it has written the
// error reply.
func parseRandomCount(c *Ctx, flag string) (count int64, with, ok bool) {
	count, ok = parseCanonicalInt(c.Args[2])
	if !ok {
		c.W.Error(ErrNotInteger)
		return 0, false, false
	}
	if count == math.MinInt64 {
		c.W.Error(ErrOutOfRangeLong)
		return 0, false, false
	}
	with = len(c.Args) == 4
	if len(c.Args) > 4 || with && !isOpt(c.Args[3], flag) {
		c.W.Error(ErrSyntax)
		return 0, false, false
	}
	if with && (count < -math.MaxInt64/2 || count > math.MaxInt64/2) {
		c.W.Error(ErrValueOutOfRange)
		return 0, false, false
	}
	return count, with, true
}
