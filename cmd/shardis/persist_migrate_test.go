package main

import (
	"context"
	"fmt"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/shardis/shardis/admin"
)

// TestRestartAfterSlotsMoved: with appendonly yes (which also persists
// the routing state), keys written, moved by a finished migration,
// changed after the move, and caught by a second migration still running
// when shardis is killed with SIGKILL, are all served with their last
// acknowledged values and deadlines after the restart.
func TestRestartAfterSlotsMoved(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildShardis(t)
	dir := t.TempDir()
	args := func(adminPort string) []string {
		return []string{"--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--instances", "4", "--admin-port", adminPort}
	}
	port, aport := freePort(t), freePort(t)
	cmd := spawnWith(t, bin, port, args(aport)...)
	ctx := context.Background()
	c := crashClient(port)
	const n = 3000
	for i := 0; i < n; i++ {
		if err := c.Set(ctx, fmt.Sprint("key:", i), fmt.Sprint("v", i), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	c.Expire(ctx, "key:7", time.Hour)
	a := api{t: t, base: "http://127.0.0.1:" + aport}
	var m admin.Migration
	a.must("POST", "/v1/migrations", `{"slots": [[0, 8191]], "target": 3}`, 201, &m)
	if m = a.wait(m.ID, 60*time.Second); m.State != "done" {
		t.Fatalf("migration: %+v", m)
	}
	// Changes after the move land in the new owner's file.
	for i := 0; i < n; i += 3 {
		if err := c.Append(ctx, fmt.Sprint("key:", i), "+").Err(); err != nil {
			t.Fatal(err)
		}
	}
	// A second migration, killed while it runs.
	a.must("POST", "/v1/migrations", `{"slots": [[8192, 16383]], "target": 2}`, 201, &m)
	for i := 1; i < n; i += 3 {
		if err := c.Append(ctx, fmt.Sprint("key:", i), "*").Err(); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	port, aport = freePort(t), freePort(t)
	spawnWith(t, bin, port, args(aport)...)
	c2 := crashClient(port)
	defer c2.Close()
	for i := 0; i < n; i++ {
		want := fmt.Sprint("v", i)
		switch i % 3 {
		case 0:
			want += "+"
		case 1:
			want += "*"
		}
		if got, err := c2.Get(ctx, fmt.Sprint("key:", i)).Result(); err != nil || got != want {
			t.Fatalf("after restart key:%d = %q, %v; want %q", i, got, err, want)
		}
	}
	if ttl := c2.TTL(ctx, "key:7").Val(); ttl < 59*time.Minute || ttl > time.Hour {
		t.Fatalf("key:7 TTL after restart %v", ttl)
	}
	if got := c2.DBSize(ctx).Val(); got != n {
		t.Fatalf("DBSIZE after restart = %d, want %d", got, n)
	}
}

// spawnWith is spawn with the caller's --admin-port.
func spawnWith(t *testing.T, bin, port string, args ...string) *exec.Cmd {
	t.Helper()
	return spawn(t, bin, port, args...)
}
