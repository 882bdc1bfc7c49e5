package storage

import (
	"math"
	"math/big"
)

// The blocking pops: BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN
// BZPOPMAX BZMPOP. Each runs as its non-blocking form; when every key is
// missing it writes no reply and sets Ctx.Block with the timeout. The
// proxy then parks the client, runs the same command again whenever a
// write touches one of its keys, and replies a null array at the timeout,
// so the engine itself never waits and never holds a lock while a client
// does.

func registerBlocking(r *registry) {
	r.add("blpop", func(c *Ctx) { blockingPop(c, true) })
	r.add("brpop", func(c *Ctx) { blockingPop(c, false) })
	r.add("brpoplpush", cmdBRPopLPush)
	r.add("blmove", cmdBLMove)
	r.add("blmpop", cmdBLMPop)
	r.add("bzpopmin", func(c *Ctx) { blockingZPop(c, false) })
	r.add("bzpopmax", func(c *Ctx) { blockingZPop(c, true) })
	r.add("bzmpop", cmdBZMPop)
}

var (
	errTimeoutNotFloat error = replyError(ErrTimeoutNotFloat)
	errTimeoutNegative error = replyError(ErrTimeoutNegative)
)

// parseBlockTimeout is Redis 7.0's getTimeoutFromObjectOrReply in
// seconds: a long double times 1000, rounded up to whole milliseconds
// (ceill: 0.0001 waits 1 ms, -0.0001 rounds to 0, which waits forever). A
// product outside the int64 range becomes LLONG_MIN in the C cast, which
// Redis reports as negative, and so do inf and 1e400 here.
func parseBlockTimeout(b []byte) (int64, error) {
	f := newLongDouble()
	if !parseLongDouble(f, b) {
		return 0, errTimeoutNotFloat
	}
	f.Mul(f, big.NewFloat(1000))
	if f.IsInf() || f.Cmp(big.NewFloat(math.MaxInt64)) >= 0 || f.Cmp(big.NewFloat(math.MinInt64)) < 0 {
		return 0, errTimeoutNegative
	}
	ms, acc := f.Int64() // truncated toward zero
	if acc == big.Below {
		ms++ // a positive fraction: ceill rounds up
	}
	if ms < 0 {
		return 0, errTimeoutNegative
	}
	return ms, nil
}

// block asks the caller to park the client (see Ctx.Block).
func (c *Ctx) block(timeoutMS int64) {
	c.Block, c.BlockTimeout = true, timeoutMS
}

// BLPOP key [key ...] timeout / BRPOP key [key ...] timeout: the first
// non-empty list in key order serves one element, replied with its key.
func blockingPop(c *Ctx, left bool) {
	timeout, err := parseBlockTimeout(c.Args[len(c.Args)-1])
	if err != nil {
		writeErr(c, err)
		return
	}
	for _, key := range c.Args[1 : len(c.Args)-1] {
		v, err := writeList(&c.KS, key)
		if err != nil {
			writeErr(c, err)
			return
		}
		if v == nil {
			continue
		}
		c.W.Array(2)
		c.W.Bulk(key)
		c.W.Bulk(v.Obj().(*listValue).pop(left))
		listDone(&c.KS, key, v, false)
		return
	}
	c.block(timeout)
}

// BRPOPLPUSH source destination timeout
func cmdBRPopLPush(c *Ctx) { blockingMove(c, 3, false, true) }

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
func cmdBLMove(c *Ctx) {
	from, ok1 := parseWhere(c.Args[3])
	to, ok2 := parseWhere(c.Args[4])
	if !ok1 || !ok2 {
		c.W.Error(ErrSyntax)
		return
	}
	blockingMove(c, 5, from, to)
}

// blockingMove is blmoveGenericCommand: only the source decides whether
// to block; the destination's type is checked when there is an element.
func blockingMove(c *Ctx, timeoutAt int, from, to bool) {
	timeout, err := parseBlockTimeout(c.Args[timeoutAt])
	if err != nil {
		writeErr(c, err)
		return
	}
	elem, err := opLMove(&c.KS, c.Args[1], c.Args[2], from, to)
	switch {
	case err != nil:
		writeErr(c, err)
	case elem == nil:
		c.block(timeout)
	default:
		c.W.Bulk(elem)
	}
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
func cmdBLMPop(c *Ctx) {
	keys, left, count, ok := parseLMPop(c, 2)
	if !ok {
		return
	}
	timeout, err := parseBlockTimeout(c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if served, ok := lmpopFirst(c, keys, left, count); ok && !served {
		c.block(timeout)
	}
}

// BZPOPMIN key [key ...] timeout / BZPOPMAX key [key ...] timeout: the
// first non-empty sorted set serves its lowest (highest) member, replied
// as key, member, score.
func blockingZPop(c *Ctx, fromMax bool) {
	timeout, err := parseBlockTimeout(c.Args[len(c.Args)-1])
	if err != nil {
		writeErr(c, err)
		return
	}
	for _, key := range c.Args[1 : len(c.Args)-1] {
		v, err := writeZSet(&c.KS, key)
		if err != nil {
			writeErr(c, err)
			return
		}
		if v == nil {
			continue
		}
		es, err := opZPop(&c.KS, key, 1, fromMax)
		if err != nil {
			writeErr(c, err)
			return
		}
		c.W.Array(3)
		c.W.Bulk(key)
		c.W.BulkString(es[0].member)
		c.W.Double(es[0].score)
		return
	}
	c.block(timeout)
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
func cmdBZMPop(c *Ctx) {
	keys, fromMax, count, ok := parseZMPop(c, 2)
	if !ok {
		return
	}
	timeout, err := parseBlockTimeout(c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if served, ok := zmpopFirst(c, keys, fromMax, count); ok && !served {
		c.block(timeout)
	}
}
