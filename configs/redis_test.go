package configs

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRedisDifferential sends the same CONFIG SET and CONFIG GET to a real
// redis-server and to a Config, and requires identical replies and
// identical values afterwards.
//
// It covers the settings both have with the same mutability. Left out:
// port, bind, dir and loglevel, which Redis changes at run time and
// shardis refuses as immutable; requirepass, which would lock the test
// out; maxclients above the process's file limit, which Redis refuses
// after trying to raise it; and client-output-buffer-limit soft seconds of
// 2^31 or more, which Redis truncates to an int (2^32 becomes 0) and
// shardis rejects.
func TestRedisDifferential(t *testing.T) {
	r := startRedis(t)
	c := Default()
	shared := []string{"maxclients", "proto-max-bulk-len", "client-query-buffer-limit",
		"client-output-buffer-limit", "timeout", "hz", "hash-max-listpack-entries", "hash-max-listpack-value",
		"set-max-intset-entries", "zset-max-listpack-entries", "zset-max-listpack-value", "list-max-listpack-size",
		"list-compress-depth", "hll-sparse-max-bytes", "stream-node-max-bytes", "stream-node-max-entries",
		"maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity", "lfu-log-factor", "lfu-decay-time"}
	// Start both from shardis's defaults.
	for _, p := range c.Get(shared...) {
		if got := r.do(t, "CONFIG", "SET", p[0], p[1]); got != "OK" {
			t.Fatalf("redis CONFIG SET %s %q: %v", p[0], p[1], got)
		}
	}

	sets := [][]string{
		{"maxclients", "50"}, {"MaxClients", "51", "timeout", "5"}, {"maxclients", "0"}, {"maxclients", "-1"},
		{"maxclients", "05"}, {"maxclients", "+5"}, {"maxclients", " 5"}, {"maxclients", "1.5"}, {"maxclients", ""},
		{"maxclients", "99999999999999999999"}, {"maxclients", "4294967296"}, {"maxclients", "10000"},
		{"timeout", "-1"}, {"timeout", "2147483648"}, {"timeout", "0"},
		{"hz", "0"}, {"hz", "1000"}, {"hz", "10"}, {"HZ", "abc"}, {"hz", "5", "HZ", "6"}, {"hz", "7", "timeout", "-1"},
		{"proto-max-bulk-len", "1k"}, {"proto-max-bulk-len", ""}, {"proto-max-bulk-len", "mb"},
		{"proto-max-bulk-len", "1x"}, {"proto-max-bulk-len", "-5mb"}, {"proto-max-bulk-len", "1.5mb"},
		{"proto-max-bulk-len", " 1mb"}, {"proto-max-bulk-len", "1MB"}, {"proto-max-bulk-len", "1048576B"},
		{"proto-max-bulk-len", "0001mb"}, {"proto-max-bulk-len", "1g"}, {"proto-max-bulk-len", "18446744073709551615"},
		{"proto-max-bulk-len", "99999999999999999999"}, {"proto-max-bulk-len", "99999999999999999999kb"},
		{"proto-max-bulk-len", strings.Repeat("1", 130)}, {"proto-max-bulk-len", "9223372036854775807"},
		{"proto-max-bulk-len", "512mb"},
		{"client-query-buffer-limit", "1k"}, {"client-query-buffer-limit", "2g"}, {"client-query-buffer-limit", "1gb"},
		{"client-output-buffer-limit", "normal 1 2"}, {"client-output-buffer-limit", "normal 1 2 x"},
		{"client-output-buffer-limit", "foo 1 2 3"}, {"client-output-buffer-limit", "master 1 2 3"},
		{"client-output-buffer-limit", "normal 1mb 2k 3"}, {"client-output-buffer-limit", "normal 1mb 2k -3"},
		{"client-output-buffer-limit", "normal -1mb 2k 3"}, {"client-output-buffer-limit", "normal 1xb 2k 3"},
		{"client-output-buffer-limit", "replica 1mb 2k 3"}, {"client-output-buffer-limit", ""},
		{"client-output-buffer-limit", "Slave 1 2 3"}, {"client-output-buffer-limit", "NORMAL 5 5 5"},
		{"client-output-buffer-limit", "normal  1 2 3"}, {"client-output-buffer-limit", "normal 1  2"},
		{"client-output-buffer-limit", "normal 1 2 "}, {"client-output-buffer-limit", "normal 1 2 +7"},
		{"client-output-buffer-limit", "normal 1 2 3 "}, {"client-output-buffer-limit", "normal 1 2 3.5"},
		{"client-output-buffer-limit", "normal 1 2 99999999999999999999"},
		{"client-output-buffer-limit", "normal 1 2 3 pubsub 1 2 x"},
		{"client-output-buffer-limit", "pubsub 18446744073709551615 0 0"},
		{"nosuch", "1"}, {"timeout", "-1", "nosuch", "1"}, {"nosuch", "1", "timeout", "-1"},
		{"databases", "10"}, {"DATABASES", "abc"}, {"databases", "3", "timeout", "-1"}, {"timeout", "-1", "databases", "3"},
		{"databases", "1", "databases", "2"}, {"logfile", "x"}, {"io-threads", "2"},
		{"hz", "5", "timeout"},
		{"hash-max-listpack-entries", "1kb"}, {"hash-max-ziplist-entries", "x"}, {"hash-max-ziplist-entries", "-1"},
		{"hash-max-ziplist-entries", "7"}, {"hash-max-listpack-entries", "8", "hash-max-ziplist-entries", "9"},
		{"hash-max-listpack-value", "1kb"}, {"HASH-MAX-ZIPLIST-VALUE", "2k"}, {"hash-max-listpack-value", "-1"},
		{"set-max-intset-entries", "1kb"}, {"set-max-intset-entries", "0"}, {"set-max-intset-entries", "9223372036854775807"},
		{"zset-max-listpack-entries", "3"}, {"zset-max-ziplist-value", "1mb"}, {"zset-max-ziplist-entries", "x"},
		{"list-max-listpack-size", "-6"}, {"list-max-ziplist-size", "1kb"}, {"list-max-listpack-size", "-2147483649"},
		{"list-max-listpack-size", "-2147483648"}, {"list-compress-depth", "-1"}, {"list-compress-depth", "3"},
		{"hll-sparse-max-bytes", "1kb"}, {"hll-sparse-max-bytes", "-1"}, {"stream-node-max-bytes", "0"},
		{"stream-node-max-entries", "1kb"}, {"stream-node-max-entries", "-1"}, {"stream-node-max-entries", "50"},
		{"maxmemory", "1gb"}, {"maxmemory", "-1"}, {"maxmemory", "100MB"}, {"maxmemory", "x"}, {"maxmemory", "0"},
		{"maxmemory-policy", "allkeys-lru"}, {"maxmemory-policy", "ALLKEYS-LFU"}, {"maxmemory-policy", "lru"},
		{"maxmemory-policy", ""}, {"maxmemory-policy", "volatile-ttl", "maxmemory-samples", "10"},
		{"maxmemory-policy", "noeviction"}, {"maxmemory-samples", "0"}, {"maxmemory-samples", "2147483648"},
		{"maxmemory-samples", "64"}, {"maxmemory-eviction-tenacity", "101"}, {"maxmemory-eviction-tenacity", "-1"},
		{"maxmemory-eviction-tenacity", "100"}, {"lfu-log-factor", "-1"}, {"lfu-log-factor", "0"},
		{"lfu-decay-time", "1kb"}, {"lfu-decay-time", "-1"}, {"lfu-decay-time", "0"},
	}
	for _, pairs := range sets {
		want := r.do(t, append([]string{"CONFIG", "SET"}, pairs...)...)
		got := "OK"
		if err := c.Set(pairs...); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("CONFIG SET %q:\nshardis %q\nredis   %q", pairs, got, want)
		}
		if got, want := sorted(c.Get(shared...)), r.getPairs(t, shared...); !reflect.DeepEqual(got, want) {
			t.Fatalf("after CONFIG SET %q the values differ:\nshardis %q\nredis   %q", pairs, got, want)
		}
	}

	gets := [][]string{
		{"maxclients"}, {"MAXCLIENTS"}, {"*buffer-limit"}, {"proto-max-*"}, {"h?", "[h]z", "HZ"},
		{"timeout", "TIMEOUT"}, {"hz", "maxclients", "hz"}, {"databases", "io-threads"}, {"nosuch"},
		{"*ziplist*"}, {"hash-max-*"}, {"hash-max-ziplist-entries", "hash-max-listpack-entries"},
		{"HASH-MAX-ZIPLIST-VALUE"}, {"*-max-*-entries"}, {"list-*"}, {"stream-*"},
		{"maxmemory"}, {"MAXMEMORY-POLICY", "maxmemory-samples"}, {"lfu-*"}, {"maxmemory-eviction-tenacity"},
	}
	for _, patterns := range gets {
		got, want := sorted(c.Get(patterns...)), r.getPairs(t, patterns...)
		if patterns[0] == "databases" {
			// Same names, different values: Redis's io-threads counts
			// the main thread and defaults to 1.
			got, want = names(got), names(want)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("CONFIG GET %q:\nshardis %q\nredis   %q", patterns, got, want)
		}
	}
}

