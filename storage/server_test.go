package storage

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// parseArrayOfBulks decodes a flat RESP2 array of bulk strings.
func parseArrayOfBulks(t *testing.T, reply string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(reply, "\r\n"), "\r\n")
	if !strings.HasPrefix(lines[0], "*") {
		t.Fatalf("not an array: %q", reply)
	}
	var out []string
	for i := 2; i < len(lines); i += 2 {
		out = append(out, lines[i])
	}
	return out
}

func TestDBSizeAndFlush(t *testing.T) {
	h := newHarness(t, 8)
	for i := 0; i < 100; i++ {
		h.do("SET", fmt.Sprintf("k%d", i), "v")
	}
	h.db = 1
	h.do("SET", "other", "v")
	tests := []struct {
		db   int
		args []string
		want string
	}{
		{1, []string{"DBSIZE"}, ":1\r\n"},
		{0, []string{"DBSIZE"}, ":100\r\n"},
		{0, []string{"FLUSHDB", "FOO"}, "-ERR syntax error\r\n"},
		{0, []string{"FLUSHDB", "ASYNC"}, "+OK\r\n"},
		{0, []string{"DBSIZE"}, ":0\r\n"},
		{1, []string{"DBSIZE"}, ":1\r\n"},
		{0, []string{"FLUSHALL", "SYNC", "extra"}, "-ERR syntax error\r\n"},
		{0, []string{"FLUSHALL"}, "+OK\r\n"},
		{1, []string{"DBSIZE"}, ":0\r\n"},
	}
	for _, tt := range tests {
		h.db = tt.db
		if got := h.do(tt.args...); got != tt.want {
			t.Errorf("db%d %v = %q, want %q", tt.db, tt.args, got, tt.want)
		}
	}
	for _, in := range h.eng.Instances() {
		if st := in.Stats(); st.Keys != 0 || st.UsedMemory != 0 {
			t.Errorf("instance %d after FLUSHALL: keys %d, memory %d", st.ID, st.Keys, st.UsedMemory)
		}
	}
}

// TestSwapDB swaps databases across every instance: keys, deadlines and
// counts follow their database, the expiry index stays consistent, and
// bad indexes get Redis's three errors.
func TestSwapDB(t *testing.T) {
	h := newHarness(t, 8)
	for i := 0; i < 50; i++ {
		h.do("SET", fmt.Sprintf("k%d", i), "zero")
	}
	h.do("SET", "ttl0", "v", "PX", "1000")
	h.db = 2
	h.do("SET", "k0", "two")
	h.do("RPUSH", "only2", "x")
	tests := []struct {
		db   int
		args []string
		want string
	}{
		{0, []string{"SWAPDB", "0", "x"}, "-ERR invalid second DB index\r\n"},
		{0, []string{"SWAPDB", "00", "1"}, "-ERR invalid first DB index\r\n"},
		{0, []string{"SWAPDB", "4294967296", "1"}, "-ERR invalid first DB index\r\n"},
		{0, []string{"SWAPDB", "0", "16"}, "-ERR DB index is out of range\r\n"},
		{0, []string{"SWAPDB", "-1", "x"}, "-ERR invalid second DB index\r\n"},
		{0, []string{"SWAPDB", "-1", "0"}, "-ERR DB index is out of range\r\n"},
		{0, []string{"SWAPDB", "3", "3"}, "+OK\r\n"},
		{0, []string{"DBSIZE"}, ":51\r\n"},
		{0, []string{"SWAPDB", "0", "2"}, "+OK\r\n"},
		{0, []string{"DBSIZE"}, ":2\r\n"},
		{0, []string{"GET", "k0"}, "$3\r\ntwo\r\n"},
		{0, []string{"LLEN", "only2"}, ":1\r\n"},
		{2, []string{"DBSIZE"}, ":51\r\n"},
		{2, []string{"GET", "k0"}, "$4\r\nzero\r\n"},
		{2, []string{"PTTL", "ttl0"}, ":1000\r\n"},
		{0, []string{"SWAPDB", "2", "0"}, "+OK\r\n"},
		{0, []string{"GET", "k1"}, "$4\r\nzero\r\n"},
		{2, []string{"EXISTS", "only2"}, ":1\r\n"},
	}
	for _, tt := range tests {
		h.db = tt.db
		if got := h.do(tt.args...); got != tt.want {
			t.Errorf("db%d %v = %q, want %q", tt.db, tt.args, got, tt.want)
		}
	}
	h.db = 0
	h.advance(1001)
	if got := h.do("EXISTS", "ttl0"); got != ":0\r\n" {
		t.Errorf("ttl0 after its deadline = %q", got)
	}
	if !checkExpireIndex(t, h.eng) {
		t.Fatal("expiry index inconsistent after SWAPDB")
	}
}

