package storage

import (
	"slices"
	"strings"
)

// Consumer groups: their pending entries lists (PELs), consumers and the
// group itself.

// pelChunkMax bounds a PEL chunk; a full one splits in two halves.
const pelChunkMax = 256

// pelList is a PEL: pending entries sorted by ID, kept in chunks of at
// most pelChunkMax entries (a two-level B-tree). Finding an ID is two
// binary searches, O(log n); insertion and removal move at most one
// chunk's entries, plus the chunk list (n/128 pointers) when a chunk
// splits or empties. Acknowledging the oldest entries, the common case,
// therefore stays cheap, where one flat slice would move the whole PEL
// for each.
type pelList struct {
	chunks [][]*streamNACK
	n      int
}

func (p *pelList) Len() int { return p.n }

// locate returns the chunk and index of the first entry with ID >= id;
// ci is len(p.chunks) when there is none.
func (p *pelList) locate(id streamID) (ci, i int) {
	ci, _ = slices.BinarySearchFunc(p.chunks, id, func(c []*streamNACK, id streamID) int {
		return c[len(c)-1].id.cmp(id)
	})
	if ci == len(p.chunks) {
		return ci, 0
	}
	i, _ = slices.BinarySearchFunc(p.chunks[ci], id, func(n *streamNACK, id streamID) int { return n.id.cmp(id) })
	return ci, i
}

// from returns the first entry with ID >= id, or nil.
func (p *pelList) from(id streamID) *streamNACK {
	ci, i := p.locate(id)
	if ci == len(p.chunks) {
		return nil
	}
	return p.chunks[ci][i]
}

func (p *pelList) get(id streamID) *streamNACK {
	if n := p.from(id); n != nil && n.id == id {
		return n
	}
	return nil
}

// first and last are the lowest and highest entries; nil when empty.
func (p *pelList) first() *streamNACK {
	if p.n == 0 {
		return nil
	}
	return p.chunks[0][0]
}

func (p *pelList) last() *streamNACK {
	if p.n == 0 {
		return nil
	}
	c := p.chunks[len(p.chunks)-1]
	return c[len(c)-1]
}

// put inserts n, replacing an entry with the same ID.
func (p *pelList) put(n *streamNACK) {
	if p.n == 0 {
		p.chunks = append(p.chunks, []*streamNACK{n})
		p.n++
		return
	}
	ci, i := p.locate(n.id)
	if ci == len(p.chunks) {
		ci = len(p.chunks) - 1
		i = len(p.chunks[ci])
	} else if p.chunks[ci][i].id == n.id {
		p.chunks[ci][i] = n
		return
	}
	p.chunks[ci] = slices.Insert(p.chunks[ci], i, n)
	p.n++
	if c := p.chunks[ci]; len(c) > pelChunkMax {
		half := len(c) / 2
		right := slices.Clone(c[half:])
		clear(c[half:])
		p.chunks[ci] = c[:half]
		p.chunks = slices.Insert(p.chunks, ci+1, right)
	}
}

func (p *pelList) remove(id streamID) bool {
	ci, i := p.locate(id)
	if ci == len(p.chunks) || p.chunks[ci][i].id != id {
		return false
	}
	p.chunks[ci] = slices.Delete(p.chunks[ci], i, i+1)
	p.n--
	if len(p.chunks[ci]) == 0 {
		p.chunks = slices.Delete(p.chunks, ci, ci+1)
	}
	return true
}

// ascend calls fn on the entries with ID >= from in order until fn
// returns false. fn must not change the list.
func (p *pelList) ascend(from streamID, fn func(n *streamNACK) bool) {
	ci, i := p.locate(from)
	for ; ci < len(p.chunks); ci, i = ci+1, 0 {
		for _, n := range p.chunks[ci][i:] {
			if !fn(n) {
				return
			}
		}
	}
}

// head returns up to count entries (0: all) from ID from on.
func (p *pelList) head(from streamID, count int64) []*streamNACK {
	var out []*streamNACK
	p.ascend(from, func(n *streamNACK) bool {
		out = append(out, n)
		return count == 0 || int64(len(out)) < count
	})
	return out
}

// streamNACK is a pending entry of a consumer group: delivered to a
// consumer and not yet acknowledged.
type streamNACK struct {
	id            streamID
	deliveryTime  int64
	deliveryCount int64
	consumer      *streamConsumer
}

// streamConsumer is a consumer of a group, with its own PEL (a subset of
// the group's, sharing the NACKs).
type streamConsumer struct {
	name     string
	seenTime int64
	pel      pelList
}

// streamGroup is a consumer group.
type streamGroup struct {
	name        string
	lastID      streamID
	entriesRead int64 // -1: unknown (SCG_INVALID_ENTRIES_READ)
	pel         pelList
	consumers   map[string]*streamConsumer
}

func (g *streamGroup) clone() *streamGroup {
	c := &streamGroup{name: g.name, lastID: g.lastID, entriesRead: g.entriesRead,
		consumers: make(map[string]*streamConsumer, len(g.consumers))}
	byOld := make(map[*streamConsumer]*streamConsumer, len(g.consumers))
	for name, old := range g.consumers {
		nc := &streamConsumer{name: old.name, seenTime: old.seenTime}
		c.consumers[name] = nc
		byOld[old] = nc
	}
	g.pel.ascend(streamMinID, func(n *streamNACK) bool {
		m := *n
		m.consumer = byOld[n.consumer]
		c.pel.put(&m)
		m.consumer.pel.put(&m)
		return true
	})
	return c
}

// sortedConsumers lists the consumers by name, the order of Redis's rax.
func (g *streamGroup) sortedConsumers() []*streamConsumer {
	out := make([]*streamConsumer, 0, len(g.consumers))
	for _, c := range g.consumers {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *streamConsumer) int { return strings.Compare(a.name, b.name) })
	return out
}

// sortedGroups lists the groups by name, the order of Redis's rax.
func (s *streamValue) sortedGroups() []*streamGroup {
	out := make([]*streamGroup, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b *streamGroup) int { return strings.Compare(a.name, b.name) })
	return out
}

// group returns the named group, or nil.
func (s *streamValue) group(name []byte) *streamGroup {
	return s.groups[string(name)]
}

// createGroup is streamCreateCG: nil when the name is taken.
func (s *streamValue) createGroup(name []byte, id streamID, entriesRead int64) *streamGroup {
	if s.groups == nil {
		s.groups = map[string]*streamGroup{}
	}
	if _, ok := s.groups[string(name)]; ok {
		return nil
	}
	g := &streamGroup{name: string(name), lastID: id, entriesRead: entriesRead, consumers: map[string]*streamConsumer{}}
	s.groups[g.name] = g
	return g
}

// consumer returns the named consumer, creating it (seen now) when
// missing; created says whether it did.
func (g *streamGroup) consumer(name []byte, now int64) (c *streamConsumer, created bool) {
	if c = g.consumers[string(name)]; c != nil {
		return c, false
	}
	c = &streamConsumer{name: string(name), seenTime: now}
	g.consumers[c.name] = c
	return c, true
}

// delConsumer is streamDelConsumer: the consumer's pending entries leave
// the group's PEL with it.
func (g *streamGroup) delConsumer(c *streamConsumer) {
	c.pel.ascend(streamMinID, func(n *streamNACK) bool {
		g.pel.remove(n.id)
		return true
	})
	delete(g.consumers, c.name)
}
