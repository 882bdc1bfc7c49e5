package wire

import (
	"math"
	"strconv"
)

// Writer appends RESP replies to B. Proto is 2 or 3 and picks the encoding
// of the reply types that RESP3 added; everything else is identical.
type Writer struct {
	B     []byte
	Proto int
}

// Reset empties the buffer, keeping its capacity.
func (w *Writer) Reset() { w.B = w.B[:0] }

// Len is the number of bytes buffered.
func (w *Writer) Len() int { return len(w.B) }

// OK appends +OK.
func (w *Writer) OK() { w.B = append(w.B, "+OK\r\n"...) }

// Simple appends a simple string; s must not contain CR or LF.
func (w *Writer) Simple(s string) {
	w.B = append(w.B, '+')
	w.B = append(w.B, s...)
	w.B = append(w.B, '\r', '\n')
}

// Error appends an error reply. msg carries its own code ("ERR ...",
// "WRONGTYPE ...") as Redis's replies do.
func (w *Writer) Error(msg string) {
	w.B = append(w.B, '-')
	w.B = append(w.B, msg...)
	w.B = append(w.B, '\r', '\n')
}

// Int appends an integer reply.
func (w *Writer) Int(n int64) {
	w.B = append(w.B, ':')
	w.B = strconv.AppendInt(w.B, n, 10)
	w.B = append(w.B, '\r', '\n')
}

// IntDigits appends an integer reply from the integer's decimal digits,
// for a caller that already has them (INCR's stored value).
func (w *Writer) IntDigits(d []byte) {
	w.B = append(w.B, ':')
	w.B = append(w.B, d...)
	w.B = append(w.B, '\r', '\n')
}

// Bulk appends a bulk string.
func (w *Writer) Bulk(b []byte) {
	w.B = append(w.B, '$')
	w.B = strconv.AppendInt(w.B, int64(len(b)), 10)
	w.B = append(w.B, '\r', '\n')
	w.B = append(w.B, b...)
	w.B = append(w.B, '\r', '\n')
}

// BulkString appends a bulk string from a Go string.
func (w *Writer) BulkString(s string) {
	w.B = append(w.B, '$')
	w.B = strconv.AppendInt(w.B, int64(len(s)), 10)
	w.B = append(w.B, '\r', '\n')
	w.B = append(w.B, s...)
	w.B = append(w.B, '\r', '\n')
}

