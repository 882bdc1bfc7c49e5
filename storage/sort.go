package storage

import (
	"bytes"
	"math"
	"slices"
)

// SORT and SORT_RO (sortCommandGeneric). BY and GET patterns name keys
// derived from the data, which may live on any instance, so both run as
// global commands holding every instance's lock (Engine.Locked): the whole
// sort, lookups and STORE included, is atomic as in Redis.

// registerSort registers SORT and SORT_RO.
func registerSort(r *registry) {
	r.addGlobal("sort", cmdSort)
	r.addGlobal("sort_ro", cmdSort)
}

// Errors only SORT returns.
var errSortScore error = replyError(ErrSortOne)

// sortOpts are SORT's parsed options.
type sortOpts struct {
	desc, alpha bool
	// dontsort is a BY pattern without '*' ("BY nosort"): keep the
	// source's own order.
	dontsort bool
	// limitStart and limitCount are LIMIT's values; -1 count is "all".
	limitStart, limitCount int64
	by                     []byte
	gets                   [][]byte
	store                  []byte
}

// sortItem is one element being sorted and what it sorts by.
type sortItem struct {
	obj   []byte
	score float64
	// cmp is the BY value of an ALPHA sort; nil when the key is missing.
	cmp []byte
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination]
// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
func cmdSort(c *Ctx) {
	o, err := parseSortOpts(c.Args, c.Cmd.Name == "sort_ro")
	if err != nil {
		writeErr(c, err)
		return
	}
	c.KS.lockAll(func() {
		res, stored, err := opSort(&c.KS, c.Args[1], o)
		switch {
		case err != nil:
			writeErr(c, err)
		case o.store != nil:
			c.W.Int(stored)
		default:
			c.W.Array(len(res))
			for _, b := range res {
				if b == nil {
					c.W.Null()
				} else {
					c.W.Bulk(b)
				}
			}
		}
	})
}

// parseSortOpts parses SORT's options in Redis's order: the first bad
// one decides the error. STORE is an unknown option to SORT_RO.
func parseSortOpts(args [][]byte, readonly bool) (sortOpts, error) {
	o := sortOpts{limitCount: -1}
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case isOpt(a, "asc"):
			o.desc = false
		case isOpt(a, "desc"):
			o.desc = true
		case isOpt(a, "alpha"):
			o.alpha = true
		case isOpt(a, "limit") && left >= 2:
			var ok1, ok2 bool
			o.limitStart, ok1 = parseCanonicalInt(args[j+1])
			if ok1 {
				o.limitCount, ok2 = parseCanonicalInt(args[j+2])
			}
			if !ok1 || !ok2 {
				return o, errNotInteger
			}
			j += 2
		case !readonly && isOpt(a, "store") && left >= 1:
			o.store = args[j+1]
			j++
		case isOpt(a, "by") && left >= 1:
			o.by = args[j+1]
			// Redis never clears dontsort: "BY nosort" wins over a
			// later BY pattern.
			o.dontsort = o.dontsort || bytes.IndexByte(cString(o.by), '*') < 0
			j++
		case isOpt(a, "get") && left >= 1:
			o.gets = append(o.gets, args[j+1])
			j++
		default:
			return o, errSyntax
		}
	}
	return o, nil
}

