package storage

import (
	"bytes"
	"math/big"
	"strings"
)

// INCRBYFLOAT and HINCRBYFLOAT compute in C's long double, which on the
// x86-64 Linux builds Redis ships is the x87 80-bit format: a 64-bit
// mantissa and a 15-bit exponent. big.Float with 64 bits of precision and
// that exponent range reproduces its rounding, so "10.5 + 0.1" prints
// "10.6" as in Redis, where float64 would print 10.59999999999999964.

const (
	longDoublePrec = 64
	// The largest finite x87 long double is just under 2^16384.
	longDoubleMaxExp = 16384
	// Redis refuses numbers longer than MAX_LONG_DOUBLE_CHARS.
	maxLongDoubleChars = 5 * 1024
)

func newLongDouble() *big.Float {
	return new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
}

// parseLongDouble is Redis's string2ld: strtold over the whole string, no
// leading space, no NaN, no overflow.
func parseLongDouble(dst *big.Float, b []byte) bool {
	if len(b) == 0 || len(b) >= maxLongDoubleChars || isCSpace(b[0]) || bytes.IndexByte(b, '_') >= 0 {
		return false
	}
	// strtold accepts infinities (the addition then fails, as in Redis)
	// but the caller rejects NaN.
	switch strings.ToLower(string(b)) {
	case "inf", "+inf", "infinity", "+infinity":
		dst.SetInf(false)
		return true
	case "-inf", "-infinity":
		dst.SetInf(true)
		return true
	}
	if _, _, err := dst.Parse(string(b), 0); err != nil {
		return false
	}
	return dst.Sign() == 0 || dst.MantExp(nil) <= longDoubleMaxExp
}

// addLongDouble returns a+b, false when the result is not finite.
func addLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	sum := newLongDouble().Add(a, b)
	if sum.Sign() != 0 && sum.MantExp(nil) > longDoubleMaxExp {
		return nil, false
	}
	return sum, true
}

// formatLongDoubleHuman is ld2string(LD_STR_HUMAN): "%.17Lf" with the
// trailing zeros (and a bare point) removed.
func formatLongDoubleHuman(f *big.Float) []byte {
	s := []byte(f.Text('f', 17))
	if bytes.IndexByte(s, '.') >= 0 {
		s = bytes.TrimRight(s, "0")
		s = bytes.TrimSuffix(s, []byte("."))
	}
	if bytes.Equal(s, []byte("-0")) {
		s = []byte("0")
	}
	return s
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
