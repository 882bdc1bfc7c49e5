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

// valueOverhead approximates the bytes a key costs beyond its name and
// payload (map slot, Value header), for memory accounting.
const valueOverhead = 64

// Value is one stored value. Strings keep their bytes in Str; collections
// keep their structure in Obj. ExpireAt is an absolute deadline in Unix
// milliseconds, 0 for none; it is changed only through Keyspace so that the
// per-database expiry counts stay right.
type Value struct {
	Kind Kind
	Enc  Encoding
	// access is Redis's 24-bit robj.lru: the LRU clock of the last access
	// (see lru.go). It sits in what would be padding before expireAt.
	access uint32
	// expireAt is the absolute deadline in Unix ms; 0 means persistent.
	expireAt int64
	// Str is the payload of a string value.
	Str []byte
	// Obj is the structure of a collection value.
	Obj any
	// acct is the size last charged to the instance's memory counter.
	acct int64
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
	n := int64(cap(v.Str))
	if s, ok := v.Obj.(interface{ MemoryUsage() int64 }); ok {
		n += s.MemoryUsage()
	}
	return n
}
