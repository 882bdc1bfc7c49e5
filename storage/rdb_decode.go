package storage

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strconv"
)

// Decoding of RDB-encoded values (rdbLoadObject), for RESTORE and, later,
// loading snapshots. Values are rebuilt with the same encoding rules as
// the live structures, so a restored value reports the encoding Redis
// would give it. Anything malformed is an error: RESTORE answers it with
// "Bad data format".

var errRDB = errors.New("storage: corrupt RDB value")

// errRDBEmpty is rdbLoadObject's empty-key case: a collection payload
// with no elements, which Redis refuses to load.
var errRDBEmpty = errors.New("storage: empty collection in RDB value")

// rdbReader reads an RDB byte string front to back.
type rdbReader struct {
	b []byte
	p int
}

func (r *rdbReader) next(n int) ([]byte, error) {
	if n < 0 || len(r.b)-r.p < n {
		return nil, errRDB
	}
	out := r.b[r.p : r.p+n]
	r.p += n
	return out, nil
}

func (r *rdbReader) byte() (byte, error) {
	b, err := r.next(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// length is rdbLoadLenByRef: a length, or (encoded) the kind of a
// specially encoded string.
func (r *rdbReader) length() (n uint64, encoded bool, err error) {
	c, err := r.byte()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case 0:
		return uint64(c & 0x3F), false, nil
	case 1:
		d, err := r.byte()
		return uint64(c&0x3F)<<8 | uint64(d), false, err
	case rdbEncVal:
		return uint64(c & 0x3F), true, nil
	}
	switch c {
	case rdb32BitLen:
		b, err := r.next(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(b)), false, nil
	case rdb64BitLen:
		b, err := r.next(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(b), false, nil
	}
	return 0, false, errRDB
}

// count is a plain length, bounded by what the remaining bytes could hold
// (every element takes at least one byte), so a corrupt length cannot
// make the loader allocate without bound.
func (r *rdbReader) count() (int, error) {
	n, enc, err := r.length()
	if err != nil || enc || n > uint64(len(r.b)-r.p) {
		return 0, errRDB
	}
	return int(n), nil
}

// str is rdbGenericLoadStringObject: a length-prefixed, integer-encoded
// or LZF-compressed string.
func (r *rdbReader) str() ([]byte, error) {
	n, enc, err := r.length()
	if err != nil {
		return nil, err
	}
	if !enc {
		if n > uint64(len(r.b)-r.p) {
			return nil, errRDB
		}
		return r.next(int(n))
	}
	switch n {
	case rdbEncInt8:
		b, err := r.next(1)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int8(b[0])), 10), nil
	case rdbEncInt16:
		b, err := r.next(2)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int16(binary.LittleEndian.Uint16(b))), 10), nil
	case rdbEncInt32:
		b, err := r.next(4)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int32(binary.LittleEndian.Uint32(b))), 10), nil
	case rdbEncLZF:
		clen, err := r.count()
		if err != nil {
			return nil, err
		}
		ulen, enc, err := r.length()
		if err != nil || enc || ulen == 0 || ulen > 1<<32 {
			return nil, errRDB
		}
		c, err := r.next(clen)
		if err != nil {
			return nil, err
		}
		return lzfDecompress(c, int(ulen))
	}
	return nil, errRDB
}

// stringDouble is rdbLoadDoubleValue, the text scores of RDB_TYPE_ZSET.
func (r *rdbReader) stringDouble() (float64, error) {
	n, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	b, err := r.next(int(n))
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, errRDB
	}
	return f, nil
}

