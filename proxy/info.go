package proxy

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// INFO [section ...]
//
// Sections follow Redis 7.0's names and field names, so monitoring that
// parses Redis's INFO reads shardis unchanged; the shardis section adds
// the sharding layout.
func cmdInfo(s *session, args [][]byte) {
	want := map[string]bool{}
	if len(args) == 1 {
		want["default"] = true
	}
	for _, a := range args[1:] {
		want[strings.ToLower(string(a))] = true
	}
	all := want["all"] || want["everything"]
	dflt := want["default"] || all
	var b strings.Builder
	section := func(name string, inDefault bool, fill func(*strings.Builder)) {
		if !(want[name] || (inDefault && dflt) || (name == "commandstats" && all)) {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + strings.ToUpper(name[:1]) + name[1:] + "\r\n")
		fill(&b)
	}
	srv := s.srv
	section("server", true, srv.infoServer)
	section("clients", true, srv.infoClients)
	section("memory", true, srv.infoMemory)
	section("persistence", true, srv.infoPersistence)
	section("stats", true, srv.infoStats)
	section("replication", true, func(b *strings.Builder) {
		b.WriteString("role:master\r\nconnected_slaves:0\r\n")
	})
	section("cpu", true, infoCPU)
	section("errorstats", true, func(b *strings.Builder) {})
	section("cluster", true, func(b *strings.Builder) { b.WriteString("cluster_enabled:0\r\n") })
	section("commandstats", false, srv.infoCommandStats)
	section("keyspace", true, srv.infoKeyspace)
	section("shardis", true, srv.infoShardis)
	s.w.Verbatim("txt", []byte(b.String()))
}

func field(b *strings.Builder, name string, v any) {
	fmt.Fprintf(b, "%s:%v\r\n", name, v)
}

func (srv *Server) infoServer(b *strings.Builder) {
	up := srv.Uptime()
	field(b, "redis_version", RedisVersion)
	field(b, "redis_mode", "standalone")
	field(b, "os", runtime.GOOS+" "+runtime.GOARCH)
	field(b, "arch_bits", strconv.IntSize)
	field(b, "multiplexing_api", "epoll")
	field(b, "go_version", runtime.Version())
	field(b, "process_id", os.Getpid())
	field(b, "tcp_port", srv.cfg.Port())
	field(b, "server_time_usec", time.Now().UnixMicro())
	field(b, "uptime_in_seconds", int64(up/time.Second))
	field(b, "uptime_in_days", int64(up/(24*time.Hour)))
	field(b, "hz", srv.cfg.Hz())
	field(b, "configured_hz", srv.cfg.Hz())
	field(b, "executable", executable())
	field(b, "config_file", srv.cfg.ConfigFile())
	field(b, "shardis_version", Version)
}

func executable() string {
	p, err := os.Executable()
	if err != nil {
		return ""
	}
	return p
}

func (srv *Server) infoClients(b *strings.Builder) {
	field(b, "connected_clients", srv.Connected())
	field(b, "cluster_connections", 0)
	field(b, "maxclients", srv.cfg.MaxClients())
	field(b, "blocked_clients", srv.waiters.n.Load())
	field(b, "tracking_clients", 0)
}

// usedMemory is the bytes charged to keys and values across instances.
func (srv *Server) usedMemory() int64 { return srv.eng.UsedMemory() }

var heapMetrics = []metrics.Sample{
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/total:bytes"},
}

func (srv *Server) infoMemory(b *strings.Builder) {
	samples := append([]metrics.Sample(nil), heapMetrics...)
	metrics.Read(samples)
	heap := int64(samples[0].Value.Uint64())
	total := int64(samples[1].Value.Uint64())
	used := srv.usedMemory()
	rss := residentBytes()
	field(b, "used_memory", used)
	field(b, "used_memory_human", humanBytes(used))
	field(b, "used_memory_rss", rss)
	field(b, "used_memory_rss_human", humanBytes(rss))
	field(b, "used_memory_dataset", used)
	field(b, "go_heap_objects_bytes", heap)
	field(b, "go_runtime_total_bytes", total)
	ev := srv.eng.Eviction()
	field(b, "maxmemory", ev.MaxMemory)
	field(b, "maxmemory_human", humanBytes(ev.MaxMemory))
	field(b, "maxmemory_policy", ev.Policy.String())
	ratio := 0.0
	if used > 0 {
		ratio = float64(rss) / float64(used)
	}
	field(b, "mem_fragmentation_ratio", fmt.Sprintf("%.2f", ratio))
	field(b, "mem_allocator", "go-"+runtime.Version())
}

// residentBytes reads the process's RSS from /proc (0 where unavailable).
func residentBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(data)
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}

