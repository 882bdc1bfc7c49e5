package storage

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Append-only files: one per instance, records in RESP (see doc.go,
// "Persistence"). This file holds the per-instance file, the record
// encoding and the syncer goroutine that writes and fsyncs the files.

// Fsync policies, appendfsync's values.
const (
	FsyncAlways = iota
	FsyncEverysec
	FsyncNo
)

// ParseFsync maps appendfsync's words to a policy.
func ParseFsync(s string) (int, error) {
	switch s {
	case "always":
		return FsyncAlways, nil
	case "everysec":
		return FsyncEverysec, nil
	case "no":
		return FsyncNo, nil
	}
	return 0, fmt.Errorf("storage: appendfsync %q: want always, everysec or no", s)
}

// PersistConfig configures persistence (OpenPersistence). The func fields
// are read again whenever they matter, so CONFIG SET takes effect at once.
type PersistConfig struct {
	Dir        string
	AppendOnly bool
	// AppendFilename is the stem of every instance's file:
	// Dir/AppendDirname/<stem>-NN.aof.
	AppendFilename string
	AppendDirname  string
	// DBFilename's stem names the snapshots: Dir/<stem>-NN.rdb.
	DBFilename string

	Fsync func() int
	// Auto rewrite: an instance's file is rewritten once it is Percentage
	// % larger than after its last rewrite (or load) and at least MinSize.
	AutoRewritePercentage func() int
	AutoRewriteMinSize    func() int64
	LoadTruncated         func() bool
	// SaveRules are the save <seconds> <changes> pairs; empty disables them.
	SaveRules               func() [][2]int64
	StopWritesOnBgsaveError func() bool

	Logger *slog.Logger
}

// aofFile is one instance's append-only file.
//
// buf, db, dirty and rw are guarded by the instance lock: records are
// appended by commands that already hold it. The syncer takes the lock
// only to swap buf out, then writes it with fileMu held; a rewrite's
// switch takes the instance lock, then fileMu, so a buffer swapped out
// before the switch (its generation is older) is dropped rather than
// written to the new file, whose state records already cover it.
type aofFile struct {
	id   int
	path string

	// Guarded by the instance lock.
	buf     []byte
	spare   []byte
	db      int    // database the file's reader has selected; -1 unknown
	bufGen  uint64 // file generation buf belongs to
	rw      *rewriteJob
	pending atomic.Int64 // len(buf), read by the syncer without the lock
	dirty   int64        // write commands run (Redis's server.dirty, per instance)
	stored  int          // len(buf) when pending was last stored

	fileMu  sync.Mutex
	f       *os.File
	ino     uint64 // f's inode number, for the always journal
	gen     uint64 // bumped when a rewrite switches files
	size    int64  // bytes written successfully
	retry   []byte // written to the kernel when the disk recovers
	unsync  bool   // written but not fsynced
	baseSz  int64  // size after the last rewrite or load (auto rewrite)
	lastErr error

	sizeA atomic.Int64 // size, read by INFO and auto rewrite

	lastWrite time.Time // the syncer's own
	// syncer is the persister, woken by the first record after a quiet
	// spell (nil for a rewrite's image).
	syncer *persister
}

// persister is the engine's persistence state; nil when persistence is
// off, which is the one branch the request path pays.
type persister struct {
	e     *Engine
	cfg   PersistConfig
	log   *slog.Logger
	aofOn bool
	files []*aofFile
	kinds []uint8 // propagation kind by router.Command.ID

	seq atomic.Uint64 // bumped after every logged command
	// roundMu makes rounds one at a time: the syncer's, and those an
	// event loop runs itself through Engine.Commit.
	roundMu  sync.Mutex
	syncMu   sync.Mutex
	syncCond *sync.Cond
	synced   uint64 // every record up to this seq is on disk (always)
	waiters  []durableWaiter
	todo     []*aofFile      // the syncer's scratch
	ready    []durableWaiter // the syncer's scratch
	policy   atomic.Int32    // appendfsync, refreshed by housekeeping
	// jnl is the always journal (aof_journal.go), nil with appendonly off.
	jnl  *journal
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	// idle is set while the syncer sleeps between housekeeping rounds
	// because no file has anything to write or fsync (syncLoop); the
	// first record after it wakes the syncer.
	idle atomic.Bool

	// writeErr is the last write or fsync error of any file, nil when
	// the last attempt of every file succeeded: the MISCONF state.
	writeErr  atomic.Pointer[error]
	lastFsync time.Time
	// lastHousekeeping is when the syncer last checked save rules.
	lastHousekeeping time.Time
	delayedSync      atomic.Int64

	jobActive     atomic.Int32 // rewrites and snapshots running
	rewriting     atomic.Bool  // one instance at a time
	rewriteQueued atomic.Bool
	rwMu          sync.Mutex // serializes rewrite jobs
	rwStats       rewriteStats

	snap snapshotState

	loading    atomic.Bool
	closed     atomic.Bool
	loadedKeys int64 // keys after the start-up load (set before serving)
}

// aofPath is the file of instance id.
func (p *persister) aofPath(id int) string {
	return filepath.Join(p.cfg.Dir, p.cfg.AppendDirname, fmt.Sprintf("%s-%02d.aof", aofStem(p.cfg.AppendFilename), id))
}

func aofStem(name string) string {
	if ext := filepath.Ext(name); ext == ".aof" || ext == ".rdb" {
		return name[:len(name)-len(ext)]
	}
	return name
}

// openAOF opens (creating) instance id's file for appending at size.
func (p *persister) openAOF(id int, size int64) (*aofFile, error) {
	path := p.aofPath(id)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	if _, err := f.Seek(size, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("storage: seek %s: %w", path, err)
	}
	a := &aofFile{id: id, path: path, f: f, ino: fileIno(f), size: size, baseSz: size, db: -1}
	a.sizeA.Store(size)
	return a, nil
}

// appendArgs appends one RESP array of args to b.
func appendArgs(b []byte, args ...[]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = appendBulk(b, a)
	}
	return b
}

