package storage

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/storage/glob"
)

// The differential tests run the same commands against a real
// redis-server and against the engine (through the harness) and compare
// the raw reply bytes. Scripted sessions pin known tricky cases; a seeded
// generator explores combinations of the string and keyspace commands
// with edge-case arguments. Time-dependent replies are compared by class
// only: a TTL may differ by a millisecond between two processes.

// redisConn is a minimal RESP client that returns replies unparsed.
type redisConn struct {
	c net.Conn
	r *bufio.Reader
}

// startRedis starts redis-server on a free loopback port for the test, or
// skips the test when it is not installed.
func startRedis(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("differential test against redis-server skipped in -short mode")
	}
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH: differential test against Redis skipped")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd := exec.Command(path, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", port)
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("redis-server did not start on %s", addr)
	return ""
}

func dialRedis(t *testing.T, addr string, proto int) *redisConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rc := &redisConn{c: c, r: bufio.NewReader(c)}
	if proto == 3 {
		rc.do(t, []string{"HELLO", "3"})
	}
	return rc
}

func (rc *redisConn) do(t testing.TB, args []string) []byte {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	rc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := rc.c.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	reply, err := readRawReply(rc.r, nil)
	if err != nil {
		t.Fatalf("reading the reply to %q: %v", args, err)
	}
	return reply
}

// readRawReply appends one complete RESP2/RESP3 reply, as sent, to dst.
func readRawReply(r *bufio.Reader, dst []byte) ([]byte, error) {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return dst, err
	}
	dst = append(dst, line...)
	if len(line) < 3 {
		return dst, fmt.Errorf("short reply line %q", line)
	}
	n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
	switch line[0] {
	case '$', '=', '!':
		if n < 0 {
			return dst, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return dst, err
		}
		return append(dst, buf...), nil
	case '*', '~', '>', '%', '|':
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if dst, err = readRawReply(r, dst); err != nil {
				return dst, err
			}
		}
	}
	return dst, nil
}

// diffSession drives one session on both sides.
type diffSession struct {
	t     testing.TB
	rc    *redisConn
	h     *harness
	proto int
	log   []string
}

func newDiffSession(t testing.TB, rc *redisConn, proto int) *diffSession {
	rc.do(t, []string{"FLUSHALL"})
	rc.do(t, []string{"RPUSH", "list", "a"})
	h := newHarness(t, 4)
	h.now = time.Now().UnixMilli()
	h.putList("list")
	t.Cleanup(func() { checkExpireIndex(t, h.eng) })
	return &diffSession{t: t, rc: rc, h: h, proto: proto}
}

// check runs args on both sides and reports a difference with the session
// that led to it. It returns false after a mismatch.
func (d *diffSession) check(args []string) bool {
	d.t.Helper()
	d.log = append(d.log, quoteArgs(args))
	want := normalize(args, d.rc.do(d.t, args))
	d.h.now = time.Now().UnixMilli()
	got := normalize(args, d.h.exec(d.proto, byteArgs(args)))
	if !bytes.Equal(got, want) {
		d.t.Errorf("RESP%d reply differs from redis-server:\n  got  %q\n  want %q\nsession:\n  %s",
			d.proto, got, want, strings.Join(d.log, "\n  "))
		return false
	}
	return true
}

// normalize reduces time-dependent replies to their class.
func normalize(args []string, reply []byte) []byte {
	switch strings.ToLower(args[0]) {
	case "ttl", "pttl", "expiretime", "pexpiretime":
		if n, err := strconv.ParseInt(string(reply[1:len(reply)-2]), 10, 64); err == nil && n > 0 {
			return []byte(":<positive>\r\n")
		}
	}
	return slices.Clone(reply)
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return strings.Join(q, " ")
}

