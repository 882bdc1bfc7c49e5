package backend

import (
	"testing"

	"github.com/shardis/shardis/proxy/wire"
	"github.com/shardis/shardis/router"
	"github.com/shardis/shardis/storage"
)

func newPool(t *testing.T, n int) (*Pool, *router.Router) {
	t.Helper()
	rt, err := router.New(router.ModeSlots, n)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := storage.NewEngine(storage.Options{Instances: n, Databases: 16, Router: rt})
	if err != nil {
		t.Fatal(err)
	}
	return NewPool(eng), rt
}

// do runs one command through the pool the way the proxy does.
func do(t *testing.T, p *Pool, rt *router.Router, args ...string) string {
	t.Helper()
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	cmd := router.Lookup(bargs[0])
	if cmd == nil {
		t.Fatalf("unknown command %s", args[0])
	}
	h, global := p.Engine().Handler(cmd)
	if h == nil {
		t.Fatalf("%s not implemented", args[0])
	}
	w := &wire.Writer{Proto: 2}
	table := rt.Table()
	req := &Request{Ctx: &storage.Ctx{W: w, Args: bargs, Cmd: cmd}, Handler: h, Table: table}
	if !global {
		for _, pos := range cmd.KeyPositions(bargs, nil) {
			req.Owners = append(req.Owners, table.OwnerOf(bargs[pos]))
		}
	}
	if !p.Do(req) {
		t.Fatalf("embedded pool deferred %v", args)
	}
	return string(w.B)
}

func TestPoolRoutesAndSpansInstances(t *testing.T) {
	p, rt := newPool(t, 8)
	// foo and bar live on different instances with 8 instances.
	if a, b := rt.Table().OwnerOf([]byte("foo")), rt.Table().OwnerOf([]byte("bar")); a == b {
		t.Fatalf("test needs keys on different instances, both on %d", a)
	}
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"MSET", "foo", "1", "bar", "2"}, "+OK\r\n"},
		{[]string{"GET", "foo"}, "$1\r\n1\r\n"},
		{[]string{"MGET", "foo", "bar", "nope"}, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n"},
		{[]string{"DBSIZE"}, ":2\r\n"},
		{[]string{"DEL", "foo", "bar"}, ":2\r\n"},
		{[]string{"DBSIZE"}, ":0\r\n"},
	}
	for _, s := range steps {
		if got := do(t, p, rt, s.args...); got != s.want {
			t.Errorf("%v = %q, want %q", s.args, got, s.want)
		}
	}
}

func TestPoolInstance(t *testing.T) {
	p, _ := newPool(t, 4)
	if _, err := p.Instance(4); err == nil {
		t.Fatal("Instance(4) of 4: want error")
	}
	in, err := p.Instance(3)
	if err != nil || in.ID() != 3 || in.Kind() != "embedded" {
		t.Fatalf("Instance(3) = %v, %v", in, err)
	}
}
