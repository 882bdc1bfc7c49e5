package router

import (
	"fmt"
	"sort"
	"strings"
)

// maxNameLen bounds command and subcommand names (the longest in Redis
// 7.0, "count-failure-reports" of CLUSTER, has 21 bytes). Lookups
// lower-case into a stack array of this size, and anything longer cannot
// be a command, so it is rejected before any work. init checks the bound
// against the table.
const maxNameLen = 32

var (
	all      []*Command
	topLevel = map[string]*Command{}
)

func init() {
	applySupplement()
	for _, c := range redisCommands {
		topLevel[c.Name] = c
		register(c)
		for i, sub := range c.Subcommands {
			if i > 0 && c.Subcommands[i-1].Name >= sub.Name {
				panic("router: subcommands of " + c.Name + " are not sorted")
			}
			sub.Parent = c
			register(sub)
		}
	}
}

func register(c *Command) {
	// A subcommand is looked up by its own name, after the '|'.
	if own := c.Name[strings.IndexByte(c.Name, '|')+1:]; len(own) > maxNameLen {
		panic(fmt.Sprintf("router: command name %q exceeds maxNameLen", c.Name))
	}
	c.ID = len(all)
	c.keys = planKeys(c)
	all = append(all, c)
}

// All lists every command and subcommand, each container followed by its
// subcommands; a command's ID is its index. The slice and the commands are
// shared and must not be modified.
func All() []*Command { return all }

// Lookup finds a top-level command by name, case-insensitively, without
// allocating. It returns nil for names not in the table.
func Lookup(name []byte) *Command {
	var buf [maxNameLen]byte
	n, ok := lower(&buf, name)
	if !ok {
		return nil
	}
	// The compiler turns a map index by string(bytes) into a lookup that
	// does not copy the key.
	return topLevel[string(buf[:n])]
}

// Sub finds a subcommand of c by its own name ("setname" for CLIENT
// SETNAME), case-insensitively and without allocating. It returns nil when
// c has no such subcommand.
func (c *Command) Sub(name []byte) *Command {
	var buf [maxNameLen]byte
	n, ok := lower(&buf, name)
	if !ok {
		return nil
	}
	want := buf[:n]
	prefix := len(c.Name) + 1
	// Subcommands are sorted by name and share the "container|" prefix, so
	// their own names are sorted too. Comparisons against string(bytes)
	// do not allocate.
	lo, hi := 0, len(c.Subcommands)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c.Subcommands[m].Name[prefix:] < string(want) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(c.Subcommands) && c.Subcommands[lo].Name[prefix:] == string(want) {
		return c.Subcommands[lo]
	}
	return nil
}

// ByName finds a command, or a subcommand by its "container|sub" table
// name, case-insensitively. It is meant for start-up registration, not the
// request path.
func ByName(name string) *Command {
	top, sub, isSub := strings.Cut(name, "|")
	c := Lookup([]byte(top))
	if c == nil || !isSub {
		return c
	}
	return c.Sub([]byte(sub))
}

// lower writes the ASCII lower case of b into buf, as Redis's
// case-insensitive command dict compares names.
func lower(buf *[maxNameLen]byte, b []byte) (int, bool) {
	if len(b) > maxNameLen {
		return 0, false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return len(b), true
}

// sortedByName joins the generated per-group tables in name order.
func sortedByName(groups ...[]*Command) []*Command {
	var all []*Command
	for _, g := range groups {
		all = append(all, g...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all
}