func TestKeysSkipsExpired(t *testing.T) {
	h := newHarness(t, 8)
	h.do("SET", "user:1", "a")
	h.do("SET", "user:2", "b", "PX", "10")
	h.do("SET", "other", "c")
	h.do("SET", "", "empty key")
	h.advance(20)
	tests := []struct {
		pattern string
		want    []string
	}{
		{"*", []string{"", "other", "user:1"}},
		{"user:*", []string{"user:1"}},
		{"u?er:[12]", []string{"user:1"}},
		{"nomatch*", nil},
	}
	for _, tt := range tests {
		got := parseArrayOfBulks(t, h.do("KEYS", tt.pattern))
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("KEYS %q = %q, want %q", tt.pattern, got, tt.want)
		}
	}
}

// scanAll walks a full SCAN and returns every key with its count.
func scanAll(t *testing.T, h *harness, extra ...string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	cursor := "0"
	for calls := 0; ; calls++ {
		if calls > 20000 {
			t.Fatal("SCAN did not terminate")
		}
		args := append([]string{"SCAN", cursor}, extra...)
		reply := h.do(args...)
		lines := strings.Split(reply, "\r\n")
		// *2, $n, cursor, *k, then k bulks
		cursor = lines[2]
		for i := 5; i < len(lines)-1; i += 2 {
			seen[lines[i]]++
		}
		if cursor == "0" {
			return seen
		}
	}
}

func TestScan(t *testing.T) {
	h := newHarness(t, 64)
	for i := 0; i < 500; i++ {
		h.do("SET", "s:"+strconv.Itoa(i), "v")
	}
	h.put("alist", &Value{Kind: KindList, Enc: EncQuicklist})
	h.do("SET", "gone", "v", "PX", "1")
	h.advance(5)

	all := scanAll(t, h, "COUNT", "7")
	if len(all) != 501 {
		t.Fatalf("SCAN found %d keys, want 501", len(all))
	}
	for k, n := range all {
		if n != 1 {
			t.Errorf("SCAN returned %q %d times", k, n)
		}
	}
	if _, ok := all["gone"]; ok {
		t.Error("SCAN returned an expired key")
	}
	if got := scanAll(t, h, "MATCH", "s:1?", "COUNT", "1000"); len(got) != 10 {
		t.Errorf("SCAN MATCH s:1? found %d keys, want 10", len(got))
	}
	if got := scanAll(t, h, "TYPE", "list"); len(got) != 1 || got["alist"] != 1 {
		t.Errorf("SCAN TYPE list = %v", got)
	}
	if got := scanAll(t, h, "TYPE", "nosuchtype"); len(got) != 0 {
		t.Errorf("SCAN TYPE nosuchtype = %v", got)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"SCAN", "x"}, "-ERR invalid cursor\r\n"},
		{[]string{"SCAN", "0", "COUNT", "0"}, "-ERR syntax error\r\n"},
		{[]string{"SCAN", "0", "COUNT", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"SCAN", "0", "MATCH"}, "-ERR syntax error\r\n"},
		{[]string{"SCAN", "99999999"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
	} {
		if got := h.do(tt.args...); got != tt.want {
			t.Errorf("%v = %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestScanEmptyFinishesAtOnce(t *testing.T) {
	h := newHarness(t, 64)
	if got, want := h.do("SCAN", "0"), "*2\r\n$1\r\n0\r\n*0\r\n"; got != want {
		t.Fatalf("SCAN on an empty keyspace = %q, want %q", got, want)
	}
}

func TestRandomKey(t *testing.T) {
	h := newHarness(t, 16)
	if got := h.do("RANDOMKEY"); got != "$-1\r\n" {
		t.Fatalf("RANDOMKEY on empty = %q", got)
	}
	keys := map[string]bool{}
	for i := 0; i < 20; i++ {
		k := "r" + strconv.Itoa(i)
		keys[k] = true
		h.do("SET", k, "v")
	}
	seen := map[string]bool{}
	for i := 0; i < 400; i++ {
		got := parseArrayOfBulks(t, "*1\r\n"+h.do("RANDOMKEY"))
		if !keys[got[0]] {
			t.Fatalf("RANDOMKEY returned %q", got[0])
		}
		seen[got[0]] = true
	}
	if len(seen) < 15 {
		t.Errorf("RANDOMKEY saw only %d of 20 keys in 400 draws", len(seen))
	}
	// Only expired keys left: RANDOMKEY reclaims them and answers nil.
	h.do("FLUSHALL")
	h.do("SET", "x", "v", "PX", "1")
	h.advance(5)
	if got := h.do("RANDOMKEY"); got != "$-1\r\n" {
		t.Fatalf("RANDOMKEY with only expired keys = %q", got)
	}
}
