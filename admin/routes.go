package admin

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes builds the router. chi's RealIP and RedirectSlashes are left out
// on purpose: the first trusts spoofable headers, the second has had
// open-redirect advisories; nothing here needs either.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	// Outermost first: the log sees the status a panic turned into, and
	// authentication guards 404 and 405 too, so an unauthenticated client
	// cannot probe which paths exist. GetHead answers HEAD like GET, for
	// health checkers that use it.
	r.Use(s.logRequests, s.recoverPanics, s.authenticate, middleware.GetHead)
	r.NotFound(func(w http.ResponseWriter, req *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint: %s %s", req.Method, req.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		allowed := allowedMethods(r, req.URL.Path)
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, http.StatusMethodNotAllowed,
			fmt.Sprintf("%s is not allowed on %s; use %s", req.Method, req.URL.Path, strings.Join(allowed, " or ")))
	})

	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Method(http.MethodGet, "/metrics", s.metricsHandler())
	// Go's profiler, behind the same authentication: how the speed
	// figures in the README are taken apart (go tool pprof
	// http://ADMIN/debug/pprof/profile).
	r.Mount("/debug", middleware.Profiler())
	r.Route("/v1", func(r chi.Router) {
		r.Get("/slots", s.getSlots)
		r.Get("/instances", s.getInstances)
		r.Get("/stats", s.getStats)
		s.migrationRoutes(r)
		r.Get("/persistence", s.getPersistence)
	})
	return r
}

// allowedMethods lists the methods routed for path, for the Allow header
// that chi only sets when it writes the 405 itself.
func allowedMethods(r *chi.Mux, path string) []string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		if r.Match(chi.NewRouteContext(), m, path) ||
			m == http.MethodHead && slices.Contains(allowed, http.MethodGet) { // GetHead
			allowed = append(allowed, m)
		}
	}
	return allowed
}

func (s *Server) getSlots(w http.ResponseWriter, _ *http.Request) {
	m, ok := s.src.(Migrator)
	if !ok {
		writeJSON(w, http.StatusOK, struct {
			Slots []SlotRange `json:"slots"`
		}{compress(s.src.Slots())})
		return
	}
	mig := m.SlotMigrations()
	if mig == nil {
		mig = []SlotMigration{}
	}
	writeJSON(w, http.StatusOK, struct {
		Slots     []SlotRange     `json:"slots"`
		Migrating []SlotMigration `json:"migrating"`
	}{compress(s.src.Slots()), mig})
}

func (s *Server) getInstances(w http.ResponseWriter, _ *http.Request) {
	in := s.src.Instances()
	if in == nil {
		in = []InstanceInfo{}
	}
	writeJSON(w, http.StatusOK, struct {
		Instances []InstanceInfo `json:"instances"`
	}{in})
}

func (s *Server) getStats(w http.ResponseWriter, _ *http.Request) {
	st := s.src.Stats()
	if st.Commands == nil {
		st.Commands = []CommandStat{}
	}
	writeJSON(w, http.StatusOK, st)
}

// compress sorts ranges and merges neighbours owned by the same instance,
// so 16384 slots spread over 64 instances read as 64 lines, not 16384,
// whatever granularity the Source reports.
func compress(ranges []SlotRange) []SlotRange {
	out := slices.Clone(ranges)
	slices.SortFunc(out, func(a, b SlotRange) int { return cmp.Compare(a.Start, b.Start) })
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && merged[n-1].Instance == r.Instance && merged[n-1].End+1 == r.Start {
			merged[n-1].End = r.End
			continue
		}
		merged = append(merged, r)
	}
	if merged == nil {
		return []SlotRange{}
	}
	return merged
}

// metricsHandler serves a registry of this Server's own, so that two
// Servers (tests, embedding) never collide in the global one.
func (s *Server) metricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		newCollector(s.src),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if m, ok := s.src.(Migrator); ok {
		reg.MustRegister(newMigrationCollector(m))
	}
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelError),
		Registry: reg, // counts its own encoding errors
		// Scrapes read every counter of the server: never run many at
		// once, however many scrapers there are.
		MaxRequestsInFlight: 4,
	})
	// As promhttp.Handler does for the default registry: scrape counts.
	return promhttp.InstrumentMetricHandler(reg, h)
}

// authenticate requires the bearer token when one is configured. Both
// sides are hashed before the constant-time comparison because
// subtle.ConstantTimeCompare returns early on a length mismatch, which
// would tell a prober the token's length.
func (s *Server) authenticate(next http.Handler) http.Handler {
	if s.tokenHash == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="shardis"`)
			writeError(w, http.StatusUnauthorized, "authentication required: send the header Authorization: Bearer <admin-token>")
			return
		}
		got := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(got[:], s.tokenHash[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="shardis", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "invalid bearer token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearerToken extracts the token of an RFC 6750 Authorization header,
// whose scheme name is case-insensitive.
func bearerToken(header string) (string, bool) {
	const scheme = "Bearer "
	if len(header) <= len(scheme) || !strings.EqualFold(header[:len(scheme)], scheme) {
		return "", false
	}
	return strings.TrimSpace(header[len(scheme):]), true
}

// recoverPanics turns a panic into a logged 500 instead of a dropped
// connection. It must run inside logRequests, whose writer tells it
// whether a response has started; if one has, the connection is aborted
// so the client cannot mistake a truncated body for a whole one.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { // net/http's own way to abort
				panic(v)
			}
			s.log.LogAttrs(r.Context(), slog.LevelError, "admin: panic serving request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			if ww, ok := w.(middleware.WrapResponseWriter); ok && ww.Status() != 0 {
				panic(http.ErrAbortHandler)
			}
			writeError(w, http.StatusInternalServerError, "internal error")
		}()
		next.ServeHTTP(w, r)
	})
}

// logRequests logs every request once it is answered: successes at
// Debug, so that a scrape every few seconds does not flood the log, and
// failures at Info (4xx) or Error (5xx). It logs the path but never the
// query string or headers, where credentials could be.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		defer func() {
			status := ww.Status()
			if status == 0 { // aborted before a header was written
				status = http.StatusInternalServerError
			}
			level := slog.LevelDebug
			switch {
			case status >= 500:
				level = slog.LevelError
			case status >= 400:
				level = slog.LevelInfo
			}
			s.log.LogAttrs(r.Context(), level, "admin request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", status), slog.Int("bytes", ww.BytesWritten()),
				slog.Duration("duration", time.Since(start)), slog.String("remote", r.RemoteAddr))
		}()
		next.ServeHTTP(ww, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		// Every value written here is plain data; this is a bug.
		status, body = http.StatusInternalServerError, []byte(`{"error": "internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
