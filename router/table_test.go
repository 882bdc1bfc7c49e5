package router

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
)

var tableSizes = []int{1, 2, 3, 5, 7, 10, 64, 100}

var tables sync.Map // "mode/n" → *Table; ring tables take a while to build

// table returns a (shared, immutable) table for mode and n.
func table(t *testing.T, mode Mode, n int) *Table {
	t.Helper()
	key := fmt.Sprintf("%s/%d", mode, n)
	if tbl, ok := tables.Load(key); ok {
		return tbl.(*Table)
	}
	tbl, err := NewTable(mode, n)
	if err != nil {
		t.Fatalf("NewTable(%s, %d): %v", mode, n, err)
	}
	tables.Store(key, tbl)
	return tbl
}

func TestNewTableCoversAllSlots(t *testing.T) {
	for _, mode := range []Mode{ModeSlots, ModeRing} {
		for _, n := range tableSizes {
			tbl := table(t, mode, n)
			if tbl.Instances() != n {
				t.Errorf("NewTable(%s, %d).Instances() = %d", mode, n, tbl.Instances())
			}
			total := 0
			for id, c := range tbl.SlotCounts() {
				if c == 0 {
					t.Errorf("%s/%d: instance %d owns no slot", mode, n, id)
				}
				if got := len(tbl.SlotsOf(id)); got != c {
					t.Errorf("%s/%d: SlotsOf(%d) has %d slots, SlotCounts says %d", mode, n, id, got, c)
				}
				total += c
			}
			if total != SlotCount {
				t.Errorf("%s/%d: instances own %d slots, want %d", mode, n, total, SlotCount)
			}
			for s := 0; s < SlotCount; s++ {
				if o := tbl.Owner(s); o < 0 || o >= n {
					t.Fatalf("%s/%d: slot %d owned by %d", mode, n, s, o)
				}
			}
		}
	}
}

func TestSlotsModeRanges(t *testing.T) {
	tests := []struct {
		n    int
		want []Range
	}{
		{1, []Range{{0, 16383, 0}}},
		{2, []Range{{0, 8191, 0}, {8192, 16383, 1}}},
		{3, []Range{{0, 5460, 0}, {5461, 10921, 1}, {10922, 16383, 2}}},
	}
	for _, tt := range tests {
		tbl, err := NewTable(ModeSlots, tt.n)
		if err != nil {
			t.Fatal(err)
		}
		if got := tbl.Ranges(); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("slots mode, %d instances: Ranges() = %v, want %v", tt.n, got, tt.want)
		}
	}

	tbl, err := NewTable(ModeSlots, 64)
	if err != nil {
		t.Fatal(err)
	}
	r := tbl.Ranges()
	if len(r) != 64 {
		t.Fatalf("slots mode, 64 instances: %d ranges, want 64", len(r))
	}
	for i, rg := range r {
		if want := (Range{Start: i * 256, End: i*256 + 255, Instance: i}); rg != want {
			t.Errorf("slots mode, 64 instances: range %d = %v, want %v", i, rg, want)
		}
	}
}

// The ring's bounded-load guarantee: no instance owns more than
// ceil(1.25 × the average) slots.
func TestRingModeBalance(t *testing.T) {
	for _, n := range tableSizes {
		tbl := table(t, ModeRing, n)
		bound := int(math.Ceil(float64(SlotCount) / float64(n) * 1.25))
		for id, c := range tbl.SlotCounts() {
			if c > bound {
				t.Errorf("ring, %d instances: instance %d owns %d slots, bound %d", n, id, c, bound)
			}
		}
	}
}

// Ring placement is what ring mode is for: growing from n to n+1
// instances should move little more than the 1/(n+1) share the new
// instance must take.
func TestRingModeMovement(t *testing.T) {
	for _, n := range []int{3, 10, 32} {
		before, after := table(t, ModeRing, n), table(t, ModeRing, n+1)
		moved := 0
		for s := 0; s < SlotCount; s++ {
			if before.Owner(s) != after.Owner(s) {
				moved++
			}
		}
		minimum := SlotCount / (n + 1)
		if moved > 2*minimum {
			t.Errorf("ring, %d→%d instances: %d slots moved, want at most %d (twice the minimum)", n, n+1, moved, 2*minimum)
		}
	}
}

