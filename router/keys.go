package router

import "math"

// Key extraction is a port of Redis 7.0's getKeysFromCommandWithSpecs
// (db.c), so the proxy routes, and storage locks, exactly the keys Redis
// itself would name in COMMAND GETKEYS:
//
//  1. If some key spec names real keys (not NOT_KEY) and none declares
//     VARIABLE_FLAGS, the specs are interpreted (getKeysUsingKeySpecs). A
//     spec Redis cannot interpret (an unknown begin_search or find_keys, an
//     out-of-range or unparsable key count), or an INCOMPLETE one that
//     applies (its keyword is present), voids the whole result.
//  2. Otherwise, or when the specs failed, the command's getkeys_proc
//     decides; the finders below port those of Redis 7.0.15 one for one.
//  3. A command with neither has no keys.
//
// The ports keep Redis's C semantics where they show: strcasecmp stops at
// a NUL byte, atoi accepts "2abc", and counts are narrowed to a C int. The
// tests compare every command with a real server's COMMAND GETKEYS.

// keyPlan is how KeyPositions treats one command, fixed when the table
// is built.
type keyPlan struct {
	// specs reports that the key specs are reliable (step 1 above).
	specs bool
	// finder is the command's getkeys_proc port, if Redis has one.
	finder keyFinder
}

// keyFinder appends the positions of the keys in args to dst.
type keyFinder func(args [][]byte, dst []int) []int

func planKeys(c *Command) keyPlan {
	var names, variable bool
	for i := range c.KeySpecs {
		f := c.KeySpecs[i].Flags
		names = names || f&KeyNotKey == 0
		variable = variable || f&KeyVariableFlags != 0
	}
	return keyPlan{specs: names && !variable, finder: finders[c.Name]}
}

// KeyPositions appends to dst the positions in args of the keys the
// command names, in the order Redis 7.0's COMMAND GETKEYS lists them.
// args[0] is the command name; for a subcommand args[0] is the container
// and args[1] the subcommand, and positions still index args. The arity
// is the caller's to check first; malformed arguments yield no keys, or
// the ones Redis would report. KeyPositions allocates nothing when dst has
// room for the keys.
func (c *Command) KeyPositions(args [][]byte, dst []int) []int {
	if c.keys.specs {
		if out, ok := c.keysFromSpecs(args, dst, false); ok {
			return out
		}
	}
	if c.keys.finder != nil {
		return c.keys.finder(args, dst)
	}
	return dst
}

// RouteKeys is KeyPositions for routing. Where a key spec does not fit
// the arguments, COMMAND GETKEYS reports no keys at all (PFMERGE with a
// destination only, say), yet the command still runs on the keys the
// other specs find; those are the keys it is routed by, as Redis's
// GET_KEYSPEC_RETURN_PARTIAL search gives them.
func (c *Command) RouteKeys(args [][]byte, dst []int) []int {
	had := len(dst)
	if dst = c.KeyPositions(args, dst); len(dst) > had || !c.keys.specs {
		return dst
	}
	dst, _ = c.keysFromSpecs(args, dst, true)
	return dst
}

// maxStackKeys is how many keys Keys finds without allocating positions.
const maxStackKeys = 32

// Keys appends to dst the keys themselves (slices of args), in
// KeyPositions order. It allocates nothing when dst has room and there are
// at most 32 keys.
func (c *Command) Keys(args [][]byte, dst [][]byte) [][]byte {
	var buf [maxStackKeys]int
	for _, p := range c.KeyPositions(args, buf[:0]) {
		dst = append(dst, args[p])
	}
	return dst
}

