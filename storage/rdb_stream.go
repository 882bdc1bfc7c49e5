package storage

import (
	"encoding/binary"
	"slices"
	"strconv"
)

// The RDB codec of streams (RDB_TYPE_STREAM_LISTPACKS and _2). The node
// model of stream_value.go cuts entries where Redis cuts its listpacks,
// so each node is written as the listpack Redis holds for it, byte for
// byte, and a dump restores into Redis with the same radix tree. Loading
// keeps the nodes as the payload cuts them, so later XADDs fill and split
// them as Redis would.

// Flags of a stream listpack entry (STREAM_ITEM_FLAG_*).
const (
	streamFlagDeleted    = 1
	streamFlagSameFields = 2
)

// streamIDKey is streamEncodeID: the 128-bit big-endian form of an ID,
// the key of radix trees and of PEL entries in RDB.
func streamIDKey(id streamID) [16]byte {
	var k [16]byte
	binary.BigEndian.PutUint64(k[:], id.ms)
	binary.BigEndian.PutUint64(k[8:], id.seq)
	return k
}

func streamIDFromKey(k []byte) streamID {
	return streamID{binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(k[8:])}
}

// streamNodeListpack is the listpack Redis holds for node n: the master
// entry (count, deleted, master fields, a 0 terminator) and then each
// entry as flags, ID deltas, fields and values (values only when the
// fields are the master's) and the lp-count that lets Redis walk back.
func streamNodeListpack(n *streamNode) []byte {
	lp := newListpack()
	lp.appendInt(int64(n.live))
	lp.appendInt(int64(len(n.entries) - n.live))
	lp.appendInt(int64(len(n.fields)))
	for _, f := range n.fields {
		lp.appendString(strBytes(f))
	}
	lp.appendInt(0)
	for i := range n.entries {
		e := &n.entries[i]
		nf := len(e.kv) / 2
		same := n.sameFields(e.kv)
		flags := int64(0)
		if e.deleted {
			flags |= streamFlagDeleted
		}
		if same {
			flags |= streamFlagSameFields
		}
		lp.appendInt(flags)
		lp.appendInt(int64(e.id.ms - n.master.ms))
		lp.appendInt(int64(e.id.seq - n.master.seq))
		count := int64(nf + 3)
		if !same {
			lp.appendInt(int64(nf))
			count += int64(nf + 1)
		}
		for j := 0; j < len(e.kv); j += 2 {
			if !same {
				lp.appendString(strBytes(e.kv[j]))
			}
			lp.appendString(strBytes(e.kv[j+1]))
		}
		lp.appendInt(count)
	}
	return lp.bytes()
}

// rdbAppendStreamValue is rdbSaveObject's stream case, type byte
// included.
func rdbAppendStreamValue(b []byte, s *streamValue) []byte {
	b = append(b, rdbTypeStreamListpack2)
	b = rdbAppendLen(b, uint64(len(s.nodes)))
	for _, n := range s.nodes {
		k := streamIDKey(n.master)
		b = rdbAppendString(b, k[:])
		b = rdbAppendString(b, streamNodeListpack(n))
	}
	b = rdbAppendLen(b, uint64(s.length))
	b = rdbAppendLen(b, s.lastID.ms)
	b = rdbAppendLen(b, s.lastID.seq)
	b = rdbAppendLen(b, s.firstID.ms)
	b = rdbAppendLen(b, s.firstID.seq)
	b = rdbAppendLen(b, s.maxDeletedID.ms)
	b = rdbAppendLen(b, s.maxDeletedID.seq)
	b = rdbAppendLen(b, uint64(s.entriesAdded))
	groups := s.sortedGroups()
	b = rdbAppendLen(b, uint64(len(groups)))
	for _, g := range groups {
		b = rdbAppendString(b, strBytes(g.name))
		b = rdbAppendLen(b, g.lastID.ms)
		b = rdbAppendLen(b, g.lastID.seq)
		b = rdbAppendLen(b, uint64(g.entriesRead))
		b = rdbAppendPEL(b, &g.pel, true)
		consumers := g.sortedConsumers()
		b = rdbAppendLen(b, uint64(len(consumers)))
		for _, c := range consumers {
			b = rdbAppendString(b, strBytes(c.name))
			b = binary.LittleEndian.AppendUint64(b, uint64(c.seenTime))
			b = rdbAppendPEL(b, &c.pel, false)
		}
	}
	return b
}

