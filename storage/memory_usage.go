package storage

import "math/bits"

// MEMORY USAGE models what redis-server 7.0 reports (objectComputeSize
// plus the key's sds and dict entry) with its allocator, jemalloc, whose
// size classes decide every number. Values whose Redis layout is one
// allocation of known size (strings, listpacks, intsets) come out exactly
// as Redis's; hashtables and skiplists are estimated from the same
// structure sizes, since their bucket counts and node levels depend on
// Redis's own history and random draws.

// memorySamplesDefault is OBJ_COMPUTE_SIZE_DEF_SAMPLES.
const memorySamplesDefault = 5

// Sizes of Redis 7.0's structures on a 64-bit build.
const (
	sizeofRobj          = 16
	sizeofDictEntry     = 24
	sizeofDict          = 56
	sizeofQuicklist     = 40
	sizeofQuicklistNode = 40
	sizeofZSet          = 16
	sizeofZSkiplist     = 32
	zslNodeBase         = 24 // ele, score, backward
	zslLevelSize        = 16 // forward, span
	zslMaxLevel         = 32
)

// jemallocSize is the usable size jemalloc returns for a request of n
// bytes: 8, then multiples of 16 up to 128, then four classes per
// doubling.
func jemallocSize(n int64) int64 {
	switch {
	case n <= 8:
		return 8
	case n <= 128:
		return (n + 15) &^ 15
	}
	k := 63 - bits.LeadingZeros64(uint64(n-1))
	step := int64(1) << (k - 2)
	return (n + step - 1) / step * step
}

// sdsAllocSize is sdsZmallocSize of an sds made by sdsnewlen for n bytes:
// the smallest header that holds n, the bytes and a NUL.
func sdsAllocSize(n int) int64 {
	var hdr int
	switch {
	case n < 1<<5 && n > 0:
		hdr = 1
	case n < 1<<8:
		hdr = 3
	case n < 1<<16:
		hdr = 5
	case uint64(n) < 1<<32:
		hdr = 9
	default:
		hdr = 17
	}
	return jemallocSize(int64(hdr + n + 1))
}

// dictSlots estimates the bucket count of a dict that grew to n entries
// by inserts (Redis counts both tables while rehashing): the table doubles
// when full, and each insert after that moves one old bucket, about 63%
// of which hold entries, so a table that doubled recently still has its
// old half. presized is a table size set at conversion (dictExpand), 0
// for none.
func dictSlots(n int, presized int64) int64 {
	s := int64(4)
	for s < int64(n) {
		s <<= 1
	}
	if s <= presized {
		return presized
	}
	old := s / 2
	if old >= 4 && int64(n)-old-1 < old*632/1000 {
		return s + old
	}
	return s
}

// hashPresized is the table size a hash converted for passing the entry
// limit starts with (hashTypeConvert sizes it for every entry).
func hashPresized(n int) int64 {
	limit := encoding().HashMaxListpackEntries
	if int64(n) <= limit {
		return 0
	}
	s := int64(4)
	for s < limit+1 {
		s <<= 1
	}
	return s
}

// memoryUsage is MEMORY USAGE's number for key holding v, sampling at
// most samples elements of a collection.
func memoryUsage(key []byte, v *Value, samples int64) int64 {
	return objectComputeSize(v, samples) + sdsAllocSize(len(key)) + sizeofDictEntry
}

// sampledAvg adds n times the average of what each sampled element
// costs, truncated as Redis's size_t += double is.
func sampledAvg(base int64, total int64, sampled int64, n int) int64 {
	if sampled == 0 {
		return base
	}
	return int64(float64(base) + float64(total)/float64(sampled)*float64(n))
}

func objectComputeSize(v *Value, samples int64) int64 {
	switch v.Kind {
	case KindString:
		switch v.Enc {
		case EncInt:
			return sizeofRobj
		case EncEmbstr:
			// robj, sdshdr8 and the bytes in one allocation.
			return jemallocSize(int64(sizeofRobj + 3 + len(v.Str()) + 1))
		}
		return sizeofRobj + sdsAllocSize(len(v.Str()))
	case KindList:
		return listComputeSize(v, samples)
	case KindSet:
		s := v.Obj().(*setObj)
		if s.isIntset() {
			return sizeofRobj + jemallocSize(int64(len(s.ints)))
		}
		base := int64(sizeofRobj + sizeofDict + 8*dictSlots(len(s.ht.keys), 0))
		var total, n int64
		for _, k := range s.ht.keys {
			if n >= samples {
				break
			}
			total += sizeofDictEntry + sdsAllocSize(len(k))
			n++
		}
		return sampledAvg(base, total, n, len(s.ht.keys))
	case KindZSet:
		z := v.Obj().(*zsetValue)
		if z.tree == nil {
			return sizeofRobj + jemallocSize(int64(len(zsetListpack(z))))
		}
		base := int64(sizeofRobj+sizeofZSet+sizeofZSkiplist+sizeofDict) + 8*dictSlots(z.tree.length, 0) +
			jemallocSize(zslNodeBase+zslLevelSize*zslMaxLevel)
		var total, n int64
		z.tree.each(0, z.tree.length-1, false, func(e zentry) bool {
			if n >= samples {
				return false
			}
			total += sdsAllocSize(len(e.member)) + sizeofDictEntry + jemallocSize(int64(zslNodeBase+zslLevelSize*zslLevelOf(e.member)))
			n++
			return true
		})
		return sampledAvg(base, total, n, z.tree.length)
	case KindHash:
		h := v.Obj().(*hashValue)
		if h.ht == nil {
			return sizeofRobj + jemallocSize(int64(len(hashListpack(h))))
		}
		size := h.Len()
		base := int64(sizeofRobj + sizeofDict + 8*dictSlots(size, hashPresized(size)))
		var total, n int64
		h.each(func(f, v []byte) bool {
			if n >= samples {
				return false
			}
			total += sdsAllocSize(len(f)) + sdsAllocSize(len(v)) + sizeofDictEntry
			n++
			return true
		})
		return sampledAvg(base, total, n, size)
	case KindStream:
		if s, _ := v.Obj().(*streamValue); s != nil {
			return streamComputeSize(s, samples)
		}
	}
	return sizeofRobj + v.size()
}

// listComputeSize samples the quicklist nodes a DUMP would write.
func listComputeSize(v *Value, samples int64) int64 {
	l, _ := v.Obj().(*listValue)
	base := int64(sizeofRobj + sizeofQuicklist)
	var total, n int64
	nodes := 0
	quicklistCuts(l, func(_, size int) {
		if n < samples {
			total += sizeofQuicklistNode + jemallocSize(int64(size))
			n++
		}
		nodes++
	})
	return sampledAvg(base, total, n, nodes)
}

// zslLevelOf is the level count Redis's skiplist would draw for a node
// (p = 1/4, at most zslMaxLevel), taken from the member's hash instead of
// a random number so that MEMORY USAGE is deterministic here.
func zslLevelOf(member string) int {
	h := crc64(0, strBytes(member))
	l := 1
	for l < zslMaxLevel && h&3 == 0 {
		l++
		h >>= 2
		if h == 0 {
			break
		}
	}
	return l
}
