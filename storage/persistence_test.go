package storage

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shardis/shardis/proxy/wire"
	"github.com/shardis/shardis/router"
)

// pclient drives an engine with persistence the way the proxy does:
// key positions and slots filled in, WaitDurable after each command.
type pclient struct {
	t   testing.TB
	eng *Engine
	db  int
	w   wire.Writer
	ctx Ctx
	own []int
}

type popts struct {
	aof       bool
	fsync     int
	truncOK   bool
	instances int
	save      [][2]int64
}

func openPersist(t testing.TB, dir string, o popts) (*Engine, error) {
	t.Helper()
	if o.instances == 0 {
		o.instances = 4
	}
	rt, err := router.New(router.ModeSlots, o.instances)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := NewEngine(Options{Instances: o.instances, Databases: 16, Router: rt})
	if err != nil {
		t.Fatal(err)
	}
	err = eng.OpenPersistence(PersistConfig{
		Dir: dir, AppendOnly: o.aof,
		Fsync:              func() int { return o.fsync },
		LoadTruncated:      func() bool { return o.truncOK },
		AutoRewriteMinSize: func() int64 { return 1 << 40 },
		SaveRules:          func() [][2]int64 { return o.save },
		Logger:             slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	return eng, err
}

func mustOpen(t testing.TB, dir string, o popts) *Engine {
	t.Helper()
	eng, err := openPersist(t, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		eng.ClosePersistence()
		// Leave later tests (which time lock holds) a clean heap.
		runtime.GC()
	})
	return eng
}

func (c *pclient) do(args ...string) string {
	c.t.Helper()
	b := byteArgs(args)
	if strings.EqualFold(args[0], "select") {
		fmt.Sscan(args[1], &c.db)
		return "+OK\r\n"
	}
	cmd := router.Lookup(b[0])
	if cmd != nil && cmd.Subcommands != nil && len(b) > 1 {
		cmd = cmd.Sub(b[1])
	}
	h, global := c.eng.Handler(cmd)
	c.w.Reset()
	c.ctx.W, c.ctx.Args, c.ctx.Cmd = &c.w, b, cmd
	table := c.eng.Router().Table()
	if global {
		c.ctx.KeyPos, c.ctx.KeySlots = c.ctx.KeyPos[:0], c.ctx.KeySlots[:0]
		c.eng.RunGlobal(&c.ctx, h, table, c.db)
	} else {
		c.ctx.KeyPos = cmd.KeyPositions(b, c.ctx.KeyPos[:0])
		c.ctx.KeySlots, c.own = c.ctx.KeySlots[:0], c.own[:0]
		for _, p := range c.ctx.KeyPos {
			s := router.Slot(b[p])
			c.ctx.KeySlots = append(c.ctx.KeySlots, s)
			c.own = table.AppendOwners(c.own, s)
		}
		c.eng.Run(&c.ctx, h, table, c.db, c.own)
	}
	c.eng.WaitDurable(c.ctx.Logged)
	c.ctx.Logged = 0
	return string(c.w.B)
}

// dumpAll is every key of every database with its deadline and DUMP
// payload, sorted: two engines hold the same data when these are equal.
func dumpAll(t testing.TB, eng *Engine) []string {
	var out []string
	eng.Locked(func() {
		for _, in := range eng.insts {
			for db := range in.dbs {
				d := &in.dbs[db]
				for slot := 0; slot < router.SlotCount; slot++ {
					d.EachInSlot(slot, func(k string, v *Value) bool {
						p, err := dumpPayload(v)
						if err != nil {
							t.Fatal(err)
						}
						out = append(out, fmt.Sprintf("%d %q %d %x", db, k, v.expireAt, p))
						return true
					})
				}
			}
		}
	})
	sort.Strings(out)
	return out
}

func sameData(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("data after reload differs:\ngot  %d keys %v\nwant %d keys %v", len(got), head(got), len(want), head(want))
	}
}

func head(s []string) []string {
	if len(s) > 8 {
		return s[:8]
	}
	return s
}

