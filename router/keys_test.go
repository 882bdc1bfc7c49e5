package router

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// keyCases are command lines and the key positions Redis 7.0 reports for
// them. The positions are checked here without a server, and against a
// real redis-server's COMMAND GETKEYS by TestKeyPositionsMatchRedis.
// In a line, "" is an empty argument.
var keyCases = []struct {
	line string
	want []int
}{
	{"GET k", []int{1}},
	{"get k", []int{1}},
	{"SET k v", []int{1}},
	{"SET k v GET", []int{1}},
	{"SET k v EX 10 NX", []int{1}},
	{"MSET a 1 b 2", []int{1, 3}},
	{"MSET a 1 b", []int{1, 3}},
	{"MSETNX a 1 b 2", []int{1, 3}},
	{"MGET a b c", []int{1, 2, 3}},
	{"DEL a b", []int{1, 2}},
	{"UNLINK a", []int{1}},
	{"EXISTS a b a", []int{1, 2, 3}},
	{"TOUCH a b", []int{1, 2}},
	{"WATCH a b", []int{1, 2}},
	{"RENAME a b", []int{1, 2}},
	{"COPY a b DB 1 REPLACE", []int{1, 2}},
	{"LCS a b LEN", []int{1, 2}},
	{"HSET h f v", []int{1}},
	{"XADD s * f v", []int{1}},
	{"PFCOUNT a b", []int{1, 2}},
	{"PFMERGE d a b", []int{1, 2, 3}},
	{"BITOP AND d a b", []int{2, 3, 4}},
	{"BITFIELD k GET u8 0", []int{1}},
	{"BITFIELD_RO k GET u8 0", []int{1}},
	{"BLMOVE a b LEFT RIGHT 0", []int{1, 2}},
	{"LMOVE a b LEFT LEFT", []int{1, 2}},
	{"RPOPLPUSH a b", []int{1, 2}},
	{"SMOVE a b m", []int{1, 2}},
	{"BRPOP a b 0", []int{1, 2}},
	{"BZPOPMIN a b 0", []int{1, 2}},
	{"ZRANGESTORE d s 0 -1", []int{1, 2}},
	{"GEOSEARCHSTORE d s FROMMEMBER m BYRADIUS 1 km", []int{1, 2}},
	{"SINTERSTORE d a b", []int{1, 2, 3}},

	// keynum specs, with the getkeys_proc taking over when they fail.
	{"ZUNIONSTORE d 2 a b WEIGHTS 1 2", []int{1, 3, 4}},
	{"ZUNIONSTORE d 2x a b", []int{3, 4, 1}},
	{"ZUNIONSTORE d 3 a b", nil},
	{"ZUNIONSTORE d 4294967298 a b", []int{1, 3, 4}},
	{"ZINTERSTORE d 1 a", []int{1, 3}},
	{"ZDIFFSTORE d 2 a b", []int{1, 3, 4}},
	{"ZINTER 2 a b WITHSCORES", []int{2, 3}},
	{"ZUNION 1 a", []int{2}},
	{"ZDIFF 2 a b", []int{2, 3}},
	{"ZINTERCARD 2 a b LIMIT 1", []int{2, 3}},
	{"SINTERCARD 2 a b LIMIT 1", []int{2, 3}},
	{"SINTERCARD 3 a b", nil},
	{"LMPOP 2 a b LEFT COUNT 2", []int{2, 3}},
	{"BLMPOP 0 2 a b LEFT", []int{3, 4}},
	{"ZMPOP 1 a MIN", []int{2}},
	{"BZMPOP 0 1 a MAX", []int{3}},
	{"EVAL s 2 a b x", []int{3, 4}},
	{"EVAL s 0", nil},
	{"EVAL s 0 x", nil},
	{"EVAL s abc a", nil},
	{"EVAL s -1 a", nil},
	{"EVAL s 1abc a", []int{3}},
	{"EVAL s 4294967297 a", []int{3}},
	{"EVALSHA h 1 a", []int{3}},
	{"EVAL_RO s 1 a", []int{3}},
	{"EVALSHA_RO h 2 a b", []int{3, 4}},
	{"FCALL f 1 a x", []int{3}},
	{"FCALL_RO f 2 a b", []int{3, 4}},

	// keyword specs.
	{"XREAD COUNT 1 STREAMS a b 0 0", []int{4, 5}},
	{"XREAD STREAMS streams 0", []int{2}},
	{"XREAD COUNT 1 STREAMS a b 0", []int{4}},
	{"XREAD BLOCK 0 STREAMS a", nil},
	{"XREAD COUNT 1 NOACK", nil},
	{"XREADGROUP GROUP g c STREAMS a 0", []int{5}},
	{"XREADGROUP GROUP streams c COUNT 1 STREAMS a b > >", []int{7, 8}},
	{"GEORADIUS k 0 0 1 km STORE d", []int{1, 7}},
	{"GEORADIUS k 0 0 1 km STOREDIST d", []int{1, 7}},
	{"GEORADIUS k 0 0 1 km STORE d STOREDIST e", []int{1, 7, 9}},
	{"GEORADIUSBYMEMBER k m 1 km STORE d", []int{1, 6}},
	{"GEORADIUS_RO k 0 0 1 km", []int{1}},

	// getkeys_proc commands whose specs are incomplete.
	{"SORT k", []int{1}},
	{"SORT k BY w_* GET o_* STORE d", []int{1, 7}},
	{"SORT k STORE a STORE b", []int{1, 5}},
	{"SORT k GET store STORE d", []int{1, 5}},
	{"SORT k LIMIT 0 1 STORE d", []int{1, 6}},
	{"SORT k LIMIT store 1 ALPHA", []int{1}},
	{"SORT k STORE", []int{1}},
	{"SORT_RO k BY w_*", []int{1}},
	{"MIGRATE h 6379 k 0 5000", []int{3}},
	{"MIGRATE h 6379 k 0 5000 COPY", []int{3}},
	{`MIGRATE h 6379 "" 0 5000 KEYS a b`, []int{7, 8}},
	{`MIGRATE h 6379 "" 0 5000 COPY REPLACE KEYS a b c`, []int{9, 10, 11}},
	{`MIGRATE h 6379 "" 0 5000 AUTH pw KEYS a`, []int{9}},
	{"MIGRATE h 6379 k 0 5000 KEYS a", nil},
	{`MIGRATE h 6379 "" 0 5000 AUTH keys KEYS a`, []int{9}},
	{`MIGRATE h 6379 "" 0 5000 AUTH2 u keys KEYS a b`, []int{10, 11}},

	// Subcommands: positions count the container and the subcommand.
	{"OBJECT ENCODING k", []int{2}},
	{"object freq k", []int{2}},
	{"MEMORY USAGE k SAMPLES 5", []int{2}},
	{"XINFO STREAM k FULL", []int{2}},
	{"XINFO GROUPS k", []int{2}},
	{"XGROUP CREATE k g $", []int{2}},

	// No keys.
	{"PING", nil},
	{"CLIENT LIST", nil},
	{"SPUBLISH ch m", nil},
	{"PUBLISH ch m", nil},
}

