// Package backend is the boundary between the proxy and the places keys
// live: numbered instances 0..N-1, each owning the keys of some slots.
//
// # Instances and completion
//
// An Instance executes commands whose keys it owns. Embedded instances
// (storage engines in this process) answer synchronously: the reply is
// appended to the caller's writer before Do returns, and no goroutine,
// channel or allocation is involved. Remote instances (a real Redis or
// another shardis over TCP, a later addition) answer later: Do returns
// false and the instance calls the Waiter exactly once, from any goroutine,
// with the reply bytes. The proxy's session keeps replies in request order
// whatever mix of the two a pipeline touches (see proxy/session.go).
//
// # Multi-instance commands
//
// A command whose keys live on several instances runs through Pool.Do,
// which, when every instance involved is embedded, runs the handler once
// with all their locks held (taken in ascending ID order by storage.Engine),
// so MSET, RENAME, COPY, SINTERSTORE and the like are exactly as atomic as
// in a single Redis. Twemproxy and Codis refuse or split these.
//
// # Locking
//
// backend adds no locks of its own: the storage engine's per-instance
// mutexes are the only ones on the request path.
package backend