// workload runs commands of every propagation kind.
var workload = [][]string{
	{"SET", "s1", "v1"}, {"SET", "s2", "v2", "EX", "1000"}, {"SETEX", "s3", "100", "x"},
	{"INCR", "n"}, {"INCRBY", "n", "41"}, {"INCRBYFLOAT", "f", "1.5"}, {"APPEND", "s1", "more"},
	{"SET", "s1", "nx-fails", "NX"}, {"DEL", "missing"},
	{"EXPIRE", "s1", "500"}, {"PERSIST", "s1"}, {"PEXPIRE", "n", "100000"},
	{"MSET", "a", "1", "b", "2", "c", "3", "d", "4"}, {"RENAME", "a", "z"}, {"COPY", "b", "bcopy"},
	{"RPUSH", "l", "1", "2", "3", "4"}, {"LPOP", "l"}, {"LMOVE", "l", "l2", "LEFT", "RIGHT"},
	{"SADD", "set", "a", "b", "c", "d", "e"}, {"SPOP", "set"}, {"SPOP", "set", "2"}, {"SMOVE", "set", "set2", "a"},
	{"HSET", "h", "f", "v", "g", "w"}, {"HINCRBY", "h", "n", "3"}, {"HDEL", "h", "f"},
	{"ZADD", "zs", "1", "a", "2", "b", "3", "c"}, {"ZINCRBY", "zs", "5", "a"}, {"ZPOPMIN", "zs"},
	{"ZUNIONSTORE", "zu", "2", "zs", "zs"},
	{"XADD", "st", "*", "f", "v"}, {"XADD", "st", "MAXLEN", "~", "100", "*", "g", "w"}, {"XADD", "st", "5-*", "h", "x"},
	{"XGROUP", "CREATE", "st", "grp", "0"}, {"XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "st", ">"},
	{"PFADD", "hll", "a", "b", "c"}, {"SETBIT", "bits", "7", "1"}, {"GEOADD", "geo", "13.36", "38.11", "palermo"},
	{"SELECT", "3"}, {"SET", "in3", "v"}, {"MOVE", "in3", "4"}, {"SET", "in3b", "w"}, {"SELECT", "0"},
	{"SWAPDB", "3", "4"}, {"SWAPDB", "0", "6"}, {"SET", "in6", "v", "EX", "900"}, {"SWAPDB", "6", "0"},
	{"COPY", "s1", "s1in5", "DB", "5"},
	{"SORT", "l2", "STORE", "sorted"},
	{"BLPOP", "l2", "0"},
	{"GETEX", "s1", "PX", "99999"}, {"GETDEL", "c"},
	{"RESTORE", "r1", "0", "\x00\x01x\n\x00\x8b\xb4\x8a\xcc\x9c\xe5\xc1\x17"},
	{"SET", "del-me", "x"}, {"UNLINK", "del-me", "b"},
}

func TestAOFReplayRestoresEverything(t *testing.T) {
	for _, fsync := range []int{FsyncAlways, FsyncEverysec, FsyncNo} {
		t.Run(fmt.Sprint(fsync), func(t *testing.T) {
			dir := t.TempDir()
			eng := mustOpen(t, dir, popts{aof: true, fsync: fsync})
			c := &pclient{t: t, eng: eng}
			for _, cmd := range workload {
				c.do(cmd...)
			}
			want := dumpAll(t, eng)
			if err := eng.ClosePersistence(); err != nil {
				t.Fatal(err)
			}
			again := mustOpen(t, dir, popts{aof: true, fsync: fsync})
			sameData(t, dumpAll(t, again), want)
		})
	}
}

func TestAOFNotLoggedWhenNothingRan(t *testing.T) {
	dir := t.TempDir()
	eng := mustOpen(t, dir, popts{aof: true, fsync: FsyncAlways})
	c := &pclient{t: t, eng: eng}
	c.do("SET", "k", "v")
	c.do("GET", "k")
	c.do("LPUSH", "k", "x") // WRONGTYPE: not logged
	c.do("BLPOP", "nolist", "0")
	eng.ClosePersistence()
	var all []byte
	files, _ := filepath.Glob(filepath.Join(dir, "appendonlydir", "*.aof"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		all = append(all, b...)
	}
	for _, bad := range []string{"LPUSH", "BLPOP", "GET"} {
		if strings.Contains(string(all), "$"+fmt.Sprint(len(bad))+"\r\n"+bad+"\r\n") {
			t.Errorf("%s was logged:\n%q", bad, all)
		}
	}
}

// aofFiles lists the instance files with data.
func aofWithData(t *testing.T, dir string) string {
	files, _ := filepath.Glob(filepath.Join(dir, "appendonlydir", "*.aof"))
	for _, f := range files {
		if st, _ := os.Stat(f); st.Size() > 0 {
			return f
		}
	}
	t.Fatal("no aof file with data")
	return ""
}

func TestAOFTornTail(t *testing.T) {
	dir := t.TempDir()
	eng := mustOpen(t, dir, popts{aof: true, fsync: FsyncAlways, instances: 1})
	c := &pclient{t: t, eng: eng}
	c.do("SET", "a", "1")
	c.do("SET", "b", "2")
	eng.ClosePersistence()
	f := aofWithData(t, dir)
	st, _ := os.Stat(f)
	good := st.Size()
	// A crash in the middle of writing a record.
	fh, _ := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0)
	fh.WriteString("*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nhal")
	fh.Close()

	_, err := openPersist(t, dir, popts{aof: true, instances: 1, truncOK: false})
	var trunc *ErrTruncated
	if !errors.As(err, &trunc) || trunc.Off != good || trunc.Path != f {
		t.Fatalf("aof-load-truncated no: err = %v, want truncated at %d of %s", err, good, f)
	}
	eng2 := mustOpen(t, dir, popts{aof: true, instances: 1, truncOK: true})
	c2 := &pclient{t: t, eng: eng2}
	if got := c2.do("MGET", "a", "b", "c"); got != "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n" {
		t.Fatalf("after truncated load MGET = %q", got)
	}
	if st, _ := os.Stat(f); st.Size() != good {
		t.Fatalf("file is %d bytes after load, want truncated to %d", st.Size(), good)
	}
	// Appends continue after the cut.
	c2.do("SET", "c", "3")
	eng2.ClosePersistence()
	eng3 := mustOpen(t, dir, popts{aof: true, instances: 1})
	if got := (&pclient{t: t, eng: eng3}).do("GET", "c"); got != "$1\r\n3\r\n" {
		t.Fatalf("GET c = %q", got)
	}
}

func TestAOFCorruptionStopsStart(t *testing.T) {
	dir := t.TempDir()
	eng := mustOpen(t, dir, popts{aof: true, fsync: FsyncAlways, instances: 1})
	c := &pclient{t: t, eng: eng}
	c.do("SET", "a", "1")
	eng.ClosePersistence()
	f := aofWithData(t, dir)
	st, _ := os.Stat(f)
	fh, _ := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0)
	fh.WriteString("garbage\r\n*1\r\n$4\r\nPING\r\n")
	fh.Close()
	for _, truncOK := range []bool{true, false} {
		_, err := openPersist(t, dir, popts{aof: true, instances: 1, truncOK: truncOK})
		var bad *ErrCorrupt
		if !errors.As(err, &bad) || bad.Off != st.Size() || bad.Path != f {
			t.Fatalf("truncOK=%v: err = %v, want corrupt at %d of %s", truncOK, err, st.Size(), f)
		}
		if !strings.Contains(err.Error(), f) || !strings.Contains(err.Error(), fmt.Sprint(st.Size())) {
			t.Fatalf("message %q does not name file and offset", err)
		}
	}
}

