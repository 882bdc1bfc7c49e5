package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/admin"
)

// api is a small JSON client for the admin API in tests.
type api struct {
	t     *testing.T
	base  string
	token string
}

func (a api) do(method, path, body string) (int, string) {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// must does a request that must answer status, and decodes the answer.
func (a api) must(method, path, body string, status int, out any) {
	a.t.Helper()
	code, got := a.do(method, path, body)
	if code != status {
		a.t.Fatalf("%s %s: status %d, want %d: %s", method, path, code, status, got)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(got), out); err != nil {
			a.t.Fatalf("%s %s: %v: %s", method, path, err, got)
		}
	}
}

// wait polls a migration until it ends.
func (a api) wait(id int64, d time.Duration) admin.Migration {
	a.t.Helper()
	end := time.Now().Add(d)
	for {
		var m admin.Migration
		a.must("GET", fmt.Sprintf("/v1/migrations/%d", id), "", 200, &m)
		if m.State != "pending" && m.State != "migrating" {
			return m
		}
		if time.Now().After(end) {
			a.t.Fatalf("migration %d still %s after %v: %+v", id, m.State, d, m)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestMigrationAPI(t *testing.T) {
	s := startShardis(t, "--instances", "4", "--admin-token", "tok")
	a := api{t: t, base: s.adminURL(), token: "tok"}
	ctx := context.Background()
	rc := newClient(t, s, 2)
	for i := range 500 {
		if err := rc.Set(ctx, fmt.Sprint("key:", i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}

	var m admin.Migration
	a.must("POST", "/v1/migrations", `{"slots": [[0, 99], [512, 512]], "target": 3}`, 201, &m)
	if m.ID == 0 || m.Target != 3 || m.SlotsTotal != 101 {
		t.Fatalf("created %+v", m)
	}
	if m = a.wait(m.ID, 30*time.Second); m.State != "done" || m.SlotsDone != 101 {
		t.Fatalf("migration ended %+v", m)
	}
	var slots struct {
		Slots     []admin.SlotRange     `json:"slots"`
		Migrating []admin.SlotMigration `json:"migrating"`
	}
	a.must("GET", "/v1/slots", "", 200, &slots)
	if len(slots.Slots) < 3 || slots.Slots[0] != (admin.SlotRange{Start: 0, End: 99, Instance: 3}) || len(slots.Migrating) != 0 {
		t.Errorf("slots after migration: %+v", slots)
	}
	for i := range 500 {
		if got, err := rc.Get(ctx, fmt.Sprint("key:", i)).Int(); err != nil || got != i {
			t.Fatalf("GET key:%d = %d, %v", i, got, err)
		}
	}

	// Paused, a new migration stays pending and holds its slots.
	a.must("POST", "/v1/migrations/pause", "", 200, nil)
	var pending admin.Migration
	a.must("POST", "/v1/migrations", `{"slots": [[200, 299]], "target": 2}`, 201, &pending)
	a.must("GET", "/v1/slots", "", 200, &slots)
	if len(slots.Migrating) != 100 || slots.Migrating[0] != (admin.SlotMigration{Slot: 200, From: 0, To: 2, Migration: pending.ID, State: "pending"}) {
		t.Errorf("slots of a pending migration: %+v", slots.Migrating[:min(2, len(slots.Migrating))])
	}
	for _, c := range []struct {
		name, method, path, body string
		status                   int
		msg                      string
	}{
		{"unknown instance", "POST", "/v1/migrations", `{"slots": [[1, 2]], "target": 7}`, 400, "unknown instance 7"},
		{"slot already migrating", "POST", "/v1/migrations", `{"slots": [[250, 260]], "target": 1}`, 409, "already being migrated"},
		{"empty plan", "POST", "/v1/migrations", `{"slots": [[0, 99]], "target": 3}`, 409, "empty plan"},
		{"bad range", "POST", "/v1/migrations", `{"slots": [[9, 1]], "target": 1}`, 400, "slot range"},
		{"no target", "POST", "/v1/migrations", `{"slots": [[1, 2]]}`, 400, "target"},
		{"no slots", "POST", "/v1/migrations", `{"target": 1}`, 400, "slots"},
		{"unknown field", "POST", "/v1/migrations", `{"slots": [[1, 2]], "target": 1, "x": 1}`, 400, "unknown field"},
		{"not JSON", "POST", "/v1/migrations", `slots=1`, 400, "invalid JSON"},
		{"unknown migration", "GET", "/v1/migrations/999", "", 404, "no such migration"},
		{"bad id", "GET", "/v1/migrations/abc", "", 404, "no migration"},
		{"cancel finished", "POST", fmt.Sprintf("/v1/migrations/%d/cancel", m.ID), "", 409, "already done"},
		{"negative throttle", "PUT", "/v1/migrations/throttle", `{"keys_per_sec": -1}`, 400, "negative"},
		{"bad dry_run", "POST", "/v1/rebalance?dry_run=maybe", "", 400, "dry_run"},
	} {
		code, body := a.do(c.method, c.path, c.body)
		var e struct {
			Error string `json:"error"`
		}
		if code != c.status || json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, c.msg) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, code, body, c.status, c.msg)
		}
	}
	var list struct {
		Paused     bool              `json:"paused"`
		Migrations []admin.Migration `json:"migrations"`
	}
	a.must("GET", "/v1/migrations", "", 200, &list)
	if !list.Paused || len(list.Migrations) != 2 || list.Migrations[1].State != "pending" {
		t.Errorf("list: %+v", list)
	}
	var th admin.Throttle
	a.must("PUT", "/v1/migrations/throttle", `{"keys_per_sec": 1000, "bytes_per_sec": 0}`, 200, &th)
	a.must("GET", "/v1/migrations/throttle", "", 200, &th)
	if th.KeysPerSec != 1000 {
		t.Errorf("throttle %+v", th)
	}
	a.must("PUT", "/v1/migrations/throttle", `{"keys_per_sec": 0}`, 200, nil)
	a.must("POST", fmt.Sprintf("/v1/migrations/%d/cancel", pending.ID), "", 200, &m)
	if m.State != "cancelled" {
		t.Errorf("cancelled pending: %+v", m)
	}
	a.must("POST", "/v1/migrations/resume", "", 200, nil)

	// Rebalance: slot 512 and 0..99 went to 3; the plan evens it out.
	var plan admin.RebalancePlan
	a.must("POST", "/v1/rebalance?dry_run=true", "", 200, &plan)
	if !plan.DryRun || plan.SlotsMoved == 0 || len(plan.Migrations) != 0 || len(plan.Moves) == 0 || plan.Moves[0].Reason == "" {
		t.Fatalf("dry run plan %+v", plan)
	}
	a.must("POST", "/v1/rebalance", "", 201, &plan)
	for _, id := range plan.Migrations {
		if got := a.wait(id, 30*time.Second); got.State != "done" {
			t.Fatalf("rebalance migration %+v", got)
		}
	}
	var insts struct {
		Instances []admin.InstanceInfo `json:"instances"`
	}
	a.must("GET", "/v1/instances", "", 200, &insts)
	for _, in := range insts.Instances {
		if in.Slots != 4096 {
			t.Errorf("after rebalance instance %d has %d slots", in.ID, in.Slots)
		}
	}
	code, body := a.do("POST", "/v1/rebalance", "")
	if code != 409 || !strings.Contains(body, "empty plan") {
		t.Errorf("rebalance of a balanced table: %d %s", code, body)
	}

	code, body = a.do("GET", "/metrics", "")
	done := fmt.Sprintf(`shardis_migrations{state="done"} %d`, 1+len(plan.Migrations))
	for _, want := range []string{done, `shardis_migrations{state="cancelled"} 1`, "shardis_migration_keys_moved_total", "shardis_slots_migrating 0"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	info := rc.Info(ctx, "shardis").Val()
	for _, want := range []string{"migrations_in_progress:0", "migrating_slots:0", "migration_keys_moved:"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO shardis lacks %q:\n%s", want, info)
		}
	}

	// Slots in flight show per slot, in /v1/slots, /metrics and INFO.
	a.must("PUT", "/v1/migrations/throttle", `{"keys_per_sec": 1}`, 200, nil)
	var slow admin.Migration
	a.must("POST", "/v1/migrations", `{"slots": [[4096, 8191]], "target": 0}`, 201, &slow)
	inFlight := func() (admin.SlotMigration, bool) {
		a.must("GET", "/v1/slots", "", 200, &slots)
		for _, sm := range slots.Migrating {
			if sm.State == "migrating" {
				return sm, true
			}
		}
		return admin.SlotMigration{}, false
	}
	for end := time.Now().Add(10 * time.Second); ; {
		if _, ok := inFlight(); ok {
			break
		}
		if time.Now().After(end) {
			t.Fatal("no slot in flight")
		}
	}
	// Paused, the mover parks before its next batch (within the
	// throttle's longest nap), leaving its group in flight.
	a.must("POST", "/v1/migrations/pause", "", 200, nil)
	time.Sleep(300 * time.Millisecond)
	inflight, ok := inFlight()
	if !ok {
		t.Fatal("no slot in flight once paused")
	}
	_, body = a.do("GET", "/metrics", "")
	if want := fmt.Sprintf(`shardis_slot_migrating{from="1",slot="%d",to="0"} 1`, inflight.Slot); !strings.Contains(body, want) {
		t.Errorf("/metrics lacks %s", want)
	}
	info = rc.Info(ctx, "shardis").Val()
	for _, want := range []string{"migrations_in_progress:1", fmt.Sprintf("migrating_slot%d:from=1,to=0", inflight.Slot)} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO shardis lacks %q:\n%s", want, info)
		}
	}
	a.must("POST", fmt.Sprintf("/v1/migrations/%d/cancel", slow.ID), "", 200, nil)
	a.must("PUT", "/v1/migrations/throttle", `{"keys_per_sec": 0}`, 200, nil)
	a.must("POST", "/v1/migrations/resume", "", 200, nil)
	if m := a.wait(slow.ID, 30*time.Second); m.State != "cancelled" {
		t.Errorf("cancelled migration ended %s", m.State)
	}
}