// keysFromSpecs is getKeysUsingKeySpecs. On failure it returns dst as it
// came, like Redis resetting numkeys, and false; with partial it skips a
// spec that does not fit instead, keeping the keys of the others.
func (c *Command) keysFromSpecs(args [][]byte, dst []int, partial bool) ([]int, bool) {
	argc, had := len(args), len(dst)
	for i := range c.KeySpecs {
		ks := &c.KeySpecs[i]
		if ks.Flags&KeyNotKey != 0 {
			continue
		}
		var first int
		switch ks.BS {
		case BSIndex:
			first = ks.Index
		case BSKeyword:
			if first = keywordSearch(ks, args); first == 0 {
				// An absent optional keyword means no keys, not an error.
				continue
			}
		default:
			if partial {
				continue
			}
			return dst[:had], false
		}

		var last, step int
		switch ks.FK {
		case FKRange:
			step = ks.KeyStep
			switch {
			case ks.LastKey >= 0:
				last = first + ks.LastKey
			case ks.Limit == 0:
				last = argc + ks.LastKey
			default:
				// Redis asserts LastKey == -1 here: the keys are the first
				// 1/Limit of the remaining arguments (XREAD's STREAMS).
				last = first + (argc-first)/ks.Limit + ks.LastKey
			}
		case FKKeyNum:
			step = ks.KeyStep
			at := first + ks.KeyNumIdx
			if at >= argc {
				if partial {
					continue
				}
				return dst[:had], false
			}
			n, ok := string2ll(args[at])
			if !ok || n < 0 {
				if partial {
					continue
				}
				return dst[:had], false
			}
			first += ks.FirstKey
			// Redis narrows the count to a C int. Redis 7.0 also leaves
			// the step out of this product (later versions fix that); no
			// difference, as every 7.0 keynum spec steps by one.
			last = first + (int(int32(n))-1)*step
		default:
			if partial {
				continue
			}
			return dst[:had], false
		}

		// Out-of-bounds first or last key: a syntax error for the
		// command to report, so there is nothing to route.
		if last >= argc || last < first || first >= argc || step <= 0 {
			if partial {
				continue
			}
			return dst[:had], false
		}
		for p := first; p <= last; p += step {
			dst = append(dst, p)
		}
		// Checked after the keys are added, as Redis does (it matters
		// only to its GET_KEYSPEC_RETURN_PARTIAL callers).
		if ks.Flags&KeyIncomplete != 0 && !partial {
			return dst[:had], false
		}
	}
	return dst, true
}

// keywordSearch returns the position after the begin_search keyword, or 0
// when it is absent. A positive StartFrom searches forwards from there; a
// zero or negative one searches backwards from argc+StartFrom. Like Redis
// it never examines the far end: the last argument going forwards, args[1]
// going backwards.
func keywordSearch(ks *KeySpec, args [][]byte) int {
	argc := len(args)
	start, end := ks.StartFrom, argc-1
	if ks.StartFrom <= 0 {
		start, end = argc+ks.StartFrom, 1
	}
	inc := 1
	if start > end {
		inc = -1
	}
	for i := start; i != end; i += inc {
		if i >= argc || i < 1 {
			break
		}
		if strcaseeq(args[i], ks.Keyword) {
			return i + 1
		}
	}
	return 0
}

// finders are the ports of Redis 7.0's getkeys_proc functions, by command.
var finders = map[string]keyFinder{
	"eval":        numKeysFinder(0, 2, 3),
	"evalsha":     numKeysFinder(0, 2, 3),
	"eval_ro":     numKeysFinder(0, 2, 3),
	"evalsha_ro":  numKeysFinder(0, 2, 3),
	"fcall":       numKeysFinder(0, 2, 3),
	"fcall_ro":    numKeysFinder(0, 2, 3),
	"sintercard":  numKeysFinder(0, 1, 2),
	"zintercard":  numKeysFinder(0, 1, 2),
	"zunion":      numKeysFinder(0, 1, 2),
	"zinter":      numKeysFinder(0, 1, 2),
	"zdiff":       numKeysFinder(0, 1, 2),
	"zunionstore": numKeysFinder(1, 2, 3),
	"zinterstore": numKeysFinder(1, 2, 3),
	"zdiffstore":  numKeysFinder(1, 2, 3),
	"lmpop":       numKeysFinder(0, 1, 2),
	"zmpop":       numKeysFinder(0, 1, 2),
	"blmpop":      numKeysFinder(0, 2, 3),
	"bzmpop":      numKeysFinder(0, 2, 3),

	"sort":              sortKeys,
	"sort_ro":           firstKeyOnly,
	"set":               firstKeyOnly,
	"bitfield":          firstKeyOnly,
	"migrate":           migrateKeys,
	"georadius":         georadiusKeys,
	"georadiusbymember": georadiusKeys,
	"xread":             xreadKeys,
	"xreadgroup":        xreadKeys,
}

// numKeysFinder is genericGetKeys: "[dest] numkeys key [key ...]", with
// the count at countAt, the keys from firstAt and the destination, when
// storeAt is not 0, listed last. The count is read with C's atoi, so
// "2abc" counts 2 here although the key specs reject it.
func numKeysFinder(storeAt, countAt, firstAt int) keyFinder {
	return func(args [][]byte, dst []int) []int {
		if countAt >= len(args) {
			return dst
		}
		n := atoi(args[countAt])
		if n < 1 || n > (len(args)-firstAt) {
			return dst
		}
		for i := 0; i < n; i++ {
			dst = append(dst, firstAt+i)
		}
		if storeAt != 0 {
			dst = append(dst, storeAt)
		}
		return dst
	}
}

