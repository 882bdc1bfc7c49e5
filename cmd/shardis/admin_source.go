package main

import (
	"time"

	"github.com/shardis/shardis/admin"
	"github.com/shardis/shardis/backend"
	"github.com/shardis/shardis/proxy"
	"github.com/shardis/shardis/router"
	"github.com/shardis/shardis/storage"
)

// adminSource adapts the running components to what the admin API reads.
type adminSource struct {
	srv  *proxy.Server
	rt   *router.Router
	eng  *storage.Engine
	pool *backend.Pool
}

func newAdminSource(srv *proxy.Server, rt *router.Router, eng *storage.Engine, pool *backend.Pool) *adminSource {
	return &adminSource{srv: srv, rt: rt, eng: eng, pool: pool}
}

func (a *adminSource) Slots() []admin.SlotRange {
	var out []admin.SlotRange
	for _, r := range a.rt.Table().Ranges() {
		out = append(out, admin.SlotRange{Start: r.Start, End: r.End, Instance: r.Instance})
	}
	return out
}

func (a *adminSource) Instances() []admin.InstanceInfo {
	counts := a.rt.Table().SlotCounts()
	var out []admin.InstanceInfo
	for _, in := range a.pool.Instances()[:len(counts)] { // spare instances are not in service
		st := a.eng.Instances()[in.ID()].Stats()
		out = append(out, admin.InstanceInfo{
			ID: in.ID(), Kind: in.Kind(), Slots: counts[in.ID()], Keys: st.Keys, MemoryBytes: st.UsedMemory,
		})
	}
	return out
}

func (a *adminSource) Stats() admin.Stats {
	st := admin.Stats{
		OpsPerSec:           a.srv.OpsPerSec(),
		Connections:         a.srv.Connected(),
		TotalConnections:    a.srv.TotalConnections(),
		RejectedConnections: a.srv.RejectedConnections(),
		UptimeSeconds:       int64(a.srv.Uptime() / time.Second),
	}
	for _, c := range a.srv.CommandStats() {
		st.TotalCommands += c.Calls
		st.Commands = append(st.Commands, admin.CommandStat{
			Name: c.Name, Calls: c.Calls, Usec: c.Usec, FailedCalls: c.Failed, RejectedCalls: c.Rejected,
		})
	}
	return st
}

// Persistence is every instance's persistence state (admin.PersistenceSource).
func (a *adminSource) Persistence() any {
	st := a.eng.PersistenceState()
	if st == nil {
		return []storage.InstancePersistence{}
	}
	return st
}
