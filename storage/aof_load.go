package storage

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"

	"github.com/shardis/shardis/proxy/wire"
	"github.com/shardis/shardis/router"
)

// Loading: an instance's file (AOF or snapshot, the same RESP records) is
// replayed through the command handlers with the clock stopped at 1 ms,
// so nothing expires while loading (Redis does not expire keys while
// loading either); deadlines already past are reclaimed by expiry once the
// server runs, which logs their DELs.

// ErrTruncated reports a file whose last record is incomplete.
type ErrTruncated struct {
	Path string
	Off  int64
}

func (e *ErrTruncated) Error() string {
	return fmt.Sprintf("storage: %s: last record incomplete at offset %d", e.Path, e.Off)
}

// ErrCorrupt reports a file that is not a sequence of commands.
type ErrCorrupt struct {
	Path string
	Off  int64
	Msg  string
}

func (e *ErrCorrupt) Error() string {
	return fmt.Sprintf("storage: %s: bad record at offset %d: %s", e.Path, e.Off, e.Msg)
}

// respReader reads commands (arrays of bulk strings) from a file, keeping
// the offset of each. The args returned alias a buffer reused by the next
// call.
type respReader struct {
	r    *bufio.Reader
	off  int64
	buf  []byte
	args [][]byte
	ends []int
}

var errShort = errors.New("short")

func newRESPReader(r io.Reader) *respReader {
	return &respReader{r: bufio.NewReaderSize(r, 1<<20)}
}

// next reads one command. It returns io.EOF at a clean end, errShort when
// the file ends inside a record, or another error (the record at start is
// malformed).
func (rr *respReader) next() (args [][]byte, start int64, err error) {
	start = rr.off
	n, err := rr.header('*', true)
	if err != nil {
		return nil, start, err
	}
	if n < 1 || n > 1<<20 {
		return nil, start, fmt.Errorf("array length %d", n)
	}
	rr.buf = rr.buf[:0]
	rr.ends = rr.ends[:0]
	for i := 0; i < n; i++ {
		l, err := rr.header('$', false)
		if err != nil {
			return nil, start, err
		}
		if l < 0 || l > 1<<32 {
			return nil, start, fmt.Errorf("bulk length %d", l)
		}
		at := len(rr.buf)
		rr.buf = slices.Grow(rr.buf, l+2)[:at+l+2]
		got, err := io.ReadFull(rr.r, rr.buf[at:])
		rr.off += int64(got)
		if err != nil {
			return nil, start, errShort
		}
		if rr.buf[at+l] != '\r' || rr.buf[at+l+1] != '\n' {
			return nil, start, errors.New("bulk string not terminated by CRLF")
		}
		rr.buf = rr.buf[:at+l]
		rr.ends = append(rr.ends, at+l)
	}
	rr.args = rr.args[:0]
	from := 0
	for _, e := range rr.ends {
		rr.args = append(rr.args, rr.buf[from:e:e])
		from = e
	}
	return rr.args, start, nil
}

// header reads "<kind><int>\r\n".
func (rr *respReader) header(kind byte, first bool) (int, error) {
	line, err := rr.r.ReadSlice('\n')
	rr.off += int64(len(line))
	if err != nil {
		if err == io.EOF && len(line) == 0 && first {
			return 0, io.EOF
		}
		if err == io.EOF {
			return 0, errShort
		}
		return 0, err
	}
	if len(line) < 4 || line[0] != kind || line[len(line)-2] != '\r' {
		return 0, fmt.Errorf("expected '%c' line, got %q", kind, trimLine(line))
	}
	n, err := strconv.Atoi(string(line[1 : len(line)-2]))
	if err != nil {
		return 0, fmt.Errorf("bad length %q", trimLine(line))
	}
	return n, nil
}

func trimLine(b []byte) []byte {
	if len(b) > 32 {
		b = b[:32]
	}
	return bytes.TrimRight(b, "\r\n")
}

