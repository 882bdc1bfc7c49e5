package storage

import (
	"strconv"
	"testing"
)

// withEncoding sets the process-wide thresholds for one test.
func withEncoding(t *testing.T, c EncodingConfig) {
	t.Helper()
	prev := SetEncodingConfig(c)
	t.Cleanup(func() { SetEncodingConfig(prev) })
}

func TestEncodingThresholds(t *testing.T) {
	c := DefaultEncodingConfig()
	c.HashMaxListpackEntries, c.HashMaxListpackValue = 2, 3
	c.SetMaxIntsetEntries = 2
	c.ZSetMaxListpackEntries, c.ZSetMaxListpackValue = 2, 3
	withEncoding(t, c)
	h := newHarness(t, 4)
	h.run([]step{
		expect("HSET", "h", "a", "1", "b", "2", rInt(2)),
		expect("OBJECT", "ENCODING", "h", rBulk("listpack")),
		expect("HSET", "h", "c", "3", rInt(1)),
		expect("OBJECT", "ENCODING", "h", rBulk("hashtable")),
		expect("HSET", "h2", "a", "long", rInt(1)),
		expect("OBJECT", "ENCODING", "h2", rBulk("hashtable")),
		expect("SADD", "s", "1", "2", rInt(2)),
		expect("OBJECT", "ENCODING", "s", rBulk("intset")),
		expect("SADD", "s", "3", rInt(1)),
		expect("OBJECT", "ENCODING", "s", rBulk("hashtable")),
		expect("ZADD", "z", "1", "a", "2", "b", rInt(2)),
		expect("OBJECT", "ENCODING", "z", rBulk("listpack")),
		expect("ZADD", "z", "3", "c", rInt(1)),
		expect("OBJECT", "ENCODING", "z", rBulk("skiplist")),
		expect("ZADD", "z2", "1", "abcd", rInt(1)),
		expect("OBJECT", "ENCODING", "z2", rBulk("skiplist")),
	})
	// Zero entries: the first element already converts, as in Redis.
	c.HashMaxListpackEntries, c.SetMaxIntsetEntries, c.ZSetMaxListpackEntries = 0, 0, 0
	SetEncodingConfig(c)
	h.run([]step{
		expect("HSET", "h0", "a", "1", rInt(1)),
		expect("OBJECT", "ENCODING", "h0", rBulk("hashtable")),
		expect("SADD", "s0", "1", rInt(1)),
		expect("OBJECT", "ENCODING", "s0", rBulk("hashtable")),
		expect("ZADD", "z0", "1", "a", rInt(1)),
		expect("OBJECT", "ENCODING", "z0", rBulk("skiplist")),
	})
}

// TestEncodingThresholdsAgainstRedis sets the same thresholds on both
// sides and compares OBJECT ENCODING around every boundary.
func TestEncodingThresholdsAgainstRedis(t *testing.T) {
	addr := startRedis(t)
	rc := dialRedis(t, addr, 2)
	for _, limit := range []int64{0, 1, 5, 130} {
		c := DefaultEncodingConfig()
		c.HashMaxListpackEntries, c.SetMaxIntsetEntries, c.ZSetMaxListpackEntries = limit, limit, limit
		c.HashMaxListpackValue, c.ZSetMaxListpackValue = limit, limit
		withEncoding(t, c)
		n := strconv.FormatInt(limit, 10)
		rc.do(t, []string{"CONFIG", "SET", "hash-max-listpack-entries", n, "hash-max-listpack-value", n,
			"set-max-intset-entries", n, "zset-max-listpack-entries", n, "zset-max-listpack-value", n})
		d := newDiffSession(t, rc, 2)
		for i := int64(0); i < limit+2; i++ {
			f, long := strconv.FormatInt(i, 10), string(make([]byte, limit+1))
			for _, args := range [][]string{
				{"HSET", "h", f, "v"}, {"OBJECT", "ENCODING", "h"},
				{"SADD", "s", f}, {"OBJECT", "ENCODING", "s"},
				{"ZADD", "z", f, "m" + f}, {"OBJECT", "ENCODING", "z"},
				{"HSET", "hl" + f, "f", long}, {"OBJECT", "ENCODING", "hl" + f},
				{"ZADD", "zl" + f, "1", long}, {"OBJECT", "ENCODING", "zl" + f},
				{"ZUNIONSTORE", "zu", "1", "z"}, {"OBJECT", "ENCODING", "zu"},
				{"SUNIONSTORE", "su", "s"}, {"OBJECT", "ENCODING", "su"},
				{"COPY", "h", "hc", "REPLACE"}, {"OBJECT", "ENCODING", "hc"},
			} {
				if !d.check(args) {
					return
				}
			}
		}
	}
	rc.do(t, []string{"CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "64",
		"set-max-intset-entries", "512", "zset-max-listpack-entries", "128", "zset-max-listpack-value", "64"})
}
