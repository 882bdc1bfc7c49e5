package configs

import (
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
)

// A kind reads and writes one field of a values snapshot in redis.conf
// syntax. Its errors are the text Redis 7.0 puts after the " - " of a
// failed CONFIG SET ("argument couldn't be parsed into an integer"), so
// CONFIG SET, the YAML file and the flags all report a bad value in the
// same words.
type kind interface {
	set(v *values, s string) error
	get(v *values) string
	// syntax describes accepted values for -h and the README.
	syntax() string
}

// The parse errors Redis 7.0 replies with (config.c).
var (
	errNotInteger = errors.New("argument couldn't be parsed into an integer")
	errNotMemory  = errors.New("argument must be a memory value")
	errNotYesNo   = errors.New("argument must be 'yes' or 'no'")
)

func errRange(lo, hi int64) error {
	return fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
}

// integerKind is a plain number (Redis INTEGER_CONFIG).
type integerKind struct {
	lo, hi int64
	field  func(*values) *int
	// clampLo and clampHi, when set, bring an accepted value into a
	// narrower range instead of rejecting it, as Redis does for hz.
	clampLo, clampHi int64
}

func integer(lo, hi int64, field func(*values) *int) integerKind {
	return integerKind{lo: lo, hi: hi, field: field}
}

// clamped returns k accepting lo..hi but storing min(max(n, clampLo), clampHi).
func (k integerKind) clamped(clampLo, clampHi int64) integerKind {
	k.clampLo, k.clampHi = clampLo, clampHi
	return k
}

func (k integerKind) set(v *values, s string) error {
	n, ok := string2ll(s)
	if !ok {
		return errNotInteger
	}
	if n < k.lo || n > k.hi {
		return errRange(k.lo, k.hi)
	}
	if k.clampHi != 0 {
		n = min(max(n, k.clampLo), k.clampHi)
	}
	*k.field(v) = int(n)
	return nil
}

func (k integerKind) get(v *values) string { return strconv.Itoa(*k.field(v)) }

func (k integerKind) syntax() string { return fmt.Sprintf("integer %d..%d", k.lo, k.hi) }

// memoryKind is a byte count with an optional Redis unit (MEMORY_CONFIG).
// CONFIG GET prints it in bytes, as Redis does.
type memoryKind struct {
	lo, hi int64
	field  func(*values) *int64
}

func memory(lo, hi int64, field func(*values) *int64) memoryKind {
	return memoryKind{lo: lo, hi: hi, field: field}
}

func (k memoryKind) set(v *values, s string) error {
	u, ok := memtoull(s)
	if !ok {
		return errNotMemory
	}
	// Redis stores the result in a long long before the range check, so
	// a saturated 2^64-1 reads as -1 and fails the range, not the parse.
	n := int64(u)
	if n < k.lo || n > k.hi {
		return errRange(k.lo, k.hi)
	}
	*k.field(v) = n
	return nil
}

func (k memoryKind) get(v *values) string { return strconv.FormatInt(*k.field(v), 10) }

func (k memoryKind) syntax() string {
	if k.hi == math.MaxInt64 {
		return fmt.Sprintf("bytes >= %d, units b k kb m mb g gb", k.lo)
	}
	return fmt.Sprintf("bytes %d..%d, units b k kb m mb g gb", k.lo, k.hi)
}

// stringKind is free text; Redis accepts anything, including "".
type stringKind struct {
	field func(*values) *string
	// single rejects whitespace: shardis listens on one address, where
	// Redis's bind takes a list.
	single bool
}

func text(field func(*values) *string) stringKind { return stringKind{field: field} }

func address(field func(*values) *string) stringKind {
	return stringKind{field: field, single: true}
}

func (k stringKind) set(v *values, s string) error {
	if k.single && strings.ContainsFunc(s, isSpace) {
		return errors.New("argument must be a single address")
	}
	// A colon outside an IPv6 address is a port, which the listener would
	// reject later with a resolver's error instead of naming the setting.
	if k.single && strings.Contains(s, ":") && net.ParseIP(s) == nil {
		return errors.New("argument must be an address without a port (the port has its own setting)")
	}
	*k.field(v) = s
	return nil
}

func (k stringKind) get(v *values) string { return *k.field(v) }

func (k stringKind) syntax() string {
	if k.single {
		return "address"
	}
	return "string"
}

// enumKind is one of a fixed set of words, matched without case and
// stored in the spelling of the table.
type enumKind struct {
	choices []string
	field   func(*values) *string
}

func enum(field func(*values) *string, choices ...string) enumKind {
	return enumKind{choices: choices, field: field}
}

func (k enumKind) set(v *values, s string) error {
	for _, c := range k.choices {
		if equalFoldASCII(s, c) {
			*k.field(v) = c
			return nil
		}
	}
	return errors.New("argument(s) must be one of the following: " + strings.Join(k.choices, ", "))
}

func (k enumKind) get(v *values) string { return *k.field(v) }

func (k enumKind) syntax() string { return strings.Join(k.choices, "|") }

// booleanKind is yes or no, without case, as Redis's yesnotoi.
type booleanKind struct {
	field func(*values) *bool
}

func boolean(field func(*values) *bool) booleanKind { return booleanKind{field: field} }

func (k booleanKind) set(v *values, s string) error {
	switch {
	case equalFoldASCII(s, "yes"):
		*k.field(v) = true
	case equalFoldASCII(s, "no"):
		*k.field(v) = false
	default:
		return errNotYesNo
	}
	return nil
}

func (k booleanKind) get(v *values) string {
	if *k.field(v) {
		return "yes"
	}
	return "no"
}

func (booleanKind) syntax() string { return "yes|no" }

// string2ll accepts exactly what Redis's string2ll does: the canonical
// decimal form of an int64, so no sign "+", no leading zeros, no "-0" and
// no spaces.
func string2ll(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != s {
		return 0, false
	}
	return n, true
}

// memtoull is Redis 7.0's memtoull: digits followed by an optional unit
// (b, k=1000, kb=1024, m, mb, g, gb; any case). Like the C code it reads
// "" and a bare unit as 0 (strtoull of no digits) and saturates an
// over-long number at 2^64-1, which the caller's range check rejects.
// 7.0 lets the unit multiplication wrap ("18014398509483008kb" is 1mb
// there); here an overflowing product saturates too, so it fails the
// range check with the error 7.0 gives for almost every such input.
func memtoull(s string) (uint64, bool) {
	digits := 0
	for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	mul := uint64(0)
	for _, u := range units {
		if equalFoldASCII(s[digits:], u.suffix) {
			mul = u.mul
			break
		}
	}
	if mul == 0 {
		return 0, false
	}
	if digits >= 128 { // Redis copies the digits into a char[128]
		return 0, false
	}
	var n uint64
	for _, c := range s[:digits] {
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			n = math.MaxUint64 // strtoull saturates (ERANGE goes unchecked)
			break
		}
		n = n*10 + d
	}
	if n > math.MaxUint64/mul {
		return math.MaxUint64, true
	}
	return n * mul, true
}

// units are memtoull's suffixes; "" is a plain byte count.
var units = [...]struct {
	suffix string
	mul    uint64
}{
	{"", 1}, {"b", 1},
	{"k", 1000}, {"kb", 1 << 10},
	{"m", 1000 * 1000}, {"mb", 1 << 20},
	{"g", 1000 * 1000 * 1000}, {"gb", 1 << 30},
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}