// loadFile replays path into the engine (its records name keys of
// instance id). It returns the size of the valid prefix; a torn last
// record is cut off when truncOK, else reported as *ErrTruncated.
func (p *persister) loadFile(id int, path string, truncOK bool) (size int64, records int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("storage: open %s: %w", path, err)
	}
	defer f.Close()
	rr := newRESPReader(f)
	e := p.e
	// Every record of this file is applied to this file's instance,
	// whatever the routing table says: a key moved by a migration has a
	// DEL in its old instance's file and its state in the new one's, and
	// the routing state (persisted apart) says which instance serves it.
	table := ownTable(e.router.Table(), id)
	in := e.insts[id]
	lim := &Limits{
		ProtoMaxBulkLen: func() int64 { return math.MaxInt64 },
		MaxReplyBytes:   func() int64 { return 0 },
	}
	c := &Ctx{W: &wire.Writer{Proto: 2}, Limits: lim, Now: 1}
	db := 0
	for {
		args, start, err := rr.next()
		if err == io.EOF {
			return rr.off, records, nil
		}
		if err == errShort {
			if !truncOK {
				return start, records, &ErrTruncated{Path: path, Off: start}
			}
			p.log.Warn("!!! Warning: short read while loading the append only file; AOF loaded anyway because aof-load-truncated is enabled, truncating it",
				"file", path, "offset", start, "dropped_bytes", rr.off-start)
			if terr := os.Truncate(path, start); terr != nil {
				return start, records, fmt.Errorf("storage: truncate %s: %w", path, terr)
			}
			return start, records, nil
		}
		if err != nil {
			return start, records, &ErrCorrupt{Path: path, Off: start, Msg: err.Error()}
		}
		records++
		switch {
		case isOpt(args[0], "select") && len(args) == 2:
			n, err := strconv.Atoi(string(args[1]))
			if err != nil || n < 0 || n >= e.databases {
				return start, records, &ErrCorrupt{Path: path, Off: start, Msg: "bad SELECT " + string(args[1])}
			}
			db = n
			continue
		case isOpt(args[0], "flushdb"):
			p.flushInstance(id, db)
			continue
		case isOpt(args[0], "flushall"):
			for d := 0; d < e.databases; d++ {
				p.flushInstance(id, d)
			}
			continue
		case isOpt(args[0], "swapdb") && len(args) == 3:
			a, err1 := strconv.Atoi(string(args[1]))
			b, err2 := strconv.Atoi(string(args[2]))
			if err1 != nil || err2 != nil || a < 0 || a >= e.databases || b < 0 || b >= e.databases {
				return start, records, &ErrCorrupt{Path: path, Off: start, Msg: "bad SWAPDB " + string(args[1]) + " " + string(args[2])}
			}
			in := e.insts[id]
			in.lock()
			in.swapDBs(a, b)
			in.unlock()
			continue
		}
		cmd := router.Lookup(args[0])
		if cmd != nil && cmd.Subcommands != nil && len(args) > 1 {
			cmd = cmd.Sub(args[1])
		}
		var h Handler
		global := false
		if cmd != nil {
			h, global = e.Handler(cmd)
		}
		if h == nil || !cmd.AcceptsArgc(len(args)) {
			return start, records, &ErrCorrupt{Path: path, Off: start, Msg: "unknown command or wrong arity: " + string(trimLine(args[0]))}
		}
		c.Args, c.Cmd = args, cmd
		c.W.Reset()
		c.KeyPos = cmd.RouteKeys(args, c.KeyPos[:0])
		c.KeySlots = c.KeySlots[:0]
		for _, pos := range c.KeyPos {
			c.KeySlots = append(c.KeySlots, router.Slot(args[pos]))
		}
		c.KS = Keyspace{eng: e, table: table, db: db, now: c.Now}
		c.KS.args, c.KS.keyPos, c.KS.keySlots = c.Args, c.KeyPos, c.KeySlots
		if global {
			h(c) // SORT ... STORE locks every instance itself
		} else {
			in.lock()
			h(c)
			in.unlock()
		}
		c.Block = false
	}
}

// ownTable is t with every slot owned by instance id, none migrating.
func ownTable(t *router.Table, id int) *router.Table {
	all := make([]router.SlotState, router.SlotCount)
	for s := range all {
		all[s] = router.SlotState{Slot: s, Owner: id, Target: -1}
	}
	return t.With(all)
}

// flushInstance empties db on instance id only.
func (p *persister) flushInstance(id, db int) {
	in := p.e.insts[id]
	in.lock()
	defer in.unlock()
	d := &in.dbs[db]
	in.keys.Add(-d.keys)
	d.flush()
	in.recountMemory()
}

// touchAllLoaded sets every value's LRU clock (or LFU counter) as for a
// key just written, after a load that ran with the clock stopped.
func (p *persister) touchAllLoaded(now int64) {
	clock := lruClock(now)
	if pol := p.e.policy.Load(); pol != nil && pol.lfu {
		clock = lfuInit(now) // as for a new key
	}
	for _, in := range p.e.insts {
		in.lock()
		for i := range in.dbs {
			for _, ch := range in.dbs[i].dir {
				if ch == nil {
					continue
				}
				for j := range ch {
					ch[j].keys.each(func(_ string, v *Value) bool {
						v.setAccess(clock)
						return true
					})
				}
			}
		}
		in.unlock()
	}
}