// commandFor resolves a command line to its table entry, as a dispatcher
// does: the container's subcommand when there is one.
func commandFor(args [][]byte) *Command {
	c := Lookup(args[0])
	if c != nil && c.Subcommands != nil && len(args) > 1 {
		return c.Sub(args[1])
	}
	return c
}

func splitLine(line string) [][]byte {
	var args [][]byte
	for _, f := range strings.Fields(line) {
		if f == `""` {
			f = ""
		}
		args = append(args, []byte(f))
	}
	return args
}

func TestKeyPositions(t *testing.T) {
	for _, tt := range keyCases {
		args := splitLine(tt.line)
		c := commandFor(args)
		if c == nil {
			t.Fatalf("%s: not in the table", tt.line)
		}
		if !c.AcceptsArgc(len(args)) {
			t.Fatalf("%s: %d arguments do not fit arity %d", tt.line, len(args), c.Arity)
		}
		got := c.KeyPositions(args, nil)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("%s: KeyPositions = %v, want %v", tt.line, got, tt.want)
		}
	}
}

// KeyPositions appends: what dst holds stays, also when the key specs fail
// and the finder takes over.
func TestKeyPositionsAppends(t *testing.T) {
	for _, line := range []string{"MSET a 1 b 2", "ZUNIONSTORE d 2x a b", "SORT k STORE d", "EVAL s abc a"} {
		args := splitLine(line)
		c := commandFor(args)
		want := append([]int{-7}, c.KeyPositions(args, nil)...)
		if got := c.KeyPositions(args, []int{-7}); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: KeyPositions([-7]) = %v, want %v", line, got, want)
		}
	}
}