func TestRingModeDeterministic(t *testing.T) {
	a := table(t, ModeRing, 10)
	b, err := NewTable(ModeRing, 10)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a.Ranges()) != fmt.Sprint(b.Ranges()) {
		t.Error("two ring tables for the same instances differ")
	}
}

func TestRangesRoundTrip(t *testing.T) {
	for _, mode := range []Mode{ModeSlots, ModeRing} {
		for _, n := range tableSizes {
			tbl := table(t, mode, n)
			ranges := tbl.Ranges()
			next := 0
			for i, r := range ranges {
				if r.Start != next || r.End < r.Start {
					t.Fatalf("%s/%d: range %d is %v, want one starting at %d", mode, n, i, r, next)
				}
				if i > 0 && ranges[i-1].Instance == r.Instance {
					t.Errorf("%s/%d: ranges %d and %d have one owner and should be one", mode, n, i-1, i)
				}
				for s := r.Start; s <= r.End; s++ {
					if tbl.Owner(s) != r.Instance {
						t.Fatalf("%s/%d: slot %d owned by %d, range says %d", mode, n, s, tbl.Owner(s), r.Instance)
					}
				}
				next = r.End + 1
			}
			if next != SlotCount {
				t.Errorf("%s/%d: ranges end at %d, want %d", mode, n, next-1, SlotCount-1)
			}
		}
	}
}

func TestWithOwner(t *testing.T) {
	tbl, _ := NewTable(ModeSlots, 2)
	next := tbl.WithOwner(5, 1)
	if next.Version() != tbl.Version()+1 {
		t.Errorf("WithOwner: version %d, want %d", next.Version(), tbl.Version()+1)
	}
	if next.Owner(5) != 1 {
		t.Errorf("WithOwner(5, 1): slot 5 owned by %d", next.Owner(5))
	}
	if tbl.Owner(5) != 0 {
		t.Errorf("WithOwner changed the original table: slot 5 owned by %d", tbl.Owner(5))
	}
	for s := 0; s < SlotCount; s++ {
		if s != 5 && next.Owner(s) != tbl.Owner(s) {
			t.Fatalf("WithOwner(5, 1) also moved slot %d", s)
		}
	}
	if v := next.WithOwner(6, 1).Version(); v != tbl.Version()+2 {
		t.Errorf("second WithOwner: version %d, want %d", v, tbl.Version()+2)
	}
}

func TestNewTableErrors(t *testing.T) {
	tests := []struct {
		mode Mode
		n    int
	}{
		{ModeSlots, 0},
		{ModeRing, -1},
		{ModeSlots, SlotCount + 1},
		{"hash", 3},
	}
	for _, tt := range tests {
		_, err := NewTable(tt.mode, tt.n)
		if err == nil || !strings.HasPrefix(err.Error(), "router: ") {
			t.Errorf("NewTable(%q, %d) error = %v, want a router: error", tt.mode, tt.n, err)
		}
	}
}

func TestParseMode(t *testing.T) {
	for _, s := range []string{"slots", "ring"} {
		if m, err := ParseMode(s); err != nil || string(m) != s {
			t.Errorf("ParseMode(%q) = %q, %v", s, m, err)
		}
	}
	if _, err := ParseMode("Slots"); err == nil || !strings.HasPrefix(err.Error(), "router: ") {
		t.Errorf(`ParseMode("Slots") error = %v, want a router: error`, err)
	}
}

// Readers see either the old or the new table, never a mix; run with -race.
func TestRouterPublish(t *testing.T) {
	r, err := New(ModeSlots, 4)
	if err != nil {
		t.Fatal(err)
	}
	if r.Mode() != ModeSlots {
		t.Errorf("Mode() = %s", r.Mode())
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 100; i++ {
			tbl := r.Table()
			if got := tbl.Owner(0); got != 0 && got != 3 {
				t.Errorf("slot 0 owned by %d", got)
				return
			}
		}
	}()
	t0 := r.Table()
	r.Publish(t0.WithOwner(0, 3))
	wg.Wait()
	if got := r.Table(); got.Owner(0) != 3 || got.Version() != t0.Version()+1 {
		t.Errorf("after Publish: slot 0 owned by %d at version %d", got.Owner(0), got.Version())
	}
	if t0.Owner(0) != 0 {
		t.Error("Publish changed the previous table")
	}
}
