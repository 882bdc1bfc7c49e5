package storage

import (
	"encoding/binary"
	"os"
	"testing"
	"time"
)

// TestJournalRecoversLostWrites plays power failures under appendfsync
// always: every reply was sent after the journal's fdatasync, but the
// instance files lose everything written since the last checkpoint (the
// page cache). Start-up must write it back from the journal, and the
// next failure after that must be recovered the same way.
func TestJournalRecoversLostWrites(t *testing.T) {
	old := journalEvery
	journalEvery = time.Hour // no checkpoint but the first
	defer func() { journalEvery = old }()

	dir := t.TempDir()
	var want []string
	for cycle := 0; cycle < 3; cycle++ {
		eng := mustOpen(t, dir, popts{aof: true, fsync: FsyncAlways})
		if cycle > 0 {
			sameData(t, dumpAll(t, eng), want)
		}
		p := eng.persist
		if n := journalCount(t, p.journalPath()); n != 0 {
			t.Fatalf("cycle %d: journal after start-up holds %d frames; want none", cycle, n)
		}
		// The sizes the files have durably: start-up ends with them so.
		durable := map[string]int64{}
		for _, a := range p.files {
			a.fileMu.Lock()
			durable[a.path] = a.size
			a.fileMu.Unlock()
		}
		c := &pclient{t: t, eng: eng}
		for _, cmd := range workload {
			c.do(cmd...)
		}
		c.do("INCRBY", "cycles", "1")
		want = dumpAll(t, eng)
		if n := journalCount(t, p.journalPath()); n == 0 {
			t.Fatalf("cycle %d: journal after acknowledged writes holds no frame", cycle)
		}
		// The disk as the failure leaves it: the journal whole, the
		// instance files with what they held durably. The files get the
		// journaled bytes in bulk, so some may have none of them yet; any
		// that got some lose them here. The files are cut in place: frames
		// name a file by its inode, which a copy would change. The engine
		// stays open but idle, as a dead process would.
		for path, size := range durable {
			if err := os.Truncate(path, size); err != nil {
				t.Fatal(err)
			}
		}
	}
	last := mustOpen(t, dir, popts{aof: true, fsync: FsyncAlways})
	sameData(t, dumpAll(t, last), want)
	if got := (&pclient{t: t, eng: last}).do("GET", "cycles"); got != rBulk("3") {
		t.Fatalf("GET cycles = %q after 3 recoveries", got)
	}
}

// TestJournalTornFrameIgnored: a frame cut short (never fdatasynced, so
// never acknowledged) ends the replay without an error.
func TestJournalTornFrameIgnored(t *testing.T) {
	dir := t.TempDir()
	eng := mustOpen(t, dir, popts{aof: true, fsync: FsyncAlways})
	c := &pclient{t: t, eng: eng}
	c.do("SET", "k", "v")
	want := dumpAll(t, eng)
	path := eng.persist.journalPath()
	if err := eng.ClosePersistence(); err != nil {
		t.Fatal(err)
	}
	// The current epoch's first frame header promises more bytes than
	// follow.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b[:journalStart], make([]byte, journalFrame-4)...)
	b = append(b, 0xff, 0xff, 0, 0, 'x')
	epoch, _ := readJournalEpoch(b)
	binary.LittleEndian.PutUint64(b[journalStart+4:], epoch)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	again := mustOpen(t, dir, popts{aof: true, fsync: FsyncAlways})
	sameData(t, dumpAll(t, again), want)
}

// journalCount is how many frames a start-up would replay from path.
func journalCount(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	_ = journalFrames(b, func(int, uint64, int64, []byte) error { n++; return nil })
	return n
}

// TestJournalRecycled: a checkpoint empties the journal by starting a new
// epoch, not by truncating it; the next epoch's frames overwrite the old
// ones in place, and none of the old ones is replayed.
func TestJournalRecycled(t *testing.T) {
	old := journalEvery
	journalEvery = time.Hour
	defer func() { journalEvery = old }()
	eng := mustOpen(t, t.TempDir(), popts{aof: true, fsync: FsyncAlways})
	c := &pclient{t: t, eng: eng}
	p := eng.persist
	for i := range 50 {
		c.do("SET", "k"+itoa(i), "first")
	}
	first := journalCount(t, p.journalPath())
	st, err := os.Stat(p.journalPath())
	if err != nil || first == 0 {
		t.Fatalf("journal after 50 SETs: %d frames, %v", first, err)
	}
	if err := p.checkpointNow(); err != nil {
		t.Fatal(err)
	}
	if n := journalCount(t, p.journalPath()); n != 0 {
		t.Fatalf("%d frames replayable after a checkpoint, want 0", n)
	}
	c.do("SET", "k0", "second")
	if n := journalCount(t, p.journalPath()); n != 1 {
		t.Fatalf("%d frames replayable after one SET, want 1", n)
	}
	if again, err := os.Stat(p.journalPath()); err != nil || again.Size() != st.Size() {
		t.Fatalf("journal size %d after the new epoch's first frame, want %d (overwritten in place)", again.Size(), st.Size())
	}
}
