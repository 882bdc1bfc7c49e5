package main

import (
	"log/slog"
	"os"
	"runtime"
)

// procs sets how many Go processors (GOMAXPROCS) the process runs with.
//
// With one event loop, the second processor mostly hurts while no long
// background job runs: gnet yields (runtime.Gosched) each time a poll
// finds nothing ready, the scheduler then wakes a thread for the idle
// processor, and that thread often takes the loop over, so the loop keeps
// hopping between threads and cores. Measured with redis-benchmark -P 1
// on 2 cores (INCR and SADD, 5 interleaved rounds), the server spent
// 13.1 µs of CPU per request with 2 processors and 12.45 µs with 1
// (redis-server: 12.25-13.55), and made half the context switches.
//
// So with one loop the process runs with one processor while the engine
// has no long background job, and with all of them while one runs (an
// AOF rewrite, a background save, a slot migration): those need a core
// of their own, where Redis forks a child. The periodic work (expire
// cycle, background eviction, the AOF syncer) is short and yields, and
// gets the processor whenever the loop waits for input.
//
// Setting GOMAXPROCS in the environment turns this off: the operator's
// number stands. Several loops keep every processor (not measured here).
type procs struct {
	quiet, busy int
	set         func(int) int // runtime.GOMAXPROCS; tests record calls
	log         *slog.Logger
}

// newProcs returns the policy for loops event loops, or nil when it does
// not apply.
func newProcs(loops int, log *slog.Logger) *procs {
	if os.Getenv("GOMAXPROCS") != "" {
		return nil
	}
	busy := runtime.GOMAXPROCS(0)
	if loops != 1 || busy < 2 {
		return nil
	}
	return &procs{quiet: loops, busy: busy, set: runtime.GOMAXPROCS, log: log}
}

// background is the engine's OnBackground hook.
func (p *procs) background(busy bool) {
	n := p.quiet
	if busy {
		n = p.busy
	}
	if p.set(n) != n {
		p.log.Debug("Go processors changed", "gomaxprocs", n, "background_job", busy)
	}
}
