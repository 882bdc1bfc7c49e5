package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/shardis/shardis/admin"
)

func TestParseSlots(t *testing.T) {
	for _, c := range []struct {
		in   string
		want [][2]int
		err  bool
	}{
		{"0-99,512", [][2]int{{0, 99}, {512, 512}}, false},
		{" 7 , 9-10 ", [][2]int{{7, 7}, {9, 10}}, false},
		{"16383", [][2]int{{16383, 16383}}, false},
		{"", nil, true},
		{"a-3", nil, true},
		{"3-b", nil, true},
	} {
		got, err := parseSlots(c.in)
		if (err != nil) != c.err || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseSlots(%q) = %v, %v; want %v (error %v)", c.in, got, err, c.want, c.err)
		}
	}
}

func TestProgressLine(t *testing.T) {
	for _, c := range []struct {
		ms   []admin.Migration
		want string
	}{
		{[]admin.Migration{{State: "migrating", SlotsTotal: 100, SlotsDone: 50, KeysMoved: 10, KeysTotal: 20, ETASeconds: 3}},
			"[###############...............]  50% migrating slots 50/100 keys 10/20"},
		{[]admin.Migration{{State: "done", SlotsTotal: 4, SlotsDone: 4}, {State: "pending", SlotsTotal: 4}},
			"  50% pending slots 4/8"},
		{[]admin.Migration{{State: "done", SlotsTotal: 4, SlotsDone: 4}, {State: "cancelled", SlotsTotal: 4, SlotsDone: 1}},
			"cancelled slots 5/8"},
		{[]admin.Migration{{State: "done", SlotsTotal: 4, SlotsDone: 4}},
			"[##############################] 100% done slots 4/4"},
	} {
		if got := progressLine(c.ms); !strings.Contains(got, c.want) {
			t.Errorf("progressLine = %q, want it to contain %q", got, c.want)
		}
	}
}
