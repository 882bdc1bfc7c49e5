// Package storage is shardis's embedded storage engine: N instances (64 by
// default) in one process, each holding the keys of the slots it owns.
//
// # Layout
//
// An Instance has --databases numbered databases. A DB keeps its keys per
// slot (a two-level directory of per-slot maps), so one slot's keys can be
// enumerated and moved without scanning the others; that is what slot
// migration builds on. Values are typed (Value.Kind) with Redis's encoding
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
// structure (hash table, skiplist plus map), exactly when Redis would, so
// OBJECT ENCODING, DUMP and MEMORY USAGE agree with Redis. A list is always
// a quicklist (list_value.go): a deque of such flat nodes, each bounded by
// list-max-listpack-size.
//
// # Keyspace
//
// Keyspace is the only door to the data. It routes each key to its
// instance with the routing snapshot the command was dispatched with,
// applies lazy expiry (a key is expired when now > deadline, as in Redis),
// keeps each value's LRU access clock (lru.go; lookups for EXISTS, TYPE,
// TTL and OBJECT do not touch it, as Redis's LOOKUP_NOTOUCH), and does the
// memory accounting, so multi-key commands need no special code for keys
// on different instances.
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
// SCAN) lock one instance at a time; FLUSHDB, FLUSHALL and SORT (whose BY
// and GET patterns name keys anywhere) lock all. Blocking commands never
// wait inside the engine: they ask the caller to park the client
// (Ctx.Block) and are run again when woken. Counters
// read from outside (INFO, admin) are atomics, so readers never take a lock
// on the request path's behalf.
package storage
