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
// A checkpoint (one syncfs, then starting a new epoch of the journal)
// makes the instance files themselves durable: once a second, when the
// journal passes journalMax, when appendfsync leaves always, at shutdown,
// and before every rewrite creates its new file. Start-up replays the
// journal into the instance files before loading them (recoverJournal):
// a frame whose bytes the file already holds is skipped, one whose bytes
// are missing or different is written back. Frames name a file by its
// inode number, and a frame for a file a rewrite has since replaced is
// skipped: its records are in the new file's image. Because a checkpoint
// precedes every rewrite, the current epoch never holds frames of a file
// whose inode number could have been reused by the current one.
//
// The file is recycled, not truncated: a new epoch writes its number in
// the file header, fdatasyncs it, and writes its frames from
// journalStart over the old ones. Overwriting blocks the file already
// has spares each commit's fdatasync the file-system metadata update an
// append needs (a 400-byte O_DSYNC write measured 140 us in place against
// 190 us appended on the reference machine), and commits are what a
// client under always waits for.
//
// Header (at 0): the magic "SHJRNL01", the epoch (8 bytes), crc32c of
// both (4). Frame: crc32c (4 bytes, of everything after it), epoch (8),
// instance (4), inode (8), offset (8), length (4), then the bytes. The
// replay ends at the first frame that fails its checksum (a torn last
// frame: it was never fdatasynced, so nothing in it was acknowledged) or
// carries another epoch (what an earlier epoch left behind).

const (
	journalMagic      = "SHJRNL01"
	journalFileHeader = len(journalMagic) + 8 + 4
	// journalStart is where frames begin: the header has its own block.
	journalStart = 4096
	journalFrame = 36
	// journalMax is the journal size that forces a checkpoint.
	journalMax = 64 << 20
)

// journalEvery is the longest time between checkpoints (a variable so a
// test can hold checkpoints off).
var journalEvery = time.Second

var crc32c = crc32.MakeTable(crc32.Castagnoli)

type journal struct {
	path string
	// mu orders commits with checkpoints.
	mu       sync.Mutex
	f        *os.File
	epoch    uint64    // guarded by mu; read by frame under roundMu
	end      int64     // where the next frame goes; guarded by mu
	frames   []byte    // the round being built; under roundMu
	lastCkpt time.Time // guarded by mu
	every    time.Duration
}

func (p *persister) journalPath() string {
	return filepath.Join(p.cfg.Dir, p.cfg.AppendDirname, aofStem(p.cfg.AppendFilename)+".journal")
}

// readJournalEpoch is the epoch in the journal file's header, and false
// when there is no valid header (no file, an empty one, a torn header
// write: every one of those means no frame needs replaying).
func readJournalEpoch(b []byte) (uint64, bool) {
	if len(b) < journalFileHeader || string(b[:len(journalMagic)]) != journalMagic {
		return 0, false
	}
	h := b[:journalFileHeader]
	if crc32.Checksum(h[:journalFileHeader-4], crc32c) != binary.LittleEndian.Uint32(h[journalFileHeader-4:]) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(h[len(journalMagic):]), true
}

// openJournal opens (creating) the journal and starts a new epoch:
// recoverJournal has applied what it held.
func (p *persister) openJournal() error {
	path := p.journalPath()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", path, err)
	}
	var h [journalFileHeader]byte
	n, _ := f.ReadAt(h[:], 0)
	epoch, _ := readJournalEpoch(h[:n])
	j := &journal{path: path, f: f, epoch: epoch, lastCkpt: time.Now(), every: journalEvery}
	if err := j.newEpoch(); err != nil {
		f.Close()
		return err
	}
	p.jnl = j
	return nil
}

// newEpoch makes the journal empty: it durably writes a header with the
// next epoch, so every frame in the file now belongs to an earlier one.
// Only once the files hold everything the frames did. j.mu is held, or
// the journal is not yet shared.
func (j *journal) newEpoch() error {
	j.epoch++
	var h [journalFileHeader]byte
	copy(h[:], journalMagic)
	binary.LittleEndian.PutUint64(h[len(journalMagic):], j.epoch)
	binary.LittleEndian.PutUint32(h[journalFileHeader-4:], crc32.Checksum(h[:journalFileHeader-4], crc32c))
	_, err := j.f.WriteAt(h[:], 0)
	if err == nil && j.end > 2*journalMax {
		// One huge round grew the file: give the space back.
		err = j.f.Truncate(journalStart)
	}
	if err == nil {
		err = fdatasync(j.f)
	}
	if err != nil {
		return fmt.Errorf("storage: always journal: %w", err)
	}
	j.end = journalStart
	return nil
}

