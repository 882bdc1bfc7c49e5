package proxy

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"

	"github.com/shardis/shardis/backend"
	"github.com/shardis/shardis/proxy/wire"
	"github.com/shardis/shardis/router"
	"github.com/shardis/shardis/storage"
)

// session is the state of one client connection. It lives in the gnet
// connection's context and is touched only by the connection's event loop,
// except the fields marked as shared, which CLIENT LIST and INFO read from
// other loops.
type session struct {
	srv  *Server
	conn gnet.Conn

	parser *wire.Parser
	// w holds replies ready to be written, in request order; it is written
	// to the socket once per batch of input.
	w wire.Writer
	// parked holds replies that must wait for an earlier reply still
	// outstanding on a remote instance; see reply ordering below.
	parked []*parkedReply

	// The last name looked up and its command: a pipeline repeats one
	// name byte for byte, and comparing it is cheaper than hashing it.
	lastName    [16]byte
	lastNameLen int
	lastLookup  *router.Command

	// Reused per command so dispatch allocates nothing.
	ctx    storage.Ctx
	req    backend.Request
	owners []int

	// clock is the last reading of monoNow, clockMS the same as Unix ms
	// (the commands' "now"); fastRun lists the fast commands run since it
	// was read (see dispatch.go, command timing).
	clock   int64
	clockMS int64
	fastRun []fastRun

	db            int
	authenticated bool
	closeAfter    bool
	// durableWait is the append-only sequence number the held replies
	// wait for (appendfsync always; durable.go), 0 when none are held.
	durableWait uint64
	wakeFn      func()
	gone        bool // closed: a commit group skips it
	overLimit   bool // reached client-output-buffer-limit: close without replying
	stats       *loopStats
	softSince   time.Time // when the output buffer first passed the soft limit

	// blocked is the wait of a blocking command (blocking.go); written by
	// the session's loop, read by OnTick and CLIENT UNBLOCK.
	blocked atomic.Pointer[blockState]

	// Transactions (multi.go): the open MULTI's queue, nil outside one;
	// inExec while EXEC runs the queue; the watched keys, and watchDirty,
	// set by whichever loop ran a write that broke a watch.
	// Pub/sub (pubsub.go): the subscriptions, by kind, and their counts,
	// which CLIENT LIST reads from other loops.
	subs      [subKinds]map[string]struct{}
	subCounts [subKinds]atomic.Int32

	tx           *txState
	inExec       bool
	watches      []watchEntry
	watchDirty   atomic.Bool
	watchEvicted int64 // EvictedKeys at the first WATCH

	// Shared with other event loops (CLIENT LIST, INFO).
	id         int64
	addr       string
	laddr      string
	created    time.Time
	lastActive atomic.Int64 // Unix ns of the last batch of input
	dbShared   atomic.Int32
	proto      atomic.Int32
	lastCmd    atomic.Pointer[router.Command]
	meta       sync.Mutex // guards name, libName, libVer
	name       string
	libName    string
	libVer     string
}

func newSession(srv *Server, c gnet.Conn, id int64, stats *loopStats) *session {
	s := &session{
		srv:     srv,
		conn:    c,
		parser:  wire.NewParser(),
		id:      id,
		created: time.Now(),
		stats:   stats,
		owners:  make([]int, 0, 16),
		fastRun: make([]fastRun, 0, 64),
	}
	s.w.Proto = 2
	s.wakeFn = func() { _ = c.Wake(nil) }
	s.proto.Store(2)
	s.chargeFast(monoNow())
	s.ctx.W = &s.w
	s.ctx.Limits = &srv.limits
	s.req.Ctx = &s.ctx
	s.req.Deferrer = s
	if a := c.RemoteAddr(); a != nil {
		s.addr = a.String()
	}
	if a := c.LocalAddr(); a != nil {
		s.laddr = a.String()
	}
	s.authenticated = srv.cfg.RequirePass() == ""
	s.parser.Unauthenticated = !s.authenticated
	s.lastActive.Store(s.created.UnixNano())
	return s
}

func (s *session) setProto(p int) {
	s.w.Proto = p
	s.proto.Store(int32(p))
}

func (s *session) setDB(db int) {
	s.db = db
	s.dbShared.Store(int32(db))
}

func (s *session) setAuthenticated() {
	s.authenticated = true
	s.parser.Unauthenticated = false
}

// Reply ordering.
//
// Embedded instances answer inline, so in the common case every reply is
// appended to s.w in request order and nothing else happens. When an
// instance answers later (a remote instance), its request gets a
// parkedReply at the tail of s.parked; every reply produced after it, even
// an immediate one, is parked behind it instead of going to s.w. When a
// parked reply completes, the instance wakes the connection, and drain
// moves the completed prefix of s.parked into s.w. Replies therefore leave
// in request order whatever mix of instances a pipeline touches.

// parkedReply is a reply waiting for its turn.
type parkedReply struct {
	conn gnet.Conn
	buf  []byte
	done atomic.Bool
}

// Complete implements backend.Waiter; any goroutine may call it once.
func (p *parkedReply) Complete(reply []byte) {
	p.buf = append(p.buf[:0], reply...)
	p.done.Store(true)
	_ = p.conn.Wake(nil)
}

// park moves the reply bytes written since mark behind the outstanding
// replies.
func (s *session) park(mark int) {
	p := &parkedReply{conn: s.conn, buf: append([]byte(nil), s.w.B[mark:]...)}
	p.done.Store(true)
	s.parked = append(s.parked, p)
	s.w.B = s.w.B[:mark]
}

// drain moves completed parked replies, in order, into the output buffer.
func (s *session) drain() {
	n := 0
	for n < len(s.parked) && s.parked[n].done.Load() {
		s.w.B = append(s.w.B, s.parked[n].buf...)
		s.parked[n] = nil
		n++
	}
	if n > 0 {
		s.parked = append(s.parked[:0], s.parked[n:]...)
	}
}

// clientName reads the name under the metadata lock.
func (s *session) clientName() string {
	s.meta.Lock()
	defer s.meta.Unlock()
	return s.name
}
