// Package proxy is shardis's RESP front end: a gnet v2 engine that speaks
// to clients exactly as Redis 7 does and runs their commands on the
// instances that own the keys.
//
// # Flow
//
// gnet runs io-threads event loops (EventLoops: by default one below 4
// cores, one per core less one from 4 up; with one loop, procs-per-loop
// yes lowers GOMAXPROCS to 1 while no long background job runs,
// cmd/shardis/procs.go). Each connection has a
// session in its gnet context. OnTraffic peeks at everything buffered,
// parses complete commands with the zero-allocation wire.Parser, and
// dispatches each one in order:
//
//  1. router.Lookup finds the command-table entry (and the subcommand for
//     containers); unknown commands and subcommands, arity and NOAUTH are
//     rejected here, in Redis's order, in one place.
//  2. Connection-level commands (PING, HELLO, AUTH, SELECT, CLIENT,
//     COMMAND, CONFIG, INFO, ...) run in the proxy.
//  3. Everything else goes to backend.Pool: the key positions come from the
//     table's key specs, each key's slot from CRC16 and its owner from the
//     routing table snapshot (both owners, source and target, for a slot
//     being migrated); commands whose keys span instances run once with
//     all of those instances locked. The engine routes again under its
//     locks if a migration published a newer table meanwhile.
//
// Replies are appended to the session's buffer and written with one
// c.Write per OnTraffic, never once per command. The consumed bytes are
// discarded only after every command that aliases them has run.
//
// # Reply order
//
// Embedded instances reply inline. An instance that replies later (remote
// instances) parks a placeholder; replies behind it wait in order and are
// released by a gnet Wake when it completes (session.go).
//
// # Blocking commands
//
// The engine never waits. A blocking command (BLPOP, BZPOPMIN, BLMOVE,
// ...) that finds nothing asks to block; the session keeps a copy of the
// command, registers on its keys and stops reading its input. A write to
// one of the keys wakes the oldest waiter through gnet's Wake, and it runs
// its command again; OnTick ends timed-out waits; CLIENT UNBLOCK ends one
// from outside (blocking.go).
//
// # Transactions
//
// MULTI queues copies of the commands dispatch accepts; EXEC runs them
// back to back through dispatch while holding every event loop's gate,
// so no other client's command runs in between; WATCH registers keys that
// any write naming them dirties (multi.go). The records of a transaction
// go to the append-only files command by command: a crash in the middle
// of a transaction's writes can leave part of it there, where Redis's
// single file wraps it in MULTI/EXEC and drops a torn one on load.
//
// # Publish/subscribe
//
// Channels live in the proxy, not in an instance: one registry of
// subscribers per channel, pattern and shard channel. PUBLISH encodes each
// message for its subscriber's protocol and hands it to gnet's AsyncWrite,
// which writes it on the subscriber's own loop (pubsub.go).
//
// # Limits
//
// proto-max-bulk-len and the unauthenticated request limits are enforced
// by the parser; a protocol error is answered with Redis's error and closes
// only that connection. client-query-buffer-limit bounds the bytes a client
// may have buffered; while a large bulk is still arriving the loop waits for
// Parser.Need bytes instead of re-scanning. gnet has no write back-pressure,
// so client-output-buffer-limit (normal class) is enforced after each write
// from c.OutboundBuffered. maxclients is checked in OnOpen with Redis's
// error.
//
// # Concurrency
//
// A session is touched only by its own event loop, except for the fields
// CLIENT LIST, INFO, OnTick and CLIENT UNBLOCK read (atomics, and a mutex
// for the client name). The waiter lists of blocked sessions are guarded
// by one server-wide mutex, taken only while someone is blocked.
// Command statistics are per event loop, so counting costs an uncontended
// atomic add. Storage locking is described in package storage.
package proxy
