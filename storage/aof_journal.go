package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// The always journal.
//
// Under appendfsync always a reply waits until its records are on disk.
// Making 64 instance files durable costs one syncfs(2), but its price
// grows with the files it flushes: on the reference machine 0.11 ms for
// one file, 0.4 ms for 8 and 1.6 to 2.4 ms for 64, where Redis pays one
// fdatasync of its one file per event-loop round. So each syncer round
// writes the instance files as before (to the page cache only) and the
// same bytes, framed with where they went, to one journal file, and
// fdatasyncs only the journal: that is when the round's replies go out.
//
// A checkpoint (one syncfs, then truncating the journal) makes the
// instance files themselves durable: once a second, when the journal
// passes journalMax, when appendfsync leaves always, at shutdown, and
// before every rewrite creates its new file. Start-up replays the
// journal into the instance files before loading them (recoverJournal):
// a frame whose bytes the file already holds is skipped, one whose bytes
// are missing or different is written back. Frames name a file by its
// inode number, and a frame for a file a rewrite has since replaced is
// skipped: its records are in the new file's image. Because a checkpoint
// precedes every rewrite, the journal never holds frames of a file whose
// inode number could have been reused by the current one.
//
// Frame: crc32c (4 bytes, of everything after it), instance (4), inode
// (8), offset (8), length (4), then the bytes. A torn last frame fails
// its checksum and ends the replay: it was never fdatasynced, so nothing
// in it was acknowledged.

const (
	journalHeader = 28
	// journalMax is the journal size that forces a checkpoint.
	journalMax = 64 << 20
)

// journalEvery is the longest time between checkpoints (a variable so a
// test can hold checkpoints off).
var journalEvery = time.Second

var crc32c = crc32.MakeTable(crc32.Castagnoli)

type journal struct {
	path string
	// mu orders the syncer's commits with checkpoints from rewrites.
	mu       sync.Mutex
	f        *os.File
	size     int64
	frames   []byte    // the round being built; the syncer's own
	lastCkpt time.Time // guarded by mu
	every    time.Duration
}

func (p *persister) journalPath() string {
	return filepath.Join(p.cfg.Dir, p.cfg.AppendDirname, aofStem(p.cfg.AppendFilename)+".journal")
}

// openJournal opens (creating) the journal, empty: recoverJournal has
// applied what it held.
func (p *persister) openJournal() error {
	path := p.journalPath()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", path, err)
	}
	p.jnl = &journal{path: path, f: f, lastCkpt: time.Now(), every: journalEvery}
	return nil
}

// frame notes that data was written to a's file at off. The caller is
// the syncer, with a.fileMu held.
func (j *journal) frame(a *aofFile, off int64, data []byte) {
	var h [journalHeader]byte
	binary.LittleEndian.PutUint32(h[4:], uint32(a.id))
	binary.LittleEndian.PutUint64(h[8:], a.ino)
	binary.LittleEndian.PutUint64(h[16:], uint64(off))
	binary.LittleEndian.PutUint32(h[24:], uint32(len(data)))
	crc := crc32.Update(crc32.Checksum(h[4:], crc32c), crc32c, data)
	binary.LittleEndian.PutUint32(h[:4], crc)
	j.frames = append(j.frames, h[:]...)
	j.frames = append(j.frames, data...)
}

// commit writes the round's frames and fdatasyncs the journal.
func (j *journal) commit() error {
	if len(j.frames) == 0 {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	n, err := j.f.WriteAt(j.frames, j.size)
	if err == nil {
		err = fdatasync(j.f)
	}
	if err != nil {
		return fmt.Errorf("storage: write %s: %w", j.path, err)
	}
	j.size += int64(n)
	j.frames = j.frames[:0]
	return nil
}

// due reports whether a checkpoint is due.
func (j *journal) due(now time.Time) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.size > 0 && (j.size >= journalMax || now.Sub(j.lastCkpt) >= j.every)
}

