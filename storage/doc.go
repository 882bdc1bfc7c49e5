// Package storage is shardis's embedded storage engine: N instances (64 by
// default) in one process, each holding the keys of the slots it owns.
//
// # Layout
//
// An Instance has --databases numbered databases. A DB keeps its keys per
// slot (a two-level directory of per-slot key tables), so one slot's keys
// can be enumerated and moved without scanning the others; that is what
// slot migration builds on. The key tables (keytable.go) are open
// addressing with the key's hash tag in each entry rather than Go maps:
// a lookup on a keyspace larger than the caches is a chain of cache
// misses, and a Go map puts four in front of the key where the table puts
// one. Values are typed (Value.Kind) with Redis's encoding
// names (Value.Enc); expiry is an absolute deadline in Unix milliseconds.
//
// # Commands
//
// Each command family lives in its own file (strings.go, keyspace_cmds.go,
// server.go, ...) with its own test file, and registers its handlers in
// registerAll (registry.go), the one place that lists what the engine
// implements. Handlers follow a Cmd/Op split: cmdX parses arguments and
// writes the reply; opX is a pure function of the data (a *Keyspace plus
// parsed arguments) that can be unit-tested and run inside a transaction.
// Arity and unknown commands are checked before a handler runs, from the
// command table (package router). Every reply text lives in errors.go.
//
// # Encodings
//
// Small collections use Redis's compact encodings with Redis's names and
// thresholds (EncodingConfig, process-wide like Redis's settings and
// changed by CONFIG SET): a listpack hash is one flat buffer of
// length-prefixed entries (flat.go), an intset is Redis's own intset blob
// (intset.go), so a small collection costs one allocation, not one per
// element. Past a threshold a value converts once, for good, to the full
// structure (hash table; for a sorted set an ordered B+tree plus map,
// zset_tree.go, which Redis's skiplist encoding names), exactly when Redis
// would, so OBJECT ENCODING, DUMP and MEMORY USAGE agree with Redis. A list is always
// a quicklist (list_value.go): a deque of such flat nodes, each bounded by
// list-max-listpack-size.
//
// # Keyspace
//
// Keyspace is the only door to the data. It routes each key to its
// instance with the routing snapshot the command was dispatched with,
// applies lazy expiry (see Expiry),
// keeps each value's LRU access clock (lru.go; lookups for EXISTS, TYPE,
// TTL and OBJECT do not touch it, as Redis's LOOKUP_NOTOUCH), and does the
// memory accounting, so multi-key commands need no special code for keys
// on different instances.
//
// # Expiry
//
// A deadline is an absolute time in Unix ms (Value.expireAt) and a key is
// expired once now > deadline, as in Redis. Expiry is both lazy and
// active. Lazily, Keyspace deletes an expired key when a command looks it
// up. Actively, Redis 7.0's slow activeExpireCycle (expire.go) runs hz
// times a second from a goroutine the engine owns (Engine.Start/Stop):
// for every database of every instance it checks 20 keys with a deadline,
// deletes the expired ones and goes again while more than 10% of the
// sample had expired, within 25% of the period; running averages of the
// sampled TTLs and stale shares give INFO's avg_ttl and
// expired_stale_perc. Both paths count expired_keys, give back the memory
// and call Options.OnExpire (persistence logs the DEL there). DBSIZE and
// INFO keyspace count expired keys until they are reclaimed, as Redis's do.
//
// Sampling must be uniform, and walking the key tables is not, so each DB also
// lists its keys with a deadline densely (DB.vol, volindex.go): a random
// index is a random key in O(1). Each listed Value records its position
// (Value.vidx, in what was padding: a Value stays 48 bytes), so removal
// swaps the last entry into the hole, also O(1). The list is paged, so
// neither growing nor shrinking it copies it under a lock. DB.put, DB.remove and
// DB.setExpire, which every store, delete, rename, move, copy and
// deadline change goes through, keep the array right; a flush drops it.
//
// The cycle never holds an instance lock for long: it takes the lock,
// samples until about 500µs have passed (the loop in hand is 20 keys,
// microseconds), releases it and yields so a waiting command gets in,
// then takes it again. A mass expiry (200,000 keys at once on one
// instance) so costs commands well under a millisecond of waiting.
// Each instance counts its databases holding a deadline (Instance.volDBs,
// an atomic changed only when an index gains its first key or loses its
// last), and the cycle passes over instances without one unlocked: an
// idle engine no longer takes 10,240 locks a second for nothing.
//
// # Memory and eviction
//
// Every key is charged to its instance what it costs on the Go heap
// (accounting.go): name and payload rounded to the allocator's size
// classes, the 48-byte Value, and each slot's key table exactly, charged
// as it grows and shrinks (an emptied table is freed, one under 1/8 full
// rebuilt smaller). used_memory is the
// sum over instances; a test keeps it within 10% of the heap the data
// really takes. Instances also publish their charge to one engine-wide
// total in 16 KiB steps, so the maxmemory check before each command reads
// one atomic and sums the 64 exact counters only near the limit.
//
// Eviction (evict.go) is Redis's performEvictions with the eight
// maxmemory-policy values: a 16-entry eviction pool fed with
// maxmemory-samples keys per round from an instance drawn by key count;
// the LRU clock or, under an LFU policy, Redis's 8-bit logarithmic
// counter with its decay (lfu.go) in the same 24 bits of Value.meta.
// allkeys sampling draws a random occupied slot (DB.occupied), volatile
// sampling the volatile index. Evicting takes one instance lock at a time
// and calls Options.OnEvict for the log, as expiry calls OnExpire.
//
// # Locking
//
// Each Instance has one mutex guarding all of its databases. Commands run
// directly on the event loop that parsed them: Engine.Run takes the locks of
// every instance the command's keys live on, in ascending instance ID order,
// runs the handler, and releases them. Ascending order makes the multi-lock
// deadlock-free, and holding all locks for the whole command makes MSET,
// MSETNX, DEL, RENAME and COPY atomic across instances exactly as they are
// in one Redis. Keyless commands spanning every instance (DBSIZE, KEYS,
// SCAN) lock one instance at a time; FLUSHDB, FLUSHALL, SWAPDB and SORT
// (whose BY and GET patterns name keys anywhere) lock all. Blocking commands never
// wait inside the engine: they ask the caller to park the client
// (Ctx.Block) and are run again when woken. Counters
// read from outside (INFO, admin) are atomics, so readers never take a lock
// on the request path's behalf.
//
// Persistence adds, outermost first: persister.roundMu (one sync round or
// checkpoint at a time, the syncer's or an event loop's Engine.Commit),
// journal.mu (a commit, or a checkpoint), an instance lock (only to swap
// its buffer out, or a rewrite's switch), aofFile.fileMu. Nothing takes roundMu while holding
// an instance lock: a command never commits, its loop does once the
// command's locks are released.
//
// # Migration
//
// Slots move between instances while commands keep running (migrate.go,
// migrator*.go). The mover lives here rather than in a package of its own
// because it is made of the engine's own invariants: instance locks, the
// per-slot key tables, the counters and the expiry index. A package outside
// would need all of them exported.
//
//   - M1: one function moves a key, moveKey. The *Value changes hands
//     (DB.remove from the source's slot table, DB.putOwned into the
//     target's under the same key string, its chargedSize passed from one
//     instance's counter to the other, the expiry index kept by both), so
//     a move is O(1) however large the value: a 5,000,000-field hash
//     moves as fast as a string.
//     An expired key is deleted through expireKey (OnExpire is called)
//     instead of moved, so a move never resurrects one. Every move calls
//     logMove for persistence.
//   - M2: a migrating slot has two owners in the routing table, the
//     source (Owner) and the target (Target); the proxy routes a command
//     touching it to both, so it runs with both locked. Keyspace.locate
//     moves the key from the source first when it is still there, then
//     works on the target. So while a slot migrates, nothing is ever
//     written to its source, every key is on exactly one of the two, and
//     a command sees all the keys it names on the target: multi-key
//     commands stay atomic across migrating and stable slots alike.
//   - M3: every table change is published before the mover touches keys
//     under it. A command routed with an older table notices after taking
//     its locks (Engine.Run compares the table it was routed with to the
//     current one: one atomic load on the hot path) and routes again with
//     the current table (relock). A command holding its locks keeps the
//     mover out of its instances until it ends.
//   - M4: the mover drains a slot in batches (at most 256 keys and about
//     200µs with source and target locked), yielding between them and
//     pacing itself to the throttle. It also works at most half the
//     time, resting a millisecond after each millisecond of moving: at
//     full speed it took a core from the event loops (1M small keys in
//     1.2 s, but clients fell from 46k to 10k requests/s, p99 3 → 10 ms,
//     on two cores); at half duty it moves them in 2.5 s while clients
//     keep 28k requests/s and their idle p99. A slot whose source is
//     empty in every database stays empty (M2), so the mover then
//     publishes the table giving the slot to the target. A migration works through its
//     slots in groups of 64: the table that gives a group to the target
//     also marks the next group migrating, so moving all 16384 slots
//     publishes (and, with persistence on, writes) about 256 tables, not
//     32,768.
//   - M5: commands that visit every key (KEYS, SCAN) go slot by slot and
//     lock each slot's current owners (lockSlot, checked against the
//     table like M3), so a key in the middle of a move is seen exactly
//     once. DBSIZE sums with every instance locked; SORT with BY or GET
//     patterns locks every instance and routes with the current table.
//     INFO keyspace and per-instance counters are read without locks and
//     may, for an instant, count a key moving between instances on
//     neither or both sides.
//   - M6: cancelling a running migration keeps the slots it finished on
//     the target and moves the slots in flight back: the table names the
//     target as the owner and the source as the target, and the same
//     drain-and-flip takes them home. Pause stops the mover between two
//     batches; commands keep moving the keys they touch.
//   - M7: with persistence on (Migrator.Open with the data directory),
//     every table, and every migration created, finished or cancelled
//     (and pause and throttle), rewrites routing.json atomically
//     (temporary file, fsync, rename); progress within a migration is
//     kept in memory, since the table says which slots are done. A table is written
//     before it is published (Migrator.install), so the file is never
//     behind the keys: a crash leaves it naming the table in force or the
//     one about to be, and either serves every key (a migrating slot is
//     correct with its keys on either owner; a flipped slot's source was
//     empty). A table that cannot be written is not published: the
//     migration fails with the reason. A restart loads the file before
//     serving: slots that were migrating are migrating again, which is
//     correct with their keys on either owner, and unfinished migrations
//     resume (slots already on their target are skipped). Slots left
//     migrating that no migration holds are finished first.
//   - M8: instances come and go at run time (migrator_instances.go). The
//     spare ones (Options.MaxInstances, the max-instances setting) exist
//     from the start, empty and outside the table, so the engine's
//     instance slice never changes under the hot path; adding one
//     publishes a wider table. Removing one retires it: no migration may
//     target it and its slots are drained; it keeps its ID and is the
//     first a later add puts back. In ring mode the ring is recomputed
//     with or without the instance and only the slots whose ring owner
//     changed move; in slots mode the rebalance plan evens slots out.
//   - M9: a rebalance (rebalance.go) first gives every instance in
//     service its share of slots, choosing among a donor's slots the one
//     whose keys best even both sides, then swaps slots between the most
//     and least loaded instances while keys differ by more than 10% of
//     the mean. It counts keys per slot (O(1) per slot); bytes would need
//     a walk over every value, so it balances keys, not bytes.
//
// # Persistence
//
// With appendonly yes every instance keeps its own append-only file,
// dir/appenddirname/<appendfilename stem>-NN.aof (aof.go): RESP commands,
// a SELECT whenever the database changes. Snapshots (SAVE, BGSAVE, save
// rules; snapshot.go) are dir/<dbfilename stem>-NN.snap in the same
// format: SELECT plus one "RESTORE key <deadline> <DUMP payload> REPLACE
// ABSTTL" per key. It is ours, not Redis's RDB: a snapshot written in
// batches without fork can only be made consistent by appending the final
// state of the keys that changed while it was written, and an RDB file
// may not name a key twice. One loader and check-aof serve both kinds.
//
// Propagation (aof_propagate.go). When persistence has work on the
// request path, Engine.hot points at it and Engine.Run hands the command
// to persister.run, still under the instance locks: the MISCONF check,
// the handler, then the records, so records are in the order the
// commands ran on each instance. When it has none, hot is nil and a
// command pays one load and one predictable branch. A command that
// replied an error, or blocked, logs nothing. A deterministic command on
// one instance is logged as sent; one that set a relative deadline (EXPIRE,
// SET EX, SETEX, GETEX, RESTORE) is followed by PEXPIREAT/PERSIST/DEL
// fixing each key's absolute deadline; XADD with an automatic id is logged
// with the id it generated; SPOP, XREADGROUP, XCLAIM, XAUTOCLAIM and every
// command whose keys span instances log the resulting state of each key
// they name, in that key's own instance file (DEL, or RESTORE ... REPLACE
// ABSTTL). A state record is idempotent and always the key's latest
// state, which is what makes the rewrite and snapshot catch-up, SORT
// ... STORE (logged after its global lock) and slot moves (aofLogMove)
// simple. Expired keys are logged as DEL from Options.OnExpire; FLUSHDB and
// FLUSHALL from opFlush and SWAPDB from opSwapDB, under every lock.
//
// Durability (aof_sync.go). Records go to an in-memory buffer per
// instance. The syncer goroutine (a 10 ms tick) writes a buffer to its
// file once it holds 64 KiB or 50 ms after the file's last write (so
// SIGKILL costs at most about 50 ms of writes under everysec and no, a
// power failure about a second under everysec), and fsyncs every file
// once a second under everysec.
// Once nothing is left to write, fsync or checkpoint it ticks only for
// housekeeping (every 100 ms, not 10) until the first record after the
// quiet spell wakes it (aofFile.published): an idle server with
// appendonly on used 2.4-2.7% of a core, mostly in these wake-ups.
// Under always each command's records take a sequence number
// (Ctx.Logged). Before the proxy writes a batch's replies it checks
// Engine.Durable for the batch's highest; when that is not yet durable the
// replies stay in the session's buffer, the client's further input waits,
// and the event loop goes on serving other clients. Once the loop has
// served a whole pass it calls Engine.Commit, which runs one round on the
// loop's own goroutine: every dirty buffer is appended, framed with its
// file and offset, to one journal file, and only that is fdatasynced
// (aof_journal.go); the loop then writes the held replies. One round
// serves every client of every loop that wrote meanwhile (group commit,
// under roundMu) for the price of Redis's one fsync per event-loop
// iteration; making the 64 files durable each round cost a syncfs(2) that
// grows with the files it flushes (0.11 ms for one, 1.6 to 2.4 ms for 64).
// The files get the journaled bytes in 64 KiB writes and become durable at
// checkpoints (one syncfs, then the journal starts a new epoch) at least
// once a second, before each rewrite and at shutdown; start-up first
// writes back from the journal whatever a power failure took from the
// files. A round that fails leaves its waiters to the syncer, which wakes
// them after its first good round.
//
// Write errors. A failed write is cut back to the last good size (as
// Redis does) and kept, with what follows it, to be written again on the
// next round; until a round succeeds Engine.WriteError is set, write
// commands get "-MISCONF Errors writing to the AOF file: <strerror>",
// reads are served. Nothing acknowledged is dropped: under everysec and no
// it waits in memory; under always its client waits (Redis exits instead).
//
// Rewrite and snapshots (aof_rewrite.go). There is no fork, so an
// instance's image is written in bounded batches (lock, serialize about
// 256 KiB of keys, unlock, write) while commands keep running and the old
// file keeps receiving records. Meanwhile the instance notes every key a
// command, expiry or move changed. At the end, with the instance locked,
// the current state of each noted key is appended, the file is fsynced and
// renamed over the old one, and the instance switches to it; buffers
// still holding records for the old file are dropped, their effect being
// in the new file (a generation number tells). The image is therefore the
// instance exactly as it was at the switch. FLUSHDB, FLUSHALL and SWAPDB
// abandon a job in progress. One job (rewrite or snapshot) runs at a time, instance after
// instance; a snapshot's files are therefore each consistent, but not one
// point in time across instances. A snapshot's images are written unsynced
// beside the old files, then one syncfs(2) makes them all durable and they
// replace the old set together (snapshot.go), so a failed or interrupted
// SAVE leaves the previous snapshot whole.
//
// Loading (aof_load.go). Before the listener opens, instances load in
// parallel, each from its AOF (or, with appendonly yes and no AOF yet, its
// snapshot, after which the AOF is written from memory), else from its
// snapshot. Each file is replayed into its own instance whatever the
// routing table says (a slot move is a DEL in the old instance's file and
// the key's state in the new one's; the routing state, persisted by the
// Migrator whenever data is, says who serves the slot), so a restart after
// slots moved, or in the middle of a migration, finds every key where it
// was. During a migration, state records go to the instance the key is
// on. Records are replayed through the handlers with the clock
// stopped at 1 ms so nothing expires during the load (Redis also expires
// nothing while loading). A last record cut short is truncated with a
// warning when aof-load-truncated is yes; anything else malformed stops
// start-up naming the file and offset (ErrTruncated, ErrCorrupt).
package storage
