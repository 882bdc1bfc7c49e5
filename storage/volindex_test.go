package storage

import (
	"math/rand/v2"
	"testing"
)

// TestVolIndexPages grows the index over several pages and shrinks it in
// random order, checking after every step that each value records its
// position and that at most one empty page is kept past the last entry.
func TestVolIndexPages(t *testing.T) {
	var x volIndex
	rng := rand.New(rand.NewPCG(1, 2))
	var live []*Value
	check := func(step int) {
		t.Helper()
		if x.len() != len(live) {
			t.Fatalf("step %d: len %d, want %d", step, x.len(), len(live))
		}
		for i := range x.len() {
			if e := x.at(i); e.v.vidx != uint32(i+1) {
				t.Fatalf("step %d: entry %d records %d", step, i, e.v.vidx)
			}
		}
		for _, v := range live {
			if v.vidx == 0 || x.at(int(v.vidx)-1).v != v {
				t.Fatalf("step %d: value at %d is not listed there", step, v.vidx)
			}
		}
		if used := (x.len() + volPageLen - 1) / volPageLen; len(x.pages) > used+1 || len(x.pages) < used {
			t.Fatalf("step %d: %d pages for %d entries", step, len(x.pages), x.len())
		}
	}
	for i := range 3*volPageLen + 17 {
		v := &Value{expireAt: 1}
		x.add("k"+itoa(i), v)
		live = append(live, v)
		if i%97 == 0 {
			check(i)
		}
	}
	check(-1)
	for step := 0; len(live) > 0; step++ {
		j := rng.IntN(len(live))
		x.remove(live[j])
		if live[j].vidx != 0 {
			t.Fatalf("removed value keeps index %d", live[j].vidx)
		}
		live[j] = live[len(live)-1]
		live = live[:len(live)-1]
		if step%97 == 0 || len(live)%volPageLen < 2 {
			check(step)
		}
	}
	if len(x.pages) > 1 {
		t.Fatalf("%d pages kept for an empty index", len(x.pages))
	}
	// Hovering at a page boundary reuses the spare page.
	for range volPageLen {
		x.add("k", &Value{expireAt: 1})
	}
	spare := len(x.pages)
	for range 10 {
		v := &Value{expireAt: 1}
		x.add("k", v)
		x.remove(v)
	}
	if len(x.pages) != spare+1 {
		t.Fatalf("%d pages after hovering at the boundary, want %d", len(x.pages), spare+1)
	}
}
