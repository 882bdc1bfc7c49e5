package storage

import (
	"bytes"
	"strconv"
	"unsafe"

	"github.com/shardis/shardis/router"
)

// Propagation: what a write command leaves in its instances' files. A
// deterministic command on one instance is logged as sent; one whose
// effect depends on the clock gets a record fixing its keys' absolute
// deadlines; one depending on randomness or delivery times, and any
// command spanning instances, logs the resulting state of each key it
// names (DEL, or RESTORE ... REPLACE ABSTTL), each in its own instance's
// file. Replies with an error and blocked commands log nothing.

const (
	propVerbatim = iota
	// propTTL: as sent, then per key PEXPIREAT, PERSIST or DEL.
	propTTL
	// propSet: SET, propTTL only when it has options.
	propSet
	// propState: the state of every key named.
	propState
	// propXAdd: XADD with the id it generated.
	propXAdd
	// propDBs: MOVE and COPY, which reach another database: as sent; a
	// rewrite in progress records the key in every database.
	propDBs
)

func propagationKinds() []uint8 {
	k := make([]uint8, len(router.All()))
	set := func(kind uint8, names ...string) {
		for _, n := range names {
			k[commandByName(n).ID] = kind
		}
	}
	set(propTTL, "expire", "pexpire", "setex", "psetex", "getex", "restore")
	set(propSet, "set")
	set(propState, "spop", "xreadgroup", "xclaim", "xautoclaim")
	set(propXAdd, "xadd")
	set(propDBs, "move", "copy")
	return k
}

// runChecked runs h unless a write must be refused with MISCONF. It
// returns where h's reply starts in c.W.B and whether h was a write that
// succeeded outside loading, so its records are due.
func (p *persister) runChecked(c *Ctx, h Handler) (mark int, changed bool) {
	write := c.Cmd.Flags&router.FlagWrite != 0
	if write && !p.loading.Load() {
		if err := p.e.WriteError(); err != nil {
			c.W.Error(misconfReply(err))
			return len(c.W.B), false
		}
	}
	mark = len(c.W.B)
	h(c)
	failed := len(c.W.B) > mark && c.W.B[mark] == '-'
	return mark, write && !p.loading.Load() && !failed
}

// run is Engine.Run's body while persistence is on: the MISCONF check,
// the handler, then the command's records, all with the instances locked.
func (p *persister) run(c *Ctx, h Handler, table *router.Table, db int, ids []int) {
	if p.aofOn && len(ids) > 0 && c.Cmd.Flags&router.FlagWrite != 0 {
		p.files[ids[0]].warmTail()
	}
	mark, changed := p.runChecked(c, h)
	if !changed || c.Block {
		return
	}
	p.files[ids[0]].dirty++
	if p.aofOn {
		p.propagate(c, table, db, ids, mark)
		p.logged(c)
		return
	}
	if p.jobActive.Load() > 0 {
		p.track(c, table, db)
	}
}

// warmTail asks for the bytes the command's record will be appended over,
// before the command runs. The buffer was last written out by the syncer
// on another core, and 64 instances' buffers are 64 interleaved streams no
// hardware prefetcher follows, so its next line is rarely in this core's
// cache; a store to it would wait for the line as the instance unlock
// drains the store buffer. A prefetch issued now arrives during the
// command's own key lookup. (A plain load did the same, but held up the
// instructions after it: 6.6% of the loop's CPU under everysec SET -P 16,
// where the prefetch costs too little to show.)
func (a *aofFile) warmTail() {
	b := a.buf
	if n := len(b); n+128 <= cap(b) {
		prefetchW(unsafe.Pointer(unsafe.SliceData(b[n:])))
	}
}

// track tells a snapshot in progress (AOF off) which keys c changed.
func (p *persister) track(c *Ctx, table *router.Table, db int) {
	all := p.kinds[c.Cmd.ID] == propDBs
	for i, pos := range c.KeyPos {
		a := p.files[liveOwner(table, c.KeySlots[i])]
		if a.rw == nil {
			continue
		}
		if all {
			a.rw.touchAll(c.Args[pos])
		} else {
			a.rw.touch(db, c.Args[pos])
		}
	}
}

// runGlobal is RunGlobal's body while persistence is on. FLUSHDB,
// FLUSHALL and SWAPDB log themselves (opFlush, opSwapDB), under every lock; SORT ... STORE
// logs its destination's state afterwards, which is safe because a state
// record is always the key's latest state.
func (p *persister) runGlobal(c *Ctx, h Handler) {
	if _, changed := p.runChecked(c, h); !changed {
		return
	}
	p.e.WithInstance(0, func(*Instance) { p.files[0].dirty++ })
	if c.Cmd.Name == "sort" {
		for i := len(c.Args) - 2; i >= 2; i-- {
			if bytes.EqualFold(c.Args[i], []byte("store")) {
				p.logKeyState(c.KS.table, c.KS.db, c.Args[i+1])
				break
			}
		}
	}
	if p.aofOn {
		p.logged(c)
	}
}

