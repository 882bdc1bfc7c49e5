package storage

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// OpenPersistence loads every instance from its files and starts the
// syncer. It must be called once, after NewEngine and before the engine
// serves any command. With appendonly yes an instance loads its AOF (or,
// when it has none yet, its snapshot, after which every AOF is written
// from memory so it is complete); otherwise its snapshot.
func (e *Engine) OpenPersistence(cfg PersistConfig) error {
	if e.persist != nil {
		return errors.New("storage: persistence already open")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.AppendFilename == "" {
		cfg.AppendFilename = "appendonly.aof"
	}
	if cfg.AppendDirname == "" {
		cfg.AppendDirname = "appendonlydir"
	}
	if cfg.DBFilename == "" {
		cfg.DBFilename = "dump.rdb"
	}
	if cfg.Fsync == nil {
		cfg.Fsync = func() int { return FsyncEverysec }
	}
	if cfg.AutoRewritePercentage == nil {
		cfg.AutoRewritePercentage = func() int { return 100 }
	}
	if cfg.AutoRewriteMinSize == nil {
		cfg.AutoRewriteMinSize = func() int64 { return 64 << 20 }
	}
	if cfg.LoadTruncated == nil {
		cfg.LoadTruncated = func() bool { return true }
	}
	p := &persister{
		e:     e,
		cfg:   cfg,
		log:   cfg.Logger,
		aofOn: cfg.AppendOnly,
		kinds: propagationKinds(),
		kick:  make(chan struct{}, 1),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	p.syncCond = sync.NewCond(&p.syncMu)
	p.policy.Store(int32(cfg.Fsync()))
	p.rwStats.instance.Store(-1)
	p.lastFsync = time.Now()
	for i := range e.insts {
		p.files = append(p.files, &aofFile{id: i, db: -1, syncer: p})
	}
	if cfg.AppendOnly {
		if err := os.MkdirAll(filepath.Dir(p.aofPath(0)), 0o755); err != nil {
			return fmt.Errorf("storage: create append only directory: %w", err)
		}
	}
	if cfg.AppendOnly {
		if err := p.recoverJournal(); err != nil {
			return err
		}
	}
	start := time.Now()
	needBase, records, err := p.loadAll()
	if err != nil {
		return err
	}
	p.touchAllLoaded(e.now())
	if records > 0 {
		var keys int64
		for _, in := range e.insts {
			keys += in.keys.Load()
		}
		p.loadedKeys = keys
		p.log.Info("DB loaded from disk", "seconds", time.Since(start).Seconds(), "keys", keys, "records", records)
	}
	if cfg.AppendOnly {
		for i := range e.insts {
			a := p.files[i]
			size := int64(0)
			if st, err := os.Stat(p.aofPath(i)); err == nil {
				size = st.Size()
			}
			f, err := p.openAOF(i, size)
			if err != nil {
				return err
			}
			a.path, a.f, a.ino, a.size, a.baseSz = f.path, f.f, f.ino, f.size, f.size
			a.sizeA.Store(f.size)
		}
		// A file written from memory (the snapshot just loaded, or
		// nothing) so the AOF holds everything from here on.
		for _, id := range needBase {
			if err := p.rewriteAOF(id); err != nil {
				return err
			}
		}
		if err := p.openJournal(); err != nil {
			return err
		}
	}
	p.snap.lastSave.Store(time.Now().Unix())
	// Expired and evicted keys are both logged as DEL.
	e.onExpire = chainExpire(p, e.onExpire)
	e.onEvict = chainExpire(p, e.onEvict)
	e.persist = p
	p.refreshHot()
	go p.syncLoop()
	return nil
}

func chainExpire(p *persister, next func(instance, db int, key []byte)) func(instance, db int, key []byte) {
	return func(instance, db int, key []byte) {
		p.logExpired(instance, db, key)
		if next != nil {
			next(instance, db, key)
		}
	}
}

// loadAll loads every instance in parallel. It returns the instances
// that need their AOF written from memory (no AOF file existed).
func (p *persister) loadAll() (needBase []int, records int64, err error) {
	type result struct {
		id      int
		base    bool
		records int64
		err     error
	}
	n := len(p.files)
	res := make([]result, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	p.loading.Store(true)
	defer p.loading.Store(false)
	for id := 0; id < n; id++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(id int) {
			defer func() { <-sem; wg.Done() }()
			r := &res[id]
			r.id = id
			path := p.snapPath(id)
			if p.aofOn {
				if _, err := os.Stat(p.aofPath(id)); err == nil {
					path = p.aofPath(id)
				} else {
					r.base = true
				}
			}
			if _, err := os.Stat(path); err != nil {
				return
			}
			_, r.records, r.err = p.loadFile(id, path, p.cfg.LoadTruncated())
		}(id)
	}
	wg.Wait()
	for _, r := range res {
		if r.err != nil {
			return nil, 0, r.err
		}
		if r.base {
			needBase = append(needBase, r.id)
		}
		records += r.records
	}
	return needBase, records, nil
}

// refreshHot puts the persister on the request path when it has work
// there: an AOF to feed, save rules to count changes for, or a job that
// must see which keys change.
func (p *persister) refreshHot() {
	on := p.aofOn || p.jobActive.Load() > 0 ||
		p.cfg.SaveRules != nil && len(p.cfg.SaveRules()) > 0
	// Stored only on a change: the pointer is read by every command.
	if on && p.e.hot.Load() == nil {
		p.e.hot.Store(p)
	} else if !on && p.e.hot.Load() != nil {
		p.e.hot.Store(nil)
	}
}

// Persisting reports whether persistence is open.
func (e *Engine) Persisting() bool { return e.persist != nil }
