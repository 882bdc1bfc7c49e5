package storage

import "testing"

// The blocking commands' immediate paths (something to serve, or an
// error) against redis-server; their waits are tested end to end in
// cmd/shardis, where the proxy parks clients.
var blockingDiffScripts = [][][]string{
	{{"RPUSH", "l", "a", "b", "c"}, {"BLPOP", "nokey", "l", "0"}, {"BRPOP", "l", "nokey", "1.5"}, {"LRANGE", "l", "0", "-1"},
		{"BLPOP", "l", "-1"}, {"BLPOP", "l", "abc"}, {"BLPOP", "l", "1e400"}, {"BLPOP", "l", "inf"}, {"BLPOP", "l", "nan"},
		{"BLPOP", "l", "9223372036854775807"}, {"RPUSH", "l", "x", "y"}, {"BLPOP", "l", "0x10"}, {"BLPOP", "l", "-0"}, {"SET", "s", "v"},
		{"BLPOP", "nokey", "s", "l", "0"}, {"BLPOP", "s", "x"}, {"BRPOP", "l", "s", "0"}, {"EXISTS", "l"}},
	{{"RPUSH", "src", "a", "b"}, {"BRPOPLPUSH", "src", "dst", "0"}, {"BLMOVE", "src", "dst", "LEFT", "LEFT", "0"},
		{"EXISTS", "src"}, {"LRANGE", "dst", "0", "-1"}, {"BLMOVE", "dst", "dst", "LEFT", "RIGHT", "0"}, {"LRANGE", "dst", "0", "-1"},
		{"BLMOVE", "dst", "x", "UP", "LEFT", "x"}, {"BLMOVE", "dst", "x", "LEFT", "LEFT", "x"}, {"SET", "s", "v"},
		{"BRPOPLPUSH", "s", "x", "1"}, {"BRPOPLPUSH", "dst", "s", "1"}, {"LRANGE", "dst", "0", "-1"}, {"BRPOPLPUSH", "list", "list", "0"}},
	{{"RPUSH", "l2", "a", "b", "c"}, {"BLMPOP", "0", "2", "nokey", "l2", "RIGHT", "COUNT", "2"}, {"BLMPOP", "x", "0", "l2", "LEFT"},
		{"BLMPOP", "x", "1", "l2", "MIDDLE"}, {"BLMPOP", "x", "1", "l2", "LEFT", "COUNT", "0"}, {"BLMPOP", "x", "1", "l2", "LEFT"},
		{"BLMPOP", "-1", "1", "l2", "LEFT"}, {"BLMPOP", "0", "1", "l2", "LEFT", "COUNT", "5"}, {"EXISTS", "l2"}},
	{{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"BZPOPMIN", "nokey", "z", "0"}, {"BZPOPMAX", "z", "0"}, {"BZPOPMIN", "z", "x"},
		{"BZPOPMIN", "z", "-1"}, {"BZMPOP", "0", "1", "z", "MAX", "COUNT", "3"}, {"EXISTS", "z"}, {"BZMPOP", "x", "0", "z", "MIN"},
		{"BZMPOP", "x", "1", "z", "FOO"}, {"BZMPOP", "x", "1", "z", "MIN", "COUNT", "0"}, {"SET", "s", "v"}, {"BZPOPMIN", "s", "0"},
		{"BZMPOP", "1", "2", "nokey", "s", "MIN"}, {"ZADD", "z", "-0", "m"}, {"BZPOPMAX", "z", "0"}},
}

func TestBlockingDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, script := range blockingDiffScripts {
			d := newListDiffSession(t, rc, proto)
			for _, args := range script {
				if !d.check(args) {
					break
				}
			}
		}
	}
}

// TestBlockingAsksToBlock: with nothing to serve, the command writes no
// reply and asks for the timeout in milliseconds, rounded up as Redis's
// ceill does (-0.0001 s rounds to 0: forever).
func TestBlockingAsksToBlock(t *testing.T) {
	h := newHarness(t, 4)
	for _, tt := range []struct {
		args []string
		ms   int64
	}{
		{[]string{"BLPOP", "a", "b", "1.5"}, 1500},
		{[]string{"BRPOP", "a", "0"}, 0},
		{[]string{"BLPOP", "a", "0.0001"}, 1},
		{[]string{"BLPOP", "a", "-0.0001"}, 0},
		{[]string{"BLPOP", "a", "0.0009"}, 1},
		{[]string{"BRPOPLPUSH", "a", "b", "2"}, 2000},
		{[]string{"BLMOVE", "a", "b", "LEFT", "RIGHT", "0.25"}, 250},
		{[]string{"BLMPOP", "3", "1", "a", "LEFT"}, 3000},
		{[]string{"BZPOPMIN", "z", "0.001"}, 1},
		{[]string{"BZMPOP", "7", "2", "z", "y", "MAX"}, 7000},
	} {
		got := h.do(tt.args...)
		if got != "" || !h.ctx.Block || h.ctx.BlockTimeout != tt.ms {
			t.Errorf("%q: reply %q, block %v after %d ms; want no reply, block after %d ms",
				tt.args, got, h.ctx.Block, h.ctx.BlockTimeout, tt.ms)
		}
		h.ctx.Block = false
	}
}