// diffScripts are sessions written out by hand; each runs from an empty
// keyspace holding only "list", a list.
var diffScripts = [][][]string{
	{{"SET", "k", "v", "NX", "XX"}, {"SET", "k", "v", "GET", "NX"}, {"SET", "k", "w", "GET", "NX"}, {"SET", "list", "v", "GET"},
		{"SET", "list", "v", "GET", "EX", "-5"}, {"SET", "k", "v", "KEEPTTL", "EX", "1"}, {"SET", "k", "v", "nx\x00zz"},
		{"SET", "k", "v", "EX", "0"}, {"SET", "k", "v", "PXAT", "9223372036854775807"}, {"PEXPIRETIME", "k"}, {"EXPIRETIME", "k"}},
	{{"GETEX", "missing", "EX", "-1"}, {"GETEX", "missing", "foo"}, {"GETEX", "list", "EX", "-1"}, {"SET", "s", "1"},
		{"GETEX", "s", "EX", "-1"}, {"GETEX", "s", "EX", "abc"}, {"GETEX", "s", "PERSIST", "EX", "10"}, {"GETEX", "s", "EXAT", "1"}, {"EXISTS", "s"}},
	{{"SET", "a", "ohmytext"}, {"SET", "b", "mynewtext"}, {"LCS", "a", "b"}, {"LCS", "a", "b", "IDX"},
		{"LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}, {"LCS", "a", "b", "IDX", "MINMATCHLEN", "-4", "WITHMATCHLEN", "MINMATCHLEN", "2"},
		{"LCS", "a", "b", "len", "withmatchlen"}, {"LCS", "a", "b", "LEN", "MINMATCHLEN"}, {"LCS", "list", "a", "foo"},
		{"LCS", "a", "a", "MINMATCHLEN", "x"}, {"LCS", "a", "b", "LEN", "IDX"}, {"LCS", "a", "missing", "IDX", "WITHMATCHLEN"}},
	{{"SET", "s", "1"}, {"SETRANGE", "s", "9223372036854775807", "ab"}, {"SETRANGE", "s", "536870911", "ab"},
		{"SETRANGE", "new", "536870911", ""}, {"SETRANGE", "list", "-1", ""}, {"SETRANGE", "list", "0", ""}, {"SETRANGE", "sr", "3", "ab"},
		{"GET", "sr"}, {"OBJECT", "ENCODING", "sr"}, {"GETRANGE", "sr", "-100", "-50"}, {"GETRANGE", "sr", "-1", "-2"}, {"SUBSTR", "sr", "0", "0"}},
	{{"SET", "s", "x"}, {"COPY", "s", "d", "DB", "4294967296"}, {"COPY", "s", "d", "DB", "16"}, {"COPY", "s", "d", "DB", "-1"},
		{"COPY", "s", "d", "DB", "abc"}, {"COPY", "s", "s"}, {"COPY", "s", "s", "DB", "0"}, {"COPY", "s", "d", "DB"},
		{"COPY", "s", "d", "replace", "replace"}, {"COPY", "s", "s", "DB", "1"}, {"COPY", "list", "l2"}, {"TYPE", "l2"}, {"OBJECT", "ENCODING", "l2"}},
	{{"SET", "s", "1"}, {"EXPIRE", "s", "9223372036854775807"}, {"EXPIRE", "s", "9223372036854775"}, {"EXPIRE", "s", "abc", "nx", "xx"},
		{"EXPIRE", "s", "abc", "foo"}, {"EXPIRE", "s", "1", "bad\nopt\r\n"}, {"EXPIRE", "s", "1", "bad\x00opt"}, {"EXPIRE", "s", "1", "\r\n"},
		{"PEXPIRE", "s", "9223372036854775807"}, {"EXPIREAT", "s", "9223372036854775"}, {"EXPIRETIME", "s"},
		{"PEXPIREAT", "s", "9223372036854775807"}, {"EXPIRETIME", "s"}, {"PEXPIRETIME", "s"},
		{"EXPIRE", "s", "-9223372036854775"}, {"EXISTS", "s"}, {"PEXPIRE", "s", "-9223372036854775808"}},
	{{"SET", "a", "1"}, {"EXPIRE", "a", "100", "GT"}, {"EXPIRE", "a", "100", "LT"}, {"EXPIRE", "a", "10", "NX"},
		{"EXPIRE", "a", "10", "XX", "GT"}, {"EXPIREAT", "a", "4102444800", "GT"}, {"EXPIREAT", "a", "4102444801", "LT"},
		{"EXPIRETIME", "a"}, {"PERSIST", "a"}, {"PERSIST", "a"}, {"EXPIREAT", "a", "1", "NX"}, {"EXISTS", "a"}},
	{{"RENAME", "x", "y"}, {"RENAMENX", "x", "x"}, {"SET", "x", "1"}, {"RENAME", "x", "x"}, {"RENAMENX", "x", "x"},
		{"SET", "y", "2", "EX", "100"}, {"RENAMENX", "x", "y"}, {"RENAME", "y", "z"}, {"TTL", "z"}, {"EXISTS", "y"},
		{"RENAME", "list", "z"}, {"TYPE", "z"}, {"EXISTS", "list", "z", "z"}},
	{{"SETNX", "n", "1"}, {"SETNX", "n", "2"}, {"SETEX", "n", "0", "v"}, {"PSETEX", "n", "-1", "v"}, {"SETEX", "n", "abc", "v"},
		{"PSETEX", "n", "100000", "v"}, {"GETSET", "n", "w"}, {"TTL", "n"}, {"GETDEL", "n"}, {"GETDEL", "n"}, {"GETDEL", "list"}},
	{{"INCR", "mx"}, {"DECRBY", "mx", "9223372036854775807"}, {"DECRBY", "mx", "1"}, {"DECR", "mx"}, {"INCRBY", "mx", "-1"},
		{"DECRBY", "mx", "-9223372036854775808"}, {"SET", "f", "10.5"}, {"INCRBYFLOAT", "f", "0.1"}, {"INCRBYFLOAT", "f", "3.0e3"},
		{"INCRBYFLOAT", "g", "5.0e3"}, {"INCRBYFLOAT", "g", "inf"}, {"INCRBYFLOAT", "g", "0x1.8p1"}, {"INCRBYFLOAT", "g", "1e-4940"},
		{"INCRBYFLOAT", "h", "1e4932"}, {"INCRBYFLOAT", "h", "1e4932"}, {"INCRBYFLOAT", "i", "0.000003814697265625"},
		{"INCRBYFLOAT", "i", "-1.1e-3"}, {"OBJECT", "ENCODING", "i"}, {"INCR", "i"}},
	{{"SET", "e", strings.Repeat("a", 44)}, {"OBJECT", "ENCODING", "e"}, {"SET", "e", strings.Repeat("a", 45)}, {"OBJECT", "ENCODING", "e"},
		{"SET", "e", "-9223372036854775808"}, {"OBJECT", "ENCODING", "e"}, {"APPEND", "e", ""}, {"OBJECT", "ENCODING", "e"},
		{"INCR", "e"}, {"SET", "e", "10"}, {"SETRANGE", "e", "0", ""}, {"OBJECT", "ENCODING", "e"}, {"APPEND", "nn", "12"}, {"OBJECT", "ENCODING", "nn"}},
	{{"OBJECT", "HELP"}, {"SET", "a", "100"}, {"OBJECT", "REFCOUNT", "a"}, {"SET", "b", "10000"}, {"OBJECT", "REFCOUNT", "b"},
		{"INCR", "a"}, {"OBJECT", "REFCOUNT", "a"}, {"SET", "n", "-1"}, {"OBJECT", "REFCOUNT", "n"}, {"APPEND", "z", "5"},
		{"OBJECT", "REFCOUNT", "z"}, {"OBJECT", "REFCOUNT", "list"}, {"OBJECT", "REFCOUNT", "nokey"}, {"OBJECT", "FREQ", "list"},
		{"OBJECT", "FREQ", "nokey"}, {"OBJECT", "IDLETIME", "nokey"}, {"OBJECT", "IDLETIME", "list"}, {"SET", "s", "0123"},
		{"OBJECT", "REFCOUNT", "s"}, {"SET", "s", "9999"}, {"OBJECT", "REFCOUNT", "s"}},
	{{"MOVE", "nokey", "1"}, {"SET", "m", "v", "EX", "100"}, {"MOVE", "m", "0"}, {"MOVE", "m", "16"}, {"MOVE", "m", "-1"},
		{"MOVE", "m", "x"}, {"MOVE", "m", "4294967297"}, {"MOVE", "m", "1"}, {"EXISTS", "m"},
		{"MOVE", "list", "2"}, {"TYPE", "list"}},
	{{"MSET", "a", "1", "b"}, {"MSETNX", "a", "1", "b"}, {"MSET", "a", "1", "b", "2", "a", "3"}, {"MGET", "a", "b", "list", "c"},
		{"MSETNX", "c", "1", "a", "2"}, {"MGET", "c"}, {"MSETNX", "c", "1", "d", "2"}, {"DEL", "a", "a", "b", "c", "d", "list", "zz"}},
}

func TestDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, script := range diffScripts {
			d := newDiffSession(t, rc, proto)
			for _, args := range script {
				if !d.check(args) {
					break
				}
			}
		}
	}
}

