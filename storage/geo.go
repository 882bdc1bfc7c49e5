package storage

import (
	"bytes"
	"math"
	"strconv"
)

// Commands from https://redis.io/commands/?group=geo
//
// A geo index is a sorted set whose scores are 52-bit geohashes
// (geohash.go), so every sorted set command works on it and every geo
// command reads a sorted set. GEOADD is ZADD with computed scores; the
// searches (geo_search.go) scan the same boxes in the same order as
// Redis, which gives Redis's result order when none is asked for.

func registerGeo(r *registry) {
	r.add("geoadd", cmdGeoAdd)
	r.add("geodist", cmdGeoDist)
	r.add("geohash", cmdGeoHash)
	r.add("geopos", cmdGeoPos)
	r.add("geosearch", cmdGeoSearch)
	r.add("geosearchstore", cmdGeoSearchStore)
	r.add("georadius", cmdGeoRadius)
	r.add("georadius_ro", cmdGeoRadiusRO)
	r.add("georadiusbymember", cmdGeoRadiusByMember)
	r.add("georadiusbymember_ro", cmdGeoRadiusByMemberRO)
}

var errGeoUnit error = replyError(ErrGeoUnsupportedUnit)

// parseLongLat is extractLongLatOrReply: two floats within the Mercator
// limits.
func parseLongLat(args [][]byte) (long, lat float64, err error) {
	var ok1, ok2 bool
	if long, ok1 = parseScore(args[0]); !ok1 {
		return 0, 0, errNotFloat
	}
	if lat, ok2 = parseScore(args[1]); !ok2 {
		return 0, 0, errNotFloat
	}
	if long < geoLongMin || long > geoLongMax || lat < geoLatMin || lat > geoLatMax {
		return 0, 0, replyError(ErrGeoInvalidPair(cFormatF(long, 6), cFormatF(lat, 6)))
	}
	return long, lat, nil
}

// cFormatF is printf's %.Nf, inf and nan spelled as C spells them.
func cFormatF(f float64, prec int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	return strconv.FormatFloat(f, 'f', prec, 64)
}

// parseUnit is extractUnitOrReply: meters per unit.
func parseUnit(u []byte) (float64, error) {
	switch {
	case isOpt(u, "m"):
		return 1, nil
	case isOpt(u, "km"):
		return 1000, nil
	case isOpt(u, "ft"):
		return 0.3048, nil
	case isOpt(u, "mi"):
		return 1609.34, nil
	}
	return 0, errGeoUnit
}

// GEOADD key [NX|XX] [CH] longitude latitude member [...]
func cmdGeoAdd(c *Ctx) {
	flags, i := 0, 2
	for ; i < len(c.Args); i++ {
		switch a := c.Args[i]; {
		case isOpt(a, "nx"):
			flags |= zaddNX
		case isOpt(a, "xx"):
			flags |= zaddXX
		case isOpt(a, "ch"):
			flags |= zaddCH
		default:
			goto done
		}
	}
done:
	rest := c.Args[i:]
	// No triple at all passes this check and fails as ZADD's syntax
	// error, as in Redis.
	if len(rest)%3 != 0 || len(rest) == 0 || flags&zaddNX != 0 && flags&zaddXX != 0 {
		c.W.Error(ErrSyntax)
		return
	}
	o := zaddOpts{flags: flags}
	for j := 0; j < len(rest); j += 3 {
		long, lat, err := parseLongLat(rest[j:])
		if err != nil {
			writeErr(c, err)
			return
		}
		o.scores = append(o.scores, geoScore(long, lat))
		o.members = append(o.members, rest[j+2])
	}
	n, _, _, err := opZAdd(&c.KS, c.Args[1], o)
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Int(n)
}

// GEODIST key member1 member2 [M|KM|FT|MI]
func cmdGeoDist(c *Ctx) {
	toMeter := 1.0
	if len(c.Args) == 5 {
		var err error
		if toMeter, err = parseUnit(c.Args[4]); err != nil {
			writeErr(c, err)
			return
		}
	} else if len(c.Args) > 5 {
		c.W.Error(ErrSyntax)
		return
	}
	z, err := readZSet(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	if z == nil {
		c.W.Null()
		return
	}
	s1, ok1 := z.score(c.Args[2])
	s2, ok2 := z.score(c.Args[3])
	if !ok1 || !ok2 {
		c.W.Null()
		return
	}
	lon1, lat1 := decodeGeoScore(s1)
	lon2, lat2 := decodeGeoScore(s2)
	writeDistance(c, geoDistance(lon1, lat1, lon2, lat2)/toMeter)
}

// writeDistance is addReplyDoubleDistance: "%.4f" as a bulk string, in
// RESP3 too.
func writeDistance(c *Ctx, d float64) {
	var tmp [64]byte
	c.W.Bulk(append(tmp[:0], cFormatF(d, 4)...))
}

// writeHumanCoord is addReplyHumanLongDouble: "%.17Lf" without trailing
// zeros, a bulk string in RESP2 and a double in RESP3.
func writeHumanCoord(c *Ctx, f float64) {
	s := strconv.AppendFloat(make([]byte, 0, 32), f, 'f', 17, 64)
	if bytes.IndexByte(s, '.') >= 0 {
		s = bytes.TrimRight(s, "0")
		s = bytes.TrimSuffix(s, []byte("."))
	}
	if string(s) == "-0" {
		s = s[1:]
	}
	if c.W.Proto >= 3 {
		c.W.Raw([]byte{','})
		c.W.Raw(s)
		c.W.Raw([]byte("\r\n"))
		return
	}
	c.W.Bulk(s)
}

// geoAlphabet is the standard geohash base32 alphabet.
const geoAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// GEOHASH key [member ...]
func cmdGeoHash(c *Ctx) {
	z, err := readZSet(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		s, ok := memberScore(z, m)
		if !ok {
			c.W.Null()
			continue
		}
		h := standardGeohash(s)
		c.W.Bulk(h[:])
	}
}

// memberScore is m's score in z, which may be missing (nil).
func memberScore(z *zsetValue, m []byte) (float64, bool) {
	if z == nil {
		return 0, false
	}
	return z.score(m)
}

// standardGeohash re-encodes a score's position over the standard
// latitude range [-90, 90] as 11 base32 characters; the 11th stands for
// bits Redis does not have, and is always '0'.
func standardGeohash(score float64) [11]byte {
	long, lat := decodeGeoScore(score)
	h, _ := geohashEncode(geoRange{-180, 180}, geoRange{-90, 90}, long, lat, geoStepMax)
	var buf [11]byte
	for i := range buf {
		idx := 0
		if i < 10 {
			idx = int(h.bits>>(52-(i+1)*5)) & 0x1f
		}
		buf[i] = geoAlphabet[idx]
	}
	return buf
}

// GEOPOS key [member ...]
func cmdGeoPos(c *Ctx) {
	z, err := readZSet(&c.KS, c.Args[1])
	if err != nil {
		writeErr(c, err)
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		s, ok := memberScore(z, m)
		if !ok {
			c.W.NullArray()
			continue
		}
		long, lat := decodeGeoScore(s)
		c.W.Array(2)
		writeHumanCoord(c, long)
		writeHumanCoord(c, lat)
	}
}
