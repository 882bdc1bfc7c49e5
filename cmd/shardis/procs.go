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
// With procs-per-loop yes and one loop, the process runs with one
// processor while the engine has no long background job, and with all of
// them while one runs (an AOF rewrite, a background save, a slot
// migration): those need a core of their own, where Redis forks a child.
// The periodic work (expire cycle, background eviction, the AOF syncer)
// is short and gets the processor whenever the loop waits for input.
//
// It is off by default because of what it costs in the tail: with one
// processor, whatever else needs it (the AOF syncer, the garbage
// collector's mark worker) runs in the loop's stead until it yields or
// is preempted. On the same machine, -P 16 SET with appendonly everysec
// had a worst latency of 19 ms (two runs of 300,000) where two
// processors had 7 ms and redis-server 6 ms, and p99 4.5-5.2 ms against
// 3.2-3.7 ms; with appendonly off one run of two reached 24 ms. A trace
// put a quarter of the loop's scheduling delay in Instance.unlock: the
// syncer, queued on an instance lock for over a millisecond, turns the
// mutex to starvation mode, and each unlock then hands the processor over.
//
// Setting GOMAXPROCS in the environment turns it off: the operator's
// number stands. Several loops keep every processor (not measured here).
type procs struct {
	quiet, busy int
	set         func(int) int // runtime.GOMAXPROCS; tests record calls
	log         *slog.Logger
}

// newProcs returns the policy for loops event loops, or nil when it is
// off or does not apply.
func newProcs(on bool, loops int, log *slog.Logger) *procs {
	if !on || os.Getenv("GOMAXPROCS") != "" {
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
