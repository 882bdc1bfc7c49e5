package storage

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestListEntryCodec(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 300, 16383, 16384, 70000} {
		e := []byte(strings.Repeat("x", n))
		buf := make([]byte, 3+listEntrySize(n)+2)
		if got := putListEntry(buf[3:], e); got != listEntrySize(n) {
			t.Fatalf("n=%d: wrote %d bytes, want %d", n, got, listEntrySize(n))
		}
		end := 3 + listEntrySize(n)
		fwd, next := listEntryNext(buf, 3)
		back, start := listEntryPrev(buf, end)
		if len(fwd) != n || next != end || len(back) != n || start != 3 || cap(fwd) != n {
			t.Fatalf("n=%d: forward %d bytes to %d (cap %d), backward %d bytes from %d", n, len(fwd), next, cap(fwd), len(back), start)
		}
	}
}

// checkListShape verifies the quicklist's invariants: node counts add up,
// no node is empty or past the fill, and every node decodes exactly.
func checkListShape(t *testing.T, step int, l *listValue, fill int64) {
	t.Helper()
	total := 0
	for k := 0; k < int(l.nn); k++ {
		nd := l.node(k)
		if nd.count == 0 {
			t.Fatalf("step %d: node %d of %d is empty", step, k, l.nn)
		}
		if listNodeOver(nd.used(), int(nd.count), fill) {
			t.Fatalf("step %d: node %d holds %d entries in %d bytes, past fill %d", step, k, nd.count, nd.used(), fill)
		}
		c := 0
		for off := int(nd.off); off < len(nd.buf); c++ {
			_, off = listEntryNext(nd.buf, off)
			if off > len(nd.buf) {
				t.Fatalf("step %d: node %d overruns its buffer", step, k)
			}
		}
		if c != int(nd.count) {
			t.Fatalf("step %d: node %d decodes %d entries, counts %d", step, k, c, nd.count)
		}
		total += c
	}
	if total != l.n {
		t.Fatalf("step %d: nodes hold %d elements, Len %d", step, total, l.n)
	}
}

// TestListQuicklistModel runs random edits under several fills, small
// enough that lists span many nodes, against a plain slice: it checks the
// contents from both ends, the node invariants and that clones are
// independent.
func TestListQuicklistModel(t *testing.T) {
	for _, fill := range []int64{1, 2, 3, 7, -1, -2} {
		c := DefaultEncodingConfig()
		c.ListMaxListpackSize = fill
		withEncoding(t, c)
		rng := rand.New(rand.NewPCG(uint64(fill+10), 3))
		elem := func(step int) string {
			switch rng.IntN(40) {
			case 0:
				return strings.Repeat("L", 3000+rng.IntN(6000)) // a node of its own under 4 KiB
			case 1:
				return ""
			case 2:
				return strings.Repeat("m", 100+rng.IntN(200))
			}
			if fill < 0 { // long enough that lists span several nodes
				return strings.Repeat(itoa(step), 1+rng.IntN(30))
			}
			return itoa(step)
		}
		l := newListValue()
		var model []string
		for step := 0; step < 6000; step++ {
			e := elem(step)
			switch op := rng.IntN(12); {
			case op < 3 || len(model) < 3 && op < 6:
				l.pushFront([]byte(e))
				model = slices.Insert(model, 0, e)
			case op < 6 || len(model) < 3:
				l.pushBack([]byte(e))
				model = append(model, e)
			case op == 6:
				left := rng.IntN(2) == 0
				got := string(l.pop(left))
				want := model[len(model)-1]
				if left {
					want, model = model[0], model[1:]
				} else {
					model = model[:len(model)-1]
				}
				if got != want {
					t.Fatalf("fill %d step %d: pop(%v) %.20q, want %.20q", fill, step, left, got, want)
				}
			case op == 7:
				i := rng.IntN(len(model) + 1)
				l.insert(i, []byte(e))
				model = slices.Insert(model, i, e)
			case op == 8 && rng.IntN(4) == 0:
				from := rng.IntN(len(model))
				keep := max(rng.IntN(len(model)-from+1), len(model)-from-3)
				l.trim(from, keep)
				model = model[from : from+keep]
			case op == 9:
				drop := model[rng.IntN(len(model))]
				fromTail, limit, gone := rng.IntN(2) == 0, 1+rng.IntN(2), 0
				l.removeIf(fromTail, func(b []byte) bool {
					if gone < limit && string(b) == drop {
						gone++
						return true
					}
					return false
				})
				for n := 0; n < gone; n++ {
					i := slices.Index(model, drop)
					if fromTail {
						i = lastIndex(model, drop)
					}
					model = slices.Delete(model, i, i+1)
				}
			case op == 10:
				cl := l.Clone().(*listValue)
				if cl.Len() > 0 {
					cl.set(0, []byte("clone"))
					cl.pop(false)
				}
				checkListShape(t, step, cl, fill)
			default:
				i := rng.IntN(len(model))
				l.set(i, []byte(e))
				model[i] = e
			}
			checkListShape(t, step, l, fill)
			var bytes int64
			for _, s := range model {
				bytes += int64(len(s))
			}
			if l.Len() != len(model) || l.bytes != bytes {
				t.Fatalf("fill %d step %d: len %d bytes %d, want %d and %d", fill, step, l.Len(), l.bytes, len(model), bytes)
			}
			if len(model) == 0 || step%7 != 0 {
				continue
			}
			i := rng.IntN(len(model))
			if got := string(l.at(i)); got != model[i] {
				t.Fatalf("fill %d step %d: at(%d) %.20q, want %.20q", fill, step, i, got, model[i])
			}
			fwd, back := l.iterFrom(i), l.iterBefore(i)
			for j := i; j < len(model); j++ {
				if got := string(fwd.next()); got != model[j] {
					t.Fatalf("fill %d step %d: next from %d at %d: %.20q, want %.20q", fill, step, i, j, got, model[j])
				}
			}
			for j := i; j >= 0; j-- {
				if got := string(back.prev()); got != model[j] {
					t.Fatalf("fill %d step %d: prev from %d at %d: %.20q, want %.20q", fill, step, i, j, got, model[j])
				}
			}
		}
	}
}

