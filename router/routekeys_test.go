package router

import (
	"slices"
	"strings"
	"testing"
)

// TestRouteKeys: routing finds the keys of the specs that fit even where
// COMMAND GETKEYS (KeyPositions) reports none, as Redis 7.0 does for
// PFMERGE with a destination only.
func TestRouteKeys(t *testing.T) {
	for _, tt := range []struct {
		cmd       string
		getkeys   []int
		routeKeys []int
	}{
		{"pfmerge d", nil, []int{1}},
		{"pfmerge d a b", []int{1, 2, 3}, []int{1, 2, 3}},
		{"zunionstore d 5 a", nil, []int{1}},
		{"sintercard 5 a", nil, nil},
		{"get k", []int{1}, []int{1}},
	} {
		var args [][]byte
		for _, f := range strings.Fields(tt.cmd) {
			args = append(args, []byte(f))
		}
		c := Lookup(args[0])
		if got := c.KeyPositions(args, nil); !slices.Equal(got, tt.getkeys) {
			t.Errorf("KeyPositions(%s) = %v, want %v", tt.cmd, got, tt.getkeys)
		}
		if got := c.RouteKeys(args, nil); !slices.Equal(got, tt.routeKeys) {
			t.Errorf("RouteKeys(%s) = %v, want %v", tt.cmd, got, tt.routeKeys)
		}
	}
}
