package storage

import "math/rand/v2"

// The LFU counter behind allkeys-lfu, volatile-lfu and OBJECT FREQ. It is
// Redis's: under an LFU policy the 24 bits Value.access holds are not an
// LRU clock but 16 bits of "last decrement time" in minutes and an 8-bit
// logarithmic counter. An access increments the counter with probability
// 1/((counter-5)*lfu-log-factor+1), so the counter grows with the
// logarithm of the hits; each lfu-decay-time minutes without an access
// take one off. Reusing the LRU bits is what keeps a Value at 48 bytes and
// makes switching policies at run time behave as in Redis: the other
// policy's data reads as noise until accesses rewrite it.

const (
	lfuInitVal    = 5   // LFU_INIT_VAL: a new key's counter
	lfuCounterMax = 255 // the counter saturates at 8 bits
)

// lfuMinutes is LFUGetTimeInMinutes: Unix minutes, 16 bits.
func lfuMinutes(nowMS int64) uint32 {
	return uint32(nowMS/60000) & 0xffff
}

// lfuInit is the 24-bit field of a newly created value.
func lfuInit(nowMS int64) uint32 {
	return lfuMinutes(nowMS)<<8 | lfuInitVal
}

// lfuElapsed is LFUTimeElapsed: minutes since ldt, modulo the wrap.
func lfuElapsed(nowMS int64, ldt uint32) uint32 {
	now := lfuMinutes(nowMS)
	if now >= ldt {
		return now - ldt
	}
	return 0xffff - ldt + now
}

// lfuDecayed is LFUDecrAndReturn: the counter in field after the decay
// its idle minutes call for (what OBJECT FREQ reports), without storing it.
func lfuDecayed(field uint32, nowMS int64, decayTime int64) uint32 {
	ldt, counter := field>>8, field&0xff
	if decayTime <= 0 {
		return counter
	}
	periods := int64(lfuElapsed(nowMS, ldt)) / decayTime
	if periods >= int64(counter) {
		return 0
	}
	return counter - uint32(periods)
}

// lfuLogIncr is LFULogIncr: one access, counted with a probability that
// falls as the counter grows.
func lfuLogIncr(counter uint32, logFactor int64) uint32 {
	if counter >= lfuCounterMax {
		return lfuCounterMax
	}
	base := float64(counter) - lfuInitVal
	if base < 0 {
		base = 0
	}
	if rand.Float64() < 1/(base*float64(logFactor)+1) {
		counter++
	}
	return counter
}

// lfuTouched is updateLFU: the field after one access at nowMS.
func lfuTouched(field uint32, nowMS int64, p *evictPolicy) uint32 {
	counter := lfuLogIncr(lfuDecayed(field, nowMS, p.lfuDecayTime), p.lfuLogFactor)
	return lfuMinutes(nowMS)<<8 | counter
}