// BulkInt appends n formatted as a bulk string.
func (w *Writer) BulkInt(n int64) {
	var tmp [24]byte
	w.Bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// Null appends the null bulk string ($-1 in RESP2, _ in RESP3).
func (w *Writer) Null() {
	if w.Proto >= 3 {
		w.B = append(w.B, "_\r\n"...)
		return
	}
	w.B = append(w.B, "$-1\r\n"...)
}

// NullArray appends the null array (*-1 in RESP2, _ in RESP3).
func (w *Writer) NullArray() {
	if w.Proto >= 3 {
		w.B = append(w.B, "_\r\n"...)
		return
	}
	w.B = append(w.B, "*-1\r\n"...)
}

// Array appends an array header of n elements.
func (w *Writer) Array(n int) { w.header('*', n) }

// Map appends a map header of n key/value pairs; RESP2 gets a flat array.
func (w *Writer) Map(n int) {
	if w.Proto >= 3 {
		w.header('%', n)
		return
	}
	w.header('*', 2*n)
}

// Set appends a set header; RESP2 gets an array.
func (w *Writer) Set(n int) {
	if w.Proto >= 3 {
		w.header('~', n)
		return
	}
	w.header('*', n)
}

// Push appends the header of an out-of-band message (pub/sub) of n
// elements; RESP2 gets an array.
func (w *Writer) Push(n int) {
	if w.Proto >= 3 {
		w.header('>', n)
		return
	}
	w.header('*', n)
}

// Bool appends a boolean; RESP2 gets the integer 1 or 0.
func (w *Writer) Bool(v bool) {
	if w.Proto >= 3 {
		if v {
			w.B = append(w.B, "#t\r\n"...)
		} else {
			w.B = append(w.B, "#f\r\n"...)
		}
		return
	}
	if v {
		w.B = append(w.B, ":1\r\n"...)
	} else {
		w.B = append(w.B, ":0\r\n"...)
	}
}

// Double appends a double as Redis's addReplyDouble does: a RESP3 double,
// or in RESP2 a bulk string with %.17g formatting.
func (w *Writer) Double(f float64) {
	var tmp [40]byte
	var s []byte
	switch {
	case math.IsInf(f, 1):
		s = append(tmp[:0], "inf"...)
	case math.IsInf(f, -1):
		s = append(tmp[:0], "-inf"...)
	case math.IsNaN(f):
		s = append(tmp[:0], "nan"...)
	default:
		s = AppendG17(tmp[:0], f)
	}
	if w.Proto >= 3 {
		w.B = append(w.B, ',')
		w.B = append(w.B, s...)
		w.B = append(w.B, '\r', '\n')
		return
	}
	w.Bulk(s)
}

// Verbatim appends a verbatim string (RESP3 "=" with a 3-letter format),
// a plain bulk string in RESP2.
func (w *Writer) Verbatim(format string, s []byte) {
	if w.Proto < 3 {
		w.Bulk(s)
		return
	}
	w.B = append(w.B, '=')
	w.B = strconv.AppendInt(w.B, int64(len(s)+4), 10)
	w.B = append(w.B, '\r', '\n')
	w.B = append(w.B, format...)
	w.B = append(w.B, ':')
	w.B = append(w.B, s...)
	w.B = append(w.B, '\r', '\n')
}

// Raw appends bytes that are already RESP encoded.
func (w *Writer) Raw(b []byte) { w.B = append(w.B, b...) }

func (w *Writer) header(c byte, n int) {
	w.B = append(w.B, c)
	w.B = strconv.AppendInt(w.B, int64(n), 10)
	w.B = append(w.B, '\r', '\n')
}

// AppendG17 formats f like C's "%.17g".
func AppendG17(dst []byte, f float64) []byte {
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	// %g takes the exponent X of the 'e' conversion at the precision less
	// one, after rounding (math.Log10 would misjudge values just below a
	// power of ten: 0.09999999999999999 has X = -2, its Log10 rounds to
	// -1), and uses scientific notation when X < -4 or X >= 17.
	b := strconv.AppendFloat(dst, f, 'e', 16, 64)
	exp := 0
	i := len(b) - 1
	for b[i] != 'e' {
		i--
	}
	for _, c := range b[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if b[i+1] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= 17 {
		return trimExp(dst, b)
	}
	// Fixed notation holds the same 17 rounded digits: lay them out
	// around the point instead of converting again.
	var digits [17]byte
	m := b[len(dst):i]
	neg := m[0] == '-'
	if neg {
		m = m[1:]
	}
	digits[0] = m[0]
	copy(digits[1:], m[2:]) // past "d."
	b = dst
	if neg {
		b = append(b, '-')
	}
	if exp >= 0 {
		b = append(b, digits[:exp+1]...)
		b = append(b, '.')
		b = append(b, digits[exp+1:]...)
	} else {
		b = append(b, "0."...)
		for range -exp - 1 {
			b = append(b, '0')
		}
		b = append(b, digits[:]...)
	}
	return trimZeros(dst, b)
}

// trimZeros drops trailing zeros (and a bare '.') after dst, as %g does.
func trimZeros(dst, b []byte) []byte {
	mant := b[len(dst):]
	if !containsByte(mant, '.') {
		return b
	}
	for len(b) > len(dst) && b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	return b
}

// trimExp rewrites Go's "1.2300000000000000e+20" into C's "1.23e+20".
func trimExp(dst, b []byte) []byte {
	s := b[len(dst):]
	e := 0
	for e < len(s) && s[e] != 'e' {
		e++
	}
	var exp [8]byte
	ex := append(exp[:0], s[e:]...)
	b = trimZeros(dst, b[:len(dst)+e])
	// C prints at least two exponent digits, as Go does.
	return append(b, ex...)
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}