// logKeyState locks key's instance(s) and records its state.
func (p *persister) logKeyState(table *router.Table, db int, key []byte) {
	slot := router.Slot(key)
	var buf [2]int
	ids := sortUnique(table.AppendOwners(buf[:0], slot))
	for _, id := range ids {
		p.e.insts[id].lock()
	}
	defer p.e.unlock(ids)
	if p.aofOn {
		p.recordKey(table, db, slot, key)
		return
	}
	for _, id := range ids {
		p.files[id].touch(db, key)
	}
}

// liveOwner is the instance a command leaves slot's keys on: the target
// while the slot migrates (Keyspace.locate moves a key there when a
// command touches it), else the owner.
func liveOwner(table *router.Table, slot int) int {
	o, migrating := table.Route(slot)
	if migrating {
		return table.Target(slot)
	}
	return o
}

// recordKey records the state of key (slot's key in db) in the file of
// the instance holding it; during a migration a key not yet moved is
// still on the owner. The instances involved are locked.
func (p *persister) recordKey(table *router.Table, db, slot int, key []byte) {
	id := liveOwner(table, slot)
	if o, migrating := table.Route(slot); migrating {
		if v := p.e.insts[o].dbs[db].get(slot, key); v != nil {
			id = o
		}
	}
	p.files[id].recordState(p.e.insts[id], db, slot, key)
	p.files[id].touch(db, key)
}

func (p *persister) propagate(c *Ctx, table *router.Table, db int, ids []int, mark int) {
	kind := p.kinds[c.Cmd.ID]
	if len(ids) > 1 {
		kind = propState
	}
	if len(ids) == 0 {
		return
	}
	a := p.files[ids[0]]
	switch kind {
	case propSet:
		a.recordCmd(db, c)
		if len(c.Args) > 3 {
			p.fixDeadlines(c, table, db)
		}
	case propTTL:
		a.recordCmd(db, c)
		p.fixDeadlines(c, table, db)
	case propXAdd:
		id := xaddIDPos(c.Args)
		if id < 0 || !isAutoID(c.Args[id]) {
			a.record(db, c.Args)
			break
		}
		gen, ok := replyBulk(c.W.B[mark:])
		if !ok {
			return // NOMKSTREAM on a missing key: nothing changed
		}
		a.recordReplacing(db, c.Args, id, gen)
	case propState:
		for i, pos := range c.KeyPos {
			p.recordKey(table, db, c.KeySlots[i], c.Args[pos])
		}
		if c.Cmd.Name == "copy" {
			p.copyOtherDB(c, table)
		}
		return
	case propDBs:
		a.record(db, c.Args)
		if a.rw != nil {
			for _, pos := range c.KeyPos {
				a.rw.touchAll(c.Args[pos])
			}
		}
		return
	default:
		a.recordCmd(db, c)
	}
	if a.rw != nil {
		for _, pos := range c.KeyPos {
			a.rw.touch(db, c.Args[pos])
		}
	}
}

// copyOtherDB records COPY's destination when DB names another database.
func (p *persister) copyOtherDB(c *Ctx, table *router.Table) {
	for i := 3; i+1 < len(c.Args); i++ {
		if bytes.EqualFold(c.Args[i], []byte("db")) {
			n, err := strconv.Atoi(string(c.Args[i+1]))
			if err != nil || n < 0 || n >= p.e.databases {
				return
			}
			dst := c.Args[2]
			p.recordKey(table, n, router.Slot(dst), dst)
			return
		}
	}
}

// fixDeadlines records each key's absolute deadline after a command that
// set a relative one.
func (p *persister) fixDeadlines(c *Ctx, table *router.Table, db int) {
	var n [20]byte
	for i, pos := range c.KeyPos {
		slot := c.KeySlots[i]
		owner := liveOwner(table, slot)
		a := p.files[owner]
		key := c.Args[pos]
		v := p.e.insts[owner].dbs[db].get(slot, key)
		switch {
		case v == nil:
			a.record(db, [][]byte{[]byte("DEL"), key})
		case v.expireAt == 0:
			a.record(db, [][]byte{[]byte("PERSIST"), key})
		default:
			a.record(db, [][]byte{[]byte("PEXPIREAT"), key, strconv.AppendInt(n[:0], v.expireAt, 10)})
		}
	}
}

