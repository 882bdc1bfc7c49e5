package storage

import (
	"strconv"
	"time"
)

// InfoField is one "name:value" line of INFO.
type InfoField struct {
	Name, Value string
}

// PersistenceInfo is INFO persistence, with Redis 7.0's field names in
// Redis's order, summed or combined over the instances: sizes are sums,
// a status is "err" when any instance's is.
func (e *Engine) PersistenceInfo() []InfoField {
	p := e.persist
	var out []InfoField
	add := func(name string, v any) {
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case int64:
			s = strconv.FormatInt(x, 10)
		case int:
			s = strconv.Itoa(x)
		case bool:
			s = "0"
			if x {
				s = "1"
			}
		}
		out = append(out, InfoField{name, s})
	}
	status := func(failed bool) string {
		if failed {
			return "err"
		}
		return "ok"
	}
	add("loading", 0)
	add("async_loading", 0)
	add("current_cow_peak", 0)
	add("current_cow_size", 0)
	add("current_cow_size_age", 0)
	add("current_fork_perc", "0.00")
	add("current_save_keys_processed", 0)
	add("current_save_keys_total", 0)
	if p == nil {
		add("rdb_changes_since_last_save", 0)
		add("rdb_bgsave_in_progress", 0)
		add("rdb_last_save_time", 0)
		add("rdb_last_bgsave_status", "ok")
		add("aof_enabled", 0)
		add("aof_rewrite_in_progress", 0)
		add("aof_last_write_status", "ok")
		return out
	}
	s := &p.snap
	add("rdb_changes_since_last_save", p.changesSinceSave())
	add("rdb_bgsave_in_progress", s.inProgress.Load())
	add("rdb_last_save_time", s.lastSave.Load())
	add("rdb_last_bgsave_status", status(s.lastFailed.Load()))
	last := int64(-1)
	if s.saves.Load() > 0 || s.lastFailed.Load() {
		last = s.lastSecs.Load()
	}
	add("rdb_last_bgsave_time_sec", last)
	add("rdb_current_bgsave_time_sec", sinceOr(s.startedAt.Load()))
	add("rdb_saves", s.saves.Load())
	add("rdb_last_cow_size", 0)
	add("rdb_last_load_keys_expired", 0)
	add("rdb_last_load_keys_loaded", p.loadedKeys)
	r := &p.rwStats
	add("aof_enabled", p.aofOn)
	add("aof_rewrite_in_progress", r.inProgress.Load())
	add("aof_rewrite_scheduled", r.scheduled.Load())
	last = -1
	if r.rewrites.Load() > 0 {
		last = r.lastSecs.Load()
	}
	add("aof_last_rewrite_time_sec", last)
	add("aof_current_rewrite_time_sec", sinceOr(r.currentFrom.Load()))
	add("aof_last_bgrewrite_status", status(r.lastStatus.Load()))
	add("aof_rewrites", r.rewrites.Load())
	add("aof_rewrites_consecutive_failures", 0)
	add("aof_last_write_status", status(p.writeErr.Load() != nil))
	add("aof_last_cow_size", 0)
	add("module_fork_in_progress", 0)
	add("module_fork_last_cow_size", 0)
	if p.aofOn {
		var size, base, buffered int64
		for _, st := range e.PersistenceState() {
			size += st.AOFSize
			base += st.AOFBaseSize
			buffered += st.AOFBuffered
		}
		add("aof_current_size", size)
		add("aof_base_size", base)
		add("aof_pending_rewrite", 0)
		add("aof_buffer_length", buffered)
		add("aof_pending_bio_fsync", 0)
		add("aof_delayed_fsync", p.delayedSync.Load())
	}
	return out
}

// sinceOr is the whole seconds since the Unix ns t, -1 when t is 0.
func sinceOr(t int64) int64 {
	if t == 0 {
		return -1
	}
	return int64(time.Since(time.Unix(0, t)).Seconds())
}

// InstancePersistence is one instance's persistence state (admin API).
type InstancePersistence struct {
	ID              int    `json:"id"`
	AOFEnabled      bool   `json:"aof_enabled"`
	AOFFile         string `json:"aof_file,omitempty"`
	AOFSize         int64  `json:"aof_size"`
	AOFBaseSize     int64  `json:"aof_base_size"`
	AOFBuffered     int64  `json:"aof_buffered"`
	AOFLastWriteErr string `json:"aof_last_write_error,omitempty"`
	Rewriting       bool   `json:"aof_rewrite_in_progress"`
	SnapshotFile    string `json:"snapshot_file"`
	Changes         int64  `json:"changes"`
}

// PersistenceState lists every instance's persistence state; nil when
// persistence is not open.
func (e *Engine) PersistenceState() []InstancePersistence {
	p := e.persist
	if p == nil {
		return nil
	}
	out := make([]InstancePersistence, len(p.files))
	rewriting := p.rwStats.instance.Load()
	for i, a := range p.files {
		in := p.e.insts[i]
		in.lock()
		changes := a.dirty
		in.unlock()
		st := InstancePersistence{ID: i, AOFEnabled: p.aofOn, SnapshotFile: p.snapPath(i),
			Changes: changes, Rewriting: rewriting == int64(i)}
		if p.aofOn {
			st.AOFFile = a.path
			st.AOFSize = a.sizeA.Load()
			st.AOFBuffered = a.pending.Load()
			a.fileMu.Lock()
			st.AOFBaseSize = a.baseSz
			if a.lastErr != nil {
				st.AOFLastWriteErr = a.lastErr.Error()
			}
			a.fileMu.Unlock()
		}
		out[i] = st
	}
	return out
}
