package admin

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// collector turns a Source into Prometheus metrics when scraped. The
// server keeps its counters anyway (INFO and /v1/stats need them), so
// reading them every scrape costs nothing per command, where a labelled
// Prometheus counter would cost a lookup and an atomic add per command.
//
// Per-instance series are labelled instance_id, not instance: Prometheus
// attaches its own "instance" label (the scraped host:port) to every
// series and would rename ours to exported_instance.
type collector struct {
	src Source

	commands, commandSeconds, commandsFailed, commandsRejected *prometheus.Desc
	clients, connections, rejected, opsPerSecond               *prometheus.Desc
	instanceInfo, instanceKeys, instanceMemory, instanceSlots  *prometheus.Desc
}

func newCollector(src Source) *collector {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("shardis_"+name, help, labels, nil)
	}
	return &collector{
		src:              src,
		commands:         desc("commands_total", "Commands executed, by command.", "cmd"),
		commandSeconds:   desc("command_duration_seconds_total", "Time spent executing commands, by command.", "cmd"),
		commandsFailed:   desc("commands_failed_total", "Commands that ran and replied with an error, by command.", "cmd"),
		commandsRejected: desc("commands_rejected_total", "Commands refused before running (arity, authentication), by command.", "cmd"),
		clients:          desc("connected_clients", "Clients connected now."),
		connections:      desc("connections_total", "Client connections accepted since start."),
		rejected:         desc("rejected_connections_total", "Client connections refused because of maxclients."),
		opsPerSecond:     desc("ops_per_second", "Commands per second over the last sampling interval."),
		instanceInfo:     desc("instance_info", "Always 1; labels describe the storage instance.", "instance_id", "kind"),
		instanceKeys:     desc("instance_keys", "Keys stored, by storage instance.", "instance_id"),
		instanceMemory:   desc("instance_memory_bytes", "Memory used by keys and values, by storage instance.", "instance_id"),
		instanceSlots:    desc("instance_slots", "Hash slots owned, by storage instance.", "instance_id"),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.commands, c.commandSeconds, c.commandsFailed, c.commandsRejected,
		c.clients, c.connections, c.rejected, c.opsPerSecond,
		c.instanceInfo, c.instanceKeys, c.instanceMemory, c.instanceSlots,
	} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	metric := func(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, t, v, labels...)
	}
	st := c.src.Stats()
	for _, cmd := range st.Commands {
		metric(c.commands, prometheus.CounterValue, float64(cmd.Calls), cmd.Name)
		metric(c.commandSeconds, prometheus.CounterValue, float64(cmd.Usec)/1e6, cmd.Name)
		metric(c.commandsFailed, prometheus.CounterValue, float64(cmd.FailedCalls), cmd.Name)
		metric(c.commandsRejected, prometheus.CounterValue, float64(cmd.RejectedCalls), cmd.Name)
	}
	metric(c.clients, prometheus.GaugeValue, float64(st.Connections))
	metric(c.connections, prometheus.CounterValue, float64(st.TotalConnections))
	metric(c.rejected, prometheus.CounterValue, float64(st.RejectedConnections))
	metric(c.opsPerSecond, prometheus.GaugeValue, st.OpsPerSec)
	for _, in := range c.src.Instances() {
		id := strconv.Itoa(in.ID)
		metric(c.instanceInfo, prometheus.GaugeValue, 1, id, in.Kind)
		metric(c.instanceKeys, prometheus.GaugeValue, float64(in.Keys), id)
		metric(c.instanceMemory, prometheus.GaugeValue, float64(in.MemoryBytes), id)
		metric(c.instanceSlots, prometheus.GaugeValue, float64(in.Slots), id)
	}
}
