package storage

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/shardis/shardis/proxy/wire"
	"github.com/shardis/shardis/router"
)

// Handler runs one command. It parses c.Args, operates on c.KS and writes
// exactly one reply to c.W. Arity and the command name were checked before.
type Handler func(c *Ctx)

// Ctx is the state one command runs with. The proxy keeps one per
// connection and reuses it, so dispatch allocates nothing.
type Ctx struct {
	// W receives the reply; W.Proto is the client's protocol (2 or 3).
	W *wire.Writer
	// Args is the whole command, name first. It aliases the connection's
	// input buffer: anything stored must be copied.
	Args [][]byte
	// Raw, when set, is the multibulk Args were parsed from, as the client
	// sent it. Redis's protocol takes one spelling of a multibulk (no
	// leading zeros, no signs), so it is Args' own encoding, and the
	// append-only file copies it rather than encode Args again
	// (rawEncodes checks that it still matches Args).
	Raw []byte
	// Cmd is the command table entry (the subcommand for containers).
	Cmd *router.Command
	// KS is the data the command operates on.
	KS Keyspace
	// Limits exposes the run-time settings commands depend on.
	Limits *Limits
	// ReplyOverflow is set by a handler whose reply would pass the client's
	// output limit; it writes nothing and the proxy closes the client, as
	// Redis closes a client over client-output-buffer-limit.
	ReplyOverflow bool
	// KeyPos are the positions in Args of the command's keys and KeySlots
	// their slots, already hashed by the dispatcher (may be empty).
	KeyPos   []int
	KeySlots []int
	// Now is the command's start time in Unix ms, read once by the caller
	// that already had the clock in hand; 0 means "ask the engine clock".
	Now int64
	// Block is set, with no reply written, by a blocking command (BLPOP,
	// BZPOPMIN, ...) that found nothing to serve: the caller parks the
	// client and runs the command again when one of its keys is written,
	// or replies a null array once BlockTimeout (ms, 0 = never) passes.
	// The caller clears it.
	Block        bool
	BlockTimeout int64
	// Logged is set, when persistence is on, to the sequence number of
	// the command's append-only records; the caller passes the batch's
	// highest to Engine.WaitDurable before replying, and clears it.
	Logged uint64
}

// Limits are the settings commands consult while running.
type Limits struct {
	// ProtoMaxBulkLen caps string values built by APPEND, SETRANGE, ...
	ProtoMaxBulkLen func() int64
	// MaxReplyBytes is the client's hard output limit (0: none).
	MaxReplyBytes func() int64
}

// defaultMaxReply bounds a single reply when no output limit is set: past
// it a reply could exhaust the process's memory (Redis 7.0 itself dies on
// "SRANDMEMBER key -9223372036854775807").
const defaultMaxReply = 4 << 30

// maxReplyItems is how many elements a reply may hold before it must pass
// the client's output limit (every element takes at least 6 bytes).
func (l *Limits) maxReplyItems() int64 {
	max := int64(defaultMaxReply)
	if l != nil && l.MaxReplyBytes != nil {
		if n := l.MaxReplyBytes(); n > 0 && n < max {
			max = n
		}
	}
	return max / 6
}

// Options configure an Engine.
type Options struct {
	// Instances is the number of embedded instances (default 64).
	Instances int
	// MaxInstances is how many instances the engine can grow to at run
	// time (Migrator.AddInstance); the spare ones exist from the start,
	// empty, outside the routing table. 0 means Instances.
	MaxInstances int
	// Databases is the number of databases per instance (default 16).
	Databases int
	// Router publishes the slot → instance table.
	Router *router.Router
	// Now returns the current Unix time in milliseconds; tests inject it.
	// Deadlines are compared with it, by lazy and active expiry alike.
	Now func() int64
	// Hz is how many times a second the background work (the active
	// expire cycle) runs; it is read again after every run, so a CONFIG
	// SET hz takes effect at once. nil means Redis's default, 10.
	Hz func() int
	// OnExpire, when set, is called for every key removed because its
	// deadline passed, whether a command found it expired (lazy expiry)
	// or the active expire cycle did: the hook through which persistence
	// logs the DEL Redis propagates for an expired key. It runs with the
	// key's instance locked, so it must be quick and must not call back
	// into the engine; key is valid only during the call and must not be
	// modified (copy it to keep it).
	OnExpire func(instance, db int, key []byte)
	// OnEvict is OnExpire for keys deleted by eviction (evict.go), under
	// the same rules.
	OnEvict func(instance, db int, key []byte)
}