func appendBulk(b, a []byte) []byte {
	b = append(b, '$')
	b = strconv.AppendInt(b, int64(len(a)), 10)
	b = append(b, '\r', '\n')
	b = append(b, a...)
	return append(b, '\r', '\n')
}

// selectDB makes the file's reader select db before the next record.
// The instance lock is held.
func (a *aofFile) selectDB(db int) {
	if a.db == db {
		return
	}
	var n [20]byte
	a.buf = appendArgs(a.buf, []byte("SELECT"), strconv.AppendInt(n[:0], int64(db), 10))
	a.db = db
}

// record appends args, run in db, to the buffer. The instance lock is held.
func (a *aofFile) record(db int, args [][]byte) {
	a.selectDB(db)
	a.buf = appendArgs(a.buf, args...)
	a.published()
}

// recordCmd appends c's command: one copy of the client's bytes when
// c.Raw holds them, where encoding Args formats every length.
func (a *aofFile) recordCmd(db int, c *Ctx) {
	if !rawEncodes(c.Raw, c.Args) {
		a.record(db, c.Args)
		return
	}
	a.selectDB(db)
	a.buf = append(a.buf, c.Raw...)
	a.published()
}

// rawEncodes reports whether raw is the multibulk encoding of args: it is
// as long as that encoding and the last argument ends where raw does,
// less the CRLF. Args that a handler rebuilt, or a Raw left from another
// command, fail it and are encoded instead.
func rawEncodes(raw []byte, args [][]byte) bool {
	if len(raw) == 0 || len(args) == 0 {
		return false
	}
	n := 1 + decimalLen(len(args)) + 2
	for _, a := range args {
		n += 1 + decimalLen(len(a)) + 2 + len(a) + 2
	}
	last := args[len(args)-1]
	end := unsafe.Add(unsafe.Pointer(unsafe.SliceData(raw)), len(raw)-2)
	return n == len(raw) && unsafe.Add(unsafe.Pointer(unsafe.SliceData(last)), len(last)) == end
}

// decimalLen is the number of digits of n >= 0.
func decimalLen(n int) int {
	d := 1
	for ; n >= 10; n /= 10 {
		d++
	}
	return d
}

// published tells the syncer how much is buffered: at the first record
// and then once per 4 KiB, because an atomic store per command costs more
// than the append itself, and the syncer only needs "some" and "a lot".
func (a *aofFile) published() {
	if a.stored == 0 || len(a.buf)>>12 != a.stored>>12 {
		first := a.stored == 0
		a.stored = len(a.buf)
		a.pending.Store(int64(len(a.buf)))
		// The store above comes before this load, and the syncer's
		// store of idle before its load of pending: one of the two
		// sees the other, so a record is never left asleep.
		if first && a.syncer != nil && a.syncer.idle.Load() && a.syncer.idle.CompareAndSwap(true, false) {
			a.syncer.wake()
		}
	}
}

