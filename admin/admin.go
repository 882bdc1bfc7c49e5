package admin

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Source is the running server as the admin API sees it. Its methods are
// called concurrently, by request handlers and Prometheus scrapes, once
// per request or scrape; each should return a cheap, consistent snapshot.
type Source interface {
	// Slots lists which instance owns each slot, as ranges. They need
	// not be sorted or merged: the API does both.
	Slots() []SlotRange
	Instances() []InstanceInfo
	Stats() Stats
}

// SlotRange is the run of slots Start..End, inclusive, owned by one
// instance.
type SlotRange struct {
	Start    int `json:"start"`
	End      int `json:"end"`
	Instance int `json:"instance"`
}

// InstanceInfo describes one storage instance.
type InstanceInfo struct {
	ID int `json:"id"`
	// Kind is where the instance lives: "embedded" is in this process.
	Kind        string `json:"kind"`
	Slots       int    `json:"slots"`
	Keys        int64  `json:"keys"`
	MemoryBytes int64  `json:"memory_bytes"`
}

// Stats are the server-wide counters, named after Redis's INFO fields.
type Stats struct {
	OpsPerSec           float64 `json:"ops_per_sec"`
	TotalCommands       int64   `json:"total_commands"`
	Connections         int64   `json:"connected_clients"` // now
	TotalConnections    int64   `json:"total_connections"` // accepted since start
	RejectedConnections int64   `json:"rejected_connections"`
	UptimeSeconds       int64   `json:"uptime_seconds"`
	// Commands is sorted by name.
	Commands []CommandStat `json:"commands"`
}

// CommandStat is one command's counters, as INFO commandstats has them.
type CommandStat struct {
	Name string `json:"name"`
	// Calls counts executions; Usec their total time in microseconds.
	Calls int64 `json:"calls"`
	Usec  int64 `json:"usec"`
	// FailedCalls ran and replied with an error; RejectedCalls were
	// refused before running (arity, authentication, unknown subcommand).
	FailedCalls   int64 `json:"failed_calls"`
	RejectedCalls int64 `json:"rejected_calls"`
}

// Options configure a Server.
type Options struct {
	// Token, when not empty, must be sent with every request as
	// "Authorization: Bearer <token>".
	Token string
	// Logger receives request logs (failures at Info and above, the rest
	// at Debug) and panics. Nil discards them.
	Logger *slog.Logger
}

// Server is the admin HTTP API.
type Server struct {
	src       Source
	log       *slog.Logger
	tokenHash *[sha256.Size]byte // nil: no authentication
	handler   http.Handler
	srv       *http.Server
}

// New returns the API over src. It serves nothing until Serve.
func New(src Source, opts Options) *Server {
	s := &Server{src: src, log: opts.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if opts.Token != "" {
		h := sha256.Sum256([]byte(opts.Token))
		s.tokenHash = &h
	}
	s.handler = s.routes()
	s.srv = &http.Server{
		Handler: s.handler,
		// The API may face a network: bound what a slow or idle client
		// can hold (slowloris), and keep net/http's own complaints in
		// the server's log instead of on stderr.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return s
}

// Handler is the API as an http.Handler, for tests and for mounting it
// into another server.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers requests on l until Shutdown, then returns
// http.ErrServerClosed; any other error means it failed.
func (s *Server) Serve(l net.Listener) error { return s.srv.Serve(l) }

// Shutdown stops accepting requests and waits for those in flight until
// ctx is done.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
