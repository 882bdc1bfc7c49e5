package storage

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/shardis/shardis/router"
)

func TestIncrDecr(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("l")
	overflow := rErr(ErrOverflow)
	h.run([]step{
		expect("INCR", "n", rOne),
		expect("INCR", "n", rInt(2)),
		expect("DECR", "n", rOne),
		expect("INCRBY", "n", "41", rInt(42)),
		expect("DECRBY", "n", "50", rInt(-8)),
		expect("INCRBY", "n", "-2", rInt(-10)),
		expect("DECRBY", "n", "-10", rZero),
		expect("DECR", "fresh", rInt(-1)),
		expect("SET", "max", "9223372036854775807", rOK),
		expect("INCR", "max", overflow),
		expect("INCRBY", "max", "0", rInt(9223372036854775807)),
		expect("DECRBY", "max", "-1", overflow),
		expect("SET", "min", "-9223372036854775808", rOK),
		expect("DECR", "min", overflow),
		expect("INCRBY", "min", "-1", overflow),
		expect("INCRBY", "min", "9223372036854775807", rInt(-1)),
		expect("DECRBY", "n", "-9223372036854775808", rErr(ErrDecrOverflow)),
		expect("INCRBY", "n", "9223372036854775808", rErr(ErrNotInteger)),
		expect("INCRBY", "n", "1.5", rErr(ErrNotInteger)),
		expect("INCRBY", "n", "", rErr(ErrNotInteger)),
		expect("INCR", "l", wrongType),
		expect("INCRBY", "l", "x", rErr(ErrNotInteger)), // the argument is checked first
	})
	for _, bad := range []string{"", " 1", "1 ", "+1", "01", "1.0", "abc", "0x10", "9223372036854775808", "-0"} {
		h.do("SET", "bad", bad)
		if got := h.do("INCR", "bad"); got != rErr(ErrNotInteger) {
			t.Errorf("INCR on %q = %q, want not-an-integer", bad, got)
		}
		if got := h.do("GET", "bad"); got != rBulk(bad) {
			t.Errorf("a failed INCR changed %q into %q", bad, got)
		}
	}
}

func TestIncrKeepsDeadline(t *testing.T) {
	h := newHarness(t, 4)
	h.run([]step{
		expect("SET", "n", "1", "EX", "100", rOK),
		expect("INCR", "n", rInt(2)),
		expect("TTL", "n", rInt(100)),
		expect("INCRBYFLOAT", "n", "0.5", rBulk("2.5")),
		expect("TTL", "n", rInt(100)),
		expect("APPEND", "n", "0", rInt(4)),
		expect("SETRANGE", "n", "0", "3", rInt(4)),
		expect("TTL", "n", rInt(100)),
		expect("GET", "n", rBulk("3.50")),
	})
}

