package storage

import "math"

// Commands from https://redis.io/commands/?group=stream
//
// The structure lives in stream_value.go (entries) and stream_pel.go
// (consumer groups); reading commands are in streams_read.go, group
// commands in streams_groups.go, XINFO in streams_info.go. Writes look
// the key up with writeStream (or create it with newStreamObject) and
// end with streamDone (memory accounting). Unlike the other collections,
// an emptied stream stays: Redis never deletes one (its groups and last
// ID must survive). BLOCK is validated but never waits (see
// streams_read.go).

func registerStreams(r *registry) {
	r.add("xadd", cmdXAdd)
	r.add("xrange", cmdXRange)
	r.add("xrevrange", cmdXRevRange)
	r.add("xlen", cmdXLen)
	r.add("xdel", cmdXDel)
	r.add("xtrim", cmdXTrim)
	r.add("xsetid", cmdXSetID)
	registerStreamsRead(r)
	registerStreamGroups(r)
	registerStreamInfo(r)
}

// Errors only the stream family returns, built once.
var errStreamID error = replyError(ErrStreamIDInvalid)

// readStream is lookupKeyRead plus checkType: key's stream, nil when
// missing.
func readStream(ks *Keyspace, key []byte) (*streamValue, error) {
	v, err := ks.ReadKind(key, KindStream)
	if v == nil {
		return nil, err
	}
	return v.Obj().(*streamValue), nil
}

// writeStream is lookupKeyWrite plus checkType.
func writeStream(ks *Keyspace, key []byte) (*Value, *streamValue, error) {
	v, err := ks.WriteKind(key, KindStream)
	if v == nil {
		return nil, nil, err
	}
	return v, v.Obj().(*streamValue), nil
}

// newStreamObject is createStreamObject: a new empty stream value, not
// yet stored.
func newStreamObject() *Value {
	return objValue(KindStream, EncStream, newStreamValue())
}

// streamDone publishes changes to v: it stores a new value or accounts
// an updated one. Empty streams are kept, as Redis keeps them.
func streamDone(ks *Keyspace, key []byte, v *Value, isNew bool) {
	if isNew {
		ks.Put(key, v)
		return
	}
	ks.Updated(key, v)
}