// Engine is the set of embedded instances of one process and the command
// handlers that run against them.
type Engine struct {
	insts     []*Instance
	router    *router.Router
	databases int
	now       func() int64
	handlers  []Handler // by router.Command.ID
	global    []bool    // keyless handlers that lock instances themselves
	hz        func() int
	onExpire  func(instance, db int, key []byte)
	onEvict   func(instance, db int, key []byte)
	cron      cron
	jobs      jobGauge // long background jobs (jobs.go)

	// Eviction (evict.go, accounting.go).
	policy    atomic.Pointer[evictPolicy]
	maxMemory atomic.Int64
	evicted   atomic.Int64
	usedTotal atomic.Int64 // published charges (accounting.go)
	evictState
	mig *Migrator

	// persist is set once by OpenPersistence, before serving; hot is
	// persist while it has work on the request path, else nil: the one
	// branch a command pays for persistence (persistence.go).
	persist *persister
	hot     atomic.Pointer[persister]
}

// NewEngine creates the instances and registers every command family.
func NewEngine(o Options) (*Engine, error) {
	if o.Instances <= 0 {
		o.Instances = 64
	}
	if o.Databases <= 0 {
		o.Databases = 16
	}
	if o.Router == nil {
		return nil, fmt.Errorf("storage: no router")
	}
	if n := o.Router.Table().Instances(); n != o.Instances {
		return nil, fmt.Errorf("storage: routing table spans %d instances, engine has %d", n, o.Instances)
	}
	if o.Now == nil {
		o.Now = func() int64 { return time.Now().UnixMilli() }
	}
	all := router.All()
	e := &Engine{
		router:    o.Router,
		databases: o.Databases,
		now:       o.Now,
		hz:        o.Hz,
		onExpire:  o.OnExpire,
		onEvict:   o.OnEvict,
		handlers:  make([]Handler, len(all)),
		global:    make([]bool, len(all)),
	}
	for i := 0; i < max(o.Instances, o.MaxInstances); i++ {
		e.insts = append(e.insts, newInstance(i, o.Databases, &e.usedTotal))
	}
	e.SetEviction(DefaultEvictionConfig)
	registerAll(&registry{e: e})
	e.mig = newMigrator(e)
	return e, nil
}

// Instances lists the instances by ID, the spare ones (past the routing
// table's Instances, see Options.MaxInstances) included.
func (e *Engine) Instances() []*Instance { return e.insts }

// Databases is the number of databases per instance.
func (e *Engine) Databases() int { return e.databases }

// Router is the router the engine routes keys with.
func (e *Engine) Router() *router.Router { return e.router }

// Now is the engine clock in Unix milliseconds.
func (e *Engine) Now() int64 { return e.now() }

// Handler is the handler for cmd, or nil when the engine does not
// implement it. Global reports a keyless command that spans all instances
// and must be started with RunGlobal.
func (e *Engine) Handler(cmd *router.Command) (h Handler, global bool) {
	return e.handlers[cmd.ID], e.global[cmd.ID]
}

