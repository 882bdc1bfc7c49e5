package storage

import (
	"math"
	"slices"
	"strconv"
)

// streamValue is the structure of a stream (Value.Obj() of a KindStream).
//
// Entries live in nodes that model Redis's radix tree of listpacks: a
// node takes appended entries until it holds stream-node-max-entries
// (100) entries, live and deleted together, or until its modelled
// listpack size plus the new entry's payload reaches
// stream-node-max-bytes (4096), exactly Redis's rule. Modelling the nodes
// is what lets approximate trimming (MAXLEN ~, MINID ~) remove the same
// whole nodes Redis removes, and XINFO report the same radix-tree-keys.
//
// Complexity: nodes is a slice sorted by first ID, entries inside a node
// are sorted too, so finding an ID or a range start is two binary
// searches, O(log n). Appending is O(1) amortized (slice append on the
// tail node, occasionally a new node). XDEL marks an entry deleted in
// O(log n), as Redis does; a node whose entries are all deleted is
// removed from the node slice, which moves n/100 pointers: rare, and
// cheap next to the per-entry work. Trimming removes whole nodes from the
// front and marks entries in at most one node. Consumer groups and their
// PELs are in stream_pel.go.
type streamValue struct {
	nodes        []*streamNode
	length       int64
	lastID       streamID
	firstID      streamID // recorded-first-entry-id, as Redis keeps it
	maxDeletedID streamID
	entriesAdded int64
	groups       map[string]*streamGroup
	// slots counts entries held in nodes, deleted ones included.
	slots int64
	// bytes is the sum of every entry's field and value lengths, for
	// memory accounting; deleted entries keep counting until their node
	// goes, as in Redis.
	bytes int64
}

const (
	// streamListpackMaxSize is the most payload one entry may carry.
	streamListpackMaxSize = 1 << 30
)

// streamEntryOverhead approximates what one entry costs beyond its
// payload, for memory accounting.
const streamEntryOverhead = 48

// streamID is an entry ID, ms-seq.
type streamID struct{ ms, seq uint64 }

var (
	streamMinID = streamID{}
	streamMaxID = streamID{math.MaxUint64, math.MaxUint64}
)

