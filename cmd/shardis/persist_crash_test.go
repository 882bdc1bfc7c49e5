package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildShardis builds the real binary once per test binary run.
func buildShardis(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "shardis-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "shardis")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// spawn starts the binary and waits until it accepts connections.
func spawn(t *testing.T, bin, port string, args ...string) *exec.Cmd {
	t.Helper()
	// A later --admin-port in args wins over this one.
	cmd := exec.Command(bin, append([]string{"--port", port, "--admin-port", "-1"}, args...)...)
	cmd.Stderr = os.Stderr
	if !testing.Verbose() {
		cmd.Stderr = nil
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A failing test must not leave a server behind.
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	for i := 0; i < 400; i++ {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			return cmd
		}
		time.Sleep(25 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Fatal("shardis never accepted connections")
	return nil
}

// crashWorker is one client's acknowledged and attempted writes.
type crashWorker struct {
	counterAcked, counterTried int64
	setsAcked, setsTried       int // SET w:i for i < setsAcked were acknowledged
	ackTimes                   []time.Time
}

func crashClient(port string) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + port, MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, PoolSize: 1})
}

// runCrashCycles kills shardis with SIGKILL while clients write, restarts
// it and checks what survived. It returns, per cycle, how many
// acknowledged SETs were missing after the restart.
func runCrashCycles(t *testing.T, fsync string, cycles int) (lost []int, window []time.Duration) {
	bin := buildShardis(t)
	dir := t.TempDir()
	args := []string{"--dir", dir, "--appendonly", "yes", "--appendfsync", fsync, "--instances", "16"}
	const workers = 6
	ws := make([]*crashWorker, workers)
	for i := range ws {
		ws[i] = &crashWorker{}
	}
	ctx := context.Background()
	for cycle := 0; cycle < cycles; cycle++ {
		port := freePort(t)
		cmd := spawn(t, bin, port, args...)
		// Check the previous cycle's acknowledged writes first.
		c := crashClient(port)
		cycleLost := 0
		var cycleWindow time.Duration
		for w, st := range ws {
			n, err := c.Get(ctx, fmt.Sprintf("cnt:{%d}", w)).Int64()
			if err == redis.Nil {
				n = 0
			} else if err != nil {
				t.Fatalf("cycle %d: GET counter: %v", cycle, err)
			}
			if n > st.counterTried || (fsync == "always" && n < st.counterAcked) {
				t.Fatalf("cycle %d worker %d: counter %d, acknowledged %d, tried %d", cycle, w, n, st.counterAcked, st.counterTried)
			}
			st.counterAcked, st.counterTried = n, n
			present := 0
			for i := 0; i < st.setsTried+5; i++ {
				got, err := c.Get(ctx, fmt.Sprintf("set:%d:%d", w, i)).Result()
				switch {
				case err == redis.Nil:
					if i < st.setsAcked {
						if fsync == "always" {
							t.Fatalf("cycle %d: acknowledged set:%d:%d missing", cycle, w, i)
						}
						cycleLost++
					}
				case err != nil:
					t.Fatalf("cycle %d: GET: %v", cycle, err)
				case got != fmt.Sprintf("v%d-%d", w, i) || i >= st.setsTried:
					t.Fatalf("cycle %d: set:%d:%d = %q: garbage (tried %d)", cycle, w, i, got, st.setsTried)
				default:
					present = i + 1
				}
			}
			if present < st.setsAcked && present > 0 {
				if d := st.ackTimes[st.setsAcked-1].Sub(st.ackTimes[present-1]); d > cycleWindow {
					cycleWindow = d
				}
			}
			// Start again after what is there, so every index is written once.
			// An unacknowledged SET that did not survive is written again.
			st.setsTried = present
			st.setsAcked = present
			for len(st.ackTimes) < st.setsTried {
				st.ackTimes = append(st.ackTimes, time.Time{})
			}
			st.ackTimes = st.ackTimes[:st.setsTried]
		}
		c.Close()
		if cycle > 0 {
			lost = append(lost, cycleLost)
			window = append(window, cycleWindow)
		}
		if cycle == cycles-1 {
			cmd.Process.Kill()
			cmd.Wait()
			break
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := range ws {
			wg.Add(1)
			go func(w int, st *crashWorker) {
				defer wg.Done()
				c := crashClient(port)
				defer c.Close()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if i%2 == 0 {
						st.counterTried++
						n, err := c.Incr(ctx, fmt.Sprintf("cnt:{%d}", w)).Result()
						if err != nil {
							return
						}
						st.counterAcked = n
					} else {
						idx := st.setsTried
						st.setsTried++
						if err := c.Set(ctx, fmt.Sprintf("set:%d:%d", w, idx), fmt.Sprintf("v%d-%d", w, idx), 0).Err(); err != nil {
							return
						}
						st.setsAcked = idx + 1
						st.ackTimes = append(st.ackTimes, time.Now())
					}
				}
			}(w, ws[w])
		}
		time.Sleep(time.Duration(150+cycle*37%200) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		close(stop)
		wg.Wait()
		total := 0
		for _, st := range ws {
			total += st.setsAcked
		}
		t.Logf("cycle %d (%s): killed with %d acknowledged SETs in total", cycle, fsync, total)
	}
	return lost, window
}

// TestCrashAlways: with appendfsync always, every acknowledged INCR and
// SET survives SIGKILL, ten times over, and nothing unacknowledged
// beyond the one in-flight command appears.
func TestCrashAlways(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it ten times")
	}
	lost, _ := runCrashCycles(t, "always", 11)
	for i, n := range lost {
		if n != 0 {
			t.Fatalf("cycle %d lost %d acknowledged writes", i, n)
		}
	}
}

// TestCrashEverysec measures what everysec loses to SIGKILL (the kernel
// keeps what was written, so only the user-space buffer is at risk).
func TestCrashEverysec(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it")
	}
	lost, window := runCrashCycles(t, "everysec", 4)
	for i := range lost {
		t.Logf("everysec cycle %d: %d acknowledged SETs lost, loss window %v", i, lost[i], window[i])
		if window[i] > 1500*time.Millisecond {
			t.Errorf("everysec lost %v of writes, more than about a second", window[i])
		}
	}
}
