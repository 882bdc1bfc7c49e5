package storage

// Memory accounting: used_memory and the figure maxmemory is compared
// with.
//
// Every key is charged, to its instance, what it costs on the Go heap:
// its name and its payload rounded up to the allocator's size classes,
// plus the 48-byte Value. Collections report their own structure's bytes
// (MemoryUsage). The charge is kept in the Value (acct) so that deleting
// or changing a value gives back exactly what was charged, and the
// instance counter never drifts. Each slot's key table is charged as a
// whole, exactly (slotCost), whenever it grows or shrinks: at a few keys
// per slot the table costs about as much per key as the keys themselves.
// The Go runtime itself, connection buffers and the GC's headroom are not
// charged, as Redis leaves its allocator's fragmentation out of
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
// 48-byte Value (its entry in the slot's key table is in slotCost).
const valueOverhead = 48

// slotCost is the heap a slot's keys take beyond the keys themselves:
// the table's entry array plus the slot's record and its share of the
// directory page, charged while the slot holds keys.
func slotCost(t *keyTable) int64 {
	const header = 64
	if t.n == 0 {
		return 0
	}
	return header + t.bytes()
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