// humanBytes formats like Redis's bytesToHuman.
func humanBytes(n int64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + "B"
	case n < 1024*1024:
		return fmt.Sprintf("%.2fK", f/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%.2fM", f/(1024*1024))
	case n < 1024*1024*1024*1024:
		return fmt.Sprintf("%.2fG", f/(1024*1024*1024))
	default:
		return fmt.Sprintf("%.2fT", f/(1024*1024*1024*1024))
	}
}

func (srv *Server) infoPersistence(b *strings.Builder) {
	for _, f := range srv.eng.PersistenceInfo() {
		field(b, f.Name, f.Value)
	}
}

func (srv *Server) infoStats(b *strings.Builder) {
	var hits, misses, expired int64
	for _, in := range srv.eng.Instances() {
		st := in.Stats()
		hits += st.Hits
		misses += st.Misses
		expired += st.ExpiredKeys
	}
	field(b, "total_connections_received", srv.TotalConnections())
	field(b, "total_commands_processed", srv.TotalCommands())
	field(b, "instantaneous_ops_per_sec", int64(srv.OpsPerSec()))
	field(b, "rejected_connections", srv.RejectedConnections())
	exp := srv.eng.ExpireStats()
	field(b, "expired_keys", expired)
	field(b, "expired_stale_perc", fmt.Sprintf("%.2f", exp.StalePerc*100))
	field(b, "expired_time_cap_reached_count", exp.TimeCapReached)
	field(b, "expire_cycle_cpu_milliseconds", exp.CycleTime.Milliseconds())
	field(b, "evicted_keys", srv.eng.EvictedKeys())
	field(b, "keyspace_hits", hits)
	field(b, "keyspace_misses", misses)
	field(b, "pubsub_channels", srv.pubsub.count(subChannel))
	field(b, "pubsub_patterns", srv.pubsub.count(subPattern))
	field(b, "pubsubshard_channels", srv.pubsub.count(subShard))
	field(b, "total_error_replies", srv.ErrorReplies())
}

func infoCPU(b *strings.Builder) {
	user, sys := cpuTimes()
	field(b, "used_cpu_sys", fmt.Sprintf("%.6f", sys))
	field(b, "used_cpu_user", fmt.Sprintf("%.6f", user))
}

func (srv *Server) infoCommandStats(b *strings.Builder) {
	for _, st := range srv.CommandStats() {
		per := 0.0
		if st.Calls > 0 {
			per = float64(st.Usec) / float64(st.Calls)
		}
		fmt.Fprintf(b, "cmdstat_%s:calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d\r\n",
			st.Name, st.Calls, st.Usec, per, st.Rejected, st.Failed)
	}
}

func (srv *Server) infoKeyspace(b *strings.Builder) {
	type dbLine struct {
		keys, expires int64
		// ttlWeight sums each instance's avg_ttl weighted by its keys with
		// a deadline, over ttlKeys of them: one database spans every
		// instance, so its avg_ttl is the instances' estimates averaged.
		ttlWeight float64
		ttlKeys   int64
	}
	dbs := make([]dbLine, srv.eng.Databases())
	for _, in := range srv.eng.Instances() {
		for i, st := range in.DBStats() {
			d := &dbs[i]
			d.keys += st.Keys
			d.expires += st.Expires
			if st.AvgTTL > 0 && st.Expires > 0 {
				d.ttlWeight += float64(st.AvgTTL) * float64(st.Expires)
				d.ttlKeys += st.Expires
			}
		}
	}
	for i, d := range dbs {
		if d.keys > 0 {
			var avg int64
			if d.ttlKeys > 0 {
				avg = int64(d.ttlWeight / float64(d.ttlKeys))
			}
			fmt.Fprintf(b, "db%d:keys=%d,expires=%d,avg_ttl=%d\r\n", i, d.keys, d.expires, avg)
		}
	}
}

func (srv *Server) infoShardis(b *strings.Builder) {
	t := srv.router.Table()
	field(b, "shardis_version", Version)
	field(b, "sharding_mode", string(srv.router.Mode()))
	field(b, "instances", t.Instances())
	field(b, "slots", 16384)
	field(b, "routing_table_version", t.Version())
	srv.infoMigration(b)
	counts := t.SlotCounts()
	for _, in := range srv.pool.Instances()[:t.Instances()] {
		st := srv.eng.Instances()[in.ID()].Stats()
		fmt.Fprintf(b, "instance%d:kind=%s,slots=%d,keys=%d,used_memory=%d\r\n",
			st.ID, in.Kind(), counts[st.ID], st.Keys, st.UsedMemory)
	}
}
