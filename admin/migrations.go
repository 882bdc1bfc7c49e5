package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// Migrator is the part of a Source that moves slots. A Source that
// implements it gets the migration, rebalance and instance endpoints;
// otherwise they answer 501.
type Migrator interface {
	StartMigration(slots [][2]int, target int) (Migration, error)
	Migrations() []Migration
	Migration(id int64) (Migration, error)
	CancelMigration(id int64) (Migration, error)
	PauseMigrations()
	ResumeMigrations()
	MigrationsPaused() bool
	MigrationThrottle() Throttle
	SetMigrationThrottle(Throttle) error
	Rebalance(dryRun bool) (RebalancePlan, error)
	AddInstance() (InstanceChange, error)
	RemoveInstance(id int) (InstanceChange, error)
	MigrationStats() MigrationStats
	SlotMigrations() []SlotMigration
}

// SlotMigration is a slot that an unfinished migration holds: "migrating"
// while its keys are split between From and To, "pending" while it waits
// its turn.
type SlotMigration struct {
	Slot      int    `json:"slot"`
	From      int    `json:"from"`
	To        int    `json:"to"`
	Migration int64  `json:"migration"`
	State     string `json:"state"`
}

// Error is an error with the HTTP status it should be answered with; a
// Migrator returns it for requests it refuses.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// Migration is one migration's state and progress.
type Migration struct {
	ID          int64     `json:"id"`
	State       string    `json:"state"` // pending, migrating, done, failed, cancelled
	Target      int       `json:"target"`
	Slots       [][2]int  `json:"slots"`
	SlotsTotal  int       `json:"slots_total"`
	SlotsDone   int       `json:"slots_done"`
	KeysMoved   int64     `json:"keys_moved"`
	KeysTotal   int64     `json:"keys_total"`
	BytesMoved  int64     `json:"bytes_moved"`
	BytesTotal  int64     `json:"bytes_total"`
	KeysPerSec  float64   `json:"keys_per_sec"`
	BytesPerSec float64   `json:"bytes_per_sec"`
	ETASeconds  float64   `json:"eta_seconds"`
	Errors      []string  `json:"errors"`
	Created     time.Time `json:"created_at"`
	Started     time.Time `json:"started_at,omitzero"`
	Finished    time.Time `json:"finished_at,omitzero"`
}

// Throttle bounds the migration rate; zero means unbounded.
type Throttle struct {
	KeysPerSec  int64 `json:"keys_per_sec"`
	BytesPerSec int64 `json:"bytes_per_sec"`
}

// RebalancePlan is what a rebalance moves, and the queued migrations.
type RebalancePlan struct {
	DryRun     bool           `json:"dry_run"`
	Moves      []PlanMove     `json:"moves"`
	SlotsMoved int            `json:"slots_moved"`
	KeysMoved  int64          `json:"keys_moved"`
	Instances  []InstanceLoad `json:"instances"`
	Migrations []int64        `json:"migrations"`
}

// PlanMove is a group of slots moving between two instances, and why.
type PlanMove struct {
	Slots  [][2]int `json:"slots"`
	From   int      `json:"from"`
	To     int      `json:"to"`
	Keys   int64    `json:"keys"`
	Reason string   `json:"reason"`
}

// InstanceLoad is an instance's slots and keys before and after a plan.
type InstanceLoad struct {
	Instance    int   `json:"instance"`
	SlotsBefore int   `json:"slots_before"`
	SlotsAfter  int   `json:"slots_after"`
	KeysBefore  int64 `json:"keys_before"`
	KeysAfter   int64 `json:"keys_after"`
}

// InstanceChange is the answer to adding or removing an instance: the
// instance and the migrations that fill or drain it.
type InstanceChange struct {
	Instance   int     `json:"instance"`
	Instances  int     `json:"instances"`
	Migrations []int64 `json:"migrations"`
}

// MigrationStats are the migration counters /metrics exports.
type MigrationStats struct {
	Pending, Running, Done, Failed, Cancelled int
	Paused                                    bool
	SlotsMigrating                            int
	KeysMoved, BytesMoved, ForwardedKeys      int64
}

func (s *Server) migrator(w http.ResponseWriter) (Migrator, bool) {
	m, ok := s.src.(Migrator)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this server cannot migrate slots")
	}
	return m, ok
}

// migrationRoutes mounts the endpoints that change where slots live.
func (s *Server) migrationRoutes(r chi.Router) {
	r.Route("/migrations", func(r chi.Router) {
		r.Get("/", s.listMigrations)
		r.Post("/", s.createMigration)
		r.Post("/pause", s.pauseMigrations)
		r.Post("/resume", s.resumeMigrations)
		r.Get("/throttle", s.getThrottle)
		r.Put("/throttle", s.setThrottle)
		r.Post("/throttle", s.setThrottle)
		r.Get("/{id}", s.getMigration)
		r.Post("/{id}/cancel", s.cancelMigration)
	})
	r.Post("/rebalance", s.rebalance)
	r.Post("/instances", s.addInstance)
	r.Delete("/instances/{id}", s.removeInstance)
}

