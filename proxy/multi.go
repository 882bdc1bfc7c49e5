package proxy

import (
	"sync"
	"sync/atomic"

	"github.com/shardis/shardis/proxy/wire"
	"github.com/shardis/shardis/router"
)

// Transactions: MULTI, EXEC, DISCARD, WATCH and UNWATCH, as in Redis 7.0.
//
// Queueing. After MULTI, dispatch checks each command as usual (unknown
// command, arity, authentication, maxmemory, commands flagged no-multi)
// and then, instead of running it, keeps a copy and replies +QUEUED. A
// command refused while queueing marks the transaction, and EXEC then
// discards it with EXECABORT. MULTI, EXEC, DISCARD, WATCH and QUIT are
// never queued.
//
// Atomicity. EXEC runs the queued commands back to back through the
// ordinary dispatch, each locking its instances as it always does, so
// multi-key commands inside a transaction stay atomic across instances
// and nothing runs a second locking path. What EXEC adds is that no other
// client's command runs in between: every event loop holds its gate (a
// mutex of its own, so loops never share a cache line for it) while it
// serves a batch of input, and EXEC holds every gate. With one event loop
// there is no gate at all: the loop runs one batch at a time, so EXEC is
// atomic by construction and costs the request path nothing. EXEC
// releases its own loop's gate before taking all of them in order, so two
// EXECs on different loops cannot deadlock. Background work (active
// expiry, eviction, slot migration, rewrites) is not held off, where
// single-threaded Redis runs none during EXEC: a key moved by a migration
// mid-transaction is the same key with the same value, and the commands
// of a transaction share one clock, so lazy expiry sees one instant.
//
// WATCH. A watched key is dirtied by any write command naming it, run by
// any client (the watching one included), whatever the command's outcome:
// Redis dirties only on an actual change (DEL of a missing key changes
// nothing), so shardis may abort a transaction Redis would run (the
// client retries, as after any conflict) but never runs one Redis would
// abort. FLUSHDB and FLUSHALL dirty the keys watched in the databases they
// empty that existed when watched; SWAPDB every key watched in its two
// databases. A key alive with a deadline when watched counts as modified
// once that deadline has passed, whether or not it was yet reclaimed, and
// any eviction while keys are watched counts as a modification of them
// all. Writes pay one atomic load for all this while nobody watches.

func registerTransactions(s *Server) {
	s.handle("multi", cmdMulti)
	s.handle("exec", cmdExec)
	s.handle("discard", cmdDiscard)
	s.handle("watch", cmdWatch)
	s.handle("unwatch", cmdUnwatch)
}

// txState is an open transaction's queue.
type txState struct {
	queue   [][][]byte // copies: the input buffer moves on
	aborted bool       // a command was refused while queueing
}

// queueing reports whether dispatch must queue cmd rather than run it.
func (s *session) queueing(cmd *router.Command) bool {
	if s.tx == nil {
		return false
	}
	switch cmd.Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return false
	}
	return true
}

// refuse replies msg to a command refused before it ran and, inside
// MULTI, marks the transaction so EXEC discards it.
func (s *session) refuse(msg string) {
	s.w.Error(msg)
	if s.tx != nil {
		s.tx.aborted = true
	}
}

