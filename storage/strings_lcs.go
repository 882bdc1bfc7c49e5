package storage

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
func cmdLCS(c *Ctx) {
	var getLen, getIdx, withLen bool
	var minLen int64
	for i := 3; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case eqFold(a, "idx"):
			getIdx = true
		case eqFold(a, "len"):
			getLen = true
		case eqFold(a, "withmatchlen"):
			withLen = true
		case eqFold(a, "minmatchlen") && i+1 < len(c.Args):
			n, ok := parseCanonicalInt(c.Args[i+1])
			if !ok {
				c.W.Error(ErrNotInteger)
				return
			}
			if n < 0 {
				n = 0
			}
			minLen = n
			i++
		default:
			c.W.Error(ErrSyntax)
			return
		}
	}
	a, b := c.KS.Read(c.Args[1]), c.KS.Read(c.Args[2])
	if (a != nil && a.Kind != KindString) || (b != nil && b.Kind != KindString) {
		c.W.Error(ErrLCSNotString)
		return
	}
	if getLen && getIdx {
		c.W.Error(ErrLCSLenAndIdx)
		return
	}
	var sa, sb []byte
	if a != nil {
		sa = a.Str
	}
	if b != nil {
		sb = b.Str
	}
	res := opLCS(sa, sb)
	switch {
	case getLen:
		c.W.Int(int64(len(res.lcs)))
	case getIdx:
		var ms []lcsMatch
		for _, m := range res.matches {
			if minLen == 0 || int64(m.len) >= minLen {
				ms = append(ms, m)
			}
		}
		c.W.Map(2)
		c.W.BulkString("matches")
		c.W.Array(len(ms))
		for _, m := range ms {
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
				c.W.Int(int64(m.len))
			}
		}
		c.W.BulkString("len")
		c.W.Int(int64(len(res.lcs)))
	default:
		c.W.Bulk(res.lcs)
	}
}

type lcsMatch struct{ aStart, aEnd, bStart, bEnd, len int }

type lcsResult struct {
	lcs     []byte
	matches []lcsMatch // from the end of the strings backwards, as Redis
}

// opLCS is Redis's dynamic-programming LCS (lcsCommand), walking the
// table back from the end so matches come out in Redis's order.
func opLCS(a, b []byte) lcsResult {
	w := len(b) + 1
	dp := make([]uint32, (len(a)+1)*w)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				dp[i*w+j] = dp[(i-1)*w+j-1] + 1
			case dp[(i-1)*w+j] > dp[i*w+j-1]:
				dp[i*w+j] = dp[(i-1)*w+j]
			default:
				dp[i*w+j] = dp[i*w+j-1]
			}
		}
	}
	idx := int(dp[len(a)*w+len(b)])
	res := lcsResult{lcs: make([]byte, idx)}
	unset := len(a) // aStart == len(a) means no range is open
	cur := lcsMatch{aStart: unset}
	for i, j := len(a), len(b); i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			res.lcs[idx-1] = a[i-1]
			switch {
			case cur.aStart == unset:
				cur = lcsMatch{aStart: i - 1, aEnd: i - 1, bStart: j - 1, bEnd: j - 1}
			case cur.aStart == i && cur.bStart == j:
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
			if cur.aStart != unset {
				emit = true
			}
		}
		if emit {
			cur.len = cur.aEnd - cur.aStart + 1
			res.matches = append(res.matches, cur)
			cur = lcsMatch{aStart: unset}
		}
	}
	return res
}
