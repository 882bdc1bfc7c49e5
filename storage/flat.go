package storage

// flat packs a sequence of byte strings into one buffer: each entry is its
// length as a uvarint followed by its bytes. It is the in-memory stand-in
// for Redis's listpack: a small collection costs one allocation plus one
// or two bytes per element, instead of a string header and a separately
// allocated string per element. Lookups scan it linearly, which for the
// few hundred short entries a listpack may hold (hash-max-listpack-*) is
// as fast as hashing, and edits splice it, as lpInsert and lpDelete do.
//
// Offsets index entry starts; an entry's view aliases the buffer and is
// valid until the next edit.
type flat []byte

// entry returns the entry starting at off and the offset of the next one.
func (f flat) entry(off int) ([]byte, int) {
	n, k := int(f[off]), 1
	if n >= 0x80 {
		n, k = f.uvarint(off)
	}
	start := off + k
	return f[start : start+n], start + n
}

// uvarint decodes a multi-byte length (short entries take the fast path
// in entry).
func (f flat) uvarint(off int) (int, int) {
	var n, shift, k int
	for {
		c := f[off+k]
		k++
		n |= int(c&0x7f) << shift
		if c < 0x80 {
			return n, k
		}
		shift += 7
	}
}

// skip returns the offset after the entry at off.
func (f flat) skip(off int) int {
	_, next := f.entry(off)
	return next
}

// entrySize is how many bytes an entry of n bytes takes.
func entrySize(n int) int {
	k := 1
	for v := n; v >= 0x80; v >>= 7 {
		k++
	}
	return k + n
}

func putEntry(dst []byte, e []byte) int {
	k := 0
	v := len(e)
	for v >= 0x80 {
		dst[k] = byte(v) | 0x80
		v >>= 7
		k++
	}
	dst[k] = byte(v)
	k++
	return k + copy(dst[k:], e)
}

// splice replaces the bytes [off, end) with the entries es and returns
// the new buffer. It grows by an eighth beyond what is needed, not the
// doubling of append, so a collection keeps little slack.
func (f flat) splice(off, end int, es ...[]byte) flat {
	need := 0
	for _, e := range es {
		need += entrySize(len(e))
	}
	size := len(f) - (end - off) + need
	if size > cap(f) {
		g := make(flat, size, size+size/8)
		copy(g, f[:off])
		copy(g[off+need:], f[end:])
		f = g
	} else {
		old := len(f)
		f = f[:max(size, old)]
		copy(f[off+need:], f[end:old])
		f = f[:size]
	}
	for _, e := range es {
		off += putEntry(f[off:], e)
	}
	return f
}

// clone is a copy with no slack.
func (f flat) clone() flat {
	if f == nil {
		return nil
	}
	return append(flat(nil), f...)
}
