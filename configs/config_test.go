package configs

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDocsListEverySetting(t *testing.T) {
	for _, f := range []string{"README.md", "shardis.yaml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range Names() {
			if !strings.Contains(string(data), name) {
				t.Errorf("%s does not document %q", f, name)
			}
		}
	}
}

func TestExampleFileIsTheDefaults(t *testing.T) {
	c, err := Load([]string{"--config", "shardis.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	for _, name := range Names() {
		got, want := c.Get(name)[0][1], d.Get(name)[0][1]
		if got != want {
			t.Errorf("%s: shardis.yaml gives %q, default is %q", name, got, want)
		}
	}
}

func TestFlagsOverrideFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte("port: 7000\nmaxclients: 5\ninstances: 8\n"), 0o644)
	c, err := Load([]string{"--config", path, "--port", "7001"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Port() != 7001 || c.MaxClients() != 5 || c.Instances() != 8 {
		t.Fatalf("port %d maxclients %d instances %d, want 7001 5 8", c.Port(), c.MaxClients(), c.Instances())
	}
	if c.ConfigFile() != path {
		t.Fatalf("ConfigFile = %q", c.ConfigFile())
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ body, want string }{
		{"nosuch: 1\n", `unknown setting "nosuch"`},
		{"port: abc\n", "couldn't be parsed into an integer"},
		{"proto-max-bulk-len: 1k\n", "between 1048576"},
	}
	for i, tt := range tests {
		path := filepath.Join(dir, "c.yaml")
		os.WriteFile(path, []byte(tt.body), 0o644)
		_, err := Load([]string{"--config", path})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("#%d: err = %v, want mention of %q and the file", i, err, tt.want)
		}
	}
}

func TestParseMemory(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"100", 100, true}, {"1k", 1000, true}, {"1kb", 1024, true}, {"512mb", 512 << 20, true},
		{"1GB", 1 << 30, true}, {"2g", 2e9, true}, {"10b", 10, true}, {"-1", 0, false}, {"x", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseMemory(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestConfigSet(t *testing.T) {
	tests := []struct {
		pairs []string
		want  string // "" for success
	}{
		{[]string{"maxclients", "50"}, ""},
		{[]string{"foo", "1"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[]string{"databases", "3"}, "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"},
		{[]string{"maxclients", "x"}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer"},
		{[]string{"maxclients", "0"}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"},
		{[]string{"proto-max-bulk-len", "x"}, "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be a memory value"},
		{[]string{"loglevel", "foo"}, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"},
		{[]string{"hz", "10", "hz", "11"}, "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter"},
		{[]string{"client-output-buffer-limit", "normal 1mb 0"}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration."},
		// All or nothing: the good pair is not applied when the other fails.
		{[]string{"maxclients", "77", "timeout", "-1"}, "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive"},
	}
	for i, tt := range tests {
		c := Default()
		err := c.Set(tt.pairs...)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("#%d Set(%q) = %q, want %q", i, tt.pairs, got, tt.want)
		}
		if i == len(tests)-1 && c.MaxClients() != 10000 {
			t.Errorf("failed CONFIG SET changed maxclients to %d", c.MaxClients())
		}
	}
	c := Default()
	c.Set("hz", "1000", "client-output-buffer-limit", "normal 1mb 2mb 3")
	if c.Hz() != 500 {
		t.Errorf("hz 1000 = %d, want clamped to 500", c.Hz())
	}
	if h, s, secs := c.OutputBufferLimit(); h != 1<<20 || s != 2<<20 || secs != 3 {
		t.Errorf("output limit = %d %d %d", h, s, secs)
	}
}

func TestConfigGet(t *testing.T) {
	c := Default()
	got := c.Get("port", "*max-*-len", "PORT", "nomatch")
	want := [][2]string{{"port", "6379"}, {"proto-max-bulk-len", "536870912"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Get = %q, want %q", got, want)
	}
	if v := c.Get("client-output-buffer-limit")[0][1]; v != "normal 1073741824 268435456 60 slave 268435456 67108864 60 pubsub 33554432 8388608 60" {
		t.Fatalf("client-output-buffer-limit = %q", v)
	}
}

// TestMatchesRedisErrors compares CONFIG SET error texts with a real
// redis-server for the settings both have.
func TestMatchesRedisErrors(t *testing.T) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed: differential CONFIG test skipped")
	}
	srv, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed: differential CONFIG test skipped")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd := exec.Command(srv, "--port", port, "--save", "", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for i := 0; i < 50; i++ {
		if out, _ := exec.Command(cli, "-p", port, "ping").Output(); strings.TrimSpace(string(out)) == "PONG" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, pairs := range [][]string{
		{"databases", "3"}, {"maxclients", "x"}, {"maxclients", "0"}, {"timeout", "-1"},
		{"proto-max-bulk-len", "x"}, {"proto-max-bulk-len", "1k"}, {"loglevel", "foo"}, {"nosuchsetting", "1"},
		{"hz", "1", "hz", "2"}, {"client-output-buffer-limit", "foo"},
	} {
		out, _ := exec.Command(cli, append([]string{"-p", port, "config", "set"}, pairs...)...).Output()
		want := strings.TrimSpace(string(out))
		got := "OK"
		if err := Default().Set(pairs...); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("CONFIG SET %q: shardis %q, redis %q", pairs, got, want)
		}
	}
}
