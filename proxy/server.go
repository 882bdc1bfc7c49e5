package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"

	"github.com/shardis/shardis/backend"
	"github.com/shardis/shardis/configs"
	"github.com/shardis/shardis/router"
	"github.com/shardis/shardis/storage"
)

// RedisVersion is the Redis release whose behaviour shardis reproduces; it
// is what HELLO and INFO report as the server version, because clients
// gate features on it.
const RedisVersion = "7.0.15"

// Version is shardis's own version, reported in INFO's shardis section.
const Version = "0.1.0"

// Server is the RESP front end: a gnet engine whose event loops parse
// requests, run them on the instances owning their keys and write replies
// back once per batch of input.
type Server struct {
	gnet.BuiltinEventEngine

	cfg    *configs.Config
	log    *slog.Logger
	router *router.Router
	eng    *storage.Engine
	pool   *backend.Pool
	limits storage.Limits

	connHandlers []connHandler // by router.Command.ID
	implemented  []bool        // by router.Command.ID

	engine  gnet.Engine
	addr    net.Addr
	booted  chan struct{}
	started time.Time

	nextID           atomic.Int64
	connected        atomic.Int64
	totalConnections atomic.Int64
	rejected         atomic.Int64

	mu       sync.Mutex
	sessions map[int64]*session
	loops    map[gnet.EventLoop]*loopStats
	allLoops []*loopStats
	ops      opsMeter
	ticks    int

	waiters  waiters  // sessions in blocking commands, per key
	watchers watchers // sessions watching keys (WATCH), per key
	pubsub   pubsub   // subscribers per channel, pattern and shard channel
	// gates, one per event loop when there are several, let EXEC run
	// alone (multi.go).
	gates []gate
	wall  wallClock
}

// Options configure a Server.
type Options struct {
	Config *configs.Config
	Router *router.Router
	Pool   *backend.Pool
	Logger *slog.Logger
}

