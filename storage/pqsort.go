package storage

// pqsort is Redis's pqsort.c: NetBSD's qsort (Bentley and McIlroy's
// three-way partitioning quicksort) that skips partitions lying wholly
// outside [lrange, rrange]. SORT uses it for BY with LIMIT, the geo
// searches for COUNT; ported step for step because which of several equal
// elements lands where depends on every swap.
func pqsort[T any](a []T, cmp func(x, y *T) int, lrange, rrange int) {
	pqsortRange(a, 0, len(a), cmp, lrange, rrange)
}

func pqsortRange[T any](a []T, base, n int, cmp func(x, y *T) int, lrange, rrange int) {
	c := func(i, j int) int { return cmp(&a[i], &a[j]) }
	swap := func(i, j int) { a[i], a[j] = a[j], a[i] }
	vecswap := func(i, j, k int) {
		for ; k > 0; k-- {
			swap(i, j)
			i++
			j++
		}
	}
	med3 := func(x, y, z int) int {
		if c(x, y) < 0 {
			switch {
			case c(y, z) < 0:
				return y
			case c(x, z) < 0:
				return z
			}
			return x
		}
		switch {
		case c(y, z) > 0:
			return y
		case c(x, z) < 0:
			return x
		}
		return z
	}
	// outside reports whether [lo, hi] misses the range to sort.
	outside := func(lo, hi int) bool {
		return lrange < lo && rrange < lo || lrange > hi && rrange > hi
	}
	for {
		if n < 7 {
			for pm := base + 1; pm < base+n; pm++ {
				for pl := pm; pl > base && c(pl-1, pl) > 0; pl-- {
					swap(pl, pl-1)
				}
			}
			return
		}
		pm := base + n/2
		if n > 7 {
			pl, pn := base, base+n-1
			if n > 40 {
				d := n / 8
				pl = med3(pl, pl+d, pl+2*d)
				pm = med3(pm-d, pm, pm+d)
				pn = med3(pn-2*d, pn-d, pn)
			}
			pm = med3(pl, pm, pn)
		}
		swap(base, pm)
		pa, pb := base+1, base+1
		pc, pd := base+n-1, base+n-1
		for {
			for pb <= pc {
				r := c(pb, base)
				if r > 0 {
					break
				}
				if r == 0 {
					swap(pa, pb)
					pa++
				}
				pb++
			}
			for pb <= pc {
				r := c(pc, base)
				if r < 0 {
					break
				}
				if r == 0 {
					swap(pc, pd)
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			swap(pb, pc)
			pb++
			pc--
		}
		pn := base + n
		r := min(pa-base, pb-pa)
		vecswap(base, pb-r, r)
		r = min(pd-pc, pn-pd-1)
		vecswap(pb, pn-r, r)
		if r = pb - pa; r > 1 && !outside(base, base+r-1) {
			pqsortRange(a, base, r, cmp, lrange, rrange)
		}
		r = pd - pc
		if r <= 1 {
			return
		}
		base, n = pn-r, r
		if outside(base, base+r-1) {
			return
		}
	}
}
