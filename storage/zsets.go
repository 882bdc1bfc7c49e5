package storage

import (
	"bytes"
	"math"
	"strconv"
)

// Commands from https://redis.io/commands/?group=sorted-set
//
// The structure lives in zset_value.go. Every write ends with zsetDone
// (encoding, memory accounting, removal of an emptied set), so those rules
// are in one place.

func registerZSets(r *registry) {
	r.add("zadd", cmdZAdd)
	r.add("zincrby", cmdZIncrBy)
	r.add("zrem", cmdZRem)
	r.add("zcard", cmdZCard)
	r.add("zscore", cmdZScore)
	r.add("zmscore", cmdZMScore)
	r.add("zcount", cmdZCount)
	r.add("zrank", cmdZRank)
	r.add("zrevrank", cmdZRank)
	registerZSetRanges(r)
}

// Errors only the sorted set family returns, built once.
var (
	errZSetScoreNaN error = replyError(ErrZSetScoreNaN)
	errZSetMinMax   error = replyError(ErrZSetMinMaxFloat)
)

// readZSet is lookupKeyRead plus checkType: key's set, nil when missing.
func readZSet(ks *Keyspace, key []byte) (*zsetValue, error) {
	v, err := ks.ReadKind(key, KindZSet)
	if v == nil {
		return nil, err
	}
	return v.Obj().(*zsetValue), nil
}

// writeZSet is lookupKeyWrite plus checkType, counting no hit or miss.
func writeZSet(ks *Keyspace, key []byte) (*Value, error) {
	return ks.WriteKind(key, KindZSet)
}

// zsetDone publishes changes to v: it refreshes the encoding, stores a new
// value, accounts an updated one and deletes an emptied one (Redis never
// keeps an empty sorted set).
func zsetDone(ks *Keyspace, key []byte, v *Value, isNew bool) {
	z := v.Obj().(*zsetValue)
	v.Enc = z.encoding()
	switch {
	case z.Len() == 0:
		if !isNew {
			ks.Delete(key)
		}
	case isNew:
		ks.Put(key, v)
	default:
		ks.Updated(key, v)
	}
}

// ZADD's flags (zaddGenericCommand's ZADD_IN_*).
const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddCH
	zaddIncr
)

// zaddOpts is a parsed ZADD: flags and the score/member pairs.
type zaddOpts struct {
	flags  int
	scores []float64
	// members alias the command's arguments; the set copies what it keeps.
	members [][]byte
}

