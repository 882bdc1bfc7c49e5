package main

import (
	"errors"
	"net/http"

	"github.com/shardis/shardis/admin"
	"github.com/shardis/shardis/storage"
)

// The admin API's migration endpoints, served by the engine's Migrator.

func (a *adminSource) mig() *storage.Migrator { return a.eng.Migrator() }

// apiError gives a Migrator error the HTTP status it deserves.
func apiError(err error) error {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, storage.ErrMigrationInvalid):
		status = http.StatusBadRequest
	case errors.Is(err, storage.ErrMigrationConflict):
		status = http.StatusConflict
	case errors.Is(err, storage.ErrMigrationNotFound):
		status = http.StatusNotFound
	}
	return &admin.Error{Status: status, Msg: err.Error()}
}

func toSpans(in [][2]int) []storage.SlotSpan {
	out := make([]storage.SlotSpan, len(in))
	for i, r := range in {
		out[i] = storage.SlotSpan(r)
	}
	return out
}

func fromSpans(in []storage.SlotSpan) [][2]int {
	out := make([][2]int, len(in))
	for i, r := range in {
		out[i] = r
	}
	return out
}

func toMigration(m storage.MigrationInfo) admin.Migration {
	return admin.Migration{
		ID: m.ID, State: string(m.State), Target: m.Target, Slots: fromSpans(m.Slots),
		SlotsTotal: m.SlotsTotal, SlotsDone: m.SlotsDone,
		KeysMoved: m.KeysMoved, KeysTotal: m.KeysTotal, BytesMoved: m.BytesMoved, BytesTotal: m.BytesTotal,
		KeysPerSec: m.KeysPerSec, BytesPerSec: m.BytesPerSec, ETASeconds: m.ETASeconds,
		Errors: m.Errors, Created: m.Created, Started: m.Started, Finished: m.Finished,
	}
}

func (a *adminSource) StartMigration(slots [][2]int, target int) (admin.Migration, error) {
	m, err := a.mig().Migrate(toSpans(slots), target)
	if err != nil {
		return admin.Migration{}, apiError(err)
	}
	return toMigration(m), nil
}

func (a *adminSource) Migrations() []admin.Migration {
	var out []admin.Migration
	for _, m := range a.mig().Migrations() {
		out = append(out, toMigration(m))
	}
	return out
}

func (a *adminSource) Migration(id int64) (admin.Migration, error) {
	m, err := a.mig().Migration(id)
	if err != nil {
		return admin.Migration{}, apiError(err)
	}
	return toMigration(m), nil
}

func (a *adminSource) CancelMigration(id int64) (admin.Migration, error) {
	m, err := a.mig().Cancel(id)
	if err != nil {
		return admin.Migration{}, apiError(err)
	}
	return toMigration(m), nil
}

func (a *adminSource) PauseMigrations()       { a.mig().Pause() }
func (a *adminSource) ResumeMigrations()      { a.mig().Resume() }
func (a *adminSource) MigrationsPaused() bool { return a.mig().Paused() }

func (a *adminSource) MigrationThrottle() admin.Throttle {
	t := a.mig().Throttle()
	return admin.Throttle{KeysPerSec: t.KeysPerSec, BytesPerSec: t.BytesPerSec}
}

func (a *adminSource) SetMigrationThrottle(t admin.Throttle) error {
	if err := a.mig().SetThrottle(storage.Throttle{KeysPerSec: t.KeysPerSec, BytesPerSec: t.BytesPerSec}); err != nil {
		return apiError(err)
	}
	return nil
}

func (a *adminSource) Rebalance(dryRun bool) (admin.RebalancePlan, error) {
	pl, err := a.mig().Rebalance(dryRun)
	if err != nil {
		return admin.RebalancePlan{}, apiError(err)
	}
	return toPlan(pl), nil
}

func toPlan(pl storage.Plan) admin.RebalancePlan {
	out := admin.RebalancePlan{
		Moves: []admin.PlanMove{}, SlotsMoved: pl.SlotsMoved, KeysMoved: pl.KeysMoved,
		Migrations: pl.Migrations,
	}
	for _, mv := range pl.Moves {
		out.Moves = append(out.Moves, admin.PlanMove{Slots: fromSpans(mv.Slots), From: mv.From, To: mv.To, Keys: mv.Keys, Reason: mv.Reason})
	}
	for _, ld := range pl.Instances {
		out.Instances = append(out.Instances, admin.InstanceLoad(ld))
	}
	return out
}

func (a *adminSource) MigrationStats() admin.MigrationStats {
	st := a.mig().Stats()
	return admin.MigrationStats{
		Pending: st.Pending, Running: st.Running, Done: st.Done, Failed: st.Failed, Cancelled: st.Cancelled,
		Paused: st.Paused, SlotsMigrating: st.SlotsMigrating,
		KeysMoved: st.KeysMoved, BytesMoved: st.BytesMoved, ForwardedKeys: st.ForwardedKeys,
	}
}

func (a *adminSource) SlotMigrations() []admin.SlotMigration {
	t := a.rt.Table()
	var out []admin.SlotMigration
	for _, s := range a.mig().SlotMigrations() {
		state := "pending"
		if s.Migrating {
			state = "migrating"
		}
		out = append(out, admin.SlotMigration{Slot: s.Slot, From: t.Owner(s.Slot), To: s.Target, Migration: s.Migration, State: state})
	}
	return out
}

func (a *adminSource) AddInstance() (admin.InstanceChange, error) {
	ch, err := a.mig().AddInstance()
	if err != nil {
		return admin.InstanceChange{}, apiError(err)
	}
	return admin.InstanceChange(ch), nil
}

func (a *adminSource) RemoveInstance(id int) (admin.InstanceChange, error) {
	ch, err := a.mig().RemoveInstance(id)
	if err != nil {
		return admin.InstanceChange{}, apiError(err)
	}
	return admin.InstanceChange(ch), nil
}
