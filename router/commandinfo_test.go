package router

import (
	"bytes"
	"fmt"
	"sort"
	"testing"

	"github.com/shardis/shardis/proxy/wire"
)

// Golden replies captured from redis-server 7.0.15, so the encoders are
// checked even where no reference server runs. The differential tests
// below cover every command.
func TestAppendInfoGolden(t *testing.T) {
	get := Lookup([]byte("get"))
	tests := []struct {
		proto int
		want  string
	}{
		{2, "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n" +
			"*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n" +
			"*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n" +
			"$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"},
		{3, "*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n" +
			"~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n" +
			"%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n" +
			"$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n"},
	}
	for _, tt := range tests {
		w := wire.Writer{Proto: tt.proto}
		AppendInfo(&w, get)
		if got := string(w.B); got != tt.want {
			t.Errorf("RESP%d AppendInfo(get) = %q, want %q", tt.proto, got, tt.want)
		}
	}
}

func TestAppendDocsGolden(t *testing.T) {
	get := Lookup([]byte("get"))
	tests := []struct {
		proto int
		want  string
	}{
		{2, "*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n" +
			"$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n" +
			"$14\r\nkey_spec_index\r\n:0\r\n"},
		{3, "%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n" +
			"$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n" +
			"$14\r\nkey_spec_index\r\n:0\r\n"},
	}
	for _, tt := range tests {
		w := wire.Writer{Proto: tt.proto}
		AppendDocs(&w, get)
		if got := string(w.B); got != tt.want {
			t.Errorf("RESP%d AppendDocs(get) = %q, want %q", tt.proto, got, tt.want)
		}
	}
}

// A container lists only what include accepts, but stays a container: its
// subcommands are an (empty) array where a plain command has an empty set.
func TestAppendInfoInclude(t *testing.T) {
	object := Lookup([]byte("object"))
	only := func(c *Command) bool { return c.Name == "object|encoding" }
	none := func(*Command) bool { return false }
	tests := []struct {
		name    string
		include []func(*Command) bool
		subs    []string
	}{
		{"all", nil, []string{"object|encoding", "object|freq", "object|help", "object|idletime", "object|refcount"}},
		{"one", []func(*Command) bool{only}, []string{"object|encoding"}},
		{"none", []func(*Command) bool{none}, nil},
	}
	for _, tt := range tests {
		w := wire.Writer{Proto: 3}
		AppendInfo(&w, object, tt.include...)
		n, err := parseReply(w.B)
		if err != nil {
			t.Fatalf("%s: parse AppendInfo output: %v", tt.name, err)
		}
		subs := n.kids[9]
		if subs.head[0] != '*' {
			t.Errorf("%s: subcommands encoded as %q, want an array", tt.name, subs.head)
		}
		var got []string
		for _, s := range subs.kids {
			got = append(got, s.kids[0].bulk())
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.subs) {
			t.Errorf("%s: subcommands = %v, want %v", tt.name, got, tt.subs)
		}

		w = wire.Writer{Proto: 3}
		AppendDocs(&w, object, tt.include...)
		d, err := parseReply(w.B)
		if err != nil {
			t.Fatalf("%s: parse AppendDocs output: %v", tt.name, err)
		}
		docSubs := field(d, "subcommands")
		if docSubs == nil || len(docSubs.kids) != 2*len(tt.subs) {
			t.Errorf("%s: docs subcommands = %v, want %d entries", tt.name, docSubs, len(tt.subs))
		}
	}
}

// TestCommandTableMatchesRedis checks the table holds exactly the
// commands the reference server has, plus the supplements.
func TestCommandTableMatchesRedis(t *testing.T) {
	known := referenceCommands(t)
	ours := map[string]bool{}
	for _, c := range All() {
		ours[c.Name] = true
		if !known[c.Name] && c.Name != "client|setinfo" {
			t.Errorf("%s is in the table but not in redis-server 7.0", c.Name)
		}
	}
	for name := range known {
		if !ours[name] {
			t.Errorf("%s is in redis-server 7.0 but not in the table", name)
		}
	}
}

