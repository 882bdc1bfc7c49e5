package proxy

import (
	"strings"
	"time"

	"github.com/shardis/shardis/backend"
	"github.com/shardis/shardis/router"
	"github.com/shardis/shardis/storage"
)

// connHandler runs a command the proxy answers itself (connection state,
// introspection, configuration) rather than an instance.
type connHandler func(s *session, args [][]byte)

// dispatch runs one parsed command and leaves its reply in s.w (or parks
// it). It is the one place where unknown commands, unknown subcommands,
// arity and authentication are checked, in Redis's order, before any
// handler runs.
func (s *session) dispatch(args [][]byte) {
	srv := s.srv
	cmd := s.lookup(args[0])
	if cmd != nil && cmd.Subcommands != nil && len(args) > 1 {
		sub := cmd.Sub(args[1])
		if sub == nil || !srv.implemented[sub.ID] {
			s.refuse(errUnknownSubcommand(args[1], args[0]))
			s.stats.errors.Add(1)
			return
		}
		cmd = sub
	}
	if cmd == nil || !srv.implemented[cmd.ID] {
		s.refuse(errUnknownCommand(args))
		s.stats.errors.Add(1)
		return
	}
	st := &s.stats.cmds[cmd.ID]
	if !cmd.AcceptsArgc(len(args)) {
		s.refuse(errWrongArgs(cmd.Name))
		st.rejected.Add(1)
		s.stats.errors.Add(1)
		return
	}
	if !s.authenticated && cmd.Flags&router.FlagNoAuth == 0 {
		s.refuse(errNoAuth)
		st.rejected.Add(1)
		s.stats.errors.Add(1)
		return
	}
	if srv.eng.MaxMemory() > 0 && srv.eng.Evict() == storage.EvictFail && cmd.Flags&router.FlagDenyOOM != 0 {
		s.refuse(storage.ErrOOM)
		st.rejected.Add(1)
		s.stats.errors.Add(1)
		return
	}
	if s.subscribed() && s.proto.Load() == 2 && !pubsubOnly(cmd.Name) {
		s.refuse(errPubSubContext(cmd.Name))
		st.rejected.Add(1)
		s.stats.errors.Add(1)
		return
	}
	if s.queueing(cmd) {
		msg := ""
		if cmd.Flags&router.FlagNoMulti != 0 {
			msg = errNotInMulti
		} else if err := srv.eng.WriteError(); err != nil && (cmd.Flags&router.FlagWrite != 0 || cmd.Name == "ping") {
			msg = storage.MisconfReply(err)
		}
		if msg != "" {
			s.refuse(msg)
			st.rejected.Add(1)
			s.stats.errors.Add(1)
			return
		}
		s.enqueue(args)
		return
	}
	// An atomic store is a full barrier on x86; a pipeline of one command
	// repeats the same entry, so store only on change.
	if s.lastCmd.Load() != cmd {
		s.lastCmd.Store(cmd)
	}
	s.startTiming(cmd)
	s.ctx.Now = s.clockMS
	mark := len(s.w.B)
	behind := len(s.parked) > 0
	ready := true
	if h := srv.connHandlers[cmd.ID]; h != nil {
		h(s, args)
	} else {
		ready = s.route(cmd, args)
	}
	if ready && behind {
		s.park(mark)
	}
	switch {
	case s.ctx.Block && s.inExec:
		s.blockedInExec(cmd)
	case s.ctx.Block:
		// Left set: the caller stops reading input (see blocking.go).
		if s.blocked.Load() == nil {
			s.block(cmd, args, s.ctx.BlockTimeout)
		}
	case cmd.Flags&router.FlagWrite != 0:
		if srv.waiters.n.Load() > 0 {
			s.wakeWaiters(cmd, args)
		}
		if srv.watchers.n.Load() > 0 {
			s.touchWatched(cmd, args)
		}
	}
	st.calls.Add(1)
	s.timeCommand(cmd, st)
	if ready && !behind && len(s.w.B) > mark && s.w.B[mark] == '-' {
		st.failed.Add(1)
		s.stats.errors.Add(1)
	}
}

// lookup is router.Lookup through the one-entry cache.
func (s *session) lookup(name []byte) *router.Command {
	if s.lastLookup != nil && string(name) == string(s.lastName[:s.lastNameLen]) {
		return s.lastLookup
	}
	cmd := router.Lookup(name)
	if cmd != nil && len(name) <= len(s.lastName) {
		s.lastNameLen = copy(s.lastName[:], name)
		s.lastLookup = cmd
	}
	return cmd
}

// route sends a keyed command to the instance(s) owning its keys and
// reports whether the reply is already in s.w.
func (s *session) route(cmd *router.Command, args [][]byte) bool {
	srv := s.srv
	h, global := srv.eng.Handler(cmd)
	table := srv.router.Table()
	s.ctx.Args = args
	s.ctx.Cmd = cmd
	s.req.Handler = h
	s.req.Table = table
	s.req.DB = s.db
	s.req.Owners = s.owners[:0]
	s.ctx.KeyPos, s.ctx.KeySlots = s.ctx.KeyPos[:0], s.ctx.KeySlots[:0]
	if !global {
		s.ctx.KeyPos = cmd.RouteKeys(args, s.ctx.KeyPos)
		for _, p := range s.ctx.KeyPos {
			slot := router.Slot(args[p])
			s.ctx.KeySlots = append(s.ctx.KeySlots, slot)
			s.req.Owners = table.AppendOwners(s.req.Owners, slot)
		}
		if len(s.req.Owners) == 0 {
			// A keyed command whose keys cannot be found is malformed and
			// will most likely just fail, but its handler still runs on
			// data: with every instance locked, whatever it touches is
			// safe. Only malformed commands pay for this.
			for id := range srv.eng.Instances() {
				s.req.Owners = append(s.req.Owners, id)
			}
		}
	}
	return srv.pool.Do(&s.req)
}

