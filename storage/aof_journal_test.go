package storage

import (
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
		if st, err := os.Stat(p.journalPath()); err != nil || st.Size() != 0 {
			t.Fatalf("cycle %d: journal after start-up: %v, %v; want empty", cycle, st, err)
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
		if st, err := os.Stat(p.journalPath()); err != nil || st.Size() == 0 {
			t.Fatalf("cycle %d: journal after acknowledged writes: %v, %v", cycle, st, err)
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
	// A frame header promising more bytes than follow.
	if err := os.WriteFile(path, append(make([]byte, journalHeader-4), 0xff, 0xff, 0, 0, 'x'), 0o644); err != nil {
		t.Fatal(err)
	}
	again := mustOpen(t, dir, popts{aof: true, fsync: FsyncAlways})
	sameData(t, dumpAll(t, again), want)
}
