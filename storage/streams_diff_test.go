package storage

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of the stream family against redis-server (see
// diff_test.go). Scripts use explicit IDs only: "*" takes the server's
// clock, which differs between the two sides (a separate test compares
// "*" replies by shape).
//
// streamNormalize rewrites, in both replies, the values that depend on
// the clock or on Redis internals, and nothing else:
//   - idle and seen-time (XINFO CONSUMERS, XINFO STREAM FULL) and the
//     idle of XPENDING's extended form: each side reads its own clock, a
//     millisecond or two apart;
//   - absolute delivery times (XINFO STREAM FULL), integers of 10^12 and
//     above, for the same reason.
// Scripts use min-idle times of 0 or of hours, so which entries qualify
// never depends on those few milliseconds.

var streamDiffScripts = [][][]string{
	// XADD: IDs, errors, options.
	{{"XADD", "s", "0-0", "f", "v"}, {"XADD", "s", "0", "f", "v"}, {"XADD", "s", "0-*", "f", "v"}, {"XADD", "s", "0-*", "f", "v"},
		{"XADD", "s", "1-*", "a", "1"}, {"XADD", "s", "1", "f"}, {"XADD", "s", "1-5"}, {"XADD", "s", "1-1", "f", "v"},
		{"XADD", "s", "2-0", "f", "v", "g"}, {"XADD", "s", "abc", "f", "v"}, {"XADD", "s", "-", "f", "v"}, {"XADD", "s", "+", "f", "v"},
		{"XADD", "s", "5-x", "f", "v"}, {"XADD", "s", "-1", "f", "v"}, {"XADD", "s", " 7", "f", "v"}, {"XADD", "s", "+8-1", "f", "v"},
		{"XADD", "s", "009-01", "f", "v"}, {"XADD", "s", "10-01-2", "f", "v"}, {"XADD", "s", "11-", "f", "v"}, {"XADD", "s", "-12", "f", "v"},
		{"XRANGE", "s", "-", "+"}, {"XLEN", "s"}, {"TYPE", "s"}, {"OBJECT", "ENCODING", "s"}, {"XADD", "list", "1-1", "f", "v"},
		{"XADD", "nomk", "NOMKSTREAM", "1-1", "f", "v"}, {"EXISTS", "nomk"}, {"XADD", "s", "NOMKSTREAM", "20-1", "f", "v"}},
	{{"XADD", "s", "18446744073709551615-18446744073709551615", "f", "v"}, {"XADD", "s", "*", "f", "v"},
		{"XADD", "s", "18446744073709551615-*", "f", "v"}, {"XLEN", "s"}, {"XADD", "t", "18446744073709551615-18446744073709551614", "f", "v"},
		{"XADD", "t", "18446744073709551615-*", "f", "v"}, {"XADD", "t", "18446744073709551615-*", "f", "v"},
		{"XADD", "u", "5-18446744073709551615", "f", "v"}, {"XADD", "u", "5-*", "f", "v"}, {"EXISTS", "u"},
		{"XADD", "w", "18446744073709551616-1", "f", "v"}, {"XADD", "w", "1-18446744073709551616", "f", "v"}, {"EXISTS", "w"}},
	{{"XADD", "s", "MAXLEN", "x", "1-1", "f", "v"}, {"XADD", "s", "MAXLEN", "-1", "1-1", "f", "v"}, {"XADD", "s", "MAXLEN", "~", "1-1", "f", "v"},
		{"XADD", "s", "MAXLEN", "1", "MINID", "0", "1-1", "f", "v"}, {"XADD", "s", "LIMIT", "5", "1-1", "f", "v"},
		{"XADD", "s", "MAXLEN", "5", "LIMIT", "5", "1-1", "f", "v"}, {"XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "1-1", "f", "v"},
		{"XADD", "s", "MAXLEN", "~", "5", "LIMIT", "x", "1-1", "f", "v"}, {"XADD", "s", "MINID", "-", "1-1", "f", "v"},
		{"XADD", "s", "MINID", "bad", "1-1", "f", "v"}, {"XADD", "s", "MAXLEN", "=", "1", "1-1", "a", "1"},
		{"XADD", "s", "maxlen", "1", "2-1", "b", "2"}, {"XRANGE", "s", "-", "+"}, {"XADD", "s", "MAXLEN", "~", "0", "LIMIT", "0", "3-1", "c", "3"},
		{"XLEN", "s"}, {"XADD", "s", "MINID", "=", "4-1", "4-1", "d", "4"}, {"XRANGE", "s", "-", "+"}, {"XADD", "s", "MINID", "~", "9", "5-1", "e", "5"},
		{"XLEN", "s"}, {"XADD", "s", "LIMIT", "0", "6-1", "f", "6"}, {"XADD", "s", "NOMKSTREAM", "MAXLEN", "0", "7-1", "x", "y"}, {"XLEN", "s"},
		{"XINFO", "STREAM", "s"}},
	// XRANGE / XREVRANGE.
	{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "1-2", "b", "2", "c", "3"}, {"XADD", "s", "2-0", "d", "\x00\xff"}, {"XADD", "s", "3-5", "e", ""},
		{"XRANGE", "s", "-", "+"}, {"XRANGE", "s", "1", "1"}, {"XRANGE", "s", "(1-1", "+"}, {"XRANGE", "s", "-", "(3-5"},
		{"XRANGE", "s", "(1", "+"}, {"XRANGE", "s", "(-", "+"}, {"XRANGE", "s", "-", "(+"}, {"XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"},
		{"XRANGE", "s", "-", "(0-0"}, {"XRANGE", "s", "-", "+", "COUNT", "2"}, {"XRANGE", "s", "-", "+", "COUNT", "0"},
		{"XRANGE", "s", "-", "+", "COUNT", "-3"}, {"XRANGE", "s", "-", "+", "COUNT", "x"}, {"XRANGE", "s", "-", "+", "COUNT"},
		{"XRANGE", "s", "-", "+", "FOO", "1"}, {"XRANGE", "s", "3", "1"}, {"XRANGE", "s", "x", "+"}, {"XRANGE", "nokey", "-", "+"},
		{"XRANGE", "nokey", "-", "+", "COUNT", "0"}, {"XRANGE", "list", "-", "+"}, {"XRANGE", "list", "x", "+"},
		{"XREVRANGE", "s", "+", "-"}, {"XREVRANGE", "s", "+", "-", "COUNT", "1"}, {"XREVRANGE", "s", "(3-5", "(1-1"},
		{"XREVRANGE", "s", "2", "1"}, {"XREVRANGE", "s", "1", "2"}, {"XREVRANGE", "s", "+", "-", "count", "0"},
		{"XRANGE", "s", "1-2", "1-2", "COUNT", "5", "COUNT", "1"}, {"XRANGE", "s", "0-18446744073709551615", "+"}},
	// XDEL, XLEN, XTRIM.
	{{"XDEL", "nokey", "bad"}, {"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "b", "2"}, {"XADD", "s", "3-1", "c", "3"},
		{"XDEL", "s", "1-1", "bad"}, {"XDEL", "s", "1-1", "1-1", "9-9"}, {"XDEL", "s", "-"}, {"XDEL", "s", "1"}, {"XLEN", "s"},
		{"XINFO", "STREAM", "s"}, {"XDEL", "s", "3-1"}, {"XINFO", "STREAM", "s"}, {"XDEL", "s", "2-1"}, {"XINFO", "STREAM", "s"},
		{"XLEN", "s"}, {"EXISTS", "s"}, {"XADD", "s", "2-1", "x", "y"}, {"XADD", "s", "3-2", "x", "y"}, {"XDEL", "list", "1-1"}, {"XLEN", "list"}},
	{{"XTRIM", "nokey", "MAXLEN", "0"}, {"XTRIM", "s", "bogus", "1"}, {"XTRIM", "s", "MAXLEN", "~"}, {"XTRIM", "s", "LIMIT", "5"},
		{"XTRIM", "s", "MAXLEN", "1", "LIMIT", "1"}, {"XTRIM", "list", "MAXLEN", "1"}, {"XTRIM", "nokey", "MAXLEN", "x"},
		{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "b", "2"}, {"XADD", "s", "3-1", "c", "3"}, {"XTRIM", "s", "MAXLEN", "~", "1"},
		{"XTRIM", "s", "MAXLEN", "=", "2"}, {"XTRIM", "s", "MINID", "3"}, {"XTRIM", "s", "MINID", "3-2"}, {"XINFO", "STREAM", "s"},
		{"XTRIM", "s", "MAXLEN", "0", "MAXLEN", "0"}, {"XTRIM", "s", "MINID", "+"}, {"XTRIM", "s", "MAXLEN", "~"}},
	// XSETID.
	{{"XSETID", "nokey", "1-1"}, {"XSETID", "s", "bad"}, {"XADD", "s", "5-5", "f", "v"}, {"XSETID", "s", "5-4"}, {"XSETID", "s", "5-5"},
		{"XSETID", "s", "6"}, {"XINFO", "STREAM", "s"}, {"XSETID", "s", "7", "ENTRIESADDED", "0"}, {"XSETID", "s", "7", "ENTRIESADDED", "-1"},
		{"XSETID", "s", "7", "ENTRIESADDED", "x"}, {"XSETID", "s", "7", "ENTRIESADDED", "10", "MAXDELETEDID", "8"},
		{"XSETID", "s", "7", "ENTRIESADDED", "10", "MAXDELETEDID", "3"}, {"XINFO", "STREAM", "s"}, {"XSETID", "s", "7", "MAXDELETEDID", "2"},
		{"XSETID", "s", "2", "MAXDELETEDID", "1"}, {"XSETID", "s", "7", "FOO"}, {"XSETID", "s", "7", "ENTRIESADDED"}, {"XSETID", "list", "1"},
		{"XSETID", "s", "-"}, {"XDEL", "s", "5-5"}, {"XSETID", "s", "1-1"}, {"XINFO", "STREAM", "s"}, {"XADD", "s", "7-1", "f", "v"}},
	// XREAD.
	{{"XREAD", "STREAMS", "s", "0"}, {"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "b", "2"}, {"XREAD", "STREAMS", "s", "0"},
		{"XREAD", "COUNT", "1", "STREAMS", "s", "1-1"}, {"XREAD", "STREAMS", "s", "$"}, {"XREAD", "BLOCK", "1", "STREAMS", "s", "$"},
		{"XREAD", "BLOCK", "-1", "STREAMS", "s", "$"}, {"XREAD", "BLOCK", "x", "STREAMS", "s", "0"}, {"XREAD", "BLOCK", "100", "STREAMS", "s", "0"},
		{"XREAD", "STREAMS", "s", "t", "0"}, {"XREAD", "STREAMS", "s", "nokey", "0", "0"}, {"XREAD", "STREAMS", "nokey", "s", "0", "0"},
		{"XREAD", "STREAMS", "s", ">"}, {"XREAD", "STREAMS", "s", "bad"}, {"XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"},
		{"XREAD", "NOACK", "STREAMS", "s", "0"}, {"XREAD", "COUNT", "x", "STREAMS", "s", "0"}, {"XREAD", "COUNT", "-1", "STREAMS", "s", "0"},
		{"XREAD", "FOO", "STREAMS", "s", "0"}, {"XREAD", "COUNT", "1", "s", "0"}, {"XREAD", "STREAMS", "list", "0"},
		{"XREAD", "STREAMS", "s", "list", "0", "0"}, {"XREAD", "STREAMS", "s", "s", "0", "1-1"}, {"XREAD", "STREAMS", "s", "-"},
		{"XREAD", "STREAMS", "s", "18446744073709551615-18446744073709551615"}, {"XREAD", "BLOCK", "9223372036854775807", "STREAMS", "s", "0"}},
	// Groups: create, read, ack, pending, lag.
	{{"XGROUP", "CREATE", "s", "g", "$"}, {"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"}, {"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"},
		{"XINFO", "GROUPS", "s"}, {"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "b", "2"}, {"XADD", "s", "3-1", "c", "3"},
		{"XINFO", "GROUPS", "s"}, {"XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"}, {"XINFO", "GROUPS", "s"},
		{"XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"}, {"XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"},
		{"XREADGROUP", "GROUP", "g", "bob", "BLOCK", "10", "STREAMS", "s", ">"}, {"XINFO", "GROUPS", "s"}, {"XPENDING", "s", "g"},
		{"XPENDING", "s", "g", "-", "+", "10"}, {"XPENDING", "s", "g", "-", "+", "10", "bob"}, {"XPENDING", "s", "g", "-", "+", "10", "nobody"},
		{"XPENDING", "s", "g", "(1-1", "+", "1"}, {"XPENDING", "s", "g", "IDLE", "3600000", "-", "+", "10"}, {"XPENDING", "s", "g", "IDLE", "0", "-", "+", "10"},
		{"XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0"}, {"XPENDING", "s", "g", "-", "+", "10"}, {"XACK", "s", "g", "2-1", "9-9", "2-1"},
		{"XACK", "s", "g", "bad"}, {"XACK", "s", "nog", "1-1"}, {"XACK", "nokey", "g", "1-1"}, {"XACK", "list", "g", "1-1"},
		{"XPENDING", "s", "g"}, {"XINFO", "CONSUMERS", "s", "g"}, {"XINFO", "STREAM", "s", "FULL"}, {"XDEL", "s", "3-1"},
		{"XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0"}, {"XINFO", "GROUPS", "s"}, {"XADD", "s", "4-1", "d", "4"}, {"XINFO", "GROUPS", "s"},
		{"XREADGROUP", "GROUP", "g", "carol", "NOACK", "STREAMS", "s", ">"}, {"XINFO", "GROUPS", "s"}, {"XPENDING", "s", "g"}},
	{{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"}, {"XADD", "s", "1-1", "a", "1"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"},
		{"XGROUP", "CREATE", "s", "g", "0"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"}, {"XREADGROUP", "COUNT", "1", "NOACK", "STREAMS", "s", ">"},
		{"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", "a", "b"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">", "x"},
		{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "nokey", ">", ">"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "list", ">"},
		{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "bad"}, {"XREADGROUP", "GROUP", "g", "c", "COUNT", "x", "STREAMS", "s", ">"},
		{"XREADGROUP", "GROUP", "g", "c", "NOACK", "COUNT", "0", "STREAMS", "s", ">"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"},
		{"XINFO", "CONSUMERS", "s", "g"}, {"XGROUP", "CREATECONSUMER", "s", "g", "d"}, {"XGROUP", "CREATECONSUMER", "s", "g", "d"},
		{"XGROUP", "CREATECONSUMER", "s", "nog", "d"}, {"XGROUP", "DELCONSUMER", "s", "g", "c"}, {"XGROUP", "DELCONSUMER", "s", "g", "zz"},
		{"XGROUP", "DELCONSUMER", "s", "nog", "zz"}, {"XINFO", "CONSUMERS", "s", "g"}, {"XINFO", "CONSUMERS", "s", "nog"},
		{"XGROUP", "DESTROY", "s", "g"}, {"XGROUP", "DESTROY", "s", "g"}, {"XGROUP", "DESTROY", "nokey", "g"}, {"XGROUP", "DESTROY", "list", "g"},
		{"XINFO", "GROUPS", "s"}, {"XGROUP", "HELP"}, {"XINFO", "HELP"}},
	{{"XGROUP", "CREATE", "s", "g", "bad", "MKSTREAM"}, {"EXISTS", "s"}, {"XGROUP", "CREATE", "s", "g", "-", "MKSTREAM"},
		{"XGROUP", "CREATE", "s", "g", "5", "MKSTREAM", "FOO"}, {"XGROUP", "CREATE", "s", "g", "5", "ENTRIESREAD", "-2", "MKSTREAM"},
		{"XGROUP", "CREATE", "s", "g", "5", "ENTRIESREAD", "x", "MKSTREAM"}, {"XGROUP", "CREATE", "s", "g", "5", "ENTRIESREAD"},
		{"XGROUP", "CREATE", "s", "g", "5", "ENTRIESREAD", "3", "MKSTREAM"}, {"XINFO", "GROUPS", "s"}, {"XINFO", "STREAM", "s"},
		{"XGROUP", "SETID", "s", "g", "-"}, {"XINFO", "GROUPS", "s"}, {"XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "0"},
		{"XGROUP", "SETID", "s", "g", "7", "FOO", "1"}, {"XGROUP", "SETID", "s", "g", "7", "ENTRIESREAD"}, {"XGROUP", "SETID", "s", "nog", "7"},
		{"XGROUP", "SETID", "nokey", "g", "7"}, {"XGROUP", "SETID", "s", "g", "bad"}, {"XINFO", "GROUPS", "s"},
		{"XGROUP", "CREATE", "list", "g", "$"}, {"XGROUP", "CREATE", "nokey", "g", "$"}, {"XGROUP", "CREATECONSUMER", "nokey", "g", "c"},
		{"XGROUP", "CREATE", "s", "a\r\nb", "0"}, {"XGROUP", "CREATE", "s", "B", "0"}, {"XINFO", "GROUPS", "s"},
		{"XGROUP", "SETID", "s", "no\x00pe", "0"}, {"XINFO", "STREAM", "s", "FULL"}, {"XINFO", "STREAM", "s", "FULL", "COUNT", "x"},
		{"XINFO", "STREAM", "s", "FULL", "FOO", "1"}, {"XINFO", "STREAM", "s", "FOO"}, {"XINFO", "STREAM", "s", "FULL", "COUNT"},
		{"XINFO", "STREAM", "nokey"}, {"XINFO", "STREAM", "list"}, {"XINFO", "GROUPS", "nokey"}, {"XINFO", "CONSUMERS", "list", "g"}},
	// XCLAIM and XAUTOCLAIM.
	{{"XCLAIM", "s", "g", "c", "0", "1-1"}, {"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "b", "2"}, {"XADD", "s", "3-1", "c", "3"},
		{"XGROUP", "CREATE", "s", "g", "0"}, {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"}, {"XCLAIM", "s", "g", "bob", "x", "1-1"},
		{"XCLAIM", "s", "g", "bob", "3600000", "1-1"}, {"XCLAIM", "s", "g", "bob", "0", "1-1"}, {"XPENDING", "s", "g", "-", "+", "10"},
		{"XCLAIM", "s", "g", "bob", "0", "2-1", "JUSTID"}, {"XPENDING", "s", "g", "-", "+", "10"},
		{"XCLAIM", "s", "g", "bob", "0", "3-1", "RETRYCOUNT", "7", "IDLE", "5000000"}, {"XPENDING", "s", "g", "IDLE", "4000000", "-", "+", "10"},
		{"XCLAIM", "s", "g", "bob", "0", "1-1", "FOO"}, {"XCLAIM", "s", "g", "bob", "0", "1-1", "IDLE", "x"}, {"XCLAIM", "s", "g", "bob", "0", "1-1", "TIME", "x"},
		{"XCLAIM", "s", "g", "bob", "0", "1-1", "RETRYCOUNT", "x"}, {"XCLAIM", "s", "g", "bob", "0", "1-1", "LASTID", "x"},
		{"XCLAIM", "s", "g", "bob", "0", "1-1", "LASTID", "10-1", "JUSTID"}, {"XINFO", "GROUPS", "s"}, {"XCLAIM", "s", "g", "bob", "0", "9-9", "FORCE"},
		{"XADD", "s", "4-1", "d", "4"}, {"XCLAIM", "s", "g", "bob", "0", "4-1"}, {"XCLAIM", "s", "g", "bob", "0", "4-1", "FORCE"},
		{"XPENDING", "s", "g", "-", "+", "10"}, {"XDEL", "s", "2-1"}, {"XCLAIM", "s", "g", "carol", "0", "2-1", "1-1"}, {"XPENDING", "s", "g"},
		{"XCLAIM", "nokey", "g", "c", "0", "1-1"}, {"XCLAIM", "list", "g", "c", "0", "1-1"}, {"XCLAIM", "s", "nog", "c", "x", "1-1"},
		{"XCLAIM", "s", "g", "c", "-5", "1-1", "TIME", "1"}, {"XPENDING", "s", "g", "-", "+", "10"}, {"XCLAIM", "s", "g", "c", "0", "1-1", "IDLE"}},
	{{"XAUTOCLAIM", "s", "g", "c", "0", "0"}, {"XAUTOCLAIM", "s", "g", "c", "x", "0"}, {"XAUTOCLAIM", "s", "g", "c", "0", "bad"},
		{"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"}, {"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "x"},
		{"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423488"}, {"XAUTOCLAIM", "s", "g", "c", "0", "0", "FOO"},
		{"XAUTOCLAIM", "s", "g", "c", "0", "(18446744073709551615-18446744073709551615"}, {"XAUTOCLAIM", "list", "g", "c", "0", "0"},
		{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "b", "2"}, {"XADD", "s", "3-1", "c", "3"}, {"XADD", "s", "4-1", "d", "4"},
		{"XGROUP", "CREATE", "s", "g", "0"}, {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"}, {"XAUTOCLAIM", "s", "g", "bob", "3600000", "0"},
		{"XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "1"}, {"XAUTOCLAIM", "s", "g", "bob", "0", "(1-1", "COUNT", "1", "JUSTID"},
		{"XDEL", "s", "3-1"}, {"XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "2"}, {"XAUTOCLAIM", "s", "g", "carol", "0", "3-1"},
		{"XPENDING", "s", "g"}, {"XPENDING", "s", "g", "-", "+", "10"}, {"XAUTOCLAIM", "s", "g", "dave", "0", "-", "JUSTID"}, {"XINFO", "CONSUMERS", "s", "g"}},
	// Lag and entries-read across deletions and trims.
	{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "b", "2"}, {"XADD", "s", "3-1", "c", "3"}, {"XADD", "s", "4-1", "d", "4"},
		{"XGROUP", "CREATE", "s", "g1", "0"}, {"XGROUP", "CREATE", "s", "g2", "2-1"}, {"XGROUP", "CREATE", "s", "g3", "$"},
		{"XGROUP", "CREATE", "s", "g4", "1-1", "ENTRIESREAD", "1"}, {"XINFO", "GROUPS", "s"}, {"XDEL", "s", "2-1"}, {"XINFO", "GROUPS", "s"},
		{"XREADGROUP", "GROUP", "g1", "c", "COUNT", "1", "STREAMS", "s", ">"}, {"XINFO", "GROUPS", "s"}, {"XTRIM", "s", "MAXLEN", "1"},
		{"XINFO", "GROUPS", "s"}, {"XREADGROUP", "GROUP", "g2", "c", "STREAMS", "s", ">"}, {"XINFO", "GROUPS", "s"}, {"XDEL", "s", "4-1"},
		{"XINFO", "GROUPS", "s"}, {"XINFO", "STREAM", "s"}, {"XADD", "s", "5-1", "e", "5"}, {"XINFO", "GROUPS", "s"},
		{"XREADGROUP", "GROUP", "g4", "c", "STREAMS", "s", ">"}, {"XINFO", "STREAM", "s", "FULL", "COUNT", "1"}},
	// Counters set by hand, groups on several streams, binary names.
	{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "b", "2"}, {"XADD", "s", "3-1", "c", "3"},
		{"XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "100"}, {"XGROUP", "CREATE", "s", "h", "2-1", "ENTRIESREAD", "0"},
		{"XGROUP", "CREATE", "s", "i", "9-9"}, {"XINFO", "GROUPS", "s"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"},
		{"XREADGROUP", "GROUP", "h", "c", "STREAMS", "s", ">"}, {"XREADGROUP", "GROUP", "i", "c", "STREAMS", "s", ">"}, {"XINFO", "GROUPS", "s"},
		{"XGROUP", "SETID", "s", "g", "1-1", "ENTRIESREAD", "1"}, {"XINFO", "GROUPS", "s"}, {"XSETID", "s", "5-0", "ENTRIESADDED", "7"},
		{"XINFO", "GROUPS", "s"}, {"XSETID", "s", "5-0", "ENTRIESADDED", "2"}, {"XSETID", "s", "5-0", "MAXDELETEDID", "4-0"}, {"XINFO", "GROUPS", "s"},
		{"XADD", "t", "1-1", "x", "y"}, {"XGROUP", "CREATE", "t", "g", "0"}, {"XREADGROUP", "GROUP", "g", "bin\x00\xff", "COUNT", "1", "STREAMS", "s", "t", ">", ">"},
		{"XREADGROUP", "GROUP", "g", "bin\x00\xff", "STREAMS", "s", "t", "0", "0"}, {"XPENDING", "s", "g"}, {"XPENDING", "t", "g", "-", "+", "5", "bin\x00\xff"},
		{"XINFO", "CONSUMERS", "t", "g"}, {"XREAD", "COUNT", "1", "STREAMS", "s", "t", "0", "0"}, {"XREAD", "STREAMS", "s", "t", "$", "0"},
		{"XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"}, {"XREADGROUP", "GROUP", "g\r\nx", "c", "STREAMS", "s", ">"},
		{"XPENDING", "s", "nog\r\n"}, {"XPENDING", "s", "g", "IDLE", "x", "-", "+", "5"}, {"XPENDING", "s", "g", "IDLE", "5", "-", "+"},
		{"XPENDING", "s", "g", "-"}, {"XPENDING", "s", "g", "-", "+"}, {"XPENDING", "s", "g", "x", "+", "5"}, {"XPENDING", "s", "g", "-", "+", "-5"},
		{"XPENDING", "s", "g", "(18446744073709551615-18446744073709551615", "+", "5"}, {"XPENDING", "s", "g", "-", "(0-0", "5"},
		{"XPENDING", "nokey", "g", "-", "+", "5"}, {"XPENDING", "s", "g", "-", "+", "5", "c", "extra"}},
	// Exact MINID trimming around a deleted node tail, then appends.
	{{"XADD", "s", "1-1", "a", "1"}, {"XADD", "s", "2-1", "a", "2"}, {"XADD", "s", "3-1", "a", "3"}, {"XDEL", "s", "3-1"},
		{"XTRIM", "s", "MINID", "3-1"}, {"XINFO", "STREAM", "s"}, {"XADD", "s", "4-1", "a", "4"}, {"XINFO", "STREAM", "s"},
		{"XTRIM", "s", "MAXLEN", "0"}, {"XINFO", "STREAM", "s"}, {"XADD", "s", "5-1", "b", "5"}, {"XRANGE", "s", "-", "+"},
		{"XTRIM", "s", "MINID", "~", "9", "LIMIT", "1"}, {"XTRIM", "s", "MINID", "~", "9", "LIMIT", "0"}, {"XLEN", "s"}},
	// COPY, RENAME, TYPE and a wrong type.
	{{"XADD", "s", "1-1", "a", "1"}, {"XGROUP", "CREATE", "s", "g", "0"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"},
		{"COPY", "s", "t"}, {"XACK", "t", "g", "1-1"}, {"XPENDING", "s", "g"}, {"XPENDING", "t", "g"}, {"XADD", "t", "2-1", "b", "2"},
		{"XLEN", "s"}, {"XLEN", "t"}, {"TYPE", "t"}, {"OBJECT", "ENCODING", "t"}, {"RENAME", "t", "u"}, {"XRANGE", "u", "-", "+"},
		{"GET", "s"}, {"XLEN", "list"}, {"XINFO", "GROUPS", "list"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "list", ">"}},
}

var (
	streamIDPattern  = regexp.MustCompile(`^\$\d+\r\n\d+-\d+\r\n$`)
	streamNormFields = map[string]bool{"idle": true, "seen-time": true}
)

// streamNormalize applies the rewrites the file comment lists.
func streamNormalize(reply []byte) []byte {
	r := bufio.NewReader(bytes.NewReader(reply))
	out, err := streamNormNode(r)
	if err != nil {
		return reply
	}
	return out
}

func streamNormNode(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	switch line[0] {
	case ':':
		if n, err := strconv.ParseInt(string(line[1:len(line)-2]), 10, 64); err == nil && n >= 1e12 {
			return []byte(":<time>\r\n"), nil
		}
		return line, nil
	case '$', '=', '!':
		n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
		if n < 0 {
			return line, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return append(line, buf...), nil
	case '*', '~', '>', '%', '|':
		n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		kids := make([][]byte, 0, max(n, 0))
		for i := 0; i < n; i++ {
			k, err := streamNormNode(r)
			if err != nil {
				return nil, err
			}
			kids = append(kids, k)
		}
		for i := 0; i+1 < len(kids); i += 2 {
			if kids[i][0] == '$' {
				name := strings.SplitN(string(kids[i]), "\r\n", 3)[1]
				if streamNormFields[name] {
					kids[i+1] = []byte(":<n>\r\n")
				}
			}
		}
		// An XPENDING extended entry: [id, consumer, idle, deliveries].
		if n == 4 && streamIDPattern.Match(kids[0]) && kids[1][0] == '$' && kids[2][0] == ':' {
			kids[2] = []byte(":<n>\r\n")
		}
		return append(line, bytes.Join(kids, nil)...), nil
	}
	return line, nil
}

// streamCheck is diffSession.check with streamNormalize.
func streamCheck(d *diffSession, args []string) bool {
	d.t.Helper()
	d.log = append(d.log, quoteArgs(args))
	want := streamNormalize(d.rc.do(d.t, args))
	d.h.now = time.Now().UnixMilli()
	got := streamNormalize(d.h.exec(d.proto, byteArgs(args)))
	if !bytes.Equal(got, want) {
		d.t.Errorf("RESP%d reply differs from redis-server:\n  got  %q\n  want %q\nsession:\n  %s",
			d.proto, got, want, strings.Join(d.log, "\n  "))
		return false
	}
	return true
}

func TestStreamDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, script := range streamDiffScripts {
			d := newDiffSession(t, rc, proto)
			for _, args := range script {
				if !streamCheck(d, args) {
					break
				}
			}
		}
	}
}

// TestStreamDiffNodes fills streams past several nodes, with small and
// large entries, and trims approximately and exactly: the removed counts
// and radix-tree-keys must be Redis's.
func TestStreamDiffNodes(t *testing.T) {
	addr := startRedis(t)
	d := newDiffSession(t, dialRedis(t, addr, 2), 2)
	big := strings.Repeat("x", 1500)
	for i := 1; i <= 350; i++ {
		val := itoa(i)
		if i%37 == 0 {
			val = big
		}
		fields := []string{"XADD", "s", itoa(i) + "-" + itoa(i%3), "f", val}
		if i%11 == 0 {
			fields = append(fields, "g", "-12345")
		}
		if !streamCheck(d, fields) {
			return
		}
	}
	steps := [][]string{{"XINFO", "STREAM", "s"}, {"XDEL", "s", "5-2", "6-0", "150-0"}, {"XTRIM", "s", "MAXLEN", "~", "300"},
		{"XINFO", "STREAM", "s"}, {"XTRIM", "s", "MAXLEN", "~", "200", "LIMIT", "50"}, {"XTRIM", "s", "MAXLEN", "~", "200", "LIMIT", "150"},
		{"XTRIM", "s", "MINID", "~", "260"}, {"XINFO", "STREAM", "s"}, {"XTRIM", "s", "MINID", "270"}, {"XINFO", "STREAM", "s"},
		{"XADD", "s", "MAXLEN", "~", "10", "400-1", "f", "v"}, {"XLEN", "s"}, {"XTRIM", "s", "MAXLEN", "10"}, {"XINFO", "STREAM", "s"},
		{"XRANGE", "s", "-", "+"}, {"XREVRANGE", "s", "+", "-", "COUNT", "3"}}
	for _, args := range steps {
		if !streamCheck(d, args) {
			return
		}
	}
	for i := 0; i < 400; i++ {
		args := []string{"XADD", "b", itoa(i+1) + "-1", "f", strings.Repeat("v", i*7%300)}
		if !streamCheck(d, args) {
			return
		}
	}
	for _, args := range [][]string{{"XINFO", "STREAM", "b"}, {"XTRIM", "b", "MAXLEN", "~", "100"}, {"XINFO", "STREAM", "b"}} {
		if !streamCheck(d, args) {
			return
		}
	}
}

// TestStreamDiffAutoID compares replies to XADD "*" by shape: the IDs come
// from each server's clock.
func TestStreamDiffAutoID(t *testing.T) {
	addr := startRedis(t)
	d := newDiffSession(t, dialRedis(t, addr, 2), 2)
	for _, args := range [][]string{{"XADD", "s", "*", "f", "v"}, {"XADD", "s", "*", "f", "v"}, {"XADD", "s", "MAXLEN", "1", "*", "g", "w"}} {
		want := d.rc.do(t, args)
		got := d.h.exec(2, byteArgs(args))
		if !streamIDPattern.Match(got) || !streamIDPattern.Match(want) {
			t.Errorf("%q: got %q, want an ID like %q", args, got, want)
		}
	}
	for _, args := range [][]string{{"XLEN", "s"}, {"XADD", "s", "1-1", "f", "v"}} {
		streamCheck(d, args)
	}
}

// TestStreamDiffRandom runs seeded random sessions of stream commands.
func TestStreamDiffRandom(t *testing.T) {
	addr := startRedis(t)
	conns := map[int]*redisConn{2: dialRedis(t, addr, 2), 3: dialRedis(t, addr, 3)}
	first, sessions := diffSeeds(t, 400)
	for seed := first; seed < first+sessions; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x57e4))
		proto := 2 + rng.IntN(2)
		d := newDiffSession(t, conns[proto], proto)
		for i := 0; i < 60; i++ {
			if !streamCheck(d, randomStreamCommand(rng)) {
				t.Logf("seed %d", seed)
				break
			}
		}
	}
}

var (
	poolStreamKeys = []string{"s1", "s1", "s2", "s2", "{x}s", "list"}
	poolStreamIDs  = []string{"0", "0-1", "1", "1-1", "1-2", "2", "2-0", "3-1", "5", "5-5", "7-0", "10", "12-1", "20", "(1-1", "(2", "-", "+",
		"bad", "18446744073709551615-18446744073709551615", "$", ">", "1-*"}
	poolStreamCounts = []string{"0", "1", "2", "3", "10", "-1", "x"}
	poolGroups       = []string{"g1", "g2", "nog"}
	poolConsumers    = []string{"alice", "bob", "carol"}
)

// randomStreamCommand draws one stream command; IDs grow so most XADDs
// succeed.
func randomStreamCommand(rng *rand.Rand) []string {
	if rng.IntN(6) == 0 {
		return randomStreamAdmin(rng)
	}
	key := func() string { return pick(rng, poolStreamKeys) }
	id := func() string { return pick(rng, poolStreamIDs) }
	cnt := func() string { return pick(rng, poolStreamCounts) }
	switch rng.IntN(22) {
	case 0, 1, 2, 3, 19, 20, 21:
		args := []string{"XADD", key()}
		if rng.IntN(8) == 0 {
			args = append(args, "NOMKSTREAM")
		}
		switch rng.IntN(6) {
		case 0, 1:
			args = append(args, "MAXLEN")
			if rng.IntN(2) == 0 {
				args = append(args, pick(rng, []string{"~", "="}))
			}
			args = append(args, pick(rng, []string{"0", "1", "2", "5"}))
		case 2:
			args = append(args, "MINID")
			if rng.IntN(2) == 0 {
				args = append(args, pick(rng, []string{"~", "="}))
			}
			args = append(args, id())
		}
		newID := itoa(rng.IntN(30)) + "-" + itoa(rng.IntN(3))
		if rng.IntN(5) == 0 {
			newID = itoa(rng.IntN(30)) + "-*"
		}
		args = append(args, newID)
		for n := 1 + rng.IntN(2); n > 0; n-- {
			args = append(args, pick(rng, []string{"f", "g", "h"}), pick(rng, []string{"v", "1", "", "\x00"}))
		}
		return args
	case 4:
		return []string{pick(rng, []string{"XRANGE", "XREVRANGE"}), key(), id(), id(), "COUNT", cnt()}
	case 5:
		return []string{pick(rng, []string{"XRANGE", "XREVRANGE"}), key(), pick(rng, []string{"-", "+"}), pick(rng, []string{"-", "+"})}
	case 6:
		return []string{"XDEL", key(), id(), id()}
	case 7:
		return []string{"XTRIM", key(), pick(rng, []string{"MAXLEN", "MINID"}), pick(rng, []string{"~", "="}), pick(rng, []string{"0", "1", "3", "5-0"})}
	case 8:
		return []string{"XLEN", key()}
	case 9:
		return []string{"XREAD", "COUNT", cnt(), "STREAMS", key(), key(), id(), id()}
	case 10:
		args := []string{"XGROUP", "CREATE", key(), pick(rng, poolGroups), pick(rng, []string{"0", "$", "2-0", "5"})}
		if rng.IntN(2) == 0 {
			args = append(args, "MKSTREAM")
		}
		return args
	case 11, 12:
		args := []string{"XREADGROUP", "GROUP", pick(rng, poolGroups), pick(rng, poolConsumers), "COUNT", cnt()}
		if rng.IntN(4) == 0 {
			args = append(args, "NOACK")
		}
		return append(args, "STREAMS", key(), pick(rng, []string{">", ">", "0", "1-1"}))
	case 13:
		return []string{"XACK", key(), pick(rng, poolGroups), id(), id()}
	case 14:
		if rng.IntN(2) == 0 {
			return []string{"XPENDING", key(), pick(rng, poolGroups)}
		}
		return []string{"XPENDING", key(), pick(rng, poolGroups), id(), id(), cnt(), pick(rng, poolConsumers)}
	case 15:
		args := []string{"XCLAIM", key(), pick(rng, poolGroups), pick(rng, poolConsumers), pick(rng, []string{"0", "0", "3600000", "x"}), id(), id()}
		for n := rng.IntN(3); n > 0; n-- {
			switch o := pick(rng, []string{"FORCE", "JUSTID", "RETRYCOUNT", "LASTID", "IDLE", "TIME", "BOGUS"}); o {
			case "RETRYCOUNT":
				args = append(args, o, cnt())
			case "LASTID":
				args = append(args, o, id())
			case "IDLE", "TIME":
				args = append(args, o, pick(rng, []string{"0", "-1", "x", "1"}))
			default:
				args = append(args, o)
			}
		}
		return args
	case 16:
		args := []string{"XAUTOCLAIM", key(), pick(rng, poolGroups), pick(rng, poolConsumers), pick(rng, []string{"0", "0", "3600000"}), id(), "COUNT", cnt()}
		if rng.IntN(3) == 0 {
			args = append(args, "JUSTID")
		}
		return args
	case 17:
		return []string{"XINFO", pick(rng, []string{"STREAM", "GROUPS"}), key()}
	case 18:
		if rng.IntN(2) == 0 {
			return []string{"XINFO", "STREAM", key(), "FULL"}
		}
		return []string{"XINFO", "CONSUMERS", key(), pick(rng, poolGroups)}
	}
	return []string{"XSETID", key(), id()}
}

// randomStreamAdmin draws the rarer commands: group and consumer
// management, XSETID, trimming with LIMIT, XINFO FULL.
func randomStreamAdmin(rng *rand.Rand) []string {
	key := pick(rng, poolStreamKeys)
	group := pick(rng, poolGroups)
	switch rng.IntN(8) {
	case 0:
		args := []string{"XSETID", key, pick(rng, poolStreamIDs)}
		if rng.IntN(2) == 0 {
			args = append(args, "ENTRIESADDED", pick(rng, []string{"0", "3", "50", "-1"}))
		}
		if rng.IntN(2) == 0 {
			args = append(args, "MAXDELETEDID", pick(rng, poolStreamIDs))
		}
		return args
	case 1:
		args := []string{"XGROUP", "SETID", key, group, pick(rng, []string{"0", "$", "3-0", "-", "bad"})}
		if rng.IntN(2) == 0 {
			args = append(args, "ENTRIESREAD", pick(rng, []string{"0", "2", "-1", "-2", "x"}))
		}
		return args
	case 2:
		return []string{"XGROUP", pick(rng, []string{"CREATECONSUMER", "DELCONSUMER"}), key, group, pick(rng, poolConsumers)}
	case 3:
		return []string{"XGROUP", "DESTROY", key, group}
	case 4:
		args := []string{"XGROUP", "CREATE", key, group, pick(rng, []string{"0", "$", "4"})}
		if rng.IntN(2) == 0 {
			args = append(args, "ENTRIESREAD", pick(rng, []string{"0", "1", "5", "-1"}))
		}
		return args
	case 5:
		return []string{"XTRIM", key, pick(rng, []string{"MAXLEN", "MINID"}), "~", pick(rng, []string{"0", "2", "9"}), "LIMIT", pick(rng, []string{"0", "1", "100"})}
	case 6:
		return []string{"XINFO", "STREAM", key, "FULL", "COUNT", pick(rng, []string{"0", "1", "2", "-1"})}
	}
	return []string{"XREAD", "STREAMS", key, pick(rng, []string{"$", "0", "5"})}
}

// TestStreamDiffDefaultLimit checks the implicit LIMIT of approximate
// trimming (100 nodes of 100 entries) on a stream past it.
func TestStreamDiffDefaultLimit(t *testing.T) {
	addr := startRedis(t)
	d := newDiffSession(t, dialRedis(t, addr, 2), 2)
	const n = 10250
	var pipe bytes.Buffer
	for i := 1; i <= n; i++ {
		args := []string{"XADD", "s", itoa(i) + "-1", "f", itoa(i)}
		pipe.WriteString("*5\r\n")
		for _, a := range args {
			pipe.WriteString("$" + itoa(len(a)) + "\r\n" + a + "\r\n")
		}
		d.h.exec(2, byteArgs(args))
	}
	d.rc.c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := d.rc.c.Write(pipe.Bytes()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := readRawReply(d.rc.r, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"XINFO", "STREAM", "s"}, {"XTRIM", "s", "MAXLEN", "~", "0"}, {"XLEN", "s"},
		{"XADD", "s", "MINID", "~", "99999", "20000-1", "f", "v"}, {"XINFO", "STREAM", "s"}} {
		if !streamCheck(d, args) {
			return
		}
	}
}
