package storage

// The access clock behind OBJECT IDLETIME and (with the eviction issue)
// the approximated LRU. It is Redis's: every value keeps the 24-bit clock,
// in seconds, of its last access (Value.access, robj.lru); the clock wraps
// after 2^24 s (194 days), and an idle time is computed modulo the wrap,
// as estimateObjectIdleTime does.

const (
	lruClockMax        = 1<<24 - 1
	lruClockResolution = 1000 // ms per clock tick
)

// lruClock is LRU_CLOCK() at Unix time nowMS.
func lruClock(nowMS int64) uint32 {
	return uint32(nowMS/lruClockResolution) & lruClockMax
}

// idleMS is estimateObjectIdleTime: milliseconds since v's last access.
func (v *Value) idleMS(nowMS int64) int64 {
	now, then := lruClock(nowMS), v.access()
	if now >= then {
		return int64(now-then) * lruClockResolution
	}
	return int64(lruClockMax-then+now) * lruClockResolution
}

// sharedIntegers is OBJ_SHARED_INTEGERS: Redis keeps one shared object
// for each integer 0..9999 that strings with those values point to.
const sharedIntegers = 10000

// objSharedRefcount is OBJ_SHARED_REFCOUNT, the reference count Redis
// reports for a shared object.
const objSharedRefcount = 1<<31 - 1

// refCount is what OBJECT REFCOUNT reports. shardis shares nothing, but it
// answers as Redis does for the integers Redis shares (the string values
// that tryObjectEncoding turns into shared.integers) so scripts comparing
// refcounts see the same numbers.
func (v *Value) refCount() int64 {
	if v.Kind == KindString && v.Enc == EncInt {
		if n, ok := parseCanonicalInt(v.Str()); ok && n >= 0 && n < sharedIntegers {
			return objSharedRefcount
		}
	}
	return 1
}
