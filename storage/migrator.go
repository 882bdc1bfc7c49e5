package storage

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shardis/shardis/router"
)

// MigrationState is where a migration is in its life.
type MigrationState string

const (
	MigrationPending   MigrationState = "pending"
	MigrationMigrating MigrationState = "migrating"
	MigrationDone      MigrationState = "done"
	MigrationFailed    MigrationState = "failed"
	MigrationCancelled MigrationState = "cancelled"
)

// Errors the Migrator returns for requests it refuses; callers (the admin
// API) tell them apart with errors.Is to pick a status.
var (
	ErrMigrationInvalid  = errors.New("storage: invalid migration")
	ErrMigrationConflict = errors.New("storage: migration conflict")
	ErrMigrationNotFound = errors.New("storage: no such migration")
)

// SlotSpan is an inclusive range of slots.
type SlotSpan [2]int

// Throttle bounds how fast the migrator moves data; zero means no bound.
type Throttle struct {
	KeysPerSec  int64 `json:"keys_per_sec"`
	BytesPerSec int64 `json:"bytes_per_sec"`
}

// MigrationInfo is a snapshot of one migration.
type MigrationInfo struct {
	ID     int64          `json:"id"`
	State  MigrationState `json:"state"`
	Target int            `json:"target"`
	Slots  []SlotSpan     `json:"slots"`
	// SlotsTotal counts the requested slots, SlotsDone those finished
	// (moved, or found already on the target).
	SlotsTotal int `json:"slots_total"`
	SlotsDone  int `json:"slots_done"`
	// KeysTotal is the keys the slots held when the migration started;
	// BytesTotal is estimated from the sources' average key size.
	KeysMoved  int64 `json:"keys_moved"`
	KeysTotal  int64 `json:"keys_total"`
	BytesMoved int64 `json:"bytes_moved"`
	BytesTotal int64 `json:"bytes_total"`
	// Rates are averages since the migration started; ETA is from them.
	KeysPerSec  float64   `json:"keys_per_sec"`
	BytesPerSec float64   `json:"bytes_per_sec"`
	ETASeconds  float64   `json:"eta_seconds"`
	Errors      []string  `json:"errors"`
	Created     time.Time `json:"created_at"`
	Started     time.Time `json:"started_at,omitzero"`
	Finished    time.Time `json:"finished_at,omitzero"`
}

// migration is the Migrator's record of one migration; guarded by
// Migrator.mu.
type migration struct {
	MigrationInfo
	slots  []int // expanded, ascending
	next   int   // index in slots of the first slot not finished
	cancel bool
	// movedAtStart lets rates count only this run after a restart.
	startKeys, startBytes int64
}

// MigratorStats are the counters INFO and /metrics show.
type MigratorStats struct {
	Pending, Running int
	Paused           bool
	SlotsMigrating   int
	// KeysMoved and BytesMoved count every key moved since the process
	// started, by the background mover and by commands (Forwarded*).
	KeysMoved, BytesMoved         int64
	ForwardedKeys, ForwardedBytes int64
	Done, Failed, Cancelled       int
}

// Migrator moves slots between instances while commands keep running. It
// keeps a queue of migrations and runs them one at a time, slot group by
// slot group, on a goroutine of its own (Start/Stop). See doc.go,
// "Migration".
type Migrator struct {
	e *Engine

	mu       sync.Mutex
	wake     chan struct{} // one token: something changed
	migs     []*migration  // every migration, by ID
	nextID   int64
	reserved map[int]int64 // slot → ID of the unfinished migration holding it
	paused   bool
	throttle Throttle
	dir      string // persistence directory, "" when off
	// table is the newest table installed (install); the file names it.
	table *router.Table
	// persistErr is the last failed write of the routing state.
	persistErr string
	// removing lists instances being drained for removal: no slot may
	// move to them.
	removing map[int]bool
	pacer    pacer         // the mover goroutine's only
	busy     time.Duration // the mover's work since it last rested
	stop     chan struct{}
	done     chan struct{}
	// pubMu serialises building and publishing tables, so concurrent
	// changes (mover, instance changes) never lose each other's edits.
	pubMu sync.Mutex

	movedKeys, movedBytes         atomic.Int64
	forwardedKeys, forwardedBytes atomic.Int64

	// Tuning, fixed after construction; tests shrink them.
	groupSlots int           // slots marked migrating at once
	batchKeys  int           // keys per lock hold at most
	hold       time.Duration // lock hold per batch at most
}

