package storage

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/shardis/shardis/router"
)

// Active expiry: Redis 7.0's slow activeExpireCycle. Lazy expiry alone
// never reclaims a key nobody reads again, so hz times a second the engine
// samples keys with a deadline in every database and deletes the expired
// ones, repeating while the sample says more than a few stale keys remain,
// within a time budget per run.

const (
	// expireKeysPerLoop is ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP at effort 1:
	// keys sampled per database per loop.
	expireKeysPerLoop = 20
	// expireAcceptableStale is ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE: a
	// database is sampled again while more than this percentage of the
	// last sample had expired.
	expireAcceptableStale = 10
	// expireSlowTimePerc is ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC: the share
	// of each period (1/hz) one run may spend.
	expireSlowTimePerc = 25
	// expireLockHold bounds how long a run keeps one instance locked: past
	// it the run finishes the loop in hand (20 keys, microseconds) and
	// lets commands in before taking the lock again, so a mass expiry
	// delays a command by well under a millisecond.
	expireLockHold = 500 * time.Microsecond
	// defaultHz is Redis's hz default.
	defaultHz = 10
)

// expireRun is what one run of the cycle did, for tests and INFO.
type expireRun struct {
	sampled, expired int64
	// maxHold is the longest the run held an instance lock; holds counts
	// the holds and longHolds those over a millisecond. maxHoldCPU is the
	// longest hold in CPU time of the running thread, measured only when
	// a test sets cron.threadCPU: on a busy machine the wall time of a
	// hold includes whatever time the thread was descheduled.
	maxHold, maxHoldCPU time.Duration
	holds, longHolds    int
	// timeCapped is set when the run stopped on its time budget with
	// work left (Redis's timelimit_exit).
	timeCapped bool
}

// cron is the engine's background goroutine and the state the expire
// cycle carries from one run to the next.
type cron struct {
	mu   sync.Mutex
	stop chan struct{}
	done chan struct{}
	// next is the (database, instance) pair the next run starts with, so
	// a run cut short by its budget resumes where it stopped and every
	// database gets its turn, as Redis's current_db.
	next int
	// timeCapReached counts runs that hit their time budget
	// (stat_expired_time_cap_reached_count); usedMicros is the time runs
	// took (stat_expire_cycle_time_used); stalePerc is the running
	// estimate of the share of keys with a deadline that are expired but
	// not yet reclaimed (stat_expired_stale_perc, float64 bits). Written
	// by the one goroutine running the cycle, read by INFO.
	timeCapReached atomic.Int64
	usedMicros     atomic.Int64
	stalePerc      atomic.Uint64
	// threadCPU, set by tests only, reads the CPU time of the calling
	// thread.
	threadCPU func() time.Duration
}

// ExpireStats are the active expire cycle's counters for INFO stats.
type ExpireStats struct {
	// StalePerc estimates the fraction (0..1) of keys with a deadline that
	// are expired but not yet reclaimed: a running average over runs,
	// each weighing 5%, of the share of sampled keys found expired.
	StalePerc float64
	// TimeCapReached counts runs that ended on their time budget with
	// work left.
	TimeCapReached int64
	// CycleTime is the time spent in runs.
	CycleTime time.Duration
}

// Start starts the engine's background work, the active expire cycle, run
// hz times a second until Stop, and the slot migrator. Starting a started engine does nothing.
func (e *Engine) Start() {
	e.mig.Start()
	e.cron.mu.Lock()
	defer e.cron.mu.Unlock()
	if e.cron.stop != nil {
		return
	}
	e.cron.stop, e.cron.done = make(chan struct{}), make(chan struct{})
	go e.cronLoop(e.cron.stop, e.cron.done)
}

// Stop stops the background work and waits for a run in progress to end.
func (e *Engine) Stop() {
	e.mig.Stop()
	e.cron.mu.Lock()
	defer e.cron.mu.Unlock()
	if e.cron.stop == nil {
		return
	}
	close(e.cron.stop)
	<-e.cron.done
	e.cron.stop, e.cron.done = nil, nil
}

// Hz is the current background frequency, clamped to Redis's 1..500.
func (e *Engine) Hz() int {
	hz := defaultHz
	if e.hz != nil {
		hz = e.hz()
	}
	return min(max(hz, 1), 500)
}

// ExpireStats reads the active expire cycle's counters, Redis's
// expired_stale_perc, expired_time_cap_reached_count and
// expire_cycle_cpu_milliseconds.
func (e *Engine) ExpireStats() ExpireStats {
	return ExpireStats{
		StalePerc:      math.Float64frombits(e.cron.stalePerc.Load()),
		TimeCapReached: e.cron.timeCapReached.Load(),
		CycleTime:      time.Duration(e.cron.usedMicros.Load()) * time.Microsecond,
	}
}

func (e *Engine) cronLoop(stop, done chan struct{}) {
	defer close(done)
	hz := e.Hz()
	period := time.Second / time.Duration(hz)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		e.activeExpireCycle(period * expireSlowTimePerc / 100)
		e.evictInBackground(period / 2)
		if h := e.Hz(); h != hz {
			hz, period = h, time.Second/time.Duration(h)
			t.Reset(period)
		}
	}
}