// rdbAppendPEL is rdbSaveStreamPEL: raw IDs, with delivery time and
// count for a group's PEL (nacks), without for a consumer's.
func rdbAppendPEL(b []byte, p *pelList, nacks bool) []byte {
	b = rdbAppendLen(b, uint64(p.Len()))
	p.ascend(streamMinID, func(n *streamNACK) bool {
		k := streamIDKey(n.id)
		b = append(b, k[:]...)
		if nacks {
			b = binary.LittleEndian.AppendUint64(b, uint64(n.deliveryTime))
			b = rdbAppendLen(b, uint64(n.deliveryCount))
		}
		return true
	})
	return b
}

// plainLen is an rdbLoadLen that must not be a special string encoding.
func (r *rdbReader) plainLen() (uint64, error) {
	n, enc, err := r.length()
	if err != nil || enc {
		return 0, errRDB
	}
	return n, nil
}

func (r *rdbReader) millis() (int64, error) {
	b, err := r.next(8)
	if err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint64(b)), nil
}

func (r *rdbReader) streamID() (streamID, error) {
	ms, err := r.plainLen()
	if err != nil {
		return streamID{}, err
	}
	seq, err := r.plainLen()
	return streamID{ms, seq}, err
}

// rdbReadStreamValue is rdbLoadObject's stream case. Where Redis checks
// a payload only shallowly (sanitize-dump-payload no) and would keep an
// inconsistent stream, this loader refuses it: every listpack is parsed
// into entries, IDs must ascend across the nodes, the length must be the
// live entries' count, and every PEL entry must belong to exactly one
// consumer.
func rdbReadStreamValue(r *rdbReader, t byte) (*streamValue, error) {
	s := newStreamValue()
	nodes, err := r.count()
	if err != nil {
		return nil, err
	}
	for ; nodes > 0; nodes-- {
		key, err := r.str()
		if err != nil || len(key) != 16 {
			return nil, errRDB
		}
		blob, err := r.str()
		if err != nil {
			return nil, err
		}
		n, err := streamNodeFromListpack(streamIDFromKey(key), blob)
		if err != nil {
			return nil, err
		}
		s.nodes = append(s.nodes, n)
	}
	slices.SortFunc(s.nodes, func(a, b *streamNode) int { return a.master.cmp(b.master) })
	var prev *streamID
	var live int64
	for i, n := range s.nodes {
		if i > 0 && n.master == s.nodes[i-1].master {
			return nil, errRDB // raxTryInsert's "re-added with existing key"
		}
		for j := range n.entries {
			e := &n.entries[j]
			if prev != nil && e.id.cmp(*prev) <= 0 {
				return nil, errRDB
			}
			prev = &e.id
			for _, x := range e.kv {
				s.bytes += int64(len(x))
			}
		}
		s.slots += int64(len(n.entries))
		live += int64(n.live)
	}
	length, err := r.plainLen()
	if err != nil || length != uint64(live) {
		return nil, errRDB
	}
	s.length = live
	if s.lastID, err = r.streamID(); err != nil {
		return nil, err
	}
	if prev != nil && s.lastID.cmp(*prev) < 0 {
		return nil, errRDB
	}
	if t == rdbTypeStreamListpack2 {
		if s.firstID, err = r.streamID(); err != nil {
			return nil, err
		}
		if s.maxDeletedID, err = r.streamID(); err != nil {
			return nil, err
		}
		added, err := r.plainLen()
		if err != nil {
			return nil, err
		}
		s.entriesAdded = int64(added)
	} else {
		// Pre-7.0 payloads: as Redis migrates them, the counter starts
		// at the length, no tombstone is known and the first ID is the
		// first live entry's (max-max for an empty stream).
		s.entriesAdded = s.length
		s.firstID = s.edge(true)
	}
	groups, err := r.count()
	if err != nil {
		return nil, err
	}
	for ; groups > 0; groups-- {
		if err := rdbReadStreamGroup(r, t, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// rdbReadStreamGroup loads one consumer group: its PEL, then its
// consumers, whose PELs point into the group's.
func rdbReadStreamGroup(r *rdbReader, t byte, s *streamValue) error {
	name, err := r.str()
	if err != nil {
		return err
	}
	lastID, err := r.streamID()
	if err != nil {
		return err
	}
	var read int64
	if t == rdbTypeStreamListpack2 {
		n, err := r.plainLen()
		if err != nil {
			return err
		}
		read = int64(n)
	} else {
		read = s.entriesReadOf(lastID)
	}
	g := s.createGroup(name, lastID, read)
	if g == nil {
		return errRDB // duplicated group name
	}
	pel, err := r.count()
	if err != nil {
		return err
	}
	for ; pel > 0; pel-- {
		k, err := r.next(16)
		if err != nil {
			return err
		}
		n := &streamNACK{id: streamIDFromKey(k)}
		if n.deliveryTime, err = r.millis(); err != nil {
			return err
		}
		count, err := r.plainLen()
		if err != nil {
			return err
		}
		n.deliveryCount = int64(count)
		if g.pel.get(n.id) != nil {
			return errRDB
		}
		g.pel.put(n)
	}
	consumers, err := r.count()
	if err != nil {
		return err
	}
	for ; consumers > 0; consumers-- {
		cname, err := r.str()
		if err != nil {
			return err
		}
		if g.consumers[string(cname)] != nil {
			return errRDB
		}
		seen, err := r.millis()
		if err != nil {
			return err
		}
		c, _ := g.consumer(cname, seen)
		owned, err := r.count()
		if err != nil {
			return err
		}
		for ; owned > 0; owned-- {
			k, err := r.next(16)
			if err != nil {
				return err
			}
			n := g.pel.get(streamIDFromKey(k))
			if n == nil || n.consumer != nil {
				return errRDB
			}
			n.consumer = c
			c.pel.put(n)
		}
	}
	ok := true
	g.pel.ascend(streamMinID, func(n *streamNACK) bool {
		ok = n.consumer != nil
		return ok
	})
	if !ok {
		return errRDB // a PEL entry with no consumer
	}
	return nil
}

// streamLP walks the elements of a stream listpack, as integers where
// the layout wants integers.
type streamLP struct {
	items []string
	p     int
	err   bool
}

func (l *streamLP) str() string {
	if l.p >= len(l.items) {
		l.err = true
		return ""
	}
	l.p++
	return l.items[l.p-1]
}

func (l *streamLP) int() int64 {
	v, err := strconv.ParseInt(l.str(), 10, 64)
	if err != nil {
		l.err = true
	}
	return v
}

// streamNodeFromListpack parses a node's listpack into the node model,
// checking the master entry's counts and every entry's lp-count.
func streamNodeFromListpack(master streamID, blob []byte) (*streamNode, error) {
	items, err := decodeListpack(blob)
	if err != nil || len(items) == 0 {
		return nil, errRDB
	}
	l := &streamLP{items: items}
	n := &streamNode{master: master, lpBytes: len(blob), fitted: true}
	count, deleted, nf := l.int(), l.int(), l.int()
	if l.err || count < 0 || deleted < 0 || nf < 0 || nf > int64(len(items)) {
		return nil, errRDB
	}
	n.fields = make([]string, nf)
	for i := range n.fields {
		n.fields[i] = l.str()
	}
	if l.int() != 0 || l.err {
		return nil, errRDB
	}
	for l.p < len(items) {
		flags := l.int()
		msd, seqd := l.int(), l.int()
		if l.err || flags&^(streamFlagDeleted|streamFlagSameFields) != 0 {
			return nil, errRDB
		}
		e := streamEntry{
			id:      streamID{master.ms + uint64(msd), master.seq + uint64(seqd)},
			deleted: flags&streamFlagDeleted != 0,
		}
		same := flags&streamFlagSameFields != 0
		fields := nf
		if !same {
			if fields = l.int(); l.err || fields < 0 || fields > int64(len(items)) {
				return nil, errRDB
			}
		}
		e.kv = make([]string, 2*fields)
		for i := int64(0); i < fields; i++ {
			if same {
				e.kv[2*i] = n.fields[i]
			} else {
				e.kv[2*i] = l.str()
			}
			e.kv[2*i+1] = l.str()
		}
		want := fields + 3
		if !same {
			want += fields + 1
		}
		if l.int() != want || l.err {
			return nil, errRDB
		}
		if !e.deleted {
			n.live++
		}
		n.entries = append(n.entries, e)
	}
	if len(n.entries) == 0 || int64(n.live) != count || int64(len(n.entries)-n.live) != deleted {
		return nil, errRDB
	}
	return n, nil
}

// Sizes of Redis 7.0's stream structures on a 64-bit build.
const (
	sizeofStream         = 80 // rax*, length, last/first/max-deleted IDs, entries_added, cgroups
	sizeofStreamCG       = 40 // last_id, entries_read, pel, consumers
	sizeofStreamNACK     = 24 // delivery_time, delivery_count, consumer
	sizeofStreamConsumer = 24 // seen_time, name, pel
	// streamPrealloc is STREAM_LISTPACK_MAX_PRE_ALLOCATE: a node made by
	// XADD starts with this much allocated.
	streamPrealloc = 4096
)

// streamComputeSize is objectComputeSize's OBJ_STREAM case: the radix
// tree estimate, the listpacks (the first samples ones averaged over all
// but the last node, which is counted exactly) and the groups' PELs and
// consumers.
func streamComputeSize(s *streamValue, samples int64) int64 {
	size := int64(sizeofRobj+sizeofStream) + raxMemoryUsage(streamNodeKeys(s))
	var lpsize, sampled int64
	for i := 0; sampled < samples && i < len(s.nodes); i++ {
		lpsize += streamNodeAlloc(s, i)
		sampled++
	}
	if int64(len(s.nodes)) <= sampled {
		size += lpsize
	} else {
		lpsize /= sampled
		size += lpsize*int64(len(s.nodes)-1) + streamNodeAlloc(s, len(s.nodes)-1)
	}
	for _, g := range s.sortedGroups() {
		size += sizeofStreamCG + raxMemoryUsage(pelKeys(&g.pel)) + sizeofStreamNACK*int64(g.pel.Len())
		for _, c := range g.consumers {
			size += sizeofStreamConsumer + int64(len(c.name)) + raxMemoryUsage(pelKeys(&c.pel))
		}
	}
	return size
}

// streamNodeAlloc is zmalloc_size of node i's listpack: a new node is
// preallocated to 4 KiB and grows by realloc past that; a fitted one
// (see streamNode) has its exact size and grows by realloc too.
func streamNodeAlloc(s *streamValue, i int) int64 {
	n := s.nodes[i]
	exact := jemallocSize(int64(n.lpBytes))
	if n.fitted {
		return exact
	}
	return max(exact, streamPrealloc)
}

// streamNodeKeys are the keys of the stream's radix tree, its nodes'
// master IDs.
func streamNodeKeys(s *streamValue) [][16]byte {
	keys := make([][16]byte, len(s.nodes))
	for i, n := range s.nodes {
		keys[i] = streamIDKey(n.master)
	}
	return keys
}

// streamRaxNodes is XINFO STREAM's radix-tree-nodes.
func streamRaxNodes(s *streamValue) int64 { return raxNodes(streamNodeKeys(s), 0) }

func pelKeys(p *pelList) [][16]byte {
	keys := make([][16]byte, 0, p.Len())
	p.ascend(streamMinID, func(n *streamNACK) bool {
		keys = append(keys, streamIDKey(n.id))
		return true
	})
	return keys
}

// raxMemoryUsage is streamRadixTreeMemoryUsage over a radix tree holding
// the sorted keys: 16 bytes an element plus, per rax node, its 4-byte
// header and a fixed 30 words (Redis overwrites the sizeof(rax) it starts
// from).
func raxMemoryUsage(keys [][16]byte) int64 {
	return 16*int64(len(keys)) + (4+8*30)*raxNodes(keys, 0)
}

// raxNodes counts the nodes of the rax holding keys (sorted, distinct,
// all sharing their first d bytes) below position d, that position's
// node included. Rax keeps every chain of single-child positions in one
// compressed node, so nodes sit at the root, at branching positions, at
// each child of a branching position and at the keys.
func raxNodes(keys [][16]byte, d int) int64 {
	if len(keys) == 0 || d == 16 {
		return 1
	}
	first, last := &keys[0], &keys[len(keys)-1]
	l := d
	for l < 16 && first[l] == last[l] {
		l++
	}
	if l == 16 {
		return 2 // a compressed chain to the one key
	}
	n := int64(1)
	if l > d {
		n++ // the chain to the branching position
	}
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][l] == keys[i][l] {
			j++
		}
		n += raxNodes(keys[i:j], l+1)
		i = j
	}
	return n
}
