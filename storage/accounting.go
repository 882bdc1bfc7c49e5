package storage

// Memory accounting: used_memory and the figure maxmemory is compared
// with.
//
// Every key is charged, to its instance, what it costs on the Go heap:
// its name and its payload rounded up to the allocator's size classes,
// plus the 48-byte Value. Collections report their own structure's bytes
// (MemoryUsage). The charge is kept in the Value (acct) so that deleting
// or changing a value gives back exactly what was charged, and the
// instance counter never drifts. The slot maps are charged as a whole,
// from a model of Go's Swiss tables fitted to measurements (slotMapCost):
// at a few keys per slot a map costs more per key than the keys
// themselves, and a map keeps its size when keys leave, so its charge is
// its high-water mark, given back only when the database is flushed. The Go runtime itself, connection buffers and the GC's headroom
// are not charged, as Redis leaves its allocator's fragmentation out of
// used_memory: INFO's go_heap_objects_bytes and used_memory_rss show them.
//
// maxmemory is one limit for the whole process, checked before every
// command. Summing 64 instance counters on every command would read 64
// cache lines other cores keep writing, so each instance also publishes
// its counter to one engine-wide total in steps of usedGranule bytes: the
// total is never off by more than instances × usedGranule, and only when
// it comes that close to the limit does the check sum the exact counters.

// usedGranule is how far an instance's counter moves before it updates
// the engine-wide total (1 MiB of slack over 64 instances).
const usedGranule = 16 << 10

// valueOverhead is what a key costs beyond its name and payload: the
// 48-byte Value (its slot in the slot map is in slotMapCost).
const valueOverhead = 48

// slotMapCost models the heap a slot's map[string]*Value of n keys
// takes, with its slotKeys header: one group of 8 slots (208 bytes) plus
// the map header up to 8 keys; beyond, a table of 2^k slots filled to at
// most 7/8, about 26.7 bytes per slot (8 control bits, a 16-byte string
// header and an 8-byte pointer per slot, plus table headers). Measured
// on Go 1.26: 255 B at 8 keys, 983 at 16-28, 3543 at 57-112, 27351 at
// 449-896; the model stays within 10% of those.
func slotMapCost(n int) int64 {
	const header = 64 // slotKeys and its place in the directory page
	if n <= 0 {
		return header
	}
	if n <= 8 {
		return header + 256
	}
	c := 16
	for n > c*7/8 {
		c *= 2
	}
	return header + int64(c)*267/10 + 75
}

// addUsed changes the instance's charged bytes. The caller holds the
// instance lock, which also guards published.
func (in *Instance) addUsed(n int64) {
	u := in.used.Add(n)
	if g := u / usedGranule; g != in.published {
		in.total.Add((g - in.published) * usedGranule)
		in.published = g
	}
}

// chargedSize is what key and its value are charged in all.
func chargedSize(key []byte, v *Value) int64 {
	return allocSize(int64(len(key))) + valueOverhead + v.acct()
}

func (k *Keyspace) charge(in *Instance, key []byte, v *Value) {
	v.setAcct(v.size())
	in.addUsed(chargedSize(key, v))
}

func uncharge(in *Instance, key []byte, v *Value) {
	in.addUsed(-chargedSize(key, v))
}

// UsedMemory is used_memory: the exact sum of the instances' charges.
func (e *Engine) UsedMemory() int64 {
	var n int64
	for _, in := range e.insts {
		n += in.used.Load()
	}
	return n
}

// overLimit reports whether the data set is over max, summing the exact
// counters only when the published total is within its slack of max.
func (e *Engine) overLimit(max int64) bool {
	slack := int64(len(e.insts)) * usedGranule
	if e.usedTotal.Load()+slack < max {
		return false
	}
	return e.UsedMemory() > max
}

// allocSize is the size the Go allocator hands out for an n-byte object:
// its size class up to 32 KiB, whole 8 KiB pages beyond.
func allocSize(n int64) int64 {
	switch {
	case n <= 0:
		return 0
	case n > maxSmallSize:
		return (n + pageSize - 1) &^ (pageSize - 1)
	}
	lo, hi := 0, len(goSizeClasses)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if int64(goSizeClasses[mid]) < n {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return int64(goSizeClasses[lo])
}

const (
	maxSmallSize = 32 << 10
	pageSize     = 8 << 10
)

// goSizeClasses are the Go runtime's small object size classes
// (runtime/sizeclasses.go), which have been stable across releases.
var goSizeClasses = [...]uint16{
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280,
	1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528,
	6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072,
	20480, 21760, 24576, 27264, 28672, 32768,
}