// enqueue keeps a copy of args, in one allocation, for EXEC.
func (s *session) enqueue(args [][]byte) {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	cp := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		cp[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	s.tx.queue = append(s.tx.queue, cp)
	s.w.Simple("QUEUED")
}

// MULTI
func cmdMulti(s *session, _ [][]byte) {
	if s.tx != nil {
		s.w.Error(errMultiNested)
		return
	}
	s.tx = &txState{}
	s.w.OK()
}

// DISCARD
func cmdDiscard(s *session, _ [][]byte) {
	if s.tx == nil {
		s.w.Error(errDiscardWithoutMulti)
		return
	}
	s.tx = nil
	s.unwatchAll()
	s.w.OK()
}

// EXEC
func cmdExec(s *session, _ [][]byte) {
	tx := s.tx
	if tx == nil {
		s.w.Error(errExecWithoutMulti)
		return
	}
	s.tx = nil
	if tx.aborted {
		s.unwatchAll()
		s.w.Error(errExecAbort)
		return
	}
	// The watches are checked once no other loop can write: a write that
	// broke one either ran and marked it before, or runs after EXEC.
	defer s.srv.exclusive(s.stats)()
	dirty := s.watchBroken()
	s.unwatchAll()
	if dirty {
		s.w.NullArray()
		return
	}
	// The whole transaction runs at one instant, as in Redis 7.0.
	now := s.clockMS
	s.w.Array(len(tx.queue))
	s.inExec = true
	defer func() { s.inExec = false }()
	for _, args := range tx.queue {
		s.clockMS = now
		s.dispatch(args)
	}
}

// blockedInExec replies for a blocking command that found nothing inside
// a transaction, where Redis never blocks: as if it had timed out, except
// that the pop-and-push forms reply a null bulk there.
func (s *session) blockedInExec(cmd *router.Command) {
	s.ctx.Block = false
	switch cmd.Name {
	case "blmove", "brpoplpush":
		s.w.Null()
	default:
		s.w.NullArray()
	}
}

// gate is one event loop's exclusion for EXEC, padded to a cache line.
type gate struct {
	sync.Mutex
	_ [56]byte
}

// exclusive holds every event loop's gate, so that no other client's
// command runs until the returned function is called. The caller's loop
// (own) holds its own gate for the batch it is serving: it lets it go
// first and takes all in order, and keeps its own at the end.
func (srv *Server) exclusive(own *loopStats) func() {
	if len(srv.gates) == 0 {
		return func() {}
	}
	own.gate.Unlock()
	for i := range srv.gates {
		srv.gates[i].Lock()
	}
	return func() {
		for i := range srv.gates {
			if &srv.gates[i] != own.gate {
				srv.gates[i].Unlock()
			}
		}
	}
}

// watchKey is a watched key in its database.
type watchKey struct {
	db  int
	key string
}

// watchEntry is one key a session watches and its deadline (Unix ms) when
// watched, 0 if it had none or did not exist.
type watchEntry struct {
	watchKey
	deadline int64
}

// watchers maps watched key names to the watches on them. Keyed by the
// name alone, the write path looks a key up without building a string.
type watchers struct {
	mu    sync.Mutex
	byKey map[string][]watchRef
	n     atomic.Int64 // watched keys over all sessions, read on every write
}

// watchRef is one session's watch of a key in database db, and whether
// the key existed then: a flush dirties only the keys it removes, and a
// key created after WATCH was dirtied by the write that created it.
type watchRef struct {
	s       *session
	db      int
	existed bool
}

// WATCH key [key ...]
func cmdWatch(s *session, args [][]byte) {
	if s.tx != nil {
		s.w.Error(errWatchInMulti)
		return
	}
	w := &s.srv.watchers
	if len(s.watches) == 0 {
		s.watchEvicted = s.srv.eng.EvictedKeys()
	}
	for _, a := range args[1:] {
		k := watchKey{s.db, string(a)}
		if s.watching(k) {
			continue
		}
		deadline, exists := s.srv.eng.Deadline(s.db, a, s.clockMS)
		s.watches = append(s.watches, watchEntry{k, deadline})
		w.mu.Lock()
		if w.byKey == nil {
			w.byKey = make(map[string][]watchRef)
		}
		w.byKey[k.key] = append(w.byKey[k.key], watchRef{s, s.db, exists})
		w.mu.Unlock()
		w.n.Add(1)
	}
	s.w.OK()
}

// UNWATCH
func cmdUnwatch(s *session, _ [][]byte) {
	s.unwatchAll()
	s.w.OK()
}

func (s *session) watching(k watchKey) bool {
	for _, e := range s.watches {
		if e.watchKey == k {
			return true
		}
	}
	return false
}

// watchBroken reports whether a watched key was modified since WATCH.
func (s *session) watchBroken() bool {
	if len(s.watches) == 0 {
		return false
	}
	if s.watchDirty.Load() || s.srv.eng.EvictedKeys() != s.watchEvicted {
		return true
	}
	for _, e := range s.watches {
		if e.deadline != 0 && e.deadline <= s.clockMS {
			return true
		}
	}
	return false
}

// unwatchAll forgets every watched key; EXEC, DISCARD, UNWATCH and the
// connection's close call it.
func (s *session) unwatchAll() {
	if len(s.watches) > 0 {
		w := &s.srv.watchers
		w.mu.Lock()
		for _, e := range s.watches {
			q := w.byKey[e.key]
			for i, o := range q {
				if o.s == s && o.db == e.db {
					q = append(q[:i], q[i+1:]...)
					break
				}
			}
			if len(q) == 0 {
				delete(w.byKey, e.key)
			} else {
				w.byKey[e.key] = q
			}
		}
		w.mu.Unlock()
		w.n.Add(-int64(len(s.watches)))
		s.watches = s.watches[:0]
	}
	s.watchDirty.Store(false)
}

// touchWatched dirties the watches a write command may have broken: its
// keys in the session's database; for FLUSHDB and FLUSHALL the watched
// keys that existed when watched, in the databases they empty; for SWAPDB
// every key watched in either database.
func (s *session) touchWatched(cmd *router.Command, args [][]byte) {
	w := &s.srv.watchers
	all, dbA, dbB := false, s.db, s.db
	switch cmd.Name {
	case "flushall":
		all = true
	case "swapdb":
		// Indexes already checked by SWAPDB itself (a bad one failed it,
		// and dirtying nothing more is then harmless).
		a, _ := wire.ParseInt(args[1])
		b, _ := wire.ParseInt(args[2])
		dbA, dbB = int(a), int(b)
	}
	if all || cmd.Name == "flushdb" || cmd.Name == "swapdb" {
		w.mu.Lock()
		for _, q := range w.byKey {
			for _, o := range q {
				if (all || o.db == dbA || o.db == dbB) && (o.existed || cmd.Name == "swapdb") {
					o.s.watchDirty.Store(true)
				}
			}
		}
		w.mu.Unlock()
		return
	}
	pos := s.keyPositions(cmd, args)
	w.mu.Lock()
	for _, p := range pos {
		for _, o := range w.byKey[string(args[p])] {
			if o.db == s.db {
				o.s.watchDirty.Store(true)
			}
		}
	}
	w.mu.Unlock()
}
