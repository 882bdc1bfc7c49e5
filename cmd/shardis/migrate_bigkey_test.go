package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shardis/shardis/admin"
	"github.com/shardis/shardis/router"
)

// bigKeyScale sizes the big-key test: SHARDIS_MIGRATION_BIGKEY=full is the
// issue's 5,000,000-field hash and 1,000,000-member sorted set; by default
// they are 25 times smaller, so CI still runs the test.
func bigKeyScale() (fields, members int, full bool) {
	if os.Getenv("SHARDIS_MIGRATION_BIGKEY") == "full" {
		return 5_000_000, 1_000_000, true
	}
	return 200_000, 40_000, false
}

// latencies collects request times from several goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
	// wall is how long the clients ran.
	wall time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}

func (l *latencies) quantile(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	slices.Sort(l.d)
	return l.d[min(len(l.d)-1, int(q*float64(len(l.d))))]
}

// measure runs clients doing GET and SET on their own keys for d and
// returns their latencies and the number of errors.
func measure(t *testing.T, s *server, clients int, d time.Duration, during func()) (*latencies, int64) {
	var lat latencies
	var errs atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	ctx := context.Background()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := redis.NewClient(&redis.Options{Addr: s.respAddr(), Protocol: 2, PoolSize: 1})
			defer rc.Close()
			var mine []time.Duration
			for i := 0; !stop.Load(); i++ {
				k := fmt.Sprintf("other:%d:%d", c, i%100)
				t0 := time.Now()
				var err error
				if i%2 == 0 {
					err = rc.Set(ctx, k, i, 0).Err()
				} else if err = rc.Get(ctx, k).Err(); err == redis.Nil {
					err = nil
				}
				mine = append(mine, time.Since(t0))
				if err != nil {
					errs.Add(1)
				}
			}
			lat.add(mine)
		}()
	}
	t0 := time.Now()
	end := t0.Add(d)
	if during != nil {
		during()
	}
	time.Sleep(time.Until(end))
	stop.Store(true)
	wg.Wait()
	lat.wall = time.Since(t0)
	return &lat, errs.Load()
}

// TestMigrationBigKeys moves a slot holding a huge hash and a huge sorted
// set back and forth while other clients work: a key moves as one
// pointer, so the move costs them no pause. The p99 bound of 10 ms is
// checked at full size, where the issue sets it; the scaled-down run
// checks correctness and reports the numbers.
func TestMigrationBigKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("loads large keys")
	}
	fields, members, full := bigKeyScale()
	s := startShardis(t)
	a := api{t: t, base: s.adminURL()}
	ctx := context.Background()
	rc := newClient(t, s, 2)
	start := time.Now()
	const chunk = 1000
	p := rc.Pipeline()
	for lo := 0; lo < fields; lo += chunk {
		args := make([]any, 0, 2*chunk)
		for i := lo; i < min(lo+chunk, fields); i++ {
			args = append(args, "f"+strconv.Itoa(i), i)
		}
		p.HSet(ctx, "{big}hash", args...)
		if p.Len() >= 20 {
			if _, err := p.Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	for lo := 0; lo < members; lo += chunk {
		zs := make([]redis.Z, 0, chunk)
		for i := lo; i < min(lo+chunk, members); i++ {
			zs = append(zs, redis.Z{Score: float64(i), Member: "m" + strconv.Itoa(i)})
		}
		p.ZAdd(ctx, "{big}zset", zs...)
		if p.Len() >= 20 {
			if _, err := p.Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded a %d-field hash and a %d-member sorted set in %v", fields, members, time.Since(start))
	slot := router.Slot([]byte("{big}"))
	home := s.eng.Router().Table().Owner(slot)
	away := (home + 1) % s.eng.Router().Table().Instances()

	const clients = 8
	idle, idleErrs := measure(t, s, clients, 2*time.Second, nil)
	moves := 0
	var moveTimes []time.Duration
	busy, busyErrs := measure(t, s, clients, 3*time.Second, func() {
		// Ping-pong the slot (and its neighbours) for the whole window.
		deadline := time.Now().Add(2500 * time.Millisecond)
		for time.Now().Before(deadline) {
			to := away
			if moves%2 == 1 {
				to = home
			}
			t0 := time.Now()
			var m admin.Migration
			a.must("POST", "/v1/migrations", fmt.Sprintf(`{"slots": [[%d, %d]], "target": %d}`, max(0, slot-8), min(router.SlotCount-1, slot+8), to), 201, &m)
			if m = a.wait(m.ID, time.Minute); m.State != "done" || m.KeysMoved < 2 {
				t.Fatalf("migration did not move the big keys: %+v", m)
			}
			moveTimes = append(moveTimes, time.Since(t0))
			moves++
		}
	})
	t.Logf("idle:      %d requests, p50 %v p99 %v p99.9 %v max %v", len(idle.d), idle.quantile(.5), idle.quantile(.99), idle.quantile(.999), idle.quantile(1))
	t.Logf("migrating: %d requests, p50 %v p99 %v p99.9 %v max %v; %d migrations of 17 slots, slowest %v",
		len(busy.d), busy.quantile(.5), busy.quantile(.99), busy.quantile(.999), busy.quantile(1), moves, slices.Max(moveTimes))
	if idleErrs+busyErrs != 0 {
		t.Errorf("%d errors idle, %d while migrating", idleErrs, busyErrs)
	}
	if moves < 2 {
		t.Errorf("only %d migrations in the window", moves)
	}
	if p99 := busy.quantile(.99); full && p99 > 10*time.Millisecond {
		t.Errorf("p99 while migrating %v, want under 10ms", p99)
	}
	// The big keys survived the trips intact.
	if n, err := rc.HLen(ctx, "{big}hash").Result(); err != nil || n != int64(fields) {
		t.Errorf("HLEN = %d, %v; want %d", n, err, fields)
	}
	if n, err := rc.ZCard(ctx, "{big}zset").Result(); err != nil || n != int64(members) {
		t.Errorf("ZCARD = %d, %v; want %d", n, err, members)
	}
	if v, err := rc.HGet(ctx, "{big}hash", "f"+strconv.Itoa(fields-1)).Int(); err != nil || v != fields-1 {
		t.Errorf("HGET last field = %d, %v", v, err)
	}
	if sc, err := rc.ZScore(ctx, "{big}zset", "m7").Result(); err != nil || sc != 7 {
		t.Errorf("ZSCORE = %v, %v", sc, err)
	}
}