// activeExpireCycle is one slow run: it visits every database of every
// instance, starting where the last run stopped, until budget is spent.
// Pairs are visited database-major, so consecutive lock holds fall on
// different instances.
func (e *Engine) activeExpireCycle(budget time.Duration) expireRun {
	start := time.Now()
	end := start.Add(budget)
	var run expireRun
	n := len(e.insts)
	pairs := n * e.databases
	for range pairs {
		p := e.cron.next % pairs
		in := e.insts[p%n]
		// Nothing to sample: a deadline set meanwhile waits for the next
		// run, as one set just after the pair's visit would.
		skip := in.volDBs.Load() == 0
		if !skip && !time.Now().Before(end) {
			break // the next run starts with the pair skipped here
		}
		e.cron.next = (p + 1) % pairs
		if skip {
			continue
		}
		if !e.expireDB(in, p/n, end, &run) {
			run.timeCapped = true
			e.cron.timeCapReached.Add(1)
			break
		}
	}
	e.cron.usedMicros.Add(time.Since(start).Microseconds())
	var perc float64
	if run.sampled > 0 {
		perc = float64(run.expired) / float64(run.sampled)
	}
	old := math.Float64frombits(e.cron.stalePerc.Load())
	e.cron.stalePerc.Store(math.Float64bits(perc*0.05 + old*0.95))
	return run
}

// expireDB runs the sampling loop on one database in lock holds of at most
// about expireLockHold each. It reports false when the run's budget ended
// before the database was done.
func (e *Engine) expireDB(in *Instance, dbi int, end time.Time, run *expireRun) bool {
	for {
		var cpu time.Duration
		if e.cron.threadCPU != nil {
			cpu = e.cron.threadCPU()
		}
		in.lock()
		held := time.Now()
		until := held.Add(expireLockHold)
		if until.After(end) {
			until = end
		}
		done := e.expireLoops(in, dbi, until, run)
		hold := time.Since(held)
		in.unlock()
		if e.cron.threadCPU != nil {
			run.maxHoldCPU = max(run.maxHoldCPU, e.cron.threadCPU()-cpu)
		}
		run.maxHold = max(run.maxHold, hold)
		run.holds++
		if hold > time.Millisecond {
			run.longHolds++
		}
		if done {
			return true
		}
		if !time.Now().Before(end) {
			return false
		}
		// Unlock woke a waiting command, if any; yielding lets it take the
		// lock before this goroutine takes it again.
		runtime.Gosched()
	}
}

// expireLoops is the do-while of activeExpireCycle for one database, with
// the instance locked: sample up to 20 keys with a deadline, delete the
// expired ones, fold the live ones' TTLs into avg_ttl, and go again while
// more than 10% of the sample was expired. It stops early, returning
// false, once the clock passes until.
func (e *Engine) expireLoops(in *Instance, dbi int, until time.Time, run *expireRun) bool {
	db := &in.dbs[dbi]
	for {
		n := db.vol.len()
		if n == 0 {
			db.avgTTL = 0
			return true
		}
		now := e.now()
		var sampled, expired, live int64
		var ttlSum float64
		check := func(i int) {
			ent := *db.vol.at(i)
			at := ent.v.expireAt
			sampled++
			if now > at {
				key := unsafe.Slice(unsafe.StringData(ent.key), len(ent.key))
				e.expireKey(in, dbi, db, router.Slot(key), key)
				expired++
			} else if ttl := at - now; ttl > 0 {
				ttlSum += float64(ttl)
				live++
			}
		}
		if n <= expireKeysPerLoop {
			// Few enough to check them all, each once: going backwards,
			// a removal only moves an already checked entry into place.
			for i := n - 1; i >= 0; i-- {
				check(i)
			}
		} else {
			for range expireKeysPerLoop {
				check(rand.IntN(db.vol.len()))
			}
		}
		run.sampled += sampled
		run.expired += expired
		if live > 0 {
			// A running average giving each loop's mean a 2% weight, as
			// Redis does, seeded by the first.
			avg := int64(ttlSum / float64(live))
			if db.avgTTL == 0 {
				db.avgTTL = avg
			}
			db.avgTTL = db.avgTTL/50*49 + avg/50
		}
		if expired*100/sampled <= expireAcceptableStale {
			return true
		}
		if !time.Now().Before(until) {
			return false
		}
	}
}

// expireKey deletes key, found expired, from database dbi of in (locked):
// the one place lazy and active expiry count expired_keys, give back the
// memory and tell OnExpire.
func (e *Engine) expireKey(in *Instance, dbi int, db *DB, slot int, key []byte) {
	v := db.remove(slot, key)
	if v == nil {
		return
	}
	in.expiredKeys++
	in.keys.Add(-1)
	uncharge(in, key, v)
	if e.onExpire != nil {
		e.onExpire(in.id, dbi, key)
	}
}
