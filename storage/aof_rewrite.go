package storage

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shardis/shardis/router"
)

// Rewrite (compaction) and the instance image it shares with snapshots.
//
// Without fork there is no frozen copy of an instance to write, so the
// image is written in bounded batches: lock the instance, serialize the
// keys of a few slots, unlock, write them out. Commands keep running in
// between; while the job runs, every key they change is noted (rewriteJob).
// At the end, with the instance locked, the current state of each noted
// key is appended (state records are idempotent and always the latest
// state, so a key serialized before it changed is simply overridden), the
// file is fsynced and renamed into place. The image is therefore the
// instance exactly as it was at that final moment. Only one job (rewrite
// or snapshot, of one instance) runs at a time.

// rewriteJob is what a job in progress on one instance notes: the keys
// changed since it started, per database. Guarded by the instance lock.
type rewriteJob struct {
	touched []map[string]struct{}
	all     map[string]struct{} // keys changed in some database (MOVE, COPY DB)
	aborted bool                // a FLUSHDB/FLUSHALL/SWAPDB ran: start again later
}

func (r *rewriteJob) touch(db int, key []byte) {
	m := r.touched[db]
	if m == nil {
		m = make(map[string]struct{})
		r.touched[db] = m
	}
	m[string(key)] = struct{}{}
}

func (r *rewriteJob) touchAll(key []byte) {
	if r.all == nil {
		r.all = make(map[string]struct{})
	}
	r.all[string(key)] = struct{}{}
}

// rewriteStats are INFO persistence's rewrite fields.
type rewriteStats struct {
	inProgress  atomic.Bool
	scheduled   atomic.Bool
	lastStatus  atomic.Bool // true: the last rewrite failed
	lastSecs    atomic.Int64
	currentFrom atomic.Int64 // Unix ns the current rewrite started, 0 none
	rewrites    atomic.Int64
	instance    atomic.Int64 // instance being rewritten, -1 none
}

// imageBatch bounds how much one lock hold serializes.
var imageBatch = 256 << 10

// imageWriters keeps the 1 MiB file buffers of images between jobs: a SAVE
// writes 64 images, and allocating (and clearing) a buffer for each made a
// SAVE of empty instances take 80 ms, mostly in memclr and GC.
var imageWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 1<<20) }}

