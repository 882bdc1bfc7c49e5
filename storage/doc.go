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
// # Keyspace
//
// Keyspace is the only door to the data. It routes each key to its
// instance with the routing snapshot the command was dispatched with,
// applies lazy expiry (a key is expired when now > deadline, as in Redis),
// and does the memory accounting, so multi-key commands need no special
// code for keys on different instances.
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
// SCAN) lock one instance at a time; FLUSHDB and FLUSHALL lock all. Counters
// read from outside (INFO, admin) are atomics, so readers never take a lock
// on the request path's behalf.
package storage
