package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shardis/shardis/admin"
	"github.com/shardis/shardis/configs"
)

// TestRoutingStateSurvivesRestart: with the routing state persisted, a
// restarted shardis routes slots where the last run left them, keeps
// its pending migrations and runs them.
func TestRoutingStateSurvivesRestart(t *testing.T) {
	prev := routingPersisted
	routingPersisted = func(*configs.Config) bool { return true }
	t.Cleanup(func() { routingPersisted = prev })
	dir := t.TempDir()

	s := startShardis(t, "--instances", "4", "--dir", dir)
	a := api{t: t, base: s.adminURL()}
	var m admin.Migration
	a.must("POST", "/v1/migrations", `{"slots": [[0, 99], [512, 512]], "target": 3}`, 201, &m)
	if m = a.wait(m.ID, 30*time.Second); m.State != "done" {
		t.Fatalf("%+v", m)
	}
	a.must("POST", "/v1/migrations/pause", "", 200, nil)
	var pending admin.Migration
	a.must("POST", "/v1/migrations", `{"slots": [[4096, 4100]], "target": 0}`, 201, &pending)
	// The engine's background work (the mover) stops as at shutdown; the
	// listeners are closed when the test ends.
	s.eng.Stop()
	if _, err := os.Stat(filepath.Join(dir, "routing.json")); err != nil {
		t.Fatal(err)
	}

	s2 := startShardis(t, "--instances", "4", "--dir", dir)
	a2 := api{t: t, base: s2.adminURL()}
	tbl := s2.eng.Router().Table()
	for _, c := range []struct{ slot, owner int }{{0, 3}, {99, 3}, {100, 0}, {512, 3}, {513, 0}, {4096, 1}} {
		if got := tbl.Owner(c.slot); got != c.owner {
			t.Errorf("after restart slot %d on %d, want %d", c.slot, got, c.owner)
		}
	}
	var list struct {
		Paused     bool              `json:"paused"`
		Migrations []admin.Migration `json:"migrations"`
	}
	a2.must("GET", "/v1/migrations", "", 200, &list)
	if !list.Paused || len(list.Migrations) != 2 || list.Migrations[1].State != "pending" {
		t.Fatalf("migrations after restart: %+v", list)
	}
	a2.must("POST", "/v1/migrations/resume", "", 200, nil)
	if m := a2.wait(pending.ID, 30*time.Second); m.State != "done" {
		t.Fatalf("resumed: %+v", m)
	}
	if got := s2.eng.Router().Table().Owner(4100); got != 0 {
		t.Errorf("slot 4100 on %d after the resumed migration", got)
	}
}