// TestDiffRandom runs seeded random sessions; a failure prints the session
// and its seed is in the subtest name.
func TestDiffRandom(t *testing.T) {
	addr := startRedis(t)
	conns := map[int]*redisConn{2: dialRedis(t, addr, 2), 3: dialRedis(t, addr, 3)}
	for seed := uint64(1); seed <= 400; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		proto := 2 + rng.IntN(2)
		d := newDiffSession(t, conns[proto], proto)
		for i := 0; i < 40; i++ {
			if !d.check(randomCommand(rng)) {
				t.Logf("seed %d", seed)
				break
			}
		}
	}
}

// Argument pools: the edge cases each kind of argument is drawn from.
var (
	poolKeys = []string{"k1", "k2", "k3", "{t}a", "{t}b", "", "bin\x00\xff", "list"}
	poolVals = []string{"", "0", "1", "-1", "123", "007", "+1", " 1", "1 ", "-0", "9223372036854775807",
		"-9223372036854775808", "9223372036854775808", "inf", "-inf", "nan", "1.5", "10.5", "0.1", "3.0e3",
		"5.0e3", "0x10", "1e308", "1e-17", "abc", "hello world", "\x00\xff\r\n", strings.Repeat("x", 44),
		strings.Repeat("y", 45), "ohmytext", "mynewtext", "1e4932", "-1e4932", "0x1.8p1", "2e-4951", "1e-4951",
		"0.000003814697265625", "1.23456789012345678901", "Infinity", "1_000", "0b1", ".5e-3", "5.", "-.0e+0"}
	poolInts = []string{"0", "1", "-1", "2", "5", "-5", "100", "-100", "9223372036854775807",
		"-9223372036854775808", "abc", "", "1.5", "536870912"}
	// Relative times are zero, negative, invalid or long, never a few ms:
	// a key must not expire between the two servers' executions.
	poolRelSeconds = []string{"-1", "0", "100", "10000", "9223372036854775", "abc"}
	poolRelMillis  = []string{"-1", "0", "100000", "9223372036854775807", "-9223372036854775808", "x"}
	poolAbsSeconds = []string{"1", "4102444800", "4102444801", "9223372036854775", "-1", "abc"}
	poolAbsMillis  = []string{"1", "4102444800000", "9223372036854775807", "0", "z"}
)

