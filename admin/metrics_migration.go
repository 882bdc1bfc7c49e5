package admin

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// migrationCollector exports the Migrator's counters, read when scraped.
type migrationCollector struct {
	m Migrator

	migrations, slotsMigrating, paused *prometheus.Desc
	keysMoved, bytesMoved, forwarded   *prometheus.Desc
	slot                               *prometheus.Desc
}

func newMigrationCollector(m Migrator) *migrationCollector {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("shardis_"+name, help, labels, nil)
	}
	return &migrationCollector{
		m:              m,
		migrations:     desc("migrations", "Slot migrations, by state.", "state"),
		slotsMigrating: desc("slots_migrating", "Hash slots being migrated now (keys on two instances)."),
		paused:         desc("migrations_paused", "1 while the slot mover is paused."),
		keysMoved:      desc("migration_keys_moved_total", "Keys moved between instances by slot migrations."),
		bytesMoved:     desc("migration_bytes_moved_total", "Bytes of keys and values moved between instances by slot migrations."),
		forwarded:      desc("migration_keys_forwarded_total", "Keys moved ahead of the mover because a command touched them."),
		// Only slots in flight (a group per running migration), not
		// the thousands a queued migration may hold.
		slot: desc("slot_migrating", "Always 1: a hash slot whose keys are moving now.", "slot", "from", "to"),
	}
}

func (c *migrationCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.migrations, c.slotsMigrating, c.paused, c.keysMoved, c.bytesMoved, c.forwarded, c.slot} {
		ch <- d
	}
}

func (c *migrationCollector) Collect(ch chan<- prometheus.Metric) {
	metric := func(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, t, v, labels...)
	}
	st := c.m.MigrationStats()
	for state, n := range map[string]int{"pending": st.Pending, "migrating": st.Running, "done": st.Done,
		"failed": st.Failed, "cancelled": st.Cancelled} {
		metric(c.migrations, prometheus.GaugeValue, float64(n), state)
	}
	metric(c.slotsMigrating, prometheus.GaugeValue, float64(st.SlotsMigrating))
	paused := 0.0
	if st.Paused {
		paused = 1
	}
	metric(c.paused, prometheus.GaugeValue, paused)
	metric(c.keysMoved, prometheus.CounterValue, float64(st.KeysMoved))
	metric(c.bytesMoved, prometheus.CounterValue, float64(st.BytesMoved))
	metric(c.forwarded, prometheus.CounterValue, float64(st.ForwardedKeys))
	for _, sm := range c.m.SlotMigrations() {
		if sm.State == "migrating" {
			metric(c.slot, prometheus.GaugeValue, 1, strconv.Itoa(sm.Slot), strconv.Itoa(sm.From), strconv.Itoa(sm.To))
		}
	}
}