func TestIncrByFloat(t *testing.T) {
	tests := []struct {
		start string // "" for a missing key
		incr  string
		want  string // the bulk reply, or an error text starting "ERR"
	}{
		{"10.5", "0.1", "10.6"},
		{"", "3.0e3", "3000"},
		{"", "5.0e3", "5000"},
		{"5.0e3", "2.0e2", "5200"},
		{"", "0.1", "0.1"},
		{"0.1", "0.2", "0.3"},
		{"1", "-1", "0"},
		{"", "-0", "0"},
		{"-0", "-0", "0"},
		{"3", "-5", "-2"},
		{"", "+.5", "0.5"},
		{"", "5.", "5"},
		{"", "1E2", "100"},
		{"", "0x10", "16"},
		{"", "0x1.8p1", "3"},
		{"", "0X.8", "0.5"},
		{"", "1.23456789012345678901", "1.23456789012345679"},
		{"", "0.000003814697265625", "0.00000381469726562"}, // 2^-18: a tie, to even
		{"", "1e-17", "0.00000000000000001"},
		{"", "1e-18", "0"},
		{"", "2e-4951", "0"},                                          // a denormal: accepted
		{"", "1e44", "100000000000000000001038625398088182045605888"}, // the nearest long double
		{"", "0.000000000000000005", "0"},
		{"", "0.000000000000000015", "0.00000000000000002"},
		{"9223372036854775807", "1", "9223372036854775808"},
		{"", "1e4933", ErrNotFloat},
		{"", "1e-5000", ErrNotFloat}, // underflows to zero
		{"", "1e-4951", ErrNotFloat},
		{"", "inf", ErrIncrNaNOrInf},
		{"", "-Infinity", ErrIncrNaNOrInf},
		{"inf", "1", ErrIncrNaNOrInf},
		{"", "nan", ErrNotFloat},
		{"", "1_000", ErrNotFloat},
		{"", "0b1", ErrNotFloat},
		{"", "0o7", ErrNotFloat},
		{"", "0x", ErrNotFloat},
		{"", " 1", ErrNotFloat},
		{"", "1 ", ErrNotFloat},
		{"", "1e", ErrNotFloat},
		{"", "1e+", ErrNotFloat},
		{"", ".", ErrNotFloat},
		{"", "", ErrNotFloat},
		{"", "1\x00", ErrNotFloat},
		{"", "infinit", ErrNotFloat},
		{"abc", "1", ErrNotFloat},
		{"1", strings.Repeat("1", 5120), ErrNotFloat},
	}
	for _, tt := range tests {
		h := newHarness(t, 1)
		if tt.start != "" {
			h.do("SET", "k", tt.start)
		}
		want := rBulk(tt.want)
		if strings.HasPrefix(tt.want, "ERR") {
			want = rErr(tt.want)
		}
		if got := h.do("INCRBYFLOAT", "k", tt.incr); got != want {
			t.Errorf("%q + %q = %q, want %q", tt.start, tt.incr, got, want)
		}
	}
}

func TestIncrByFloatExtremes(t *testing.T) {
	h := newHarness(t, 1)
	got := h.do("INCRBYFLOAT", "k", "1e4932")
	// %.17Lf of the long double nearest 1e4932: 4933 integer digits.
	if !strings.HasPrefix(got, "$4933\r\n1000000000000000000006018949387963891323837774254533114773785") {
		t.Errorf("INCRBYFLOAT 1e4932 = %.60q...", got)
	}
	if got := h.do("INCRBYFLOAT", "k", "1e4932"); got != rErr(ErrIncrNaNOrInf) {
		t.Errorf("overflowing the long double = %q", got)
	}
	h.putList("l")
	if got := h.do("INCRBYFLOAT", "l", "1"); got != wrongType {
		t.Errorf("INCRBYFLOAT on a list = %q", got)
	}
}

func TestAppend(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("l")
	h.run([]step{
		expect("APPEND", "k", "", rZero),
		expect("EXISTS", "k", rOne), // APPEND creates the key even for ""
		expect("APPEND", "k", "ab", rInt(2)),
		expect("APPEND", "k", "\x00c", rInt(4)),
		expect("GET", "k", rBulk("ab\x00c")),
		expect("APPEND", "l", "x", wrongType),
	})
	h.limits = &Limits{ProtoMaxBulkLen: func() int64 { return 6 }}
	h.run([]step{
		expect("APPEND", "k", "12", rInt(6)),
		expect("APPEND", "k", "3", rErr(ErrStringTooLong)),
		expect("APPEND", "k", "", rInt(6)),
		expect("APPEND", "new", "1234567", rInt(7)), // like SET, a new key is not checked
	})
}

func TestGetRange(t *testing.T) {
	h := newHarness(t, 4)
	h.do("SET", "k", "This is a string")
	h.do("SET", "n", "-12345")
	h.do("SET", "e", "")
	h.putList("l")
	tests := []struct {
		key, start, end, want string
	}{
		{"k", "0", "3", "This"},
		{"k", "-3", "-1", "ing"},
		{"k", "0", "-1", "This is a string"},
		{"k", "10", "100", "string"},
		{"k", "5", "3", ""},
		{"k", "-1", "-2", ""},
		{"k", "-100", "-50", "T"}, // both clamp to 0
		{"k", "-100", "2", "Thi"},
		{"k", "16", "20", ""},
		{"k", "15", "15", "g"},
		{"k", "-9223372036854775808", "9223372036854775807", "This is a string"},
		{"k", "9223372036854775807", "-9223372036854775808", ""},
		{"n", "0", "0", "-"},
		{"n", "1", "-1", "12345"},
		{"e", "0", "-1", ""},
		{"e", "-1", "0", ""},
		{"missing", "0", "-1", ""},
	}
	for _, tt := range tests {
		if got := h.do("GETRANGE", tt.key, tt.start, tt.end); got != rBulk(tt.want) {
			t.Errorf("GETRANGE %s %s %s = %q, want %q", tt.key, tt.start, tt.end, got, tt.want)
		}
	}
	h.run([]step{
		expect("GETRANGE", "l", "0", "1", wrongType),
		expect("GETRANGE", "l", "a", "1", rErr(ErrNotInteger)), // arguments first
		expect("GETRANGE", "k", "0", "1.0", rErr(ErrNotInteger)),
		expect("SUBSTR", "k", "0", "3", rBulk("This")),
	})
}

