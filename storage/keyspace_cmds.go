package storage

// Commands from https://redis.io/commands/?group=generic: keys and expiry.

func registerKeyspace(r *registry) {
	r.add("del", cmdDel)
	r.add("unlink", cmdDel)
	r.add("exists", cmdExists)
	r.add("touch", cmdTouch)
	r.add("type", cmdType)
	r.add("expire", cmdExpire)
	r.add("pexpire", cmdExpire)
	r.add("expireat", cmdExpire)
	r.add("pexpireat", cmdExpire)
	r.add("ttl", cmdTTL)
	r.add("pttl", cmdTTL)
	r.add("expiretime", cmdExpireTime)
	r.add("pexpiretime", cmdExpireTime)
	r.add("persist", cmdPersist)
	r.add("rename", cmdRename)
	r.add("renamenx", cmdRename)
	r.add("copy", cmdCopy)
	r.add("object|encoding", cmdObjectEncoding)
}

// DEL key [key ...] and UNLINK: both free synchronously; Go's collector
// reclaims large values in the background anyway.
func cmdDel(c *Ctx) {
	var n int64
	for _, key := range c.Args[1:] {
		if c.KS.Delete(key) {
			n++
		}
	}
	c.W.Int(n)
}

// EXISTS key [key ...]: a key named twice counts twice, as in Redis.
func cmdExists(c *Ctx) {
	var n int64
	for _, key := range c.Args[1:] {
		if c.KS.Exists(key) {
			n++
		}
	}
	c.W.Int(n)
}

// TOUCH key [key ...]
func cmdTouch(c *Ctx) {
	var n int64
	for _, key := range c.Args[1:] {
		if c.KS.Get(key) != nil {
			n++
		}
	}
	c.W.Int(n)
}

// TYPE key
func cmdType(c *Ctx) {
	v := c.KS.Get(c.Args[1])
	if v == nil {
		c.W.Simple(KindNone.String())
		return
	}
	c.W.Simple(v.Kind.String())
}

// Flags of EXPIRE's options.
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

