package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/shardis/shardis/router"
)

// Cross-instance atomicity: commands that move data between keys on
// different instances run concurrently with readers that would see any
// intermediate state (a member in both sets or in neither, a key under
// both names or neither). Redis runs each command atomically; so must
// shardis, which holds every owner's lock for the whole command.

// twoInstanceKeys returns two key names whose slots belong to different
// instances of the default 64-instance layout.
func twoInstanceKeys(t *testing.T, a, b string) (string, string) {
	t.Helper()
	rt, err := router.New(router.ModeSlots, 64)
	if err != nil {
		t.Fatal(err)
	}
	tb := rt.Table()
	for i := 0; i < 1000; i++ {
		kb := fmt.Sprintf("%s%d", b, i)
		if tb.Owner(router.Slot([]byte(a))) != tb.Owner(router.Slot([]byte(kb))) {
			return a, kb
		}
	}
	t.Fatal("no key pair on two instances")
	return "", ""
}

// hammer runs movers and checkers (when check is not nil) concurrently,
// each for n rounds, and fails on the first error either returns.
func hammer(t *testing.T, s *server, n int, move, check func(ctx context.Context, c *redis.Client, rng *rand.Rand) error) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	run := func(seed uint64, fn func(context.Context, *redis.Client, *rand.Rand) error) {
		defer wg.Done()
		c := newClient(t, s, 2)
		rng := rand.New(rand.NewPCG(seed, 7))
		for i := 0; i < n; i++ {
			if err := fn(ctx, c, rng); err != nil {
				errc <- err
				return
			}
		}
	}
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go run(uint64(i), move)
		if check != nil {
			wg.Add(1)
			go run(uint64(100+i), check)
		}
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
}

func TestAtomicSMove(t *testing.T) {
	s := startShardis(t)
	c := newClient(t, s, 2)
	ctx := context.Background()
	a, b := twoInstanceKeys(t, "set-a", "set-b")
	const members = 40
	for i := 0; i < members; i++ {
		c.SAdd(ctx, a, fmt.Sprintf("m%d", i))
	}
	hammer(t, s, 400, func(ctx context.Context, c *redis.Client, rng *rand.Rand) error {
		m := fmt.Sprintf("m%d", rng.IntN(members))
		src, dst := a, b
		if rng.IntN(2) == 0 {
			src, dst = b, a
		}
		return c.SMove(ctx, src, dst, m).Err()
	}, func(ctx context.Context, c *redis.Client, _ *rand.Rand) error {
		union, err := c.SUnion(ctx, a, b).Result()
		if err != nil {
			return err
		}
		both, err := c.SInterCard(ctx, 0, a, b).Result()
		if err != nil {
			return err
		}
		if len(union) != members || both != 0 {
			return fmt.Errorf("SMOVE seen half done: |%s ∪ %s| = %d, |∩| = %d", a, b, len(union), both)
		}
		return nil
	})
}

func TestAtomicLMove(t *testing.T) {
	s := startShardis(t)
	c := newClient(t, s, 2)
	ctx := context.Background()
	a, b := twoInstanceKeys(t, "list-a", "list-b")
	const elements = 40
	for i := 0; i < elements; i++ {
		c.RPush(ctx, a, fmt.Sprintf("e%d", i))
	}
	hammer(t, s, 400, func(ctx context.Context, c *redis.Client, rng *rand.Rand) error {
		var err error
		switch rng.IntN(3) {
		case 0:
			err = c.LMove(ctx, a, b, "LEFT", "RIGHT").Err()
		case 1:
			err = c.LMove(ctx, b, a, "RIGHT", "LEFT").Err()
		default:
			err = c.RPopLPush(ctx, b, a).Err()
		}
		if errors.Is(err, redis.Nil) { // the source list was empty
			err = nil
		}
		return err
	}, nil) // no read command spans two lists: the invariant is checked at the end

	la, _ := c.LRange(ctx, a, 0, -1).Result()
	lb, _ := c.LRange(ctx, b, 0, -1).Result()
	all := append(la, lb...)
	slices.Sort(all)
	if len(slices.Compact(all)) != elements || len(la)+len(lb) != elements {
		t.Fatalf("after concurrent LMOVE: %d + %d elements, %d distinct, want %d", len(la), len(lb), len(slices.Compact(all)), elements)
	}
}

func TestAtomicRename(t *testing.T) {
	s := startShardis(t)
	c := newClient(t, s, 2)
	ctx := context.Background()
	x, y := twoInstanceKeys(t, "name-x", "name-y")
	c.Set(ctx, x, "v", 0)
	hammer(t, s, 400, func(ctx context.Context, c *redis.Client, rng *rand.Rand) error {
		src, dst := x, y
		if rng.IntN(2) == 0 {
			src, dst = y, x
		}
		if err := c.Rename(ctx, src, dst).Err(); err != nil && err.Error() != "ERR no such key" {
			return err
		}
		return nil
	}, func(ctx context.Context, c *redis.Client, _ *rand.Rand) error {
		n, err := c.Exists(ctx, x, y).Result()
		if err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("RENAME seen half done: EXISTS %s %s = %d", x, y, n)
		}
		return nil
	})
}