func (a streamID) cmp(b streamID) int {
	switch {
	case a.ms < b.ms:
		return -1
	case a.ms > b.ms:
		return 1
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return 0
}

func (a streamID) isZero() bool { return a.ms == 0 && a.seq == 0 }

// appendTo formats the ID as "ms-seq".
func (a streamID) appendTo(b []byte) []byte {
	b = strconv.AppendUint(b, a.ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, a.seq, 10)
}

func (a streamID) String() string { return string(a.appendTo(nil)) }

// incr is streamIncrID: the next ID, false past the last possible one.
func (a streamID) incr() (streamID, bool) {
	switch {
	case a.seq < math.MaxUint64:
		a.seq++
	case a.ms < math.MaxUint64:
		a.ms, a.seq = a.ms+1, 0
	default:
		return streamID{}, false
	}
	return a, true
}

// decr is streamDecrID: the previous ID, false before 0-0.
func (a streamID) decr() (streamID, bool) {
	switch {
	case a.seq > 0:
		a.seq--
	case a.ms > 0:
		a.ms, a.seq = a.ms-1, math.MaxUint64
	default:
		return streamID{}, false
	}
	return a, true
}

// streamEntry is one entry: its ID and its field/value pairs, flattened.
type streamEntry struct {
	id      streamID
	kv      []string
	deleted bool
}

// streamNode is one modelled listpack: entries sorted by ID (deleted ones
// included, as Redis only flags them), its master fields and its size.
type streamNode struct {
	master  streamID
	fields  []string
	entries []streamEntry
	live    int
	lpBytes int
	// fitted marks a listpack Redis holds in an allocation of its own
	// size (restored, copied, or shrunk when XADD closed the node) rather
	// than in the 4 KiB a new node is preallocated: MEMORY USAGE sees it.
	fitted bool
}

func newStreamValue() *streamValue { return &streamValue{} }

// Len is the number of live entries.
func (s *streamValue) Len() int64 { return s.length }

// sameFields reports whether kv's fields are the node's master fields.
func (n *streamNode) sameFields(kv []string) bool {
	if len(kv)/2 != len(n.fields) {
		return false
	}
	for i, f := range n.fields {
		if kv[2*i] != f {
			return false
		}
	}
	return true
}

// entrySize is the listpack size of an entry appended to n.
func (n *streamNode) entrySize(id streamID, kv []string) int {
	nf := len(kv) / 2
	size := lpIntSize(0) + lpIntSize(int64(id.ms-n.master.ms)) + lpIntSize(int64(id.seq-n.master.seq))
	same := n.sameFields(kv)
	count := nf + 3
	if !same {
		size += lpIntSize(int64(nf))
		count += nf + 1
	}
	for i := 0; i < len(kv); i += 2 {
		if !same {
			size += lpStrSize(strBytes(kv[i]))
		}
		size += lpStrSize(strBytes(kv[i+1]))
	}
	return size + lpIntSize(int64(count))
}

// streamNodeFull is streamAppendItem's test for starting a new node before
// an entry of total bytes: stream-node-max-bytes (0, or past the listpack
// maximum, means the maximum) or stream-node-max-entries (0: no limit),
// deleted entries counting as Redis's node counters do.
func streamNodeFull(n *streamNode, total int) bool {
	cfg := encoding()
	maxBytes := cfg.StreamNodeMaxBytes
	if maxBytes <= 0 || maxBytes > streamListpackMaxSize {
		maxBytes = streamListpackMaxSize
	}
	if int64(n.lpBytes+total) >= maxBytes {
		return true
	}
	return cfg.StreamNodeMaxEntries > 0 && int64(len(n.entries)) >= cfg.StreamNodeMaxEntries
}

// add appends an entry with a new, greater ID; kv is copied.
func (s *streamValue) add(id streamID, kv [][]byte) {
	e := streamEntry{id: id, kv: make([]string, len(kv))}
	total := 0
	for i, a := range kv {
		e.kv[i] = string(a)
		total += len(a)
	}
	var n *streamNode
	if len(s.nodes) > 0 {
		n = s.nodes[len(s.nodes)-1]
		if streamNodeFull(n, total) {
			n.fitted = true
			n = nil
		}
	}
	if n == nil {
		n = &streamNode{master: id, fields: make([]string, len(kv)/2)}
		n.lpBytes = 7 + lpIntSize(1) + lpIntSize(0) + lpIntSize(int64(len(kv)/2)) + lpIntSize(0)
		for i := range n.fields {
			n.fields[i] = e.kv[2*i]
			n.lpBytes += lpStrSize(strBytes(n.fields[i]))
		}
		s.nodes = append(s.nodes, n)
	}
	n.lpBytes += n.entrySize(id, e.kv)
	n.entries = append(n.entries, e)
	n.live++
	s.slots++
	s.bytes += int64(total)
	s.length++
	s.entriesAdded++
	s.lastID = id
	if s.length == 1 {
		s.firstID = id
	}
}

// pos is a position in the stream: a node and an entry index.
type streamPos struct{ node, entry int }

// seek returns the position of the first entry (deleted or not) whose ID
// is >= id; past the end when none.
func (s *streamValue) seek(id streamID) streamPos {
	// The last node whose first entry is <= id holds it, if any does.
	ni, _ := slices.BinarySearchFunc(s.nodes, id, func(n *streamNode, id streamID) int {
		return n.entries[0].id.cmp(id)
	})
	if ni < len(s.nodes) && s.nodes[ni].entries[0].id == id {
		return streamPos{ni, 0}
	}
	if ni == 0 {
		return streamPos{0, 0}
	}
	ni--
	n := s.nodes[ni]
	ei, _ := slices.BinarySearchFunc(n.entries, id, func(e streamEntry, id streamID) int { return e.id.cmp(id) })
	if ei == len(n.entries) {
		return streamPos{ni + 1, 0}
	}
	return streamPos{ni, ei}
}

// find returns the live entry with id, or nil.
func (s *streamValue) find(id streamID) *streamEntry {
	p := s.seek(id)
	if p.node >= len(s.nodes) {
		return nil
	}
	e := &s.nodes[p.node].entries[p.entry]
	if e.id != id || e.deleted {
		return nil
	}
	return e
}

// rangeFwd calls fn on each live entry with start <= id <= end in
// ascending order until fn returns false.
func (s *streamValue) rangeFwd(start, end streamID, fn func(e *streamEntry) bool) {
	if start.cmp(end) > 0 {
		return
	}
	p := s.seek(start)
	for ni := p.node; ni < len(s.nodes); ni++ {
		n := s.nodes[ni]
		ei := 0
		if ni == p.node {
			ei = p.entry
		}
		for ; ei < len(n.entries); ei++ {
			e := &n.entries[ei]
			if e.id.cmp(end) > 0 {
				return
			}
			if !e.deleted && !fn(e) {
				return
			}
		}
	}
}

// rangeRev is rangeFwd in descending order, from end down to start.
func (s *streamValue) rangeRev(start, end streamID, fn func(e *streamEntry) bool) {
	if start.cmp(end) > 0 {
		return
	}
	var p streamPos
	if next, ok := end.incr(); ok {
		p = s.seek(next)
	} else {
		p = streamPos{len(s.nodes), 0}
	}
	// Step back to the last entry < end+1.
	ni, ei := p.node, p.entry-1
	if ei < 0 {
		ni--
		if ni >= 0 {
			ei = len(s.nodes[ni].entries) - 1
		}
	}
	for ; ni >= 0; ni-- {
		n := s.nodes[ni]
		if ei < 0 || ei >= len(n.entries) {
			ei = len(n.entries) - 1
		}
		for ; ei >= 0; ei-- {
			e := &n.entries[ei]
			if e.id.cmp(start) < 0 {
				return
			}
			if !e.deleted && !fn(e) {
				return
			}
		}
		ei = -1
	}
}

// edge is streamGetEdgeID skipping tombstones: the first (or last) live
// ID; max-max (or 0-0) when the stream is empty.
func (s *streamValue) edge(first bool) streamID {
	var id streamID
	found := false
	fn := func(e *streamEntry) bool { id, found = e.id, true; return false }
	if first {
		s.rangeFwd(streamMinID, streamMaxID, fn)
	} else {
		s.rangeRev(streamMinID, streamMaxID, fn)
	}
	if !found {
		if first {
			return streamMaxID
		}
		return streamMinID
	}
	return id
}

// del is streamDeleteItem: it marks id deleted and reports whether it
// was a live entry. A node left with no live entry is removed.
func (s *streamValue) del(id streamID) bool {
	p := s.seek(id)
	if p.node >= len(s.nodes) {
		return false
	}
	n := s.nodes[p.node]
	e := &n.entries[p.entry]
	if e.id != id || e.deleted {
		return false
	}
	e.deleted = true
	n.live--
	s.length--
	if n.live == 0 {
		s.dropNode(p.node)
	}
	return true
}

func (s *streamValue) dropNode(i int) {
	s.slots -= int64(len(s.nodes[i].entries))
	for _, e := range s.nodes[i].entries {
		for _, x := range e.kv {
			s.bytes -= int64(len(x))
		}
	}
	s.nodes = slices.Delete(s.nodes, i, i+1)
}

// Trim strategies of XADD and XTRIM.
const (
	trimNone = iota
	trimMaxLen
	trimMinID
)

// streamTrimArgs are XADD's and XTRIM's trimming options.
type streamTrimArgs struct {
	strategy int
	maxLen   int64
	minID    streamID
	approx   bool
	limit    int64 // 0: none
}

// trim is streamTrim: whole nodes go from the front while the stream
// stays at or above the target; then, unless approximate, entries of the
// next node are marked deleted one by one. It returns how many went.
func (s *streamValue) trim(a *streamTrimArgs) int64 {
	if a.strategy == trimNone {
		return 0
	}
	var deleted int64
	for len(s.nodes) > 0 {
		if a.strategy == trimMaxLen && s.length <= a.maxLen {
			break
		}
		n := s.nodes[0]
		entries := int64(n.live)
		if a.limit != 0 && deleted+entries > a.limit {
			break
		}
		var remove bool
		if a.strategy == trimMaxLen {
			remove = s.length-entries >= a.maxLen
		} else {
			remove = n.entries[len(n.entries)-1].id.cmp(a.minID) < 0
		}
		if remove {
			s.dropNode(0)
			s.length -= entries
			deleted += entries
			continue
		}
		if a.approx {
			break
		}
		for i := range n.entries {
			e := &n.entries[i]
			if a.strategy == trimMaxLen && s.length <= a.maxLen ||
				a.strategy == trimMinID && e.id.cmp(a.minID) >= 0 {
				break
			}
			if !e.deleted {
				e.deleted = true
				n.live--
				s.length--
				deleted++
			}
		}
		break
	}
	if s.length == 0 {
		s.firstID = streamID{}
	} else {
		s.firstID = s.edge(true)
	}
	return deleted
}

// hasTombstones is streamRangeHasTombstones: whether a deleted entry may
// lie in [start, end] (nil end: up to the last ID).
func (s *streamValue) hasTombstones(start streamID, end *streamID) bool {
	if s.length == 0 || s.maxDeletedID.isZero() {
		return false
	}
	if s.firstID.cmp(s.maxDeletedID) > 0 {
		return false
	}
	e := streamMaxID
	if end != nil {
		e = *end
	}
	return start.cmp(s.maxDeletedID) <= 0 && s.maxDeletedID.cmp(e) <= 0
}

// entriesReadOf is streamEstimateDistanceFromFirstEverEntry: the logical
// read counter of id, or -1 when it cannot be known.
func (s *streamValue) entriesReadOf(id streamID) int64 {
	if s.entriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.cmp(s.lastID) < 1 {
		return s.entriesAdded
	}
	switch c := id.cmp(s.lastID); {
	case c == 0:
		return s.entriesAdded
	case c > 0:
		return -1
	}
	cmpFirst := id.cmp(s.firstID)
	if s.maxDeletedID.isZero() || s.maxDeletedID.cmp(s.firstID) < 0 {
		if cmpFirst < 0 {
			return s.entriesAdded - s.length
		} else if cmpFirst == 0 {
			return s.entriesAdded - s.length + 1
		}
	}
	return -1
}

// Clone is a deep copy, for COPY. Entry strings are immutable and
// shared; nodes, entries, groups and PELs are copied.
func (s *streamValue) Clone() any {
	c := *s
	c.nodes = make([]*streamNode, len(s.nodes))
	for i, n := range s.nodes {
		m := *n
		m.entries = slices.Clone(n.entries)
		m.fitted = true // streamDup copies each listpack at its size
		c.nodes[i] = &m
	}
	if s.groups != nil {
		c.groups = make(map[string]*streamGroup, len(s.groups))
		for name, g := range s.groups {
			c.groups[name] = g.clone()
		}
	}
	return &c
}

// MemoryUsage is the approximate payload size, for memory accounting.
func (s *streamValue) MemoryUsage() int64 {
	n := s.bytes + s.slots*streamEntryOverhead
	for _, g := range s.groups {
		n += int64(len(g.name)) + int64(g.pel.Len())*streamEntryOverhead
		for _, c := range g.consumers {
			n += int64(len(c.name)) + streamEntryOverhead
		}
	}
	return n
}
