package proxy

import (
	"sort"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"

	"github.com/shardis/shardis/router"
)

// loopStats are the counters of one event loop. Each loop writes only its
// own, so the request path pays an uncontended atomic add per counter and
// no cache line bounces between cores; readers (INFO, the admin API) sum
// across loops. The loop's commit group (durable.go) lives here too, as
// the one other thing that belongs to a loop rather than to a client.
type loopStats struct {
	cmds   []cmdStats // by router.Command.ID
	errors atomic.Int64
	group  commitGroup
	// gate is held while the loop serves a batch, and by EXEC on any
	// loop (multi.go); nil with one loop.
	gate *gate
}

type cmdStats struct {
	calls    atomic.Int64
	usec     atomic.Int64
	failed   atomic.Int64
	rejected atomic.Int64
	// nanos accumulates shares of batch time below a microsecond.
	nanos atomic.Int64
}

// usecNanos adds d nanoseconds, carrying whole microseconds into usec.
func (c *cmdStats) usecNanos(d int64) {
	if n := c.nanos.Add(d); n >= 1000 {
		c.nanos.Add(-(n / 1000) * 1000)
		c.usec.Add(n / 1000)
	}
}

func (s *Server) loopStatsFor(l gnet.EventLoop) *loopStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ls, ok := s.loops[l]; ok {
		return ls
	}
	ls := &loopStats{cmds: make([]cmdStats, len(router.All()))}
	ls.group.loop = l
	s.loops[l] = ls
	if len(s.gates) > 0 {
		ls.gate = &s.gates[len(s.allLoops)%len(s.gates)]
	}
	s.allLoops = append(s.allLoops, ls)
	return ls
}

// CommandStat is the summed statistics of one command.
type CommandStat struct {
	Name                          string
	Calls, Usec, Failed, Rejected int64
}

// CommandStats sums every loop's counters, for commands called at least
// once, sorted by name.
func (s *Server) CommandStats() []CommandStat {
	s.mu.Lock()
	loops := append([]*loopStats(nil), s.allLoops...)
	s.mu.Unlock()
	var out []CommandStat
	for _, c := range router.All() {
		var st CommandStat
		for _, l := range loops {
			cs := &l.cmds[c.ID]
			st.Calls += cs.calls.Load()
			st.Usec += cs.usec.Load()
			st.Failed += cs.failed.Load()
			st.Rejected += cs.rejected.Load()
		}
		if st.Calls+st.Failed+st.Rejected == 0 {
			continue
		}
		st.Name = c.Name
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// TotalCommands is the number of commands processed.
func (s *Server) TotalCommands() int64 {
	var n int64
	for _, st := range s.CommandStats() {
		n += st.Calls
	}
	return n
}

// ErrorReplies is the number of error replies sent.
func (s *Server) ErrorReplies() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, l := range s.allLoops {
		n += l.errors.Load()
	}
	return n
}

// Connected is the number of clients connected now.
func (s *Server) Connected() int64 { return s.connected.Load() }

// TotalConnections is the number of connections accepted since start.
func (s *Server) TotalConnections() int64 { return s.totalConnections.Load() }

// RejectedConnections is the number refused by maxclients.
func (s *Server) RejectedConnections() int64 { return s.rejected.Load() }

// Uptime is the time since the server started.
func (s *Server) Uptime() time.Duration { return time.Since(s.started) }

// opsMeter derives instantaneous ops/s the way Redis does: a sample of the
// command counter every 100 ms, averaged over the last 16 samples.
type opsMeter struct {
	samples  [16]float64
	idx      int
	lastOps  int64
	lastTime time.Time
}

func (m *opsMeter) sample(ops int64, now time.Time) {
	if !m.lastTime.IsZero() {
		dt := now.Sub(m.lastTime).Seconds()
		if dt > 0 {
			m.samples[m.idx%len(m.samples)] = float64(ops-m.lastOps) / dt
			m.idx++
		}
	}
	m.lastOps, m.lastTime = ops, now
}

func (m *opsMeter) rate() float64 {
	n := m.idx
	if n > len(m.samples) {
		n = len(m.samples)
	}
	if n == 0 {
		return 0
	}
	var sum float64
	for i := 0; i < n; i++ {
		sum += m.samples[i]
	}
	return sum / float64(n)
}

// OpsPerSec is the instantaneous command rate.
func (s *Server) OpsPerSec() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ops.rate()
}

// sampleOps feeds the ops meter; OnTick calls it every 100 ms.
func (s *Server) sampleOps(now time.Time) {
	total := s.TotalCommands()
	s.mu.Lock()
	s.ops.sample(total, now)
	s.mu.Unlock()
}
