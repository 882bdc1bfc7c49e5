package storage

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// checkTree verifies every invariant of zset_tree.go against want, the
// entries in order.
func checkTree(t *testing.T, tr *ztree, want []zentry) {
	t.Helper()
	if tr.length != len(want) {
		t.Fatalf("length %d, want %d", tr.length, len(want))
	}
	var walk func(x *ztInner, l *ztLeaf, d int, lo *zentry, hi *zentry, root bool) int
	walk = func(x *ztInner, l *ztLeaf, d int, lo, hi *zentry, root bool) int {
		if d == tr.height {
			if !root && l.n < ztMin && l.next != nil {
				t.Fatalf("leaf with %d entries", l.n)
			}
			for i := 0; i < l.n; i++ {
				if lo != nil && zless(l.scores[i], l.members[i], lo.score, lo.member) ||
					hi != nil && !zless(l.scores[i], l.members[i], hi.score, hi.member) {
					t.Fatalf("entry %v outside its bounds [%v, %v)", zentry{l.members[i], l.scores[i]}, lo, hi)
				}
			}
			return l.n
		}
		if !root && x.n < ztMin || root && x.n < 2 || x.n > ztCap {
			t.Fatalf("inner node with %d kids (root %v)", x.n, root)
		}
		total := 0
		for i := 0; i < x.n; i++ {
			klo, khi := lo, hi
			if i > 0 {
				klo = &zentry{x.sepM[i], x.sepS[i]}
			}
			if i+1 < x.n {
				khi = &zentry{x.sepM[i+1], x.sepS[i+1]}
			}
			var n int
			if d == tr.height-1 {
				n = walk(nil, x.leaves[i], d+1, klo, khi, false)
			} else {
				n = walk(x.kids[i], nil, d+1, klo, khi, false)
			}
			if n != x.counts[i] {
				t.Fatalf("count %d for a kid holding %d", x.counts[i], n)
			}
			total += n
		}
		return total
	}
	if n := walk(tr.root, tr.rootLeaf, 0, nil, nil, true); n != len(want) {
		t.Fatalf("tree holds %d, want %d", n, len(want))
	}
	var got []zentry
	for l := firstLeaf(tr); l != nil; l = l.next {
		for i := 0; i < l.n; i++ {
			got = append(got, zentry{l.members[i], l.scores[i]})
		}
		if l.next != nil && l.next.prev != l {
			t.Fatal("broken prev link")
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("leaf chain %v, want %v", got, want)
	}
}

func firstLeaf(tr *ztree) *ztLeaf {
	if tr.height == 0 {
		return tr.rootLeaf
	}
	x := tr.root
	for d := 0; d < tr.height-1; d++ {
		x = x.kids[0]
	}
	if x.leaves[0].prev != nil {
		panic("the leftmost leaf has a predecessor")
	}
	return x.leaves[0]
}

func sortedEntries(m map[string]float64) []zentry {
	var es []zentry
	for k, v := range m {
		es = append(es, zentry{k, v})
	}
	slices.SortFunc(es, zentryCompare)
	return es
}

// TestZTreeAgainstModel runs random inserts, deletes and moves against a
// map, checking the structure and every query after each burst: growth to
// several levels, then deletes down to nothing (merges, borrows, the root
// shrinking).
func TestZTreeAgainstModel(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		var tr ztree
		tr.init()
		model := map[string]float64{}
		var ks []string // model's keys, in an order the seed decides
		step := func(grow bool) {
			switch r := rng.IntN(10); {
			case len(ks) == 0 || grow && r < 6 || !grow && r < 2:
				m := "m" + itoa(rng.IntN(20000))
				if _, ok := model[m]; ok {
					return
				}
				s := float64(rng.IntN(50)) // many ties: order by member too
				tr.insert(s, m)
				model[m] = s
				ks = append(ks, m)
			case r < 8:
				i := rng.IntN(len(ks))
				m := ks[i]
				if !tr.delete(model[m], m) {
					t.Fatalf("delete %q: not found", m)
				}
				delete(model, m)
				ks[i] = ks[len(ks)-1]
				ks = ks[:len(ks)-1]
			default:
				m := ks[rng.IntN(len(ks))]
				if !tr.delete(model[m], m) {
					t.Fatalf("move %q: not found", m)
				}
				model[m] = float64(rng.IntN(50))
				tr.insert(model[m], m)
			}
		}
		check := func() {
			want := sortedEntries(model)
			checkTree(t, &tr, want)
			for i, e := range want {
				if r := tr.rank(e.score, e.member); r != i {
					t.Fatalf("rank(%v) = %d, want %d", e, r, i)
				}
				if l, j := tr.at(i); l.members[j] != e.member {
					t.Fatalf("at(%d) = %q, want %q", i, l.members[j], e.member)
				}
			}
			if tr.delete(-1, "absent") {
				t.Fatal("deleted an absent entry")
			}
			for range 20 {
				s := float64(rng.IntN(52) - 1)
				incl := rng.IntN(2) == 0
				in := func(es float64, _ string) bool { return es < s || incl && es == s }
				n := 0
				for n < len(want) && in(want[n].score, want[n].member) {
					n++
				}
				if got := tr.countWhile(in); got != n {
					t.Fatalf("countWhile(score < %v, incl %v) = %d, want %d", s, incl, got, n)
				}
				if len(want) == 0 {
					continue
				}
				a, b := rng.IntN(len(want)), rng.IntN(len(want))
				a, b = min(a, b), max(a, b)
				rev := rng.IntN(2) == 0
				var got []zentry
				tr.each(a, b, rev, func(e zentry) bool { got = append(got, e); return true })
				exp := slices.Clone(want[a : b+1])
				if rev {
					slices.Reverse(exp)
				}
				if !slices.Equal(got, exp) {
					t.Fatalf("each(%d, %d, rev %v) = %v, want %v", a, b, rev, got, exp)
				}
			}
		}
		for burst := 0; burst < 40; burst++ {
			for range 300 {
				step(true)
			}
			check()
		}
		if tr.height < 2 {
			t.Fatalf("height %d with %d entries: the test never split inner nodes", tr.height, tr.length)
		}
		for len(model) > 0 {
			for range 200 {
				if len(model) > 0 {
					step(false)
				}
			}
			check()
		}
		if tr.height != 0 {
			t.Fatalf("height %d when empty", tr.height)
		}
	}
}

// TestZTreeAppendFillsLeaves: entries inserted in order (convert, RESTORE,
// loading) fill leaves instead of leaving each half empty.
func TestZTreeAppendFillsLeaves(t *testing.T) {
	var tr ztree
	tr.init()
	const n = 10 * ztCap
	for i := range n {
		tr.insert(float64(i), "m")
	}
	leaves := 0
	for l := firstLeaf(&tr); l != nil; l = l.next {
		leaves++
	}
	if leaves != n/ztCap {
		t.Fatalf("%d entries appended in order fill %d leaves, want %d", n, leaves, n/ztCap)
	}
}
