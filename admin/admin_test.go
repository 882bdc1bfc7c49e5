package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// fakeSource reports fixed data, except that every Stats call counts as
// one more "get", which shows when the metrics read it.
type fakeSource struct {
	slots  []SlotRange
	stats  atomic.Int64
	panics bool
}

func newFake() *fakeSource {
	return &fakeSource{slots: []SlotRange{
		// Unsorted and split: the API must sort and merge.
		{Start: 8192, End: 16383, Instance: 1},
		{Start: 100, End: 8191, Instance: 0},
		{Start: 0, End: 99, Instance: 0},
	}}
}

func (f *fakeSource) Slots() []SlotRange {
	if f.panics {
		panic("slot table corrupt")
	}
	return append([]SlotRange(nil), f.slots...)
}

func (f *fakeSource) Instances() []InstanceInfo {
	return []InstanceInfo{
		{ID: 0, Kind: "embedded", Slots: 8192, Keys: 3, MemoryBytes: 300},
		{ID: 1, Kind: "embedded", Slots: 8192},
	}
}

func (f *fakeSource) Stats() Stats {
	n := f.stats.Add(1)
	return Stats{
		OpsPerSec: 12.5, TotalCommands: n + 1, Connections: 2, TotalConnections: 10, RejectedConnections: 1,
		UptimeSeconds: 60,
		Commands: []CommandStat{
			{Name: "get", Calls: n, Usec: 2500000},
			{Name: "set", Calls: 1, Usec: 4, FailedCalls: 1, RejectedCalls: 2},
		},
	}
}

// emptySource is a server with nothing to report yet.
type emptySource struct{}

func (emptySource) Slots() []SlotRange        { return nil }
func (emptySource) Instances() []InstanceInfo { return nil }
func (emptySource) Stats() Stats              { return Stats{} }

type response struct {
	status int
	header http.Header
	body   string
}

func do(h http.Handler, method, path, authorization string) response {
	req := httptest.NewRequest(method, path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.String()}
}

// jsonEqual compares JSON documents by value, ignoring layout.
func jsonEqual(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Errorf("body is not JSON (%v): %s", err, got)
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

func TestEndpoints(t *testing.T) {
	tests := []struct {
		src          Source
		method, path string
		status       int
		want         string // JSON
		allow        string
	}{
		{newFake(), "GET", "/healthz", 200, `{"status": "ok"}`, ""},
		{newFake(), "GET", "/v1/slots", 200,
			`{"slots": [{"start": 0, "end": 8191, "instance": 0}, {"start": 8192, "end": 16383, "instance": 1}]}`, ""},
		{newFake(), "GET", "/v1/instances", 200, `{"instances": [
			{"id": 0, "kind": "embedded", "slots": 8192, "keys": 3, "memory_bytes": 300},
			{"id": 1, "kind": "embedded", "slots": 8192, "keys": 0, "memory_bytes": 0}]}`, ""},
		{newFake(), "GET", "/v1/stats", 200, `{"ops_per_sec": 12.5, "total_commands": 2, "connected_clients": 2,
			"total_connections": 10, "rejected_connections": 1, "uptime_seconds": 60, "commands": [
			{"name": "get", "calls": 1, "usec": 2500000, "failed_calls": 0, "rejected_calls": 0},
			{"name": "set", "calls": 1, "usec": 4, "failed_calls": 1, "rejected_calls": 2}]}`, ""},
		{emptySource{}, "GET", "/v1/slots", 200, `{"slots": []}`, ""},
		{emptySource{}, "GET", "/v1/instances", 200, `{"instances": []}`, ""},
		{emptySource{}, "GET", "/v1/stats", 200, `{"ops_per_sec": 0, "total_commands": 0, "connected_clients": 0,
			"total_connections": 0, "rejected_connections": 0, "uptime_seconds": 0, "commands": []}`, ""},
		{newFake(), "GET", "/nope", 404, `{"error": "no such endpoint: GET /nope"}`, ""},
		// No RedirectSlashes: a trailing slash is another path.
		{newFake(), "GET", "/v1/slots/", 404, `{"error": "no such endpoint: GET /v1/slots/"}`, ""},
		{newFake(), "POST", "/v1/slots", 405, `{"error": "POST is not allowed on /v1/slots; use GET or HEAD"}`, "GET, HEAD"},
		{newFake(), "DELETE", "/healthz", 405, `{"error": "DELETE is not allowed on /healthz; use GET or HEAD"}`, "GET, HEAD"},
	}
	for _, tt := range tests {
		got := do(New(tt.src, Options{}).Handler(), tt.method, tt.path, "")
		if got.status != tt.status || !jsonEqual(t, got.body, tt.want) {
			t.Errorf("%s %s = %d %s\nwant %d %s", tt.method, tt.path, got.status, got.body, tt.status, tt.want)
		}
		if ct := got.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q, want application/json", tt.method, tt.path, ct)
		}
		if allow := got.header.Get("Allow"); allow != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, allow, tt.allow)
		}
	}
}