// TestAOFRewriteRacingWrites rewrites every instance again and again
// while clients INCR counters and push to lists; after a reload every
// acknowledged write is there exactly once.
func TestAOFRewriteRacingWrites(t *testing.T) {
	dir := t.TempDir()
	defer func(b int) { imageBatch = b }(imageBatch)
	imageBatch = 4 << 10 // many lock holds per rewrite
	eng := mustOpen(t, dir, popts{aof: true, fsync: FsyncNo})
	// Enough keys that a rewrite takes several batches.
	c0 := &pclient{t: t, eng: eng}
	for i := 0; i < 3000; i++ {
		c0.do("SET", fmt.Sprintf("filler:%d", i), strings.Repeat("x", 200))
	}
	const workers = 4
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var rewrites atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			started, _ := eng.BGRewriteAOF()
			for eng.persist.rewriting.Load() {
				runtimeGosched()
			}
			if started {
				rewrites.Add(1)
			}
		}
	}()
	var cw sync.WaitGroup
	ops := make([]int, workers)
	for w := 0; w < workers; w++ {
		cw.Add(1)
		go func(w int) {
			defer cw.Done()
			c := &pclient{t: t, eng: eng}
			for i := 0; i < 1000 || rewrites.Load() < 4; i++ {
				ops[w] = i + 1
				c.do("INCR", fmt.Sprintf("cnt:%d", w))
				c.do("RPUSH", fmt.Sprintf("list:%d", w), fmt.Sprint(i))
				if i%10 == 0 {
					c.do("DEL", fmt.Sprintf("filler:%d", (w*1000+i)%3000))
				}
			}
		}(w)
	}
	cw.Wait()
	close(stop)
	wg.Wait()
	if rewrites.Load() < 4 {
		t.Fatalf("only %d rewrites ran during the writes", rewrites.Load())
	}
	want := dumpAll(t, eng)
	eng.ClosePersistence()
	again := mustOpen(t, dir, popts{aof: true})
	sameData(t, dumpAll(t, again), want)
	c := &pclient{t: t, eng: again}
	for w := 0; w < workers; w++ {
		if got := c.do("GET", fmt.Sprintf("cnt:%d", w)); got != rBulk(fmt.Sprint(ops[w])) {
			t.Fatalf("cnt:%d = %q after %d rewrites, want %d", w, got, rewrites.Load(), ops[w])
		}
		if got := c.do("LLEN", fmt.Sprintf("list:%d", w)); got != rInt(int64(ops[w])) {
			t.Fatalf("list:%d has %q", w, got)
		}
	}
	t.Logf("%d rewrites raced with %v writes", rewrites.Load(), ops)
}