func TestAdminCLI(t *testing.T) {
	s := startShardis(t, "--instances", "4", "--admin-token", "tok")
	rc := newClient(t, s, 2)
	for i := range 300 {
		rc.Set(context.Background(), fmt.Sprint("k", i), i, 0)
	}
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := runAdmin(append([]string{"-addr", s.adminURL(), "-token", "tok"}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := run("migrate", "-slots", "0-999,4096", "-target", "2")
	if code != 0 || !strings.Contains(out, "100% done") || !strings.Contains(out, "slots 1001/1001") {
		t.Errorf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut = run("migrate", "-slots", "1-2", "-target", "9"); code != 1 || !strings.Contains(errOut, "unknown instance 9 (instances are 0..3) (HTTP 400)") {
		t.Errorf("migrate to an unknown instance: exit %d, %s", code, errOut)
	}
	code, out, errOut = run("status")
	if code != 0 || !strings.Contains(out, "migration 1: done, slots 0-999,4096 to instance 2, 1001/1001 slots") {
		t.Errorf("status: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run("rebalance", "-dry-run")
	if code != 0 || !strings.Contains(out, "instance 2 -> ") {
		t.Errorf("rebalance -dry-run: exit %d\n%s", code, out)
	}
	if code, out, errOut = run("rebalance"); code != 0 || !strings.Contains(out, "100% done") {
		t.Errorf("rebalance: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ = run("throttle", "-keys", "500"); code != 0 || !strings.Contains(out, "500 keys/s") {
		t.Errorf("throttle: %d %s", code, out)
	}
	// A cancelled migration is a failure for the CLI.
	run("pause")
	code, out, _ = run("migrate", "-slots", "100-200", "-target", "3", "-detach")
	var id int
	if _, err := fmt.Sscanf(out, "migration %d queued", &id); code != 0 || err != nil {
		t.Fatalf("migrate -detach: %d %s", code, out)
	}
	run("cancel", fmt.Sprint(id))
	if code, _, errOut = run("wait", fmt.Sprint(id)); code != 1 || !strings.Contains(errOut, fmt.Sprintf("migration %d cancelled", id)) {
		t.Errorf("wait on a cancelled migration: exit %d, %s", code, errOut)
	}
	if code, _, _ = run("frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

func TestInstancesAPI(t *testing.T) {
	s := startShardis(t, "--instances", "3", "--max-instances", "4", "--sharding", "ring")
	a := api{t: t, base: s.adminURL()}
	ctx := context.Background()
	rc := newClient(t, s, 2)
	for i := range 1000 {
		rc.Set(ctx, fmt.Sprint("k", i), i, 0)
	}
	var ch admin.InstanceChange
	a.must("POST", "/v1/instances", "", 201, &ch)
	if ch.Instance != 3 || ch.Instances != 4 || len(ch.Migrations) == 0 {
		t.Fatalf("add: %+v", ch)
	}
	for _, id := range ch.Migrations {
		if m := a.wait(id, 30*time.Second); m.State != "done" || m.Target != 3 {
			t.Fatalf("%+v", m)
		}
	}
	var insts struct {
		Instances []admin.InstanceInfo `json:"instances"`
	}
	a.must("GET", "/v1/instances", "", 200, &insts)
	if len(insts.Instances) != 4 || insts.Instances[3].Slots == 0 || insts.Instances[3].Keys == 0 {
		t.Errorf("instances after add: %+v", insts.Instances)
	}
	code, body := a.do("POST", "/v1/instances", "")
	if code != 409 || !strings.Contains(body, "max-instances") {
		t.Errorf("add past max-instances: %d %s", code, body)
	}
	// The CLI drains an instance and follows the migrations.
	var out, errOut bytes.Buffer
	if code := runAdmin([]string{"-addr", s.adminURL(), "remove-instance", "0"}, &out, &errOut); code != 0 {
		t.Fatalf("remove-instance: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	a.must("GET", "/v1/instances", "", 200, &insts)
	if insts.Instances[0].Slots != 0 || insts.Instances[0].Keys != 0 {
		t.Errorf("removed instance: %+v", insts.Instances[0])
	}
	for _, c := range []struct {
		path   string
		status int
	}{{"/v1/instances/0", 409}, {"/v1/instances/9", 404}, {"/v1/instances/x", 404}} {
		if code, body := a.do("DELETE", c.path, ""); code != c.status {
			t.Errorf("DELETE %s: %d %s, want %d", c.path, code, body, c.status)
		}
	}
	for i := range 1000 {
		if got, err := rc.Get(ctx, fmt.Sprint("k", i)).Int(); err != nil || got != i {
			t.Fatalf("k%d = %d, %v", i, got, err)
		}
	}
}