// writeImage writes instance id's image to path+".tmp". With done set (a
// rewrite) the file is fsynced and renamed to path, and done gets the open
// file, positioned at its end, its size and the database its reader has
// selected at the end; done runs with the instance still locked after the
// rename, to switch files atomically with respect to commands. With done
// nil (a snapshot) the file is closed where it is, not synced: the caller
// makes all instances' images durable with one sync and renames them
// (persister.save).
func (p *persister) writeImage(id int, path string, done func(f *os.File, size int64, db int)) error {
	in := p.e.insts[id]
	a := p.files[id]
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("storage: create %s: %w", tmp, err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	in.lock()
	a.rw = &rewriteJob{touched: make([]map[string]struct{}, p.e.databases)}
	in.unlock()
	defer func() {
		if !ok {
			in.lock()
			a.rw = nil
			in.unlock()
		}
	}()
	w := imageWriters.Get().(*bufio.Writer)
	w.Reset(f)
	defer func() {
		w.Reset(nil)
		imageWriters.Put(w)
	}()
	img := &aofFile{id: id, db: -1}
	var size int64
	flush := func() error {
		n, err := w.Write(img.buf)
		size += int64(n)
		img.buf = img.buf[:0]
		return err
	}
	for db := 0; db < p.e.databases; db++ {
		for slot := 0; slot < router.SlotCount; {
			in.lock()
			d := &in.dbs[db]
			for ; slot < router.SlotCount && len(img.buf) < imageBatch; slot++ {
				if d.dir[slot/slotChunkLen] == nil {
					slot += slotChunkLen - 1 - slot%slotChunkLen
					continue
				}
				d.EachInSlot(slot, func(k string, v *Value) bool {
					img.recordValue(db, []byte(k), v)
					return true
				})
			}
			aborted := a.rw.aborted
			in.unlock()
			if aborted {
				return errRewriteAborted
			}
			if err := flush(); err != nil {
				return fmt.Errorf("storage: write %s: %w", tmp, err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("storage: write %s: %w", tmp, err)
	}
	// Syncing the bulk before the switch keeps the locked part short.
	if done != nil {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("storage: fsync %s: %w", tmp, err)
		}
	}

	// The switch: the instance stays locked until the new file is in place.
	in.lock()
	defer in.unlock()
	rw := a.rw
	a.rw = nil
	if rw.aborted {
		return errRewriteAborted
	}
	for db, m := range rw.touched {
		for k := range m {
			img.recordState(in, db, router.Slot([]byte(k)), []byte(k))
		}
	}
	for k := range rw.all {
		for db := 0; db < p.e.databases; db++ {
			img.recordState(in, db, router.Slot([]byte(k)), []byte(k))
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("storage: write %s: %w", tmp, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("storage: write %s: %w", tmp, err)
	}
	if done == nil {
		ok = true
		if err := f.Close(); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("storage: close %s: %w", tmp, err)
		}
		return nil
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("storage: fsync %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("storage: rename %s: %w", tmp, err)
	}
	syncDir(filepath.Dir(path))
	ok = true
	done(f, size, img.db)
	return nil
}

var errRewriteAborted = errors.New("storage: rewrite abandoned: the database was flushed while it ran")

// syncDir fsyncs a directory so a rename in it survives a crash.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// rewriteAOF rewrites instance id's append-only file and switches to it.
func (p *persister) rewriteAOF(id int) error {
	a := p.files[id]
	// No journal frame may name a file replaced before: the new file
	// could reuse its inode number (aof_journal.go).
	if err := p.checkpointNow(); err != nil {
		return err
	}
	return p.writeImage(id, a.path, func(f *os.File, size int64, db int) {
		// The instance is locked: no record can be appended meanwhile.
		a.fileMu.Lock()
		old := a.f
		a.f = f
		a.ino = fileIno(f)
		a.gen++
		a.size, a.baseSz = size, size
		a.sizeA.Store(size)
		a.retry = nil
		a.unsync = false
		a.fileMu.Unlock()
		a.bufGen = a.gen
		a.buf = a.buf[:0]
		a.stored = 0
		a.pending.Store(0)
		a.db = db
		old.Close()
	})
}

// BGRewriteAOF starts rewriting every instance's file, one after another,
// in the background. It reports false when a rewrite is already running.
// A snapshot in progress does not delay it: jobs take turns per instance.
func (e *Engine) BGRewriteAOF() (started bool, err error) {
	p := e.persist
	if p == nil || !p.aofOn {
		return false, errAOFOff
	}
	if !p.rewriting.CompareAndSwap(false, true) {
		return false, nil
	}
	go p.rewriteAll(nil)
	return true, nil
}

var errAOFOff = errors.New("storage: appendonly is off")

// rewriteAll rewrites the instances in ids (nil: all), one at a time.
// p.rewriting is held (set) by the caller.
func (p *persister) rewriteAll(ids []int) {
	p.e.jobs.begin()
	defer p.e.jobs.end()
	for {
		p.rwStats.inProgress.Store(true)
		p.rwStats.scheduled.Store(false)
		start := time.Now()
		p.rwStats.currentFrom.Store(start.UnixNano())
		failed := false
		list := ids
		if list == nil {
			list = make([]int, len(p.files))
			for i := range list {
				list[i] = i
			}
		}
		for _, id := range list {
			p.rwStats.instance.Store(int64(id))
			p.rwMu.Lock()
			if p.closed.Load() {
				p.rwMu.Unlock()
				break
			}
			err := p.rewriteAOF(id)
			p.rwMu.Unlock()
			if err != nil {
				failed = true
				p.log.Warn("append only file rewrite failed", "instance", id, "err", err)
			}
		}
		p.rwStats.instance.Store(-1)
		p.rwStats.lastStatus.Store(failed)
		p.rwStats.lastSecs.Store(int64(time.Since(start).Seconds()))
		p.rwStats.currentFrom.Store(0)
		p.rwStats.rewrites.Add(1)
		p.rwStats.inProgress.Store(false)
		p.log.Info("background append only file rewriting finished", "instances", len(list),
			"ms", time.Since(start).Milliseconds(), "ok", !failed)
		if !p.rewriteQueued.Swap(false) {
			break
		}
		ids = nil
	}
	p.rewriting.Store(false)
}

// maybeAutoRewrite starts a rewrite of the instances whose file grew past
// auto-aof-rewrite-percentage of its base size (and auto-aof-rewrite-min-size).
func (p *persister) maybeAutoRewrite() {
	if !p.aofOn || p.rewriting.Load() {
		return
	}
	pct := p.cfg.AutoRewritePercentage()
	if pct <= 0 {
		return
	}
	min := p.cfg.AutoRewriteMinSize()
	var ids []int
	for _, a := range p.files {
		size := a.sizeA.Load()
		a.fileMu.Lock()
		base := a.baseSz
		a.fileMu.Unlock()
		if base <= 0 {
			base = 1
		}
		if size >= min && (size-base)*100/base >= int64(pct) {
			ids = append(ids, a.id)
		}
	}
	if len(ids) == 0 || !p.rewriting.CompareAndSwap(false, true) {
		return
	}
	go p.rewriteAll(ids)
}
