package proxy

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shardis/shardis/router"
)

// Blocking commands (BLPOP, BZPOPMIN, BLMOVE, ...).
//
// The engine never waits: a blocking command that finds nothing sets
// Ctx.Block and writes no reply. The session then blocks: it keeps a copy
// of the command, registers on each of its keys in the server's waiter
// lists, and stops reading its input (a client's later commands wait, as
// in Redis). Four things end the wait, each delivered to the session's
// own event loop through gnet's Wake:
//
//   - a write command touching one of the keys wakes the first waiter on
//     that key, which runs its command again: served, it replies and goes
//     on with its input; otherwise it keeps its place. A served pop is a
//     write to the key, so it wakes the next waiter in turn, which is how
//     one LPUSH of three elements serves three waiters in arrival order;
//   - the timeout, checked by OnTick every 100 ms: a null array;
//   - CLIENT UNBLOCK from another client: a null array, or with ERROR
//     Redis's UNBLOCKED error;
//   - SWAPDB wakes the oldest waiter on every key, since any key of the
//     two databases may now hold data (Redis rescans both).
//
// Waiters are keyed by key name only: a write to a key of the same name in
// another database wakes a waiter needlessly, and it simply blocks again.
// The server-wide lock guards the waiter lists; the session's own fields
// are touched only by its event loop, except the atomic flags.

// blockState is a blocked session's command and how its wait ends.
type blockState struct {
	args     [][]byte // a copy: the input buffer moves on
	keys     []string
	deadline time.Time // zero: no timeout
	// ending is set by another goroutine: endTimeout or endError.
	ending atomic.Int32
}

const (
	endNone = iota
	endTimeout
	endError
)

// waiters are the blocked sessions per key name, oldest first.
type waiters struct {
	mu    sync.Mutex
	byKey map[string][]*session
	n     atomic.Int64 // blocked sessions, read on every write command
}

// block parks s on the command just run (args), whose handler asked for
// it with timeout ms (0: forever). The caller stops reading s's input.
func (s *session) block(cmd *router.Command, args [][]byte, timeoutMS int64) {
	b := &blockState{args: make([][]byte, len(args))}
	for i, a := range args {
		b.args[i] = append([]byte(nil), a...)
	}
	for _, p := range cmd.KeyPositions(b.args, nil) {
		if k := string(b.args[p]); !slices.Contains(b.keys, k) {
			b.keys = append(b.keys, k)
		}
	}
	if timeoutMS > 0 {
		b.deadline = time.Now().Add(time.Duration(timeoutMS) * time.Millisecond)
	}
	s.blocked.Store(b)
	w := &s.srv.waiters
	w.mu.Lock()
	if w.byKey == nil {
		w.byKey = make(map[string][]*session)
	}
	for _, k := range b.keys {
		w.byKey[k] = append(w.byKey[k], s)
	}
	w.mu.Unlock()
	w.n.Add(1)
	// A write between the command finding nothing and this registration
	// woke nobody: one more try, now that writers can see us, closes the
	// window.
	_ = s.conn.Wake(nil)
}

// unblock forgets s's wait.
func (s *session) unblock() {
	b := s.blocked.Swap(nil)
	if b == nil {
		return
	}
	w := &s.srv.waiters
	w.mu.Lock()
	for _, k := range b.keys {
		q := slices.DeleteFunc(w.byKey[k], func(o *session) bool { return o == s })
		if len(q) == 0 {
			delete(w.byKey, k)
		} else {
			w.byKey[k] = q
		}
	}
	w.mu.Unlock()
	w.n.Add(-1)
}

// retryBlocked runs on s's event loop whenever it is woken or sent input
// while blocked. It reports whether the wait is over (the reply is in s.w).
func (s *session) retryBlocked() (done bool) {
	// As in readCommands, a panicking handler costs the client only.
	defer func() {
		if r := recover(); r != nil {
			s.srv.log.Error("command panicked; closing the client", "id", s.id, "addr", s.addr, "panic", fmt.Sprint(r))
			s.unblock()
			s.w.Error("ERR internal error")
			s.closeAfter = true
			done = true
		}
	}()
	b := s.blocked.Load()
	switch b.ending.Load() {
	case endTimeout:
		s.unblock()
		s.w.NullArray()
		return true
	case endError:
		s.unblock()
		s.w.Error(errUnblocked)
		return true
	}
	s.chargeFast(monoNow())
	s.dispatch(b.args)
	if s.ctx.Block {
		s.ctx.Block = false
		return false
	}
	s.unblock()
	// The pop just served woke the next waiter while s was still queued,
	// and a waiter served at the same moment on another loop may have
	// picked s as "next" and so woken nobody live. Now that s is gone, the
	// head of each queue gets a wake of its own; a spare wake is harmless
	// (the waiter finds nothing and keeps its place).
	s.srv.waiters.wakeHeads(b.keys)
	return true
}

// wakeHeads wakes the oldest session waiting on each of keys.
func (w *waiters) wakeHeads(keys []string) {
	w.mu.Lock()
	for _, k := range keys {
		if q := w.byKey[k]; len(q) > 0 {
			_ = q[0].conn.Wake(nil)
		}
	}
	w.mu.Unlock()
}

// wakeWaiters wakes, for each key the write command just run names, the
// oldest session waiting on it.
func (s *session) wakeWaiters(cmd *router.Command, args [][]byte) {
	w := &s.srv.waiters
	if cmd.Name == "swapdb" {
		// Any key of the two databases may now hold data: every queue's
		// head looks again, as Redis rescans both databases.
		w.mu.Lock()
		for _, q := range w.byKey {
			if len(q) > 0 {
				_ = q[0].conn.Wake(nil)
			}
		}
		w.mu.Unlock()
		return
	}
	pos := s.keyPositions(cmd, args)
	w.mu.Lock()
	for _, p := range pos {
		for _, o := range w.byKey[string(args[p])] {
			if o != s {
				_ = o.conn.Wake(nil)
				break
			}
		}
	}
	w.mu.Unlock()
}

// keyPositions are the positions of the keys the command just run names:
// those it was routed by, or for a global handler, which routes none
// (SORT ... STORE), those the command table finds.
func (s *session) keyPositions(cmd *router.Command, args [][]byte) []int {
	if pos := s.ctx.KeyPos; len(pos) > 0 {
		return pos
	}
	return cmd.KeyPositions(args, nil)
}

// expireBlocked ends the waits whose timeout has passed; OnTick calls it.
func (srv *Server) expireBlocked(now time.Time) {
	w := &srv.waiters
	if w.n.Load() == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, q := range w.byKey {
		for _, s := range q {
			b := s.blocked.Load()
			if b != nil && !b.deadline.IsZero() && now.After(b.deadline) && b.ending.CompareAndSwap(endNone, endTimeout) {
				_ = s.conn.Wake(nil)
			}
		}
	}
}

// unblockClient is CLIENT UNBLOCK: it ends id's wait, if it is blocked.
func (srv *Server) unblockClient(id int64, how int32) bool {
	srv.mu.Lock()
	s := srv.sessions[id]
	srv.mu.Unlock()
	if s == nil {
		return false
	}
	b := s.blocked.Load()
	if b == nil || !b.ending.CompareAndSwap(endNone, how) {
		return false
	}
	_ = s.conn.Wake(nil)
	return true
}