// TestListPopAliasing checks that a popped element survives a later pop
// from the same list and the node shrinking under it, which replies of
// LPOP with a count rely on.
func TestListPopAliasing(t *testing.T) {
	l := newListValue()
	for i := 0; i < 200; i++ {
		l.pushBack([]byte("element:" + itoa(i)))
	}
	var got []string
	var kept [][]byte
	for l.Len() > 0 {
		kept = append(kept, l.pop(l.Len()%2 == 0))
	}
	for _, b := range kept {
		got = append(got, string(b))
	}
	if len(got) != 200 || got[0] != "element:0" || got[1] != "element:199" {
		t.Fatalf("popped %d elements starting %q", len(got), got[:2])
	}
	seen := map[string]bool{}
	for _, s := range got {
		seen[s] = true
	}
	if len(seen) != 200 {
		t.Fatalf("popped elements were overwritten: %d distinct of 200", len(seen))
	}
}

// TestListNodeSizes checks that pushes fill nodes as the fill says.
func TestListNodeSizes(t *testing.T) {
	tests := []struct {
		fill      int64
		n         int
		wantNodes int32
	}{
		{fill: 4, n: 10, wantNodes: 3},
		{fill: 1, n: 5, wantNodes: 5},
		{fill: -1, n: 1000, wantNodes: 4}, // 4 KiB nodes of ~14-byte entries
		{fill: -2, n: 10, wantNodes: 1},
	}
	for _, tt := range tests {
		c := DefaultEncodingConfig()
		c.ListMaxListpackSize = tt.fill
		withEncoding(t, c)
		for _, left := range []bool{false, true} {
			l := newListValue()
			for i := 0; i < tt.n; i++ {
				l.push([]byte("element:"+itoa(i)), left)
			}
			if l.nn != tt.wantNodes {
				t.Errorf("fill %d, %d pushes (left %v): %d nodes, want %d", tt.fill, tt.n, left, l.nn, tt.wantNodes)
			}
		}
	}
}

func lastIndex(s []string, v string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == v {
			return i
		}
	}
	return -1
}

func BenchmarkListPushPop(b *testing.B) {
	l := newListValue()
	l.pushBack([]byte("xxx"))
	for b.Loop() {
		l.pushBack([]byte("xxx"))
		l.pop(false)
	}
}

func BenchmarkListPushFront(b *testing.B) {
	l := newListValue()
	for b.Loop() {
		l.pushFront([]byte("element:000000"))
	}
}

func BenchmarkListRangeTail100(b *testing.B) {
	l := newListValue()
	for i := 0; i < 10000; i++ {
		l.pushBack([]byte("element:" + itoa(i)))
	}
	b.ReportAllocs()
	for b.Loop() {
		it := l.iterFrom(l.Len() - 100)
		for range 100 {
			it.next()
		}
	}
}

// TestListRotateReplies rotates a one-node list with LMOVE and RPOPLPUSH
// onto itself, both ways: the pop frees room at one end that the push at
// the other may compact over, and the reply must still be the element.
func TestListRotateReplies(t *testing.T) {
	h := newHarness(t, 1)
	var model []string
	for i := 0; i < 40; i++ {
		e := "element:" + itoa(i)
		h.do("RPUSH", "l", e)
		model = append(model, e)
	}
	for step := 0; step < 400; step++ {
		var got, want string
		switch step % 3 {
		case 0:
			got, want = h.do("LMOVE", "l", "l", "LEFT", "RIGHT"), rBulk(model[0])
			model = append(model[1:], model[0])
		case 1:
			got, want = h.do("RPOPLPUSH", "l", "l"), rBulk(model[len(model)-1])
			model = append([]string{model[len(model)-1]}, model[:len(model)-1]...)
		default:
			got, want = h.do("LMOVE", "l", "l", "LEFT", "RIGHT"), rBulk(model[0])
			model = append(model[1:], model[0])
		}
		if got != want {
			t.Fatalf("step %d: reply %q, want %q", step, got, want)
		}
	}
	if got, want := h.do("LRANGE", "l", "0", "-1"), rStrs(model...); got != want {
		t.Fatalf("LRANGE %q, want %q", got, want)
	}
}
