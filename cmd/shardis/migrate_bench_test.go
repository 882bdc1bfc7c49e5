package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/shardis/shardis/admin"
	"github.com/shardis/shardis/router"
)

// TestMigrationBenchmark measures the migration rate for 1,000,000 small
// keys, and client throughput and latency while every slot moves against
// an idle server. It only runs with SHARDIS_MIGRATION_BENCH=1 (it takes
// a minute and its numbers are for reports, not assertions);
// SHARDIS_MIGRATION_BENCH_THROTTLE sets a keys/s throttle first:
//
//	SHARDIS_MIGRATION_BENCH=1 go test -run TestMigrationBenchmark -v ./cmd/shardis
func TestMigrationBenchmark(t *testing.T) {
	if os.Getenv("SHARDIS_MIGRATION_BENCH") == "" {
		t.Skip("set SHARDIS_MIGRATION_BENCH=1 to run")
	}
	const nkeys = 1_000_000
	s := startShardis(t)
	a := api{t: t, base: s.adminURL()}
	ctx := context.Background()
	rc := newClient(t, s, 2)
	p := rc.Pipeline()
	value := "0123456789abcdef" // 16 bytes
	for i := range nkeys {
		p.Set(ctx, "key:"+strconv.Itoa(i), value, 0)
		if p.Len() == 1000 {
			if _, err := p.Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	const clients = 8
	const window = 3 * time.Second
	idle, _ := measure(t, s, clients, window, nil)
	if th := os.Getenv("SHARDIS_MIGRATION_BENCH_THROTTLE"); th != "" {
		// Keys per second: what an operator trades speed for latency with.
		a.must("PUT", "/v1/migrations/throttle", `{"keys_per_sec": `+th+`}`, 200, nil)
	}
	n := s.eng.Router().Table().Instances()
	var took time.Duration
	var keys, bytes int64
	// The clients run exactly while the migration does.
	busy, errs := measure(t, s, clients, 0, func() {
		t0 := time.Now()
		var ids []int64
		for i := range n {
			lo, hi := i*router.SlotCount/n, (i+1)*router.SlotCount/n-1
			var m admin.Migration
			a.must("POST", "/v1/migrations", fmt.Sprintf(`{"slots": [[%d, %d]], "target": %d}`, lo, hi, (i+1)%n), 201, &m)
			ids = append(ids, m.ID)
		}
		for _, id := range ids {
			m := a.wait(id, 5*time.Minute)
			if m.State != "done" {
				t.Fatalf("migration %+v", m)
			}
			keys += m.KeysMoved
			bytes += m.BytesMoved
		}
		took = time.Since(t0)
	})
	if errs != 0 {
		t.Errorf("%d client errors while migrating", errs)
	}
	rate := float64(keys) / took.Seconds()
	t.Logf("migrated %d keys (%.1f MB charged) in %v: %.0f keys/s, %.1f MB/s",
		keys, float64(bytes)/1e6, took, rate, float64(bytes)/1e6/took.Seconds())
	report := func(name string, l *latencies) {
		t.Logf("%-9s %d clients: %.0f req/s, p50 %v p99 %v max %v", name, clients,
			float64(len(l.d))/l.wall.Seconds(), l.quantile(.5), l.quantile(.99), l.quantile(1))
	}
	report("idle", idle)
	report("migrating", busy)
}
