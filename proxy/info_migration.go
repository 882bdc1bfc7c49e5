package proxy

import (
	"fmt"
	"slices"
	"strings"
)

// infoMigration adds slot migration to INFO's shardis section: the
// counters, then one line per slot whose keys are split between two
// instances right now (at most a group of slots per running migration).
func (srv *Server) infoMigration(b *strings.Builder) {
	st := srv.eng.Migrator().Stats()
	field(b, "migrations_in_progress", st.Running)
	field(b, "migrations_pending", st.Pending)
	field(b, "migrations_paused", boolInt(st.Paused))
	field(b, "migrating_slots", st.SlotsMigrating)
	field(b, "migration_keys_moved", st.KeysMoved)
	field(b, "migration_bytes_moved", st.BytesMoved)
	field(b, "migration_keys_forwarded", st.ForwardedKeys)
	t := srv.router.Table()
	targets := t.Targets()
	slots := make([]int, 0, len(targets))
	for s := range targets {
		slots = append(slots, s)
	}
	slices.Sort(slots)
	for _, s := range slots {
		fmt.Fprintf(b, "migrating_slot%d:from=%d,to=%d\r\n", s, t.Owner(s), targets[s])
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