// checkpoint makes every instance file durable and empties the journal.
// Every file write it covers was made before it took the journal lock,
// and every frame in the journal describes such a write.
func (p *persister) checkpoint() error {
	j := p.jnl
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.size == 0 {
		j.lastCkpt = time.Now()
		return nil
	}
	// The files first get the bytes only the journal holds so far.
	files := make([]*aofFile, 0, len(p.files))
	for _, a := range p.files {
		a.fileMu.Lock()
		var err error
		if a.f != nil {
			files = append(files, a)
			_, err = p.writeLocked(a, nil, a.gen, false, false)
		}
		a.fileMu.Unlock()
		if err != nil {
			return err
		}
	}
	if len(files) > 0 {
		if err := p.syncAll(files); err != nil {
			return err
		}
	}
	if err := j.f.Truncate(0); err != nil {
		return fmt.Errorf("storage: truncate %s: %w", j.path, err)
	}
	j.size = 0
	j.lastCkpt = time.Now()
	return nil
}

// closeJournal checkpoints and closes the journal.
func (p *persister) closeJournal() error {
	if p.jnl == nil {
		return nil
	}
	err := p.checkpoint()
	if cerr := p.jnl.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// fileIno is f's inode number, the identity frames name a file by.
func fileIno(f *os.File) uint64 {
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return s.Ino
	}
	return 0
}

// recoverJournal writes back into the instance files what the journal
// holds and they lost (a power failure can lose page-cache writes the
// journal had made durable), fsyncs the files it changed and empties the
// journal. It runs before the files are loaded.
func (p *persister) recoverJournal() error {
	path := p.journalPath()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) || err == nil && len(b) == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("storage: read %s: %w", path, err)
	}
	files := map[int]*os.File{}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	applied, skipped := 0, 0
	for off := 0; off+journalHeader <= len(b); {
		h := b[off : off+journalHeader]
		n := int(binary.LittleEndian.Uint32(h[24:]))
		if off+journalHeader+n > len(b) {
			break // torn
		}
		data := b[off+journalHeader : off+journalHeader+n]
		if crc32.Update(crc32.Checksum(h[4:], crc32c), crc32c, data) != binary.LittleEndian.Uint32(h) {
			break // torn
		}
		off += journalHeader + n
		id := int(binary.LittleEndian.Uint32(h[4:]))
		ino := binary.LittleEndian.Uint64(h[8:])
		at := int64(binary.LittleEndian.Uint64(h[16:]))
		if id >= len(p.files) {
			return fmt.Errorf("storage: %s: frame for instance %d, which does not exist", path, id)
		}
		f := files[id]
		if f == nil {
			if f, err = os.OpenFile(p.aofPath(id), os.O_RDWR, 0); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					skipped++
					continue
				}
				return fmt.Errorf("storage: open %s: %w", p.aofPath(id), err)
			}
			files[id] = f
		}
		if fileIno(f) != ino {
			skipped++ // a rewrite replaced that file
			continue
		}
		st, err := f.Stat()
		if err != nil {
			return fmt.Errorf("storage: stat %s: %w", f.Name(), err)
		}
		if st.Size() < at {
			return &ErrCorrupt{Path: f.Name(), Off: st.Size(),
				Msg: fmt.Sprintf("the always journal %s continues it at offset %d", path, at)}
		}
		if st.Size() >= at+int64(n) {
			have := make([]byte, n)
			if _, err := f.ReadAt(have, at); err != nil && err != io.EOF {
				return fmt.Errorf("storage: read %s: %w", f.Name(), err)
			}
			if string(have) == string(data) {
				skipped++
				continue
			}
		}
		if _, err := f.WriteAt(data, at); err != nil {
			return fmt.Errorf("storage: write %s: %w", f.Name(), err)
		}
		applied++
	}
	for _, f := range files {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("storage: fsync %s: %w", f.Name(), err)
		}
	}
	if applied > 0 {
		p.log.Warn("wrote back append only file records from the always journal", "journal", path, "frames", applied, "already_there", skipped)
	}
	return os.Truncate(path, 0)
}
