package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/shardis/shardis/router"
)

// Routing state on disk. With persistence on, every published table and
// every migration state change rewrites dir/routing.json (a temporary
// file, fsync, rename, so a crash leaves the old or the new file, never a
// torn one). A restart loads it before serving: keys are served from
// where the table says they live, slots that were migrating are migrating
// again (a migrating slot is correct with its keys on either owner), and
// unfinished migrations resume.

// keepFinished is how many finished migrations the routing state keeps.
const keepFinished = 100

// RoutingFile is the name of the routing state file in the data directory.
const RoutingFile = "routing.json"

type routingState struct {
	Instances  int               `json:"instances"`
	Version    uint64            `json:"table_version"`
	Owners     []ownerRange      `json:"owners"`
	Migrating  [][2]int          `json:"migrating"` // [slot, target]
	NextID     int64             `json:"next_migration_id"`
	Paused     bool              `json:"paused"`
	Throttle   Throttle          `json:"throttle"`
	Migrations []migrationRecord `json:"migrations"`
	Removing   []int             `json:"removing,omitempty"`
}

type ownerRange struct {
	Start    int `json:"start"`
	End      int `json:"end"`
	Instance int `json:"instance"`
}

type migrationRecord struct {
	MigrationInfo
	Next   int  `json:"next"`
	Cancel bool `json:"cancel,omitempty"`
}

// Open turns persistence of the routing state on, in dir, and loads what
// an earlier run left there: call it before serving (and before loading
// data that is placed by the table). An empty dir leaves persistence off.
func (m *Migrator) Open(dir string) error {
	if dir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, RoutingFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		m.mu.Lock()
		defer m.mu.Unlock()
		m.dir = dir
		return m.writeLocked()
	case err != nil:
		return fmt.Errorf("storage: routing state: %w", err)
	}
	var st routingState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("storage: routing state %s: %w", RoutingFile, err)
	}
	if st.Instances > len(m.e.insts) {
		return fmt.Errorf("storage: routing state spans %d instances, engine has %d (raise max-instances)",
			st.Instances, len(m.e.insts))
	}
	owners := make([]int, router.SlotCount)
	covered := 0
	for _, r := range st.Owners {
		if r.Start < 0 || r.End >= router.SlotCount || r.Start > r.End {
			return fmt.Errorf("storage: routing state: bad slot range %d-%d", r.Start, r.End)
		}
		for s := r.Start; s <= r.End; s++ {
			owners[s] = r.Instance
			covered++
		}
	}
	if covered != router.SlotCount {
		return fmt.Errorf("storage: routing state covers %d slots, want %d", covered, router.SlotCount)
	}
	targets := make(map[int]int, len(st.Migrating))
	for _, p := range st.Migrating {
		targets[p[0]] = p[1]
	}
	t, err := router.FromOwners(st.Instances, owners, targets, st.Version)
	if err != nil {
		return fmt.Errorf("storage: routing state: %w", err)
	}
	m.pubMu.Lock()
	defer m.pubMu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.e.router.Publish(t)
	m.table = t
	m.dir = dir
	m.nextID = max(st.NextID, 1)
	m.paused = st.Paused
	m.throttle = st.Throttle
	m.migs = nil
	clear(m.reserved)
	for _, r := range st.Migrations {
		list, err := expand(r.Slots)
		if err != nil {
			return fmt.Errorf("storage: routing state: migration %d: %w", r.ID, err)
		}
		mg := &migration{MigrationInfo: r.MigrationInfo, slots: list, next: min(r.Next, len(list)), cancel: r.Cancel}
		if mg.Errors == nil {
			mg.Errors = []string{}
		}
		if mg.State == MigrationPending || mg.State == MigrationMigrating {
			for _, s := range list {
				m.reserved[s] = mg.ID
			}
		}
		m.migs = append(m.migs, mg)
		m.nextID = max(m.nextID, mg.ID+1)
	}
	slices.SortFunc(m.migs, func(a, b *migration) int { return int(a.ID - b.ID) })
	m.removing = map[int]bool{}
	for _, id := range st.Removing {
		m.removing[id] = true
	}
	return nil
}

// persistLocked writes the routing state when persistence is on; m.mu is
// held. A failed write is kept for Stats and retried with the next change.
func (m *Migrator) persistLocked() {
	if m.dir == "" {
		return
	}
	if err := m.writeLocked(); err != nil {
		m.persistErr = err.Error()
		return
	}
	m.persistErr = ""
}

func (m *Migrator) writeLocked() error {
	// The newest table: the one being installed, or the router's.
	t := m.e.router.Table()
	if m.table != nil && m.table.Version() > t.Version() {
		t = m.table
	}
	st := routingState{
		Instances: t.Instances(),
		Version:   t.Version(),
		NextID:    m.nextID,
		Paused:    m.paused,
		Throttle:  m.throttle,
		Migrating: [][2]int{},
	}
	for _, r := range t.Ranges() {
		st.Owners = append(st.Owners, ownerRange{Start: r.Start, End: r.End, Instance: r.Instance})
	}
	for s, tg := range t.Targets() {
		st.Migrating = append(st.Migrating, [2]int{s, tg})
	}
	slices.SortFunc(st.Migrating, func(a, b [2]int) int { return a[0] - b[0] })
	// Unfinished migrations, and the latest finished ones for the
	// record: the file is rewritten often, so its size stays bounded.
	finished := 0
	for i := len(m.migs) - 1; i >= 0; i-- {
		mg := m.migs[i]
		if mg.State != MigrationPending && mg.State != MigrationMigrating {
			if finished++; finished > keepFinished {
				continue
			}
		}
		st.Migrations = append(st.Migrations, migrationRecord{MigrationInfo: mg.MigrationInfo, Next: mg.next, Cancel: mg.cancel})
	}
	slices.Reverse(st.Migrations)
	for id := range m.removing {
		st.Removing = append(st.Removing, id)
	}
	slices.Sort(st.Removing)
	b, err := json.Marshal(&st)
	if err != nil {
		return fmt.Errorf("storage: routing state: %w", err)
	}
	return writeFileAtomic(filepath.Join(m.dir, RoutingFile), b)
}

// writeFileAtomic replaces path with data: write a temporary file in the
// same directory, fsync it, rename it over path, fsync the directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("storage: write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