func TestHead(t *testing.T) {
	for _, path := range []string{"/healthz", "/v1/stats", "/metrics"} {
		if got := do(New(newFake(), Options{}).Handler(), "HEAD", path, ""); got.status != 200 {
			t.Errorf("HEAD %s = %d, want 200", path, got.status)
		}
	}
}

func TestAuthentication(t *testing.T) {
	h := New(newFake(), Options{Token: "s3cret"}).Handler()
	tests := []struct {
		path, authorization string
		status              int
	}{
		{"/v1/slots", "", 401},
		{"/v1/slots", "Bearer wrong", 401},
		{"/v1/slots", "Bearer s3cre", 401},
		{"/v1/slots", "Bearer s3cret0", 401},
		{"/v1/slots", "Basic czNjcmV0", 401},
		{"/v1/slots", "Bearer", 401},
		{"/v1/slots", "s3cret", 401},
		{"/v1/slots", "Bearer s3cret", 200},
		{"/v1/slots", "bearer s3cret", 200}, // the scheme is case-insensitive
		{"/v1/instances", "Bearer s3cret", 200},
		{"/v1/stats", "Bearer s3cret", 200},
		{"/healthz", "", 401},
		{"/healthz", "Bearer s3cret", 200},
		{"/metrics", "", 401},
		{"/metrics", "Bearer s3cret", 200},
		// Unauthenticated clients cannot tell which paths exist.
		{"/nope", "", 401},
		{"/nope", "Bearer s3cret", 404},
	}
	for _, tt := range tests {
		got := do(h, "GET", tt.path, tt.authorization)
		if got.status != tt.status {
			t.Errorf("GET %s with %q = %d %s, want %d", tt.path, tt.authorization, got.status, got.body, tt.status)
			continue
		}
		if got.status == 401 {
			if !strings.HasPrefix(got.header.Get("WWW-Authenticate"), "Bearer ") {
				t.Errorf("GET %s with %q: WWW-Authenticate %q", tt.path, tt.authorization, got.header.Get("WWW-Authenticate"))
			}
			var e struct{ Error string }
			if json.Unmarshal([]byte(got.body), &e) != nil || e.Error == "" {
				t.Errorf("GET %s with %q: 401 body is not a JSON error: %s", tt.path, tt.authorization, got.body)
			}
		}
	}
}

func TestMetrics(t *testing.T) {
	src := newFake()
	h := New(src, Options{}).Handler()
	got := do(h, "GET", "/metrics", "")
	if got.status != 200 || !strings.HasPrefix(got.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics = %d %s", got.status, got.header.Get("Content-Type"))
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(got.body, "\n") {
		lines[l] = true
	}
	for _, want := range []string{
		`shardis_commands_total{cmd="get"} 1`,
		`shardis_commands_total{cmd="set"} 1`,
		`shardis_command_duration_seconds_total{cmd="get"} 2.5`,
		`shardis_commands_failed_total{cmd="set"} 1`,
		`shardis_commands_rejected_total{cmd="set"} 2`,
		`shardis_connected_clients 2`,
		`shardis_connections_total 10`,
		`shardis_rejected_connections_total 1`,
		`shardis_ops_per_second 12.5`,
		`shardis_instance_info{instance_id="0",kind="embedded"} 1`,
		`shardis_instance_keys{instance_id="0"} 3`,
		`shardis_instance_memory_bytes{instance_id="0"} 300`,
		`shardis_instance_slots{instance_id="1"} 8192`,
		`# TYPE shardis_commands_total counter`,
		`# TYPE shardis_connected_clients gauge`,
		`promhttp_metric_handler_requests_total{code="200"} 0`,
	} {
		if !lines[want] {
			t.Errorf("/metrics lacks the line %q", want)
		}
	}
	// The standard collectors are registered too.
	for _, family := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if !strings.Contains(got.body, "\n"+family+" ") {
			t.Errorf("/metrics lacks %s", family)
		}
	}
	// Values are read from the Source at scrape time, not cached.
	if got := do(h, "GET", "/metrics", ""); !strings.Contains(got.body, `shardis_commands_total{cmd="get"} 2`+"\n") {
		t.Errorf("second scrape did not read the Source again:\n%s", got.body)
	}
}

