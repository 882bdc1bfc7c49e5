package storage

// XINFO STREAM, GROUPS, CONSUMERS and HELP.
//
// radix-tree-keys is exact: the nodes of stream_value.go are Redis's
// listpacks. radix-tree-nodes counts the nodes of Redis's radix tree over
// those keys (raxNodes in rdb_stream.go, also what MEMORY USAGE needs).

func registerStreamInfo(r *registry) {
	r.add("xinfo|stream", cmdXInfo)
	r.add("xinfo|groups", cmdXInfo)
	r.add("xinfo|consumers", cmdXInfo)
	r.add("xinfo|help", func(c *Ctx) { writeHelp(c, xinfoHelp) })
}

var xinfoHelp = []string{
	"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CONSUMERS <key> <groupname>",
	"    Show consumers of <groupname>.",
	"GROUPS <key>",
	"    Show the stream consumer groups.",
	"STREAM <key> [FULL [COUNT <count>]",
	"    Show information about the stream.",
	"HELP",
	"    Prints this help.",
}

// XINFO STREAM key [FULL [COUNT count]]
// XINFO GROUPS key
// XINFO CONSUMERS key group
func cmdXInfo(c *Ctx) {
	s, err := readStream(&c.KS, c.Args[2])
	switch {
	case err != nil:
		writeErr(c, err)
		return
	case s == nil:
		c.W.Error(ErrNoSuchKey)
		return
	}
	switch c.Cmd.Name {
	case "xinfo|consumers":
		g := s.group(c.Args[3])
		if g == nil {
			c.W.Error(ErrStreamNoGroup(c.Args[3], c.Args[2]))
			return
		}
		writeXInfoConsumers(c, g)
	case "xinfo|groups":
		c.W.Array(len(s.groups))
		for _, g := range s.sortedGroups() {
			c.W.Map(6)
			c.W.BulkString("name")
			c.W.BulkString(g.name)
			c.W.BulkString("consumers")
			c.W.Int(int64(len(g.consumers)))
			c.W.BulkString("pending")
			c.W.Int(int64(g.pel.Len()))
			writeGroupCounters(c, s, g)
		}
	default:
		writeXInfoStream(c, s)
	}
}

func writeXInfoConsumers(c *Ctx, g *streamGroup) {
	now := c.KS.Now()
	c.W.Array(len(g.consumers))
	for _, cons := range g.sortedConsumers() {
		c.W.Map(3)
		c.W.BulkString("name")
		c.W.BulkString(cons.name)
		c.W.BulkString("pending")
		c.W.Int(int64(cons.pel.Len()))
		c.W.BulkString("idle")
		c.W.Int(max(now-cons.seenTime, 0))
	}
}

// writeGroupCounters replies last-delivered-id, entries-read and lag.
func writeGroupCounters(c *Ctx, s *streamValue, g *streamGroup) {
	c.W.BulkString("last-delivered-id")
	writeStreamID(c, g.lastID)
	c.W.BulkString("entries-read")
	if g.entriesRead != -1 {
		c.W.Int(g.entriesRead)
	} else {
		c.W.Null()
	}
	c.W.BulkString("lag")
	if lag, ok := s.lag(g); ok {
		c.W.Int(lag)
	} else {
		c.W.Null()
	}
}

// lag is streamReplyWithCGLag: how many entries the group has still to
// read, when that can be known.
func (s *streamValue) lag(g *streamGroup) (int64, bool) {
	if s.entriesAdded == 0 {
		return 0, true
	}
	if g.entriesRead != -1 && !s.hasTombstones(g.lastID, nil) {
		return s.entriesAdded - g.entriesRead, true
	}
	if read := s.entriesReadOf(g.lastID); read != -1 {
		return s.entriesAdded - read, true
	}
	return 0, false
}

