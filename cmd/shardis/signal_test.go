package main

import (
	"bufio"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binaryServer is the real shardis binary serving on a loopback port,
// its log lines arriving on lines.
type binaryServer struct {
	cmd   *exec.Cmd
	conn  *rawConn
	lines chan string
}

// startBinary builds the binary and starts it with args added to a free
// port, no admin API and a temporary dir.
func startBinary(t *testing.T, args ...string) *binaryServer {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "shardis")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	l.Close()
	cmd := exec.Command(bin, append([]string{"--port", port, "--admin-port", "-1", "--dir", t.TempDir()}, args...)...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var conn net.Conn
	for i := 0; i < 100; i++ {
		if conn, err = net.Dial("tcp", addr); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("never listened: %v", err)
	}
	return &binaryServer{cmd: cmd, conn: &rawConn{t: t, c: conn, rd: bufio.NewReader(conn)}, lines: lines}
}

// waitLog reads log lines until one contains every part, for up to 10 s.
func (b *binaryServer) waitLog(t *testing.T, parts ...string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-b.lines:
			if !ok {
				t.Fatalf("log ended before a line with %q", parts)
			}
			if containsAll(l, parts) {
				return
			}
		case <-deadline:
			t.Fatalf("no log line with %q within 10s", parts)
		}
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestSignalShutdown builds the real binary, serves a client, and checks
// SIGTERM shuts it down cleanly (exit status 0, "bye" logged).
func TestSignalShutdown(t *testing.T) {
	b := startBinary(t)
	if got := b.conn.do("SET", "k", "v"); got != "+OK\r\n" {
		t.Fatalf("SET = %q", got)
	}
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The log is read to its end (the process exited) before Wait, which
	// closes the pipe: a read still pending then would lose the last lines.
	var log []string
	timeout := time.After(15 * time.Second)
	for open := true; open; {
		select {
		case l, ok := <-b.lines:
			if open = ok; ok {
				log = append(log, l)
			}
		case <-timeout:
			t.Fatal("shardis did not exit within 15s of SIGTERM")
		}
	}
	if err := b.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if !strings.Contains(strings.Join(log, "\n"), `"msg":"bye"`) {
		t.Fatalf("no clean-shutdown log line:\n%s", strings.Join(log, "\n"))
	}
}
