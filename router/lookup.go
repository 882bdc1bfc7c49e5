package router

import "strings"

// maxNameLen is longer than any command or subcommand name, so longer
// input can be rejected without allocating.
const maxNameLen = 32

var (
	all      []*Command
	topLevel = map[string]*Command{}
)

func init() {
	for _, c := range redisCommands {
		topLevel[c.Name] = c
	}
	applySupplement()
	for _, c := range redisCommands {
		c.ID = len(all)
		all = append(all, c)
		for _, sub := range c.Subcommands {
			sub.Parent = c
			sub.ID = len(all)
			all = append(all, sub)
		}
	}
}

// All lists every command and subcommand; a command's ID is its index.
func All() []*Command { return all }

// Lookup finds a top-level command by name, case-insensitively, without
// allocating. It returns nil for names not in the table.
func Lookup(name []byte) *Command {
	var buf [maxNameLen]byte
	lower, ok := toLower(&buf, name)
	if !ok {
		return nil
	}
	return topLevel[string(lower)]
}

// Sub finds a subcommand of c by its own name ("setname" for CLIENT
// SETNAME), case-insensitively and without allocating.
func (c *Command) Sub(name []byte) *Command {
	var buf [maxNameLen]byte
	lower, ok := toLower(&buf, name)
	if !ok {
		return nil
	}
	prefix := len(c.Name) + 1
	for _, s := range c.Subcommands {
		if len(s.Name)-prefix == len(lower) && s.Name[prefix:] == string(lower) {
			return s
		}
	}
	return nil
}

// ByName finds a command or "container|sub" subcommand by its table name;
// it is for start-up registration, not the request path.
func ByName(name string) *Command {
	top, sub, isSub := strings.Cut(name, "|")
	c := topLevel[top]
	if c == nil || !isSub {
		return c
	}
	return c.Sub([]byte(sub))
}

func toLower(buf *[maxNameLen]byte, b []byte) ([]byte, bool) {
	if len(b) > maxNameLen {
		return nil, false
	}
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(b)], true
}
