package proxy

import (
	"bytes"
	"crypto/subtle"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shardis/shardis/proxy/wire"
	"github.com/shardis/shardis/storage"
)

// The connection family: commands about the client's own connection,
// answered by the proxy without touching an instance.

func registerConnCommands(s *Server) {
	s.handle("ping", cmdPing)
	s.handle("echo", cmdEcho)
	s.handle("quit", cmdQuit)
	s.handle("hello", cmdHello)
	s.handle("auth", cmdAuth)
	s.handle("select", cmdSelect)
	s.handle("reset", cmdReset)
	s.handle("time", cmdTime)
	s.handle("client|id", cmdClientID)
	s.handle("client|setname", cmdClientSetName)
	s.handle("client|getname", cmdClientGetName)
	s.handle("client|setinfo", cmdClientSetInfo)
	s.handle("client|list", cmdClientList)
	s.handle("client|info", cmdClientInfo)
	s.handle("client|unblock", cmdClientUnblock)
	registerIntrospection(s)
}

// PING [message]
func cmdPing(s *session, args [][]byte) {
	if len(args) > 2 {
		s.w.Error(errWrongArgs("ping"))
		return
	}
	// Redis refuses PING, like writes, while it cannot persist.
	if err := s.srv.eng.WriteError(); err != nil {
		s.w.Error(storage.MisconfReply(err))
		return
	}
	if s.proto.Load() == 2 && s.subscribed() {
		s.pingSubscribed(args)
		return
	}
	if len(args) == 1 {
		s.w.Simple("PONG")
		return
	}
	s.w.Bulk(args[1])
}

// ECHO message
func cmdEcho(s *session, args [][]byte) { s.w.Bulk(args[1]) }