func TestAOFRewriteShrinks(t *testing.T) {
	dir := t.TempDir()
	eng := mustOpen(t, dir, popts{aof: true, fsync: FsyncAlways, instances: 1})
	c := &pclient{t: t, eng: eng}
	for i := 0; i < 1000; i++ {
		c.do("INCR", "n")
	}
	// Under always the journal holds the records until a checkpoint
	// hands them to the file.
	if err := eng.persist.checkpointNow(); err != nil {
		t.Fatal(err)
	}
	f := aofWithData(t, dir)
	before, _ := os.Stat(f)
	if started, err := eng.BGRewriteAOF(); !started || err != nil {
		t.Fatalf("BGREWRITEAOF: %v %v", started, err)
	}
	for eng.persist.rewriting.Load() {
		runtimeGosched()
	}
	after, _ := os.Stat(f)
	if after.Size() >= before.Size()/10 {
		t.Fatalf("rewrite left %d bytes of %d", after.Size(), before.Size())
	}
	c.do("INCR", "n")
	eng.ClosePersistence()
	again := mustOpen(t, dir, popts{aof: true, instances: 1})
	if got := (&pclient{t: t, eng: again}).do("GET", "n"); got != rBulk("1001") {
		t.Fatalf("GET n = %q", got)
	}
}