// parseZAdd parses args from the first option on, with Redis's checks in
// Redis's order: pairs, NX+XX, GT/LT/NX, INCR with one pair, scores.
func parseZAdd(args [][]byte, flags int) (zaddOpts, error) {
	i := 0
	for ; i < len(args); i++ {
		switch a := args[i]; {
		case isOpt(a, "nx"):
			flags |= zaddNX
		case isOpt(a, "xx"):
			flags |= zaddXX
		case isOpt(a, "gt"):
			flags |= zaddGT
		case isOpt(a, "lt"):
			flags |= zaddLT
		case isOpt(a, "ch"):
			flags |= zaddCH
		case isOpt(a, "incr"):
			flags |= zaddIncr
		default:
			goto done
		}
	}
done:
	rest := args[i:]
	o := zaddOpts{flags: flags}
	switch {
	case len(rest) == 0 || len(rest)%2 == 1:
		return o, errSyntax
	case flags&zaddNX != 0 && flags&zaddXX != 0:
		return o, replyError(ErrZAddNXAndXX)
	case flags&zaddNX != 0 && flags&(zaddGT|zaddLT) != 0 || flags&zaddGT != 0 && flags&zaddLT != 0:
		return o, replyError(ErrZAddGTLTNX)
	case flags&zaddIncr != 0 && len(rest) > 2:
		return o, replyError(ErrZAddIncrPair)
	}
	for j := 0; j < len(rest); j += 2 {
		s, ok := parseScore(rest[j])
		if !ok {
			return o, errNotFloat
		}
		o.scores = append(o.scores, s)
		o.members = append(o.members, rest[j+1])
	}
	return o, nil
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
func cmdZAdd(c *Ctx) { zaddGeneric(c, 0) }

// ZINCRBY key increment member is ZADD INCR, and like Redis it runs the
// same parser from argument 2: "ZINCRBY k nx m" is a syntax error.
func cmdZIncrBy(c *Ctx) { zaddGeneric(c, zaddIncr) }

func zaddGeneric(c *Ctx, flags int) {
	o, err := parseZAdd(c.Args[2:], flags)
	if err != nil {
		writeErr(c, err)
		return
	}
	n, score, done, err := opZAdd(&c.KS, c.Args[1], o)
	switch {
	case err != nil:
		writeErr(c, err)
	case o.flags&zaddIncr == 0:
		c.W.Int(n)
	case done:
		c.W.Double(score)
	default:
		c.W.Null()
	}
}

// opZAdd applies o as zsetAdd does for each pair. It returns the count
// ZADD replies (added, plus updated with CH) and, for INCR, the new score
// and whether the increment happened (NX/XX/GT/LT may refuse it).
func opZAdd(ks *Keyspace, key []byte, o zaddOpts) (n int64, score float64, done bool, err error) {
	v, err := writeZSet(ks, key)
	if err != nil {
		return 0, 0, false, err
	}
	isNew := v == nil
	if isNew {
		if o.flags&zaddXX != 0 {
			return 0, 0, false, nil
		}
		v = objValue(KindZSet, EncListpack, newZSetValue())
	}
	z := v.Obj().(*zsetValue)
	var added, updated int64
	for i, m := range o.members {
		score = o.scores[i]
		cur, exists := z.score(m)
		switch {
		case exists:
			if o.flags&zaddNX != 0 {
				continue
			}
			if o.flags&zaddIncr != 0 {
				score += cur
				if math.IsNaN(score) {
					zsetDone(ks, key, v, isNew)
					return 0, 0, false, errZSetScoreNaN
				}
			}
			if o.flags&zaddGT != 0 && score <= cur || o.flags&zaddLT != 0 && score >= cur {
				continue
			}
			if score != cur {
				z.update(m, cur, score)
				updated++
			}
		case o.flags&zaddXX != 0:
			continue
		default:
			z.add(m, score)
			added++
		}
		done = true
	}
	zsetDone(ks, key, v, isNew)
	if o.flags&zaddCH != 0 {
		added += updated
	}
	return added, score, done, nil
}

// ZREM key member [member ...]
func cmdZRem(c *Ctx) {
	n, err := opZRem(&c.KS, c.Args[1], c.Args[2:])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// opZRem removes members and returns how many existed; the key goes with
// the last member.
func opZRem(ks *Keyspace, key []byte, members [][]byte) (int64, error) {
	v, err := writeZSet(ks, key)
	if err != nil || v == nil {
		return 0, err
	}
	z := v.Obj().(*zsetValue)
	var n int64
	for _, m := range members {
		if z.remove(m) {
			n++
			if z.Len() == 0 {
				break
			}
		}
	}
	if n > 0 {
		zsetDone(ks, key, v, false)
	}
	return n, nil
}

// ZCARD key
func cmdZCard(c *Ctx) {
	z, err := readZSet(&c.KS, c.Args[1])
	switch {
	case err != nil:
		writeErr(c, err)
	case z == nil:
		c.W.Int(0)
	default:
		c.W.Int(int64(z.Len()))
	}
}

// ZSCORE key member
func cmdZScore(c *Ctx) {
	z, err := readZSet(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if z == nil {
		c.W.Null()
		return
	}
	if s, ok := z.score(c.Args[2]); ok {
		c.W.Double(s)
		return
	}
	c.W.Null()
}

// ZMSCORE key member [member ...]
func cmdZMScore(c *Ctx) {
	z, err := readZSet(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	members := c.Args[2:]
	c.W.Array(len(members))
	for _, m := range members {
		if z == nil {
			c.W.Null()
		} else if s, ok := z.score(m); ok {
			c.W.Double(s)
		} else {
			c.W.Null()
		}
	}
}

// scoreRange is zrangespec: [min, max] with either end exclusive.
type scoreRange struct {
	min, max     float64
	minex, maxex bool
}

// parseScoreRange is zslParseRange. Unlike a ZADD score it is plain
// strtod up to the first NUL: leading spaces, overflow to infinity and an
// empty string (0) all pass; only trailing junk and NaN fail.
func parseScoreRange(min, max []byte) (scoreRange, error) {
	var r scoreRange
	var ok1, ok2 bool
	r.min, r.minex, ok1 = parseRangeEnd(min)
	r.max, r.maxex, ok2 = parseRangeEnd(max)
	if !ok1 || !ok2 {
		return r, errZSetMinMax
	}
	return r, nil
}

func parseRangeEnd(b []byte) (float64, bool, bool) {
	b = cString(b)
	ex := len(b) > 0 && b[0] == '('
	if ex {
		b = b[1:]
	}
	n := len(b)
	for len(b) > 0 && isCSpace(b[0]) {
		b = b[1:]
	}
	if len(b) == 0 {
		// strtod converts nothing and points back at the start: fine
		// for "" (the NUL follows), not for spaces.
		return 0, ex, n == 0
	}
	f, ok := strtod(b)
	return f, ex, ok && !math.IsNaN(f)
}

// count is how many of z's members the range holds.
func (r scoreRange) count(z *zsetValue) int {
	n := z.countBelow(r.max, !r.maxex) - z.countBelow(r.min, r.minex)
	return max(n, 0)
}

// ZCOUNT key min max
func cmdZCount(c *Ctx) {
	r, err := parseScoreRange(c.Args[2], c.Args[3])
	if err != nil {
		writeErr(c, err)
		return
	}
	z, err := readZSet(&c.KS, c.Args[1])
	switch {
	case err != nil:
		writeErr(c, err)
	case z == nil:
		c.W.Int(0)
	default:
		c.W.Int(int64(r.count(z)))
	}
}

// ZRANK key member
// ZREVRANK key member
func cmdZRank(c *Ctx) {
	z, err := readZSet(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	r := -1
	if z != nil {
		r = z.rank(c.Args[2])
	}
	switch {
	case r < 0:
		c.W.Null()
	case c.Cmd.Name == "zrevrank":
		c.W.Int(int64(z.Len() - 1 - r))
	default:
		c.W.Int(int64(r))
	}
}

// parseScore is getDoubleFromObject: strtod over the whole, non-empty
// string with no leading space; NaN, overflow and underflow to zero fail
// (a literal "inf" is fine).
func parseScore(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	f, ok := strtod(b)
	if !ok || math.IsNaN(f) {
		return 0, false
	}
	if math.IsInf(f, 0) && !isInfLiteral(b) || f == 0 && hasNonZeroDigit(b) {
		return 0, false // ERANGE
	}
	return f, true
}

// strtod parses all of b as C's strtod would (overflow gives infinity,
// underflow zero), reporting whether b was consumed whole.
func strtod(b []byte) (float64, bool) {
	s := b
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		// Go requires a 'p' exponent in hex; long double parsing does not.
		f := newLongDouble()
		if !parseLongDouble(f, b) {
			return 0, false
		}
		v, _ := f.Float64()
		return v, true
	}
	if bytes.IndexByte(b, '_') >= 0 || len(s) > 0 && (s[0] == 'n' || s[0] == 'N') && !equalFold(s, "nan") {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, true
}

func isInfLiteral(b []byte) bool {
	if b[0] == '+' || b[0] == '-' {
		b = b[1:]
	}
	return isInfName(b)
}

// hasNonZeroDigit reports whether b's mantissa has a non-zero digit, i.e.
// whether a zero result is an underflow.
func hasNonZeroDigit(b []byte) bool {
	for _, c := range b {
		if c == 'e' || c == 'E' {
			return false
		}
		if c >= '1' && c <= '9' {
			return true
		}
	}
	return false
}