// writeXInfoStream is xinfoReplyWithStreamInfo.
func writeXInfoStream(c *Ctx, s *streamValue) {
	args := c.Args[3:]
	full, count := false, int64(10)
	switch len(args) {
	case 0:
	case 1, 3:
		if !isOpt(args[0], "full") {
			c.W.Error(ErrStreamSubcommand(c.Args[1], "XINFO"))
			return
		}
		full = true
		if len(args) == 3 {
			if !isOpt(args[1], "count") {
				c.W.Error(ErrStreamSubcommand(c.Args[1], "XINFO"))
				return
			}
			n, ok := parseCanonicalInt(args[2])
			if !ok {
				c.W.Error(ErrNotInteger)
				return
			}
			if count = n; n < 0 {
				count = 10
			}
		}
	default:
		c.W.Error(ErrStreamSubcommand(c.Args[1], "XINFO"))
		return
	}
	if full {
		c.W.Map(9)
	} else {
		c.W.Map(10)
	}
	c.W.BulkString("length")
	c.W.Int(s.length)
	c.W.BulkString("radix-tree-keys")
	c.W.Int(int64(len(s.nodes)))
	c.W.BulkString("radix-tree-nodes")
	c.W.Int(streamRaxNodes(s))
	c.W.BulkString("last-generated-id")
	writeStreamID(c, s.lastID)
	c.W.BulkString("max-deleted-entry-id")
	writeStreamID(c, s.maxDeletedID)
	c.W.BulkString("entries-added")
	c.W.Int(s.entriesAdded)
	c.W.BulkString("recorded-first-entry-id")
	writeStreamID(c, s.firstID)
	if !full {
		c.W.BulkString("groups")
		c.W.Int(int64(len(s.groups)))
		for _, first := range []bool{true, false} {
			if first {
				c.W.BulkString("first-entry")
			} else {
				c.W.BulkString("last-entry")
			}
			var e *streamEntry
			fn := func(x *streamEntry) bool { e = x; return false }
			if first {
				s.rangeFwd(streamMinID, streamMaxID, fn)
			} else {
				s.rangeRev(streamMinID, streamMaxID, fn)
			}
			if e == nil {
				c.W.Null()
			} else {
				writeStreamEntry(c, e)
			}
		}
		return
	}
	c.W.BulkString("entries")
	limit := count
	if limit == 0 {
		limit = -1
	}
	writeStreamRange(c, s, streamMinID, streamMaxID, limit, false)
	c.W.BulkString("groups")
	c.W.Array(len(s.groups))
	for _, g := range s.sortedGroups() {
		writeXInfoFullGroup(c, s, g, count)
	}
}

func writeXInfoFullGroup(c *Ctx, s *streamValue, g *streamGroup, count int64) {
	c.W.Map(7)
	c.W.BulkString("name")
	c.W.BulkString(g.name)
	writeGroupCounters(c, s, g)
	c.W.BulkString("pel-count")
	c.W.Int(int64(g.pel.Len()))
	c.W.BulkString("pending")
	pel := g.pel.head(streamMinID, count)
	c.W.Array(len(pel))
	for _, n := range pel {
		c.W.Array(4)
		writeStreamID(c, n.id)
		c.W.BulkString(n.consumer.name)
		c.W.Int(n.deliveryTime)
		c.W.Int(n.deliveryCount)
	}
	c.W.BulkString("consumers")
	c.W.Array(len(g.consumers))
	for _, cons := range g.sortedConsumers() {
		c.W.Map(4)
		c.W.BulkString("name")
		c.W.BulkString(cons.name)
		c.W.BulkString("seen-time")
		c.W.Int(cons.seenTime)
		c.W.BulkString("pel-count")
		c.W.Int(int64(cons.pel.Len()))
		c.W.BulkString("pending")
		cp := cons.pel.head(streamMinID, count)
		c.W.Array(len(cp))
		for _, n := range cp {
			c.W.Array(3)
			writeStreamID(c, n.id)
			c.W.Int(n.deliveryTime)
			c.W.Int(n.deliveryCount)
		}
	}
}