// firstKeyOnly serves the commands whose getkeys_proc exists to compute
// flags (SET ... GET, BITFIELD ... GET) or to skip unknown specs (SORT_RO):
// the key is always args[1].
func firstKeyOnly(args [][]byte, dst []int) []int {
	return append(dst, 1)
}

// sortKeys is sortGetKeys: the sorted key, then the destination of the
// last STORE. BY, GET and LIMIT operands are skipped so that a pattern
// spelled "store" is not taken for the option.
func sortKeys(args [][]byte, dst []int) []int {
	store := 0
	for i := 2; i < len(args); i++ {
		switch a := args[i]; {
		case strcaseeq(a, "limit"):
			i += 2
		case strcaseeq(a, "store") && i+1 < len(args):
			store = i + 1
		case strcaseeq(a, "get"), strcaseeq(a, "by"):
			i++
		}
	}
	dst = append(dst, 1)
	if store != 0 {
		dst = append(dst, store)
	}
	return dst
}

// migrateKeys is migrateGetKeys (as fixed in the 7.0 series): args[3], or
// when a KEYS option follows the fixed arguments, everything after it. The
// scan skips the passwords of AUTH and AUTH2, which may well be "keys". A
// KEYS option with a non-empty args[3] is a syntax error: no keys.
func migrateKeys(args [][]byte, dst []int) []int {
	first, n := 3, 1
	for i := 6; i < len(args); i++ {
		a := args[i]
		if strcaseeq(a, "keys") {
			if len(args[3]) > 0 {
				n = 0
			} else {
				first, n = i+1, len(args)-(i+1)
			}
			break
		}
		switch {
		case strcaseeq(a, "auth"):
			i++
		case strcaseeq(a, "auth2"):
			i += 2
		}
	}
	for i := 0; i < n; i++ {
		dst = append(dst, first+i)
	}
	return dst
}

// georadiusKeys is georadiusGetKeys: the source key, then the operand of
// the last STORE or STOREDIST.
func georadiusKeys(args [][]byte, dst []int) []int {
	stored := 0
	for i := 5; i < len(args); i++ {
		if (strcaseeq(args[i], "store") || strcaseeq(args[i], "storedist")) && i+1 < len(args) {
			stored = i + 1
			i++
		}
	}
	dst = append(dst, 1)
	if stored != 0 {
		dst = append(dst, stored)
	}
	return dst
}

// xreadKeys is xreadGetKeys: it walks the options to find the STREAMS
// that is the option and not a group or stream named "streams"; the keys
// are the first half of what follows.
func xreadKeys(args [][]byte, dst []int) []int {
	streams := -1
scan:
	for i := 1; i < len(args); i++ {
		switch a := args[i]; {
		case strcaseeq(a, "block"), strcaseeq(a, "count"):
			i++
		case strcaseeq(a, "group"):
			i += 2
		case strcaseeq(a, "noack"):
		case strcaseeq(a, "streams"):
			streams = i
			break scan
		default:
			break scan
		}
	}
	if streams < 0 {
		return dst
	}
	n := len(args) - streams - 1
	if n == 0 || n%2 != 0 {
		return dst
	}
	for p := streams + 1; p < len(args)-n/2; p++ {
		dst = append(dst, p)
	}
	return dst
}

// strcaseeq reports whether strcasecmp(arg, s) == 0 in C: ASCII case is
// folded, and arg ends at its first NUL byte as a C string would.
func strcaseeq(arg []byte, s string) bool {
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		if c == 0 {
			return i == len(s)
		}
		if i >= len(s) || toLowerASCII(c) != toLowerASCII(s[i]) {
			return false
		}
	}
	return len(arg) == len(s)
}

func toLowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// string2ll is Redis's strict integer parser (util.c): an optional '-',
// no leading zeros, no spaces, at most 20 bytes, within int64.
func string2ll(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) >= 21 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	switch {
	case neg && v <= 1<<63:
		return int64(-v), true
	case !neg && v <= math.MaxInt64:
		return int64(v), true
	}
	return 0, false
}

// atoi is glibc's atoi, (int)strtol(s, NULL, 10): leading white space, a
// sign, then digits up to the first non-digit, saturating at the int64
// range and then narrowed to a 32-bit int.
func atoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var v uint64
	const limit = 1 << 63
	for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
		if d := uint64(b[i] - '0'); v > (limit-d)/10 {
			v = limit
		} else {
			v = v*10 + d
		}
	}
	var n int64
	switch {
	case neg:
		n = int64(-v) // -(1<<63) wraps to MinInt64, strtol's floor
	case v >= limit:
		n = math.MaxInt64
	default:
		n = int64(v)
	}
	return int(int32(n))
}