// recordState appends the state of key in db, read from in: a DEL when
// it is missing, else a RESTORE of its DUMP payload with its absolute
// deadline. State records are idempotent, so they can be appended late
// and in any number. The instance lock is held.
func (a *aofFile) recordState(in *Instance, db, slot int, key []byte) {
	a.recordValue(db, key, in.dbs[db].get(slot, key))
}

// Sequence numbers: a command's records are in its files' buffers before
// its seq is taken, so a syncer that reads seq and then swaps every
// buffer has everything up to it.

// logged marks the end of one command's records.
func (p *persister) logged(c *Ctx) {
	if p.policy.Load() == FsyncAlways {
		c.Logged = p.seq.Add(1)
	}
}

// Durable reports whether the records of every command up to seq are
// where the fsync policy wants them before replying: always true except
// under appendfsync always, where they must be fsynced. When it returns
// false it has registered wake, which the syncer calls (from its own
// goroutine) once they are; the proxy then writes the held replies. This
// lets an event loop serve other clients while one waits, so one fsync
// covers every client of every loop that wrote meanwhile (group commit).
// A nil wake only checks.
func (e *Engine) Durable(seq uint64, wake func()) bool {
	p := e.persist
	if p == nil || seq == 0 || p.policy.Load() != FsyncAlways {
		return true
	}
	p.syncMu.Lock()
	if p.synced >= seq {
		p.syncMu.Unlock()
		return true
	}
	if wake == nil { // a check only: the caller registered before
		p.syncMu.Unlock()
		return false
	}
	p.waiters = append(p.waiters, durableWaiter{seq, wake})
	p.syncMu.Unlock()
	p.wake()
	return false
}

type durableWaiter struct {
	seq  uint64
	wake func()
}

// Commit makes the records of every command up to seq durable on the
// caller's goroutine, with one round that covers whatever every loop has
// logged meanwhile, and reports whether they are. An event loop calls it
// once its batch of input is served, as Redis fsyncs once per event-loop
// iteration: the replies then go out on the same thread, with no handoff
// to the syncer and back. When it reports false (a write failed), the
// caller falls back on Durable, whose wake a later good round calls.
func (e *Engine) Commit(seq uint64) bool {
	p := e.persist
	if p == nil || seq == 0 || p.policy.Load() != FsyncAlways {
		return true
	}
	p.roundMu.Lock()
	defer p.roundMu.Unlock()
	if !p.isSynced(seq) {
		p.syncRound(roundCommit)
	}
	return p.isSynced(seq)
}

func (p *persister) isSynced(seq uint64) bool {
	p.syncMu.Lock()
	defer p.syncMu.Unlock()
	return p.synced >= seq
}

// WaitDurable blocks until Durable(seq) holds.
func (e *Engine) WaitDurable(seq uint64) {
	p := e.persist
	if p == nil || seq == 0 || p.policy.Load() != FsyncAlways {
		return
	}
	p.wake()
	p.syncMu.Lock()
	for p.synced < seq {
		p.syncCond.Wait()
	}
	p.syncMu.Unlock()
}

// takeBuf swaps the instance's buffer out under its lock.
func (p *persister) takeBuf(a *aofFile) ([]byte, uint64) {
	in := p.e.insts[a.id]
	in.lock()
	b, gen := a.buf, a.bufGen
	a.buf = a.spare[:0]
	a.spare = nil
	a.stored = 0
	a.pending.Store(0)
	in.unlock()
	return b, gen
}

// giveBack returns a written buffer for reuse.
func (p *persister) giveBack(a *aofFile, b []byte) {
	if cap(b) > 4<<20 {
		return
	}
	in := p.e.insts[a.id]
	in.lock()
	if a.spare == nil {
		a.spare = b[:0]
	}
	in.unlock()
}

// errInjected lets tests fail writes (the fault-injection seam).
var writeFault atomic.Pointer[func(id int) error]

