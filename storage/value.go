package storage

import (
	"fmt"
	"unsafe"
)

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

// Value is one stored value: a string's bytes or a collection's structure,
// typed by Kind (Str and Obj). ExpireAt is an absolute deadline in Unix
// milliseconds, 0 for none; it is changed only through Keyspace so that the
// per-database expiry counts and the expiry sample index stay right.
//
// A Value is 48 bytes (TestValueSize pins it), the Go size class below a
// cache line: with a million keys every byte here is a megabyte. So the
// payload is one untyped pointer whose type Kind tells, rather than a
// slice beside an interface (40 bytes), and the fields the engine keeps
// for itself are packed tightly.
type Value struct {
	Kind Kind
	Enc  Encoding
	// vidx is the value's position in its database's volatile-key index
	// plus one (volindex.go), 0 when it is not there: every value with a
	// deadline is, so the active expire cycle can sample them uniformly.
	vidx uint32
	// expireAt is the absolute deadline in Unix ms; 0 means persistent.
	expireAt int64
	// p is the payload: the first byte of a string (n and c its length
	// and capacity) or the collection structure Kind names.
	p    unsafe.Pointer
	n, c int
	// meta packs Redis's 24-bit robj.lru (the LRU clock of the last access,
	// see lru.go) in the top bits and, below it, the size last charged to
	// the instance's memory counter (40 bits: a single value of a terabyte
	// is beyond any machine shardis runs on).
	meta uint64
}

// Str is a string value's bytes (nil for other kinds). Changing them in
// place changes the value; growing them needs SetStr.
func (v *Value) Str() []byte {
	if v.Kind != KindString {
		return nil
	}
	return unsafe.Slice((*byte)(v.p), v.c)[:v.n]
}

// SetStr makes b, which the value keeps, the string's bytes.
func (v *Value) SetStr(b []byte) {
	v.p, v.n, v.c = unsafe.Pointer(unsafe.SliceData(b)), len(b), cap(b)
}

// Obj is a collection value's structure, typed by Kind (nil for strings).
func (v *Value) Obj() any {
	if v.p == nil {
		return nil
	}
	switch v.Kind {
	case KindHash:
		return (*hashValue)(v.p)
	case KindList:
		return (*listValue)(v.p)
	case KindSet:
		return (*setObj)(v.p)
	case KindZSet:
		return (*zsetValue)(v.p)
	case KindStream:
		return (*streamValue)(v.p)
	}
	return nil
}

// SetObj makes o the collection's structure; its type must be the one
// Kind names.
func (v *Value) SetObj(o any) {
	v.n, v.c = 0, 0
	switch x := o.(type) {
	case nil:
		v.p = nil
	case *hashValue:
		v.p = unsafe.Pointer(x)
	case *listValue:
		v.p = unsafe.Pointer(x)
	case *setObj:
		v.p = unsafe.Pointer(x)
	case *zsetValue:
		v.p = unsafe.Pointer(x)
	case *streamValue:
		v.p = unsafe.Pointer(x)
	default:
		panic(fmt.Sprintf("storage: %T is not a collection structure", o))
	}
}

// strValue is a string value of encoding enc holding b (kept, not copied).
func strValue(enc Encoding, b []byte) *Value {
	v := &Value{Kind: KindString, Enc: enc}
	v.SetStr(b)
	return v
}

// objValue is a collection value of kind and encoding enc with structure o.
func objValue(kind Kind, enc Encoding, o any) *Value {
	v := &Value{Kind: kind, Enc: enc}
	v.SetObj(o)
	return v
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
	return strValue(stringEncoding(b), b)
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
	n := allocSize(int64(cap(v.Str())))
	if s, ok := v.Obj().(interface{ MemoryUsage() int64 }); ok {
		n += s.MemoryUsage()
	}
	return n
}
