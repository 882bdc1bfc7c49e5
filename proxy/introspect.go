package proxy

import (
	"bytes"

	"github.com/shardis/shardis/router"
	"github.com/shardis/shardis/storage/glob"
)

// The introspection family: COMMAND, CONFIG and INFO. COMMAND replies are
// produced from the generated command table, filtered to what this server
// implements, so they can never disagree with dispatch.

func registerIntrospection(s *Server) {
	s.handle("command", cmdCommand)
	s.handle("command|count", cmdCommandCount)
	s.handle("command|info", cmdCommandInfo)
	s.handle("command|docs", cmdCommandDocs)
	s.handle("command|list", cmdCommandList)
	s.handle("command|getkeys", cmdCommandGetKeys)
	s.handle("config|get", cmdConfigGet)
	s.handle("config|set", cmdConfigSet)
	s.handle("info", cmdInfo)
}

// implementedTop lists the implemented top-level commands in table order.
func (srv *Server) implementedTop() []*router.Command {
	var out []*router.Command
	for _, c := range router.All() {
		if !c.IsSubcommand() && srv.implemented[c.ID] {
			out = append(out, c)
		}
	}
	return out
}

// COMMAND
func cmdCommand(s *session, _ [][]byte) {
	cmds := s.srv.implementedTop()
	s.w.Array(len(cmds))
	for _, c := range cmds {
		router.AppendInfo(&s.w, c, s.srv.isImplemented)
	}
}

// COMMAND COUNT
func cmdCommandCount(s *session, _ [][]byte) {
	s.w.Int(int64(len(s.srv.implementedTop())))
}

// lookupImplemented finds a command or "container|sub" by name.
func (srv *Server) lookupImplemented(name []byte) *router.Command {
	if i := bytes.IndexByte(name, '|'); i >= 0 {
		c := router.Lookup(name[:i])
		if c == nil {
			return nil
		}
		if sub := c.Sub(name[i+1:]); sub != nil && srv.implemented[sub.ID] {
			return sub
		}
		return nil
	}
	if c := router.Lookup(name); c != nil && srv.implemented[c.ID] {
		return c
	}
	return nil
}

// COMMAND INFO [name ...]
func cmdCommandInfo(s *session, args [][]byte) {
	if len(args) == 2 {
		cmdCommand(s, args)
		return
	}
	s.w.Array(len(args) - 2)
	for _, name := range args[2:] {
		if c := s.srv.lookupImplemented(name); c != nil {
			router.AppendInfo(&s.w, c, s.srv.isImplemented)
		} else {
			s.w.Null()
		}
	}
}

// COMMAND DOCS [name ...]
func cmdCommandDocs(s *session, args [][]byte) {
	var cmds []*router.Command
	if len(args) == 2 {
		cmds = s.srv.implementedTop()
	} else {
		for _, name := range args[2:] {
			if c := s.srv.lookupImplemented(name); c != nil {
				cmds = append(cmds, c)
			}
		}
	}
	s.w.Map(len(cmds))
	for _, c := range cmds {
		s.w.BulkString(c.Name)
		router.AppendDocs(&s.w, c, s.srv.isImplemented)
	}
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
func cmdCommandList(s *session, args [][]byte) {
	var keep func(c *router.Command) bool
	switch {
	case len(args) == 2:
		keep = func(*router.Command) bool { return true }
	case len(args) == 5 && bytes.EqualFold(args[2], []byte("filterby")):
		val := args[4]
		switch {
		case bytes.EqualFold(args[3], []byte("module")):
			keep = func(*router.Command) bool { return false }
		case bytes.EqualFold(args[3], []byte("aclcat")):
			keep = func(c *router.Command) bool {
				for _, cat := range c.ACLCategories {
					if bytes.EqualFold([]byte(cat), val) {
						return true
					}
				}
				return false
			}
		case bytes.EqualFold(args[3], []byte("pattern")):
			keep = func(c *router.Command) bool { return glob.Match(val, []byte(c.Name), true) }
		default:
			s.w.Error(errSyntax)
			return
		}
	default:
		s.w.Error(errSyntax)
		return
	}
	var names []string
	for _, c := range router.All() {
		if s.srv.implemented[c.ID] && keep(c) {
			names = append(names, c.Name)
		}
	}
	s.w.Array(len(names))
	for _, n := range names {
		s.w.BulkString(n)
	}
}

// COMMAND GETKEYS command [arg ...]
func cmdCommandGetKeys(s *session, args [][]byte) {
	target := args[2:]
	c := router.Lookup(target[0])
	if c != nil && c.Subcommands != nil && len(target) > 1 {
		c = c.Sub(target[1])
	}
	if c == nil {
		s.w.Error("ERR Invalid command specified")
		return
	}
	if !c.AcceptsArgc(len(target)) {
		s.w.Error("ERR Invalid number of arguments specified for command")
		return
	}
	pos := c.KeyPositions(target, nil)
	if len(pos) == 0 {
		s.w.Error("ERR The command has no key arguments")
		return
	}
	s.w.Array(len(pos))
	for _, p := range pos {
		s.w.Bulk(target[p])
	}
}

// CONFIG GET parameter [parameter ...]
func cmdConfigGet(s *session, args [][]byte) {
	patterns := make([]string, 0, len(args)-2)
	for _, a := range args[2:] {
		patterns = append(patterns, string(a))
	}
	pairs := s.srv.cfg.Get(patterns...)
	s.w.Map(len(pairs))
	for _, p := range pairs {
		s.w.BulkString(p[0])
		s.w.BulkString(p[1])
	}
}

// CONFIG SET parameter value [parameter value ...]
func cmdConfigSet(s *session, args [][]byte) {
	pairs := make([]string, 0, len(args)-2)
	for _, a := range args[2:] {
		pairs = append(pairs, string(a))
	}
	if err := s.srv.cfg.Set(pairs...); err != nil {
		s.w.Error(err.Error())
		return
	}
	s.w.OK()
}

func (srv *Server) isImplemented(c *router.Command) bool { return srv.implemented[c.ID] }
