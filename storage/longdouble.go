package storage

import (
	"bytes"
	"math/big"
)

// INCRBYFLOAT and HINCRBYFLOAT compute in C's long double, which on the
// x86-64 Linux builds Redis ships is the x87 80-bit format: a 64-bit
// mantissa and a 15-bit exponent. big.Float with 64 bits of precision and
// that exponent range reproduces its rounding, so "10.5 + 0.1" prints
// "10.6" as in Redis, where float64 would print 10.59999999999999964.
//
// Parsing must be strtold's, not big.Float.Parse's: strtold accepts hex
// floats without an exponent, "inf" and "infinity" but no "0b"/"0o"
// prefixes or underscores, and it rounds once, correctly, where
// big.Float.Parse may round twice for decimal input. Hence the small
// grammar below with exact big.Rat conversion.

const (
	longDoublePrec = 64
	// The largest finite x87 long double is just under 2^16384.
	longDoubleMaxExp = 16384
	// Results at or below 2^-16446, half the smallest denormal, round to
	// zero, which strtold reports as a range error and string2ld rejects.
	longDoubleZeroExp = -16446
	// Redis refuses numbers of MAX_LONG_DOUBLE_CHARS bytes or more.
	maxLongDoubleChars = 5 * 1024
	// expClamp bounds parsed exponents: any input (shorter than
	// maxLongDoubleChars) with a larger exponent overflows or underflows.
	expClamp = 1 << 20
)

func newLongDouble() *big.Float {
	return new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
}

// parseLongDouble is Redis's string2ld: strtold over the whole string, no
// leading space, no NaN, no overflow, no underflow to zero. Infinity is
// accepted, as in Redis; adding it fails later.
func parseLongDouble(dst *big.Float, b []byte) bool {
	if len(b) == 0 || len(b) >= maxLongDoubleChars || isCSpace(b[0]) {
		return false
	}
	neg := b[0] == '-'
	if b[0] == '-' || b[0] == '+' {
		b = b[1:]
	}
	var ok bool
	switch {
	case isInfName(b):
		dst.SetInf(neg)
		return true
	case len(b) >= 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X'):
		ok = parseHexFloat(dst, b[2:])
	default:
		ok = parseDecimalFloat(dst, b)
	}
	if !ok {
		return false
	}
	if neg {
		dst.Neg(dst)
	}
	return true
}

// isInfName matches strtold's "inf" and "infinity", in any case.
func isInfName(b []byte) bool {
	return equalFold(b, "inf") || equalFold(b, "infinity")
}

// parseDecimalFloat parses digits[.digits][e[+-]digits] into dst, rounded
// once to the long double mantissa.
func parseDecimalFloat(dst *big.Float, b []byte) bool {
	mant, digits, frac, rest, ok := scanMantissa(b, 10)
	if !ok {
		return false
	}
	exp := int64(0)
	if len(rest) > 0 {
		if rest[0] != 'e' && rest[0] != 'E' {
			return false
		}
		if exp, ok = scanExponent(rest[1:]); !ok {
			return false
		}
	}
	exp -= int64(frac)
	switch {
	case digits == 0:
		dst.SetInt64(0)
		return true
	case int64(digits)-1+exp > 4932: // at least 1e4933, beyond LDBL_MAX
		return false
	case int64(digits)+exp < -4952: // below 1e-4952: rounds to zero
		return false
	}
	r := new(big.Rat)
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(abs64(exp)), nil)
	if exp >= 0 {
		r.SetInt(mant.Mul(mant, pow))
	} else {
		r.SetFrac(mant, pow)
	}
	dst.SetRat(r)
	return inLongDoubleRange(dst)
}

// parseHexFloat parses hexdigits[.hexdigits][p[+-]digits] (after "0x").
func parseHexFloat(dst *big.Float, b []byte) bool {
	mant, _, frac, rest, ok := scanMantissa(b, 16)
	if !ok {
		return false
	}
	exp := int64(0)
	if len(rest) > 0 {
		if rest[0] != 'p' && rest[0] != 'P' {
			return false
		}
		if exp, ok = scanExponent(rest[1:]); !ok {
			return false
		}
	}
	exp -= 4 * int64(frac)
	if mant.Sign() == 0 {
		dst.SetInt64(0)
		return true
	}
	top := int64(mant.BitLen()) + exp // the value is below 2^top
	if top > longDoubleMaxExp || top < longDoubleZeroExp {
		return false
	}
	dst.SetInt(mant)
	dst.SetMantExp(dst, int(exp))
	return inLongDoubleRange(dst)
}

// scanMantissa reads digits with at most one '.' and at least one digit.
// It returns them as an integer, the number of significant digits (0 for a
// zero mantissa) and the number of digits after the point.
func scanMantissa(b []byte, base int) (mant *big.Int, sig, frac int, rest []byte, ok bool) {
	end, digits, point := 0, 0, -1
	for ; end < len(b); end++ {
		c := b[end]
		switch {
		case c == '.' && point < 0:
			point = end
		case digitVal(c) < base:
			digits++
		default:
			goto done
		}
	}
done:
	if digits == 0 {
		return nil, 0, 0, nil, false
	}
	buf := make([]byte, 0, digits)
	for _, c := range b[:end] {
		if c != '.' && (c != '0' || len(buf) > 0) {
			buf = append(buf, c)
		}
	}
	if point >= 0 {
		frac = end - point - 1
	}
	if len(buf) == 0 {
		return new(big.Int), 0, frac, b[end:], true
	}
	mant, ok = new(big.Int).SetString(string(buf), base)
	return mant, len(buf), frac, b[end:], ok
}

// scanExponent reads [+-]digits, clamping the magnitude at expClamp.
func scanExponent(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < expClamp {
			n = n*10 + int64(c-'0')
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

func digitVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return 99
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// inLongDoubleRange reports whether a finite, rounded, non-zero f neither
// overflows a long double nor underflows to zero.
func inLongDoubleRange(f *big.Float) bool {
	if f.Sign() == 0 {
		return true
	}
	exp := f.MantExp(nil) // f = m × 2^exp, 0.5 <= |m| < 1
	if exp > longDoubleMaxExp {
		return false
	}
	if exp-1 < longDoubleZeroExp || exp-1 == longDoubleZeroExp && isPowerOfTwo(f) {
		return false
	}
	return true
}

func isPowerOfTwo(f *big.Float) bool {
	m := new(big.Float).SetMantExp(f, -f.MantExp(nil))
	return m.Abs(m).Cmp(big.NewFloat(0.5)) == 0
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
// trailing zeros (and a bare point) removed, and "-0" printed as "0".
// big.Float rounds the exact binary value half to even, as glibc does.
func formatLongDoubleHuman(f *big.Float) []byte {
	s := f.Append(make([]byte, 0, 32), 'f', 17)
	if bytes.IndexByte(s, '.') >= 0 {
		s = bytes.TrimRight(s, "0")
		s = bytes.TrimSuffix(s, []byte("."))
	}
	if string(s) == "-0" {
		s = s[1:]
	}
	return s
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