func newMigrator(e *Engine) *Migrator {
	return &Migrator{
		e:          e,
		wake:       make(chan struct{}, 1),
		reserved:   make(map[int]int64),
		removing:   make(map[int]bool),
		nextID:     1,
		groupSlots: 64,
		batchKeys:  256,
		hold:       200 * time.Microsecond,
	}
}

// Migrator is the engine's slot migrator.
func (e *Engine) Migrator() *Migrator { return e.mig }

func (m *Migrator) countForwarded(bytes int64) {
	m.forwardedKeys.Add(1)
	m.forwardedBytes.Add(bytes)
	m.movedKeys.Add(1)
	m.movedBytes.Add(bytes)
}

func (m *Migrator) signal() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Start runs the mover. It is idempotent.
func (m *Migrator) Start() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stop != nil {
		return
	}
	m.stop, m.done = make(chan struct{}), make(chan struct{})
	go m.loop(m.stop, m.done)
}

// Stop halts the mover between two batches and waits for it. Slots in
// flight stay marked migrating; they are finished by the next Start (also
// after a restart, when persistence is on). Commands stay correct
// meanwhile: a migrating slot is served from both owners.
func (m *Migrator) Stop() {
	m.mu.Lock()
	stop, done := m.stop, m.done
	m.stop, m.done = nil, nil
	m.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	<-done
}