func (r *rdbReader) binaryDouble() (float64, error) {
	b, err := r.next(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}

// rdbIsObjectType is rdbIsObjectType: the type bytes a value may start with.
func rdbIsObjectType(t byte) bool { return t <= 7 || t >= 9 && t <= 19 }

// rdbReadObject reads a type byte and the value after it.
func rdbReadObject(r *rdbReader) (*Value, error) {
	t, err := r.byte()
	if err != nil || !rdbIsObjectType(t) {
		return nil, errRDB
	}
	switch t {
	case rdbTypeString:
		s, err := r.str()
		if err != nil {
			return nil, err
		}
		return NewString(slices.Clone(s)), nil
	case rdbTypeList, rdbTypeListZiplist, rdbTypeListQuicklist, rdbTypeListQuicklist2:
		return rdbReadList(r, t)
	case rdbTypeSet, rdbTypeSetIntset:
		return rdbReadSet(r, t)
	case rdbTypeZSet, rdbTypeZSet2, rdbTypeZSetZiplist, rdbTypeZSetListpack:
		return rdbReadZSet(r, t)
	case rdbTypeHash, rdbTypeHashZiplist, rdbTypeHashListpack:
		return rdbReadHash(r, t)
	case rdbTypeStreamListpacks, rdbTypeStreamListpack2:
		return rdbReadStream(r, t)
	}
	return nil, errRDB // modules, zipmaps
}

// rdbReadStream decodes RDB_TYPE_STREAM_LISTPACKS(_2): see rdb_stream.go.
func rdbReadStream(r *rdbReader, t byte) (*Value, error) {
	s, err := rdbReadStreamValue(r, t)
	if err != nil {
		return nil, err
	}
	return objValue(KindStream, EncStream, s), nil
}

func rdbReadList(r *rdbReader, t byte) (*Value, error) {
	l := newListValue()
	push := func(items []string) {
		for _, s := range items {
			l.pushBack(strBytes(s))
		}
	}
	switch t {
	case rdbTypeList:
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		for ; n > 0; n-- {
			s, err := r.str()
			if err != nil {
				return nil, err
			}
			l.pushBack(s)
		}
	case rdbTypeListZiplist:
		blob, err := r.str()
		if err != nil {
			return nil, err
		}
		items, err := decodeZiplist(blob)
		if err != nil {
			return nil, err
		}
		push(items)
	default:
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		for ; n > 0; n-- {
			container := uint64(quicklistPacked)
			if t == rdbTypeListQuicklist2 {
				c, enc, err := r.length()
				if err != nil || enc || c != quicklistPlain && c != quicklistPacked {
					return nil, errRDB
				}
				container = c
			}
			blob, err := r.str()
			if err != nil {
				return nil, err
			}
			if container == quicklistPlain {
				l.pushBack(blob)
				continue
			}
			decode := decodeListpack
			if t == rdbTypeListQuicklist {
				decode = decodeZiplist
			}
			items, err := decode(blob)
			if err != nil {
				return nil, err
			}
			push(items)
		}
	}
	if l.Len() == 0 {
		return nil, errRDBEmpty
	}
	return objValue(KindList, EncQuicklist, l), nil
}

func rdbReadSet(r *rdbReader, t byte) (*Value, error) {
	cfg := encoding()
	s := newSetObj()
	if t == rdbTypeSetIntset {
		blob, err := r.str()
		if err != nil {
			return nil, err
		}
		is, ok := intsetFromBlob(blob)
		if !ok {
			return nil, errBlob
		}
		// Kept as loaded, width included, as Redis keeps it.
		s.ints = is
		if int64(is.len()) > cfg.SetMaxIntsetEntries {
			s.toHashtable()
		}
	} else {
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		if int64(n) > cfg.SetMaxIntsetEntries {
			s.toHashtable()
		}
		for ; n > 0; n-- {
			m, err := r.str()
			if err != nil {
				return nil, err
			}
			if !s.add(m) {
				return nil, errRDB // duplicate member
			}
		}
	}
	if s.card() == 0 {
		return nil, errRDBEmpty
	}
	return objValue(KindSet, s.enc(), s), nil
}

func rdbReadZSet(r *rdbReader, t byte) (*Value, error) {
	cfg := encoding()
	var es []zentry
	seen := map[string]bool{}
	add := func(m string, score float64) error {
		if math.IsNaN(score) || seen[m] {
			return errRDB
		}
		seen[m] = true
		es = append(es, zentry{m, score})
		return nil
	}
	packed := t == rdbTypeZSetZiplist || t == rdbTypeZSetListpack
	if packed {
		blob, err := r.str()
		if err != nil {
			return nil, err
		}
		decode := decodeListpack
		if t == rdbTypeZSetZiplist {
			decode = decodeZiplist
		}
		items, err := decode(blob)
		if err != nil || len(items)%2 != 0 {
			return nil, errRDB
		}
		for i := 0; i < len(items); i += 2 {
			score, err := strconv.ParseFloat(items[i+1], 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, errRDB
			}
			if err := add(items[i], score); err != nil {
				return nil, err
			}
		}
	} else {
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		for ; n > 0; n-- {
			m, err := r.str()
			if err != nil {
				return nil, err
			}
			var score float64
			if t == rdbTypeZSet2 {
				score, err = r.binaryDouble()
			} else {
				score, err = r.stringDouble()
			}
			if err != nil {
				return nil, err
			}
			if err := add(string(m), score); err != nil {
				return nil, err
			}
		}
	}
	if len(es) == 0 {
		return nil, errRDBEmpty
	}
	// A packed payload stays a listpack unless too long; a skiplist
	// payload becomes one when small enough (zsetConvert after loading).
	small := int64(len(es)) <= cfg.ZSetMaxListpackEntries
	if !packed {
		for _, e := range es {
			small = small && int64(len(e.member)) <= cfg.ZSetMaxListpackValue
		}
	}
	z := newZSetValue()
	if small {
		for i := range es {
			if es[i].score == 0 {
				es[i].score = 0 // a listpack keeps no -0
			}
		}
		slices.SortStableFunc(es, zentryCompare)
		z.lp, z.n = zlpFromEntries(es), len(es)
		return objValue(KindZSet, EncListpack, z), nil
	}
	z.tree = newZsetTree(len(es))
	for _, e := range es {
		z.tree.add(e.score, e.member)
	}
	return objValue(KindZSet, EncSkiplist, z), nil
}

func rdbReadHash(r *rdbReader, t byte) (*Value, error) {
	cfg := encoding()
	h := newHashValue()
	if t == rdbTypeHash {
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		if int64(n) > cfg.HashMaxListpackEntries {
			h.convert()
		}
		for ; n > 0; n-- {
			f, err := r.str()
			if err != nil {
				return nil, err
			}
			v, err := r.str()
			if err != nil {
				return nil, err
			}
			if !h.set(f, v) {
				return nil, errRDB // duplicate field
			}
		}
	} else {
		blob, err := r.str()
		if err != nil {
			return nil, err
		}
		decode := decodeListpack
		if t == rdbTypeHashZiplist {
			decode = decodeZiplist
		}
		items, err := decode(blob)
		if err != nil || len(items)%2 != 0 {
			return nil, errRDB
		}
		for i := 0; i < len(items); i += 2 {
			f, v := strBytes(items[i]), strBytes(items[i+1])
			if h.has(f) {
				return nil, errRDB
			}
			// Appended as is: a packed payload keeps long elements
			// in its listpack, which set would convert.
			h.lp = h.lp.splice(len(h.lp), len(h.lp), f, v)
			h.count++
			h.bytes += int64(len(f) + len(v))
		}
		// Like Redis, only the entry count converts a packed payload;
		// long elements stay in the listpack.
		if int64(h.Len()) > cfg.HashMaxListpackEntries {
			h.convert()
		}
	}
	if h.Len() == 0 {
		return nil, errRDBEmpty
	}
	return objValue(KindHash, h.encoding(), h), nil
}

// verifyDumpPayload is Redis's verifyDumpPayload: a footer of RDB version
// (not newer than ours) and a CRC64 of everything before the checksum.
func verifyDumpPayload(p []byte) bool {
	if len(p) < 10 {
		return false
	}
	footer := p[len(p)-10:]
	if binary.LittleEndian.Uint16(footer) > rdbVersion {
		return false
	}
	return crc64(0, p[:len(p)-8]) == binary.LittleEndian.Uint64(footer[2:])
}

// restorePayload decodes a verified DUMP payload into a value. Like
// Redis's, the reader spans the whole payload, footer included, and what
// follows the value is not looked at.
func restorePayload(p []byte) (*Value, error) {
	r := &rdbReader{b: p}
	return rdbReadObject(r)
}