// TestCollectorIsConsistent lets the pedantic registry check that every
// collected series is described and well formed.
func TestCollectorIsConsistent(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(newCollector(newFake()))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(families) != 12 {
		t.Errorf("gathered %d metric families, want 12", len(families))
	}
}

func TestCompress(t *testing.T) {
	tests := []struct {
		in, want []SlotRange
	}{
		{nil, []SlotRange{}},
		{[]SlotRange{{0, 16383, 0}}, []SlotRange{{0, 16383, 0}}},
		{[]SlotRange{{2, 2, 0}, {0, 0, 0}, {1, 1, 0}, {3, 3, 1}}, []SlotRange{{0, 2, 0}, {3, 3, 1}}},
		// A gap or another instance in between keeps ranges apart.
		{[]SlotRange{{0, 1, 0}, {3, 4, 0}}, []SlotRange{{0, 1, 0}, {3, 4, 0}}},
		{[]SlotRange{{0, 1, 0}, {2, 3, 1}, {4, 5, 0}}, []SlotRange{{0, 1, 0}, {2, 3, 1}, {4, 5, 0}}},
	}
	for _, tt := range tests {
		in := append([]SlotRange(nil), tt.in...)
		if got := compress(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("compress(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if !reflect.DeepEqual(in, tt.in) {
			t.Errorf("compress modified its argument: %v", tt.in)
		}
	}
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestPanicAndLogging(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src := newFake()
	src.panics = true
	h := New(src, Options{Token: "s3cret", Logger: log}).Handler()

	got := do(h, "GET", "/v1/slots", "Bearer s3cret")
	if got.status != 500 || !jsonEqual(t, got.body, `{"error": "internal error"}`) {
		t.Errorf("panicking handler = %d %s, want 500 and a JSON error", got.status, got.body)
	}
	do(h, "GET", "/healthz?user=x", "Bearer s3cret")
	do(h, "GET", "/healthz", "Bearer wrong")

	out := logs.String()
	for _, want := range []string{
		`"level":"ERROR","msg":"admin: panic serving request","method":"GET","path":"/v1/slots","panic":"slot table corrupt","stack":"goroutine`,
		`"level":"ERROR","msg":"admin request","method":"GET","path":"/v1/slots","status":500`,
		`"level":"DEBUG","msg":"admin request","method":"GET","path":"/healthz","status":200`,
		`"level":"INFO","msg":"admin request","method":"GET","path":"/healthz","status":401`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s\nlog:\n%s", want, out)
		}
	}
	for _, secret := range []string{"s3cret", "wrong", "user=x"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}

func TestServeAndShutdown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(newFake(), Options{})
	served := make(chan error, 1)
	go func() { served <- s.Serve(l) }()

	resp, err := http.Get("http://" + l.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !jsonEqual(t, string(body), `{"status": "ok"}`) {
		t.Errorf("GET /healthz over TCP = %d %s", resp.StatusCode, body)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	select {
	case err := <-served:
		if !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
		}
	case <-ctx.Done():
		t.Fatal("Serve did not return after Shutdown")
	}
}

// TestProfiler: Go's profiler answers under /debug, and only to an
// authenticated operator when a token is set.
func TestProfiler(t *testing.T) {
	open := New(newFake(), Options{}).Handler()
	if got := do(open, "GET", "/debug/pprof/", ""); got.status != 200 || !strings.Contains(got.body, "goroutine") {
		t.Fatalf("GET /debug/pprof/ = %d %.200s", got.status, got.body)
	}
	guarded := New(newFake(), Options{Token: "s3cret"}).Handler()
	if got := do(guarded, "GET", "/debug/pprof/", ""); got.status != 401 {
		t.Fatalf("GET /debug/pprof/ without the token = %d, want 401", got.status)
	}
}