// expand checks and flattens requested slot ranges.
func expand(spans []SlotSpan) ([]int, error) {
	if len(spans) == 0 {
		return nil, fmt.Errorf("%w: no slots given", ErrMigrationInvalid)
	}
	seen := make(map[int]bool)
	var out []int
	for _, r := range spans {
		if r[0] < 0 || r[1] >= router.SlotCount || r[0] > r[1] {
			return nil, fmt.Errorf("%w: slot range [%d, %d] is not within 0..%d with start <= end",
				ErrMigrationInvalid, r[0], r[1], router.SlotCount-1)
		}
		for s := r[0]; s <= r[1]; s++ {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// spans compresses ascending slots into ranges.
func spans(slots []int) []SlotSpan {
	var out []SlotSpan
	for _, s := range slots {
		if n := len(out); n > 0 && out[n-1][1] == s-1 {
			out[n-1][1] = s
			continue
		}
		out = append(out, SlotSpan{s, s})
	}
	return out
}

// Migrate queues the migration of slots to instance target and returns
// it. Slots the target already owns are allowed (they finish at once),
// but not a migration where every slot already is on the target, nor a
// slot that an unfinished migration holds.
func (m *Migrator) Migrate(slots []SlotSpan, target int) (MigrationInfo, error) {
	list, err := expand(slots)
	if err != nil {
		return MigrationInfo{}, err
	}
	t := m.e.router.Table()
	if target < 0 || target >= t.Instances() {
		return MigrationInfo{}, fmt.Errorf("%w: unknown instance %d (instances are 0..%d)",
			ErrMigrationInvalid, target, t.Instances()-1)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.removing[target] {
		return MigrationInfo{}, fmt.Errorf("%w: instance %d is being removed", ErrMigrationConflict, target)
	}
	moving := 0
	for _, s := range list {
		if id, ok := m.reserved[s]; ok {
			return MigrationInfo{}, fmt.Errorf("%w: slot %d is already being migrated by migration %d",
				ErrMigrationConflict, s, id)
		}
		if t.Owner(s) != target {
			moving++
		}
	}
	if moving == 0 {
		return MigrationInfo{}, fmt.Errorf("%w: empty plan: instance %d already owns every slot given",
			ErrMigrationConflict, target)
	}
	mg := m.add(list, target)
	m.persistLocked()
	m.signal()
	return mg.snapshot(), nil
}

// add records a new pending migration; m.mu is held.
func (m *Migrator) add(list []int, target int) *migration {
	mg := &migration{slots: list}
	mg.ID = m.nextID
	m.nextID++
	mg.State = MigrationPending
	mg.Target = target
	mg.Slots = spans(list)
	mg.SlotsTotal = len(list)
	mg.Created = time.Now().UTC()
	mg.Errors = []string{}
	for _, s := range list {
		m.reserved[s] = mg.ID
	}
	m.migs = append(m.migs, mg)
	return mg
}

func (mg *migration) snapshot() MigrationInfo {
	in := mg.MigrationInfo
	in.Slots = slices.Clone(mg.Slots)
	in.Errors = slices.Clone(mg.Errors)
	in.SlotsDone = mg.next
	if !mg.Started.IsZero() {
		end := time.Now()
		if !mg.Finished.IsZero() {
			end = mg.Finished
		}
		if secs := end.Sub(mg.Started).Seconds(); secs > 0 {
			in.KeysPerSec = float64(mg.KeysMoved-mg.startKeys) / secs
			in.BytesPerSec = float64(mg.BytesMoved-mg.startBytes) / secs
		}
		if left := in.KeysTotal - in.KeysMoved; left > 0 && in.KeysPerSec > 0 && mg.Finished.IsZero() {
			in.ETASeconds = float64(left) / in.KeysPerSec
		}
	}
	return in
}

func (m *Migrator) find(id int64) *migration {
	i, ok := slices.BinarySearchFunc(m.migs, id, func(mg *migration, id int64) int {
		switch {
		case mg.ID < id:
			return -1
		case mg.ID > id:
			return 1
		}
		return 0
	})
	if !ok {
		return nil
	}
	return m.migs[i]
}

// Migrations lists every migration, oldest first.
func (m *Migrator) Migrations() []MigrationInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]MigrationInfo, 0, len(m.migs))
	for _, mg := range m.migs {
		out = append(out, mg.snapshot())
	}
	return out
}

// Migration returns one migration.
func (m *Migrator) Migration(id int64) (MigrationInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mg := m.find(id)
	if mg == nil {
		return MigrationInfo{}, fmt.Errorf("%w: %d", ErrMigrationNotFound, id)
	}
	return mg.snapshot(), nil
}

// Cancel stops a migration. A pending one is dropped; a running one stops
// after the batch in hand, and the slots it had in flight move back to
// their sources (the slots it finished stay on the target). Cancelling a
// finished migration is a conflict.
func (m *Migrator) Cancel(id int64) (MigrationInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mg := m.find(id)
	if mg == nil {
		return MigrationInfo{}, fmt.Errorf("%w: %d", ErrMigrationNotFound, id)
	}
	switch mg.State {
	case MigrationPending:
		m.finishLocked(mg, MigrationCancelled)
		m.persistLocked()
	case MigrationMigrating:
		mg.cancel = true
		m.persistLocked() // a restart finishes the cancel, not the move
		m.signal()
	default:
		return MigrationInfo{}, fmt.Errorf("%w: migration %d is already %s", ErrMigrationConflict, id, mg.State)
	}
	return mg.snapshot(), nil
}

// finishLocked ends mg in state st and frees its slots; m.mu is held.
// Only the latest keepFinishedInMemory finished migrations are kept.
func (m *Migrator) finishLocked(mg *migration, st MigrationState) {
	mg.State = st
	mg.Finished = time.Now().UTC()
	for _, s := range mg.slots {
		if m.reserved[s] == mg.ID {
			delete(m.reserved, s)
		}
	}
	finished := 0
	for _, x := range m.migs {
		if x.State != MigrationPending && x.State != MigrationMigrating {
			finished++
		}
	}
	if finished > keepFinishedInMemory {
		drop := finished - keepFinishedInMemory
		m.migs = slices.DeleteFunc(m.migs, func(x *migration) bool {
			if drop > 0 && x.State != MigrationPending && x.State != MigrationMigrating {
				drop--
				return true
			}
			return false
		})
	}
}

// keepFinishedInMemory bounds the finished migrations GET /v1/migrations
// lists (the routing state file keeps fewer, keepFinished).
const keepFinishedInMemory = 1000

// Pause stops the mover between two batches; commands keep forwarding the
// keys they touch. Resume lets it go on.
func (m *Migrator) Pause() {
	m.mu.Lock()
	m.paused = true
	m.persistLocked()
	m.mu.Unlock()
	m.signal()
}

// Resume undoes Pause.
func (m *Migrator) Resume() {
	m.mu.Lock()
	m.paused = false
	m.persistLocked()
	m.mu.Unlock()
	m.signal()
}

// Paused reports whether the mover is paused.
func (m *Migrator) Paused() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.paused
}

