package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/shardis/shardis/router"
)

// dataGroups are the command groups of Redis 7.0 that hold data types:
// every command in them must be implemented.
var dataGroups = []string{"string", "list", "set", "sorted_set", "hash", "bitmap", "hyperloglog", "geo", "stream"}

// requiredGeneric are the generic commands applications rely on to manage
// keys of every type, and transactions.
var requiredGeneric = []string{
	"del", "unlink", "exists", "type", "rename", "renamenx", "copy", "move", "touch",
	"expire", "pexpire", "expireat", "pexpireat", "expiretime", "pexpiretime", "ttl", "pttl", "persist",
	"keys", "scan", "randomkey", "sort", "sort_ro", "dump", "restore",
	"object|encoding", "object|freq", "object|idletime", "object|refcount", "object|help",
	"memory|usage", "swapdb", "multi", "exec", "discard", "watch", "unwatch",
}

// TestDataCommandsImplemented asks the running server, through COMMAND
// INFO, which of Redis 7.0's commands it serves. It logs every missing
// command and fails on a missing data-type or required generic command.
func TestDataCommandsImplemented(t *testing.T) {
	s := startShardis(t)
	r := dialRaw(t, s.respAddr())
	var all, missing, mustHave []string
	for _, c := range router.All() {
		if c.IsSubcommand() {
			continue // visited under its container
		}
		cmds := []*router.Command{c}
		if len(c.Subcommands) > 0 {
			cmds = c.Subcommands
		}
		for _, sc := range cmds {
			all = append(all, sc.Name)
			if r.do("COMMAND", "INFO", sc.Name) != "*1\r\n$-1\r\n" {
				continue
			}
			missing = append(missing, sc.Name)
			if slices.Contains(dataGroups, sc.Doc.Group) || slices.Contains(requiredGeneric, sc.Name) {
				mustHave = append(mustHave, sc.Name)
			}
		}
	}
	t.Logf("%d of %d Redis 7.0 commands implemented; missing: %s", len(all)-len(missing), len(all), strings.Join(missing, " "))
	if len(mustHave) > 0 {
		t.Errorf("data commands not implemented: %s", strings.Join(mustHave, " "))
	}
}
