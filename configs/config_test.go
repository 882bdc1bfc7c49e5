package configs

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

const defaultOutputLimits = "normal 1073741824 268435456 60 slave 268435456 67108864 60 pubsub 33554432 8388608 60"

func TestDefaults(t *testing.T) {
	c := Default() // panics if a default does not parse
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"Bind", c.Bind(), "127.0.0.1"},
		{"Port", c.Port(), 6379},
		{"RequirePass", c.RequirePass(), ""},
		{"Dir", c.Dir(), "."},
		{"MaxClients", c.MaxClients(), 10000},
		{"Databases", c.Databases(), 16},
		{"ProtoMaxBulkLen", c.ProtoMaxBulkLen(), int64(512 << 20)},
		{"ClientQueryBufferLimit", c.ClientQueryBufferLimit(), int64(1 << 30)},
		{"Timeout", c.Timeout(), 0},
		{"Hz", c.Hz(), 10},
		{"LogLevel", c.LogLevel(), "notice"},
		{"LogFile", c.LogFile(), ""},
		{"IOThreads", c.IOThreads(), 0},
		{"Instances", c.Instances(), 64},
		{"Sharding", c.Sharding(), "slots"},
		{"AdminBind", c.AdminBind(), "127.0.0.1"},
		{"AdminPort", c.AdminPort(), 6380},
		{"AdminToken", c.AdminToken(), ""},
		{"ConfigFile", c.ConfigFile(), ""},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s() = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if hard, soft, secs := c.OutputBufferLimit(); hard != 1<<30 || soft != 256<<20 || secs != 60 {
		t.Errorf("OutputBufferLimit() = %d, %d, %d; want 1gb, 256mb, 60", hard, soft, secs)
	}
}

func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range params {
		switch {
		case p.name != strings.ToLower(p.name) || strings.ContainsAny(p.name, " _"):
			t.Errorf("%q: names are lower-case and dashed, like redis.conf", p.name)
		case seen[p.name]:
			t.Errorf("%q is declared twice", p.name)
		case p.doc == "" || strings.Contains(p.doc, "\n"):
			t.Errorf("%q: doc must be one or more sentences on one line", p.name)
		case p.cmdline && p.mutable:
			t.Errorf("%q: a command-line-only setting cannot be changed by CONFIG SET", p.name)
		}
		seen[p.name] = true
	}
}

func TestGet(t *testing.T) {
	tests := []struct {
		patterns []string
		want     [][2]string
	}{
		{nil, nil},
		{[]string{"nosuch"}, nil},
		{[]string{"port"}, [][2]string{{"port", "6379"}}},
		// An exact name is echoed as the client spelled it.
		{[]string{"PORT"}, [][2]string{{"PORT", "6379"}}},
		{[]string{"port", "PORT", "po*"}, [][2]string{{"port", "6379"}}},
		{[]string{"PORT", "p*"}, [][2]string{{"PORT", "6379"}, {"proto-max-bulk-len", "536870912"}, {"procs-per-loop", "no"}}},
		{[]string{"*MAX*B*"}, [][2]string{{"proto-max-bulk-len", "536870912"}, {"hll-sparse-max-bytes", "3000"}, {"stream-node-max-bytes", "4096"}}},
		// An alias is an entry of its own, echoed as spelled.
		{[]string{"hash-max-z*-entries", "HASH-MAX-ZIPLIST-ENTRIES", "hash-max-listpack-entries"}, [][2]string{
			{"hash-max-ziplist-entries", "512"}, {"hash-max-listpack-entries", "512"}}},
		{[]string{"h?", "[h]z", "HZ"}, [][2]string{{"hz", "10"}}},
		{[]string{"admin-*"}, [][2]string{{"admin-bind", "127.0.0.1"}, {"admin-port", "6380"}, {"admin-token", ""}}},
		{[]string{"*buffer-limit"}, [][2]string{
			{"client-query-buffer-limit", "1073741824"},
			{"client-output-buffer-limit", defaultOutputLimits},
		}},
		{[]string{"config", "requirepass"}, [][2]string{{"config", ""}, {"requirepass", ""}}},
	}
	c := Default()
	for _, tt := range tests {
		if got := c.Get(tt.patterns...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Get(%q) = %q, want %q", tt.patterns, got, tt.want)
		}
	}
	aliases := 0
	for _, p := range params {
		if p.alias != "" {
			aliases++
		}
	}
	if got := c.Get("*"); len(got) != len(params)+aliases {
		t.Errorf("Get(*) returned %d settings, want all %d and their %d aliases", len(got), len(params), aliases)
	}
}