// TestAOFWriteErrorMISCONF: while the file cannot be written, writes get
// Redis's MISCONF and reads are served; once it can, the buffered writes
// reach the file and nothing acknowledged is lost.
func TestAOFWriteErrorMISCONF(t *testing.T) {
	dir := t.TempDir()
	eng := mustOpen(t, dir, popts{aof: true, fsync: FsyncEverysec, instances: 2})
	c := &pclient{t: t, eng: eng}
	c.do("SET", "before", "1")
	fail := func(int) error { return &os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC} }
	writeFault.Store(&fail)
	t.Cleanup(func() { writeFault.Store(nil) })
	c.do("SET", "during", "acked")
	waitFor(t, "the write error", func() bool { return eng.WriteError() != nil })
	want := "-MISCONF Errors writing to the AOF file: No space left on device\r\n"
	if got := c.do("SET", "refused", "x"); got != want {
		t.Fatalf("SET while the disk is full = %q, want %q", got, want)
	}
	if got := c.do("GET", "before"); got != rBulk("1") {
		t.Fatalf("GET while the disk is full = %q", got)
	}
	info := fieldsOf(eng.PersistenceInfo())
	if info["aof_last_write_status"] != "err" {
		t.Fatalf("aof_last_write_status = %q", info["aof_last_write_status"])
	}
	writeFault.Store(nil)
	waitFor(t, "recovery", func() bool { return eng.WriteError() == nil })
	if got := c.do("SET", "after", "y"); got != rOK {
		t.Fatalf("SET after recovery = %q", got)
	}
	eng.ClosePersistence()
	again := mustOpen(t, dir, popts{aof: true, instances: 2})
	if got := (&pclient{t: t, eng: again}).do("MGET", "before", "during", "refused", "after"); got != rArr(rBulk("1"), rBulk("acked"), "$-1\r\n", rBulk("y")) {
		t.Fatalf("after reload MGET = %q", got)
	}
}

func fieldsOf(f []InfoField) map[string]string {
	m := map[string]string{}
	for _, x := range f {
		m[x.Name] = x.Value
	}
	return m
}

// savedWorkload opens an engine without AOF in a new directory, runs the
// workload on it and SAVEs.
func savedWorkload(t *testing.T) (string, *Engine, *pclient) {
	t.Helper()
	dir := t.TempDir()
	eng := mustOpen(t, dir, popts{})
	c := &pclient{t: t, eng: eng}
	for _, cmd := range workload {
		c.do(cmd...)
	}
	if got := c.do("SAVE"); got != rOK {
		t.Fatalf("SAVE = %q", got)
	}
	return dir, eng, c
}

func TestSnapshotSaveAndLoad(t *testing.T) {
	dir, eng, c := savedWorkload(t)
	want := dumpAll(t, eng)
	c.do("SET", "after-save", "lost")
	if got := c.do("LASTSAVE"); got == ":0\r\n" {
		t.Fatalf("LASTSAVE = %q", got)
	}
	eng.ClosePersistence()
	again := mustOpen(t, dir, popts{})
	sameData(t, dumpAll(t, again), want)

	// With AOF on and no AOF yet, the snapshot is loaded and becomes the AOF.
	eng3 := mustOpen(t, dir, popts{aof: true, fsync: FsyncAlways})
	sameData(t, dumpAll(t, eng3), want)
	eng3.ClosePersistence()
	eng4 := mustOpen(t, dir, popts{aof: true})
	sameData(t, dumpAll(t, eng4), want)
}

