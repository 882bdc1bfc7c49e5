package router

import (
	"bytes"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name string
		want string // "" for nil
	}{
		{"get", "get"},
		{"GET", "get"},
		{"gEt", "get"},
		{"CLIENT", "client"},
		{"georadiusbymember_ro", "georadiusbymember_ro"},
		{"client|list", ""}, // subcommands are found with Sub
		{"nosuchcommand", ""},
		{"", ""},
		{"get\x00", ""},
		{strings.Repeat("g", maxNameLen), ""},
		{strings.Repeat("g", maxNameLen+1), ""},
		{strings.Repeat("x", 1<<16), ""},
	}
	for _, tt := range tests {
		got := Lookup([]byte(tt.name))
		if (got == nil) != (tt.want == "") || got != nil && got.Name != tt.want {
			t.Errorf("Lookup(%.40q) = %v, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSub(t *testing.T) {
	tests := []struct {
		container, sub string
		want           string // "" for nil
	}{
		{"client", "list", "client|list"},
		{"client", "LIST", "client|list"},
		{"client", "SetInfo", "client|setinfo"}, // supplemented from Redis 7.2
		{"client", "setname", "client|setname"},
		{"object", "ENCODING", "object|encoding"},
		{"config", "get", "config|get"},
		{"cluster", "count-failure-reports", "cluster|count-failure-reports"},
		{"client", "nosuch", ""},
		{"client", "", ""},
		{"client", "client|list", ""},
		{"get", "list", ""},
		{"client", strings.Repeat("l", maxNameLen+1), ""},
	}
	for _, tt := range tests {
		got := Lookup([]byte(tt.container)).Sub([]byte(tt.sub))
		if (got == nil) != (tt.want == "") || got != nil && got.Name != tt.want {
			t.Errorf("%s.Sub(%q) = %v, want %q", tt.container, tt.sub, got, tt.want)
		}
	}
}

func TestByName(t *testing.T) {
	for _, name := range []string{"get", "client|list", "CLIENT|LIST", "object|encoding"} {
		if c := ByName(name); c == nil || c.Name != strings.ToLower(name) {
			t.Errorf("ByName(%q) = %v, want %s", name, c, strings.ToLower(name))
		}
	}
	for _, name := range []string{"nosuch", "client|nosuch", "get|x", "|list"} {
		if c := ByName(name); c != nil {
			t.Errorf("ByName(%q) = %s, want nil", name, c.Name)
		}
	}
}

// TestAll checks the table's structural invariants: IDs index All(),
// containers precede their subcommands, every name is found again by
// Lookup and Sub in any case, and names fit maxNameLen.
func TestAll(t *testing.T) {
	var top, subs int
	var prev string
	for i, c := range All() {
		if c.ID != i {
			t.Errorf("%s: ID %d at index %d", c.Name, c.ID, i)
		}
		if c.Parent == nil {
			top++
			if c.Name <= prev {
				t.Errorf("%s follows %s: top-level commands are not sorted", c.Name, prev)
			}
			prev = c.Name
			if got := Lookup(bytes.ToUpper([]byte(c.Name))); got != c {
				t.Errorf("Lookup(%q) = %v", strings.ToUpper(c.Name), got)
			}
			continue
		}
		subs++
		container, sub, ok := strings.Cut(c.Name, "|")
		if !ok || c.Parent.Name != container {
			t.Errorf("%s: parent %s", c.Name, c.Parent.Name)
		}
		if c.Parent.ID >= c.ID {
			t.Errorf("%s: listed before its container", c.Name)
		}
		if got := c.Parent.Sub(bytes.ToUpper([]byte(sub))); got != c {
			t.Errorf("%s.Sub(%q) = %v", container, strings.ToUpper(sub), got)
		}
		if len(sub) > maxNameLen {
			t.Errorf("%s: longer than maxNameLen", c.Name)
		}
	}
	// Redis 7.0.15 has 240 commands and 126 subcommands; CLIENT SETINFO
	// is supplemented.
	if top != 240 || subs != 127 {
		t.Errorf("table has %d commands and %d subcommands, want 240 and 127", top, subs)
	}
}

func TestLookupAllocs(t *testing.T) {
	client := Lookup([]byte("client"))
	long := bytes.Repeat([]byte("x"), 1000)
	tests := []struct {
		name string
		fn   func()
	}{
		{"Lookup hit", func() { Lookup([]byte("GET")) }},
		{"Lookup miss", func() { Lookup([]byte("NOSUCH")) }},
		{"Lookup too long", func() { Lookup(long) }},
		{"Sub hit", func() { client.Sub([]byte("SETNAME")) }},
		{"Sub miss", func() { client.Sub([]byte("NOSUCH")) }},
		{"Sub too long", func() { client.Sub(long) }},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.fn); n != 0 {
			t.Errorf("%s allocates %v times, want 0", tt.name, n)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	for _, name := range []string{"GET", "zrangebyscore", "NOSUCH"} {
		in := []byte(name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Lookup(in)
			}
		})
	}
	client, sub := Lookup([]byte("client")), []byte("SETNAME")
	b.Run("client.Sub", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			client.Sub(sub)
		}
	})
}
