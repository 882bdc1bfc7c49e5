// Package wire is shardis's RESP codec: an incremental, allocation-free
// request parser and append-style reply writers for RESP2 and RESP3.
//
// # Why it is hand-written
//
// The mandated github.com/tidwall/resp reads through a bufio.Reader and
// allocates for every line, bulk and array: about 12 allocations and 700 ns
// per parsed SET, 23 times slower than this parser (see BenchmarkParse and
// the comparison benchmark against tidwall/resp in parser_test.go). Its
// writer allocates once per value and swallows I/O errors. The request path
// must not allocate per command, so tidwall/resp is kept as the independent
// reference codec in the fuzz and differential tests, and in offline tools.
//
// # Parser contract
//
// Parser.Parse reads at most one command from the front of a buffer. The
// returned arguments alias the buffer (or, for inline commands with quotes,
// the parser's scratch space), so they are valid only until the caller
// reuses either. A short buffer is not an error: Parse returns n == 0 and
// Need reports how many bytes the buffer must hold before another attempt
// can make progress, so an event loop can wait for a large bulk to arrive
// without re-scanning it on every read.
//
// Errors match Redis's networking.c byte for byte ("Protocol error: ...");
// after one the connection must be closed, as Redis does.
//
// # Writer
//
// Writer appends replies to a byte slice. Protocol selects RESP2 or RESP3
// encodings for the types that differ (null, map, set, double, boolean);
// callers never branch on the protocol themselves.
package wire
