package storage

import (
	"fmt"

	"github.com/shardis/shardis/router"
)

// registry attaches handlers to command-table entries. Every family
// registers from registerAll, in one place, so what the engine implements
// is visible at a glance; there is no init() self-registration.
type registry struct{ e *Engine }

func registerAll(r *registry) {
	registerStrings(r)
	registerKeyspace(r)
	registerServer(r)
	registerHashes(r)
	registerSets(r)
	registerZSets(r)
	registerZSetsMulti(r)
	registerLists(r)
	registerBlocking(r)
	registerBitmaps(r)
	registerHyperLogLog(r)
	registerGeo(r)
	registerStreams(r)
	registerSort(r)
	registerDump(r)
	registerPersistence(r)
}

// add registers h for name ("get", or "object|encoding" for a subcommand).
// A name missing from the command table is a programming error.
func (r *registry) add(name string, h Handler) {
	c := commandByName(name)
	if r.e.handlers[c.ID] != nil {
		panic(fmt.Sprintf("storage: %s registered twice", name))
	}
	r.e.handlers[c.ID] = h
}

// addGlobal registers a keyless handler that visits instances itself.
func (r *registry) addGlobal(name string, h Handler) {
	r.add(name, h)
	r.e.global[commandByName(name).ID] = true
}

func commandByName(name string) *router.Command {
	for _, c := range router.All() {
		if c.Name == name {
			return c
		}
	}
	panic(fmt.Sprintf("storage: %s is not in the command table", name))
}
