package storage

// Kind is a value's Redis type.
type Kind uint8

// Value kinds, as TYPE reports them.
const (
	KindNone Kind = iota
	KindString
	KindList
	KindSet
	KindZSet
	KindHash
	KindStream
)

var kindNames = [...]string{"none", "string", "list", "set", "zset", "hash", "stream"}

// String is the name TYPE replies with.
func (k Kind) String() string { return kindNames[k] }

// Encoding is a value's internal representation, as OBJECT ENCODING names it.
type Encoding uint8

// Encodings use Redis's names so OBJECT ENCODING reports the truth.
const (
	EncRaw Encoding = iota
	EncInt
	EncEmbstr
	EncListpack
	EncQuicklist
	EncIntset
	EncHashtable
	EncSkiplist
	EncStream
)

var encodingNames = [...]string{"raw", "int", "embstr", "listpack", "quicklist", "intset", "hashtable", "skiplist", "stream"}

// String is the name OBJECT ENCODING replies with.
func (e Encoding) String() string { return encodingNames[e] }

// embstrMax is OBJ_ENCODING_EMBSTR_SIZE_LIMIT: longer strings are raw.
const embstrMax = 44

// Value is one stored value. Strings keep their bytes in Str; collections
// keep their structure in Obj. ExpireAt is an absolute deadline in Unix
// milliseconds, 0 for none; it is changed only through Keyspace so that the
// per-database expiry counts and the expiry sample index stay right.
//
// A Value is 64 bytes, one cache line (TestValueIsOneCacheLine pins it):
// the fields the engine keeps for itself are packed tightly to stay so.
type Value struct {
	Kind Kind
	Enc  Encoding
	// vidx is the value's position in its database's volatile-key index
	// plus one (volindex.go), 0 when it is not there: every value with a
	// deadline is, so the active expire cycle can sample them uniformly.
	vidx uint32
	// expireAt is the absolute deadline in Unix ms; 0 means persistent.
	expireAt int64
	// Str is the payload of a string value.
	Str []byte
	// Obj is the structure of a collection value.
	Obj any
	// meta packs Redis's 24-bit robj.lru (the LRU clock of the last access,
	// see lru.go) in the top bits and, below it, the size last charged to
	// the instance's memory counter (40 bits: a single value of a terabyte
	// is beyond any machine shardis runs on).
	meta uint64
}

const (
	acctBits = 40
	acctMax  = 1<<acctBits - 1
)

// access is the LRU clock of the value's last access.
func (v *Value) access() uint32 { return uint32(v.meta >> acctBits) }

func (v *Value) setAccess(clock uint32) {
	v.meta = uint64(clock&lruClockMax)<<acctBits | v.meta&acctMax
}

// acct is the size last charged to the instance's memory counter.
func (v *Value) acct() int64 { return int64(v.meta & acctMax) }

func (v *Value) setAcct(n int64) {
	n = min(max(n, 0), acctMax)
	v.meta = v.meta&^acctMax | uint64(n)
}

// ExpireAt is the absolute deadline in Unix ms, 0 when the key persists.
func (v *Value) ExpireAt() int64 { return v.expireAt }

// NewString returns a string value holding b (which it keeps, not copies),
// encoded as Redis's tryObjectEncoding would: int when b is a canonical
// integer of at most 20 bytes, embstr up to 44 bytes, raw beyond.
func NewString(b []byte) *Value {
	return &Value{Kind: KindString, Enc: stringEncoding(b), Str: b}
}

func stringEncoding(b []byte) Encoding {
	if len(b) <= 20 {
		if _, ok := parseCanonicalInt(b); ok {
			return EncInt
		}
	}
	if len(b) <= embstrMax {
		return EncEmbstr
	}
	return EncRaw
}

// size is the payload bytes the value holds, for memory accounting.
func (v *Value) size() int64 {
	n := allocSize(int64(cap(v.Str)))
	if s, ok := v.Obj.(interface{ MemoryUsage() int64 }); ok {
		n += s.MemoryUsage()
	}
	return n
}
