package storage

import "sync"

// jobGauge counts the long jobs running on goroutines of their own: AOF
// rewrites, background saves and slot migrations. The process can run
// its event loop with fewer Go processors while none runs (see
// cmd/shardis/procs.go): these are the engine's work that is long enough
// to need a core of its own, where Redis would use a forked child. The
// periodic work (the expire cycle, eviction in the background, the AOF
// syncer) is short and yields often, so it is not counted.
type jobGauge struct {
	mu   sync.Mutex
	n    int
	hook func(busy bool)
}

// begin counts a job in; the first one tells the hook. The hook runs
// under mu, so its calls are in the order of the transitions.
func (g *jobGauge) begin() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	if g.n == 1 && g.hook != nil {
		g.hook(true)
	}
}

// end counts a job out; the last one tells the hook.
func (g *jobGauge) end() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n--
	if g.n == 0 && g.hook != nil {
		g.hook(false)
	}
}

// OnBackground sets fn to be called with true when a long background job
// (rewrite, background save, migration) starts while none runs, and with
// false when the last one ends. It is called at once with the current
// state. fn must be quick and must not call into the engine.
func (e *Engine) OnBackground(fn func(busy bool)) {
	g := &e.jobs
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hook = fn
	if fn != nil {
		fn(g.n > 0)
	}
}
