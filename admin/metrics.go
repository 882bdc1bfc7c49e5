package admin

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// collector exposes the Source as Prometheus metrics, read at scrape time.
type collector struct {
	src                                         Source
	commands, duration, clients, conns, ops     *prometheus.Desc
	instKeys, instMem, instSlots, failed, rejct *prometheus.Desc
}

func newCollector(src Source) *collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("shardis_"+name, help, labels, nil)
	}
	return &collector{
		src:       src,
		commands:  d("commands_total", "Commands processed, by command.", "cmd"),
		failed:    d("commands_failed_total", "Commands that replied with an error, by command.", "cmd"),
		rejct:     d("commands_rejected_total", "Commands rejected before running (arity, auth), by command.", "cmd"),
		duration:  d("command_duration_seconds_total", "Time spent running commands, by command.", "cmd"),
		clients:   d("connected_clients", "Clients connected now."),
		conns:     d("connections_total", "Connections accepted since start."),
		ops:       d("ops_per_second", "Instantaneous commands per second."),
		instKeys:  d("instance_keys", "Keys stored per instance.", "instance"),
		instMem:   d("instance_memory_bytes", "Bytes charged to keys and values per instance.", "instance"),
		instSlots: d("instance_slots", "Slots owned per instance.", "instance"),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.commands, c.failed, c.rejct, c.duration, c.clients, c.conns, c.ops, c.instKeys, c.instMem, c.instSlots} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	st := c.src.Stats()
	for _, cmd := range st.Commands {
		ch <- prometheus.MustNewConstMetric(c.commands, prometheus.CounterValue, float64(cmd.Calls), cmd.Name)
		ch <- prometheus.MustNewConstMetric(c.failed, prometheus.CounterValue, float64(cmd.FailedCalls), cmd.Name)
		ch <- prometheus.MustNewConstMetric(c.rejct, prometheus.CounterValue, float64(cmd.RejectedCalls), cmd.Name)
		ch <- prometheus.MustNewConstMetric(c.duration, prometheus.CounterValue, float64(cmd.Usec)/1e6, cmd.Name)
	}
	ch <- prometheus.MustNewConstMetric(c.clients, prometheus.GaugeValue, float64(st.Connections))
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.CounterValue, float64(st.TotalConnections))
	ch <- prometheus.MustNewConstMetric(c.ops, prometheus.GaugeValue, st.OpsPerSec)
	for _, in := range c.src.Instances() {
		id := strconv.Itoa(in.ID)
		ch <- prometheus.MustNewConstMetric(c.instKeys, prometheus.GaugeValue, float64(in.Keys), id)
		ch <- prometheus.MustNewConstMetric(c.instMem, prometheus.GaugeValue, float64(in.MemoryBytes), id)
		ch <- prometheus.MustNewConstMetric(c.instSlots, prometheus.GaugeValue, float64(in.Slots), id)
	}
}
