package storage

// volIndex lists a database's keys with a deadline densely, so the active
// expire cycle draws a uniformly random one in O(1): entry i is a random
// key for a random i < len (a Go map's iteration order is no random
// sample). Each listed Value records its position plus one (Value.vidx),
// so removal moves the last entry into the hole, also O(1).
//
// The entries live in fixed pages rather than one slice, so neither
// growth nor shrinking ever copies the whole index: appending to a slice
// of 200,000 entries would copy them all under the instance lock, and so
// would giving the memory back after a mass expiry. A page is allocated
// when the last fills and freed once two pages past the last entry are
// empty, so a count hovering at a page boundary does not allocate each
// time.
type volIndex struct {
	pages []*volPage
	n     int
}

// volEntry is one key with a deadline. key is the string the key table
// holds, so the index costs one entry per key, not a copy of its name.
type volEntry struct {
	key string
	v   *Value
}

const (
	volPageBits = 10
	volPageLen  = 1 << volPageBits // 24 KiB of entries
)

type volPage [volPageLen]volEntry

func (x *volIndex) len() int { return x.n }

// at is entry i, 0 <= i < len.
func (x *volIndex) at(i int) *volEntry {
	return &x.pages[i>>volPageBits][i&(volPageLen-1)]
}

func (x *volIndex) add(key string, v *Value) {
	if x.n == len(x.pages)*volPageLen {
		x.pages = append(x.pages, new(volPage))
	}
	*x.at(x.n) = volEntry{key: key, v: v}
	x.n++
	v.vidx = uint32(x.n)
}

// remove takes v, which must be listed, out of the index.
func (x *volIndex) remove(v *Value) {
	i, last := int(v.vidx)-1, x.n-1
	e := x.at(last)
	if i != last {
		*x.at(i) = *e
		e.v.vidx = uint32(i + 1)
	}
	*e = volEntry{}
	x.n = last
	v.vidx = 0
	if used := (x.n + volPageLen - 1) >> volPageBits; len(x.pages) > used+1 {
		x.pages[len(x.pages)-1] = nil
		x.pages = x.pages[:len(x.pages)-1]
	}
}