func parseExpireFlags(args [][]byte) (int, string) {
	flags := 0
	for _, a := range args {
		switch {
		case eqFold(a, "nx"):
			flags |= expireNX
		case eqFold(a, "xx"):
			flags |= expireXX
		case eqFold(a, "gt"):
			flags |= expireGT
		case eqFold(a, "lt"):
			flags |= expireLT
		default:
			return 0, ErrUnsupportedOption + string(a)
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		return 0, ErrNXWithOthers
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		return 0, ErrGTAndLT
	}
	return flags, ""
}

// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX|XX|GT|LT]
func cmdExpire(c *Ctx) {
	name := c.Cmd.Name
	seconds := name == "expire" || name == "expireat"
	relative := name == "expire" || name == "pexpire"
	flags, msg := parseExpireFlags(c.Args[3:])
	if msg != "" {
		c.W.Error(msg)
		return
	}
	when, ok := parseCanonicalInt(c.Args[2])
	if !ok {
		c.W.Error(ErrNotInteger)
		return
	}
	if seconds {
		if when > maxInt64/1000 || when < (-1<<63)/1000 {
			c.W.Error(ErrInvalidExpireIn(name))
			return
		}
		when *= 1000
	}
	if relative {
		if when > maxInt64-c.KS.Now() {
			c.W.Error(ErrInvalidExpireIn(name))
			return
		}
		when += c.KS.Now()
	}
	if opExpire(&c.KS, c.Args[1], when, flags) {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

// opExpire sets key's deadline to when (absolute ms) subject to the
// NX/XX/GT/LT conditions; a deadline already past deletes the key.
func opExpire(ks *Keyspace, key []byte, when int64, flags int) bool {
	v := ks.Get(key)
	if v == nil {
		return false
	}
	cur := v.expireAt
	switch {
	case flags&expireNX != 0 && cur != 0:
		return false
	case flags&expireXX != 0 && cur == 0:
		return false
	case flags&expireGT != 0 && (cur == 0 || when <= cur):
		return false
	case flags&expireLT != 0 && cur != 0 && when >= cur:
		return false
	}
	if when <= ks.Now() {
		ks.Delete(key)
		return true
	}
	ks.SetExpire(key, v, when)
	return true
}

// TTL key and PTTL key
func cmdTTL(c *Ctx) {
	v := c.KS.Get(c.Args[1])
	switch {
	case v == nil:
		c.W.Int(-2)
	case v.expireAt == 0:
		c.W.Int(-1)
	default:
		ttl := v.expireAt - c.KS.Now()
		if ttl < 0 {
			ttl = 0
		}
		if c.Cmd.Name == "ttl" {
			ttl = (ttl + 500) / 1000
		}
		c.W.Int(ttl)
	}
}

// EXPIRETIME key and PEXPIRETIME key
func cmdExpireTime(c *Ctx) {
	v := c.KS.Get(c.Args[1])
	switch {
	case v == nil:
		c.W.Int(-2)
	case v.expireAt == 0:
		c.W.Int(-1)
	case c.Cmd.Name == "expiretime":
		c.W.Int((v.expireAt + 500) / 1000)
	default:
		c.W.Int(v.expireAt)
	}
}

// PERSIST key
func cmdPersist(c *Ctx) {
	v := c.KS.Get(c.Args[1])
	if v == nil || v.expireAt == 0 {
		c.W.Int(0)
		return
	}
	c.KS.SetExpire(c.Args[1], v, 0)
	c.W.Int(1)
}

// RENAME key newkey and RENAMENX key newkey
func cmdRename(c *Ctx) {
	nx := c.Cmd.Name == "renamenx"
	n, msg := opRename(&c.KS, c.Args[1], c.Args[2], nx)
	switch {
	case msg != "":
		c.W.Error(msg)
	case nx:
		c.W.Int(n)
	default:
		c.W.OK()
	}
}

// opRename moves key's value and deadline to newkey; with nx it refuses
// (0) when newkey exists. The keys may live on different instances: the
// caller holds both locks, so the move is atomic.
func opRename(ks *Keyspace, key, newkey []byte, nx bool) (int64, string) {
	v := ks.Get(key)
	if v == nil {
		return 0, ErrNoSuchKey
	}
	if string(key) == string(newkey) {
		if nx {
			return 0, ""
		}
		return 1, ""
	}
	if nx && ks.Exists(newkey) {
		return 0, ""
	}
	ks.Delete(key)
	ks.Put(newkey, v)
	return 1, ""
}

// Cloner is implemented by collection structures so COPY can duplicate
// them; strings are copied directly.
type Cloner interface {
	Clone() any
}

// COPY source destination [DB destination-db] [REPLACE]
func cmdCopy(c *Ctx) {
	dstDB, replace := c.KS.DB(), false
	for i := 3; i < len(c.Args); i++ {
		switch {
		case eqFold(c.Args[i], "replace"):
			replace = true
		case eqFold(c.Args[i], "db") && i+1 < len(c.Args):
			n, ok := parseCanonicalInt(c.Args[i+1])
			if !ok {
				c.W.Error(ErrNotInteger)
				return
			}
			if n < 0 || n >= int64(c.KS.eng.databases) {
				c.W.Error(ErrDBIndexRange)
				return
			}
			dstDB = int(n)
			i++
		default:
			c.W.Error(ErrSyntax)
			return
		}
	}
	src, dst := c.Args[1], c.Args[2]
	if dstDB == c.KS.DB() && string(src) == string(dst) {
		c.W.Error(ErrSameObject)
		return
	}
	if opCopy(&c.KS, src, dst, dstDB, replace) {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

func opCopy(ks *Keyspace, src, dst []byte, dstDB int, replace bool) bool {
	v := ks.Get(src)
	if v == nil {
		return false
	}
	to := ks.InDB(dstDB)
	if to.Exists(dst) && !replace {
		return false
	}
	cp := &Value{Kind: v.Kind, Enc: v.Enc, expireAt: v.expireAt}
	if v.Str != nil {
		cp.Str = append([]byte(nil), v.Str...)
	}
	if cl, ok := v.Obj.(Cloner); ok {
		cp.Obj = cl.Clone()
	}
	to.Put(dst, cp)
	return true
}

// OBJECT ENCODING key
func cmdObjectEncoding(c *Ctx) {
	v := c.KS.Get(c.Args[2])
	if v == nil {
		c.W.Null()
		return
	}
	c.W.BulkString(v.Enc.String())
}