func setFail(name, reason string) string {
	return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason
}

func TestSet(t *testing.T) {
	const (
		notInt  = "argument couldn't be parsed into an integer"
		notMem  = "argument must be a memory value"
		memLow  = "argument must be between 1048576 and 9223372036854775807 inclusive"
		clients = "argument must be between 1 and 4294967295 inclusive"
	)
	tests := []struct {
		pairs   []string
		wantErr string            // "" for OK
		want    map[string]string // CONFIG GET afterwards
	}{
		{pairs: []string{"maxclients", "50"}, want: map[string]string{"maxclients": "50"}},
		{pairs: []string{"MaxClients", "51", "timeout", "5"}, want: map[string]string{"maxclients": "51", "timeout": "5"}},
		{pairs: []string{"proto-max-bulk-len", "1MB"}, want: map[string]string{"proto-max-bulk-len": "1048576"}},
		{pairs: []string{"proto-max-bulk-len", "1048576B"}, want: map[string]string{"proto-max-bulk-len": "1048576"}},
		{pairs: []string{"proto-max-bulk-len", "0001mb"}, want: map[string]string{"proto-max-bulk-len": "1048576"}},
		{pairs: []string{"client-query-buffer-limit", "2g"}, want: map[string]string{"client-query-buffer-limit": "2000000000"}},
		{pairs: []string{"hz", "0"}, want: map[string]string{"hz": "1"}},
		{pairs: []string{"hz", "1000"}, want: map[string]string{"hz": "500"}},
		{pairs: []string{"requirepass", "s3cret"}, want: map[string]string{"requirepass": "s3cret"}},
		{
			pairs: []string{"client-output-buffer-limit", "replica 1mb 2k 3"},
			want:  map[string]string{"client-output-buffer-limit": "normal 1073741824 268435456 60 slave 1048576 2000 3 pubsub 33554432 8388608 60"},
		},
		{
			pairs: []string{"client-output-buffer-limit", "NORMAL 0 0 0 Slave 1 2 3"},
			want:  map[string]string{"client-output-buffer-limit": "normal 0 0 0 slave 1 2 3 pubsub 33554432 8388608 60"},
		},
		// Redis splits on single spaces: an empty field reads as 0.
		{
			pairs: []string{"client-output-buffer-limit", "normal 1  2"},
			want:  map[string]string{"client-output-buffer-limit": "normal 1 0 2 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
		},
		{
			pairs: []string{"client-output-buffer-limit", "normal 1 2 "},
			want:  map[string]string{"client-output-buffer-limit": "normal 1 2 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
		},
		{pairs: []string{"client-output-buffer-limit", ""}, want: map[string]string{"client-output-buffer-limit": defaultOutputLimits}},

		{pairs: nil, wantErr: "ERR syntax error"},
		{pairs: []string{"hz", "5", "timeout"}, wantErr: "ERR syntax error"},
		{pairs: []string{"nosuch", "1"}, wantErr: "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"},
		{pairs: []string{"DATABASES", "3"}, wantErr: setFail("DATABASES", "can't set immutable config")},
		{pairs: []string{"port", "abc"}, wantErr: setFail("port", "can't set immutable config")},
		{pairs: []string{"config", "x.yaml"}, wantErr: setFail("config", "can't set immutable config")},
		{pairs: []string{"hz", "5", "HZ", "6"}, wantErr: setFail("HZ", "duplicate parameter"), want: map[string]string{"hz": "10"}},
		// Names are checked before values, and the first failure wins.
		{pairs: []string{"timeout", "-1", "nosuch", "1"}, wantErr: "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"},
		{pairs: []string{"databases", "3", "nosuch", "1"}, wantErr: setFail("databases", "can't set immutable config")},
		{pairs: []string{"timeout", "-1", "databases", "3"}, wantErr: setFail("databases", "can't set immutable config")},
		{pairs: []string{"HZ", "abc"}, wantErr: setFail("hz", notInt)},
		{pairs: []string{"maxclients", "0"}, wantErr: setFail("maxclients", clients)},
		{pairs: []string{"maxclients", "4294967296"}, wantErr: setFail("maxclients", clients)},
		{pairs: []string{"maxclients", "-1"}, wantErr: setFail("maxclients", clients)},
		{pairs: []string{"maxclients", "05"}, wantErr: setFail("maxclients", notInt)},
		{pairs: []string{"maxclients", "+5"}, wantErr: setFail("maxclients", notInt)},
		{pairs: []string{"maxclients", " 5"}, wantErr: setFail("maxclients", notInt)},
		{pairs: []string{"maxclients", "1.5"}, wantErr: setFail("maxclients", notInt)},
		{pairs: []string{"maxclients", "99999999999999999999"}, wantErr: setFail("maxclients", notInt)},
		{pairs: []string{"timeout", "-1"}, wantErr: setFail("timeout", "argument must be between 0 and 2147483647 inclusive")},
		{pairs: []string{"proto-max-bulk-len", "1k"}, wantErr: setFail("proto-max-bulk-len", memLow)},
		{pairs: []string{"proto-max-bulk-len", ""}, wantErr: setFail("proto-max-bulk-len", memLow)},
		{pairs: []string{"proto-max-bulk-len", "mb"}, wantErr: setFail("proto-max-bulk-len", memLow)},
		{pairs: []string{"proto-max-bulk-len", "18446744073709551615"}, wantErr: setFail("proto-max-bulk-len", memLow)},
		{pairs: []string{"proto-max-bulk-len", "99999999999999999999kb"}, wantErr: setFail("proto-max-bulk-len", memLow)},
		{pairs: []string{"proto-max-bulk-len", "1x"}, wantErr: setFail("proto-max-bulk-len", notMem)},
		{pairs: []string{"proto-max-bulk-len", "-5mb"}, wantErr: setFail("proto-max-bulk-len", notMem)},
		{pairs: []string{"proto-max-bulk-len", "1.5mb"}, wantErr: setFail("proto-max-bulk-len", notMem)},
		{pairs: []string{"proto-max-bulk-len", " 1mb"}, wantErr: setFail("proto-max-bulk-len", notMem)},
		{pairs: []string{"proto-max-bulk-len", strings.Repeat("1", 128)}, wantErr: setFail("proto-max-bulk-len", notMem)},
		{pairs: []string{"client-query-buffer-limit", "1k"}, wantErr: setFail("client-query-buffer-limit", memLow)},
		{pairs: []string{"client-output-buffer-limit", "normal 1 2"}, wantErr: setFail("client-output-buffer-limit", errLimitArity.Error())},
		{pairs: []string{"client-output-buffer-limit", "normal  1 2 3"}, wantErr: setFail("client-output-buffer-limit", errLimitArity.Error())},
		{pairs: []string{"client-output-buffer-limit", "master 1 2 3"}, wantErr: setFail("client-output-buffer-limit", errLimitClass.Error())},
		{pairs: []string{"client-output-buffer-limit", "normal 1 2 x"}, wantErr: setFail("client-output-buffer-limit", errLimitValue.Error())},
		{pairs: []string{"client-output-buffer-limit", "normal 1 2 -3"}, wantErr: setFail("client-output-buffer-limit", errLimitValue.Error())},
		{pairs: []string{"client-output-buffer-limit", "normal 1xb 2 3"}, wantErr: setFail("client-output-buffer-limit", errLimitValue.Error())},
		// One bad class rejects the whole value.
		{
			pairs:   []string{"client-output-buffer-limit", "normal 1 2 3 pubsub 1 2 x"},
			wantErr: setFail("client-output-buffer-limit", errLimitValue.Error()),
			want:    map[string]string{"client-output-buffer-limit": defaultOutputLimits},
		},
		// All or nothing: a bad pair keeps the good one from applying.
		{
			pairs:   []string{"maxclients", "77", "timeout", "-1"},
			wantErr: setFail("timeout", "argument must be between 0 and 2147483647 inclusive"),
			want:    map[string]string{"maxclients": "10000", "timeout": "0"},
		},
	}
	for _, tt := range tests {
		c := Default()
		err := c.Set(tt.pairs...)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.wantErr {
			t.Errorf("Set(%q) = %q, want %q", tt.pairs, got, tt.wantErr)
			continue
		}
		for name, want := range tt.want {
			if got := c.Get(name)[0][1]; got != want {
				t.Errorf("after Set(%q): %s = %q, want %q", tt.pairs, name, got, want)
			}
		}
	}
}

func TestSetUpdatesAccessors(t *testing.T) {
	c := Default()
	err := c.Set("requirepass", "pw", "maxclients", "3", "proto-max-bulk-len", "2mb",
		"client-query-buffer-limit", "3mb", "client-output-buffer-limit", "normal 4mb 1mb 7",
		"timeout", "9", "hz", "20")
	if err != nil {
		t.Fatal(err)
	}
	hard, soft, secs := c.OutputBufferLimit()
	got := []any{c.RequirePass(), c.MaxClients(), c.ProtoMaxBulkLen(), c.ClientQueryBufferLimit(), hard, soft, secs, c.Timeout(), c.Hz()}
	want := []any{"pw", 3, int64(2 << 20), int64(3 << 20), int64(4 << 20), int64(1 << 20), 7, 9, 20}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("accessors after Set = %v, want %v", got, want)
	}
	// A byte count past int64 saturates for callers comparing with lengths.
	if err := c.Set("client-output-buffer-limit", "normal 18446744073709551615 0 0"); err != nil {
		t.Fatal(err)
	}
	if hard, _, _ := c.OutputBufferLimit(); hard != 1<<63-1 {
		t.Errorf("hard limit 2^64-1 reads as %d, want math.MaxInt64", hard)
	}
}

// TestConcurrentSet runs readers against writers under -race: readers
// must never see half of a multi-pair SET.
func TestConcurrentSet(t *testing.T) {
	c := Default()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				// Writers keep timeout == maxclients in every SET.
				v := c.v()
				if v.timeout != 0 && v.timeout != v.maxClients {
					t.Errorf("saw timeout %d with maxclients %d: half a SET", v.timeout, v.maxClients)
					return
				}
				_ = c.ClientQueryBufferLimit()
				_, _, _ = c.OutputBufferLimit()
			}
		}()
	}
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range 500 {
				n := fmt.Sprint(1 + w*1000 + i)
				if err := c.Set("timeout", n, "maxclients", n); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shardis.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestExampleFileIsDefault loads the shipped example, which must hold
// exactly the defaults.
func TestExampleFileIsDefault(t *testing.T) {
	c, err := Load([]string{"--config", "shardis.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	got, want := *c.v(), defaults()
	want.configFile = "shardis.yaml"
	if got != want {
		t.Errorf("shardis.yaml loads as\n%+v\nwant the defaults\n%+v", got, want)
	}
}

func TestLoad(t *testing.T) {
	file := writeFile(t, "port: 7000\nmaxclients: 5\ninstances: 8\nrequirepass:\nclient-output-buffer-limit: pubsub 1mb 1mb 1\n")
	tests := []struct {
		args []string
		want map[string]string
	}{
		{nil, map[string]string{"port": "6379", "config": ""}},
		{[]string{"--port", "7001", "-maxclients=9"}, map[string]string{"port": "7001", "maxclients": "9"}},
		{[]string{"--proto-max-bulk-len", "2mb"}, map[string]string{"proto-max-bulk-len": "2097152"}},
		{[]string{"--loglevel", "WARNING"}, map[string]string{"loglevel": "warning"}},
		{[]string{"--port", "1", "--port", "2"}, map[string]string{"port": "2"}},
		{[]string{"--config", file}, map[string]string{"port": "7000", "maxclients": "5", "instances": "8", "config": file}},
		// Flags override the file wherever they appear.
		{[]string{"--port", "7001", "--config", file}, map[string]string{"port": "7001", "maxclients": "5", "instances": "8"}},
		{[]string{"--config", file, "--instances", "4"}, map[string]string{"port": "7000", "instances": "4"}},
		{
			[]string{"--config", file, "--client-output-buffer-limit", "normal 1 2 3"},
			map[string]string{"client-output-buffer-limit": "normal 1 2 3 slave 268435456 67108864 60 pubsub 1048576 1048576 1"},
		},
	}
	for _, tt := range tests {
		c, err := Load(tt.args)
		if err != nil {
			t.Errorf("Load(%q): %v", tt.args, err)
			continue
		}
		for name, want := range tt.want {
			if got := c.Get(name)[0][1]; got != want {
				t.Errorf("Load(%q): %s = %q, want %q", tt.args, name, got, want)
			}
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		file string // written to a temporary file named by FILE in args
		want string // with FILE standing for its path
	}{
		{"bad flag value", []string{"--port", "x"}, "", `configs: invalid value "x" for flag -port: argument couldn't be parsed into an integer`},
		{"bad enum", []string{"--sharding", "hash"}, "", `configs: invalid value "hash" for flag -sharding: argument(s) must be one of the following: slots, ring`},
		{"unknown flag", []string{"--prot", "1"}, "", "configs: flag provided but not defined: -prot"},
		{"positional", []string{"redis.conf"}, "", `configs: unexpected argument "redis.conf": settings are given as --name value`},
		{"two addresses", []string{"--bind", "127.0.0.1 ::1"}, "", `configs: invalid value "127.0.0.1 ::1" for flag -bind: argument must be a single address`},
		{"address with a port", []string{"--admin-bind", "127.0.0.1:7000"}, "", `configs: invalid value "127.0.0.1:7000" for flag -admin-bind: argument must be an address without a port (the port has its own setting)`},
		{"no dir", []string{"--dir", "/nonexistent/shardis"}, "", "configs: dir: stat /nonexistent/shardis: no such file or directory"},
		{"no file", []string{"--config", "/nonexistent/shardis.yaml"}, "", "configs: open /nonexistent/shardis.yaml: no such file or directory"},
		{"unknown key", []string{"--config", "FILE"}, "port: 1\nprot: 2\n", `configs: FILE:2: unknown key "prot"`},
		{"key case", []string{"--config", "FILE"}, "Port: 1\n", `configs: FILE:1: unknown key "Port"`},
		{"repeated key", []string{"--config", "FILE"}, "hz: 1\nport: 1\nhz: 2\n", "configs: FILE:3: hz is already set on line 1"},
		{"config key", []string{"--config", "FILE"}, "config: other.yaml\n", "configs: FILE:1: config can only be given on the command line"},
		{"bad value", []string{"--config", "FILE"}, "\nproto-max-bulk-len: 1k\n", "configs: FILE:2: proto-max-bulk-len: argument must be between 1048576 and 9223372036854775807 inclusive"},
		{"list value", []string{"--config", "FILE"}, "bind:\n  - 127.0.0.1\n", "configs: FILE:2: bind: expected a single value"},
		{"not a mapping", []string{"--config", "FILE"}, "- port\n", "configs: FILE:1: expected a mapping of setting names to values"},
		{"two documents", []string{"--config", "FILE"}, "port: 1\n---\nport: 2\n", "configs: FILE: expected one YAML document, found more"},
		{"bad yaml", []string{"--config", "FILE"}, "port: [\n", "configs: FILE: yaml: line 1: did not find expected node content"},
		// A flag does not hide a bad file.
		{"file then flag", []string{"--config", "FILE", "--port", "1"}, "port: x\n", "configs: FILE:1: port: argument couldn't be parsed into an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args, want := tt.args, tt.want
			if tt.file != "" {
				path := writeFile(t, tt.file)
				args = strings.Split(strings.ReplaceAll(strings.Join(args, "\x00"), "FILE", path), "\x00")
				want = strings.ReplaceAll(want, "FILE", path)
			}
			c, err := Load(args)
			if err == nil {
				t.Fatalf("Load(%q) = %v, want error %q", args, c, want)
			}
			if err.Error() != want {
				t.Errorf("Load(%q) error\n got %q\nwant %q", args, err, want)
			}
		})
	}
}

func TestLoadFileEdgeCases(t *testing.T) {
	tests := []struct {
		body string
		want map[string]string
	}{
		{"", map[string]string{"port": "6379"}},
		{"# only a comment\n", map[string]string{"port": "6379"}},
		{"requirepass: ~\n", map[string]string{"requirepass": ""}},
		{"requirepass: \"yes\"\n", map[string]string{"requirepass": "yes"}},
		{"port: &p 7000\nadmin-port: *p\n", map[string]string{"port": "7000", "admin-port": "7000"}},
		{"admin-port: -1\n", map[string]string{"admin-port": "-1"}},
	}
	for _, tt := range tests {
		c, err := Load([]string{"--config", writeFile(t, tt.body)})
		if err != nil {
			t.Errorf("file %q: %v", tt.body, err)
			continue
		}
		for name, want := range tt.want {
			if got := c.Get(name)[0][1]; got != want {
				t.Errorf("file %q: %s = %q, want %q", tt.body, name, got, want)
			}
		}
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := load([]string{"-h"}, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h returned %v, want flag.ErrHelp", err)
	}
	for _, p := range params {
		if !strings.Contains(out.String(), "--"+p.name+" <") {
			t.Errorf("-h does not list --%s", p.name)
		}
		if !strings.Contains(out.String(), wrap(p.doc, 70)[0]) {
			t.Errorf("-h does not show the documentation of %s", p.name)
		}
	}
}

func TestMemtoull(t *testing.T) {
	const max = 1<<64 - 1
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"100", 100, true}, {"10b", 10, true}, {"10B", 10, true},
		{"1k", 1000, true}, {"1K", 1000, true}, {"1kb", 1024, true}, {"1Kb", 1024, true},
		{"1m", 1000000, true}, {"512mb", 512 << 20, true}, {"2g", 2000000000, true}, {"1GB", 1 << 30, true},
		{"007", 7, true}, {"", 0, true}, {"gb", 0, true}, // as strtoull reads no digits
		{"18446744073709551615", max, true}, {"99999999999999999999", max, true}, {"99999999999999999999gb", max, true},
		{"18014398509483008kb", max, true}, // 7.0 wraps this to 1mb
		{"-1", 0, false}, {"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"1.5mb", 0, false},
		{"1x", 0, false}, {"1kbb", 0, false}, {"1\u212Ab", 0, false}, {strings.Repeat("1", 128), 0, false},
	}
	for _, tt := range tests {
		got, ok := memtoull(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("memtoull(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBoolean(t *testing.T) {
	var b bool
	k := boolean(func(*values) *bool { return &b })
	for _, tt := range []struct {
		in   string
		want string
		err  error
	}{
		{"yes", "yes", nil}, {"NO", "no", nil}, {"Yes", "yes", nil}, {"true", "yes", errNotYesNo}, {"", "yes", errNotYesNo},
	} {
		err := k.set(nil, tt.in)
		if got := k.get(nil); err != tt.err || got != tt.want {
			t.Errorf("set(%q) = %v, reads %q; want %v, %q", tt.in, err, got, tt.err, tt.want)
		}
	}
}