func TestSetRange(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("l")
	h.run([]step{
		expect("SETRANGE", "k", "0", "", rZero),
		expect("EXISTS", "k", rZero), // writing nothing creates nothing
		expect("SETRANGE", "k", "3", "ab", rInt(5)),
		expect("GET", "k", rBulk("\x00\x00\x00ab")),
		expect("SETRANGE", "k", "1", "XYZW", rInt(5)),
		expect("GET", "k", rBulk("\x00XYZW")),
		expect("SETRANGE", "k", "7", "!", rInt(8)),
		expect("GET", "k", rBulk("\x00XYZW\x00\x00!")),
		expect("SETRANGE", "k", "100", "", rInt(8)),
		expect("SETRANGE", "k", "-1", "x", rErr(ErrOffsetRange)),
		expect("SETRANGE", "k", "x", "x", rErr(ErrNotInteger)),
		expect("SETRANGE", "l", "-1", "", rErr(ErrOffsetRange)), // offset first
		expect("SETRANGE", "l", "0", "", wrongType),             // then the type
		expect("SETRANGE", "l", "0", "x", wrongType),
		// The size cap is checked without allocating, overflow included.
		expect("SETRANGE", "k", "536870911", "ab", rErr(ErrStringTooLong)),
		expect("SETRANGE", "k", "9223372036854775807", "ab", rErr(ErrStringTooLong)),
		expect("SETRANGE", "new", "536870912", "a", rErr(ErrStringTooLong)),
		expect("SETRANGE", "new", "536870912", "", rZero),
		expect("EXISTS", "new", rZero),
		expect("STRLEN", "k", rInt(8)),
	})
}

// storedEntry finds key's table entry in database db of any instance: the
// name the table keeps and the value.
func storedEntry(t *testing.T, e *Engine, db int, key string) (unsafe.Pointer, *Value) {
	t.Helper()
	slot := router.Slot([]byte(key))
	for _, in := range e.insts {
		s := in.dbs[db].slot(slot)
		if s == nil {
			continue
		}
		if ents := s.keys.slice(); ents != nil {
			if i := s.keys.find(ents, []byte(key), keyTag([]byte(key))); i >= 0 {
				return ents[i].k, ents[i].v
			}
		}
	}
	t.Fatalf("%q is in no table", key)
	return nil, nil
}

// TestCounterBesideItsName: INCR on a missing key puts the digits in the
// name's block with room for counterRoom digits, so later INCRs change
// them in place beside the name; a counter that outgrows the room moves
// out and keeps working.
func TestCounterBesideItsName(t *testing.T) {
	h := newHarness(t, 4)
	key := "counter:000000000042"
	beside := func() bool {
		name, v := storedEntry(t, h.eng, 0, key)
		return unsafe.Pointer(unsafe.SliceData(v.Str())) == unsafe.Add(name, len(key))
	}
	h.run([]step{expect("INCR", key, rOne)})
	if !beside() {
		t.Fatal("a new counter's digits are not beside its name")
	}
	h.run([]step{
		expect("INCRBY", key, "99999998", rInt(99999999)),
		expect("OBJECT", "ENCODING", key, rBulk("int")),
	})
	if !beside() {
		t.Fatal("8 digits left the name's block")
	}
	h.run([]step{
		expect("INCR", key, rInt(100000000)),
		expect("DECRBY", key, "100000000", rZero),
		expect("GET", key, rBulk("0")),
	})
}