// Run executes h with the locks of instances ids held. ids must be the
// owners, under table, of every key the command names; Run sorts and
// dedups them in place so locks are always taken in ascending order.
func (e *Engine) Run(c *Ctx, h Handler, table *router.Table, db int, ids []int) {
	ids = sortUnique(ids)
	for _, id := range ids {
		e.insts[id].lock()
	}
	if cur := e.router.Table(); cur != table {
		// A migration published a new table after this command was
		// routed: route again under the locks (migrate.go).
		table, ids = e.relock(c, cur, ids)
	}
	// Deferred so a panicking handler (a bug) cannot leave instances
	// locked; the proxy turns the panic into an error for that client.
	defer e.unlock(ids)
	c.KS = Keyspace{eng: e, table: table, db: db, now: e.commandTime(c)}
	c.KS.args, c.KS.keyPos, c.KS.keySlots = c.Args, c.KeyPos, c.KeySlots
	if len(c.KeySlots) > 1 {
		c.KS.warm()
	}
	if p := e.hot.Load(); p != nil {
		p.run(c, h, table, db, ids)
		return
	}
	h(c)
}

// warm reads the slot record of every key of a multi-key command before
// the command runs. On a large keyspace each key's lookup is a chain of
// cache misses (slot, table entry, key and value), and the chains of
// different keys are independent: these loads, one per key and nothing
// depending on them, go out to memory side by side, so the command's own
// lookups each start one miss further along.
func (k *Keyspace) warm() {
	n := 0
	for _, slot := range k.keySlots {
		o, migrating := k.table.Route(slot)
		if migrating {
			continue
		}
		if s := k.eng.insts[o].dbs[k.db].slot(slot); s != nil {
			n += s.keys.len()
		}
	}
	k.warmed = n // a use, so the loads stay
}

func (e *Engine) commandTime(c *Ctx) int64 {
	if c.Now != 0 {
		return c.Now
	}
	return e.now()
}

func (e *Engine) unlock(ids []int) {
	for i := len(ids) - 1; i >= 0; i-- {
		e.insts[ids[i]].unlock()
	}
}

// RunGlobal executes a keyless handler that visits instances itself.
func (e *Engine) RunGlobal(c *Ctx, h Handler, table *router.Table, db int) {
	c.KS = Keyspace{eng: e, table: table, db: db, now: e.commandTime(c)}
	if p := e.hot.Load(); p != nil {
		p.runGlobal(c, h)
		return
	}
	h(c)
}

// Locked runs fn with every instance locked, in ID order: the engine-wide
// critical section FLUSHALL and similar commands need.
func (e *Engine) Locked(fn func()) {
	for _, in := range e.insts {
		in.lock()
	}
	defer func() {
		for i := len(e.insts) - 1; i >= 0; i-- {
			e.insts[i].unlock()
		}
	}()
	fn()
}

// WithInstance runs fn with one instance locked.
func (e *Engine) WithInstance(id int, fn func(in *Instance)) {
	in := e.insts[id]
	in.lock()
	defer in.unlock()
	fn(in)
}

// sortUnique sorts a short slice in place (insertion sort: key counts per
// command are small and this allocates nothing) and drops duplicates.
func sortUnique(ids []int) []int {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && ids[j] < ids[j-1]; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
	n := 0
	for i, id := range ids {
		if i == 0 || id != ids[n-1] {
			ids[n] = id
			n++
		}
	}
	return ids[:n]
}

// Deadline is key's expiry deadline in Unix ms (0 when it has none) and
// whether the key exists at now, read without side effects: an expired
// key is not reclaimed. WATCH records it, so that EXEC can tell a watched
// key that expired since.
func (e *Engine) Deadline(db int, key []byte, now int64) (deadline int64, exists bool) {
	slot := router.Slot(key)
	var buf [2]int
	for {
		table := e.router.Table()
		ids := sortUnique(table.AppendOwners(buf[:0], slot))
		for _, id := range ids {
			e.insts[id].lock()
		}
		if e.router.Table() != table {
			e.unlock(ids) // a migration moved the slot meanwhile: look again
			continue
		}
		for _, id := range ids {
			if v := e.insts[id].dbs[db].get(slot, key); v != nil && (v.expireAt == 0 || v.expireAt > now) {
				deadline, exists = v.expireAt, true
				break
			}
		}
		e.unlock(ids)
		return deadline, exists
	}
}
