package storage

import (
	"sync"
	"sync/atomic"
	"time"
)

// The syncer: the goroutine that writes the instances' AOF buffers to
// their files and fsyncs them as appendfsync says; the rounds it shares
// with event loops committing under always (Engine.Commit, aof.go); and
// the quiet spells in which an idle server's syncer only keeps house.

// wake kicks the syncer into a round now.
func (p *persister) wake() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// syncLoop is the syncer goroutine: on a kick, or every 10 ms (every
// quietTick while quiet, housekeepingEvery with appendonly off), it writes every
// buffer with data; under always it fsyncs what it wrote before releasing
// the waiters, under everysec it fsyncs once a second.
func (p *persister) syncLoop() {
	defer close(p.done)
	// Under everysec and no a buffer goes to the kernel once it holds
	// writeBatch bytes or writeDelay after the last write, so SIGKILL costs
	// at most about writeDelay of writes; housekeeping runs every 100 ms.
	tick := 10 * time.Millisecond
	if !p.aofOn {
		tick = housekeepingEvery // only housekeeping to do
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	slow := false // ticking every quietTick
	for {
		stopping := false
		select {
		case <-p.kick:
		case <-t.C:
		case <-p.stop:
			stopping = true
		}
		mode := roundTick
		if stopping {
			mode = roundFinal
		}
		p.roundMu.Lock()
		p.syncRound(mode)
		quiet := p.aofOn && p.quiet()
		p.roundMu.Unlock()
		if stopping {
			return
		}
		// An idle server need not wake 100 times a second: with nothing
		// to write or fsync, the syncer ticks only for housekeeping
		// until a record arrives (published) or something kicks it.
		if quiet && !p.idle.Load() {
			p.idle.Store(true)
			if p.anyPending() { // a record came in meanwhile
				p.idle.Store(false)
				quiet = false
			}
		}
		if quiet != slow {
			slow = quiet
			period := quietTick
			if !slow {
				p.idle.Store(false)
				period = tick
			}
			t.Reset(period)
		}
	}
}

// quiet reports whether the syncer has nothing to do before the next
// record: nothing buffered, nothing failed, nothing awaiting an fsync,
// a checkpoint or a waiter. roundMu is held.
func (p *persister) quiet() bool {
	if p.writeErr.Load() != nil || p.anyPending() {
		return false
	}
	fsyncs := p.policy.Load() != FsyncNo
	for _, a := range p.files {
		if a.hasBacklog() || fsyncs && a.isUnsynced() {
			return false
		}
	}
	if p.jnl != nil && p.jnl.used() > 0 {
		return false
	}
	p.syncMu.Lock()
	defer p.syncMu.Unlock()
	return len(p.waiters) == 0
}

func (p *persister) anyPending() bool {
	for _, a := range p.files {
		if a.pending.Load() != 0 {
			return true
		}
	}
	return false
}

// Without fsync, writing 64 files every tick would cost more write(2)
// calls than the commands themselves; these bound the batching instead.
const (
	writeBatch = 64 << 10
	writeDelay = 50 * time.Millisecond
	// housekeepingEvery is how often the syncer checks save rules, auto
	// rewrite and the fsync policy, and its tick while quiet.
	housekeepingEvery = 100 * time.Millisecond
)

// quietTick is the syncer's tick while no file has anything to write or
// fsync (a variable so a test can prove the first record wakes it).
var quietTick = housekeepingEvery

// A round is the syncer's (on a tick or a kick), an event loop's
// (Engine.Commit), or the last one at shutdown.
type roundMode uint8

const (
	roundTick roundMode = iota
	roundCommit
	roundFinal
)

// syncRound writes (and, as the policy says, fsyncs) every file. An event
// loop's round leaves housekeeping and timed checkpoints to the syncer,
// so that the loop only waits for the one fdatasync its clients need.
// roundMu is held.
func (p *persister) syncRound(mode roundMode) {
	final := mode == roundFinal
	now := time.Now()
	if mode == roundTick && now.Sub(p.lastHousekeeping) >= housekeepingEvery {
		p.lastHousekeeping = now
		p.policy.Store(int32(p.cfg.Fsync()))
		p.refreshHot()
		p.checkSaveRules(now)
	}
	if !p.aofOn {
		return
	}
	target := p.seq.Load()
	policy := int(p.policy.Load())
	// Under always the round is made durable by the journal, and the
	// files themselves by checkpoints.
	journaled := policy == FsyncAlways && p.jnl != nil && !final
	fsync := !journaled && (policy == FsyncAlways || final ||
		policy == FsyncEverysec && now.Sub(p.lastFsync) >= time.Second)
	var failed atomic.Bool
	var errp atomic.Pointer[error]
	fail := func(err error) {
		failed.Store(true)
		errp.Store(&err)
	}
	todo := p.todo[:0]
	for _, a := range p.files {
		if a.pending.Load() == 0 && (journaled || !a.hasBacklog()) && !(fsync && a.isUnsynced()) {
			continue
		}
		if !fsync && !final && !journaled && a.pending.Load() < writeBatch && now.Sub(a.lastWrite) < writeDelay {
			continue // few bytes, recently written: wait for more
		}
		a.lastWrite = now
		todo = append(todo, a)
	}
	switch {
	case len(todo) == 1:
		if err := p.flushFile(todo[0], fsync, journaled); err != nil {
			fail(err)
		}
	case !fsync || haveSyncfs:
		// Writes to the page cache are quick: no goroutines. Several files
		// to fsync cost one syncfs(2), one journal commit, instead of one
		// per file.
		for _, a := range todo {
			if err := p.flushFile(a, false, journaled); err != nil {
				fail(err)
			}
		}
		if fsync && len(todo) > 0 && !failed.Load() {
			if err := p.syncAll(todo); err != nil {
				fail(err)
			}
		}
	default:
		// fsyncs wait on the disk: run them side by side.
		var wg sync.WaitGroup
		for _, a := range todo {
			wg.Add(1)
			go func(a *aofFile) {
				defer wg.Done()
				if err := p.flushFile(a, true, false); err != nil {
					fail(err)
				}
			}(a)
		}
		wg.Wait()
	}
	clear(todo)
	p.todo = todo[:0]
	if journaled && !failed.Load() {
		if err := p.jnl.commit(); err != nil {
			fail(err)
		}
	}
	if p.jnl != nil && !failed.Load() && (!journaled || p.jnl.due(now, mode == roundCommit)) {
		if err := p.checkpoint(); err != nil {
			fail(err)
		}
	}
	if fsync && policy == FsyncEverysec {
		p.lastFsync = now
	}
	if failed.Load() {
		if old := p.writeErr.Swap(errp.Load()); old == nil {
			p.log.Warn("error writing the append only file; write commands are refused until it succeeds", "err", *errp.Load())
		}
		return
	}
	// A round can succeed without retrying a failed file (its backlog
	// waits for more bytes or for writeDelay): the error stands until
	// that file has been written.
	if p.writeErr.Load() != nil && p.someFileFailing() {
		return
	}
	if p.writeErr.Swap(nil) != nil {
		p.log.Info("append only file write succeeded again; write commands are accepted")
	}
	// Waiters exist only under always; releasing them after any good
	// round also frees those caught by a CONFIG SET appendfsync change.
	p.syncMu.Lock()
	if target > p.synced {
		p.synced = target
	}
	ready := p.ready[:0]
	keep := p.waiters[:0]
	for _, w := range p.waiters {
		if w.seq <= p.synced {
			ready = append(ready, w)
		} else {
			keep = append(keep, w)
		}
	}
	clear(p.waiters[len(keep):])
	p.waiters = keep
	p.syncMu.Unlock()
	p.syncCond.Broadcast()
	for _, w := range ready {
		w.wake()
	}
	clear(ready)
	p.ready = ready[:0]
	if mode == roundTick && p.lastHousekeeping == now {
		p.maybeAutoRewrite()
	}
}

func (a *aofFile) hasBacklog() bool {
	a.fileMu.Lock()
	defer a.fileMu.Unlock()
	return len(a.retry) > 0
}

// someFileFailing reports whether a file's last write or fsync failed.
func (p *persister) someFileFailing() bool {
	for _, a := range p.files {
		a.fileMu.Lock()
		failing := a.lastErr != nil
		a.fileMu.Unlock()
		if failing {
			return true
		}
	}
	return false
}

func (a *aofFile) isUnsynced() bool {
	a.fileMu.Lock()
	defer a.fileMu.Unlock()
	return a.unsync
}

// syncAll makes every file in files durable with one syncfs(2) on their
// file system (they share one directory). Only the syncer writes the
// files, so none was written after it started.
func (p *persister) syncAll(files []*aofFile) error {
	a := files[0]
	a.fileMu.Lock() // a rewrite switch must not close the fd meanwhile
	err := syncfs(a.f)
	a.fileMu.Unlock()
	if err != nil {
		for _, a := range files {
			a.fileMu.Lock()
			a.lastErr = err
			a.fileMu.Unlock()
		}
		return err
	}
	for _, a := range files {
		a.fileMu.Lock()
		a.unsync = false
		a.lastErr = nil // the caller wrote each file whole first
		a.fileMu.Unlock()
	}
	return nil
}