func TestKeys(t *testing.T) {
	args := splitLine("MSET a 1 b 2")
	got := Lookup(args[0]).Keys(args, nil)
	if want := "[a b]"; fmt.Sprintf("%s", got) != want {
		t.Errorf("Keys(MSET a 1 b 2) = %s, want %s", got, want)
	}
}

// Redis 7.0 leaves the step out of the keynum arithmetic; that is harmless
// only while every keynum spec steps by one.
func TestKeyNumSpecsStepByOne(t *testing.T) {
	for _, c := range All() {
		for _, ks := range c.KeySpecs {
			if ks.FK == FKKeyNum && ks.KeyStep != 1 {
				t.Errorf("%s: keynum spec with keystep %d", c.Name, ks.KeyStep)
			}
		}
	}
}

// Redis flags movablekeys the commands whose key specs are not all "index
// + range" and those with a getkeys_proc, except where the proc only
// computes VARIABLE_FLAGS (SET, BITFIELD). So a movablekeys command with
// plain specs needs a finder here, and a finder implies movablekeys.
func TestFindersMatchMovableKeys(t *testing.T) {
	for name := range finders {
		if c := ByName(name); c == nil {
			t.Errorf("finder for %s, which is not in the table", name)
		}
	}
	for _, c := range All() {
		simple, variable := true, false
		for _, ks := range c.KeySpecs {
			simple = simple && ks.BS == BSIndex && ks.FK == FKRange
			variable = variable || ks.Flags&KeyVariableFlags != 0
		}
		movable := c.Flags&FlagMovableKeys != 0
		if movable && simple && c.keys.finder == nil {
			t.Errorf("%s is movablekeys with plain key specs but has no finder", c.Name)
		}
		if !movable && !variable && c.keys.finder != nil {
			t.Errorf("%s has a finder but is not movablekeys", c.Name)
		}
	}
}

