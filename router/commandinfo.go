package router

import "github.com/shardis/shardis/proxy/wire"

// The COMMAND INFO and COMMAND DOCS encoders follow Redis 7.0's
// addReplyCommandInfo and addReplyCommandDocs (server.c) element for
// element, including which aggregates are sets, which are arrays and
// which are maps in RESP3. In RESP2 the writer flattens maps and sets into
// arrays, exactly as Redis does.
//
// Both take an optional include predicate: a server that implements only
// some subcommands lists only those, so its replies never advertise what
// it cannot run. Without one, every subcommand is listed. Subcommands come
// sorted by name; Redis lists them in its dict's order, which is seeded
// randomly at start-up, so no fixed order could match it byte for byte.

// AppendInfo writes c's COMMAND INFO entry: name, arity, flags, first
// key, last key, step, ACL categories, tips, key specs and subcommands.
func AppendInfo(w *wire.Writer, c *Command, include ...func(*Command) bool) {
	w.Array(10)
	w.BulkString(c.Name)
	w.Int(int64(c.Arity))
	appendSimpleSet(w, c.Flags.Names())
	w.Int(int64(c.FirstKey))
	w.Int(int64(c.LastKey))
	w.Int(int64(c.Step))
	w.Set(len(c.ACLCategories))
	for _, cat := range c.ACLCategories {
		w.Simple("@" + cat)
	}
	w.Set(len(c.Tips))
	for _, tip := range c.Tips {
		w.BulkString(tip)
	}
	w.Set(len(c.KeySpecs))
	for i := range c.KeySpecs {
		appendKeySpec(w, &c.KeySpecs[i])
	}
	if c.Subcommands == nil {
		w.Set(0)
		return
	}
	// A container's subcommands are an array, even when none is listed.
	subs := included(c.Subcommands, include)
	w.Array(len(subs))
	for _, s := range subs {
		AppendInfo(w, s, include...)
	}
}

func appendKeySpec(w *wire.Writer, ks *KeySpec) {
	if ks.Notes != "" {
		w.Map(4)
		w.BulkString("notes")
		w.BulkString(ks.Notes)
	} else {
		w.Map(3)
	}
	w.BulkString("flags")
	appendSimpleSet(w, ks.Flags.Names())

	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString(ks.BS.String())
	w.BulkString("spec")
	switch ks.BS {
	case BSIndex:
		w.Map(1)
		appendIntField(w, "index", ks.Index)
	case BSKeyword:
		w.Map(2)
		w.BulkString("keyword")
		w.BulkString(ks.Keyword)
		appendIntField(w, "startfrom", ks.StartFrom)
	default:
		w.Map(0)
	}

	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString(ks.FK.String())
	w.BulkString("spec")
	switch ks.FK {
	case FKRange:
		w.Map(3)
		appendIntField(w, "lastkey", ks.LastKey)
		appendIntField(w, "keystep", ks.KeyStep)
		appendIntField(w, "limit", ks.Limit)
	case FKKeyNum:
		w.Map(3)
		appendIntField(w, "keynumidx", ks.KeyNumIdx)
		appendIntField(w, "firstkey", ks.FirstKey)
		appendIntField(w, "keystep", ks.KeyStep)
	default:
		w.Map(0)
	}
}

// AppendDocs writes the value half of c's COMMAND DOCS entry, the docs
// map; the caller writes the reply's outer map and c's name.
func AppendDocs(w *wire.Writer, c *Command, include ...func(*Command) bool) {
	d := &c.Doc
	n := 1 // "group" is always present
	for _, present := range [...]bool{
		d.Summary != "", d.Since != "", d.Complexity != "", len(d.DocFlags) > 0,
		d.DeprecatedSince != "", d.ReplacedBy != "", len(d.History) > 0,
		len(d.Arguments) > 0, c.Subcommands != nil,
	} {
		if present {
			n++
		}
	}
	w.Map(n)
	appendStringField(w, "summary", d.Summary)
	appendStringField(w, "since", d.Since)
	w.BulkString("group")
	w.BulkString(d.Group)
	appendStringField(w, "complexity", d.Complexity)
	if len(d.DocFlags) > 0 {
		w.BulkString("doc_flags")
		appendSimpleSet(w, d.DocFlags)
	}
	appendStringField(w, "deprecated_since", d.DeprecatedSince)
	appendStringField(w, "replaced_by", d.ReplacedBy)
	if len(d.History) > 0 {
		w.BulkString("history")
		w.Set(len(d.History))
		for _, h := range d.History {
			w.Array(2)
			w.BulkString(h[0])
			w.BulkString(h[1])
		}
	}
	if len(d.Arguments) > 0 {
		w.BulkString("arguments")
		appendArgs(w, d.Arguments)
	}
	if c.Subcommands != nil {
		subs := included(c.Subcommands, include)
		w.BulkString("subcommands")
		w.Map(len(subs))
		for _, s := range subs {
			w.BulkString(s.Name)
			AppendDocs(w, s, include...)
		}
	}
}

func appendArgs(w *wire.Writer, args []Arg) {
	w.Array(len(args))
	for i := range args {
		a := &args[i]
		nested := a.Type == "oneof" || a.Type == "block"
		// A pure-token argument is its token, so it has one even when
		// that token is empty (MIGRATE's "" in place of the key).
		token := a.Token != "" || a.Type == "pure-token"
		n := 2
		for _, present := range [...]bool{
			a.KeySpecIndex >= 0, token, a.Summary != "", a.Since != "",
			a.DeprecatedSince != "", len(a.Flags) > 0, nested,
		} {
			if present {
				n++
			}
		}
		w.Map(n)
		appendStringField(w, "name", a.Name)
		appendStringField(w, "type", a.Type)
		if a.KeySpecIndex >= 0 {
			appendIntField(w, "key_spec_index", a.KeySpecIndex)
		}
		if token {
			w.BulkString("token")
			w.BulkString(a.Token)
		}
		appendStringField(w, "summary", a.Summary)
		appendStringField(w, "since", a.Since)
		appendStringField(w, "deprecated_since", a.DeprecatedSince)
		if len(a.Flags) > 0 {
			w.BulkString("flags")
			appendSimpleSet(w, a.Flags)
		}
		// Redis lists the members of every oneof and block, even none.
		if nested {
			w.BulkString("arguments")
			appendArgs(w, a.Arguments)
		}
	}
}

// included is the subcommands include accepts (all of them without one).
func included(subs []*Command, include []func(*Command) bool) []*Command {
	if len(include) == 0 {
		return subs
	}
	out := make([]*Command, 0, len(subs))
	for _, s := range subs {
		if keep(s, include) {
			out = append(out, s)
		}
	}
	return out
}

func keep(c *Command, include []func(*Command) bool) bool {
	for _, f := range include {
		if f != nil && !f(c) {
			return false
		}
	}
	return true
}

func appendSimpleSet(w *wire.Writer, names []string) {
	w.Set(len(names))
	for _, n := range names {
		w.Simple(n)
	}
}

// appendStringField writes key and val when val is present (not empty),
// mirroring Redis's "if (field) addReply..." for optional C strings.
func appendStringField(w *wire.Writer, key, val string) {
	if val == "" {
		return
	}
	w.BulkString(key)
	w.BulkString(val)
}

func appendIntField(w *wire.Writer, key string, val int) {
	w.BulkString(key)
	w.Int(int64(val))
}