// flushFile writes a's buffer (after any backlog a failed write left) and
// fsyncs it when asked; with journal it frames the buffer for the always
// journal instead and writes only once the backlog is large. A failed
// write is cut back to the last good size, as Redis does, and kept to be
// written again.
func (p *persister) flushFile(a *aofFile, fsync, journal bool) error {
	b, gen := p.takeBuf(a)
	a.fileMu.Lock()
	reuse, err := p.writeLocked(a, b, gen, fsync, journal)
	a.fileMu.Unlock()
	// After fileMu: the instance lock is never taken inside it.
	if reuse != nil {
		p.giveBack(a, reuse)
	}
	return err
}

// writeLocked is flushFile's work with fileMu held; it returns the buffer
// to reuse when it was written whole.
func (p *persister) writeLocked(a *aofFile, b []byte, gen uint64, fsync, journal bool) (reuse []byte, _ error) {
	if gen != a.gen {
		// A rewrite switched files after these records were appended:
		// the new file's state records already hold their effect.
		b = nil
	}
	if journal {
		// The journal makes the bytes durable; the file gets them in
		// bulk, behind any backlog, at the offset the frame names.
		if len(b) > 0 {
			p.jnl.frame(a, a.size+int64(len(a.retry)), b)
			a.retry = append(a.retry, b...)
		}
		if len(a.retry) < writeBatch {
			return b, nil
		}
		reuse, b = b, nil
	}
	data := b
	if len(a.retry) > 0 {
		data = append(a.retry, b...)
	}
	if len(data) > 0 {
		var err error
		if f := writeFault.Load(); f != nil {
			err = (*f)(a.id)
		}
		n := 0
		if err == nil {
			n, err = a.f.Write(data)
		}
		if err != nil {
			if n > 0 {
				if terr := a.f.Truncate(a.size); terr == nil {
					_, _ = a.f.Seek(a.size, 0)
				} else {
					// Could not take the partial record back: keep what
					// is there and write only the rest later, so the file
					// stays a clean sequence of records.
					a.size += int64(n)
					data = data[n:]
				}
			}
			a.retry = append(a.retry[:0:0], data...)
			a.lastErr = err
			return nil, fmt.Errorf("storage: write %s: %w", a.path, err)
		}
		a.size += int64(n)
		a.sizeA.Store(a.size)
		a.retry = nil
		a.unsync = true
		if b != nil && len(data) == len(b) {
			reuse = b
		}
	}
	if fsync && a.unsync {
		var err error
		if f := writeFault.Load(); f != nil {
			err = (*f)(a.id)
		}
		if err == nil {
			err = fdatasync(a.f)
		}
		if err != nil {
			a.lastErr = err
			return reuse, fmt.Errorf("storage: fsync %s: %w", a.path, err)
		}
		a.unsync = false
	}
	a.lastErr = nil
	return reuse, nil
}

// WriteError is the error that makes write commands fail with MISCONF, or
// nil.
func (e *Engine) WriteError() error {
	if p := e.persist; p != nil {
		if err := p.writeErr.Load(); err != nil {
			return *err
		}
		if err := p.snap.bgsaveErr(p); err != nil {
			return err
		}
	}
	return nil
}

// MisconfReply is Redis's refusal of a write command (and of PING) while
// WriteError is set.
func MisconfReply(err error) string { return misconfReply(err) }

// misconfReply is "MISCONF Errors writing to the AOF file: " and
// strerror for the AOF, Redis's bgsave error text for snapshots.
func misconfReply(err error) string {
	var rdb *rdbMisconf
	if errors.As(err, &rdb) {
		return ErrMisconfRDB
	}
	return "MISCONF Errors writing to the AOF file: " + strerror(err)
}

// strerror is the C library's message for the errno inside err, as
// Redis prints it ("No space left on device").
func strerror(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		return upperFirst(en.Error())
	}
	return err.Error()
}

func upperFirst(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// Close writes and fsyncs what is buffered and stops the syncer and the
// background jobs.
func (e *Engine) ClosePersistence() error {
	p := e.persist
	if p == nil {
		return nil
	}
	p.rwMu.Lock() // wait for a rewrite or snapshot in progress
	defer p.rwMu.Unlock()
	if !p.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(p.stop)
	<-p.done
	var first error
	if err := p.writeErr.Load(); err != nil {
		first = *err
	}
	if err := p.closeJournal(); err != nil && first == nil {
		first = err
	}
	for _, a := range p.files {
		a.fileMu.Lock()
		if a.f != nil {
			if err := a.f.Close(); err != nil && first == nil {
				first = err
			}
		}
		a.fileMu.Unlock()
	}
	return first
}
