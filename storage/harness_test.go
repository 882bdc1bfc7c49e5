package storage

import (
	"strconv"
	"strings"
	"testing"

	"github.com/shardis/shardis/proxy/wire"
	"github.com/shardis/shardis/router"
)

// harness runs commands against an Engine the way the proxy does, minus
// the network: it finds the command (and subcommand) in the table, locks
// the instances owning the command's keys and runs the handler. It checks
// nothing else (no arity, no unknown-command reply), so tests exercise the
// handlers themselves. The clock is the harness's own, in Unix ms, so
// expiry tests advance it instead of sleeping.
type harness struct {
	t     testing.TB
	eng   *Engine
	now   int64
	db    int
	proto int
	// Limits is passed to every command; nil means Redis's defaults.
	limits *Limits

	w      wire.Writer
	ctx    Ctx
	pos    []int
	owners []int
}

// testEpoch is the harness's start time: 2023-11-14T22:13:20Z.
const testEpoch = 1_700_000_000_000

// newHarness builds an engine of n instances with slots split in ranges
// (router.ModeSlots), 16 databases and the harness clock.
func newHarness(t testing.TB, n int) *harness {
	t.Helper()
	rt, err := router.New(router.ModeSlots, n)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, now: testEpoch, proto: 2}
	h.eng, err = NewEngine(Options{Instances: n, Databases: 16, Router: rt, Now: func() int64 { return h.now }})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// fork is a second client of the same engine (its own reply buffer and
// selected database), for tests that run commands concurrently.
func (h *harness) fork() *harness {
	return &harness{t: h.t, eng: h.eng, now: h.now, db: h.db, proto: h.proto, limits: h.limits}
}

// advance moves the clock forward by ms milliseconds.
func (h *harness) advance(ms int64) { h.now += ms }

// do runs a command given as separate arguments and returns its raw RESP2
// reply.
func (h *harness) do(args ...string) string {
	h.t.Helper()
	return string(h.exec(2, byteArgs(args)))
}

// do3 is do with the RESP3 protocol.
func (h *harness) do3(args ...string) string {
	h.t.Helper()
	return string(h.exec(3, byteArgs(args)))
}

// exec runs args (name first) with protocol proto and returns the raw
// reply, which stays valid until the next command.
func (h *harness) exec(proto int, args [][]byte) []byte {
	h.t.Helper()
	return h.dispatch(proto, args)
}

// dispatch is exec without t.Helper, whose stack walk would dominate
// benchmarks: what remains is the proxy's own dispatch work.
func (h *harness) dispatch(proto int, args [][]byte) []byte {
	cmd := router.Lookup(args[0])
	if cmd != nil && cmd.Subcommands != nil && len(args) > 1 {
		cmd = cmd.Sub(args[1])
	}
	if cmd == nil {
		h.t.Fatalf("%q is not in the command table", args[0])
	}
	handler, global := h.eng.Handler(cmd)
	if handler == nil {
		h.t.Fatalf("%s has no handler", cmd.Name)
	}
	h.w.Reset()
	h.w.Proto = proto
	h.ctx = Ctx{W: &h.w, Args: args, Cmd: cmd, Limits: h.limits}
	table := h.eng.Router().Table()
	if global {
		h.eng.RunGlobal(&h.ctx, handler, table, h.db)
		return h.w.B
	}
	h.pos = cmd.KeyPositions(args, h.pos[:0])
	h.owners = h.owners[:0]
	for _, p := range h.pos {
		h.owners = append(h.owners, table.OwnerOf(args[p]))
	}
	h.eng.Run(&h.ctx, handler, table, h.db, h.owners)
	return h.w.B
}

// put stores v under key directly, bypassing commands: how tests create
// values of types whose commands do not exist yet (WRONGTYPE cases).
func (h *harness) put(key string, v *Value) {
	h.eng.Locked(func() {
		ks := Keyspace{eng: h.eng, table: h.eng.Router().Table(), db: h.db, now: h.now}
		ks.Put([]byte(key), v)
	})
}

// putList stores a list-typed value with no structure under key, encoded
// as Redis 7.0 encodes every list.
func (h *harness) putList(key string) {
	h.put(key, &Value{Kind: KindList, Enc: EncQuicklist})
}

// peek returns key's stored value (expired or not) in database db, or nil.
func (h *harness) peek(db int, key string) *Value {
	var v *Value
	h.eng.Locked(func() {
		slot := router.Slot([]byte(key))
		in := h.eng.insts[h.eng.Router().Table().Owner(slot)]
		v = in.dbs[db].get(slot, []byte(key))
	})
	return v
}

// instanceOf is the instance owning key.
func (h *harness) instanceOf(key string) int {
	return h.eng.Router().Table().OwnerOf([]byte(key))
}

// keysOnDistinctInstances returns n keys named prefix0, prefix1, ... that
// all live on different instances, so multi-key tests cross instances.
func (h *harness) keysOnDistinctInstances(prefix string, n int) []string {
	h.t.Helper()
	seen := map[int]bool{}
	var keys []string
	for i := 0; len(keys) < n && i < 10000; i++ {
		k := prefix + itoa(i)
		if id := h.instanceOf(k); !seen[id] {
			seen[id] = true
			keys = append(keys, k)
		}
	}
	if len(keys) < n {
		h.t.Fatalf("could not find %d keys on distinct instances", n)
	}
	return keys
}

func byteArgs(args []string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// Expected replies, spelled as RESP so a failing test shows the bytes.
const (
	rOK    = "+OK\r\n"
	rNil   = "$-1\r\n"
	rNil3  = "_\r\n"
	rEmpty = "$0\r\n\r\n"
	rZero  = ":0\r\n"
	rOne   = ":1\r\n"
)

func rInt(n int64) string { return ":" + itoa64(n) + "\r\n" }

func rBulk(s string) string { return "$" + itoa(len(s)) + "\r\n" + s + "\r\n" }

func rErr(msg string) string { return "-" + msg + "\r\n" }

func rArr(items ...string) string { return "*" + itoa(len(items)) + "\r\n" + strings.Join(items, "") }

func itoa(n int) string { return strconv.Itoa(n) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// step is one command of a scripted test and the reply it must get.
type step struct {
	args []string
	want string
}

// run executes steps in order and reports every mismatch with the step
// number, so a table reads as the session it describes.
func (h *harness) run(steps []step) {
	h.t.Helper()
	for i, s := range steps {
		if got := h.do(s.args...); got != s.want {
			h.t.Errorf("step %d %q: got %q, want %q", i, s.args, got, s.want)
		}
	}
}

// expect builds a step: the arguments, then the expected reply last.
func expect(argsAndWant ...string) step {
	n := len(argsAndWant) - 1
	return step{args: argsAndWant[:n], want: argsAndWant[n]}
}
