package wire

import (
	"bytes"
	"errors"
)

// Limits Redis applies while reading requests (server.h).
const (
	// InlineMax is PROTO_INLINE_MAX_SIZE: the longest inline command, and the
	// longest multibulk or bulk header line, Redis buffers before giving up.
	InlineMax = 64 * 1024
	// DefaultMaxBulkLen is the default proto-max-bulk-len (512mb).
	DefaultMaxBulkLen = 512 * 1024 * 1024
	// maxMultibulk is INT_MAX, the largest argument count Redis accepts.
	maxMultibulk = 1<<31 - 1
	// Unauthenticated clients may send only small requests (Redis 7).
	unauthMultibulk = 10
	unauthBulk      = 16384
)

// ProtocolError is a malformed request. Its text is the Redis error reply
// without the leading '-'; the connection must be closed after sending it.
type ProtocolError struct{ msg string }

func (e *ProtocolError) Error() string { return e.msg }

func protoErr(msg string) error { return &ProtocolError{msg: "ERR Protocol error: " + msg} }

var (
	errTooBigInline      = protoErr("too big inline request")
	errTooBigMbulkCount  = protoErr("too big mbulk count string")
	errTooBigBulkCount   = protoErr("too big bulk count string")
	errInvalidMultibulk  = protoErr("invalid multibulk length")
	errInvalidBulk       = protoErr("invalid bulk length")
	errUnbalancedQuotes  = protoErr("unbalanced quotes in request")
	errUnauthMultibulk   = protoErr("unauthenticated multibulk length")
	errUnauthBulk        = protoErr("unauthenticated bulk length")
	errExpectedDollarFmt = "expected '$', got '"
)

// IsProtocolError reports whether err is a malformed-request error.
func IsProtocolError(err error) bool {
	var pe *ProtocolError
	return errors.As(err, &pe)
}

// Parser parses requests. The zero value is not ready; use NewParser.
// A Parser is owned by one connection and is not safe for concurrent use.
type Parser struct {
	// MaxBulkLen is proto-max-bulk-len.
	MaxBulkLen int64
	// Unauthenticated applies Redis's small-request limits to clients that
	// have not yet passed AUTH.
	Unauthenticated bool

	args    [][]byte
	scratch []byte
	need    int
}

// NewParser returns a parser with Redis's default limits.
func NewParser() *Parser {
	return &Parser{MaxBulkLen: DefaultMaxBulkLen, args: make([][]byte, 0, 16)}
}

// Need is the total buffer length the last incomplete Parse call needs
// before a retry can complete the command, or 0 when it cannot tell.
func (p *Parser) Need() int { return p.need }

// Parse reads one command from the front of buf. It returns the arguments
// and the number of bytes consumed. n == 0 with a nil error means buf holds
// only part of a command. n > 0 with no arguments means an empty request
// (a blank inline line or "*0"), which Redis skips without a reply.
func (p *Parser) Parse(buf []byte) (args [][]byte, n int, err error) {
	p.need = 0
	if len(buf) == 0 {
		return nil, 0, nil
	}
	if buf[0] == '*' {
		return p.parseMultibulk(buf)
	}
	return p.parseInline(buf)
}

func (p *Parser) parseMultibulk(buf []byte) ([][]byte, int, error) {
	// Redis locates the header by its '\r' and skips the byte after it
	// unchecked; mirror that so the same bytes give the same outcome.
	cr := bytes.IndexByte(buf, '\r')
	if cr < 0 {
		if len(buf) > InlineMax {
			return nil, 0, errTooBigMbulkCount
		}
		return nil, 0, nil
	}
	if cr > InlineMax {
		return nil, 0, errTooBigMbulkCount
	}
	count, ok := parseInt(buf[1:cr])
	if !ok || count > maxMultibulk {
		return nil, 0, errInvalidMultibulk
	}
	if p.Unauthenticated && count > unauthMultibulk {
		return nil, 0, errUnauthMultibulk
	}
	pos := cr + 2
	if pos > len(buf) {
		return nil, 0, nil
	}
	if count <= 0 {
		return p.args[:0], pos, nil
	}
	args := p.args[:0]
	for i := int64(0); i < count; i++ {
		if pos >= len(buf) {
			return nil, 0, nil
		}
		if buf[pos] != '$' {
			return nil, 0, &ProtocolError{msg: "ERR Protocol error: " + errExpectedDollarFmt + string(buf[pos]) + "'"}
		}
		cr := bytes.IndexByte(buf[pos:], '\r')
		if cr < 0 {
			if len(buf)-pos > InlineMax {
				return nil, 0, errTooBigBulkCount
			}
			return nil, 0, nil
		}
		if cr > InlineMax {
			return nil, 0, errTooBigBulkCount
		}
		size, ok := parseInt(buf[pos+1 : pos+cr])
		if !ok || size < 0 || size > p.MaxBulkLen {
			return nil, 0, errInvalidBulk
		}
		if p.Unauthenticated && size > unauthBulk {
			return nil, 0, errUnauthBulk
		}
		start := pos + cr + 2
		end := start + int(size)
		// Like Redis, the two bytes after the payload are skipped unchecked.
		if end+2 > len(buf) {
			p.need = end + 2
			p.args = args[:0]
			return nil, 0, nil
		}
		args = append(args, buf[start:end:end])
		pos = end + 2
	}
	p.args = args[:0]
	return args, pos, nil
}

