package main

import (
	"io"
	"log/slog"
	"runtime"
	"slices"
	"testing"
)

func TestProcsPolicy(t *testing.T) {
	cores := runtime.GOMAXPROCS(0)
	if cores < 2 {
		t.Skip("one processor: nothing to lower")
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name  string
		on    bool
		env   string
		loops int
		want  bool
	}{
		{"one loop", true, "", 1, true},
		{"off", false, "", 1, false},
		{"several loops", true, "", 2, false},
		{"GOMAXPROCS set by the operator", true, "2", 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOMAXPROCS", tc.env)
			p := newProcs(tc.on, tc.loops, log)
			if got := p != nil; got != tc.want {
				t.Fatalf("newProcs(%d) applies = %v, want %v", tc.loops, got, tc.want)
			}
			if p == nil {
				return
			}
			var set []int
			p.set = func(n int) int { set = append(set, n); return 0 }
			p.background(false)
			p.background(true)
			p.background(false)
			if want := []int{1, cores, 1}; !slices.Equal(set, want) {
				t.Fatalf("GOMAXPROCS set to %v, want %v", set, want)
			}
		})
	}
}

// TestProcsFollowBackgroundJobs runs the real binary: one processor once
// started, all of them during a rewrite, one again after it.
func TestProcsFollowBackgroundJobs(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one processor: nothing to lower")
	}
	t.Setenv("GOMAXPROCS", "")
	b := startBinary(t, "--loglevel", "debug", "--appendonly", "yes", "--io-threads", "1", "--procs-per-loop", "yes")
	b.waitLog(t, `"msg":"Go processors changed"`, `"gomaxprocs":1`, `"background_job":false`)
	if got := b.conn.do("BGREWRITEAOF"); got != "+Background append only file rewriting started\r\n" {
		t.Fatalf("BGREWRITEAOF = %q", got)
	}
	// All processors: as many as the runtime's default, which a CPU
	// quota can make fewer than the machine's cores.
	b.waitLog(t, `"msg":"Go processors changed"`, `"background_job":true`)
	b.waitLog(t, `"msg":"Go processors changed"`, `"gomaxprocs":1`, `"background_job":false`)
}