// writeFailure answers err with its status: an *Error's own, else 500.
func writeFailure(w http.ResponseWriter, err error) {
	if e, ok := errors.AsType[*Error](err); ok {
		writeError(w, e.Status, e.Msg)
		return
	}
	writeError(w, http.StatusInternalServerError, err.Error())
}

// decodeBody reads a JSON request body strictly: unknown fields, a second
// value or more than 1 MiB are refused with 400.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("more than one JSON value")
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

func (s *Server) listMigrations(w http.ResponseWriter, _ *http.Request) {
	m, ok := s.migrator(w)
	if !ok {
		return
	}
	list := m.Migrations()
	if list == nil {
		list = []Migration{}
	}
	writeJSON(w, http.StatusOK, struct {
		Paused     bool        `json:"paused"`
		Throttle   Throttle    `json:"throttle"`
		Migrations []Migration `json:"migrations"`
	}{m.MigrationsPaused(), m.MigrationThrottle(), list})
}

func (s *Server) createMigration(w http.ResponseWriter, r *http.Request) {
	m, ok := s.migrator(w)
	if !ok {
		return
	}
	var body struct {
		Slots  [][2]int `json:"slots"`
		Target *int     `json:"target"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Target == nil {
		writeError(w, http.StatusBadRequest, `missing "target": the instance id to move the slots to`)
		return
	}
	if len(body.Slots) == 0 {
		writeError(w, http.StatusBadRequest, `missing "slots": a list of inclusive ranges, like [[0, 99], [512, 512]]`)
		return
	}
	mg, err := m.StartMigration(body.Slots, *body.Target)
	if err != nil {
		writeFailure(w, err)
		return
	}
	w.Header().Set("Location", "/v1/migrations/"+strconv.FormatInt(mg.ID, 10))
	writeJSON(w, http.StatusCreated, mg)
}

func migrationID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no migration %q: ids are positive integers", chi.URLParam(r, "id")))
		return 0, false
	}
	return id, true
}

func (s *Server) getMigration(w http.ResponseWriter, r *http.Request) {
	s.onMigration(w, r, Migrator.Migration)
}

func (s *Server) cancelMigration(w http.ResponseWriter, r *http.Request) {
	s.onMigration(w, r, Migrator.CancelMigration)
}

// onMigration answers a request about the migration named in the path
// with what op returns for it.
func (s *Server) onMigration(w http.ResponseWriter, r *http.Request, op func(Migrator, int64) (Migration, error)) {
	m, ok := s.migrator(w)
	if !ok {
		return
	}
	id, ok := migrationID(w, r)
	if !ok {
		return
	}
	mg, err := op(m, id)
	if err != nil {
		writeFailure(w, err)
		return
	}
	writeJSON(w, http.StatusOK, mg)
}

func (s *Server) pauseMigrations(w http.ResponseWriter, _ *http.Request) {
	if m, ok := s.migrator(w); ok {
		m.PauseMigrations()
		writeJSON(w, http.StatusOK, map[string]bool{"paused": true})
	}
}

func (s *Server) resumeMigrations(w http.ResponseWriter, _ *http.Request) {
	if m, ok := s.migrator(w); ok {
		m.ResumeMigrations()
		writeJSON(w, http.StatusOK, map[string]bool{"paused": false})
	}
}

func (s *Server) getThrottle(w http.ResponseWriter, _ *http.Request) {
	if m, ok := s.migrator(w); ok {
		writeJSON(w, http.StatusOK, m.MigrationThrottle())
	}
}

func (s *Server) setThrottle(w http.ResponseWriter, r *http.Request) {
	m, ok := s.migrator(w)
	if !ok {
		return
	}
	var t Throttle
	if !decodeBody(w, r, &t) {
		return
	}
	if err := m.SetMigrationThrottle(t); err != nil {
		writeFailure(w, err)
		return
	}
	writeJSON(w, http.StatusOK, m.MigrationThrottle())
}

// rebalance plans (dry_run=true in the query) or plans and queues.
func (s *Server) rebalance(w http.ResponseWriter, r *http.Request) {
	m, ok := s.migrator(w)
	if !ok {
		return
	}
	dry := false
	if v := r.URL.Query().Get("dry_run"); v != "" {
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("dry_run must be true or false, not %q", v))
			return
		}
		dry = b
	}
	pl, err := m.Rebalance(dry)
	if err != nil {
		writeFailure(w, err)
		return
	}
	pl.DryRun = dry
	status := http.StatusCreated
	if dry {
		status = http.StatusOK
	}
	writeJSON(w, status, pl)
}

func (s *Server) addInstance(w http.ResponseWriter, _ *http.Request) {
	m, ok := s.migrator(w)
	if !ok {
		return
	}
	ch, err := m.AddInstance()
	if err != nil {
		writeFailure(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, ch)
}

func (s *Server) removeInstance(w http.ResponseWriter, r *http.Request) {
	m, ok := s.migrator(w)
	if !ok {
		return
	}
	id, err := strconv.Atoi(chi.URLParam(r, "id"))
	if err != nil || id < 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no instance %q", chi.URLParam(r, "id")))
		return
	}
	ch, err := m.RemoveInstance(id)
	if err != nil {
		writeFailure(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, ch)
}