func TestString2ll(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"7", 7, true},
		{"-12", -12, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"-0", 0, false},
		{"01", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1x", 0, false},
		{"000000000000000000001", 0, false},
	}
	for _, tt := range tests {
		got, ok := string2ll([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("string2ll(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAtoi(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"2", 2},
		{" \t\n2", 2},
		{"+1", 1},
		{"-1", -1},
		{"2abc", 2},
		{"abc", 0},
		{"", 0},
		{"- 1", 0},
		{"4294967297", 1},            // strtol's long, narrowed to a 32-bit int
		{"99999999999999999999", -1}, // saturates at LONG_MAX, which narrows to -1
		{"-99999999999999999999", 0}, // LONG_MIN narrows to 0
	}
	for _, tt := range tests {
		if got := atoi([]byte(tt.in)); got != tt.want {
			t.Errorf("atoi(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestStrcaseeq(t *testing.T) {
	tests := []struct {
		arg, s string
		want   bool
	}{
		{"STREAMS", "streams", true},
		{"streams", "streams", true},
		{"stream", "streams", false},
		{"streamsx", "streams", false},
		{"streams\x00x", "streams", true}, // C strings end at NUL
		{"\x00", "", true},
		{"", "", true},
		{"", "x", false},
	}
	for _, tt := range tests {
		if got := strcaseeq([]byte(tt.arg), tt.s); got != tt.want {
			t.Errorf("strcaseeq(%q, %q) = %v, want %v", tt.arg, tt.s, got, tt.want)
		}
	}
}

func TestKeyPositionsMatchRedis(t *testing.T) {
	conn := referenceServer(t).dial(t, 2)
	for _, tt := range keyCases {
		args := splitLine(tt.line)
		want := redisGetKeys(t, conn, args)
		var got []string
		for _, p := range tt.want {
			if p >= len(args) {
				t.Fatalf("%s: position %d is out of range", tt.line, p)
			}
			got = append(got, string(args[p]))
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("%s: keyCases say %q, redis-server says %q", tt.line, got, want)
		}
	}
}

// TestKeyPositionsMatchRedisRandom throws random argument lists, built
// from the words key extraction reacts to, at every command of the table
// and compares the keys with COMMAND GETKEYS.
func TestKeyPositionsMatchRedisRandom(t *testing.T) {
	conn := referenceServer(t).dial(t, 2)
	known := referenceCommands(t)
	words := []string{
		"STREAMS", "streams", "STORE", "storedist", "KEYS", "GET", "get", "BY", "LIMIT", "GROUP",
		"BLOCK", "count", "NOACK", "WEIGHTS", "", "0", "1", "2", "3", "-1", "2x", " 2", "+1",
		"4294967297", "k1", "k2", "k3", "v", "GET\x00x", "STREAMS\x00",
	}
	rng := rand.New(rand.NewSource(1))
	const trials = 40
	checked := 0
	for _, c := range All() {
		if !known[c.Name] || c.Subcommands != nil {
			continue
		}
		prefix := strings.Split(c.Name, "|")
		lines := make([][][]byte, 0, trials)
		for i := 0; i < trials; i++ {
			argc := c.Arity
			if argc < 0 {
				argc = -argc + rng.Intn(7)
			}
			args := make([][]byte, argc)
			for j := range args {
				if j < len(prefix) {
					args[j] = []byte(prefix[j])
				} else {
					args[j] = []byte(words[rng.Intn(len(words))])
				}
			}
			lines = append(lines, args)
		}
		// Pipeline the trials: thousands of round trips add up.
		for _, args := range lines {
			if err := conn.send(getKeysCommand(args)...); err != nil {
				t.Fatal(err)
			}
		}
		for _, args := range lines {
			want := parseGetKeys(t, conn, args)
			got := c.Keys(args, nil)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
				t.Errorf("%q: Keys = %q, redis-server says %q", args, got, want)
			}
			checked++
		}
	}
	if checked < 10000 {
		t.Errorf("checked only %d command lines", checked)
	}
}

func getKeysCommand(args [][]byte) []string {
	cmd := []string{"COMMAND", "GETKEYS"}
	for _, a := range args {
		cmd = append(cmd, string(a))
	}
	return cmd
}

// redisGetKeys asks the server for the keys of args. An error reply
// (no keys, invalid arguments) means none.
func redisGetKeys(t *testing.T, c *conn, args [][]byte) [][]byte {
	t.Helper()
	if err := c.send(getKeysCommand(args)...); err != nil {
		t.Fatal(err)
	}
	return parseGetKeys(t, c, args)
}

func parseGetKeys(t *testing.T, c *conn, args [][]byte) [][]byte {
	t.Helper()
	raw, err := readReply(c.rd)
	if err != nil {
		t.Fatalf("COMMAND GETKEYS %q: %v", args, err)
	}
	if raw[0] == '-' {
		return nil
	}
	n, err := parseReply(raw)
	if err != nil {
		t.Fatalf("COMMAND GETKEYS %q: %v", args, err)
	}
	var keys [][]byte
	for _, k := range n.kids {
		keys = append(keys, []byte(k.bulk()))
	}
	return keys
}

func TestKeyPositionsAllocs(t *testing.T) {
	dst := make([]int, 0, 16)
	for _, line := range []string{"GET k", "MSET a 1 b 2 c 3", "ZUNIONSTORE d 2 a b", "SORT k STORE d", "XREAD STREAMS a b 0 0", "OBJECT ENCODING k"} {
		args := splitLine(line)
		c := commandFor(args)
		if n := testing.AllocsPerRun(100, func() { dst = c.KeyPositions(args, dst[:0]) }); n != 0 {
			t.Errorf("%s: KeyPositions allocates %v times, want 0", line, n)
		}
	}
}

func BenchmarkKeyPositions(b *testing.B) {
	for _, line := range []string{"GET k", "MSET a 1 b 2 c 3 d 4", "XREAD COUNT 10 STREAMS a b 0 0", "EVAL s 2 a b"} {
		args := splitLine(line)
		c := commandFor(args)
		dst := make([]int, 0, 16)
		b.Run(strings.Fields(line)[0], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dst = c.KeyPositions(args, dst[:0])
			}
		})
	}
}