// opSort sorts key's elements. Without STORE it returns the reply items
// (nil for a GET that found nothing); with STORE it stores them as a list
// (deleting the destination when there are none) and returns the count.
func opSort(ks *Keyspace, key []byte, o sortOpts) ([][]byte, int64, error) {
	v := ks.Read(key)
	if v != nil && v.Kind != KindList && v.Kind != KindSet && v.Kind != KindZSet {
		return nil, 0, errWrongType
	}
	by := o.by
	// A set has no order of its own: sorting it into a key must not
	// depend on the hash table, so Redis sorts it ALPHA instead.
	if o.dontsort && v != nil && v.Kind == KindSet && o.store != nil {
		o.dontsort, o.alpha, by = false, true, nil
	}
	var z *zsetValue
	if v != nil && v.Kind == KindZSet {
		// Redis converts the sorted set to a skiplist for good.
		z = v.Obj().(*zsetValue)
		z.convert()
		v.Enc = EncSkiplist
		ks.Updated(key, v)
	}
	n := int64(0)
	if v != nil {
		n = int64(sourceLen(v))
	}
	start := max(o.limitStart, 0)
	end := n - 1
	if o.limitCount >= 0 {
		// Redis's start+count-1 behaves as if it could not overflow.
		end = math.MaxInt64
		if o.limitCount-1 <= math.MaxInt64-start {
			end = start + o.limitCount - 1
		}
	}
	if start >= n {
		start, end = n-1, n-2
	}
	end = min(end, n-1)

	items := sortSource(v, o, start, end)
	if o.dontsort && v != nil && v.Kind != KindSet {
		// sortSource loaded just the range.
		end -= start
		start = 0
	}
	if !o.dontsort {
		if err := sortItems(ks, items, o, by, start, end); err != nil {
			return nil, 0, err
		}
	}
	var out [][]byte
	for j := start; j <= end; j++ {
		e := items[j].obj
		if len(o.gets) == 0 {
			out = append(out, e)
			continue
		}
		for _, p := range o.gets {
			g, _ := lookupByPattern(ks, p, e)
			if g == nil && o.store != nil {
				g = []byte{}
			}
			out = append(out, g)
		}
	}
	if o.store == nil {
		return out, 0, nil
	}
	if len(out) == 0 {
		ks.Delete(o.store)
		return nil, 0, nil
	}
	l := newListValue()
	for _, b := range out {
		l.pushBack(b)
	}
	ks.Put(o.store, objValue(KindList, EncQuicklist, l))
	return nil, int64(len(out)), nil
}

func sourceLen(v *Value) int {
	switch v.Kind {
	case KindList:
		return v.Obj().(*listValue).Len()
	case KindSet:
		return v.Obj().(*setObj).card()
	}
	return v.Obj().(*zsetValue).Len()
}

// sortSource loads the elements to sort: all of them, or for a list or
// sorted set that is not sorted, only the [start, end] range in the
// source order (reversed by DESC), as Redis's shortcut does.
func sortSource(v *Value, o sortOpts, start, end int64) []sortItem {
	var items []sortItem
	if v == nil {
		return nil
	}
	add := func(b []byte) {
		if b == nil {
			b = []byte{} // nil means "missing" in the reply
		}
		items = append(items, sortItem{obj: b})
	}
	ranged := o.dontsort && v.Kind != KindSet
	switch v.Kind {
	case KindList:
		l := v.Obj().(*listValue)
		if !ranged {
			start, end = 0, int64(l.Len())-1
		}
		if start > end || l.Len() == 0 {
			break
		}
		if ranged && o.desc {
			it := l.iterBefore(l.Len() - 1 - int(start))
			for i := start; i <= end; i++ {
				add(it.prev())
			}
			break
		}
		it := l.iterFrom(int(start))
		for i := start; i <= end; i++ {
			add(it.next())
		}
	case KindSet:
		v.Obj().(*setObj).each(func(m []byte) bool { add(append([]byte{}, m...)); return true })
	case KindZSet:
		z := v.Obj().(*zsetValue)
		if !ranged {
			z.each(0, z.Len()-1, false, func(e zentry) bool { add(strBytes(e.member)); return true })
			break
		}
		if end >= start {
			n := int64(z.Len())
			from, to := start, end
			if o.desc {
				from, to = n-1-end, n-1-start
			}
			z.each(int(from), int(to), o.desc, func(e zentry) bool { add(strBytes(e.member)); return true })
		}
	}
	return items
}

