package storage

import (
	"math"
	"runtime/debug"
)

// DUMP, RESTORE and MEMORY: serialization in Redis's DUMP format (the
// codec is rdb_encode.go / rdb_decode.go) and the memory estimate of one
// key (memory_usage.go).

// registerDump registers DUMP, RESTORE and MEMORY USAGE, HELP and PURGE.
func registerDump(r *registry) {
	r.add("dump", cmdDump)
	r.add("restore", cmdRestore)
	r.add("memory|usage", cmdMemoryUsage)
	r.add("memory|help", cmdMemoryHelp)
	// Go's runtime returns memory by itself; like Redis on jemalloc,
	r.add("memory|purge", cmdMemoryPurge)
}

// DUMP key
func cmdDump(c *Ctx) {
	p, err := opDump(&c.KS, c.Args[1])
	switch {
	case err != nil:
		writeErr(c, err)
	case p == nil:
		c.W.Null()
	default:
		c.W.Bulk(p)
	}
}

// opDump returns key's DUMP payload, nil when key is missing.
func opDump(ks *Keyspace, key []byte) ([]byte, error) {
	v := ks.Read(key)
	if v == nil {
		return nil, nil
	}
	return dumpPayload(v)
}

// restoreOpts are RESTORE's options after the payload.
type restoreOpts struct {
	replace, absTTL bool
	// idle (seconds, -1 for none) sets the restored value's LRU clock
	// and freq its LFU counter, each only under its kind of policy.
	idle, freq int64
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
func cmdRestore(c *Ctx) {
	o := restoreOpts{idle: -1, freq: -1}
	for j := 4; j < len(c.Args); j++ {
		more := len(c.Args) - j - 1
		a := c.Args[j]
		switch {
		case isOpt(a, "replace"):
			o.replace = true
		case isOpt(a, "absttl"):
			o.absTTL = true
		case isOpt(a, "idletime") && more >= 1 && o.freq == -1:
			n, ok := parseCanonicalInt(c.Args[j+1])
			if !ok {
				c.W.Error(ErrNotInteger)
				return
			}
			if n < 0 {
				c.W.Error(ErrRestoreIdle)
				return
			}
			o.idle = n
			j++
		case isOpt(a, "freq") && more >= 1 && o.idle == -1:
			n, ok := parseCanonicalInt(c.Args[j+1])
			if !ok {
				c.W.Error(ErrNotInteger)
				return
			}
			if n < 0 || n > 255 {
				c.W.Error(ErrRestoreFreq)
				return
			}
			o.freq = n
			j++
		default:
			c.W.Error(ErrSyntax)
			return
		}
	}
	if err := opRestore(&c.KS, c.Args[1], c.Args[2], c.Args[3], o); err != nil {
		writeErr(c, err)
		return
	}
	c.W.OK()
}

// opRestore is restoreCommand after option parsing, checks in Redis's
// order: existing key, TTL, payload footer, payload body.
func opRestore(ks *Keyspace, key, ttlArg, payload []byte, o restoreOpts) error {
	if !o.replace && ks.Exists(key) {
		return replyError(ErrBusyKey)
	}
	ttl, ok := parseCanonicalInt(ttlArg)
	if !ok {
		return errNotInteger
	}
	if ttl < 0 {
		return replyError(ErrRestoreTTL)
	}
	if !verifyDumpPayload(payload) {
		return replyError(ErrDumpPayload)
	}
	v, err := restorePayload(payload)
	if err != nil {
		return replyError(ErrBadDataFormat)
	}
	if o.replace {
		ks.Delete(key)
	}
	if ttl != 0 && !o.absTTL {
		ttl = addWrap(ttl, ks.Now())
	}
	if ttl != 0 && ttl <= ks.Now() {
		return nil // already expired: nothing stored, as in Redis
	}
	ks.Put(key, v)
	if ttl != 0 {
		ks.SetExpire(key, v, ttl)
	}
	// objectSetLRUOrLFU: each option counts only under its kind of policy.
	if lfu := ks.eng.policy.Load().lfu; lfu && o.freq >= 0 {
		v.setAccess(lfuMinutes(ks.Now())<<8 | uint32(o.freq))
	} else if !lfu && o.idle >= 0 {
		v.setAccess(lruAgo(ks.Now(), o.idle))
	}
	return nil
}

// lruAgo is the LRU clock idle seconds before nowMS, wrapped as
// objectSetLRUOrLFU wraps it.
func lruAgo(nowMS, idle int64) uint32 {
	abs := int64(lruClock(nowMS)) - idle
	if abs < 0 {
		abs += lruClockMax
	}
	return uint32(abs) & lruClockMax // the 24-bit robj.lru field
}

// addWrap adds like C's long long on the machines Redis runs on: an
// overflowing deadline wraps negative and so counts as already expired.
func addWrap(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return int64(uint64(a) + uint64(b))
	}
	return a + b
}

// memoryHelp is MEMORY HELP's reply, line for line.
var memoryHelp = []string{
	"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DOCTOR",
	"    Return memory problems reports.",
	"MALLOC-STATS",
	"    Return internal statistics report from the memory allocator.",
	"PURGE",
	"    Attempt to purge dirty pages for reclamation by the allocator.",
	"STATS",
	"    Return information about the memory usage of the server.",
	"USAGE <key> [SAMPLES <count>]",
	"    Return memory in bytes used by <key> and its value. Nested values are",
	"    sampled up to <count> times (default: 5, 0 means sample all).",
	"HELP",
	"    Prints this help.",
}

// MEMORY HELP
func cmdMemoryHelp(c *Ctx) {
	c.W.Array(len(memoryHelp))
	for _, l := range memoryHelp {
		c.W.Simple(l)
	}
}

// MEMORY USAGE key [SAMPLES count]
func cmdMemoryUsage(c *Ctx) {
	samples := int64(memorySamplesDefault)
	for j := 3; j < len(c.Args); j++ {
		if !isOpt(c.Args[j], "samples") || j+1 >= len(c.Args) {
			c.W.Error(ErrSyntax)
			return
		}
		n, ok := parseCanonicalInt(c.Args[j+1])
		if !ok {
			c.W.Error(ErrNotInteger)
			return
		}
		if n < 0 {
			c.W.Error(ErrSyntax)
			return
		}
		if n == 0 {
			n = math.MaxInt64
		}
		samples = n
		j++
	}
	v := c.KS.Get(c.Args[2])
	if v == nil {
		c.W.Null()
		return
	}
	c.W.Int(memoryUsage(c.Args[2], v, samples))
}

// MEMORY PURGE: Redis asks jemalloc to return dirty pages to the system;
// the Go equivalent is a collection that hands freed spans back at once,
// which makes RSS comparable after a load (scripts/memory.py relies on it).
// It names no key, so it runs with no instance locked.
func cmdMemoryPurge(c *Ctx) {
	debug.FreeOSMemory()
	c.W.OK()
}