// TestFailedSaveKeepsPreviousSnapshot: the instances' new images replace
// the old ones together, after all are written, so a SAVE that fails part
// way (here instance 3's image cannot be created) changes no snapshot file
// and leaves no temporary file behind.
func TestFailedSaveKeepsPreviousSnapshot(t *testing.T) {
	dir, eng, c := savedWorkload(t)
	before := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.snap"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		before[f] = string(b)
	}
	if len(before) != len(eng.insts) {
		t.Fatalf("%d snapshot files for %d instances", len(before), len(eng.insts))
	}
	c.do("FLUSHALL")
	c.do("SET", "new", "value")
	blocker := eng.persist.snapPath(3) + ".tmp"
	if err := os.Mkdir(blocker, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := c.do("SAVE"); !strings.HasPrefix(got, "-ERR ") {
		t.Fatalf("SAVE with instance 3 unwritable = %q", got)
	}
	for f, want := range before {
		if b, _ := os.ReadFile(f); string(b) != want {
			t.Errorf("%s changed by the failed SAVE", filepath.Base(f))
		}
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	if len(tmps) != 1 || tmps[0] != blocker {
		t.Errorf("temporary files after the failed SAVE: %q", tmps)
	}
}

func TestSaveRulesTriggerBgsave(t *testing.T) {
	dir := t.TempDir()
	eng := mustOpen(t, dir, popts{save: [][2]int64{{0, 3}}})
	c := &pclient{t: t, eng: eng}
	c.do("SET", "a", "1")
	c.do("SET", "b", "1")
	time.Sleep(300 * time.Millisecond)
	if eng.persist.snap.saves.Load() != 0 {
		t.Fatal("saved before 3 changes")
	}
	c.do("SET", "c", "1")
	if n := fieldsOf(eng.PersistenceInfo())["rdb_changes_since_last_save"]; n != "3" {
		t.Fatalf("rdb_changes_since_last_save = %s", n)
	}
	waitFor(t, "a save", func() bool { return eng.persist.snap.saves.Load() == 1 })
	if n := fieldsOf(eng.PersistenceInfo())["rdb_changes_since_last_save"]; n != "0" {
		t.Fatalf("rdb_changes_since_last_save after save = %s", n)
	}
}

func runtimeGosched() { time.Sleep(time.Millisecond) }

// waitFor polls cond for up to 5 s: the syncer works on its own ticks.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestSyncerSleepsWhenQuiet checks that the syncer stops ticking once
// nothing is left to write or fsync, under every policy, and that the
// first record then wakes it: with its quiet tick an hour long, only that
// wake-up gets the record into the file.
func TestSyncerSleepsWhenQuiet(t *testing.T) {
	old := quietTick
	t.Cleanup(func() { quietTick = old })
	quietTick = time.Hour
	for _, name := range []string{"always", "everysec", "no"} {
		policy, _ := ParseFsync(name)
		t.Run(name, func(t *testing.T) {
			eng := mustOpen(t, t.TempDir(), popts{aof: true, fsync: policy})
			p := eng.persist
			c := &pclient{t: t, eng: eng}
			for round := range 3 {
				waitFor(t, "the syncer to go quiet", p.idle.Load)
				key := "k" + itoa(round)
				a := p.files[eng.Router().Table().OwnerOf([]byte(key))]
				before := a.sizeA.Load()
				c.do("set", key, "v")
				if p.idle.Load() {
					t.Fatalf("round %d: the syncer is still marked idle after a record", round)
				}
				waitFor(t, "the record to reach the file", func() bool { return a.sizeA.Load() > before })
			}
		})
	}
}

func TestAOFAutoRewrite(t *testing.T) {
	dir := t.TempDir()
	rt, _ := router.New(router.ModeSlots, 2)
	eng, _ := NewEngine(Options{Instances: 2, Databases: 16, Router: rt})
	err := eng.OpenPersistence(PersistConfig{Dir: dir, AppendOnly: true,
		Fsync:                 func() int { return FsyncNo },
		AutoRewritePercentage: func() int { return 100 },
		AutoRewriteMinSize:    func() int64 { return 4 << 10 },
		Logger:                slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.ClosePersistence()
	c := &pclient{t: t, eng: eng}
	for i := 0; i < 2000; i++ {
		c.do("INCR", "counter")
	}
	// A slow machine may rewrite part way through the INCRs and again
	// after them: what must hold is that the files end up compacted.
	compacted := func() bool {
		if eng.persist.rwStats.rewrites.Load() == 0 || eng.persist.rewriting.Load() {
			return false
		}
		for _, st := range eng.PersistenceState() {
			if st.AOFSize > 4<<10 {
				return false
			}
		}
		return true
	}
	waitFor(t, "automatic rewrites to bring every file under 4 KiB", compacted)
	eng.ClosePersistence()
	again := mustOpen(t, dir, popts{aof: true, instances: 2})
	if got := (&pclient{t: t, eng: again}).do("GET", "counter"); got != rBulk("2000") {
		t.Fatalf("GET counter = %q", got)
	}
}

// TestAOFLogMove: a key moved between instances (slot migration) is a
// DEL in the source's file and its full state, deadline included, in the
// destination's; a rewrite racing with the move keeps it too.
func TestAOFLogMove(t *testing.T) {
	dir := t.TempDir()
	eng := mustOpen(t, dir, popts{aof: true, fsync: FsyncAlways, instances: 2})
	c := &pclient{t: t, eng: eng}
	c.do("SET", "mover", "v", "PX", "100000000")
	slot := router.Slot([]byte("mover"))
	src := eng.Router().Table().Owner(slot)
	dst := 1 - src
	var deadline int64
	eng.Locked(func() {
		v := eng.insts[src].dbs[0].remove(slot, []byte("mover"))
		deadline = v.expireAt
		eng.insts[dst].dbs[0].put(slot, []byte("mover"), v)
		eng.aofLogMove(src, dst, 0, "mover", v)
	})
	eng.ClosePersistence()
	read := func(id int) string {
		b, _ := os.ReadFile(eng.persist.aofPath(id))
		return string(b)
	}
	if s := read(src); !strings.HasSuffix(s, "$3\r\nDEL\r\n$5\r\nmover\r\n") {
		t.Fatalf("source file does not end with DEL mover:\n%q", s)
	}
	if s := read(dst); !strings.Contains(s, "RESTORE\r\n$5\r\nmover\r\n$"+fmt.Sprint(len(fmt.Sprint(deadline)))+"\r\n"+fmt.Sprint(deadline)+"\r\n") {
		t.Fatalf("destination file lacks the key's state with its deadline:\n%q", s)
	}
}

// BenchmarkAOFSet is SET over 100,000 keys with the AOF off, everysec and
// always (one client: always pays one fsync round per command here).
func BenchmarkAOFSet(b *testing.B) {
	for _, mode := range []struct {
		name  string
		aof   bool
		fsync int
	}{{"off", false, 0}, {"everysec", true, FsyncEverysec}, {"no", true, FsyncNo}} {
		b.Run(mode.name, func(b *testing.B) {
			eng := mustOpen(b, b.TempDir(), popts{aof: mode.aof, fsync: mode.fsync, instances: 64})
			c := &pclient{t: b, eng: eng}
			keys := make([]string, 100000)
			for i := range keys {
				keys[i] = fmt.Sprint("key:", i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.do("SET", keys[i%len(keys)], "value")
			}
		})
	}
}

// TestRawEncodes: the client's bytes are logged only when they are the
// encoding of Args, parsed from them in place; anything else is encoded.
func TestRawEncodes(t *testing.T) {
	raw := []byte("*3\r\n$3\r\nset\r\n$1\r\nk\r\n$0\r\n\r\n")
	parsed := [][]byte{raw[8:11], raw[17:18], raw[24:24]}
	tests := []struct {
		name string
		raw  []byte
		args [][]byte
		want bool
	}{
		{"parsed in place", raw, parsed, true},
		{"args copied elsewhere", raw, [][]byte{[]byte("set"), []byte("k"), {}}, false},
		{"args of a shorter command", raw, parsed[:2], false},
		{"no raw", nil, parsed, false},
		{"raw cut short", raw[:len(raw)-1], parsed, false},
	}
	for _, tt := range tests {
		if got := rawEncodes(tt.raw, tt.args); got != tt.want {
			t.Errorf("%s: rawEncodes = %v, want %v", tt.name, got, tt.want)
		}
		if tt.want {
			if enc := appendArgs(nil, tt.args...); string(enc) != string(tt.raw) {
				t.Errorf("%s: encoding %q differs from raw %q", tt.name, enc, tt.raw)
			}
		}
	}
}
