package router

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The differential tests compare the router with a real redis-server 7.0,
// the reference implementation of everything this package ports. One
// server is started per test binary, on first use, and stopped by
// TestMain; without redis-server on PATH those tests skip.

func TestMain(m *testing.M) {
	code := m.Run()
	reference.stop()
	os.Exit(code)
}

var reference sharedServer

type sharedServer struct {
	once sync.Once
	srv  *redisServer
	err  error
}

func (r *sharedServer) stop() {
	if r.srv != nil {
		r.srv.stop()
	}
}

// referenceServer returns the shared redis-server 7.0, skipping t when
// there is none to compare with.
func referenceServer(t testing.TB) *redisServer {
	t.Helper()
	requireRedisServer(t)
	reference.once.Do(func() { reference.srv, reference.err = startRedis() })
	if reference.err != nil {
		t.Fatalf("start reference redis-server: %v", reference.err)
	}
	return reference.srv
}

func requireRedisServer(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not on PATH: skipping comparison with the reference implementation")
	}
}

type redisServer struct {
	cmd  *exec.Cmd
	dir  string
	addr string
	log  bytes.Buffer
}

// startRedis starts a throwaway redis-server on a free loopback port, with
// no persistence and its own directory, and checks it is a 7.0.
func startRedis(extra ...string) (*redisServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "shardis-router-test-")
	if err != nil {
		return nil, err
	}
	s := &redisServer{dir: dir, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir}, extra...)
	s.cmd = exec.Command("redis-server", args...)
	s.cmd.Stdout, s.cmd.Stderr = &s.log, &s.log
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c, err := s.connect(2)
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("%w\n%s", err, s.log.String())
	}
	defer c.close()
	info, err := c.roundTrip("INFO", "server")
	if err != nil {
		s.stop()
		return nil, err
	}
	if !bytes.Contains(info, []byte("redis_version:7.0.")) {
		s.stop()
		return nil, errors.New("reference redis-server is not 7.0.x, which the command table is generated from")
	}
	return s, nil
}

func (s *redisServer) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	os.RemoveAll(s.dir)
}

// conn is a raw client connection: replies come back as the exact bytes
// the server sent.
type conn struct {
	c  net.Conn
	rd *bufio.Reader
}

func (s *redisServer) connect(proto int) (*conn, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		nc, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			_ = nc.SetDeadline(time.Now().Add(2 * time.Minute))
			c := &conn{c: nc, rd: bufio.NewReader(nc)}
			if proto == 3 {
				if _, err := c.roundTrip("HELLO", "3"); err != nil {
					nc.Close()
					return nil, err
				}
			}
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dial is connect for tests.
func (s *redisServer) dial(t testing.TB, proto int) *conn {
	t.Helper()
	c, err := s.connect(proto)
	if err != nil {
		t.Fatalf("connect to reference redis-server: %v", err)
	}
	t.Cleanup(c.close)
	return c
}

func (c *conn) close() { c.c.Close() }

func (c *conn) send(args ...string) error {
	var b []byte
	b = fmt.Appendf(b, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	_, err := c.c.Write(b)
	return err
}

func (c *conn) roundTrip(args ...string) ([]byte, error) {
	if err := c.send(args...); err != nil {
		return nil, err
	}
	return readReply(c.rd)
}

// do is roundTrip for tests.
func (c *conn) do(t testing.TB, args ...string) []byte {
	t.Helper()
	r, err := c.roundTrip(args...)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return r
}

// readReply returns the raw bytes of exactly one RESP2 or RESP3 reply.
func readReply(rd *bufio.Reader) ([]byte, error) {
	var out []byte
	err := scanReply(rd, &out)
	return out, err
}

func scanReply(rd *bufio.Reader, out *[]byte) error {
	line, err := rd.ReadBytes('\n')
	if err != nil {
		return err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return fmt.Errorf("malformed reply line %q", line)
	}
	*out = append(*out, line...)
	body := string(line[1 : len(line)-2])
	switch line[0] {
	case '+', '-', ':', '_', '#', ',', '(':
		return nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return err // $-1: the RESP2 null has no body
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return err
		}
		*out = append(*out, buf...)
		return nil
	case '*', '~', '%', '>', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := scanReply(rd, out); err != nil {
				return err
			}
		}
		if line[0] == '|' { // an attribute precedes the reply it annotates
			return scanReply(rd, out)
		}
		return nil
	}
	return fmt.Errorf("unknown reply type %q", line)
}

// node is a parsed reply: head is its first line (plus a bulk body) and
// kids are the elements of an aggregate.
type node struct {
	head []byte
	kids []*node
}

func parseReply(b []byte) (*node, error) {
	n, rest, err := parseNode(b)
	if err == nil && len(rest) != 0 {
		err = fmt.Errorf("%d trailing bytes after reply", len(rest))
	}
	return n, err
}

func parseNode(b []byte) (*node, []byte, error) {
	end := bytes.Index(b, []byte("\r\n")) + 2
	if end < 3 {
		return nil, nil, fmt.Errorf("truncated reply %q", b)
	}
	n := &node{head: b[:end]}
	rest := b[end:]
	size, _ := strconv.Atoi(string(b[1 : end-2]))
	switch b[0] {
	case '$', '=', '!':
		if size >= 0 {
			if len(rest) < size+2 {
				return nil, nil, fmt.Errorf("truncated bulk %q", b)
			}
			n.head = b[:end+size+2]
			rest = b[end+size+2:]
		}
	case '*', '~', '%':
		if b[0] == '%' {
			size *= 2
		}
		for i := 0; i < size; i++ {
			k, r, err := parseNode(rest)
			if err != nil {
				return nil, nil, err
			}
			n.kids = append(n.kids, k)
			rest = r
		}
	}
	return n, rest, nil
}

func (n *node) bytes() []byte {
	out := append([]byte(nil), n.head...)
	for _, k := range n.kids {
		out = append(out, k.bytes()...)
	}
	return out
}

// bulk is the payload of a bulk or simple string node.
func (n *node) bulk() string {
	h := string(n.head)
	if h[0] == '$' {
		i := strings.Index(h, "\r\n")
		return h[i+2 : len(h)-2]
	}
	return h[1 : len(h)-2]
}
