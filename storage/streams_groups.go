package storage

import (
	"math"
)

// Consumer groups: XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM. Groups and
// their PELs live in stream_value.go; XREADGROUP is in streams_read.go.

func registerStreamGroups(r *registry) {
	for _, sub := range []string{"create", "setid", "destroy", "createconsumer", "delconsumer"} {
		r.add("xgroup|"+sub, cmdXGroup)
	}
	r.add("xgroup|help", cmdXGroupHelp)
	r.add("xack", cmdXAck)
	r.add("xpending", cmdXPending)
	r.add("xclaim", cmdXClaim)
	r.add("xautoclaim", cmdXAutoClaim)
}

var xgroupHelp = []string{
	"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CREATE <key> <groupname> <id|$> [option]",
	"    Create a new consumer group. Options are:",
	"    * MKSTREAM",
	"      Create the empty stream if it does not exist.",
	"    * ENTRIESREAD entries_read",
	"      Set the group's entries_read counter (internal use).",
	"CREATECONSUMER <key> <groupname> <consumer>",
	"    Create a new consumer in the specified group.",
	"DELCONSUMER <key> <groupname> <consumer>",
	"    Remove the specified consumer.",
	"DESTROY <key> <groupname>",
	"    Remove the specified group.",
	"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
	"    Set the current group ID and entries_read counter.",
	"HELP",
	"    Prints this help.",
}

// XGROUP HELP
func cmdXGroupHelp(c *Ctx) { writeHelp(c, xgroupHelp) }

// parseEntriesRead is the ENTRIESREAD argument: >= 0 or -1.
func parseEntriesRead(b []byte) (int64, error) {
	n, ok := parseCanonicalInt(b)
	if !ok {
		return 0, errNotInteger
	}
	if n < 0 && n != -1 {
		return 0, replyError(ErrStreamEntriesReadRange)
	}
	return n, nil
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]
// XGROUP SETID key group id|$ [ENTRIESREAD n]
// XGROUP DESTROY key group
// XGROUP CREATECONSUMER key group consumer
// XGROUP DELCONSUMER key group consumer
//
// xgroupCommand: the options are parsed first, then the key and group
// are checked for every subcommand alike.
func cmdXGroup(c *Ctx) {
	sub := c.Cmd.Name[len("xgroup|"):]
	args := c.Args
	mkstream, entriesRead := false, int64(-1)
	var err error
	switch sub {
	case "create":
		for i := 5; i < len(args); i++ {
			switch {
			case isOpt(args[i], "mkstream"):
				mkstream = true
			case isOpt(args[i], "entriesread") && i+1 < len(args):
				if entriesRead, err = parseEntriesRead(args[i+1]); err != nil {
					writeErr(c, err)
					return
				}
				i++
			default:
				c.W.Error(ErrStreamSubcommand(args[1], "XGROUP"))
				return
			}
		}
	case "setid":
		switch {
		case len(args) == 7 && isOpt(args[5], "entriesread"):
			if entriesRead, err = parseEntriesRead(args[6]); err != nil {
				writeErr(c, err)
				return
			}
		case len(args) != 5:
			c.W.Error(ErrStreamSubcommand(args[1], "XGROUP"))
			return
		}
	}
	ks := &c.KS
	key, name := args[2], args[3]
	v, s, err := writeStream(ks, key)
	if err != nil {
		writeErr(c, err)
		return
	}
	var g *streamGroup
	if !mkstream {
		if s == nil {
			c.W.Error(ErrStreamNoKeyGroup)
			return
		}
		g = s.group(name)
		if g == nil && (sub == "setid" || sub == "createconsumer" || sub == "delconsumer") {
			c.W.Error(ErrStreamNoGroup(name, key))
			return
		}
	}
	switch sub {
	case "create":
		var id streamID
		if string(cString(args[4])) == "$" {
			if s != nil {
				id = s.lastID
			}
		} else if id, err = parseStreamID(args[4], 0, true, nil); err != nil {
			writeErr(c, err)
			return
		}
		isNew := v == nil
		if isNew {
			v = newStreamObject()
			s = v.Obj().(*streamValue)
		}
		if s.createGroup(name, id, entriesRead) == nil {
			c.W.Error(ErrStreamBusyGroup)
			return
		}
		streamDone(ks, key, v, isNew)
		c.W.OK()
	case "setid":
		var id streamID
		if string(cString(args[4])) == "$" {
			id = s.lastID
		} else if id, err = parseStreamID(args[4], 0, false, nil); err != nil {
			writeErr(c, err)
			return
		}
		g.lastID, g.entriesRead = id, entriesRead
		c.W.OK()
	case "destroy":
		if g == nil {
			c.W.Int(0)
			return
		}
		delete(s.groups, g.name)
		streamDone(ks, key, v, false)
		c.W.Int(1)
	case "createconsumer":
		_, created := g.consumer(args[4], ks.Now())
		streamDone(ks, key, v, false)
		c.W.Int(b2i(created))
	case "delconsumer":
		var pending int64
		if cons := g.consumers[string(args[4])]; cons != nil {
			pending = int64(cons.pel.Len())
			g.delConsumer(cons)
			streamDone(ks, key, v, false)
		}
		c.W.Int(pending)
	}
}