// frame notes that data was written to a's file at off. The caller is
// the syncer, with a.fileMu held.
func (j *journal) frame(a *aofFile, off int64, data []byte) {
	var h [journalFrame]byte
	binary.LittleEndian.PutUint64(h[4:], j.epoch)
	binary.LittleEndian.PutUint32(h[12:], uint32(a.id))
	binary.LittleEndian.PutUint64(h[16:], a.ino)
	binary.LittleEndian.PutUint64(h[24:], uint64(off))
	binary.LittleEndian.PutUint32(h[32:], uint32(len(data)))
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
	n, err := j.f.WriteAt(j.frames, j.end)
	if err == nil {
		err = fdatasync(j.f)
	}
	if err != nil {
		return fmt.Errorf("storage: always journal: %w", err) // err names the file
	}
	j.end += int64(n)
	j.frames = j.frames[:0]
	return nil
}

// due reports whether a checkpoint is due: when the journal is full, or,
// unless onlyFull, when the last one is j.every old.
// used is how many frame bytes await a checkpoint.
func (j *journal) used() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.end - journalStart
}

func (j *journal) due(now time.Time, onlyFull bool) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	used := j.end - journalStart
	return used > 0 && (used >= journalMax || !onlyFull && now.Sub(j.lastCkpt) >= j.every)
}

// checkpoint makes every instance file durable and empties the journal.
// Every file write it covers was made before it took the journal lock,
// and every frame in the journal describes such a write. roundMu is held,
// so no round is between framing and committing.
func (p *persister) checkpoint() error {
	j := p.jnl
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.end == journalStart {
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
	if err := j.newEpoch(); err != nil {
		return err
	}
	j.lastCkpt = time.Now()
	return nil
}

// checkpointNow is a checkpoint outside a round.
func (p *persister) checkpointNow() error {
	p.roundMu.Lock()
	defer p.roundMu.Unlock()
	return p.checkpoint()
}

// closeJournal checkpoints and closes the journal.
func (p *persister) closeJournal() error {
	if p.jnl == nil {
		return nil
	}
	err := p.checkpointNow()
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

// journalFrames calls fn with each frame of the journal's current epoch,
// in order, until fn fails.
func journalFrames(b []byte, fn func(id int, ino uint64, at int64, data []byte) error) error {
	epoch, ok := readJournalEpoch(b)
	if !ok {
		return nil
	}
	for off := journalStart; off+journalFrame <= len(b); {
		h := b[off : off+journalFrame]
		n := int(binary.LittleEndian.Uint32(h[32:]))
		if n > len(b)-off-journalFrame {
			return nil // torn
		}
		data := b[off+journalFrame : off+journalFrame+n]
		if crc32.Update(crc32.Checksum(h[4:], crc32c), crc32c, data) != binary.LittleEndian.Uint32(h) {
			return nil // torn
		}
		if binary.LittleEndian.Uint64(h[4:]) != epoch {
			return nil // left by an earlier epoch
		}
		off += journalFrame + n
		err := fn(int(binary.LittleEndian.Uint32(h[12:])), binary.LittleEndian.Uint64(h[16:]),
			int64(binary.LittleEndian.Uint64(h[24:])), data)
		if err != nil {
			return err
		}
	}
	return nil
}

// recoverJournal writes back into the instance files what the journal
// holds and they lost (a power failure can lose page-cache writes the
// journal had made durable), fsyncs the files it changed and empties the
// journal. It runs before the files are loaded.
func (p *persister) recoverJournal() error {
	path := p.journalPath()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
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
	err = journalFrames(b, func(id int, ino uint64, at int64, data []byte) error {
		n := len(data)
		if id >= len(p.files) {
			return fmt.Errorf("storage: %s: frame for instance %d, which does not exist", path, id)
		}
		f := files[id]
		if f == nil {
			var err error
			if f, err = os.OpenFile(p.aofPath(id), os.O_RDWR, 0); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					skipped++
					return nil
				}
				return fmt.Errorf("storage: open %s: %w", p.aofPath(id), err)
			}
			files[id] = f
		}
		if fileIno(f) != ino {
			skipped++ // a rewrite replaced that file
			return nil
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
				return nil
			}
		}
		if _, err := f.WriteAt(data, at); err != nil {
			return fmt.Errorf("storage: write %s: %w", f.Name(), err)
		}
		applied++
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("storage: fsync %s: %w", f.Name(), err)
		}
	}
	if applied > 0 {
		p.log.Warn("wrote back append only file records from the always journal", "journal", path, "frames", applied, "already_there", skipped)
	}
	return nil // openJournal starts the next epoch
}