// redis is a connection to a redis-server started for one test.
type redis struct {
	conn net.Conn
	r    *bufio.Reader
}

// startRedis starts redis-server on a free loopback port, or skips the
// test when it is not installed.
func startRedis(t *testing.T) *redis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH (apt-get install redis-server): differential test against Redis 7 skipped")
	}
	// The port is free when chosen but could be taken before Redis binds
	// it, so try a few.
	for attempt := 0; attempt < 3; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		_, port, _ := net.SplitHostPort(addr)
		cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", t.TempDir(), "--logfile", "")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop := func() {
			cmd.Process.Kill()
			<-exited
		}
		if conn := dialRedis(addr, exited); conn != nil {
			t.Cleanup(func() { conn.Close(); stop() })
			return &redis{conn: conn, r: bufio.NewReader(conn)}
		}
		stop()
	}
	t.Fatal("redis-server did not start")
	return nil
}

// dialRedis connects once the server answers, or gives up when it exits
// or after five seconds.
func dialRedis(addr string, exited <-chan struct{}) net.Conn {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return nil
		default:
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			return conn
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// do sends one command and returns its reply in the form Config's API
// uses: "OK", an error's text without the '-', or the elements of an
// array joined by newlines.
func (r *redis) do(t *testing.T, args ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	r.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(r.conn, b.String()); err != nil {
		t.Fatal(err)
	}
	reply, err := r.read()
	if err != nil {
		t.Fatal(err)
	}
	return reply
}

func (r *redis) read() (string, error) {
	line, err := r.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("empty reply line")
	}
	switch line[0] {
	case '+', '-', ':':
		return line[1:], nil
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r.r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return "", err
		}
		elems := make([]string, n)
		for i := range elems {
			if elems[i], err = r.read(); err != nil {
				return "", err
			}
		}
		return strings.Join(elems, "\n"), nil
	}
	return "", fmt.Errorf("unexpected reply %q", line)
}

// getPairs is CONFIG GET, sorted by name.
func (r *redis) getPairs(t *testing.T, patterns ...string) [][2]string {
	t.Helper()
	reply := r.do(t, append([]string{"CONFIG", "GET"}, patterns...)...)
	if reply == "" {
		return nil
	}
	f := strings.Split(reply, "\n")
	var out [][2]string
	for i := 0; i+1 < len(f); i += 2 {
		out = append(out, [2]string{f[i], f[i+1]})
	}
	return sorted(out)
}

func sorted(pairs [][2]string) [][2]string {
	out := slices.Clone(pairs)
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}

func names(pairs [][2]string) [][2]string {
	out := slices.Clone(pairs)
	for i := range out {
		out[i][1] = ""
	}
	return out
}
