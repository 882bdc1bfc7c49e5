package admin

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Source is what the admin API reports on; the running server provides it.
type Source interface {
	Slots() []SlotRange
	Instances() []InstanceInfo
	Stats() Stats
}

// SlotRange is a run of consecutive slots owned by one instance.
type SlotRange struct {
	Start    int `json:"start"`
	End      int `json:"end"`
	Instance int `json:"instance"`
}

// InstanceInfo describes one instance.
type InstanceInfo struct {
	ID          int    `json:"id"`
	Kind        string `json:"kind"`
	Slots       int    `json:"slots"`
	Keys        int64  `json:"keys"`
	MemoryBytes int64  `json:"memory_bytes"`
}

// Stats are the server's counters.
type Stats struct {
	OpsPerSec           float64       `json:"ops_per_sec"`
	TotalCommands       int64         `json:"total_commands"`
	Connections         int64         `json:"connections"`
	TotalConnections    int64         `json:"total_connections"`
	RejectedConnections int64         `json:"rejected_connections"`
	UptimeSeconds       int64         `json:"uptime_seconds"`
	Commands            []CommandStat `json:"commands"`
}

// CommandStat counts one command.
type CommandStat struct {
	Name          string `json:"name"`
	Calls         int64  `json:"calls"`
	Usec          int64  `json:"usec"`
	FailedCalls   int64  `json:"failed_calls"`
	RejectedCalls int64  `json:"rejected_calls"`
}

// Options configure the API.
type Options struct {
	// Token, when set, is required as "Authorization: Bearer <token>".
	Token  string
	Logger *slog.Logger
}

// Server is the admin HTTP server.
type Server struct {
	src     Source
	opts    Options
	handler http.Handler
	http    *http.Server
}

// New builds the API over src.
func New(src Source, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{src: src, opts: opts}
	reg := prometheus.NewRegistry()
	reg.MustRegister(newCollector(src), collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	r := chi.NewRouter()
	r.Use(middleware.Recoverer, s.logRequests, s.authenticate)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path)
	})
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP)
	r.Route("/v1", func(r chi.Router) {
		r.Get("/slots", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.src.Slots()) })
		r.Get("/instances", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.src.Instances()) })
		r.Get("/stats", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.src.Stats()) })
	})
	s.handler = r
	s.http = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	return s
}

// Handler is the API's http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve serves the API on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	if err := s.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops the server, waiting for requests in flight.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.Shutdown(ctx) }

func (s *Server) authenticate(next http.Handler) http.Handler {
	if s.opts.Token == "" {
		return next
	}
	want := []byte("Bearer " + s.opts.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="shardis"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// logRequests logs each request through slog at debug level.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		s.opts.Logger.Debug("admin request", "method", r.Method, "path", r.URL.Path,
			"status", ww.Status(), "bytes", ww.BytesWritten(), "duration", time.Since(start))
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": strings.TrimSpace(msg)})
}
