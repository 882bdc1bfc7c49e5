package storage

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
//
// Redis checks in this order, and so do we: the key types, the options,
// LEN together with IDX, then the size of the table.
func cmdLCS(c *Ctx) {
	a, b, err := opLCSInputs(&c.KS, c.Args[1], c.Args[2])
	if err != nil {
		writeErr(c, err)
		return
	}
	var getLen, getIdx, withLen bool
	var minLen int64
	for i := 3; i < len(c.Args); i++ {
		arg := c.Args[i]
		switch {
		case isOpt(arg, "idx"):
			getIdx = true
		case isOpt(arg, "len"):
			getLen = true
		case isOpt(arg, "withmatchlen"):
			withLen = true
		case isOpt(arg, "minmatchlen") && i+1 < len(c.Args):
			n, ok := parseCanonicalInt(c.Args[i+1])
			if !ok {
				c.W.Error(ErrNotInteger)
				return
			}
			minLen = max(n, 0)
			i++
		default:
			c.W.Error(ErrSyntax)
			return
		}
	}
	if getLen && getIdx {
		c.W.Error(ErrLCSLenAndIdx)
		return
	}
	res, err := opLCS(a, b, !getLen || getIdx, c.Limits.maxBulk())
	if err != nil {
		writeErr(c, err)
		return
	}
	switch {
	case getIdx:
		replyLCSMatches(c, &res, minLen, withLen)
	case getLen:
		c.W.Int(int64(res.len))
	default:
		c.W.Bulk(res.lcs)
	}
}

// replyLCSMatches writes the IDX reply: a map (an array in RESP2) of the
// matches, longest-offset first as Redis walks them, and the length.
func replyLCSMatches(c *Ctx, res *lcsResult, minLen int64, withLen bool) {
	n := 0
	for _, m := range res.matches {
		if int64(m.len()) >= minLen {
			n++
		}
	}
	c.W.Map(2)
	c.W.BulkString("matches")
	c.W.Array(n)
	for _, m := range res.matches {
		if int64(m.len()) < minLen {
			continue
		}
		if withLen {
			c.W.Array(3)
		} else {
			c.W.Array(2)
		}
		c.W.Array(2)
		c.W.Int(int64(m.aStart))
		c.W.Int(int64(m.aEnd))
		c.W.Array(2)
		c.W.Int(int64(m.bStart))
		c.W.Int(int64(m.bEnd))
		if withLen {
			c.W.Int(int64(m.len()))
		}
	}
	c.W.BulkString("len")
	c.W.Int(int64(res.len))
}

// opLCSInputs reads LCS's two keys: missing keys are empty strings, any
// other type fails with LCS's own error rather than WRONGTYPE.
func opLCSInputs(ks *Keyspace, k1, k2 []byte) (a, b []byte, err error) {
	va, vb := ks.Read(k1), ks.Read(k2)
	if va != nil && va.Kind != KindString || vb != nil && vb.Kind != KindString {
		return nil, nil, replyError(ErrLCSNotString)
	}
	if va != nil {
		a = va.Str()
	}
	if vb != nil {
		b = vb.Str()
	}
	return a, b, nil
}

// lcsMatch is one matching range, inclusive on both strings.
type lcsMatch struct{ aStart, aEnd, bStart, bEnd uint32 }

func (m lcsMatch) len() uint32 { return m.aEnd - m.aStart + 1 }

type lcsResult struct {
	len     uint32
	lcs     []byte     // the subsequence itself, when walked
	matches []lcsMatch // from the end of the strings backwards, as Redis
}

// opLCS is lcsCommand's computation: the dynamic-programming table of
// uint32 lengths (so the same inputs are refused for size as in Redis),
// then, when walk is set, the walk back from the end that yields the
// subsequence and the matching ranges in Redis's order.
func opLCS(a, b []byte, walk bool, maxBulk int64) (lcsResult, error) {
	const maxLen = 1<<32 - 2 // UINT32_MAX-1
	if uint64(len(a)) >= maxLen || uint64(len(b)) >= maxLen {
		return lcsResult{}, replyError(ErrLCSTooLong)
	}
	w := len(b) + 1
	if cells := uint64(len(a)+1) * uint64(w); cells*4 > uint64(maxBulk) {
		return lcsResult{}, replyError(ErrLCSMemory)
	}
	dp := make([]uint32, (len(a)+1)*w)
	for i := 1; i <= len(a); i++ {
		row, prev := dp[i*w:(i+1)*w], dp[(i-1)*w:i*w]
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] > row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
	}
	res := lcsResult{len: dp[len(a)*w+len(b)]}
	if !walk {
		return res, nil
	}
	idx := res.len
	res.lcs = make([]byte, idx)
	// aStart == len(a) marks "no range open", as arange_start == alen does.
	unset := uint32(len(a))
	cur := lcsMatch{aStart: unset}
	for i, j := len(a), len(b); i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			res.lcs[idx-1] = a[i-1]
			switch {
			case cur.aStart == unset:
				cur = lcsMatch{aStart: uint32(i - 1), aEnd: uint32(i - 1), bStart: uint32(j - 1), bEnd: uint32(j - 1)}
			case cur.aStart == uint32(i) && cur.bStart == uint32(j):
				cur.aStart--
				cur.bStart--
			default:
				emit = true
			}
			if cur.aStart == 0 || cur.bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if dp[(i-1)*w+j] > dp[i*w+j-1] {
				i--
			} else {
				j--
			}
			emit = cur.aStart != unset
		}
		if emit {
			res.matches = append(res.matches, cur)
			cur.aStart = unset
		}
	}
	return res, nil
}