func (p *Parser) parseInline(buf []byte) ([][]byte, int, error) {
	nl := bytes.IndexByte(buf, '\n')
	if nl < 0 {
		if len(buf) > InlineMax {
			return nil, 0, errTooBigInline
		}
		return nil, 0, nil
	}
	line := buf[:nl]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	args, err := p.splitArgs(line)
	if err != nil {
		return nil, 0, err
	}
	return args, nl + 1, nil
}

// splitArgs splits an inline command line as Redis's sdssplitargs does:
// whitespace-separated words, "double quotes" with C escapes and \xHH,
// 'single quotes' with only \' escaped, and a closing quote that must end
// the word. A NUL byte ends the line, as it ends the C string in Redis.
// Words are built in scratch, which is sized to the line up front so it
// never moves under words already returned.
func (p *Parser) splitArgs(line []byte) ([][]byte, error) {
	if cap(p.scratch) < len(line) {
		p.scratch = make([]byte, 0, len(line))
	}
	args, scratch := p.args[:0], p.scratch[:0]
	at := func(i int) byte { // C-string view of line
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	i := 0
	for {
		for at(i) != 0 && isSpace(at(i)) {
			i++
		}
		if at(i) == 0 {
			p.args = args[:0]
			return args, nil
		}
		start := len(scratch)
		inDQ, inSQ := false, false
		for done := false; !done; {
			c := at(i)
			switch {
			case inDQ:
				switch {
				case c == '\\' && at(i+1) == 'x' && isHex(at(i+2)) && isHex(at(i+3)):
					scratch = append(scratch, unhex(at(i+2))<<4|unhex(at(i+3)))
					i += 3
				case c == '\\' && at(i+1) != 0:
					i++
					scratch = append(scratch, unescape(at(i)))
				case c == '"':
					if n := at(i + 1); n != 0 && !isSpace(n) {
						return nil, errUnbalancedQuotes
					}
					done = true
				case c == 0:
					return nil, errUnbalancedQuotes
				default:
					scratch = append(scratch, c)
				}
			case inSQ:
				switch {
				case c == '\\' && at(i+1) == '\'':
					i++
					scratch = append(scratch, '\'')
				case c == '\'':
					if n := at(i + 1); n != 0 && !isSpace(n) {
						return nil, errUnbalancedQuotes
					}
					done = true
				case c == 0:
					return nil, errUnbalancedQuotes
				default:
					scratch = append(scratch, c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inDQ = true
				case '\'':
					inSQ = true
				default:
					scratch = append(scratch, c)
				}
			}
			if at(i) != 0 {
				i++
			}
		}
		args = append(args, scratch[start:len(scratch):len(scratch)])
	}
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}

// isSpace is C's isspace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// parseInt is Redis's string2ll: optional '-', no '+', no leading zeros,
// no spaces, and it must fit in an int64.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	i := 0
	if b[0] == '-' {
		neg = true
		i++
		if i == len(b) {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (1<<64-1)/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
		if v < uint64(c-'0') {
			return 0, false
		}
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// ParseInt exposes Redis's strict integer syntax (string2ll) to other
// packages, so argument parsing everywhere agrees with the wire parser.
func ParseInt(b []byte) (int64, bool) { return parseInt(b) }