// strToUll is Redis's string2ull: string2ll for canonical numbers (a
// negative one fails), else strtoull in base 10, which also takes leading
// blanks, a sign (a '-' wraps around) and leading zeros.
func strToUll(b []byte) (uint64, bool) {
	if v, ok := parseCanonicalInt(b); ok {
		return uint64(v), v >= 0
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	var v uint64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := uint64(b[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if i == start || i != len(b) {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseStreamID is streamGenericParseIDOrReply: "-" and "+" (unless
// strict), "ms" (seq is missingSeq) or "ms-seq". With seqGiven non-nil,
// "ms-*" is accepted and reported by *seqGiven = false. The argument is
// read as a C string, up to 127 bytes.
func parseStreamID(arg []byte, missingSeq uint64, strict bool, seqGiven *bool) (streamID, error) {
	if len(arg) > 127 {
		return streamID{}, errStreamID
	}
	b := cString(arg)
	if strict && len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		return streamID{}, errStreamID
	}
	if seqGiven != nil {
		*seqGiven = true
	}
	if len(b) == 1 && b[0] == '-' {
		return streamMinID, nil
	}
	if len(b) == 1 && b[0] == '+' {
		return streamMaxID, nil
	}
	msPart, seqPart, dash := b, []byte(nil), false
	for i, c := range b {
		if c == '-' {
			msPart, seqPart, dash = b[:i], b[i+1:], true
			break
		}
	}
	ms, ok := strToUll(msPart)
	if !ok {
		return streamID{}, errStreamID
	}
	seq := missingSeq
	if dash {
		if seqGiven != nil && len(seqPart) == 1 && seqPart[0] == '*' {
			seq, *seqGiven = 0, false
		} else if seq, ok = strToUll(seqPart); !ok {
			return streamID{}, errStreamID
		}
	}
	return streamID{ms, seq}, nil
}

// parseIntervalID is streamParseIntervalIDOrReply: an ID that "(" makes
// exclusive (then parsed strictly).
func parseIntervalID(arg []byte, missingSeq uint64) (id streamID, exclude bool, err error) {
	if len(arg) > 1 && arg[0] == '(' {
		id, err = parseStreamID(arg[1:], missingSeq, true, nil)
		return id, true, err
	}
	id, err = parseStreamID(arg, missingSeq, false, nil)
	return id, false, err
}

// writeStreamID replies id as a bulk string.
func writeStreamID(c *Ctx, id streamID) {
	var tmp [48]byte
	c.W.Bulk(id.appendTo(tmp[:0]))
}

// writeStreamEntry replies one entry: [id, [field, value, ...]].
func writeStreamEntry(c *Ctx, e *streamEntry) {
	c.W.Array(2)
	writeStreamID(c, e.id)
	c.W.Array(len(e.kv))
	for _, x := range e.kv {
		c.W.BulkString(x)
	}
}

// addTrimArgs are the parsed options of XADD and XTRIM.
type addTrimArgs struct {
	trim streamTrimArgs
	// XADD only: the position of the ID argument, the explicit ID (nil
	// for "*"), whether its sequence was given (false for "ms-*") and
	// NOMKSTREAM.
	idPos    int
	id       *streamID
	seqGiven bool
	noMk     bool
	parsedID streamID
}

// parseAddTrimArgs is streamParseAddOrTrimArgsOrReply. For XADD it stops
// at the ID ("*" or an explicit one); for XTRIM every argument is an
// option.
func parseAddTrimArgs(args [][]byte, xadd bool) (*addTrimArgs, error) {
	a := &addTrimArgs{}
	t := &a.trim
	limit, limitGiven := int64(0), false
	i := 2
loop:
	for ; i < len(args); i++ {
		more := len(args) - 1 - i
		opt := args[i]
		switch {
		case xadd && len(cString(opt)) == 1 && opt[0] == '*':
			break loop
		case isOpt(opt, "maxlen") && more > 0, isOpt(opt, "minid") && more > 0:
			if t.strategy != trimNone {
				return nil, replyError(ErrStreamMaxLenAndMinID)
			}
			t.approx = false
			next := cString(args[i+1])
			if more >= 2 && len(next) == 1 && (next[0] == '~' || next[0] == '=') {
				t.approx = next[0] == '~'
				i++
			}
			if isOpt(opt, "maxlen") {
				n, ok := parseCanonicalInt(args[i+1])
				if !ok {
					return nil, errNotInteger
				}
				if n < 0 {
					return nil, replyError(ErrStreamMaxLenNegative)
				}
				t.strategy, t.maxLen = trimMaxLen, n
			} else {
				id, err := parseStreamID(args[i+1], 0, true, nil)
				if err != nil {
					return nil, err
				}
				t.strategy, t.minID = trimMinID, id
			}
			i++
		case isOpt(opt, "limit") && more > 0:
			n, ok := parseCanonicalInt(args[i+1])
			if !ok {
				return nil, errNotInteger
			}
			if n < 0 {
				return nil, replyError(ErrStreamLimitNegative)
			}
			limit, limitGiven = n, true
			i++
		case xadd && isOpt(opt, "nomkstream"):
			a.noMk = true
		case xadd:
			id, err := parseStreamID(opt, 0, true, &a.seqGiven)
			if err != nil {
				return nil, err
			}
			a.parsedID = id
			a.id = &a.parsedID
			break loop
		default:
			return nil, errSyntax
		}
	}
	a.idPos = i
	if limit != 0 && t.strategy == trimNone {
		return nil, replyError(ErrStreamLimitNoStrategy)
	}
	if !xadd && t.strategy == trimNone {
		return nil, replyError(ErrStreamXTrimNoStrategy)
	}
	switch {
	case limitGiven && !t.approx:
		return nil, replyError(ErrStreamLimitNoApprox)
	case limitGiven:
		t.limit = limit
	case t.approx:
		// Redis's default: 100 nodes' worth of entries per call.
		t.limit = 100 * encoding().StreamNodeMaxEntries
	}
	return a, nil
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
func cmdXAdd(c *Ctx) {
	a, err := parseAddTrimArgs(c.Args, true)
	if err != nil {
		writeErr(c, err)
		return
	}
	fields := len(c.Args) - a.idPos - 1
	if fields < 2 || fields%2 == 1 {
		c.W.Error(ErrWrongArgs(c.Cmd.Name))
		return
	}
	if a.id != nil && a.seqGiven && a.id.isZero() {
		c.W.Error(ErrStreamXAddZero)
		return
	}
	got, ok, err := opXAdd(&c.KS, c.Args[1], a, c.Args[a.idPos+1:])
	switch {
	case err != nil:
		writeErr(c, err)
	case !ok:
		c.W.Null()
	default:
		writeStreamID(c, got)
	}
}

// opXAdd appends an entry (with a.id, or an ID from the clock when nil)
// and trims. ok is false when NOMKSTREAM met a missing key.
func opXAdd(ks *Keyspace, key []byte, a *addTrimArgs, kv [][]byte) (streamID, bool, error) {
	id, seqGiven := a.id, a.seqGiven
	v, s, err := writeStream(ks, key)
	if err != nil {
		return streamID{}, false, err
	}
	isNew := v == nil
	if isNew {
		if a.noMk {
			return streamID{}, false, nil
		}
		v = newStreamObject()
		s = v.Obj().(*streamValue)
	}
	if s.lastID == streamMaxID {
		if isNew {
			ks.Put(key, v)
		}
		return streamID{}, false, replyError(ErrStreamExhausted)
	}
	var nid streamID
	switch {
	case id == nil:
		ms := uint64(max(ks.Now(), 0))
		if ms > s.lastID.ms {
			nid = streamID{ms, 0}
		} else {
			nid, _ = s.lastID.incr() // max-max was refused above
		}
	case !seqGiven && id.ms == s.lastID.ms:
		if s.lastID.seq == math.MaxUint64 {
			// Redis 7.0 reports this overflow with its ERANGE text.
			if isNew {
				ks.Put(key, v)
			}
			return streamID{}, false, replyError(ErrStreamTooLarge)
		}
		nid = streamID{s.lastID.ms, s.lastID.seq + 1}
	default:
		nid = *id
	}
	if nid.cmp(s.lastID) <= 0 {
		return streamID{}, false, streamAddFailed(ks, key, v, isNew)
	}
	// A listpack holds at most 1 GiB (STREAM_LISTPACK_MAX_SIZE).
	total := 0
	for _, a := range kv {
		total += len(a)
	}
	if total > streamListpackMaxSize {
		if isNew {
			ks.Put(key, v)
		}
		return streamID{}, false, replyError(ErrStreamTooLarge)
	}
	s.add(nid, kv)
	s.trim(&a.trim)
	streamDone(ks, key, v, isNew)
	return nid, true, nil
}

// streamAddFailed leaves the created (empty) stream behind, as Redis
// does, and returns the ID error.
func streamAddFailed(ks *Keyspace, key []byte, v *Value, isNew bool) error {
	if isNew {
		ks.Put(key, v)
	}
	return replyError(ErrStreamXAddSmaller)
}

// XRANGE key start end [COUNT count]
func cmdXRange(c *Ctx) { xrange(c, false) }

// XREVRANGE key end start [COUNT count]
func cmdXRevRange(c *Ctx) { xrange(c, true) }

// xrange is xrangeGenericCommand.
func xrange(c *Ctx, rev bool) {
	startArg, endArg := c.Args[2], c.Args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, ex, err := parseIntervalID(startArg, 0)
	if err != nil {
		writeErr(c, err)
		return
	}
	if ex {
		var ok bool
		if start, ok = start.incr(); !ok {
			c.W.Error(ErrStreamBadStart)
			return
		}
	}
	end, ex, err := parseIntervalID(endArg, math.MaxUint64)
	if err != nil {
		writeErr(c, err)
		return
	}
	if ex {
		var ok bool
		if end, ok = end.decr(); !ok {
			c.W.Error(ErrStreamBadEnd)
			return
		}
	}
	count := int64(-1)
	for j := 4; j < len(c.Args); j++ {
		if isOpt(c.Args[j], "count") && j+1 < len(c.Args) {
			n, ok := parseCanonicalInt(c.Args[j+1])
			if !ok {
				c.W.Error(ErrNotInteger)
				return
			}
			count = max(n, 0)
			j++
			continue
		}
		c.W.Error(ErrSyntax)
		return
	}
	s, err := readStream(&c.KS, c.Args[1])
	switch {
	case err != nil:
		writeErr(c, err)
	case s == nil:
		c.W.Array(0)
	case count == 0:
		c.W.NullArray()
	default:
		writeStreamRange(c, s, start, end, count, rev)
	}
}

// writeStreamRange replies the live entries in [start, end], at most
// count (-1: all), in ascending or (rev) descending order.
func writeStreamRange(c *Ctx, s *streamValue, start, end streamID, count int64, rev bool) {
	var out []*streamEntry
	fn := func(e *streamEntry) bool {
		out = append(out, e)
		return count < 0 || int64(len(out)) < count
	}
	if rev {
		s.rangeRev(start, end, fn)
	} else {
		s.rangeFwd(start, end, fn)
	}
	c.W.Array(len(out))
	for _, e := range out {
		writeStreamEntry(c, e)
	}
}

// XLEN key
func cmdXLen(c *Ctx) {
	s, err := readStream(&c.KS, c.Args[1])
	switch {
	case err != nil:
		writeErr(c, err)
	case s == nil:
		c.W.Int(0)
	default:
		c.W.Int(s.length)
	}
}

// XDEL key id [id ...]
func cmdXDel(c *Ctx) {
	n, err := opXDel(&c.KS, c.Args[1], c.Args[2:])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opXDel deletes entries. Every ID is validated before any is deleted,
// so a bad ID leaves the stream alone; a missing key is 0 unvalidated.
func opXDel(ks *Keyspace, key []byte, args [][]byte) (int64, error) {
	v, s, err := writeStream(ks, key)
	if err != nil || v == nil {
		return 0, err
	}
	ids := make([]streamID, len(args))
	for i, a := range args {
		if ids[i], err = parseStreamID(a, 0, true, nil); err != nil {
			return 0, err
		}
	}
	var deleted int64
	first := false
	for _, id := range ids {
		if s.del(id) {
			deleted++
			if id == s.firstID {
				first = true
			}
			if id.cmp(s.maxDeletedID) > 0 {
				s.maxDeletedID = id
			}
		}
	}
	if deleted > 0 {
		if s.length == 0 {
			s.firstID = streamID{}
		} else if first {
			s.firstID = s.edge(true)
		}
		streamDone(ks, key, v, false)
	}
	return deleted, nil
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
func cmdXTrim(c *Ctx) {
	a, err := parseAddTrimArgs(c.Args, false)
	if err != nil {
		writeErr(c, err)
		return
	}
	v, s, err := writeStream(&c.KS, c.Args[1])
	switch {
	case err != nil:
		writeErr(c, err)
	case v == nil:
		c.W.Int(0)
	default:
		n := s.trim(&a.trim)
		if n > 0 {
			streamDone(&c.KS, c.Args[1], v, false)
		}
		c.W.Int(n)
	}
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
func cmdXSetID(c *Ctx) {
	id, err := parseStreamID(c.Args[2], 0, true, nil)
	if err != nil {
		writeErr(c, err)
		return
	}
	added, maxDel := int64(-1), streamID{}
	for i := 3; i < len(c.Args); i++ {
		more := len(c.Args) - 1 - i
		switch {
		case isOpt(c.Args[i], "entriesadded") && more > 0:
			n, ok := parseCanonicalInt(c.Args[i+1])
			if !ok {
				c.W.Error(ErrNotInteger)
				return
			}
			if n < 0 {
				c.W.Error(ErrStreamEntriesAddedNeg)
				return
			}
			added = n
			i++
		case isOpt(c.Args[i], "maxdeletedid") && more > 0:
			if maxDel, err = parseStreamID(c.Args[i+1], 0, true, nil); err != nil {
				writeErr(c, err)
				return
			}
			if id.cmp(maxDel) < 0 {
				c.W.Error(ErrStreamMaxDelGreater)
				return
			}
			i++
		default:
			c.W.Error(ErrSyntax)
			return
		}
	}
	if err := opXSetID(&c.KS, c.Args[1], id, added, maxDel); err != nil {
		writeErr(c, err)
		return
	}
	c.W.OK()
}

// opXSetID is xsetidCommand past its parsing: added -1 and a zero
// maxDel leave those counters alone.
func opXSetID(ks *Keyspace, key []byte, id streamID, added int64, maxDel streamID) error {
	v, s, err := writeStream(ks, key)
	if err != nil {
		return err
	}
	if v == nil {
		return replyError(ErrNoSuchKey)
	}
	if s.length > 0 {
		if id.cmp(s.edge(false)) < 0 {
			return replyError(ErrStreamSetIDSmaller)
		}
		if added != -1 && s.length > added {
			return replyError(ErrStreamSetIDAddedSmall)
		}
	}
	s.lastID = id
	if added != -1 {
		s.entriesAdded = added
	}
	if !maxDel.isZero() {
		s.maxDeletedID = maxDel
	}
	streamDone(ks, key, v, false)
	return nil
}
