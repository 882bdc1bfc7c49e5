package proxy

import (
	"sync/atomic"
	"time"
)

// The request path's clock.
//
// time.Now reads two clocks, the wall clock and the monotonic one, and on
// virtual machines each read costs tens of nanoseconds, as much as a GET.
// The request path reads the monotonic clock only (time.Since of a
// monotonic base is one read) and derives wall time, which commands need
// in Unix milliseconds, from an offset the server refreshes on every tick:
// a step of the system clock reaches commands within one tick (100 ms),
// as it reaches Redis's cached mstime within a cron cycle.

// monoBase is the origin of monoNow.
var monoBase = time.Now()

// monoNow is the monotonic clock in nanoseconds since monoBase.
func monoNow() int64 { return int64(time.Since(monoBase)) }

// wallClock turns monoNow readings into wall-clock time.
type wallClock struct {
	offset atomic.Int64 // Unix ns minus monoNow ns
}

// refresh re-reads the wall clock.
func (w *wallClock) refresh() {
	now := time.Now()
	w.offset.Store(now.UnixNano() - int64(now.Sub(monoBase)))
}

// unixNano is the wall-clock time of the monoNow reading mono.
func (w *wallClock) unixNano(mono int64) int64 { return mono + w.offset.Load() }
