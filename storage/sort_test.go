package storage

import (
	"sync"
	"testing"
)

func TestSortBasics(t *testing.T) {
	h := newHarness(t, 4)
	h.run([]step{
		expect("RPUSH", "l", "3", "1", "2", "10", rInt(4)),
		expect("SORT", "l", rArr(rBulk("1"), rBulk("2"), rBulk("3"), rBulk("10"))),
		expect("SORT", "l", "DESC", rArr(rBulk("10"), rBulk("3"), rBulk("2"), rBulk("1"))),
		expect("SORT", "l", "ALPHA", rArr(rBulk("1"), rBulk("10"), rBulk("2"), rBulk("3"))),
		expect("SORT", "l", "LIMIT", "1", "2", rArr(rBulk("2"), rBulk("3"))),
		expect("SORT", "l", "LIMIT", "-5", "1", rArr(rBulk("1"))),
		expect("SORT", "l", "LIMIT", "9", "1", rArr()),
		expect("SORT", "l", "BY", "nosort", rArr(rBulk("3"), rBulk("1"), rBulk("2"), rBulk("10"))),
		expect("SORT", "l", "BY", "nosort", "DESC", "LIMIT", "0", "2", rArr(rBulk("10"), rBulk("2"))),
		expect("SORT", "nokey", rArr()),
		expect("SORT", "l", "LIMIT", "1", rErr(ErrSyntax)),
		expect("SORT", "l", "LIMIT", "a", "1", rErr(ErrNotInteger)),
		expect("SORT_RO", "l", "STORE", "d", rErr(ErrSyntax)),
		expect("SET", "str", "x", rOK),
		expect("SORT", "str", rErr(ErrWrongType)),
		expect("RPUSH", "bad", "1", "x", rInt(2)),
		expect("SORT", "bad", rErr(ErrSortOne)),
		expect("SORT", "bad", "ALPHA", rArr(rBulk("1"), rBulk("x"))),
		expect("ZADD", "z", "2", "a", "1", "b", rInt(2)),
		expect("SORT", "z", "BY", "nosort", "DESC", rArr(rBulk("a"), rBulk("b"))),
		expect("OBJECT", "ENCODING", "z", rBulk("skiplist")),
		expect("SADD", "s", "5", "-1", rInt(2)),
		expect("SORT_RO", "s", rArr(rBulk("-1"), rBulk("5"))),
	})
}

// TestSortAcrossInstances reads BY and GET keys and stores the result on
// instances other than the sorted key's.
func TestSortAcrossInstances(t *testing.T) {
	h := newHarness(t, 8)
	keys := h.keysOnDistinctInstances("k", 8)
	src, dst := keys[0], keys[1]
	h.do("RPUSH", src, "a", "b", "c")
	// Weights and hashes for each element, wherever their keys land.
	h.do("SET", "w_a", "3")
	h.do("SET", "w_b", "1")
	h.do("SET", "w_c", "2")
	h.do("HSET", "o_a", "name", "Ann")
	h.do("HSET", "o_c", "name", "Cid")
	if h.instanceOf("w_a") == h.instanceOf("w_b") && h.instanceOf("w_b") == h.instanceOf("w_c") {
		t.Fatal("weight keys all on one instance: pick other names")
	}
	h.run([]step{
		expect("SORT", src, "BY", "w_*", rArr(rBulk("b"), rBulk("c"), rBulk("a"))),
		expect("SORT", src, "BY", "w_*", "GET", "#", "GET", "o_*->name", "GET", "w_*",
			rArr(rBulk("b"), rNil, rBulk("1"), rBulk("c"), rBulk("Cid"), rBulk("2"), rBulk("a"), rBulk("Ann"), rBulk("3"))),
		expect("SORT", src, "BY", "o_*->name", "ALPHA", "DESC", rArr(rBulk("c"), rBulk("a"), rBulk("b"))),
		expect("SORT", src, "BY", "w_*", "GET", "o_*->name", "STORE", dst, rInt(3)),
		expect("LRANGE", dst, "0", "-1", rArr(rEmpty, rBulk("Cid"), rBulk("Ann"))),
		expect("EXPIRE", dst, "100", rOne),
		expect("SORT", src, "STORE", dst, "ALPHA", rInt(3)),
		expect("TTL", dst, rInt(-1)),
		expect("SORT", "nokey", "STORE", dst, rZero),
		expect("EXISTS", dst, rZero),
	})
	if got := h.do3("SORT", src, "ALPHA", "GET", "nokey_*"); got != rArr(rNil3, rNil3, rNil3) {
		t.Errorf("RESP3 GET of missing keys = %q", got)
	}
}

// TestSortConcurrent runs SORT with BY and GET against writers of those
// keys: under -race it shows the whole sort runs under the locks.
func TestSortConcurrent(t *testing.T) {
	h := newHarness(t, 4)
	h.do("RPUSH", "l", "a", "b", "c", "d")
	for _, e := range []string{"a", "b", "c", "d"} {
		h.do("SET", "w_"+e, "1")
	}
	w := h.fork()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 300; i++ {
			w.do("INCR", "w_"+string(rune('a'+i%4)))
			w.do("RPUSH", "other", "x")
		}
	}()
	for i := 0; i < 300; i++ {
		if got := h.do("SORT", "l", "BY", "w_*", "GET", "w_*", "STORE", "dst"); got != rInt(4) {
			t.Fatalf("SORT during writes = %q", got)
		}
	}
	wg.Wait()
}
