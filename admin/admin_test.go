package admin

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type fakeSource struct{}

func (fakeSource) Slots() []SlotRange {
	return []SlotRange{{Start: 0, End: 8191, Instance: 0}, {Start: 8192, End: 16383, Instance: 1}}
}

func (fakeSource) Instances() []InstanceInfo {
	return []InstanceInfo{{ID: 0, Kind: "embedded", Slots: 8192, Keys: 3, MemoryBytes: 300}, {ID: 1, Kind: "embedded", Slots: 8192}}
}

func (fakeSource) Stats() Stats {
	return Stats{OpsPerSec: 12.5, TotalCommands: 7, Connections: 2, Commands: []CommandStat{{Name: "get", Calls: 7, Usec: 14}}}
}

func request(t *testing.T, h http.Handler, method, path, token string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

func TestEndpoints(t *testing.T) {
	h := New(fakeSource{}, Options{}).Handler()
	tests := []struct {
		method, path string
		status       int
		contains     string
	}{
		{"GET", "/healthz", 200, `"status": "ok"`},
		{"GET", "/v1/slots", 200, `"end": 8191`},
		{"GET", "/v1/instances", 200, `"memory_bytes": 300`},
		{"GET", "/v1/stats", 200, `"ops_per_sec": 12.5`},
		{"GET", "/metrics", 200, `shardis_commands_total{cmd="get"} 7`},
		{"GET", "/metrics", 200, `shardis_instance_keys{instance="0"} 3`},
		{"GET", "/nope", 404, `"error": "no such endpoint: /nope"`},
		{"POST", "/v1/slots", 405, `"error": "POST is not allowed on /v1/slots"`},
	}
	for _, tt := range tests {
		code, body := request(t, h, tt.method, tt.path, "")
		if code != tt.status || !strings.Contains(body, tt.contains) {
			t.Errorf("%s %s = %d %.300s; want %d containing %q", tt.method, tt.path, code, body, tt.status, tt.contains)
		}
		if tt.path != "/metrics" && !json.Valid([]byte(body)) {
			t.Errorf("%s %s: body is not JSON: %s", tt.method, tt.path, body)
		}
	}
}

func TestToken(t *testing.T) {
	h := New(fakeSource{}, Options{Token: "s3cret"}).Handler()
	tests := []struct {
		path, token string
		status      int
	}{
		{"/v1/slots", "", 401}, {"/v1/slots", "wrong", 401}, {"/v1/slots", "s3cret", 200},
		{"/metrics", "", 401}, {"/healthz", "", 401}, {"/healthz", "s3cret", 200},
	}
	for _, tt := range tests {
		code, body := request(t, h, "GET", tt.path, tt.token)
		if code != tt.status {
			t.Errorf("GET %s token %q = %d %s, want %d", tt.path, tt.token, code, body, tt.status)
		}
		if code == 401 && !strings.Contains(body, `"error"`) {
			t.Errorf("401 body is not a JSON error: %s", body)
		}
	}
}