// TestAppendInfoMatchesRedis compares AppendInfo with COMMAND INFO for
// every command and subcommand, RESP2 and RESP3, byte for byte except for
// the order of a container's subcommands (see commandinfo.go).
func TestAppendInfoMatchesRedis(t *testing.T) {
	compareWithRedis(t, "INFO", AppendInfo,
		func(reply *node) *node { return reply.kids[0] }, // *1 <entry>
		func(entry *node) { sortNodes(entry.kids[9].kids) })
}

// TestAppendDocsMatchesRedis is the same for COMMAND DOCS.
func TestAppendDocsMatchesRedis(t *testing.T) {
	compareWithRedis(t, "DOCS", AppendDocs,
		func(reply *node) *node { return reply.kids[1] }, // {name: docs}
		func(docs *node) {
			if subs := field(docs, "subcommands"); subs != nil {
				sortPairs(subs)
			}
		})
}

// compareWithRedis encodes every command the reference server knows with
// appendFn and compares the result with the entry unwrap takes from the
// server's reply, after canon puts both in one order.
func compareWithRedis(t *testing.T, sub string, appendFn func(*wire.Writer, *Command, ...func(*Command) bool),
	unwrap func(*node) *node, canon func(*node)) {
	srv := referenceServer(t)
	known := referenceCommands(t)
	include := func(c *Command) bool { return known[c.Name] }
	for _, proto := range []int{2, 3} {
		conn := srv.dial(t, proto)
		compared := 0
		for _, c := range All() {
			if !known[c.Name] {
				continue
			}
			raw := conn.do(t, "COMMAND", sub, c.Name)
			reply, err := parseReply(raw)
			if err != nil {
				t.Fatalf("RESP%d COMMAND %s %s: %v in %q", proto, sub, c.Name, err, raw)
			}
			want := unwrap(reply)
			canon(want)

			w := wire.Writer{Proto: proto}
			appendFn(&w, c, include)
			got, err := parseReply(w.B)
			if err != nil {
				t.Fatalf("RESP%d %s: our encoding does not parse: %v", proto, c.Name, err)
			}
			canon(got)
			if g, w := got.bytes(), want.bytes(); !bytes.Equal(g, w) {
				t.Errorf("RESP%d COMMAND %s %s differs from redis-server:\n%s", proto, sub, c.Name, firstDiff(g, w))
			}
			compared++
		}
		if compared < len(known) {
			t.Errorf("RESP%d: compared %d commands, the server has %d", proto, compared, len(known))
		}
	}
}

// referenceCommands is the set of command and subcommand names the
// reference server knows.
func referenceCommands(t *testing.T) map[string]bool {
	t.Helper()
	conn := referenceServer(t).dial(t, 2)
	reply, err := parseReply(conn.do(t, "COMMAND"))
	if err != nil {
		t.Fatalf("COMMAND: %v", err)
	}
	known := map[string]bool{}
	var walk func(entries []*node)
	walk = func(entries []*node) {
		for _, e := range entries {
			known[e.kids[0].bulk()] = true
			walk(e.kids[9].kids)
		}
	}
	walk(reply.kids)
	return known
}

// field finds the value of key in a map node (or a RESP2 flat array).
func field(m *node, key string) *node {
	for i := 0; i+1 < len(m.kids); i += 2 {
		if m.kids[i].bulk() == key {
			return m.kids[i+1]
		}
	}
	return nil
}

func sortNodes(ns []*node) {
	sort.Slice(ns, func(i, j int) bool { return bytes.Compare(ns[i].bytes(), ns[j].bytes()) < 0 })
}

// sortPairs sorts a map node's key/value pairs by key.
func sortPairs(m *node) {
	pairs := make([][2]*node, len(m.kids)/2)
	for i := range pairs {
		pairs[i] = [2]*node{m.kids[2*i], m.kids[2*i+1]}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i][0].bulk() < pairs[j][0].bulk() })
	for i, p := range pairs {
		m.kids[2*i], m.kids[2*i+1] = p[0], p[1]
	}
}

// firstDiff shows where two encodings part.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("at byte %d:\n got  ...%q\n want ...%q", i, got[from:min(len(got), i+80)], want[from:min(len(want), i+80)])
}