// recordReplacing records args with args[i] replaced by repl.
func (a *aofFile) recordReplacing(db int, args [][]byte, i int, repl []byte) {
	a.selectDB(db)
	a.buf = append(a.buf, '*')
	a.buf = strconv.AppendInt(a.buf, int64(len(args)), 10)
	a.buf = append(a.buf, '\r', '\n')
	for j, arg := range args {
		if j == i {
			arg = repl
		}
		a.buf = appendBulk(a.buf, arg)
	}
	a.published()
}

// touch tells a rewrite in progress that key in db changed.
func (a *aofFile) touch(db int, key []byte) {
	if a.rw != nil {
		a.rw.touch(db, key)
	}
}

// xaddIDPos is the position of XADD's id argument, -1 when malformed.
func xaddIDPos(args [][]byte) int {
	for i := 2; i < len(args); i++ {
		a := args[i]
		switch {
		case isOpt(a, "nomkstream"):
		case isOpt(a, "maxlen"), isOpt(a, "minid"):
			if i+1 < len(args) && (bytes.Equal(args[i+1], []byte("=")) || bytes.Equal(args[i+1], []byte("~"))) {
				i++
			}
			i++
		case isOpt(a, "limit"):
			i++
		default:
			return i
		}
	}
	return -1
}

func isAutoID(id []byte) bool {
	return bytes.Equal(id, []byte("*")) || bytes.HasSuffix(id, []byte("-*"))
}

// replyBulk reads a bulk string reply ("$n\r\n...\r\n"); false for a null.
func replyBulk(b []byte) ([]byte, bool) {
	if len(b) < 4 || b[0] != '$' {
		return nil, false
	}
	end := bytes.IndexByte(b, '\r')
	if end < 0 {
		return nil, false
	}
	n, err := strconv.Atoi(string(b[1:end]))
	if err != nil || n < 0 || end+2+n > len(b) {
		return nil, false
	}
	return b[end+2 : end+2+n], true
}

// logExpired records the DEL of a key removed because its deadline passed
// (Options.OnExpire); the instance is locked.
func (p *persister) logExpired(inst, db int, key []byte) {
	if p.loading.Load() {
		return
	}
	a := p.files[inst]
	if p.aofOn {
		a.record(db, [][]byte{[]byte("DEL"), key})
	}
	a.touch(db, key)
}

// logFlush records FLUSHDB of db in every file; every instance is locked.
// A rewrite in progress cannot tell which of its keys the flush removed,
// so it is abandoned (and tried again later).
func (p *persister) logFlush(db int) {
	if p.loading.Load() {
		return
	}
	p.files[0].dirty++ // every instance is locked
	for _, a := range p.files {
		if p.aofOn {
			a.record(db, [][]byte{[]byte("FLUSHDB")})
		}
		if a.rw != nil {
			a.rw.aborted = true
		}
	}
}

// logSwap records SWAPDB in every instance's file, which it changes
// whole, and abandons rewrites in progress, whose images would put keys
// in the databases they left. Every instance is locked.
func (p *persister) logSwap(a, b int) {
	if p.loading.Load() {
		return
	}
	args := [][]byte{[]byte("SWAPDB"), strconv.AppendInt(nil, int64(a), 10), strconv.AppendInt(nil, int64(b), 10)}
	for _, f := range p.files {
		if p.aofOn {
			f.record(0, args)
		}
		if f.rw != nil {
			f.rw.aborted = true
		}
	}
}

// aofLogMove records a key moved between instances by slot migration:
// a DEL in the source's file and the key's full state, deadline included,
// in the destination's. Both instances are locked.
func (e *Engine) aofLogMove(src, dst, db int, key string, v *Value) {
	p := e.persist
	if p == nil || p.loading.Load() {
		return
	}
	k := []byte(key)
	s, d := p.files[src], p.files[dst]
	if p.aofOn {
		s.record(db, [][]byte{[]byte("DEL"), k})
		d.recordValue(db, k, v)
	}
	s.touch(db, k)
	d.touch(db, k)
}

// recordValue records key's state from v (nil: DEL).
func (a *aofFile) recordValue(db int, key []byte, v *Value) {
	if v == nil {
		a.record(db, [][]byte{[]byte("DEL"), key})
		return
	}
	payload, err := dumpPayload(v)
	if err != nil {
		panic("storage: aof: cannot serialize key " + strconv.Quote(string(key)) + ": " + err.Error())
	}
	var n [20]byte
	a.record(db, [][]byte{[]byte("RESTORE"), key, strconv.AppendInt(n[:0], v.expireAt, 10), payload,
		[]byte("REPLACE"), []byte("ABSTTL")})
}