// QUIT
func cmdQuit(s *session, _ [][]byte) {
	s.w.OK()
	s.closeAfter = true
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
func cmdHello(s *session, args [][]byte) {
	proto := int(s.w.Proto)
	if len(args) > 1 {
		v, ok := wire.ParseInt(args[1])
		if !ok {
			s.w.Error(errProtoNotInt)
			return
		}
		if v < 2 || v > 3 {
			s.w.Error(errNoProto)
			return
		}
		proto = int(v)
	}
	var user, pass, name []byte
	hasAuth, hasName := false, false
	for i := 2; i < len(args); i++ {
		more := len(args) - i - 1
		switch {
		case bytes.EqualFold(args[i], []byte("auth")) && more >= 2:
			user, pass, hasAuth = args[i+1], args[i+2], true
			i += 2
		case bytes.EqualFold(args[i], []byte("setname")) && more >= 1:
			name, hasName = args[i+1], true
			i++
		default:
			s.w.Error("ERR Syntax error in HELLO option '" + string(args[i]) + "'")
			return
		}
	}
	if hasAuth {
		if msg := s.checkPassword(user, pass); msg != "" {
			s.w.Error(msg)
			return
		}
	}
	if !s.authenticated {
		s.w.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if hasName {
		if !validClientName(name) {
			s.w.Error(errBadClientName)
			return
		}
		s.setName(name)
	}
	s.setProto(proto)
	s.w.Map(7)
	s.w.BulkString("server")
	s.w.BulkString("redis")
	s.w.BulkString("version")
	s.w.BulkString(RedisVersion)
	s.w.BulkString("proto")
	s.w.Int(int64(proto))
	s.w.BulkString("id")
	s.w.Int(s.id)
	s.w.BulkString("mode")
	s.w.BulkString("standalone")
	s.w.BulkString("role")
	s.w.BulkString("master")
	s.w.BulkString("modules")
	s.w.Array(0)
}

// AUTH [username] password
func cmdAuth(s *session, args [][]byte) {
	if len(args) > 3 {
		s.w.Error(errSyntax)
		return
	}
	user, pass := []byte("default"), args[1]
	if len(args) == 3 {
		user, pass = args[1], args[2]
	} else if s.srv.cfg.RequirePass() == "" {
		s.w.Error(errNoPassConfigured)
		return
	}
	if msg := s.checkPassword(user, pass); msg != "" {
		s.w.Error(msg)
		return
	}
	s.w.OK()
}

// checkPassword authenticates the connection as user, returning the error
// reply on failure. Only the "default" user exists, as in a Redis without
// ACL rules; with no requirepass it accepts any password, as Redis's
// nopass default user does.
func (s *session) checkPassword(user, pass []byte) string {
	want := s.srv.cfg.RequirePass()
	if !bytes.Equal(user, []byte("default")) ||
		(want != "" && subtle.ConstantTimeCompare(pass, []byte(want)) != 1) {
		return errWrongPass
	}
	s.setAuthenticated()
	return ""
}

// SELECT index
func cmdSelect(s *session, args [][]byte) {
	n, ok := wire.ParseInt(args[1])
	if !ok {
		s.w.Error(errNotInteger)
		return
	}
	if n < 0 || n >= int64(s.srv.eng.Databases()) {
		s.w.Error(errDBRange)
		return
	}
	s.setDB(int(n))
	s.w.OK()
}

// RESET puts the connection back as it was when it connected, its name
// aside, as Redis 7.0 does: the transaction and the watches dropped, the
// subscriptions ended, database 0, RESP2, and authentication required
// again when a password is set.
func cmdReset(s *session, _ [][]byte) {
	s.tx = nil
	s.unwatchAll()
	s.unsubscribeAll()
	s.setDB(0)
	s.setProto(2)
	if s.srv.cfg.RequirePass() != "" {
		s.authenticated = false
		s.parser.Unauthenticated = true
	}
	s.w.Simple("RESET")
}

// TIME
func cmdTime(s *session, _ [][]byte) {
	now := time.Now()
	s.w.Array(2)
	s.w.BulkInt(now.Unix())
	s.w.BulkInt(int64(now.Nanosecond() / 1000))
}

// CLIENT ID
func cmdClientID(s *session, _ [][]byte) { s.w.Int(s.id) }

// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
func cmdClientUnblock(s *session, args [][]byte) {
	id, ok := wire.ParseInt(args[2])
	if !ok {
		s.w.Error(errNotInteger)
		return
	}
	how := int32(endTimeout)
	if len(args) == 4 {
		switch strings.ToLower(string(args[3])) {
		case "timeout":
		case "error":
			how = endError
		default:
			s.w.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	}
	if s.srv.unblockClient(id, how) {
		s.w.Int(1)
	} else {
		s.w.Int(0)
	}
}

// CLIENT SETNAME name
func cmdClientSetName(s *session, args [][]byte) {
	if !validClientName(args[2]) {
		s.w.Error(errBadClientName)
		return
	}
	s.setName(args[2])
	s.w.OK()
}

// CLIENT GETNAME
func cmdClientGetName(s *session, _ [][]byte) {
	if name := s.clientName(); name != "" {
		s.w.BulkString(name)
		return
	}
	s.w.Null()
}

// CLIENT SETINFO LIB-NAME name | LIB-VER version (Redis 7.2; clients such
// as go-redis send it on every connection).
func cmdClientSetInfo(s *session, args [][]byte) {
	attr, val := args[2], string(args[3])
	if !validClientName(args[3]) {
		s.w.Error("ERR " + strings.ToUpper(string(attr)) + " cannot contain spaces, newlines or special characters.")
		return
	}
	s.meta.Lock()
	defer s.meta.Unlock()
	switch {
	case bytes.EqualFold(attr, []byte("lib-name")):
		s.libName = val
	case bytes.EqualFold(attr, []byte("lib-ver")):
		s.libVer = val
	default:
		s.w.Error("ERR Unrecognized option '" + string(attr) + "'")
		return
	}
	s.w.OK()
}

func (s *session) setName(name []byte) {
	s.meta.Lock()
	s.name = string(name)
	s.meta.Unlock()
}

// validClientName allows printable ASCII without spaces, as Redis does.
func validClientName(b []byte) bool {
	for _, c := range b {
		if c < '!' || c > '~' {
			return false
		}
	}
	return true
}

// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id ...]
func cmdClientList(s *session, args [][]byte) {
	var ids map[int64]bool
	typeFilter := ""
	for i := 2; i < len(args); i++ {
		switch {
		case bytes.EqualFold(args[i], []byte("type")) && i+1 < len(args):
			typeFilter = strings.ToLower(string(args[i+1]))
			switch typeFilter {
			case "normal", "master", "replica", "slave", "pubsub":
			default:
				s.w.Error("ERR Unknown client type '" + string(args[i+1]) + "'")
				return
			}
			i++
		case bytes.EqualFold(args[i], []byte("id")) && i+1 < len(args):
			ids = map[int64]bool{}
			for i++; i < len(args); i++ {
				id, err := strconv.ParseInt(string(args[i]), 10, 64)
				if err != nil || id <= 0 {
					s.w.Error("ERR Invalid client ID")
					return
				}
				ids[id] = true
			}
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	var b strings.Builder
	for _, other := range s.srv.sessionsByID() {
		if ids != nil && !ids[other.id] {
			continue
		}
		if typeFilter != "" && typeFilter != other.clientType() {
			continue
		}
		other.describe(&b, s)
		b.WriteByte('\n')
	}
	s.w.Verbatim("txt", []byte(b.String()))
}

// clientType is the session's class for CLIENT LIST TYPE: "pubsub" while
// it holds a subscription, else "normal" (no replicas or masters here).
func (s *session) clientType() string {
	if s.subCounts[subChannel].Load()+s.subCounts[subPattern].Load()+s.subCounts[subShard].Load() > 0 {
		return "pubsub"
	}
	return "normal"
}

// CLIENT INFO
func cmdClientInfo(s *session, _ [][]byte) {
	var b strings.Builder
	s.describe(&b, s)
	b.WriteByte('\n')
	s.w.Verbatim("txt", []byte(b.String()))
}

// describe writes the CLIENT LIST line of s, as seen by the asking client
// (whose own line reports the command in progress).
func (s *session) describe(b *strings.Builder, asker *session) {
	now := time.Now()
	cmd := "NULL"
	if c := s.lastCmd.Load(); c != nil {
		cmd = c.Name
	}
	s.meta.Lock()
	name, libName, libVer := s.name, s.libName, s.libVer
	s.meta.Unlock()
	idle := now.Sub(time.Unix(0, s.lastActive.Load()))
	if s == asker {
		idle = 0
	}
	b.WriteString("id=" + itoa(s.id))
	b.WriteString(" addr=" + s.addr)
	b.WriteString(" laddr=" + s.laddr)
	b.WriteString(" fd=-1 name=" + name)
	b.WriteString(" age=" + itoa(int64(now.Sub(s.created)/time.Second)))
	b.WriteString(" idle=" + itoa(int64(idle/time.Second)))
	sub, psub, ssub := s.subCounts[subChannel].Load(), s.subCounts[subPattern].Load(), s.subCounts[subShard].Load()
	flags := "N"
	if sub+psub+ssub > 0 {
		flags = "P"
	}
	b.WriteString(" flags=" + flags + " db=" + itoa(int64(s.dbShared.Load())))
	b.WriteString(" sub=" + itoa(int64(sub)) + " psub=" + itoa(int64(psub)) + " ssub=" + itoa(int64(ssub)))
	b.WriteString(" multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r")
	b.WriteString(" cmd=" + cmd)
	b.WriteString(" user=default redir=-1 resp=" + itoa(int64(s.proto.Load())))
	if libName != "" || libVer != "" {
		b.WriteString(" lib-name=" + libName + " lib-ver=" + libVer)
	}
}

// sessionsByID snapshots the connected sessions in ID order.
func (srv *Server) sessionsByID() []*session {
	srv.mu.Lock()
	out := make([]*session, 0, len(srv.sessions))
	for _, s := range srv.sessions {
		out = append(out, s)
	}
	srv.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}