// Command timing.
//
// Reading the clock costs tens of nanoseconds on virtual machines, as much
// as a GET, so it is read once per batch of input plus once after each
// command that is not flagged "fast" in Redis's command table. Fast
// commands (O(1) or O(log N): GET, SET, INCR, ...) share the time left
// between the last reading and the end of the batch equally; slow ones
// (KEYS, SCAN, MSET, FLUSHALL, ...) are timed exactly.

// timeCommand charges the command that just ran.
func (s *session) timeCommand(cmd *router.Command, st *cmdStats) {
	if cmd.Flags&router.FlagFast != 0 {
		// A run of the same command (a pipeline of GETs) is one entry,
		// charged with one atomic add when the batch ends.
		if n := len(s.fastRun); n > 0 && s.fastRun[n-1].st == st {
			s.fastRun[n-1].n++
			return
		}
		if len(s.fastRun) < cap(s.fastRun) {
			s.fastRun = append(s.fastRun, fastRun{st: st, n: 1})
			return
		}
	}
	// startTiming made the last reading this command's start.
	now := monoNow()
	st.usecNanos(now - s.clock)
	s.setClock(now)
}

// startTiming runs before a command that is timed exactly: when fast
// commands ran since the last reading, they are charged up to now, so the
// reading marks this command's start. After another timed command the
// last reading already does.
func (s *session) startTiming(cmd *router.Command) {
	if cmd.Flags&router.FlagFast == 0 && len(s.fastRun) > 0 {
		s.chargeFast(monoNow())
	}
}

// fastRun is n consecutive runs of one fast command.
type fastRun struct {
	st *cmdStats
	n  int64
}

// chargeFast splits the time since the last reading among the fast
// commands run since then, and makes now the last reading.
func (s *session) chargeFast(now int64) {
	if len(s.fastRun) > 0 {
		var n int64
		for _, r := range s.fastRun {
			n += r.n
		}
		each := (now - s.clock) / n
		for _, r := range s.fastRun {
			r.st.usecNanos(each * r.n)
		}
		s.fastRun = s.fastRun[:0]
	}
	s.setClock(now)
}

// setClock records a reading of monoNow and the commands' time from it.
func (s *session) setClock(now int64) {
	s.clock = now
	s.clockMS = s.srv.wall.unixNano(now) / int64(time.Millisecond)
}

// Defer implements backend.Deferrer: an instance that will answer later
// takes a place in the reply order now. Embedded instances never call it,
// so the common path allocates nothing.
func (s *session) Defer() backend.Waiter {
	p := &parkedReply{conn: s.conn}
	s.parked = append(s.parked, p)
	return p
}

// Error replies the proxy itself sends, byte-identical to Redis 7.0.
const (
	errNoAuth           = "NOAUTH Authentication required."
	errMaxClients       = "ERR max number of clients reached"
	errSyntax           = "ERR syntax error"
	errNotInteger       = "ERR value is not an integer or out of range"
	errDBRange          = "ERR DB index is out of range"
	errNoProto          = "NOPROTO unsupported protocol version"
	errProtoNotInt      = "ERR Protocol version is not an integer or out of range"
	errWrongPass        = "WRONGPASS invalid username-password pair or user is disabled."
	errNoPassConfigured = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errBadClientName    = "ERR Client names cannot contain spaces, newlines or special characters."
	// errUnblocked answers a client unblocked by CLIENT UNBLOCK ... ERROR.
	errUnblocked = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
	// Transactions (multi.go).
	errExecWithoutMulti    = "ERR EXEC without MULTI"
	errDiscardWithoutMulti = "ERR DISCARD without MULTI"
	errMultiNested         = "ERR MULTI calls can not be nested"
	errWatchInMulti        = "ERR WATCH inside MULTI is not allowed"
	errNotInMulti          = "ERR Command not allowed inside a transaction"
	errExecAbort           = "EXECABORT Transaction discarded because of previous errors."
)

// errPubSubContext refuses a command to a subscribed RESP2 client.
func errPubSubContext(name string) string {
	return "ERR Can't execute '" + name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
}

func errWrongArgs(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// errUnknownCommand mirrors processCommand: the name and the first
// arguments, quoted, cut near 128 bytes, with CR and LF blanked so the
// error stays one protocol line.
func errUnknownCommand(args [][]byte) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.Write(trunc(args[0], 128))
	b.WriteString("', with args beginning with: ")
	n := 0
	for _, a := range args[1:] {
		if n >= 128 {
			break
		}
		q := trunc(a, 128-n)
		b.WriteByte('\'')
		b.Write(q)
		b.WriteString("' ")
		n += len(q) + 3
	}
	return blankNewlines(b.String())
}

func errUnknownSubcommand(sub, container []byte) string {
	return blankNewlines("ERR unknown subcommand '" + string(trunc(sub, 128)) + "'. Try " +
		strings.ToUpper(string(container)) + " HELP.")
}

func trunc(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func blankNewlines(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