func pick(rng *rand.Rand, pool []string) string { return pool[rng.IntN(len(pool))] }

// randCase returns opt in lower, upper or its given case.
func randCase(rng *rand.Rand, opt string) string {
	switch rng.IntN(3) {
	case 0:
		return strings.ToLower(opt)
	case 1:
		return strings.ToUpper(opt)
	}
	return opt
}

// randomCommand draws one command with a valid argument count.
func randomCommand(rng *rand.Rand) []string {
	key := func() string { return pick(rng, poolKeys) }
	val := func() string { return pick(rng, poolVals) }
	num := func() string { return pick(rng, poolInts) }
	switch rng.IntN(34) {
	case 0, 1:
		return []string{"GET", key()}
	case 2, 3:
		args := []string{"SET", key(), val()}
		opts := []string{"NX", "XX", "GET", "KEEPTTL", "EX", "PX", "EXAT", "PXAT", "PERSIST", "bogus"}
		for n := rng.IntN(4); n > 0; n-- {
			o := pick(rng, opts)
			args = append(args, randCase(rng, o))
			switch o {
			case "EX":
				args = append(args, pick(rng, poolRelSeconds))
			case "PX":
				args = append(args, pick(rng, poolRelMillis))
			case "EXAT":
				args = append(args, pick(rng, poolAbsSeconds))
			case "PXAT":
				args = append(args, pick(rng, poolAbsMillis))
			}
		}
		return args
	case 4:
		return []string{"SETNX", key(), val()}
	case 5:
		return []string{randCase(rng, "SETEX"), key(), pick(rng, poolRelSeconds), val()}
	case 6:
		return []string{"PSETEX", key(), pick(rng, poolRelMillis), val()}
	case 7:
		return []string{"GETSET", key(), val()}
	case 8:
		return []string{"GETDEL", key()}
	case 9:
		args := []string{"GETEX", key()}
		switch rng.IntN(7) {
		case 0:
			args = append(args, "EX", pick(rng, poolRelSeconds))
		case 1:
			args = append(args, "PX", pick(rng, poolRelMillis))
		case 2:
			args = append(args, "EXAT", pick(rng, poolAbsSeconds))
		case 3:
			args = append(args, "PXAT", pick(rng, poolAbsMillis))
		case 4:
			args = append(args, randCase(rng, "persist"))
		case 5:
			args = append(args, "PERSIST", "EX", "100")
		}
		return args
	case 10:
		return []string{"APPEND", key(), val()}
	case 11:
		return []string{"STRLEN", key()}
	case 12:
		return []string{pick(rng, []string{"INCR", "DECR"}), key()}
	case 13:
		return []string{pick(rng, []string{"INCRBY", "DECRBY"}), key(), num()}
	case 14, 15:
		return []string{"INCRBYFLOAT", key(), pick(rng, append(poolVals, poolInts...))}
	case 16:
		return []string{pick(rng, []string{"GETRANGE", "SUBSTR"}), key(), num(), num()}
	case 17:
		off := pick(rng, []string{"0", "1", "3", "10", "-1", "536870912", "9223372036854775807", "x"})
		return []string{"SETRANGE", key(), off, val()}
	case 18:
		args := []string{"MGET"}
		for n := 1 + rng.IntN(4); n > 0; n-- {
			args = append(args, key())
		}
		return args
	case 19:
		args := []string{pick(rng, []string{"MSET", "MSETNX"})}
		for n := 1 + rng.IntN(3); n > 0; n-- {
			args = append(args, key(), val())
		}
		if rng.IntN(8) == 0 {
			args = append(args, key()) // an odd count
		}
		return args
	case 20:
		args := []string{"LCS", key(), key()}
		opts := []string{"LEN", "IDX", "MINMATCHLEN", "WITHMATCHLEN", "bogus"}
		for n := rng.IntN(4); n > 0; n-- {
			o := pick(rng, opts)
			args = append(args, randCase(rng, o))
			if o == "MINMATCHLEN" && rng.IntN(5) > 0 {
				args = append(args, pick(rng, []string{"0", "1", "2", "4", "-3", "x"}))
			}
		}
		return args
	case 21:
		args := []string{pick(rng, []string{"DEL", "UNLINK", "EXISTS", "TOUCH"})}
		for n := 1 + rng.IntN(4); n > 0; n-- {
			args = append(args, key())
		}
		return args
	case 22:
		return []string{"TYPE", key()}
	case 23:
		// Relative expiry takes NX or XX only: GT and LT against another
		// relative deadline depend on the millisecond each server ran in.
		args := []string{pick(rng, []string{"EXPIRE", "PEXPIRE"}), key()}
		if args[0] == "EXPIRE" {
			args = append(args, pick(rng, poolRelSeconds))
		} else {
			args = append(args, pick(rng, poolRelMillis))
		}
		for n := rng.IntN(3); n > 0; n-- {
			args = append(args, randCase(rng, pick(rng, []string{"NX", "XX", "bogus"})))
		}
		return args
	case 24:
		args := []string{pick(rng, []string{"EXPIREAT", "PEXPIREAT"}), key()}
		if args[0] == "EXPIREAT" {
			args = append(args, pick(rng, poolAbsSeconds))
		} else {
			args = append(args, pick(rng, poolAbsMillis))
		}
		for n := rng.IntN(3); n > 0; n-- {
			args = append(args, randCase(rng, pick(rng, []string{"NX", "XX", "GT", "LT"})))
		}
		return args
	case 25, 26:
		return []string{pick(rng, []string{"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}), key()}
	case 27:
		return []string{"PERSIST", key()}
	case 28:
		return []string{pick(rng, []string{"RENAME", "RENAMENX"}), key(), key()}
	case 29:
		args := []string{"COPY", key(), key()}
		for n := rng.IntN(3); n > 0; n-- {
			if rng.IntN(2) == 0 {
				args = append(args, randCase(rng, "replace"))
			} else {
				args = append(args, "DB", pick(rng, []string{"0", "1", "15", "16", "-1", "x"}))
			}
		}
		return args
	case 30:
		return []string{"OBJECT", randCase(rng, "encoding"), key()}
	}
	return []string{"GET", key()}
}

// TestMatchGlobAgainstRedis compares glob.Match with KEYS on a real server
// over random byte-string keys and patterns built from glob syntax.
func TestMatchGlobAgainstRedis(t *testing.T) {
	rc := dialRedis(t, startRedis(t), 2)
	rng := rand.New(rand.NewPCG(7, 7))
	alphabet := []byte("ab\\*?[]^-AB\x80\xff\x00")
	randBytes := func(max int) string {
		b := make([]byte, rng.IntN(max+1))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	var keys []string
	for len(keys) < 300 {
		k := randBytes(6)
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
			rc.do(t, []string{"SET", k, "1"})
		}
	}
	for i := 0; i < 1500; i++ {
		pattern := randBytes(8)
		if pattern == "*" {
			continue // KEYS special-cases it; stringmatchlen does not
		}
		var want []string
		reply := rc.do(t, []string{"KEYS", pattern})
		r := bufio.NewReader(bytes.NewReader(reply))
		r.ReadBytes('\n')
		for {
			if _, err := r.ReadBytes('\n'); err != nil {
				break
			}
			line, _ := r.ReadBytes('\n')
			want = append(want, string(line[:len(line)-2]))
		}
		var got []string
		for _, k := range keys {
			if glob.Match([]byte(pattern), []byte(k), false) {
				got = append(got, k)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("pattern %q: glob.Match selects %q, KEYS returns %q", pattern, got, want)
		}
	}
}
