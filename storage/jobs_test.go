package storage

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// jobEvents records what OnBackground reports.
type jobEvents struct {
	mu  sync.Mutex
	got []bool
}

func (j *jobEvents) hook(busy bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.got = append(j.got, busy)
}

func (j *jobEvents) events() []bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.got)
}

// TestBackgroundJobsReported checks that each long background job is
// reported when it starts and when it ends: the process runs with more
// Go processors only in between (cmd/shardis/procs.go).
func TestBackgroundJobsReported(t *testing.T) {
	run := func(t *testing.T, eng *Engine, start func()) {
		t.Helper()
		var j jobEvents
		eng.OnBackground(j.hook)
		defer eng.OnBackground(nil)
		start()
		waitFor(t, "the job to end", func() bool { return len(j.events()) == 3 })
		if got, want := j.events(), []bool{false, true, false}; !slices.Equal(got, want) {
			t.Fatalf("OnBackground calls = %v, want %v", got, want)
		}
	}
	t.Run("bgsave", func(t *testing.T) {
		eng, c := persistedEngine(t, false)
		run(t, eng, func() {
			if got := c.do("bgsave"); got != "+Background saving started\r\n" {
				t.Fatalf("BGSAVE = %q", got)
			}
		})
	})
	t.Run("bgrewriteaof", func(t *testing.T) {
		eng, c := persistedEngine(t, true)
		run(t, eng, func() {
			if got := c.do("bgrewriteaof"); got != "+Background append only file rewriting started\r\n" {
				t.Fatalf("BGREWRITEAOF = %q", got)
			}
		})
	})
	t.Run("migration", func(t *testing.T) {
		h := newHarness(t, 4)
		fillTypes(h, 100)
		m := h.eng.Migrator()
		m.Start()
		defer m.Stop()
		run(t, h.eng, func() {
			mg, err := m.Migrate([]SlotSpan{{0, 2047}}, 2)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := m.Wait(mg.ID, 30*time.Second); err != nil || got.State != MigrationDone {
				t.Fatalf("migration: %+v, %v", got, err)
			}
		})
	})
}

// persistedEngine is an engine with persistence and a few keys.
func persistedEngine(t *testing.T, aof bool) (*Engine, *pclient) {
	t.Helper()
	eng := mustOpen(t, t.TempDir(), popts{aof: aof, fsync: FsyncEverysec})
	c := &pclient{t: t, eng: eng}
	for i := range 100 {
		c.do("set", "k"+itoa(i), "v")
	}
	return eng, c
}
