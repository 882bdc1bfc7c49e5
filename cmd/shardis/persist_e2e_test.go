package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sys/unix"
)

// startWithOneAOF builds and starts shardis with one instance and its
// append-only file under fsync, and sets "before" to 1 through the client
// it returns. Its arguments restart the server on the same files.
func startWithOneAOF(t *testing.T, fsync string) (bin, dir string, args []string, cmd *exec.Cmd, c *redis.Client) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, dir = buildShardis(t), t.TempDir()
	port := freePort(t)
	args = []string{"--dir", dir, "--appendonly", "yes", "--appendfsync", fsync, "--instances", "1"}
	cmd = spawn(t, bin, port, args...) // spawn's cleanup kills it
	c = crashClient(port)
	t.Cleanup(func() { c.Close() })
	if err := c.Set(context.Background(), "before", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	return bin, dir, args, cmd, c
}

// killAndRestart SIGKILLs cmd, starts bin with args again on a new port
// and returns a client of it.
func killAndRestart(t *testing.T, cmd *exec.Cmd, bin string, args []string) *redis.Client {
	t.Helper()
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	port := freePort(t)
	spawn(t, bin, port, args...)
	c := crashClient(port)
	t.Cleanup(func() { c.Close() })
	return c
}

// TestDiskFullMISCONF runs shardis with a file-size limit (RLIMIT_FSIZE,
// set on the running process, as a full disk): once the append-only file
// cannot grow, writes are refused with Redis's MISCONF while reads are
// served; when the limit is lifted writes are accepted again, and after a
// SIGKILL every acknowledged write is there.
func TestDiskFullMISCONF(t *testing.T) {
	bin, dir, args, cmd, c := startWithOneAOF(t, "everysec")
	ctx := context.Background()
	time.Sleep(100 * time.Millisecond)
	files, _ := filepath.Glob(filepath.Join(dir, "appendonlydir", "*.aof"))
	st, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	lim := unix.Rlimit{Cur: uint64(st.Size()) + 4096, Max: unix.RLIM_INFINITY}
	if err := unix.Prlimit(cmd.Process.Pid, unix.RLIMIT_FSIZE, &lim, nil); err != nil {
		t.Skipf("prlimit: %v", err)
	}
	acked := 0
	var refusal string
	value := strings.Repeat("v", 100)
	for i := 0; i < 2000; i++ {
		err := c.Set(ctx, fmt.Sprintf("k%d", i), value, 0).Err()
		if err != nil {
			refusal = err.Error()
			break
		}
		acked++
		time.Sleep(time.Millisecond)
	}
	want := "MISCONF Errors writing to the AOF file: File too large"
	if refusal != want {
		t.Fatalf("after %d writes: error %q, want %q", acked, refusal, want)
	}
	if got, err := c.Get(ctx, "before").Result(); err != nil || got != "1" {
		t.Fatalf("GET while writes fail = %q, %v", got, err)
	}
	if err := c.Ping(ctx).Err(); err == nil || err.Error() != want {
		t.Fatalf("PING while writes fail = %v, want %q as Redis", err, want)
	}
	info, _ := c.Info(ctx, "persistence").Result()
	if !strings.Contains(info, "aof_last_write_status:err") {
		t.Fatalf("INFO persistence while failing:\n%s", info)
	}
	lim.Cur = unix.RLIM_INFINITY
	if err := unix.Prlimit(cmd.Process.Pid, unix.RLIMIT_FSIZE, &lim, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := c.Set(ctx, "after", "y", 0).Err()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("writes still refused after the disk recovered: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	c2 := killAndRestart(t, cmd, bin, args)
	for i := 0; i < acked; i++ {
		if got, err := c2.Get(ctx, fmt.Sprintf("k%d", i)).Result(); err != nil || got != value {
			t.Fatalf("acknowledged k%d after restart: %q, %v", i, got, err)
		}
	}
	if got, _ := c2.Get(ctx, "after").Result(); got != "y" {
		t.Fatalf("after = %q", got)
	}
	t.Logf("%d writes acknowledged before the limit, all present after SIGKILL", acked)
}

// TestCheckAOF damages a real append-only file and checks check-aof
// finds the first bad offset and, with --fix, truncates there.
func TestCheckAOF(t *testing.T) {
	dir := t.TempDir()
	s := startShardis(t, "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--instances", "1")
	c := redis.NewClient(&redis.Options{Addr: s.respAddr()})
	defer c.Close()
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		c.Set(ctx, fmt.Sprint("k", i), "v", 0)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "appendonlydir", "*.aof"))
	file := files[0]
	data, _ := os.ReadFile(file)
	good := len(data)
	var out bytes.Buffer
	if err := checkAOF([]string{file}, &out); err != nil || !strings.Contains(out.String(), "is valid") {
		t.Fatalf("valid file: %v\n%s", err, out.String())
	}
	os.WriteFile(file, append(data, "*2\r\n$3\r\nDEL\r\n$2\r\nk"...), 0o644)
	out.Reset()
	if err := checkAOF([]string{file}, &out); err == nil || !strings.Contains(out.String(), fmt.Sprintf("ok_up_to=%d", good)) {
		t.Fatalf("torn file: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := checkAOF([]string{"--fix", file}, &out); err != nil {
		t.Fatalf("--fix: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("to %d bytes", good)) {
		t.Fatalf("--fix did not say what it drops:\n%s", out.String())
	}
	if st, _ := os.Stat(file); st.Size() != int64(good) {
		t.Fatalf("after --fix the file is %d bytes, want %d", st.Size(), good)
	}
	// Garbage in the middle is reported at its offset.
	os.WriteFile(file, append(append(data[:good:good], "xx\r\n"...), data...), 0o644)
	out.Reset()
	if err := checkAOF([]string{file}, &out); err == nil || !strings.Contains(out.String(), fmt.Sprintf("offset %d", good)) {
		t.Fatalf("corrupt file: %v\n%s", err, out.String())
	}
}

// TestPersistenceCommandsInfoAdmin: BGREWRITEAOF, BGSAVE, LASTSAVE, INFO
// persistence with Redis's field names, and GET /v1/persistence.
func TestPersistenceCommandsInfoAdmin(t *testing.T) {
	dir := t.TempDir()
	s := startShardis(t, "--dir", dir, "--appendonly", "yes", "--instances", "4")
	r := dialRaw(t, s.respAddr())
	r.do("SET", "k", "v")
	if got := r.do("BGREWRITEAOF"); got != "+Background append only file rewriting started\r\n" {
		t.Fatalf("BGREWRITEAOF = %q", got)
	}
	if got := r.do("BGSAVE"); got != "+Background saving started\r\n" && got != "-ERR Background save already in progress\r\n" {
		t.Fatalf("BGSAVE = %q", got)
	}
	if got := r.do("SAVE"); got != "+OK\r\n" && got != "-ERR Background save already in progress\r\n" {
		t.Fatalf("SAVE = %q", got)
	}
	if got := r.do("LASTSAVE"); !strings.HasPrefix(got, ":1") {
		t.Fatalf("LASTSAVE = %q", got)
	}
	info := r.do("INFO", "persistence")
	for _, f := range []string{"aof_enabled:1", "aof_rewrite_in_progress:", "aof_last_write_status:ok",
		"rdb_last_save_time:", "rdb_changes_since_last_save:", "aof_current_size:", "aof_base_size:",
		"rdb_last_bgsave_status:ok", "aof_last_bgrewrite_status:ok"} {
		if !strings.Contains(info, f) {
			t.Errorf("INFO persistence lacks %q:\n%s", f, info)
		}
	}
	resp, err := http.Get(s.adminURL() + "/v1/persistence")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Instances []struct {
			ID         int    `json:"id"`
			AOFEnabled bool   `json:"aof_enabled"`
			AOFFile    string `json:"aof_file"`
		} `json:"instances"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /v1/persistence: %d %v", resp.StatusCode, err)
	}
	if len(body.Instances) != 4 || !body.Instances[3].AOFEnabled || !strings.HasSuffix(body.Instances[3].AOFFile, "appendonly-03.aof") {
		t.Fatalf("GET /v1/persistence = %+v", body)
	}
}

// TestPartialKeySpecsRouteAndPersist: a command whose key specs do not all fit
// its arguments (PFMERGE with a destination only: COMMAND GETKEYS reports
// no keys) still writes its key on the key's own instance, under its lock,
// and into that instance's append-only file.
func TestPartialKeySpecsRouteAndPersist(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildShardis(t)
	dir := t.TempDir()
	args := []string{"--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--instances", "8"}
	port := freePort(t)
	cmd := spawn(t, bin, port, args...)
	ctx := context.Background()
	c := crashClient(port)
	for _, k := range []string{"hll:a", "hll:b", "hll:c"} {
		if got, err := c.Do(ctx, "PFMERGE", k).Result(); err != nil || got != "OK" {
			t.Fatalf("PFMERGE %s = %v, %v", k, got, err)
		}
	}
	c.Close()
	c2 := killAndRestart(t, cmd, bin, args)
	if got, err := c2.Exists(ctx, "hll:a", "hll:b", "hll:c").Result(); err != nil || got != 3 {
		t.Fatalf("EXISTS after restart = %d, %v; want 3", got, err)
	}
	if got, err := c2.PFCount(ctx, "hll:b").Result(); err != nil || got != 0 {
		t.Fatalf("PFCOUNT after restart = %d, %v; want 0", got, err)
	}
}

// TestDiskFullAlwaysHoldsReplies: under appendfsync always a write whose
// commit fails is not acknowledged. Its reply waits while the disk is
// full (reads are served, further writes get MISCONF), comes once the
// disk recovers, and the write survives a SIGKILL after that.
func TestDiskFullAlwaysHoldsReplies(t *testing.T) {
	bin, _, args, cmd, c := startWithOneAOF(t, "always")
	ctx := context.Background()
	// Every file the server writes is now over the limit.
	lim := unix.Rlimit{Cur: 16, Max: unix.RLIM_INFINITY}
	if err := unix.Prlimit(cmd.Process.Pid, unix.RLIMIT_FSIZE, &lim, nil); err != nil {
		t.Skipf("prlimit: %v", err)
	}
	held := redis.NewClient(&redis.Options{Addr: c.Options().Addr, MaxRetries: -1, ReadTimeout: 20 * time.Second, PoolSize: 1})
	defer held.Close()
	value := strings.Repeat("h", 100)
	replied := make(chan error, 1)
	go func() { replied <- held.Set(ctx, "held", value, 0).Err() }()
	select {
	case err := <-replied:
		t.Fatalf("SET replied %v while its commit could not be written", err)
	case <-time.After(300 * time.Millisecond):
	}
	if got, err := c.Get(ctx, "before").Result(); err != nil || got != "1" {
		t.Fatalf("GET while the disk is full = %q, %v", got, err)
	}
	want := "MISCONF Errors writing to the AOF file: File too large"
	if err := c.Set(ctx, "refused", "x", 0).Err(); err == nil || err.Error() != want {
		t.Fatalf("SET while the disk is full: %v, want %q", err, want)
	}
	lim.Cur = unix.RLIM_INFINITY
	if err := unix.Prlimit(cmd.Process.Pid, unix.RLIMIT_FSIZE, &lim, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-replied:
		if err != nil {
			t.Fatalf("held SET after the disk recovered: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("held SET got no reply after the disk recovered")
	}
	c2 := killAndRestart(t, cmd, bin, args)
	if got, err := c2.Get(ctx, "held").Result(); err != nil || got != value {
		t.Fatalf("held after SIGKILL and restart = %q, %v", got, err)
	}
	if n, _ := c2.Exists(ctx, "refused").Result(); n != 0 {
		t.Fatal("the refused SET is there after restart")
	}
}