// streamAndGroup is the lookup XACK, XCLAIM and XPENDING share: the
// stream and group, nil when either is missing.
func streamAndGroup(ks *Keyspace, key, group []byte) (*Value, *streamValue, *streamGroup, error) {
	v, err := ks.ReadKind(key, KindStream)
	if v == nil {
		return nil, nil, nil, err
	}
	s := v.Obj().(*streamValue)
	return v, s, s.group(group), nil
}

// XACK key group id [id ...]
func cmdXAck(c *Ctx) {
	v, _, g, err := streamAndGroup(&c.KS, c.Args[1], c.Args[2])
	if err != nil {
		writeErr(c, err)
		return
	}
	if g == nil {
		c.W.Int(0)
		return
	}
	ids := make([]streamID, len(c.Args)-3)
	for i, a := range c.Args[3:] {
		if ids[i], err = parseStreamID(a, 0, true, nil); err != nil {
			writeErr(c, err)
			return
		}
	}
	var n int64
	for _, id := range ids {
		if nack := g.pel.get(id); nack != nil {
			g.pel.remove(id)
			nack.consumer.pel.remove(id)
			n++
		}
	}
	if n > 0 {
		c.KS.Updated(c.Args[1], v)
	}
	c.W.Int(n)
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
func cmdXPending(c *Ctx) {
	args := c.Args
	summary := len(args) == 3
	if !summary && (len(args) < 6 || len(args) > 9) {
		c.W.Error(ErrSyntax)
		return
	}
	var start, end streamID
	var count, minIdle int64
	var consumerName []byte
	if !summary {
		at := 3
		if isOpt(args[3], "idle") {
			n, ok := parseCanonicalInt(args[4])
			if !ok {
				c.W.Error(ErrNotInteger)
				return
			}
			minIdle = n
			if len(args) < 8 {
				c.W.Error(ErrSyntax)
				return
			}
			at += 2
		}
		n, ok := parseCanonicalInt(args[at+2])
		if !ok {
			c.W.Error(ErrNotInteger)
			return
		}
		count = max(n, 0)
		var ex bool
		var err error
		if start, ex, err = parseIntervalID(args[at], 0); err != nil {
			writeErr(c, err)
			return
		}
		if ex {
			if start, ok = start.incr(); !ok {
				c.W.Error(ErrStreamBadStart)
				return
			}
		}
		if end, ex, err = parseIntervalID(args[at+1], math.MaxUint64); err != nil {
			writeErr(c, err)
			return
		}
		if ex {
			if end, ok = end.decr(); !ok {
				c.W.Error(ErrStreamBadEnd)
				return
			}
		}
		if at+3 < len(args) {
			consumerName = args[at+3]
		}
	}
	_, _, g, err := streamAndGroup(&c.KS, args[1], args[2])
	if err != nil {
		writeErr(c, err)
		return
	}
	if g == nil {
		c.W.Error(ErrStreamNoKeyOrGroup(args[1], args[2]))
		return
	}
	if summary {
		writePendingSummary(c, g)
		return
	}
	pel := &g.pel
	if consumerName != nil {
		cons := g.consumers[string(consumerName)]
		if cons == nil {
			c.W.Array(0)
			return
		}
		pel = &cons.pel
	}
	now := c.KS.Now()
	var out []*streamNACK
	pel.ascend(start, func(n *streamNACK) bool {
		if count == 0 || n.id.cmp(end) > 0 {
			return false
		}
		if minIdle == 0 || now-n.deliveryTime >= minIdle {
			out = append(out, n)
			count--
		}
		return true
	})
	c.W.Array(len(out))
	for _, n := range out {
		c.W.Array(4)
		writeStreamID(c, n.id)
		c.W.BulkString(n.consumer.name)
		c.W.Int(max(now-n.deliveryTime, 0))
		c.W.Int(n.deliveryCount)
	}
}

// writePendingSummary is XPENDING's summary form: the count, the first
// and last pending IDs and the consumers with pending entries.
func writePendingSummary(c *Ctx, g *streamGroup) {
	c.W.Array(4)
	c.W.Int(int64(g.pel.Len()))
	if g.pel.Len() == 0 {
		c.W.Null()
		c.W.Null()
		c.W.NullArray()
		return
	}
	writeStreamID(c, g.pel.first().id)
	writeStreamID(c, g.pel.last().id)
	var with []*streamConsumer
	for _, cons := range g.sortedConsumers() {
		if cons.pel.Len() > 0 {
			with = append(with, cons)
		}
	}
	c.W.Array(len(with))
	for _, cons := range with {
		c.W.Array(2)
		c.W.BulkString(cons.name)
		c.W.BulkInt(int64(cons.pel.Len()))
	}
}

// claim moves nack to consumer (created on first use through get) with
// a new delivery time, as XCLAIM and XAUTOCLAIM do.
func claim(g *streamGroup, nack *streamNACK, consumer *streamConsumer) {
	if nack.consumer != consumer {
		if nack.consumer != nil {
			nack.consumer.pel.remove(nack.id)
		}
		consumer.pel.put(nack)
		nack.consumer = consumer
	}
}

// dropNACK removes a pending entry from the group and its consumer.
func dropNACK(g *streamGroup, nack *streamNACK) {
	g.pel.remove(nack.id)
	if nack.consumer != nil {
		nack.consumer.pel.remove(nack.id)
	}
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
func cmdXClaim(c *Ctx) {
	args := c.Args
	ks := &c.KS
	v, s, g, err := streamAndGroup(ks, args[1], args[2])
	if err != nil {
		writeErr(c, err)
		return
	}
	if g == nil {
		c.W.Error(ErrStreamNoKeyOrGroup(args[1], args[2]))
		return
	}
	minIdle, ok := parseCanonicalInt(args[4])
	if !ok {
		c.W.Error(ErrStreamXClaimMinIdle)
		return
	}
	minIdle = max(minIdle, 0)
	var ids []streamID
	j := 5
	for ; j < len(args); j++ {
		id, err := parseStreamID(args[j], 0, true, nil)
		if err != nil {
			break
		}
		ids = append(ids, id)
	}
	now := ks.Now()
	retry, delivery := int64(-1), int64(-1)
	force, justID := false, false
	var lastID streamID
	for ; j < len(args); j++ {
		more := len(args) - 1 - j
		opt := args[j]
		switch {
		case isOpt(opt, "force"):
			force = true
		case isOpt(opt, "justid"):
			justID = true
		case isOpt(opt, "idle") && more > 0:
			j++
			n, ok := xclaimInt(c, args[j], ErrStreamXClaimIdle)
			if !ok {
				return
			}
			delivery = now - n
		case isOpt(opt, "time") && more > 0:
			j++
			if delivery, ok = xclaimInt(c, args[j], ErrStreamXClaimTime); !ok {
				return
			}
		case isOpt(opt, "retrycount") && more > 0:
			j++
			if retry, ok = xclaimInt(c, args[j], ErrStreamXClaimRetry); !ok {
				return
			}
		case isOpt(opt, "lastid") && more > 0:
			j++
			if lastID, err = parseStreamID(args[j], 0, true, nil); err != nil {
				writeErr(c, err)
				return
			}
		default:
			c.W.Error(ErrStreamXClaimOption(opt))
			return
		}
	}
	if lastID.cmp(g.lastID) > 0 {
		g.lastID = lastID
	}
	if delivery < 0 || delivery > now {
		delivery = now
	}
	var consumer *streamConsumer
	var out []*streamNACK
	for _, id := range ids {
		nack := g.pel.get(id)
		if s.find(id) == nil {
			if nack != nil {
				dropNACK(g, nack)
			}
			continue
		}
		if force && nack == nil {
			nack = &streamNACK{id: id, deliveryTime: now, deliveryCount: 1}
			g.pel.put(nack)
		}
		if nack == nil {
			continue
		}
		if nack.consumer != nil && minIdle != 0 && now-nack.deliveryTime < minIdle {
			continue
		}
		if consumer == nil {
			consumer, _ = g.consumer(args[3], now)
			consumer.seenTime = now
		}
		nack.deliveryTime = delivery
		if retry >= 0 {
			nack.deliveryCount = retry
		} else if !justID {
			nack.deliveryCount++
		}
		claim(g, nack, consumer)
		out = append(out, nack)
	}
	ks.Updated(args[1], v)
	c.W.Array(len(out))
	for _, n := range out {
		if justID {
			writeStreamID(c, n.id)
		} else {
			writeStreamEntry(c, s.find(n.id))
		}
	}
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func cmdXAutoClaim(c *Ctx) {
	args := c.Args
	ks := &c.KS
	minIdle, ok := parseCanonicalInt(args[4])
	if !ok {
		c.W.Error(ErrStreamAutoMinIdle)
		return
	}
	minIdle = max(minIdle, 0)
	start, ex, err := parseIntervalID(args[5], 0)
	if err != nil {
		writeErr(c, err)
		return
	}
	if ex {
		if start, ok = start.incr(); !ok {
			c.W.Error(ErrStreamBadStart)
			return
		}
	}
	count, justID := int64(100), false
	for j := 6; j < len(args); j++ {
		switch {
		case isOpt(args[j], "count") && j+1 < len(args):
			n, ok := parseCanonicalInt(args[j+1])
			if !ok || n < 1 || n > math.MaxInt64/16 {
				c.W.Error(ErrStreamAutoCount)
				return
			}
			count = n
			j++
		case isOpt(args[j], "justid"):
			justID = true
		default:
			c.W.Error(ErrSyntax)
			return
		}
	}
	v, s, g, err := streamAndGroup(ks, args[1], args[2])
	if err != nil {
		writeErr(c, err)
		return
	}
	if g == nil {
		c.W.Error(ErrStreamNoKeyOrGroup(args[1], args[2]))
		return
	}
	now := ks.Now()
	attempts := count * 10
	var consumer *streamConsumer
	var claimed []*streamNACK
	var deleted []streamID
	// The walk goes by ID, so dropping entries under it is safe.
	nack := g.pel.from(start)
	for ; attempts > 0 && count > 0 && nack != nil; attempts-- {
		cur := nack
		if next, ok := cur.id.incr(); ok {
			nack = g.pel.from(next)
		} else {
			nack = nil
		}
		if s.find(cur.id) == nil {
			dropNACK(g, cur)
			deleted = append(deleted, cur.id)
			count--
			continue
		}
		if minIdle != 0 && now-cur.deliveryTime < minIdle {
			continue
		}
		if consumer == nil {
			consumer, _ = g.consumer(args[3], now)
			consumer.seenTime = now
		}
		cur.deliveryTime = now
		if !justID {
			cur.deliveryCount++
		}
		claim(g, cur, consumer)
		claimed = append(claimed, cur)
		count--
	}
	var next streamID
	if nack != nil {
		next = nack.id
	}
	ks.Updated(args[1], v)
	c.W.Array(3)
	writeStreamID(c, next)
	c.W.Array(len(claimed))
	for _, n := range claimed {
		if justID {
			writeStreamID(c, n.id)
		} else {
			writeStreamEntry(c, s.find(n.id))
		}
	}
	c.W.Array(len(deleted))
	for _, id := range deleted {
		writeStreamID(c, id)
	}
}

// xclaimInt parses an XCLAIM option's integer, replying errText when it
// is not one.
func xclaimInt(c *Ctx, arg []byte, errText string) (int64, bool) {
	n, ok := parseCanonicalInt(arg)
	if !ok {
		c.W.Error(errText)
	}
	return n, ok
}