// sortItems computes what each element sorts by and sorts the way Redis
// does, so that even ties (possible under ALPHA BY) come out in Redis's
// order.
func sortItems(ks *Keyspace, items []sortItem, o sortOpts, by []byte, start, end int64) error {
	bad := false
	for i := range items {
		val := items[i].obj
		if by != nil {
			var ok bool
			if val, ok = lookupByPattern(ks, by, items[i].obj); !ok {
				continue
			}
		}
		if o.alpha {
			if by != nil {
				items[i].cmp = val
			}
			continue
		}
		f, ok := sortScore(val)
		if !ok {
			bad = true
		}
		items[i].score = f
	}
	if bad {
		return errSortScore
	}
	cmp := func(a, b *sortItem) int {
		switch {
		case !o.alpha:
			switch {
			case a.score > b.score:
				return 1
			case a.score < b.score:
				return -1
			}
			return bytes.Compare(a.obj, b.obj)
		case by != nil:
			switch {
			case a.cmp == nil || b.cmp == nil:
				return b2int(b.cmp == nil) - b2int(a.cmp == nil)
			case o.store != nil:
				return bytes.Compare(a.cmp, b.cmp)
			}
			return bytes.Compare(cString(a.cmp), cString(b.cmp))
		case o.store != nil:
			return bytes.Compare(a.obj, b.obj)
		}
		// strcoll in the C locale: byte order up to the first NUL.
		return bytes.Compare(cString(a.obj), cString(b.obj))
	}
	order := func(a, b *sortItem) int {
		if o.desc {
			return -cmp(a, b)
		}
		return cmp(a, b)
	}
	if by != nil && (start != 0 || end != int64(len(items))-1) {
		// Redis sorts just enough for the LIMIT range with its partial
		// quicksort, whose arrangement of ties is its own.
		pqsort(items, order, int(start), int(end))
		return nil
	}
	// Otherwise glibc's qsort, a merge sort: ties keep the source order.
	slices.SortStableFunc(items, func(a, b sortItem) int { return order(&a, &b) })
	return nil
}

// sortScore is SORT's strtod check: the whole C string must convert, to
// neither NaN nor an overflowed or underflowed value; "" is 0.
func sortScore(b []byte) (float64, bool) {
	if n, ok := parseCanonicalInt(b); ok {
		return float64(n), true // the common case, and what strtod gives
	}
	b = cString(b)
	if len(b) == 0 {
		return 0, true
	}
	s := b
	for len(s) > 0 && isCSpace(s[0]) {
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, false
	}
	f, ok := strtod(s)
	if !ok || math.IsNaN(f) {
		return 0, false
	}
	if math.IsInf(f, 0) && !isInfLiteral(s) || f == 0 && hasNonZeroDigit(s) ||
		f != 0 && math.Abs(f) < 0x1p-1022 {
		return 0, false // ERANGE
	}
	return f, true
}

// lookupByPattern is lookupKeyByPattern: "#" is the element itself;
// otherwise the first '*' is replaced by the element and the key read,
// as a string, or with "->field" as a hash field. ok is false when
// nothing was found. Patterns are searched as C strings (up to a NUL),
// as Redis does with strchr and strstr.
func lookupByPattern(ks *Keyspace, pattern, elem []byte) ([]byte, bool) {
	if len(pattern) > 0 && pattern[0] == '#' && (len(pattern) == 1 || pattern[1] == 0) {
		return elem, true
	}
	cs := cString(pattern)
	p := bytes.IndexByte(cs, '*')
	if p < 0 {
		return nil, false
	}
	var field []byte
	hasField := false
	if f := bytes.Index(cs[p+1:], []byte("->")); f >= 0 && p+1+f+2 < len(cs) {
		hasField = true
		field = pattern[p+1+f+2:]
	}
	postfix := len(pattern) - (p + 1)
	if hasField {
		postfix -= len(field) + 2
	}
	key := make([]byte, 0, p+len(elem)+postfix)
	key = append(append(append(key, pattern[:p]...), elem...), pattern[p+1:p+1+postfix]...)
	v := ks.Read(key)
	if v == nil {
		return nil, false
	}
	if hasField {
		if v.Kind != KindHash {
			return nil, false
		}
		s, ok := v.Obj().(*hashValue).get(field)
		if !ok {
			return nil, false
		}
		return append([]byte{}, s...), true
	}
	if v.Kind != KindString {
		return nil, false
	}
	return append([]byte{}, v.Str()...), true
}