// New builds a server over the instances in o.Pool.
func New(o Options) (*Server, error) {
	if o.Config == nil || o.Router == nil || o.Pool == nil {
		return nil, errors.New("proxy: Config, Router and Pool are required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	all := router.All()
	s := &Server{
		cfg:          o.Config,
		log:          o.Logger,
		router:       o.Router,
		pool:         o.Pool,
		eng:          o.Pool.Engine(),
		connHandlers: make([]connHandler, len(all)),
		implemented:  make([]bool, len(all)),
		booted:       make(chan struct{}),
		sessions:     make(map[int64]*session),
		loops:        make(map[gnet.EventLoop]*loopStats),
	}
	s.wall.refresh()
	s.limits.ProtoMaxBulkLen = o.Config.ProtoMaxBulkLen
	s.limits.MaxReplyBytes = func() int64 { hard, _, _ := o.Config.OutputBufferLimit(); return hard }
	registerConnCommands(s)
	registerTransactions(s)
	registerPubSub(s)
	for _, c := range all {
		if h, _ := s.eng.Handler(c); h != nil {
			s.implemented[c.ID] = true
		}
		if s.connHandlers[c.ID] != nil {
			s.implemented[c.ID] = true
		}
	}
	// A container is implemented when any of its subcommands is.
	for _, c := range all {
		for _, sub := range c.Subcommands {
			if s.implemented[sub.ID] {
				s.implemented[c.ID] = true
			}
		}
	}
	return s, nil
}

// handle registers a proxy-level handler for a command-table name.
func (s *Server) handle(name string, h connHandler) {
	for _, c := range router.All() {
		if c.Name == name {
			s.connHandlers[c.ID] = h
			return
		}
	}
	panic("proxy: " + name + " is not in the command table")
}

// ListenAndServe binds addr ("127.0.0.1:6379") and serves until Stop. It
// blocks; Ready is closed once the listener is bound.
func (s *Server) ListenAndServe(addr string) error {
	loops := EventLoops(s.cfg.IOThreads())
	opts := []gnet.Option{
		gnet.WithReuseAddr(true),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithLogger(gnetLogger{s.log}),
		gnet.WithTicker(true),
	}
	opts = append(opts, gnet.WithNumEventLoop(loops))
	if loops > 1 {
		s.gates = make([]gate, loops) // before any connection (multi.go)
	}
	s.started = time.Now()
	err := gnet.Run(s, "tcp://"+addr, opts...)
	if err != nil {
		return fmt.Errorf("proxy: serve %s: %w", addr, err)
	}
	return nil
}

// EventLoops is the number of event loops io-threads asks for: the
// configured number, or for 0 one loop below 4 usable cores and one per
// core less one from 4 up. The spare core is Redis's own advice for its
// io-threads; here it runs the Go runtime's garbage collector, the
// engine's background work and the kernel's network stack, and on small
// machines a second loop mostly competed with them (configs/README.md).
func EventLoops(configured int) int {
	if configured > 0 {
		return configured
	}
	cores := min(runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if cores < 4 {
		return 1
	}
	return cores - 1
}

// Ready is closed when the listener is bound and Addr is valid.
func (s *Server) Ready() <-chan struct{} { return s.booted }

// Addr is the bound listener address (useful with port 0).
func (s *Server) Addr() net.Addr { return s.addr }

// Stop closes every connection and stops the event loops.
func (s *Server) Stop(ctx context.Context) error {
	select {
	case <-s.booted:
	default:
		return errors.New("proxy: not started")
	}
	if err := s.engine.Stop(ctx); err != nil {
		return fmt.Errorf("proxy: stop: %w", err)
	}
	return nil
}

// OnBoot records the engine and the bound address.
func (s *Server) OnBoot(eng gnet.Engine) gnet.Action {
	s.engine = eng
	if fd, err := eng.Dup(); err == nil {
		if sa, err := unix.Getsockname(fd); err == nil {
			if in4, ok := sa.(*unix.SockaddrInet4); ok {
				s.addr = &net.TCPAddr{IP: net.IP(in4.Addr[:]), Port: in4.Port}
			} else if in6, ok := sa.(*unix.SockaddrInet6); ok {
				s.addr = &net.TCPAddr{IP: net.IP(in6.Addr[:]), Port: in6.Port}
			}
		}
		unix.Close(fd)
	}
	close(s.booted)
	return gnet.None
}

// OnOpen admits a client unless maxclients is reached.
func (s *Server) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	n := s.connected.Add(1)
	if n > int64(s.cfg.MaxClients()) {
		s.connected.Add(-1)
		s.rejected.Add(1)
		return []byte("-" + errMaxClients + "\r\n"), gnet.Close
	}
	s.totalConnections.Add(1)
	sess := newSession(s, c, s.nextID.Add(1), s.loopStatsFor(c.EventLoop()))
	c.SetContext(sess)
	s.mu.Lock()
	s.sessions[sess.id] = sess
	s.mu.Unlock()
	return nil, gnet.None
}

// OnClose forgets the client.
func (s *Server) OnClose(c gnet.Conn, _ error) gnet.Action {
	sess, ok := c.Context().(*session)
	if !ok {
		return gnet.None
	}
	s.connected.Add(-1)
	sess.gone = true
	sess.unblock()
	sess.tx = nil
	sess.unwatchAll()
	sess.unsubscribeAll()
	s.mu.Lock()
	delete(s.sessions, sess.id)
	s.mu.Unlock()
	return gnet.None
}

// OnTraffic parses every complete command buffered, runs them in order and
// writes all their replies with one write.
func (s *Server) OnTraffic(c gnet.Conn) gnet.Action {
	sess := c.Context().(*session)
	if g := sess.stats.gate; g != nil {
		g.Lock() // EXEC on another loop runs alone (multi.go)
		defer g.Unlock()
	}
	buffered := c.InboundBuffered()
	if limit := s.cfg.ClientQueryBufferLimit(); int64(buffered) > limit {
		s.log.Warn("closing client that reached max query buffer length", "id", sess.id, "addr", sess.addr, "qbuf", buffered)
		return gnet.Close
	}
	action := gnet.None
	if sess.durableWait != 0 && !sess.durableNow(c) {
		return gnet.None // replies held for appendfsync always; input waits
	}
	if sess.blocked.Load() != nil && !sess.retryBlocked() {
		// Still waiting: the client's further input waits with it.
		return sess.flush(c, action)
	}
	if sess.closeAfter {
		return sess.flush(c, gnet.Close)
	}
	// A large bulk still arriving: wait until all of it is here rather
	// than re-reading the pending bytes on every read (quadratic).
	if need := sess.parser.Need(); need == 0 || buffered >= need {
		action = sess.readCommands(c)
	}
	return sess.flush(c, action)
}

// flush writes the batch's replies with one write, after the output
// buffer limit check.
func (sess *session) flush(c gnet.Conn, action gnet.Action) gnet.Action {
	sess.drain()
	if sess.overLimit || (action == gnet.None && sess.outputOverLimit(c.OutboundBuffered()+len(sess.w.B))) {
		sess.srv.log.Warn("closing client that reached the output buffer limit", "id", sess.id, "addr", sess.addr)
		return sess.abort(c)
	}
	if sess.ctx.Logged != 0 && sess.holdForDurability(action) {
		return action
	}
	if err := sess.writeReplies(c); err != nil {
		return gnet.Close
	}
	return action
}

// writeReplies writes what the reply buffer holds with one write.
func (sess *session) writeReplies(c gnet.Conn) error {
	if len(sess.w.B) == 0 {
		return nil
	}
	_, err := c.Write(sess.w.B)
	sess.w.Reset()
	if cap(sess.w.B) > maxIdleReplyBuffer {
		sess.w.B = nil
	}
	return err
}

// maxIdleReplyBuffer bounds the reply buffer a session keeps between
// batches, so one huge reply does not pin memory for the connection's life.
const maxIdleReplyBuffer = 1 << 20

func (sess *session) readCommands(c gnet.Conn) (action gnet.Action) {
	// A panic is a bug, but it must cost one connection, not the server.
	defer func() {
		if r := recover(); r != nil {
			sess.srv.log.Error("command panicked; closing the client", "id", sess.id, "addr", sess.addr,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			sess.w.Error("ERR internal error")
			action = gnet.Close
		}
	}()
	buf, _ := c.Peek(-1)
	sess.chargeFast(monoNow())
	sess.lastActive.Store(sess.srv.wall.unixNano(sess.clock))
	defer func() { sess.chargeFast(monoNow()) }()
	sess.parser.MaxBulkLen = sess.srv.cfg.ProtoMaxBulkLen()
	off := 0
	// The hard output limit is also checked while the batch runs, so a
	// pipeline of huge replies is cut off before it is all in memory.
	hard, _, _ := sess.srv.cfg.OutputBufferLimit()
	pending := int64(c.OutboundBuffered())
	for off < len(buf) && !sess.closeAfter {
		args, n, err := sess.parser.Parse(buf[off:])
		if err != nil {
			sess.w.Error(err.Error())
			sess.srv.log.Debug("protocol error", "id", sess.id, "addr", sess.addr, "err", err)
			action = gnet.Close
			off = len(buf)
			break
		}
		if n == 0 {
			break
		}
		raw := buf[off : off+n]
		off += n
		if len(args) > 0 {
			if raw[0] == '*' {
				sess.ctx.Raw = raw // logged as is (storage.Ctx.Raw)
			}
			sess.dispatch(args)
			sess.ctx.Raw = nil
			if sess.ctx.Block {
				sess.ctx.Block = false
				break // blocked: the rest of the input waits
			}
			if sess.ctx.ReplyOverflow || (hard > 0 && pending+int64(len(sess.w.B)) >= hard) {
				sess.overLimit = true
				off = len(buf)
				break
			}
		}
	}
	if sess.closeAfter {
		action = gnet.Close
		off = len(buf)
	}
	// gnet's Discard treats n <= 0 as "everything", so only call it when
	// something was consumed.
	if off > 0 {
		_, _ = c.Discard(off)
	}
	return action
}

// abort closes a client whose replies must not be delivered: the pending
// output is dropped and the socket shut down first, because gnet would
// otherwise flush everything buffered to a client that keeps reading.
func (sess *session) abort(c gnet.Conn) gnet.Action {
	sess.w.Reset()
	sess.w.B = nil
	if fd := c.Fd(); fd > 0 {
		_ = unix.Shutdown(fd, unix.SHUT_RDWR)
	}
	return gnet.Close
}

// outputOverLimit applies client-output-buffer-limit for normal clients:
// the hard limit at once, the soft one when exceeded for soft-seconds.
func (sess *session) outputOverLimit(pending int) bool {
	hard, soft, secs := sess.srv.cfg.OutputBufferLimit()
	n := int64(pending)
	if hard > 0 && n >= hard {
		return true
	}
	if soft > 0 && n >= soft {
		now := time.Now()
		if sess.softSince.IsZero() {
			sess.softSince = now
		}
		return now.Sub(sess.softSince) >= time.Duration(secs)*time.Second
	}
	sess.softSince = time.Time{}
	return false
}

// OnTick samples the command rate every 100 ms and, once a second,
// closes clients idle for longer than the timeout setting. gnet runs it on
// its own goroutine, so it touches only shared state.
func (s *Server) OnTick() (time.Duration, gnet.Action) {
	s.wall.refresh()
	now := time.Now()
	s.sampleOps(now)
	s.expireBlocked(now)
	s.ticks++
	if t := s.cfg.Timeout(); t > 0 && s.ticks%10 == 0 {
		cutoff := time.Now().Add(-time.Duration(t) * time.Second).UnixNano()
		s.mu.Lock()
		for _, sess := range s.sessions {
			if sess.lastActive.Load() < cutoff {
				_ = sess.conn.Close()
			}
		}
		s.mu.Unlock()
	}
	return 100 * time.Millisecond, gnet.None
}

// gnetLogger routes gnet's logging through slog.
type gnetLogger struct{ l *slog.Logger }

func (g gnetLogger) Debugf(f string, a ...any) { g.l.Debug(fmt.Sprintf(f, a...), "component", "gnet") }
func (g gnetLogger) Infof(f string, a ...any)  { g.l.Debug(fmt.Sprintf(f, a...), "component", "gnet") }
func (g gnetLogger) Warnf(f string, a ...any)  { g.l.Warn(fmt.Sprintf(f, a...), "component", "gnet") }
func (g gnetLogger) Errorf(f string, a ...any) { g.l.Error(fmt.Sprintf(f, a...), "component", "gnet") }
func (g gnetLogger) Fatalf(f string, a ...any) { g.l.Error(fmt.Sprintf(f, a...), "component", "gnet") }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
