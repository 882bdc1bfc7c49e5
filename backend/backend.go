package backend

import (
	"fmt"

	"github.com/shardis/shardis/router"
	"github.com/shardis/shardis/storage"
)

// Waiter receives a reply that arrives after Do returned. Complete is
// called exactly once, from any goroutine; reply is valid only during the
// call.
type Waiter interface {
	Complete(reply []byte)
}

// Deferrer gives a late reply its place in the client's reply order. An
// instance that cannot answer inside Do calls Defer once, before Do
// returns, and later completes the Waiter it got.
type Deferrer interface {
	Defer() Waiter
}

// Request is one command on its way to an instance.
type Request struct {
	// Ctx carries the writer, arguments and command entry; the proxy
	// reuses one per connection.
	Ctx *storage.Ctx
	// Handler is the embedded engine's handler for the command.
	Handler storage.Handler
	// Table is the routing snapshot the owners were computed from.
	Table *router.Table
	// DB is the client's selected database.
	DB int
	// Owners are the instance IDs owning the command's keys (may repeat).
	Owners []int
	// Deferrer is the client session, for instances that answer later.
	Deferrer Deferrer
}

// Instance is one numbered place where keys live.
type Instance interface {
	// ID is the instance number, 0..N-1.
	ID() int
	// Kind names the implementation ("embedded", "remote").
	Kind() string
	// Do executes req, whose keys all live on this instance. It returns
	// true when the reply was appended to req.Ctx.W, false when it called
	// req.Deferrer.Defer and will complete that Waiter later.
	Do(req *Request) bool
}

// Embedded is an instance living in this process.
type Embedded struct {
	eng *storage.Engine
	id  int
}

// ID is the instance number.
func (e *Embedded) ID() int { return e.id }

// Kind is "embedded".
func (e *Embedded) Kind() string { return "embedded" }

// Do runs the command on the engine with this instance locked.
func (e *Embedded) Do(req *Request) bool {
	var one [1]int
	one[0] = e.id
	e.eng.Run(req.Ctx, req.Handler, req.Table, req.DB, one[:])
	return true
}

// Pool is the set of instances the proxy routes to.
type Pool struct {
	eng   *storage.Engine
	insts []Instance
	// embedded[i] is insts[i] when that instance is in-process.
	embedded []*Embedded
}

// NewPool wraps every instance of eng.
func NewPool(eng *storage.Engine) *Pool {
	p := &Pool{eng: eng}
	for _, in := range eng.Instances() {
		e := &Embedded{eng: eng, id: in.ID()}
		p.insts = append(p.insts, e)
		p.embedded = append(p.embedded, e)
	}
	return p
}

// Engine is the embedded storage engine.
func (p *Pool) Engine() *storage.Engine { return p.eng }

// Instances lists the instances by ID.
func (p *Pool) Instances() []Instance { return p.insts }

// Instance returns instance id.
func (p *Pool) Instance(id int) (Instance, error) {
	if id < 0 || id >= len(p.insts) {
		return nil, fmt.Errorf("backend: no instance %d", id)
	}
	return p.insts[id], nil
}

// Do executes req on the instances named by req.Owners: directly on the
// single owner, or, when the keys span several embedded instances, once
// with all of them locked so the command stays atomic.
func (p *Pool) Do(req *Request) bool {
	if len(req.Owners) == 0 {
		p.eng.RunGlobal(req.Ctx, req.Handler, req.Table, req.DB)
		return true
	}
	first := req.Owners[0]
	single := true
	for _, id := range req.Owners[1:] {
		if id != first {
			single = false
			break
		}
	}
	if single {
		return p.insts[first].Do(req)
	}
	p.eng.Run(req.Ctx, req.Handler, req.Table, req.DB, req.Owners)
	return true
}