// SetThrottle changes the mover's rate bounds (zero: unbounded).
func (m *Migrator) SetThrottle(t Throttle) error {
	if t.KeysPerSec < 0 || t.BytesPerSec < 0 {
		return fmt.Errorf("%w: throttle rates must not be negative", ErrMigrationInvalid)
	}
	m.mu.Lock()
	m.throttle = t
	m.persistLocked()
	m.mu.Unlock()
	m.signal()
	return nil
}

// Throttle is the current rate bound.
func (m *Migrator) Throttle() Throttle {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.throttle
}

// Stats snapshots the counters.
func (m *Migrator) Stats() MigratorStats {
	m.mu.Lock()
	st := MigratorStats{Paused: m.paused}
	for _, mg := range m.migs {
		switch mg.State {
		case MigrationPending:
			st.Pending++
		case MigrationMigrating:
			st.Running++
		case MigrationDone:
			st.Done++
		case MigrationFailed:
			st.Failed++
		case MigrationCancelled:
			st.Cancelled++
		}
	}
	m.mu.Unlock()
	st.SlotsMigrating = m.e.router.Table().MigratingSlots()
	st.KeysMoved, st.BytesMoved = m.movedKeys.Load(), m.movedBytes.Load()
	st.ForwardedKeys, st.ForwardedBytes = m.forwardedKeys.Load(), m.forwardedBytes.Load()
	return st
}

// SlotMigration is one slot's pending or active move.
type SlotMigration struct {
	Slot, Target int
	Migration    int64
	// Migrating is true while the slot is marked in the routing table
	// (keys on both owners); false while it waits its turn.
	Migrating bool
}

// SlotMigrations lists the slots held by unfinished migrations.
func (m *Migrator) SlotMigrations() []SlotMigration {
	t := m.e.router.Table()
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]SlotMigration, 0, len(m.reserved))
	for s, id := range m.reserved {
		mg := m.find(id)
		out = append(out, SlotMigration{Slot: s, Target: mg.Target, Migration: id, Migrating: t.Migrating(s)})
	}
	slices.SortFunc(out, func(a, b SlotMigration) int { return a.Slot - b.Slot })
	return out
}

// Wait blocks until migration id is finished, or d passes; tests and the
// CLI's non-interactive mode use it. It returns the final snapshot.
func (m *Migrator) Wait(id int64, d time.Duration) (MigrationInfo, error) {
	end := time.Now().Add(d)
	for {
		in, err := m.Migration(id)
		if err != nil {
			return in, err
		}
		switch in.State {
		case MigrationDone, MigrationFailed, MigrationCancelled:
			return in, nil
		}
		if time.Now().After(end) {
			return in, fmt.Errorf("storage: migration %d still %s after %v", id, in.State, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// InstanceChange is an instance added or being removed, and the
// migrations that fill or drain it.
type InstanceChange struct {
	Instance   int     `json:"instance"`
	Instances  int     `json:"instances"`
	Migrations []int64 `json:"migrations"`
}
