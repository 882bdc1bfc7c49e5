package storage

// hashEntryOverhead approximates the bytes one field/value pair costs
// beyond its payload (two string headers, and a map slot once converted),
// for memory accounting.
const hashEntryOverhead = 32

// hashValue is the structure of a hash value (Value.Obj of a KindHash).
//
// Small hashes mirror Redis's listpack: pairs kept in insertion order and
// found by a linear scan, which for a few hundred short entries is as fast as
// a map and much smaller. Order matters: Redis replies HGETALL, HKEYS,
// HVALS and HSCAN of a listpack hash in that order, and so must we. Past
// the limits the hash converts, once and for good as in Redis, to the
// "hashtable" form: the same slices plus an index from field to position.
// Deletion then swaps the last pair into the hole (O(1)), so the order is
// no longer insertion order, which Redis does not promise for a dict
// either.
//
// Fields and values are strings: converting a command's []byte argument
// to a string copies it, which is exactly what storing one requires (the
// arguments alias the connection's buffer).
type hashValue struct {
	fields []string
	vals   []string
	// index maps a field to its position; nil while a listpack.
	index map[string]int
	// bytes is the sum of the lengths of every field and value, kept up
	// to date so MemoryUsage is O(1).
	bytes int64
}

func newHashValue() *hashValue { return &hashValue{} }

// Len is the number of fields.
func (h *hashValue) Len() int { return len(h.fields) }

// encoding is what OBJECT ENCODING reports.
func (h *hashValue) encoding() Encoding {
	if h.index != nil {
		return EncHashtable
	}
	return EncListpack
}

// find returns the position of field, or -1.
func (h *hashValue) find(field []byte) int {
	if h.index != nil {
		if i, ok := h.index[string(field)]; ok { // no allocation for the lookup
			return i
		}
		return -1
	}
	for i, f := range h.fields {
		if f == string(field) {
			return i
		}
	}
	return -1
}

// get returns field's value.
func (h *hashValue) get(field []byte) (string, bool) {
	if i := h.find(field); i >= 0 {
		return h.vals[i], true
	}
	return "", false
}

// fitsListpack is the per-element test of hashTypeTryConversion and
// hashTypeSet: an element longer than hash-max-listpack-value forces the
// hashtable encoding.
func fitsListpack(b []byte) bool { return int64(len(b)) <= encoding().HashMaxListpackValue }

// convert switches a listpack to the hashtable form.
func (h *hashValue) convert() {
	if h.index != nil {
		return
	}
	h.index = make(map[string]int, len(h.fields))
	for i, f := range h.fields {
		h.index[f] = i
	}
}

// set stores value under field (both copied) and reports whether the
// field is new. An existing field keeps its position, as in a listpack.
// Like Redis's hashTypeSet it converts before inserting an element that is
// too long, and after growing past the entry limit.
func (h *hashValue) set(field, value []byte) bool {
	if h.index == nil && (!fitsListpack(field) || !fitsListpack(value)) {
		h.convert()
	}
	if i := h.find(field); i >= 0 {
		h.bytes += int64(len(value) - len(h.vals[i]))
		h.vals[i] = string(value)
		return false
	}
	f := string(field)
	h.fields = append(h.fields, f)
	h.vals = append(h.vals, string(value))
	h.bytes += int64(len(field) + len(value))
	if h.index != nil {
		h.index[f] = len(h.fields) - 1
	} else if int64(len(h.fields)) > encoding().HashMaxListpackEntries {
		h.convert()
	}
	return true
}

// del removes field and reports whether it was there.
func (h *hashValue) del(field []byte) bool {
	i := h.find(field)
	if i < 0 {
		return false
	}
	h.bytes -= int64(len(h.fields[i]) + len(h.vals[i]))
	last := len(h.fields) - 1
	if h.index == nil {
		// A listpack closes the gap, keeping insertion order.
		copy(h.fields[i:], h.fields[i+1:])
		copy(h.vals[i:], h.vals[i+1:])
	} else {
		delete(h.index, h.fields[i])
		if i != last {
			h.fields[i], h.vals[i] = h.fields[last], h.vals[last]
			h.index[h.fields[i]] = i
		}
	}
	// Clear the vacated slot so the strings can be collected.
	h.fields[last], h.vals[last] = "", ""
	h.fields, h.vals = h.fields[:last], h.vals[:last]
	return true
}

// Clone is a deep copy, for COPY. Strings are immutable, so copying the
// slices and the index suffices.
func (h *hashValue) Clone() any {
	c := &hashValue{
		fields: append([]string(nil), h.fields...),
		vals:   append([]string(nil), h.vals...),
		bytes:  h.bytes,
	}
	if h.index != nil {
		c.index = make(map[string]int, len(h.index))
		for f, i := range h.index {
			c.index[f] = i
		}
	}
	return c
}

// MemoryUsage is the approximate payload size, for memory accounting.
func (h *hashValue) MemoryUsage() int64 {
	return h.bytes + int64(len(h.fields))*hashEntryOverhead
}
