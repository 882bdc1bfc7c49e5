package storage

import "github.com/shardis/shardis/proxy/wire"

// XREAD and XREADGROUP. Blocking is out of scope for the embedded
// engine: BLOCK is parsed and validated, and when nothing can be served
// the reply is the one Redis gives when the timeout fires, a null array.

func registerStreamsRead(r *registry) {
	r.add("xread", cmdXRead)
	r.add("xreadgroup", cmdXRead)
}

// xreadArgs are XREAD's and XREADGROUP's parsed options.
type xreadArgs struct {
	group, consumer []byte
	count           int64
	noAck           bool
	keys, idArgs    [][]byte
}

// parseXRead is xreadCommand's option loop; on failure it returns the
// error to reply.
func parseXRead(c *Ctx, group bool) (xreadArgs, error) {
	var a xreadArgs
	args := c.Args
	streams := 0
	for i := 1; i < len(args); i++ {
		more := len(args) - i - 1
		o := args[i]
		switch {
		case isOpt(o, "block") && more > 0:
			i++
			t, ok := parseCanonicalInt(args[i])
			if !ok {
				return a, replyError(ErrStreamTimeoutInvalid)
			}
			if t < 0 {
				return a, replyError(ErrStreamTimeoutNegative)
			}
		case isOpt(o, "count") && more > 0:
			i++
			n, ok := parseCanonicalInt(args[i])
			if !ok {
				return a, errNotInteger
			}
			a.count = max(n, 0)
		case isOpt(o, "streams") && more > 0:
			streams = i + 1
			n := len(args) - streams
			if n%2 != 0 {
				// Redis 7.0 names XREAD (and '$') for XREADGROUP too.
				return a, replyError(ErrStreamUnbalanced)
			}
			a.keys, a.idArgs = args[streams:streams+n/2], args[streams+n/2:]
			i = len(args)
		case isOpt(o, "group") && more >= 2:
			if !group {
				return a, replyError(ErrStreamGroupInXRead)
			}
			a.group, a.consumer = args[i+1], args[i+2]
			i += 2
		case isOpt(o, "noack"):
			if !group {
				return a, replyError(ErrStreamNoAckInXRead)
			}
			a.noAck = true
		default:
			return a, errSyntax
		}
	}
	if streams == 0 {
		return a, errSyntax
	}
	if group && a.group == nil {
		return a, replyError(ErrStreamMissingGroup)
	}
	return a, nil
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
func cmdXRead(c *Ctx) {
	group := c.Cmd.Name == "xreadgroup"
	a, err := parseXRead(c, group)
	if err != nil {
		writeErr(c, err)
		return
	}
	if err := opXRead(c, &a, group); err != nil {
		writeErr(c, err)
	}
}

// opXRead resolves the IDs (key by key, as Redis does, so the first bad
// key or ID is the one reported) and serves what it can synchronously.
// ">" is kept as the max ID, as in Redis.
func opXRead(c *Ctx, a *xreadArgs, group bool) error {
	ks := &c.KS
	n := len(a.keys)
	ids := make([]streamID, n)
	streams := make([]*streamValue, n)
	values := make([]*Value, n)
	var groups []*streamGroup
	if group {
		groups = make([]*streamGroup, n)
	}
	for i, key := range a.keys {
		v, err := ks.ReadKind(key, KindStream)
		if err != nil {
			return err
		}
		values[i] = v
		if v != nil {
			streams[i] = v.Obj().(*streamValue)
		}
		if group {
			if v == nil || streams[i].group(a.group) == nil {
				return replyError(ErrStreamNoGroupRead(key, a.group))
			}
			groups[i] = streams[i].group(a.group)
		}
		arg := cString(a.idArgs[i])
		switch {
		case len(arg) == 1 && arg[0] == '$':
			if group {
				return replyError(ErrStreamXReadDollar)
			}
			if v != nil {
				ids[i] = streams[i].lastID
			}
		case len(arg) == 1 && arg[0] == '>':
			if !group {
				return replyError(ErrStreamXReadGT)
			}
			ids[i] = streamMaxID
		default:
			if ids[i], err = parseStreamID(a.idArgs[i], 0, true, nil); err != nil {
				return err
			}
		}
	}
	// The number of streams served is known only at the end, so their
	// replies are built aside and follow the header.
	var body wire.Writer
	body.Proto = c.W.Proto
	out := c.W
	c.W = &body
	defer func() { c.W = out }()
	served := 0
	for i, s := range streams {
		// Redis looks every key up again to serve it: a second hit or
		// miss in the keyspace statistics.
		ks.Read(a.keys[i])
		if s == nil {
			continue
		}
		gt := ids[i]
		serve, history := false, false
		var consumer *streamConsumer
		if group {
			g := groups[i]
			if gt != streamMaxID {
				serve, history = true, true
			} else if s.length > 0 && s.edge(false).cmp(g.lastID) > 0 {
				serve, gt = true, g.lastID
			}
		} else if s.length > 0 && s.edge(false).cmp(gt) > 0 {
			serve = true
		}
		if serve {
			if group {
				// Redis 7.0 creates (and refreshes) the consumer only
				// when it serves it.
				consumer, _ = groups[i].consumer(a.consumer, ks.Now())
				consumer.seenTime = ks.Now()
			}
			served++
			if body.Proto < 3 {
				body.Array(2)
			}
			body.Bulk(a.keys[i])
			start, _ := gt.incr()
			switch {
			case history:
				writeConsumerPEL(c, s, consumer, start, a.count)
			case group:
				writeGroupRange(c, s, groups[i], consumer, start, a.count, a.noAck)
			default:
				count := a.count
				if count == 0 {
					count = -1
				}
				writeStreamRange(c, s, start, streamMaxID, count, false)
			}
			if group {
				ks.Updated(a.keys[i], values[i])
			}
		}
	}
	switch {
	case served == 0:
		out.NullArray()
	case out.Proto >= 3:
		out.Map(served)
	default:
		out.Array(served)
	}
	out.Raw(body.B)
	return nil
}

// writeGroupRange is streamReplyWithRange with a group: new entries from
// start are delivered to consumer, advancing the group's last ID and
// read counter, and (unless NOACK) recorded as pending.
func writeGroupRange(c *Ctx, s *streamValue, g *streamGroup, consumer *streamConsumer, start streamID, count int64, noAck bool) {
	var out []*streamEntry
	now := c.KS.Now()
	s.rangeFwd(start, streamMaxID, func(e *streamEntry) bool {
		out = append(out, e)
		return count == 0 || int64(len(out)) < count
	})
	c.W.Array(len(out))
	for _, e := range out {
		id := e.id
		if id.cmp(g.lastID) > 0 {
			if g.entriesRead != -1 && !s.hasTombstones(id, nil) {
				g.entriesRead++
			} else if s.entriesAdded != 0 {
				g.entriesRead = s.entriesReadOf(id)
			}
			g.lastID = id
		}
		writeStreamEntry(c, e)
		if noAck {
			continue
		}
		if n := g.pel.get(id); n != nil {
			n.consumer.pel.remove(id)
			n.consumer, n.deliveryTime, n.deliveryCount = consumer, now, 1
			consumer.pel.put(n)
			continue
		}
		n := &streamNACK{id: id, deliveryTime: now, deliveryCount: 1, consumer: consumer}
		g.pel.put(n)
		consumer.pel.put(n)
	}
}

// writeConsumerPEL is streamReplyWithRangeFromConsumerPEL: the
// consumer's pending entries from start, at most count (0: all). An entry
// deleted since is [id, nil]; a delivered one counts a new delivery.
func writeConsumerPEL(c *Ctx, s *streamValue, consumer *streamConsumer, start streamID, count int64) {
	items := consumer.pel.head(start, count)
	c.W.Array(len(items))
	for _, n := range items {
		e := s.find(n.id)
		if e == nil {
			c.W.Array(2)
			writeStreamID(c, n.id)
			c.W.NullArray()
			continue
		}
		writeStreamEntry(c, e)
		n.deliveryTime = c.KS.Now()
		n.deliveryCount++
	}
}
